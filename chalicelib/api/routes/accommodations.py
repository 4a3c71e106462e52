"""Accommodations: the candidate asks for an adjustment; an admin grants or declines it."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import candidate_views, views
from chalicelib.api.endpoint import Access, Audit, Call, endpoint, schemas
from chalicelib.domain import accommodations

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/candidate/accommodation-request",
    "POST",
    access=Access.CANDIDATE,
    body=schemas.AccommodationRequestIn,
    status=201,
)
def candidate_accommodation_request(call: Call) -> dict:
    """Ask for more time, audio instead of video or a later deadline, before starting."""
    invitation = accommodations.request(call.token, list(call.body.kinds), call.body.note)
    return {"accommodation": candidate_views.accommodation(invitation)}


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/accommodation/grant",
    "POST",
    access=Access.ADMIN,
    body=schemas.AccommodationGrantIn,
    audit=Audit.SELF,
)
def grant_accommodation(call: Call, invitation_id: str) -> dict:
    """Grant the candidate's pending request and apply it; the candidate is emailed."""
    body = call.body
    invitation, _ = accommodations.grant(
        call.recruiter.company_id,
        invitation_id,
        call.recruiter.user_id,
        body.time_multiplier,
        body.chosen_deadline(),
    )
    return views.accommodation_decided(invitation)


@endpoint(
    blueprint,
    "/invitations/{invitation_id}/accommodation/decline",
    "POST",
    access=Access.ADMIN,
    audit=Audit.SELF,
)
def decline_accommodation(call: Call, invitation_id: str) -> dict:
    """Decline the candidate's pending request; nothing changes, the candidate is emailed."""
    invitation = accommodations.decline(
        call.recruiter.company_id, invitation_id, call.recruiter.user_id
    )
    return views.accommodation_decided(invitation)
