"""What a candidate sets for themselves: the language their pages and later emails use.

The interview gives an invitation its language; the candidate may pick another on the site,
which remembers it on the device and stores it here so reminders and decision emails
follow it. Reading the branding works on any link that still opens the invitation, also
after the deadline, since the "your data" page must stay usable then.
"""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib.data.models import Invitation
from chalicelib.domain import locales
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.invitations import find_by_token
from chalicelib.observability import logger


def set_language(token: str, language: str) -> Invitation:
    """Store the candidate's language on their invitation (a no-op when it is already it)."""
    if language not in locales.LANGUAGES:
        raise InvalidInput(
            "We do not have the candidate pages in that language.",
            details=[{"field": "language", "problem": "unknown", "message": language}],
        )
    invitation = find_by_token(token)
    if invitation.language == language:
        return invitation
    try:
        invitation.update(
            actions=[Invitation.language.set(language)],
            condition=Invitation.invitation_id.exists(),
        )
    except UpdateError:
        raise NotFound("This interview no longer exists.") from None
    logger.info(
        "candidate language set",
        extra={"invitation_id": invitation.invitation_id, "language": language},
    )
    return invitation


def branding(token: str) -> Invitation:
    """The invitation behind `token`, for its company's brand, language and time zone."""
    return find_by_token(token)
