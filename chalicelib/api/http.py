"""The HTTP edge: request bodies into validated models, and every error into one JSON shape.

`{"error": "<code>", "message": "...", "details": [...]}` is the only error body a client
ever sees; domain errors carry their status, anything unexpected becomes a logged 500 whose
body says nothing about the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice.app import Request, Response

from chalicelib.domain.errors import BadRequest, DomainError, InvalidInput
from chalicelib.observability import logger

if TYPE_CHECKING:
    from pydantic import BaseModel

# Chalice answers some requests itself (unknown method, media type); keep their meaning, in
# our shape.
_CHALICE_CODES = {
    "BadRequestError": "bad_request",
    "BadRequest": "bad_request",
    "UnauthorizedError": "unauthenticated",
    "ForbiddenError": "forbidden",
    "NotFoundError": "not_found",
    "ConflictError": "conflict",
    "UnprocessableEntityError": "invalid_input",
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "TooManyRequestsError": "too_many_requests",
    "InternalServerError": "internal",
}

JSON_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}


def error_response(
    status: int, code: str, message: str, details: list[Any] | None = None
) -> Response:
    body = {"error": code, "message": message, "details": details or []}
    return Response(body=body, status_code=status, headers=dict(JSON_HEADERS))


def domain_error_response(error: DomainError) -> Response:
    logger.info("request refused", extra={"error": error.code, "status": error.status_code})
    return Response(body=error.to_body(), status_code=error.status_code, headers=dict(JSON_HEADERS))


def errors_middleware(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Map domain errors to their status; never let a stack trace reach a client."""
    try:
        response = get_response(request)
    except DomainError as error:
        return domain_error_response(error)
    except Exception:
        logger.exception("unhandled error")
        return error_response(
            500, "internal", "Something went wrong on our side. Please try again."
        )
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
        code = _CHALICE_CODES.get(body["Code"], "error")
        if code == "internal":
            return error_response(500, code, "Something went wrong on our side. Please try again.")
        return error_response(response.status_code, code, str(body.get("Message", "")))
    return response


def parse_body(request: Request, model: type[BaseModel]) -> Any:
    """Validate a JSON body against a `chalicelib.api.schemas` class, naming bad fields.

    pydantic loads on the first request that has a body, not at cold start, so reads such
    as a candidate opening their link do not pay for it.
    """
    from pydantic import ValidationError  # noqa: PLC0415 - see the docstring

    raw = request.raw_body or b""
    if not raw.strip():
        raise BadRequest("The request needs a JSON body.")
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False)
        if any(problem["type"] == "json_invalid" for problem in problems):
            raise BadRequest("The request body is not valid JSON.") from None
        replaced = getattr(model, "replaced_fields", {})
        details = []
        for problem in problems:
            field = ".".join(str(part) for part in problem["loc"]) or "body"
            message = problem["msg"]
            if problem["type"] == "extra_forbidden":
                message = replaced.get(field, "This request has no such field.")
            details.append({"field": field, "problem": problem["type"], "message": message})
        raise InvalidInput("Some fields are missing or invalid.", details=details) from None
