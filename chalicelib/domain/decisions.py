"""Decision emails: editable per company, rendered in a sandbox, sent on a stage change.

Admins write the templates, so they render in Jinja2's sandbox with only three names in
reach; the HTML part is the escaped text, so a template cannot inject markup either.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from chalicelib.adapters import email
from chalicelib.data.models import Company, Invitation
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


SAMPLE = {"candidate_name": "Sam Candidate", "company_name": "Acme", "title": "Support"}


def check(field: str, template: str) -> None:
    """Refuse a template that does not parse or render with the three names, naming where."""
    _render(template, SAMPLE, field=field)


def save_templates(company_id: str, values: dict[str, dict[str, str]]) -> DecisionTemplates:
    for name, parts in values.items():
        for part, text in parts.items():
            check(f"{name}.{part}", text)
    company = get_company(company_id)
    company.update(actions=[Company.decision_templates.set(values)])
    return templates(company)


def _render(template: str, context: dict[str, str], field: str = "template") -> str:
    # jinja2's sandbox costs ~0.2 s to import: only a decision email with a template pays.
    from jinja2 import StrictUndefined, TemplateError  # noqa: PLC0415
    from jinja2.sandbox import SandboxedEnvironment  # noqa: PLC0415

    environment = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
    try:
        return environment.from_string(template).render(**context)
    except TemplateError as error:  # syntax, unknown names, and what the sandbox refuses
        line = getattr(error, "lineno", None)
        where = f"line {line}: " if line else ""
        raise InvalidInput(
            "A decision email template has a mistake. Use only {{ candidate_name }}, "
            "{{ company_name }} and {{ title }}.",
            details=[{"field": field, "problem": "template", "message": where + str(error)}],
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
    subject = " ".join(_render(template.subject, context).split())
    text = _render(template.body, context)
    if stage == "advanced" and invitation.booking_url:
        text += f"\n\nBook a live conversation with us: {invitation.booking_url}"
    html = "<p>" + str(escape(text)).replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
    return email.Email(to=invitation.candidate_email, subject=subject, html=html, text=text)
