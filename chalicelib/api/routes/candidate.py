"""The candidate's side: their interview by invitation token, and the public apply link."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import candidate_views as views
from chalicelib.api.endpoint import Access, Call, Param, endpoint, schemas
from chalicelib.domain import candidates, invitations
from chalicelib.domain.errors import InvalidInput, NotFound

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/candidate/session", "GET", access=Access.CANDIDATE)
def candidate_session(call: Call) -> dict:
    return views.session(candidates.open_session(call.token))


@endpoint(blueprint, "/candidate/consent", "POST", access=Access.CANDIDATE, body=schemas.ConsentIn)
def candidate_consent(call: Call) -> dict:
    return views.consent(candidates.consent(call.token))


@endpoint(blueprint, "/candidate/questions/{question_id}/open", "POST", access=Access.CANDIDATE)
def candidate_open_question(call: Call, question_id: str) -> dict:
    """Show a question's text and video and start its think time (once: a reload continues)."""
    return views.question(candidates.open_question(call.token, question_id))


@endpoint(
    blueprint,
    "/candidate/questions/{question_id}/attempts",
    "POST",
    access=Access.CANDIDATE,
    body=schemas.AttemptIn,
    status=201,
)
def candidate_start_attempt(call: Call, question_id: str) -> dict:
    body = call.body
    started = candidates.start_attempt(
        call.token, question_id, body.mime_type, body.client_attempt_id
    )
    return views.attempt_grant(started)


@endpoint(
    blueprint,
    "/candidate/questions/{question_id}/attempts/{attempt}/grant",
    "POST",
    access=Access.CANDIDATE,
    query={
        "first_chunk": Param(
            "integer",
            "First chunk number of the window (0 unless given).",
            0,
            99999,
            refused_with=InvalidInput,
        )
    },
)
def candidate_renew_grant(call: Call, question_id: str, attempt: str) -> dict:
    # The window of chunk numbers from `?first_chunk=` (0 when absent).
    first = call.query.get("first_chunk", "0")
    if not first.isdigit() or int(first) > 99999:
        raise InvalidInput(
            "first_chunk must be a chunk number.",
            details=[{"field": "first_chunk", "problem": "not_a_chunk_number"}],
        )
    number = _attempt_number(attempt)
    return views.attempt_grant(candidates.renew_grant(call.token, question_id, number, int(first)))


@endpoint(
    blueprint,
    "/candidate/questions/{question_id}/attempts/{attempt}/finalise",
    "POST",
    access=Access.CANDIDATE,
    body=schemas.FinaliseIn,
)
def candidate_finalise(call: Call, question_id: str, attempt: str) -> dict:
    number = _attempt_number(attempt)
    return views.answer(candidates.finalise(call.token, question_id, number, call.body.chunks))


def _attempt_number(value: str) -> int:
    """A path's attempt number; anything else is an attempt that does not exist."""
    if not value.isdigit() or not 0 < int(value) < 1000:
        raise NotFound("That recording attempt does not exist. Reload the page to continue.")
    return int(value)


@endpoint(
    blueprint,
    "/candidate/questions/{question_id}/text",
    "PUT",
    access=Access.CANDIDATE,
    body=schemas.TextAnswerIn,
)
def candidate_text(call: Call, question_id: str) -> dict:
    return views.answer(candidates.save_text(call.token, question_id, call.body.text))


@endpoint(blueprint, "/candidate/complete", "POST", access=Access.CANDIDATE)
def candidate_complete(call: Call) -> dict:
    return views.completion(candidates.complete(call.token))


@endpoint(
    blueprint, "/candidate/feedback", "POST", access=Access.CANDIDATE, body=schemas.FeedbackIn
)
def candidate_feedback(call: Call) -> dict:
    return views.feedback(candidates.feedback(call.token, call.body.rating, call.body.comment))


@endpoint(blueprint, "/apply/{code}", "GET", access=Access.PUBLIC)
def apply_info(_call: Call, code: str) -> dict:
    return views.apply_page(invitations.apply_info(code))


@endpoint(
    blueprint, "/apply/{code}", "POST", access=Access.PUBLIC, body=schemas.ApplyIn, status=202
)
def apply(call: Call, code: str) -> dict:
    """Apply through a public link (rate-limited per client address and per interview)."""
    # API Gateway's own record of the caller's address: not a header the client can forge.
    source_ip = (blueprint.current_request.context.get("identity") or {}).get("sourceIp", "")
    invitations.apply(code, call.body.name, str(call.body.email), source_ip=source_ip)
    return {"message": "Check your email: we sent you a personal link to start the interview."}
