"""Sign-up, sign-in, refresh and the verification every recruiter request goes through."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from moto.utilities.utils import load_resource

from chalicelib.adapters.aws import client
from tests.drivers.api import PASSWORD, Http, sign_up


def _private_key() -> Any:
    """moto's Cognito signing key: the key our stand-in Cognito really signs with."""
    jwk = load_resource("cognitoidp/resources/jwks-private.json")
    return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def _resign(token: str, **changes: Any) -> str:
    """The same claims with some changed, signed with the pool's own key (kid 'dummy')."""
    claims = {**_claims(token), **changes}
    return jwt.encode(claims, _private_key(), algorithm="RS256", headers={"kid": "dummy"})


def _add_reviewer(aws: dict[str, str], company_id: str, email: str) -> None:
    from chalicelib.domain.auth import Role
    from chalicelib.domain.identity import create_recruiter

    create_recruiter(company_id, email, "Rey Reviewer", Role.REVIEWER, PASSWORD)


def test_sign_up_creates_company_and_admin_who_can_call_the_api(http: Http) -> None:
    # GIVEN a new company signs up
    body = sign_up(http, email="Founder@Acme.example.com", company="Acme Ltd")
    # WHEN its admin asks who they are with the returned ID token
    status, me = http.call("GET", "/me", token=body["tokens"]["id_token"])
    # THEN the API knows the company and the admin role
    assert status == 200
    assert me["company"]["name"] == "Acme Ltd"
    assert me["company"]["company_id"] == body["company"]["company_id"]
    assert me["recruiter"] == {
        "user_id": body["recruiter"]["user_id"],
        "email": "founder@acme.example.com",
        "name": "Ada Admin",
        "role": "admin",
    }
    assert body["tokens"]["refresh_token"]


def test_signing_up_twice_with_one_email_is_a_conflict_and_keeps_one_company(
    http: Http, admin: dict
) -> None:
    status, body = http.call(
        "POST",
        "/auth/signup",
        {
            "company_name": "Other",
            "name": "X",
            "email": "ada@acme.example.com",
            "password": PASSWORD,
        },
    )
    assert status == 409
    assert body["error"] == "conflict"
    status, signed_in = http.call(
        "POST", "/auth/signin", {"email": "ada@acme.example.com", "password": PASSWORD}
    )
    me = http.call("GET", "/me", token=signed_in["id_token"])[1]
    assert me["company"]["name"] == "Acme"


def test_sign_in_with_the_right_password_returns_tokens_that_refresh(
    http: Http, admin: dict
) -> None:
    status, tokens = http.call(
        "POST", "/auth/signin", {"email": "ADA@acme.example.com", "password": PASSWORD}
    )
    assert status == 200
    assert _claims(tokens["id_token"])["token_use"] == "id"
    status, refreshed = http.call(
        "POST", "/auth/refresh", {"refresh_token": tokens["refresh_token"]}
    )
    assert status == 200
    assert http.call("GET", "/me", token=refreshed["id_token"])[0] == 200


def test_sign_in_with_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    http: Http, admin: dict
) -> None:
    wrong_password = http.call(
        "POST", "/auth/signin", {"email": "ada@acme.example.com", "password": "not it at all"}
    )
    unknown_user = http.call(
        "POST", "/auth/signin", {"email": "nobody@acme.example.com", "password": PASSWORD}
    )
    assert wrong_password[0] == unknown_user[0] == 401
    assert wrong_password[1] == unknown_user[1]
    assert wrong_password[1]["error"] == "unauthenticated"


def test_a_refresh_token_that_is_not_ours_is_refused(http: Http) -> None:
    status, body = http.call("POST", "/auth/refresh", {"refresh_token": "made-up"})
    assert status == 401
    assert body["message"] == "Your session has ended. Please sign in again."


def test_a_request_without_a_bearer_token_is_refused(http: Http) -> None:
    status, body = http.call("GET", "/me")
    assert status == 401
    assert body == {
        "error": "unauthenticated",
        "message": "Sign in to continue: this request needs a bearer token.",
        "details": [],
    }
    assert http.call("GET", "/me", headers={"Authorization": "Basic abc"})[0] == 401


def test_a_token_with_a_tampered_payload_is_refused(http: Http, admin: dict) -> None:
    # GIVEN a real ID token whose payload is changed to claim another company
    header, payload, signature = admin["tokens"]["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "==="))
    claims["custom:company_id"] = "SOMEONE-ELSES-COMPANY"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    # WHEN it is used, THEN the signature no longer matches
    status, body = http.call("GET", "/me", token=f"{header}.{forged_payload}.{signature}")
    assert status == 401
    assert body["error"] == "unauthenticated"


def test_an_expired_token_is_refused_with_a_sign_in_again_message(http: Http, admin: dict) -> None:
    past = int(time.time()) - 3600
    expired = _resign(admin["tokens"]["id_token"], iat=past - 3600, exp=past)
    status, body = http.call("GET", "/me", token=expired)
    assert status == 401
    assert body["message"] == "Your session has expired. Please sign in again."


def test_a_token_signed_with_alg_none_is_refused(http: Http, admin: dict) -> None:
    claims = _claims(admin["tokens"]["id_token"])
    unsigned = jwt.encode(claims, key=None, algorithm="none", headers={"kid": "dummy"})
    assert http.call("GET", "/me", token=unsigned)[0] == 401


def test_a_token_hmac_signed_with_the_public_key_is_refused(http: Http, admin: dict) -> None:
    # The classic algorithm-confusion attack: HS256 keyed with the published RSA key.
    public_jwk = json.dumps(load_resource("cognitoidp/resources/jwks-public.json")).encode()
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","kid":"dummy","typ":"JWT"}').rstrip(b"=")
    payload = admin["tokens"]["id_token"].split(".")[1].encode()
    signature = hmac.new(public_jwk, header + b"." + payload, hashlib.sha256).digest()
    token = b".".join([header, payload, base64.urlsafe_b64encode(signature).rstrip(b"=")])
    assert http.call("GET", "/me", token=token.decode())[0] == 401


def test_a_token_from_another_user_pool_is_refused(aws: dict[str, str], http: Http) -> None:
    # GIVEN a genuine token from a different Cognito pool (same signing keys in moto)
    from infra.local.provisioning import create_user_pool

    cognito = client("cognito-idp")
    pool_id, client_id = create_user_pool("someone-elses-pool")
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="eve@evil.example.com",
        UserAttributes=[{"Name": "custom:company_id", "Value": "X"}],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="eve@evil.example.com", Password=PASSWORD, Permanent=True
    )
    cognito.admin_add_user_to_group(
        UserPoolId=pool_id, Username="eve@evil.example.com", GroupName="admin"
    )
    token = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "eve@evil.example.com", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    # WHEN it calls our API, THEN issuer and audience do not match
    assert http.call("GET", "/me", token=token)[0] == 401


def test_an_access_token_is_not_accepted_in_place_of_an_id_token(http: Http, admin: dict) -> None:
    assert http.call("GET", "/me", token=admin["tokens"]["access_token"])[0] == 401


def test_a_token_for_another_app_client_is_refused(http: Http, admin: dict) -> None:
    token = _resign(admin["tokens"]["id_token"], aud="some-other-client")
    assert http.call("GET", "/me", token=token)[0] == 401


def test_a_reviewer_can_read_but_gets_403_on_admin_routes(
    aws: dict[str, str], http: Http, admin: dict
) -> None:
    # GIVEN a reviewer in the admin's company
    _add_reviewer(aws, admin["company"]["company_id"], "rey@acme.example.com")
    _, tokens = http.call(
        "POST", "/auth/signin", {"email": "rey@acme.example.com", "password": PASSWORD}
    )
    token = tokens["id_token"]
    # THEN they can see who they are
    status, me = http.call("GET", "/me", token=token)
    assert status == 200
    assert me["recruiter"]["role"] == "reviewer"
    # AND admin routes refuse them with 403, changing nothing
    status, body = http.call("PATCH", "/company", {"name": "Hijacked"}, token=token)
    assert status == 403
    assert body["error"] == "forbidden"
    assert http.call("GET", "/team", token=token)[0] == 403
    assert http.call("GET", "/me", token=token)[1]["company"]["name"] == "Acme"


def test_an_admin_sees_only_their_own_companys_team(
    aws: dict[str, str], http: Http, admin: dict
) -> None:
    other = sign_up(http, email="bo@globex.example.com", company="Globex")
    _add_reviewer(aws, admin["company"]["company_id"], "rey@acme.example.com")
    acme_team = http.call("GET", "/team", token=admin["tokens"]["id_token"])[1]["recruiters"]
    globex_team = http.call("GET", "/team", token=other["tokens"]["id_token"])[1]["recruiters"]
    assert sorted(r["email"] for r in acme_team) == [
        "ada@acme.example.com",
        "rey@acme.example.com",
    ]
    assert [r["email"] for r in globex_team] == ["bo@globex.example.com"]


def test_an_admin_updates_only_their_own_company(http: Http, admin: dict) -> None:
    other = sign_up(http, email="bo@globex.example.com", company="Globex")
    status, company = http.call(
        "PATCH",
        "/company",
        {"name": "Acme Group", "brand_color": "#123abc"},
        token=admin["tokens"]["id_token"],
    )
    assert status == 200
    assert company["name"] == "Acme Group"
    assert company["brand_color"] == "#123abc"
    other_me = http.call("GET", "/me", token=other["tokens"]["id_token"])[1]
    assert other_me["company"]["name"] == "Globex"


@pytest.mark.parametrize(
    ("payload", "field", "problem"),
    [
        (
            {"company_name": "A", "name": "B", "email": "a@b.example.com", "password": "short"},
            "password",
            "string_too_short",
        ),
        (
            {"company_name": "A", "name": "B", "email": "not-an-email", "password": PASSWORD},
            "email",
            "value_error",
        ),
        (
            {"company_name": 42, "name": "B", "email": "a@b.example.com", "password": PASSWORD},
            "company_name",
            "string_type",
        ),
        (
            {
                "company_name": "A",
                "name": "B",
                "email": "a@b.example.com",
                "password": PASSWORD,
                "role": "admin",
            },
            "role",
            "extra_forbidden",
        ),
        (
            {"name": "B", "email": "a@b.example.com", "password": PASSWORD},
            "company_name",
            "missing",
        ),
    ],
)
def test_sign_up_with_bad_fields_names_each_problem(
    http: Http, payload: dict, field: str, problem: str
) -> None:
    status, body = http.call("POST", "/auth/signup", payload)
    assert status == 422
    assert body["error"] == "invalid_input"
    assert {"field": field, "problem": problem} in [
        {"field": d["field"], "problem": d["problem"]} for d in body["details"]
    ]
