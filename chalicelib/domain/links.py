"""A candidate's secret link: its token, how it is kept, and where each link points.

The token rides in the URL fragment (never sent to servers in Referer or access logs). The
table finds an invitation by the token's SHA-256 only, and keeps the current token itself
sealed with KMS (`adapters.secrets`, bound to its invitation), so "Resend" and every
reminder email the very link the candidate already has: every earlier email keeps working.
Only "Send a new link" replaces it (`invitations.new_link`).

Kept apart from invitations so the modules that email a link (reminders, invitations,
accommodations) and the one that honours it (`invitations.find_by_token`) share one
definition without importing each other.
"""

from __future__ import annotations

import hashlib
import secrets

from pynamodb.exceptions import TransactWriteError

from chalicelib.adapters import secrets as sealed_secrets
from chalicelib.config import get_settings
from chalicelib.data.models import Invitation, LinkToken, new_id, utcnow
from chalicelib.data.transactions import transact_write
from chalicelib.observability import logger

# The encryption context's purpose: the deployment's roles may open only this kind.
PURPOSE = "candidate-link"


def new_token() -> str:
    """A random 256-bit link token; stored only hashed, and sealed with KMS."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def candidate_link(token: str) -> str:
    return f"{get_settings().public_site_url}/candidate/#token={token}"


def privacy_link(token: str) -> str:
    """Where a candidate downloads their data or asks for deletion (their own link)."""
    return f"{get_settings().public_site_url}/candidate/#token={token}&view=privacy"


def _context(company_id: str, invitation_id: str) -> dict[str, str]:
    # Bound to its invitation: a sealed token copied onto another item does not open.
    return {"purpose": PURPOSE, "company_id": company_id, "invitation_id": invitation_id}


def seal_token(company_id: str, invitation_id: str, token: str) -> str:
    """The token as the table keeps it: KMS ciphertext, never the token itself."""
    return sealed_secrets.seal(token, _context(company_id, invitation_id))


def current_token(invitation: Invitation) -> str:
    """The candidate's current link token, to email again (Resend, reminders, notices).

    An invitation made before tokens were sealed has only its hash: it is given a sealed
    token once, and its first link is kept as a `LinkToken` issued now, so that link keeps
    working too (until "Send a new link"). Conditional on the hash read, so two reminders
    adopting at once agree on one token.
    """
    if invitation.sealed_token:
        return sealed_secrets.unseal(
            invitation.sealed_token, _context(invitation.company_id, invitation.invitation_id)
        )
    token = new_token()
    sealed = seal_token(invitation.company_id, invitation.invitation_id, token)
    kept = LinkToken(
        *LinkToken.key(invitation.company_id, invitation.invitation_id, new_id()),
        company_id=invitation.company_id,
        invitation_id=invitation.invitation_id,
        token_hash=invitation.token_hash,
        created_at=utcnow(),
    )
    try:
        with transact_write() as transaction:
            transaction.save(kept, condition=LinkToken.pk.does_not_exist())
            transaction.update(
                invitation,
                actions=[
                    Invitation.token_hash.set(hash_token(token)),
                    Invitation.sealed_token.set(sealed),
                ],
                condition=Invitation.invitation_id.exists()
                & Invitation.sealed_token.does_not_exist()
                & (Invitation.token_hash == invitation.token_hash),
            )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        invitation.refresh(consistent_read=True)  # adopted meanwhile: use that one
        return current_token(invitation)
    invitation.token_hash, invitation.sealed_token = hash_token(token), sealed
    logger.info("link token sealed", extra={"invitation_id": invitation.invitation_id})
    return token


def mask_email(address: str) -> str:
    """`s***@e***.com` for `sam@example.com`: enough to recognise one's own address."""
    local, _, domain = address.partition("@")
    name, dot, rest = domain.partition(".")
    masked_domain = f"{name[:1]}***{dot}{rest}" if domain else ""
    return f"{local[:1]}***@{masked_domain}"
