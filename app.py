"""The HTTP API and scheduled handlers: parse, authorise, call chalicelib, respond."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from chalice.app import Chalice, CloudWatchEvent, ConvertToMiddleware, Rate

from chalicelib import identity, invitations, reminders
from chalicelib.auth import Principal, Role, authenticate
from chalicelib.http import errors_middleware, parse_body
from chalicelib.models import utcnow
from chalicelib.observability import logger, metrics, tracer

app = Chalice(app_name="oneway")
app.register_middleware(
    ConvertToMiddleware(
        logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    ),
    "http",
)
app.register_middleware(ConvertToMiddleware(tracer.capture_lambda_handler), "all")
app.register_middleware(ConvertToMiddleware(metrics.log_metrics), "all")
app.register_middleware(errors_middleware, "http")


def _principal(role: Role | None = None) -> Principal:
    return authenticate(app.current_request.headers, role)


@app.route("/health", methods=["GET"])
def health() -> dict:
    return {"status": "ok"}


# --- identity ---------------------------------------------------------------------------


@app.route("/auth/signup", methods=["POST"])
def sign_up() -> dict:
    from chalicelib.schemas import SignUp

    body = parse_body(app.current_request, SignUp)
    return identity.sign_up(body.company_name, body.name, body.email, body.password)


@app.route("/auth/signin", methods=["POST"])
def sign_in() -> dict:
    from chalicelib.schemas import SignIn

    body = parse_body(app.current_request, SignIn)
    return identity.sign_in(body.email, body.password).to_dict()


@app.route("/auth/refresh", methods=["POST"])
def refresh() -> dict:
    from chalicelib.schemas import Refresh

    body = parse_body(app.current_request, Refresh)
    return identity.refresh(body.refresh_token).to_dict()


@app.route("/me", methods=["GET"])
def me() -> dict:
    principal = _principal()
    recruiter = identity.get_recruiter(principal.company_id, principal.user_id)
    company = identity.get_company(principal.company_id)
    return {
        "recruiter": identity.recruiter_view(recruiter),
        "company": identity.company_view(company),
    }


@app.route("/company", methods=["PATCH"])
def update_company() -> dict:
    from chalicelib.schemas import CompanyUpdate

    principal = _principal(Role.ADMIN)
    body = parse_body(app.current_request, CompanyUpdate)
    company = identity.update_company(
        principal.company_id, body.name, body.brand_color, body.logo_url
    )
    return identity.company_view(company)


@app.route("/team", methods=["GET"])
def list_team() -> dict:
    principal = _principal(Role.ADMIN)
    return {
        "recruiters": [identity.recruiter_view(r) for r in identity.list_team(principal.company_id)]
    }


# --- candidates -------------------------------------------------------------------------


@app.route("/candidate/invitation", methods=["GET"])
def candidate_invitation() -> dict:
    token = app.current_request.headers.get("x-invitation-token", "")
    invitation = invitations.find_by_token(token)
    company = identity.get_company(invitation.company_id)
    return invitations.candidate_view(invitation, company)


# --- schedules --------------------------------------------------------------------------


@app.schedule(Rate(15, unit=Rate.MINUTES), name="reminder_sweep")
def reminder_sweep(event: CloudWatchEvent) -> dict:
    return reminders.sweep(utcnow(), source=event.source)
