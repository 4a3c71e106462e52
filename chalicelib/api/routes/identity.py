"""Recruiters and their company: sign-up and sign-in, the profile, the team, usage."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api import views
from chalicelib.api.endpoint import Access, Audit, Call, Param, endpoint, schemas
from chalicelib.domain import activity, identity, logos
from chalicelib.domain.auth import Role

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/auth/signup", "POST", access=Access.PUBLIC, body=schemas.SignUp)
def sign_up(call: Call) -> dict:
    body = call.body
    return views.signed_up(
        identity.sign_up(body.company_name, body.name, body.email, body.password)
    )


@endpoint(blueprint, "/auth/signin", "POST", access=Access.PUBLIC, body=schemas.SignIn)
def sign_in(call: Call) -> dict:
    try:
        return views.tokens(identity.sign_in(call.body.email, call.body.password))
    except identity.NewPasswordRequired as challenge:
        return {"challenge": "NEW_PASSWORD_REQUIRED", "session": challenge.session}


@endpoint(blueprint, "/auth/new-password", "POST", access=Access.PUBLIC, body=schemas.NewPasswordIn)
def new_password(call: Call) -> dict:
    body = call.body
    return views.tokens(identity.set_new_password(body.email, body.session, body.new_password))


@endpoint(blueprint, "/auth/refresh", "POST", access=Access.PUBLIC, body=schemas.Refresh)
def refresh(call: Call) -> dict:
    return views.tokens(identity.refresh(call.body.refresh_token))


@endpoint(blueprint, "/me", "GET", access=Access.RECRUITER, api_keys=False)
def me(call: Call) -> dict:
    return views.profile(identity.profile(call.recruiter))


@endpoint(
    blueprint,
    "/company",
    "PATCH",
    access=Access.ADMIN,
    body=schemas.CompanyUpdate,
    audit=Audit.AUTO,
)
def update_company(call: Call) -> dict:
    body = call.body
    company = identity.update_company(call.recruiter.company_id, body.name, body.brand_color)
    return views.company(company)


@endpoint(
    blueprint,
    "/company/logo/upload",
    "POST",
    access=Access.ADMIN,
    body=schemas.LogoUploadIn,
    audit=Audit.AUTO,
    status=201,
)
def logo_upload(call: Call) -> dict:
    """A presigned POST for a logo image: PNG, JPEG or WebP, at most 512 KB."""
    body = call.body
    started = logos.start_upload(call.recruiter.company_id, body.content_type, body.size_bytes)
    return views.logo_upload(started)


@endpoint(
    blueprint, "/company/logo", "POST", access=Access.ADMIN, body=schemas.LogoIn, audit=Audit.AUTO
)
def logo_finalise(call: Call) -> dict:
    """The uploaded image, checked by its bytes, becomes the company's logo."""
    return views.company(logos.finalise(call.recruiter.company_id, call.body.logo_id))


@endpoint(blueprint, "/company/logo", "DELETE", access=Access.ADMIN, audit=Audit.AUTO)
def logo_remove(call: Call) -> dict:
    """Candidates invited from now on see the company's name without a logo."""
    return views.company(logos.remove(call.recruiter.company_id))


@endpoint(blueprint, "/logos/{company_id}/{logo_id}", "GET", access=Access.PUBLIC)
def logo_image(call: Call, company_id: str, logo_id: str) -> Response:
    """A company's logo: a redirect to a short-lived link to the (private) image."""
    return Response(
        body="",
        status_code=302,
        headers={
            "Location": logos.public_url(company_id, logo_id),
            "Cache-Control": f"private, max-age={logos.REDIRECT_MAX_AGE}",
        },
    )


@endpoint(
    blueprint,
    "/team",
    "POST",
    access=Access.ADMIN,
    body=schemas.TeamMemberIn,
    audit=Audit.SELF,
    status=201,
    api_keys=False,
)
def invite_recruiter(call: Call) -> dict:
    body = call.body
    recruiter = identity.invite_recruiter(
        call.recruiter, str(body.email), body.name, Role(body.role)
    )
    return views.recruiter(recruiter)


@endpoint(
    blueprint,
    "/team/{user_id}",
    "DELETE",
    access=Access.ADMIN,
    audit=Audit.SELF,
    status=204,
    api_keys=False,
)
def remove_recruiter(call: Call, user_id: str) -> None:
    principal = call.recruiter
    identity.remove_recruiter(principal.company_id, user_id, principal.user_id)


@endpoint(
    blueprint,
    "/team/{user_id}",
    "PATCH",
    access=Access.ADMIN,
    body=schemas.TeamRoleIn,
    audit=Audit.SELF,
    api_keys=False,
)
def change_role(call: Call, user_id: str) -> dict:
    """Make a colleague an admin or a reviewer (applies to their next request)."""
    principal = call.recruiter
    recruiter = identity.change_role(
        principal.company_id, user_id, Role(call.body.role), principal.user_id
    )
    return views.recruiter(recruiter)


@endpoint(blueprint, "/team", "GET", access=Access.ADMIN, api_keys=False)
def list_team(call: Call) -> dict:
    team = identity.list_team(call.recruiter.company_id)
    return {"recruiters": [views.recruiter(r) for r in team]}


@endpoint(
    blueprint,
    "/company/usage",
    "GET",
    access=Access.ADMIN,
    query={"months": Param("integer", "How many months back (6 unless given).", 1, 100)},
)
def company_usage(call: Call) -> dict:
    """Usage per month with its estimated AWS cost in USD, and the media stored now."""
    report = activity.usage_report(call.recruiter.company_id, call.page_size("months", "6"))
    return views.usage_report(report)
