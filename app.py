"""The HTTP API and scheduled handlers: parse, authorise, call chalicelib, respond."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from chalice.app import Chalice, CloudWatchEvent, ConvertToMiddleware, Rate, Response

from chalicelib.api.http import errors_middleware, maps_errors, parse_body
from chalicelib.data.models import utcnow
from chalicelib.domain import (
    activity,
    analytics,
    candidates,
    decisions,
    identity,
    interviews,
    invitations,
    reminders,
    review,
    shares,
)
from chalicelib.domain.auth import Principal, Role, authenticate
from chalicelib.domain.errors import BadRequest, NotFound
from chalicelib.observability import logger, metrics, trace_handler

app = Chalice(app_name="oneway")
app.register_middleware(
    ConvertToMiddleware(
        logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    ),
    "http",
)
app.register_middleware(ConvertToMiddleware(trace_handler), "all")
app.register_middleware(ConvertToMiddleware(metrics.log_metrics), "all")
app.register_middleware(errors_middleware, "http")


def route(path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    def register(view: Callable[..., Any]) -> Any:
        return app.route(path, **kwargs)(maps_errors(view))

    return register


def _principal(role: Role | None = None) -> Principal:
    """The verified caller; kept on the request so the audit middleware need not verify again."""
    principal = authenticate(app.current_request.headers, role)
    app.current_request.principal = principal  # type: ignore[attr-defined]
    return principal


@route("/health", methods=["GET"])
def health() -> dict:
    return {"status": "ok"}


# --- identity ---------------------------------------------------------------------------


@route("/auth/signup", methods=["POST"])
def sign_up() -> dict:
    body = parse_body(app.current_request, "SignUp")
    return identity.sign_up(body.company_name, body.name, body.email, body.password)


@route("/auth/signin", methods=["POST"])
def sign_in() -> dict:
    body = parse_body(app.current_request, "SignIn")
    try:
        return identity.sign_in(body.email, body.password).to_dict()
    except identity.NewPasswordRequired as challenge:
        return {"challenge": "NEW_PASSWORD_REQUIRED", "session": challenge.session}


@route("/auth/new-password", methods=["POST"])
def new_password() -> dict:
    body = parse_body(app.current_request, "NewPasswordIn")
    return identity.set_new_password(body.email, body.session, body.new_password).to_dict()


@route("/auth/refresh", methods=["POST"])
def refresh() -> dict:
    body = parse_body(app.current_request, "Refresh")
    return identity.refresh(body.refresh_token).to_dict()


@route("/me", methods=["GET"])
def me() -> dict:
    principal = _principal()
    recruiter = identity.get_recruiter(principal.company_id, principal.user_id)
    company = identity.get_company(principal.company_id)
    return {
        "recruiter": identity.recruiter_view(recruiter),
        "company": identity.company_view(company),
    }


@route("/company", methods=["PATCH"])
def update_company() -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "CompanyUpdate")
    company = identity.update_company(
        principal.company_id, body.name, body.brand_color, body.logo_url
    )
    return identity.company_view(company)


@route("/team", methods=["POST"])
def invite_recruiter() -> Response:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "TeamMemberIn")
    admin = identity.get_recruiter(principal.company_id, principal.user_id)
    recruiter = identity.invite_recruiter(admin, str(body.email), body.name, Role(body.role))
    activity.audit(principal.company_id, principal.user_id, "team.invited", recruiter.user_id)
    return Response(identity.recruiter_view(recruiter), status_code=201)


@route("/team/{user_id}", methods=["DELETE"])
def remove_recruiter(user_id: str) -> Response:
    principal = _principal(Role.ADMIN)
    identity.remove_recruiter(principal.company_id, user_id, principal.user_id)
    activity.audit(principal.company_id, principal.user_id, "team.removed", user_id)
    return Response(body="", status_code=204)


@route("/team", methods=["GET"])
def list_team() -> dict:
    principal = _principal(Role.ADMIN)
    return {
        "recruiters": [identity.recruiter_view(r) for r in identity.list_team(principal.company_id)]
    }


# --- schedules --------------------------------------------------------------------------


@app.schedule(Rate(15, unit=Rate.MINUTES), name="reminder_sweep")
def reminder_sweep(event: CloudWatchEvent) -> dict:
    return reminders.sweep(utcnow(), source=event.source)


# --- interviews (recruiters) -----------------------------------------------------------


@route("/interviews", methods=["GET"])
def list_interviews() -> dict:
    principal = _principal()
    archived = (app.current_request.query_params or {}).get("archived") == "true"
    items = interviews.list_interviews(principal.company_id, include_archived=archived)
    return {"interviews": [interviews.interview_view(i) for i in items]}


@route("/interviews", methods=["POST"])
def create_interview() -> Response:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "InterviewIn").model_dump()
    interview = interviews.create_interview(
        principal.company_id,
        body.pop("title"),
        body.pop("questions"),
        created_by=principal.user_id,
        rubric=body.pop("rubric"),
        **body,
    )
    return Response(interviews.interview_view(interview), status_code=201)


@route("/interviews/{interview_id}", methods=["GET"])
def get_interview(interview_id: str) -> dict:
    principal = _principal()
    return interviews.interview_view(interviews.get_interview(principal.company_id, interview_id))


@route("/interviews/{interview_id}", methods=["PUT"])
def update_interview(interview_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "InterviewIn").model_dump()
    interview = interviews.update_interview(principal.company_id, interview_id, body)
    return interviews.interview_view(interview)


@route("/interviews/{interview_id}/question-videos", methods=["POST"])
def question_video_upload(interview_id: str) -> Response:
    """A presigned POST for one question video, and the `video_key` to save on the question."""
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "QuestionVideoIn")
    upload = interviews.question_video_upload(principal.company_id, interview_id, body.mime_type)
    return Response(upload, status_code=201)


@route("/interviews/{interview_id}/duplicate", methods=["POST"])
def duplicate_interview(interview_id: str) -> Response:
    principal = _principal(Role.ADMIN)
    copy = interviews.duplicate_interview(principal.company_id, interview_id, principal.user_id)
    return Response(interviews.interview_view(copy), status_code=201)


@route("/interviews/{interview_id}/archive", methods=["POST"])
def archive_interview(interview_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    return interviews.interview_view(
        interviews.archive_interview(principal.company_id, interview_id)
    )


@route("/interviews/{interview_id}/apply-link", methods=["PUT"])
def set_apply_link(interview_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "ApplyLinkIn")
    interview = interviews.set_apply_link(
        principal.company_id, interview_id, body.enabled, body.cap
    )
    return interviews.interview_view(interview)


@route("/interviews/{interview_id}/settings", methods=["PUT"])
def interview_settings(interview_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "SettingsIn")
    interview = interviews.set_blind_review(principal.company_id, interview_id, body.blind_review)
    return interviews.interview_view(interview)


@route("/interviews/{interview_id}/analytics", methods=["GET"])
def interview_analytics(interview_id: str) -> dict:
    principal = _principal()
    return analytics.interview_analytics(principal.company_id, interview_id)


@route("/company/usage", methods=["GET"])
def company_usage() -> dict:
    principal = _principal(Role.ADMIN)
    months = _page_size({"limit": (app.current_request.query_params or {}).get("months", "6")})
    return {"months": activity.usage(principal.company_id, months)}


# --- invitations (recruiters) ----------------------------------------------------------


@route("/interviews/{interview_id}/invitations", methods=["POST"])
def invite(interview_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "InviteIn")
    interview = interviews.get_interview(principal.company_id, interview_id)
    company = identity.get_company(principal.company_id)
    return invitations.invite_many(company, interview, body.candidates, body.csv).to_dict()


@route("/interviews/{interview_id}/invitations", methods=["GET"])
def list_invitations(interview_id: str) -> dict:
    principal = _principal()
    params = app.current_request.query_params or {}
    interviews.get_interview(principal.company_id, interview_id)
    page, cursor = invitations.list_invitations(
        principal.company_id, interview_id, limit=_page_size(params), cursor=params.get("cursor")
    )
    return {"invitations": [invitations.invitation_view(i) for i in page], "next_cursor": cursor}


def _page_size(params: dict) -> int:
    try:
        return max(1, min(int(params.get("limit", "50")), 100))
    except ValueError:
        return 50


@route("/invitations/{invitation_id}/resend", methods=["POST"])
def resend_invitation(invitation_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    invitation = invitations.resend(principal.company_id, invitation_id)
    return invitations.invitation_view(invitation)


@route("/invitations/{invitation_id}/extend", methods=["POST"])
def extend_invitation(invitation_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "ExtendIn")
    invitation = invitations.extend(principal.company_id, invitation_id, body.days)
    return invitations.invitation_view(invitation)


@route("/invitations/{invitation_id}/revoke", methods=["POST"])
def revoke_invitation(invitation_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    return invitations.invitation_view(invitations.revoke(principal.company_id, invitation_id))


@route("/invitations/{invitation_id}", methods=["PATCH"])
def update_invitation(invitation_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "InvitationUpdate")
    invitation = invitations.set_time_multiplier(
        principal.company_id, invitation_id, body.time_multiplier
    )
    return invitations.invitation_view(invitation)


# --- review ----------------------------------------------------------------------------


@route("/interviews/{interview_id}/pipeline", methods=["GET"])
def pipeline(interview_id: str) -> dict:
    principal = _principal()
    params = app.current_request.query_params or {}
    return review.pipeline(
        principal,
        interview_id,
        status=params.get("status") or None,
        stage=params.get("stage") or None,
        min_score=_number(params.get("min_score")),
        limit=_page_size(params),
        cursor=params.get("cursor") or None,
    )


def _number(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise BadRequest("min_score must be a number.") from None


@route("/invitations/{invitation_id}", methods=["GET"])
def candidate_detail(invitation_id: str) -> dict:
    return review.detail(_principal(), invitation_id)


@route("/invitations/{invitation_id}/review", methods=["PUT"])
def save_review(invitation_id: str) -> dict:
    principal = _principal()
    body = parse_body(app.current_request, "ReviewIn")
    return review.save_review(
        principal,
        invitation_id,
        body.scores,
        recommendation=body.recommendation,
        note=body.note,
    )


@route("/invitations/{invitation_id}/comments", methods=["POST"])
def add_comment(invitation_id: str) -> Response:
    principal = _principal()
    body = parse_body(app.current_request, "CommentIn")
    comment = review.add_comment(principal, invitation_id, body.text)
    return Response(comment, status_code=201)


@route("/invitations/{invitation_id}/stage", methods=["POST"])
def set_stage(invitation_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "StageIn")
    invitation, notified = review.set_stage(
        principal, invitation_id, body.stage, body.tags, body.notify
    )
    return {**invitations.invitation_view(invitation), "notified": notified}


@route("/company/templates", methods=["GET"])
def get_templates() -> dict:
    principal = _principal()
    return decisions.templates(identity.get_company(principal.company_id))


@route("/company/templates", methods=["PUT"])
def put_templates() -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "TemplatesIn")
    return decisions.save_templates(principal.company_id, body.model_dump())


@route("/invitations/{invitation_id}/shares", methods=["POST"])
def create_share(invitation_id: str) -> Response:
    principal = _principal()
    body = parse_body(app.current_request, "ShareIn")
    link = shares.create(principal, invitation_id, body.expires_in_days, body.mask_name)
    return Response(link, status_code=201)


@route("/invitations/{invitation_id}/shares", methods=["GET"])
def list_shares(invitation_id: str) -> dict:
    return {"shares": shares.list_for(_principal(), invitation_id)}


@route("/shares/{share_id}", methods=["DELETE"])
def revoke_share(share_id: str) -> Response:
    shares.revoke(_principal(), share_id)
    return Response(body="", status_code=204)


@route("/shared", methods=["GET"])
def shared_candidate() -> dict:
    return shares.open_shared(app.current_request.headers.get("x-share-token", ""))


# --- candidates (invitation token) -----------------------------------------------------


def _token() -> str:
    return app.current_request.headers.get("x-invitation-token", "")


@route("/candidate/session", methods=["GET"])
def candidate_session() -> dict:
    return candidates.open_session(_token())


@route("/candidate/consent", methods=["POST"])
def candidate_consent() -> dict:
    parse_body(app.current_request, "ConsentIn")
    return candidates.consent(_token())


@route("/candidate/questions/{question_id}/attempts", methods=["POST"])
def candidate_start_attempt(question_id: str) -> Response:
    body = parse_body(app.current_request, "AttemptIn")
    return Response(
        candidates.start_attempt(_token(), question_id, body.mime_type), status_code=201
    )


@route("/candidate/questions/{question_id}/attempts/{attempt}/grant", methods=["POST"])
def candidate_renew_grant(question_id: str, attempt: str) -> dict:
    return candidates.renew_grant(_token(), question_id, _attempt_number(attempt))


@route("/candidate/questions/{question_id}/attempts/{attempt}/finalise", methods=["POST"])
def candidate_finalise(question_id: str, attempt: str) -> dict:
    body = parse_body(app.current_request, "FinaliseIn")
    return candidates.finalise(_token(), question_id, _attempt_number(attempt), body.chunks)


def _attempt_number(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 1000:
        raise NotFound("That recording attempt does not exist. Reload the page to continue.")
    return int(value)


@route("/candidate/questions/{question_id}/text", methods=["PUT"])
def candidate_text(question_id: str) -> dict:
    body = parse_body(app.current_request, "TextAnswerIn")
    return candidates.save_text(_token(), question_id, body.text)


@route("/candidate/complete", methods=["POST"])
def candidate_complete() -> dict:
    return candidates.complete(_token())


@route("/candidate/feedback", methods=["POST"])
def candidate_feedback() -> dict:
    body = parse_body(app.current_request, "FeedbackIn")
    return candidates.feedback(_token(), body.rating, body.comment)


# --- public apply link -----------------------------------------------------------------


@route("/apply/{code}", methods=["GET"])
def apply_info(code: str) -> dict:
    interview = interviews.find_by_apply_code(code)
    company = identity.get_company(interview.company_id)
    return {
        "company": {
            "name": company.name,
            "brand_color": company.brand_color,
            "logo_url": company.logo_url,
        },
        "interview": {"title": interview.title, "role_description": interview.role_description},
        "open": True,
    }


@route("/apply/{code}", methods=["POST"])
def apply(code: str) -> Response:
    body = parse_body(app.current_request, "ApplyIn")
    interview = interviews.find_by_apply_code(code)
    company = identity.get_company(interview.company_id)
    invitations.apply(interview, company, body.name, str(body.email))
    return Response(
        {"message": "Check your email: we sent you a personal link to start the interview."},
        status_code=202,
    )


# --- reminders, integrations and compliance ---------------------------------------------

from chalice.app import Request, SQSEvent  # noqa: E402

from chalicelib.api import openapi  # noqa: E402
from chalicelib.domain import compliance, webhooks  # noqa: E402


def _audit_changes(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every successful recruiter change lands in the audit log (who, when, what)."""
    response = get_response(request)
    compliance.audit_request(request, response.status_code)
    return response


app.register_middleware(_audit_changes, "http")


@route("/interviews/{interview_id}/follow-up", methods=["PUT"])
def interview_follow_up(interview_id: str) -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "FollowUpIn")
    return reminders.set_interview_follow_up(
        principal.company_id, interview_id, body.reminder_hours, body.booking_url
    )


@route("/company/retention", methods=["PUT"])
def company_retention() -> dict:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "RetentionIn")
    return compliance.set_retention(principal, body.retention_days)


@route("/audit", methods=["GET"])
def audit_log() -> dict:
    principal = _principal(Role.ADMIN)
    params = app.current_request.query_params or {}
    return compliance.audit_page(
        principal.company_id, params.get("month"), _page_size(params), params.get("cursor")
    )


@route("/audit/export", methods=["GET"])
def audit_export() -> Response:
    principal = _principal(Role.ADMIN)
    month = (app.current_request.query_params or {}).get("month")
    return Response(
        compliance.audit_csv(principal.company_id, month),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="audit.csv"',
        },
    )


@route("/invitations/{invitation_id}", methods=["DELETE"])
def delete_candidate(invitation_id: str) -> Response:
    compliance.delete_candidate(_principal(Role.ADMIN), invitation_id)
    return Response(body="", status_code=204)


@route("/company/export", methods=["GET"])
def company_export() -> dict:
    return compliance.export_company(_principal(Role.ADMIN))


@route("/candidate/data", methods=["GET"])
def candidate_data() -> dict:
    return compliance.candidate_data(_token())


@route("/candidate/deletion-request", methods=["POST"])
def candidate_deletion_request() -> Response:
    return Response(compliance.request_deletion(_token()), status_code=202)


@route("/webhooks", methods=["POST"])
def create_webhook() -> Response:
    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, "WebhookIn")
    return Response(webhooks.create(principal, body.url, body.events), status_code=201)


@route("/webhooks", methods=["GET"])
def list_webhooks() -> dict:
    return {"webhooks": webhooks.list_for(_principal(Role.ADMIN))}


@route("/webhooks/{webhook_id}", methods=["DELETE"])
def delete_webhook(webhook_id: str) -> Response:
    webhooks.delete(_principal(Role.ADMIN), webhook_id)
    return Response(body="", status_code=204)


@route("/webhooks/deliveries", methods=["GET"])
def webhook_deliveries() -> dict:
    principal = _principal(Role.ADMIN)
    params = app.current_request.query_params or {}
    return webhooks.deliveries(principal, _page_size(params), params.get("cursor"))


@app.on_sqs_message(queue=webhooks.QUEUE_NAME, batch_size=1, name="webhook_delivery")
def webhook_delivery(event: SQSEvent) -> None:
    """POST each queued event; a failure raises so SQS redelivers it (then its DLQ)."""
    for record in event:
        attributes = record.to_dict().get("attributes") or {}
        webhooks.deliver(
            record.body, int(attributes.get("ApproximateReceiveCount", "1")), record.receipt_handle
        )


@route("/openapi.json", methods=["GET"])
def openapi_document() -> dict:
    return openapi.document(app.routes)
