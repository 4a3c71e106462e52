"""Decision emails: editable per company, rendered in a sandbox, sent on a stage change.

Admins write the templates, so they render in the bounded sandbox (`templating`) with only
three names in reach, within a time, work and size bound; the HTML part is the escaped
text, so a template cannot inject markup either. Every failure is a 422 naming the field:
on save (tried on several sample names), and on a stage change, before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from chalicelib.adapters import email
from chalicelib.data.models import Company, Invitation
from chalicelib.domain import templating
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.identity import get_company

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "advanced": {
        "subject": "Next steps with {{ company_name }}",
        "body": (
            "Hello {{ candidate_name }},\n\nThank you for your video interview for "
            "{{ title }}. We enjoyed your answers and would like to move forward: we will "
            "contact you shortly about the next step.\n\nBest regards,\n{{ company_name }}"
        ),
    },
    "rejected": {
        "subject": "Your application to {{ company_name }}",
        "body": (
            "Hello {{ candidate_name }},\n\nThank you for taking the time to record your "
            "interview for {{ title }}. After careful review we have decided not to move "
            "forward with your application. We wish you every success.\n\nBest regards,\n"
            "{{ company_name }}"
        ),
    },
}


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


def templates(company: Company) -> DecisionTemplates:
    stored = company.decision_templates.as_dict() if company.decision_templates else {}

    def merged(name: str) -> Template:
        parts = {**DEFAULT_TEMPLATES[name], **stored.get(name, {})}
        return Template(subject=parts["subject"], body=parts["body"])

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
SAMPLE = SAMPLES[0]
# Bounds on what a template may write: SES subjects stay short, a letter stays a letter.
SUBJECT_LIMIT = 500
BODY_LIMIT = 20_000
HOW_TO_FIX = "Use only {{ candidate_name }}, {{ company_name }} and {{ title }}."


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


def prepare(invitation: Invitation, stage: str) -> email.Email | None:
    """The decision email for `stage`, rendered before anything changes (None: no email)."""
    if stage not in DEFAULT_TEMPLATES:
        return None
    company = get_company(invitation.company_id)
    template = templates(company).for_stage(stage)
    context = {
        "candidate_name": invitation.candidate_name,
        "company_name": company.name,
        "title": invitation.title,
    }
    subject = " ".join(_render(stage, "subject", template.subject, context).split())
    text = _render(stage, "body", template.body, context)
    if stage == "advanced" and invitation.booking_url:
        text += f"\n\nBook a live conversation with us: {invitation.booking_url}"
    html = "<p>" + str(escape(text)).replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
    return email.Email(to=invitation.candidate_email, subject=subject, html=html, text=text)
