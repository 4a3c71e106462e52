"""Who is calling: a recruiter's Cognito ID token, verified, becomes a `Principal`.

Checked on every recruiter request: RS256 signature against the pool's JWKS (keys cached
across warm invocations), issuer, audience (our app client), `token_use == "id"`, expiry.
The company id comes only from the verified token, never from the request.

A valid token is not enough: the person must still be on the team. Each request reads their
`Recruiter` item (one GetItem by key), so removing someone ends their access at once and a
role change applies to their next request; the role is the item's, not the token's group
claim, which would lag until the token expires (up to an hour). No cache sits in between:
a warm Lambda holding membership for even a few seconds could serve a removed member.

An integration calls the same routes with an API key in the same header (`Bearer ow_…`):
`api_keys.verify` reads the key's item (one GetItem) and the key acts as an admin of its
company, read-only for a `read` key, never on the team or the keys themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.config import get_settings
from chalicelib.data.models import Recruiter
from chalicelib.domain import api_keys
from chalicelib.domain.errors import Forbidden, Unauthenticated

if TYPE_CHECKING:
    import jwt

# Small leeway for clock skew between Cognito and Lambda; expiry still bites within seconds.
_LEEWAY_SECONDS = 30
_JWKS_CACHE_SECONDS = 3600


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"


@dataclass(frozen=True)
class Principal:
    """A verified recruiter: everything a service needs to scope its queries."""

    company_id: str
    user_id: str
    email: str
    role: Role
    name: str = ""
    # Set when the caller is an API key (`domain.api_keys`): "read" or "read-write".
    key_scope: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_api_key(self) -> bool:
        return self.key_scope is not None


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    import jwt  # noqa: PLC0415 - PyJWT + cryptography cost ~0.2 s: only token checks pay

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=_JWKS_CACHE_SECONDS, timeout=5)


def reset_jwks_cache() -> None:
    _jwks_client.cache_clear()


def _role_from_groups(groups: Any) -> Role | None:
    if not isinstance(groups, list):
        return None
    if Role.ADMIN.value in groups:
        return Role.ADMIN
    if Role.REVIEWER.value in groups:
        return Role.REVIEWER
    return None


def verify_token(token: str) -> Principal:
    """Verify a Cognito ID token and return the recruiter it names; 401 on any doubt."""
    import jwt  # noqa: PLC0415 - PyJWT + cryptography cost ~0.2 s: candidate routes skip it

    settings = get_settings()
    refused = Unauthenticated("Your session is not valid. Please sign in again.")
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise refused
        signing_key = _jwks_client(settings.cognito_jwks_url).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            signing_key.key,
            algorithms=["RS256"],
            audience=settings.cognito_client_id,
            issuer=settings.cognito_issuer,
            leeway=_LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Your session has expired. Please sign in again.") from None
    except (jwt.PyJWTError, ValueError):
        raise refused from None
    if claims.get("token_use") != "id":
        raise refused
    company_id = claims.get("custom:company_id")
    if not company_id or _role_from_groups(claims.get("cognito:groups")) is None:
        raise refused
    member = _team_member(company_id, claims["sub"])
    return Principal(
        company_id=company_id,
        user_id=claims["sub"],
        email=claims.get("email", ""),
        role=member,
        name=claims.get("name") or claims.get("email", ""),
    )


def _team_member(company_id: str, user_id: str) -> Role:
    """The caller's current role on the team; 401 once they have been removed from it."""
    try:
        recruiter = Recruiter.get(*Recruiter.key(company_id, user_id))
    except Recruiter.DoesNotExist:
        raise Unauthenticated(
            "You are no longer on this company's hiring team. Ask an admin if this is a mistake."
        ) from None
    try:
        return Role(recruiter.role)
    except ValueError:
        raise Unauthenticated("Your session is not valid. Please sign in again.") from None


def authenticate(
    headers: Any, role: Role | None = None, *, writes: bool = False, keys_allowed: bool = True
) -> Principal:
    """The principal behind `Authorization: Bearer <id token or API key>`, at least `role`.

    An API key (`ow_…`) is checked against the route: `writes` for a change, which a read
    key may not make; `keys_allowed` False for what stays human-only (the team, the keys).
    """
    value = headers.get("authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Sign in to continue: this request needs a bearer token.")
    if token.strip().startswith(api_keys.PREFIX):
        key = api_keys.verify(token.strip(), writes=writes, keys_allowed=keys_allowed)
        principal = Principal(
            company_id=key.company_id,
            user_id=api_keys.actor(key.key_id),
            email=key.created_by_email,
            role=Role.ADMIN,
            name=api_keys.actor_name(key.name),
            key_scope=key.scope,
        )
    else:
        principal = verify_token(token.strip())
    if role is Role.ADMIN and not principal.is_admin:
        raise Forbidden("Only a company admin can do this.")
    return principal
