"""Share links: a read-only view of one candidate for someone without an account.

Random 256-bit tokens in the URL fragment, only their hash stored; each link expires,
can be revoked, may mask the candidate's name, and every view is audited. A link lives no
longer than its creator's place in the team: once they are removed it stops opening. In
blind review a reviewer's links always mask the name, whatever they asked for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.config import get_settings
from chalicelib.data.models import Invitation, Recruiter, ShareLink, new_id, utcnow
from chalicelib.domain import activity
from chalicelib.domain.auth import Principal, Role
from chalicelib.domain.errors import Gone, NotFound, Unauthenticated
from chalicelib.domain.interviews import get_interview
from chalicelib.domain.invitations import hash_token
from chalicelib.domain.review import AnswerSlot, answer_slots, hidden_from, load_candidate

INVALID = "This share link is not valid. Ask the person who sent it for a new one."
CREATOR_LEFT = (
    "This share link no longer works: the person who created it has left the team. "
    "Ask the company for a new one."
)


def _share_id(invitation_id: str) -> str:
    # Self-locating: the candidate's partition is part of the id, so revoking needs no index.
    return f"{invitation_id}.{new_id()}"


def _locate(share_id: str) -> tuple[str, str]:
    invitation_id, dot, _ = share_id.partition(".")
    if not dot or not invitation_id:
        raise NotFound("Share link not found.")
    return invitation_id, share_id


@dataclass(frozen=True)
class NewShare:
    """A link just made; its URL carries the token, which is stored only as a hash."""

    link: ShareLink
    url: str


def create(principal: Principal, invitation_id: str, days: int, mask_name: bool) -> NewShare:
    """A new link; a reviewer's link in blind review masks the name whatever they asked."""
    candidate = load_candidate(principal.company_id, invitation_id)  # 404: another company's
    interview = get_interview(principal.company_id, candidate.record.interview_id)
    mask_name = mask_name or hidden_from(interview, principal)
    token = secrets.token_urlsafe(32)
    share_id = _share_id(invitation_id)
    expires = utcnow() + timedelta(days=days)
    link = ShareLink(
        *ShareLink.key(principal.company_id, invitation_id, share_id),
        company_id=principal.company_id,
        invitation_id=invitation_id,
        share_id=share_id,
        created_by=principal.user_id,
        expires=expires,
        mask_name=mask_name,
        token_hash=hash_token(token),
    )
    link.save(condition=ShareLink.pk.does_not_exist())
    activity.audit(
        principal.company_id,
        principal.user_id,
        "share.created",
        invitation_id,
        {"share_id": share_id, "days": days, "mask_name": mask_name},
    )
    return NewShare(link, f"{get_settings().public_site_url}/share/#token={token}")


def list_for(principal: Principal, invitation_id: str) -> list[ShareLink]:
    return list(load_candidate(principal.company_id, invitation_id).shares)


def revoke(principal: Principal, share_id: str) -> None:
    invitation_id, share_id = _locate(share_id)
    link = ShareLink(*ShareLink.key(principal.company_id, invitation_id, share_id))
    try:
        link.update(actions=[ShareLink.revoked.set(True)], condition=ShareLink.pk.exists())
    except UpdateError:
        raise NotFound("Share link not found.") from None
    activity.audit(
        principal.company_id,
        principal.user_id,
        "share.revoked",
        invitation_id,
        {"share_id": share_id},
    )


@dataclass(frozen=True)
class SharedCandidate:
    """What a share link opens: the candidate's answers, read-only, while the link lives."""

    link: ShareLink
    invitation: Invitation
    answers: list[AnswerSlot]
    masked: bool  # the name is replaced by the candidate's label


def open_shared(token: str) -> SharedCandidate:
    """The read-only candidate behind a share token, while the link and its creator live.

    The name is masked when the link says so, and whenever the interview is in blind review
    and the creator is not an admin now (links made before blind review was switched on, or
    by someone since made a reviewer, never reveal what the creator may no longer see).
    """
    if not token or len(token) > 200:
        raise Unauthenticated(INVALID)
    matches = list(ShareLink.by_token.query(hash_token(token), limit=1))
    if not matches:
        raise Unauthenticated(INVALID)
    link = matches[0]
    if link.revoked:
        raise Gone("This share link was withdrawn.")
    if utcnow() > link.expires:
        raise Gone("This share link has expired. Ask the person who sent it for a new one.")
    creator = _team_member(link.company_id, link.created_by)
    if creator is None:
        problem = {"field": "token", "problem": "creator_removed", "message": CREATOR_LEFT}
        raise Gone(CREATOR_LEFT, details=[problem])
    candidate = load_candidate(link.company_id, link.invitation_id)
    invitation = candidate.record
    interview = get_interview(link.company_id, invitation.interview_id)
    creator_is_admin = creator.role == Role.ADMIN.value
    masked = bool(link.mask_name) or (
        bool(interview.blind_review) and (not creator_is_admin or bool(interview.blind_for_admins))
    )
    activity.audit(
        link.company_id, f"share:{link.share_id}", "candidate.viewed", link.invitation_id
    )
    return SharedCandidate(link, invitation, answer_slots(candidate), masked)


def _team_member(company_id: str, user_id: str) -> Recruiter | None:
    try:
        return Recruiter.get(*Recruiter.key(company_id, user_id))
    except Recruiter.DoesNotExist:
        return None
