"""The candidate's side: their interview by invitation token, and the public apply link."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import candidate_views as views
from chalicelib.api.endpoint import FIRST_CHUNK, Access, Call, endpoint, first_chunk, schemas
from chalicelib.domain import candidate_settings, candidates, invitations, network_check
from chalicelib.domain.errors import NotFound

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


@endpoint(blueprint, "/candidate/network-check", "POST", access=Access.CANDIDATE, status=201)
def candidate_network_check(call: Call) -> dict:
    """A one-minute presigned POST for a few hundred KB of random bytes: the uplink test."""
    return views.object_grant(network_check.probe(call.token))


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
    query=FIRST_CHUNK,
)
def candidate_renew_grant(call: Call, question_id: str, attempt: str) -> dict:
    first = first_chunk(call)
    number = _attempt_number(attempt)
    return views.attempt_grant(candidates.renew_grant(call.token, question_id, number, first))


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


@endpoint(
    blueprint,
    "/candidate/language",
    "PUT",
    access=Access.CANDIDATE,
    body=schemas.CandidateLanguageIn,
)
def candidate_language(call: Call) -> dict:
    """The language the candidate picked: their pages and every later email use it."""
    return views.language(candidate_settings.set_language(call.token, call.body.language))


@endpoint(blueprint, "/candidate/branding", "GET", access=Access.CANDIDATE)
def candidate_branding(call: Call) -> dict:
    """Brand, language and time zone for a page shown without the session ("your data")."""
    return views.branding(candidate_settings.branding(call.token))


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
    body = call.body
    invitations.apply(code, body.name, str(body.email), source_ip=source_ip, language=body.language)
    return {"message": "Check your email: we sent you a personal link to start the interview."}
