"""Decision emails: editable per company, rendered in a sandbox, sent on a stage change.

Admins write the templates, so they render in the bounded sandbox (`templating`) with only
three names in reach, within a time, work and size bound; the HTML part is the escaped
text, so a template cannot inject markup either. Every failure is a 422 naming the field:
on save (tried on several sample names), and on a stage change, before anything changes.
Each candidate reads them in their own language: `/company/templates` words the English
ones, `candidate_mail` those of every language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.adapters import email
from chalicelib.data.models import Company, Invitation
from chalicelib.domain import candidate_mail, templating
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.identity import get_company
from chalicelib.domain.invitations import get_invitation


@dataclass(frozen=True)
class Template:
    """One decision email: its subject and body, both Jinja2 templates."""

    subject: str
    body: str


@dataclass(frozen=True)
class DecisionTemplates:
    """The company's decision emails, its own where it wrote them, the defaults elsewhere."""

    advanced: Template
    rejected: Template

    def for_stage(self, stage: str) -> Template:
        template: Template = getattr(self, stage)
        return template


def templates(company: Company, lang: str = "en") -> DecisionTemplates:
    """The decision emails in `lang`: the company's wording, else the catalogue's."""

    def merged(name: str) -> Template:
        found = candidate_mail.wording(company, name, lang)
        return Template(subject=found.subject, body=found.body)

    return DecisionTemplates(advanced=merged("advanced"), rejected=merged("rejected"))


def templates_of(company_id: str) -> DecisionTemplates:
    """The decision emails a company sends (404 for a company that does not exist)."""
    return templates(get_company(company_id))


# A template must render for every name a candidate can have, not only for the sample: it
# is tried with a short name and with a long, non-ASCII one before it is saved.
SAMPLES = (
    {"candidate_name": "Sam Candidate", "company_name": "Acme", "title": "Support"},
    {
        "candidate_name": "Zoë Ŝtefánsdóttir-Nguyễn 李小龍 " * 5,
        "company_name": "Société Générale d'Études",
        "title": "Ingénieur·e logiciel",
    },
    {"candidate_name": "Li", "company_name": "A", "title": "X"},
)
SAMPLES = tuple({**sample, "interview_title": sample["title"]} for sample in SAMPLES)
SAMPLE = SAMPLES[0]
# Bounds on what a template may write: the same as every candidate email's.
SUBJECT_LIMIT = candidate_mail.SUBJECT_LIMIT
BODY_LIMIT = candidate_mail.BODY_LIMIT
HOW_TO_FIX = "Use only {{ candidate_name }}, {{ company_name }} and {{ interview_title }}."


def check(field: str, template: str) -> None:
    """Refuse a template that does not parse, render within bounds, or fit every sample."""
    limit = SUBJECT_LIMIT if field.endswith("subject") else BODY_LIMIT
    for sample in SAMPLES:
        try:
            templating.render(template, sample, output_limit=limit)
        except templating.TemplateProblem as problem:
            raise InvalidInput(
                f"The {_where(field)} has a mistake: {problem.message}. " + HOW_TO_FIX,
                details=[{"field": field, "problem": "template", "message": problem.message}],
            ) from None


def _where(field: str) -> str:
    """`rejected.body` in words: "rejected email's message"."""
    stage, _, part = field.partition(".")
    return f"{stage} email's {'message' if part == 'body' else part}"


def save_templates(company_id: str, values: dict[str, dict[str, str]]) -> DecisionTemplates:
    for name, parts in values.items():
        for part, text in parts.items():
            check(f"{name}.{part}", text)
    company = get_company(company_id)
    company.update(actions=[Company.decision_templates.set(values)])
    return templates(company)


def _render(stage: str, part: str, template: str, context: dict[str, str]) -> str:
    """Render for a real candidate; a template that fails on their data changes nothing.

    The stage change is refused with a 422 before anything is written: the admin fixes the
    template, or moves the candidate without emailing them (`notify: false`).
    """
    limit = SUBJECT_LIMIT if part == "subject" else BODY_LIMIT
    try:
        return templating.render(template, context, output_limit=limit)
    except templating.TemplateProblem as problem:
        raise InvalidInput(
            f"The {stage} email cannot be written for this candidate: its "
            f"{'message' if part == 'body' else part} fails ({problem.message}). Nothing was "
            "changed: fix the template in Settings, or move the candidate without emailing them.",
            details=[
                {"field": f"{stage}.{part}", "problem": "template", "message": problem.message}
            ],
        ) from None


def prepare(
    invitation: Invitation, stage: str, shown_name: str | None = None
) -> email.Email | None:
    """The decision email for `stage`, rendered before anything changes (None: no email).

    In the candidate's language; what the review page previews is this very email
    (`shown_name` stands in for the name where blind review hides it from the admin).
    """
    if stage not in candidate_mail.DECISIONS:
        return None
    company = get_company(invitation.company_id)
    lang = candidate_mail.language_of(invitation)
    template = templates(company, lang).for_stage(stage)
    context = {
        "candidate_name": shown_name or invitation.candidate_name,
        "company_name": company.name,
        "title": invitation.title,
        "interview_title": invitation.title,
    }
    subject = " ".join(_render(stage, "subject", template.subject, context).split())
    text = _render(stage, "body", template.body, context)
    booking = invitation.booking_url if stage == "advanced" else None
    to = shown_name or invitation.candidate_email
    return candidate_mail.decision_letter(to, lang, subject, text, booking)


@dataclass(frozen=True)
class DecisionPreview:
    """The decision email a stage change would send, and to whom."""

    message: email.Email
    language: str
    invitation: Invitation


def preview(
    company_id: str,
    invitation_id: str,
    stage: str,
    hidden_label: Callable[[Invitation], str | None] = lambda _: None,
) -> DecisionPreview:
    """The decision email `stage` would send this candidate now: `prepare`'s very output.

    `hidden_label` gives the label that stands for a candidate whose name and address blind
    review hides from the caller (None: shown).
    """
    invitation = get_invitation(company_id, invitation_id)
    message = prepare(invitation, stage, hidden_label(invitation))
    if message is None:
        raise InvalidInput(
            f"Moving a candidate to {stage!r} sends no email.",
            details=[{"field": "stage", "problem": "no_email", "message": stage}],
        )
    return DecisionPreview(message, candidate_mail.language_of(invitation), invitation)
