"""Companies and their recruiters: sign-up, sign-in and token refresh through Cognito.

Cognito holds the passwords (we never see them at rest); DynamoDB holds the company and
the team. A recruiter's company id is a Cognito custom attribute (inside the verified ID
token); their role is their `Recruiter` item's, read on every request (`auth.verify_token`),
and mirrored in a Cognito group.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError
from pynamodb.exceptions import PutError

from chalicelib.adapters import email as mail
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.models import Company, Recruiter, new_id
from chalicelib.domain import activity
from chalicelib.domain.auth import Principal, Role
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from chalicelib.observability import logger, metrics

COMPANY_ATTRIBUTE = "custom:company_id"


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int


@dataclass(frozen=True)
class SignedUp:
    """A new company, its first admin, and that admin signed in."""

    company: Company
    recruiter: Recruiter
    tokens: Tokens


@dataclass(frozen=True)
class Profile:
    """The signed-in recruiter and their company, as the console shows them."""

    recruiter: Recruiter
    company: Company


def _cognito_error(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _address_refused() -> InvalidInput:
    return InvalidInput(
        "This email address cannot be used to sign in. Please use another one.",
        details=[
            {
                "field": "email",
                "problem": "refused",
                "message": "This address cannot be used to sign in.",
            }
        ],
    )


def create_recruiter(
    company_id: str, email: str, name: str, role: Role, password: str, *, temporary: bool = False
) -> Recruiter:
    """Create a Cognito user in the company's group and its Recruiter item.

    With `temporary`, the password must be changed at first sign-in (an invited colleague).
    """
    settings = get_settings()
    cognito = client("cognito-idp")
    email = email.strip().lower()
    try:
        user = cognito.admin_create_user(
            UserPoolId=settings.cognito_user_pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": name},
                {"Name": COMPANY_ATTRIBUTE, "Value": company_id},
            ],
            MessageAction="SUPPRESS",
        )["User"]
    except ParamValidationError:
        raise _address_refused() from None  # longer than Cognito's 128-character usernames
    except ClientError as error:
        if _cognito_error(error) == "UsernameExistsException":
            raise Conflict("An account with this email already exists. Sign in instead.") from None
        if _cognito_error(error) == "InvalidParameterException":
            raise _address_refused() from None
        raise
    user_id = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    try:
        cognito.admin_set_user_password(
            UserPoolId=settings.cognito_user_pool_id,
            Username=email,
            Password=password,
            Permanent=not temporary,
        )
    except ClientError as error:
        cognito.admin_delete_user(UserPoolId=settings.cognito_user_pool_id, Username=email)
        if _cognito_error(error) == "InvalidPasswordException":
            raise InvalidInput(
                "The password does not meet the password policy.",
                details=[
                    {
                        "field": "password",
                        "problem": "password_policy",
                        "message": error.response["Error"].get("Message", ""),
                    }
                ],
            ) from None
        raise
    cognito.admin_add_user_to_group(
        UserPoolId=settings.cognito_user_pool_id, Username=email, GroupName=role.value
    )
    pk, sk = Recruiter.key(company_id, user_id)
    recruiter = Recruiter(
        pk, sk, company_id=company_id, user_id=user_id, email=email, name=name, role=role.value
    )
    recruiter.save(condition=Recruiter.pk.does_not_exist())
    return recruiter


def sign_up(company_name: str, admin_name: str, email: str, password: str) -> SignedUp:
    """Create a company and its first admin, then sign the admin in."""
    company_id = new_id()
    pk, sk = Company.key(company_id)
    company = Company(pk, sk, company_id=company_id, name=company_name)
    try:
        company.save(condition=Company.pk.does_not_exist())
    except PutError as error:  # a 128-bit id collision would be a bug, not user error
        raise Conflict("Could not create the company, please try again.") from error
    try:
        recruiter = create_recruiter(company_id, email, admin_name, Role.ADMIN, password)
    except Exception:
        company.delete()  # no orphan company without an admin
        raise
    logger.info("company signed up", extra={"company_id": company_id})
    metrics.add_metric(name="CompanySignUps", unit="Count", value=1)
    return SignedUp(company, recruiter, sign_in(email, password))


def _auth(flow: str, parameters: dict[str, str]) -> Tokens:
    settings = get_settings()
    try:
        result = client("cognito-idp").initiate_auth(
            ClientId=settings.cognito_client_id, AuthFlow=flow, AuthParameters=parameters
        )
    except ClientError as error:
        if _cognito_error(error) in (
            "NotAuthorizedException",
            "UserNotFoundException",
            "UserNotConfirmedException",
            "PasswordResetRequiredException",
        ):
            raise Unauthenticated("The email or password is not right.") from None
        raise
    return _tokens(result)


def _tokens(result: dict[str, Any]) -> Tokens:
    auth = result.get("AuthenticationResult")
    if not auth:
        if result.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            raise NewPasswordRequired(result["Session"])
        raise Unauthenticated("This account needs attention before it can sign in.")
    return Tokens(
        id_token=auth["IdToken"],
        access_token=auth["AccessToken"],
        refresh_token=auth.get("RefreshToken"),
        expires_in=int(auth.get("ExpiresIn", 3600)),
    )


class NewPasswordRequired(Exception):
    """First sign-in with a temporary password: the person must choose their own."""

    def __init__(self, session: str) -> None:
        super().__init__("NEW_PASSWORD_REQUIRED")
        self.session = session


def set_new_password(email: str, session: str, new_password: str) -> Tokens:
    """Answer Cognito's new-password challenge and sign the person in."""
    settings = get_settings()
    expired = Unauthenticated("Your sign-in session expired. Sign in again.")
    try:
        result = client("cognito-idp").respond_to_auth_challenge(
            ClientId=settings.cognito_client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={"USERNAME": email.strip().lower(), "NEW_PASSWORD": new_password},
        )
    except ParamValidationError:
        raise expired from None  # not a session Cognito could have issued (too short, say)
    except ClientError as error:
        if _cognito_error(error) == "InvalidPasswordException":
            raise InvalidInput("The new password does not meet the password policy.") from None
        if _cognito_error(error) in (
            "NotAuthorizedException",
            "CodeMismatchException",
            "ExpiredCodeException",
            "InvalidParameterException",
            "ResourceNotFoundException",  # a session Cognito does not know
        ):
            raise expired from None
        raise
    return _tokens(result)


def invite_recruiter(principal: Principal, email: str, name: str, role: Role) -> Recruiter:
    """Add a colleague with a temporary password, sent to them by email by the admin."""
    admin = get_recruiter(principal.company_id, principal.user_id)
    temporary = secrets.token_urlsafe(12) + "-1a"
    recruiter = create_recruiter(admin.company_id, email, name, role, temporary, temporary=True)
    company = get_company(admin.company_id)
    message = mail.render(
        "team_invite",
        to=recruiter.email,
        name=name,
        inviter=admin.name,
        company_name=company.name,
        role=role.value,
        console_url=f"{get_settings().public_site_url}/console/",
        temporary_password=temporary,
    )
    mail.send(message)
    activity.audit(admin.company_id, admin.user_id, "team.invited", recruiter.user_id)
    return recruiter


def remove_recruiter(company_id: str, user_id: str, by_user_id: str) -> None:
    """Sign the person out everywhere, disable their login and drop them from the team."""
    if user_id == by_user_id:
        raise Conflict("You cannot remove yourself. Ask another admin.")
    recruiter = get_recruiter(company_id, user_id)
    settings = get_settings()
    cognito = client("cognito-idp")
    cognito.admin_user_global_sign_out(
        UserPoolId=settings.cognito_user_pool_id, Username=recruiter.email
    )
    cognito.admin_disable_user(UserPoolId=settings.cognito_user_pool_id, Username=recruiter.email)
    recruiter.delete()
    activity.audit(company_id, by_user_id, "team.removed", user_id)


def change_role(company_id: str, user_id: str, role: Role, by_user_id: str) -> Recruiter:
    """Make a colleague an admin or a reviewer; it applies to their very next request.

    The `Recruiter` item is what every request reads; the Cognito group follows it so the
    next token's claim agrees.
    """
    if user_id == by_user_id:
        raise Conflict("You cannot change your own role. Ask another admin.")
    recruiter = get_recruiter(company_id, user_id)
    if recruiter.role == role.value:
        return recruiter
    recruiter.update(actions=[Recruiter.role.set(role.value)], condition=Recruiter.pk.exists())
    settings = get_settings()
    cognito = client("cognito-idp")
    old = Role.REVIEWER if role is Role.ADMIN else Role.ADMIN
    cognito.admin_add_user_to_group(
        UserPoolId=settings.cognito_user_pool_id, Username=recruiter.email, GroupName=role.value
    )
    cognito.admin_remove_user_from_group(
        UserPoolId=settings.cognito_user_pool_id, Username=recruiter.email, GroupName=old.value
    )
    activity.audit(company_id, by_user_id, "team.role_changed", user_id, {"role": role.value})
    return recruiter


def sign_in(email: str, password: str) -> Tokens:
    return _auth("USER_PASSWORD_AUTH", {"USERNAME": email.strip().lower(), "PASSWORD": password})


def refresh(refresh_token: str) -> Tokens:
    try:
        return _auth("REFRESH_TOKEN_AUTH", {"REFRESH_TOKEN": refresh_token})
    except Unauthenticated:
        raise Unauthenticated("Your session has ended. Please sign in again.") from None


def get_company(company_id: str) -> Company:
    try:
        return Company.get(*Company.key(company_id))
    except Company.DoesNotExist:
        raise NotFound("Company not found.") from None


def get_recruiter(company_id: str, user_id: str) -> Recruiter:
    try:
        return Recruiter.get(*Recruiter.key(company_id, user_id))
    except Recruiter.DoesNotExist:
        raise NotFound("Recruiter not found.") from None


def profile(principal: Principal) -> Profile:
    """Who is signed in, and their company."""
    return Profile(
        get_recruiter(principal.company_id, principal.user_id), get_company(principal.company_id)
    )


def list_team(company_id: str) -> list[Recruiter]:
    """Everyone on the company's hiring team: one Query on the company partition."""
    return list(
        Recruiter.query(keys.company_pk(company_id), Recruiter.sk.startswith(keys.RECRUITER_PREFIX))
    )


def update_company(company_id: str, name: str | None, brand_color: str | None) -> Company:
    """Change the company's name and colour; only fields given are touched (the logo is
    uploaded: `chalicelib.domain.logos`)."""
    company = get_company(company_id)
    actions = []
    if name is not None:
        actions.append(Company.name.set(name))
    if brand_color is not None:
        actions.append(Company.brand_color.set(brand_color))
    if actions:
        company.update(actions=actions, condition=Company.pk.exists())
    return company
