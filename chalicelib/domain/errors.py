"""Domain errors: what went wrong in words a client can act on.

Plain exceptions, so the domain, the media worker and the scheduled jobs need no web
framework. Each names the HTTP status it stands for; the HTTP layer (`chalicelib.api`) is
the one place that turns them into responses.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a client is allowed to see."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def to_body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "details": self.details}


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"


class InvalidInput(DomainError):
    """The body parsed but its fields break the rules; `details` names each field."""

    status_code = 422
    code = "invalid_input"


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"


class LinkReplaced(Unauthenticated):
    """A candidate link from an earlier email, replaced since by a newer one."""

    code = "link_replaced"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    """Also used for things that exist but belong to someone else: never reveal other ids."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Gone(DomainError):
    """Once valid, no longer: a revoked or expired link."""

    status_code = 410
    code = "gone"


class TooManyRequests(DomainError):
    """Too many requests from one client or for one thing in a short time; try later."""

    status_code = 429
    code = "too_many_requests"
