"""Inviting candidates to an interview and managing their invitations."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.endpoint import Access, Audit, Call, endpoint, schemas
from chalicelib.domain import identity, interviews, invitations

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/invitations",
    "POST",
    access=Access.ADMIN,
    body=schemas.InviteIn,
    audit=Audit.AUTO,
)
def invite(call: Call, interview_id: str) -> dict:
    company_id, body = call.recruiter.company_id, call.body
    interview = interviews.get_interview(company_id, interview_id)
    company = identity.get_company(company_id)
    report = invitations.invite_many(
        company, interview, body.candidates, body.csv, body.check_candidate
    )
    return report.to_dict()


@endpoint(blueprint, "/interviews/{interview_id}/invitations", "GET", access=Access.RECRUITER)
def list_invitations(call: Call, interview_id: str) -> dict:
    company_id = call.recruiter.company_id
    interviews.get_interview(company_id, interview_id)
    page, cursor = invitations.list_invitations(
        company_id, interview_id, limit=call.page_size(), cursor=call.query.get("cursor")
    )
    return {"invitations": [views.invitation(i) for i in page], "next_cursor": cursor}


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/resend",
    "POST",
    access=Access.ADMIN,
    audit=Audit.AUTO,
)
def resend_invitation(call: Call, invitation_id: str) -> dict:
    invitation = invitations.resend(call.recruiter.company_id, invitation_id)
    return views.invitation(invitation)


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/extend",
    "POST",
    access=Access.ADMIN,
    body=schemas.ExtendIn,
    audit=Audit.AUTO,
)
def extend_invitation(call: Call, invitation_id: str) -> dict:
    invitation = invitations.extend(call.recruiter.company_id, invitation_id, call.body.days)
    return views.invitation(invitation)


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/revoke",
    "POST",
    access=Access.ADMIN,
    audit=Audit.AUTO,
)
def revoke_invitation(call: Call, invitation_id: str) -> dict:
    invitation = invitations.revoke(call.recruiter.company_id, invitation_id)
    return views.invitation(invitation)


@endpoint(
    blueprint,
    "/invitations/{invitation_id}",
    "PATCH",
    access=Access.ADMIN,
    body=schemas.InvitationUpdate,
    audit=Audit.AUTO,
)
def update_invitation(call: Call, invitation_id: str) -> dict:
    invitation = invitations.set_time_multiplier(
        call.recruiter.company_id, invitation_id, call.body.time_multiplier
    )
    return views.invitation(invitation)
