"""A candidate's secret links: how a token is hashed and where each link points.

Kept apart from invitations so the modules that email a link (reminders, invitations) and
the one that honours it (`invitations.find_by_token`) share one definition without
importing each other.
"""

from __future__ import annotations

import hashlib
import secrets

from chalicelib.config import get_settings


def new_token() -> str:
    """A random 256-bit link token; only its hash is ever stored."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def candidate_link(token: str) -> str:
    return f"{get_settings().public_site_url}/candidate/#token={token}"


def privacy_link(token: str) -> str:
    """Where a candidate downloads their data or asks for deletion (their own link)."""
    return f"{get_settings().public_site_url}/candidate/#token={token}&view=privacy"
