"""Request bodies become validated models or errors that name the field."""

import json

import pytest
from chalice.app import Request

from chalicelib.api.http import errors_middleware, parse_body
from chalicelib.api.schemas import CompanyUpdate, SignUp
from chalicelib.domain.errors import BadRequest, Conflict, InvalidInput


def _request(body: str | None) -> Request:
    event = {
        "multiValueQueryStringParameters": None,
        "headers": {"content-type": "application/json"},
        "pathParameters": None,
        "requestContext": {"httpMethod": "POST", "resourcePath": "/x"},
        "stageVariables": None,
        "body": body,
        "isBase64Encoded": False,
    }
    return Request(event)


def test_a_valid_body_becomes_a_model() -> None:
    body = parse_body(
        _request(
            json.dumps(
                {
                    "company_name": " Acme ",
                    "name": "Ada",
                    "email": "a@acme.io",
                    "password": "long enough pass",
                }
            )
        ),
        SignUp,
    )
    assert body.company_name == "Acme"


def test_strings_are_not_coerced_from_numbers() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_body(_request(json.dumps({"name": 7})), CompanyUpdate)
    assert caught.value.details[0]["field"] == "name"
    assert caught.value.details[0]["problem"] == "string_type"


def test_a_brand_color_must_be_a_hex_color() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_body(_request(json.dumps({"brand_color": "red"})), CompanyUpdate)
    assert caught.value.details[0]["field"] == "brand_color"


@pytest.mark.parametrize("body", [None, "", "   "])
def test_an_empty_body_is_a_bad_request(body: str | None) -> None:
    with pytest.raises(BadRequest):
        parse_body(_request(body), CompanyUpdate)


def test_the_middleware_turns_domain_errors_into_their_status_and_body() -> None:
    def fails(_request: Request) -> None:
        raise Conflict("Already there.", details=[{"field": "email"}])

    response = errors_middleware(_request("{}"), fails)
    assert response.status_code == 409
    assert response.body == {
        "error": "conflict",
        "message": "Already there.",
        "details": [{"field": "email"}],
    }


def test_the_middleware_hides_unexpected_exceptions() -> None:
    def crashes(_request: Request) -> None:
        raise KeyError("secret_internal_name")

    response = errors_middleware(_request("{}"), crashes)
    assert response.status_code == 500
    assert "secret_internal_name" not in json.dumps(response.body)
    assert response.body["error"] == "internal"
