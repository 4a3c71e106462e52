"""Inviting candidates to an interview and managing their invitations."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.endpoint import PAGED, Access, Audit, Call, endpoint, schemas
from chalicelib.domain import invitations, jobs, review

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/invitations",
    "POST",
    access=Access.ADMIN,
    body=schemas.DirectInviteIn,
    audit=Audit.AUTO,
)
def invite(call: Call, interview_id: str) -> dict:
    """Invite up to 25 candidates at once; the answer reports each row."""
    company_id, body = call.recruiter.company_id, call.body
    report = invitations.invite_to(
        company_id,
        interview_id,
        body.candidates,
        None,
        body.check_candidate,
        deadline=body.deadline_choice(),
    )
    call.audit_detail = {"invitations": [row.invitation_id for row in report.invited]}
    return views.invite_report(report)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/invitation-jobs",
    "POST",
    access=Access.ADMIN,
    body=schemas.InviteIn,
    audit=Audit.AUTO,
    status=202,
)
def invite_in_bulk(call: Call, interview_id: str) -> dict:
    """Invite up to 1,000 candidates (a list or CSV) as a job; poll `GET /jobs/{job_id}`."""
    body = call.body
    job = jobs.start_invite(
        call.recruiter,
        interview_id,
        body.candidates,
        body.csv,
        body.check_candidate,
        deadline=body.deadline_choice(),
    )
    return views.job(jobs.JobView(job))


@endpoint(
    blueprint,
    "/interviews/{interview_id}/invitations",
    "GET",
    access=Access.RECRUITER,
    query=PAGED,
)
def list_invitations(call: Call, interview_id: str) -> dict:
    found = review.invitations_page(
        call.recruiter, interview_id, call.page_size(), call.query.get("cursor")
    )
    return {
        "invitations": [views.invitation(i, found.hidden) for i in found.invitations],
        "next_cursor": found.next_cursor,
    }


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/resend",
    "POST",
    access=Access.ADMIN,
    audit=Audit.AUTO,
)
def resend_invitation(call: Call, invitation_id: str) -> dict:
    """Email the candidate's current link again; every earlier email's link keeps working."""
    invitation = invitations.resend(call.recruiter.company_id, invitation_id)
    return views.invitation(invitation)


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/new-link",
    "POST",
    access=Access.ADMIN,
    audit=Audit.AUTO,
)
def send_new_link(call: Call, invitation_id: str) -> dict:
    """Replace a forwarded or leaked link: every earlier link then answers `link_replaced`."""
    invitation = invitations.new_link(call.recruiter.company_id, invitation_id)
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
    invitation = invitations.extend(
        call.recruiter.company_id, invitation_id, call.body.deadline_choice()
    )
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
