"""The company's own wording of candidate emails, previewed before saving, and decision previews."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.endpoint import Access, Audit, Call, endpoint, schemas
from chalicelib.data.models import Invitation
from chalicelib.domain import candidate_mail, decisions, interviews, review

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/company/emails", "GET", access=Access.RECRUITER)
def get_email_wording(call: Call) -> dict:
    """Every email a company may word, in every language (its words or the catalogue's)."""
    return views.every_email_wording(candidate_mail.every_wording(call.recruiter.company_id))


@endpoint(
    blueprint,
    "/company/emails/{kind}/{language}",
    "PUT",
    access=Access.ADMIN,
    body=schemas.EmailTemplate,
    audit=Audit.AUTO,
)
def put_email_wording(call: Call, kind: str, language: str) -> dict:
    """Word one email in one language (422 naming the field for a template that fails)."""
    body = call.body
    saved = candidate_mail.save_wording(
        call.recruiter.company_id, kind, language, body.subject, body.body
    )
    return views.email_wording(saved)


@endpoint(
    blueprint,
    "/company/emails/{kind}/{language}",
    "DELETE",
    access=Access.ADMIN,
    audit=Audit.AUTO,
)
def reset_email_wording(call: Call, kind: str, language: str) -> dict:
    """Go back to the catalogue's words for one email in one language."""
    return views.email_wording(
        candidate_mail.reset_wording(call.recruiter.company_id, kind, language)
    )


@endpoint(
    blueprint,
    "/company/emails/{kind}/{language}/preview",
    "POST",
    access=Access.ADMIN,
    body=schemas.EmailTemplate,
    audit=Audit.NOTHING,  # a preview changes nothing
)
def preview_email_wording(call: Call, kind: str, language: str) -> dict:
    """The email this wording makes, filled with sample values; nothing is saved."""
    body = call.body
    message = candidate_mail.preview(
        call.recruiter.company_id, kind, language, body.subject, body.body
    )
    return views.email_preview(message, language)


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/decision-preview",
    "POST",
    access=Access.ADMIN,
    body=schemas.DecisionPreviewIn,
    audit=Audit.NOTHING,  # a preview changes nothing
)
def preview_decision(call: Call, invitation_id: str) -> dict:
    """The decision email a stage change would send this candidate, exactly as it would go."""
    company_id = call.recruiter.company_id

    def hidden_label(invitation: Invitation) -> str | None:
        interview = interviews.get_interview(company_id, invitation.interview_id)
        if review.hidden_from(interview, call.recruiter):
            return review.candidate_label(invitation.invitation_id)
        return None

    found = decisions.preview(company_id, invitation_id, call.body.stage, hidden_label)
    return views.decision_preview(found)
