"""Domain errors: what went wrong in words a client can act on, with the HTTP status it maps to.

They derive from Chalice's `ChaliceUnhandledError` only so that Chalice lets them propagate
to the one middleware in `chalicelib.http` that turns them into JSON responses.
"""

from __future__ import annotations

from typing import Any

from chalice.app import ChaliceUnhandledError


class DomainError(ChaliceUnhandledError):
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
