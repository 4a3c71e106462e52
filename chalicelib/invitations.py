"""Invitations: one candidate, one interview, one secret link.

The link carries a random 256-bit token in its URL fragment (never sent to servers in
Referer or access logs); only its SHA-256 is stored, so a leaked table cannot open
anybody's interview.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from chalicelib import email
from chalicelib.config import get_settings
from chalicelib.errors import Gone, NotFound, Unauthenticated
from chalicelib.models import Company, Interview, Invitation, new_id, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def candidate_link(token: str) -> str:
    return f"{get_settings().public_site_url}/candidate/#token={token}"


def create_invitation(
    company: Company, interview: Interview, candidate_name: str, candidate_email: str
) -> tuple[Invitation, str]:
    """Store an invitation with a snapshot of the interview's questions; returns its token."""
    token = secrets.token_urlsafe(32)
    invitation_id = new_id()
    pk, sk = Invitation.key(company.company_id, invitation_id)
    invitation = Invitation(
        pk,
        sk,
        company_id=company.company_id,
        interview_id=interview.interview_id,
        invitation_id=invitation_id,
        candidate_name=candidate_name,
        candidate_email=candidate_email.strip().lower(),
        questions=list(interview.questions),
        deadline=utcnow() + timedelta(days=int(interview.deadline_days)),
        token_hash=hash_token(token),
        gsi1pk=Invitation.parent_key(company.company_id, interview.interview_id),
        gsi1sk=f"INV#{invitation_id}",
    )
    invitation.save(condition=Invitation.pk.does_not_exist())
    return invitation, token


def send_invitation_email(
    company: Company, interview: Interview, invitation: Invitation, token: str
) -> str:
    message = email.render(
        "invitation",
        to=invitation.candidate_email,
        candidate_name=invitation.candidate_name,
        company_name=company.name,
        title=interview.title,
        deadline=invitation.deadline.strftime("%A %d %B %Y, %H:%M UTC"),
        link=candidate_link(token),
        support_contact=interview.support_contact,
    )
    return email.send(message, reply_to=interview.support_contact)


def find_by_token(token: str) -> Invitation:
    """The one invitation a candidate token opens; 401 for unknown, 410 once it is over."""
    if not token or len(token) > 200:
        raise Unauthenticated("This interview link is not valid. Check the link in your email.")
    matches = list(Invitation.by_token.query(hash_token(token), limit=1))
    if not matches or not isinstance(matches[0], Invitation):
        raise Unauthenticated("This interview link is not valid. Check the link in your email.")
    invitation = matches[0]
    if invitation.revoked or invitation.status == "revoked":
        raise Gone("This interview link has been withdrawn. Contact the company if unsure.")
    return invitation


def candidate_view(invitation: Invitation, company: Company | None = None) -> dict[str, Any]:
    """What a candidate may see of their own invitation (no internal ids of others)."""
    return {
        "candidate_name": invitation.candidate_name,
        "company_name": company.name if company else None,
        "deadline": invitation.deadline.isoformat(),
        "status": invitation.status,
        "questions": len(invitation.questions),
    }


def get_invitation(company_id: str, invitation_id: str) -> Invitation:
    try:
        return Invitation.get(*Invitation.key(company_id, invitation_id))
    except Invitation.DoesNotExist:
        raise NotFound("Invitation not found.") from None
