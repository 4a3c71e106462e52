"""The OpenAPI document is served by the API and names exactly the routes the app has."""

from __future__ import annotations

import json
from pathlib import Path

import app as app_module
from chalicelib.api import openapi
from tests.drivers.api import Http

CHECKED_IN = Path(__file__).parents[2] / "docs" / "openapi.json"


def test_the_served_document_lists_every_route_and_nothing_else(http: Http) -> None:
    status, document = http.call("GET", "/openapi.json")
    assert status == 200
    documented = {(p, m.upper()) for p, ops in document["paths"].items() for m in ops}
    routed = {(p, m) for p, methods in app_module.app.routes.items() for m in methods}
    assert documented == routed
    # Every request body named by a handler is described, and the bearer routes say so
    for ops in document["paths"].values():
        for operation in ops.values():
            ref = operation.get("requestBody", {}).get("content", {})
            if ref:
                name = ref["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                assert name in document["components"]["schemas"]
    # An integration's API key is an alternative where it may call, with the scope it needs
    paths = document["paths"]
    assert paths["/interviews"]["get"]["security"] == [{"bearer": []}, {"apiKey": ["read"]}]
    assert paths["/interviews"]["post"]["security"] == [{"bearer": []}, {"apiKey": ["read-write"]}]
    assert paths["/api-keys"]["post"]["security"] == [{"bearer": []}]
    assert paths["/team"]["post"]["security"] == [{"bearer": []}]
    assert document["paths"]["/candidate/data"]["get"]["security"] == [{"invitationToken": []}]
    # Admin-only routes say so; a bearer scheme alone cannot tell them from a reviewer's
    assert document["paths"]["/webhooks"]["post"]["x-oneway-access"] == "admin"
    assert document["paths"]["/interviews"]["get"]["x-oneway-access"] == "recruiter"
    assert document["paths"]["/health"]["get"]["x-oneway-access"] == "public"


def test_the_checked_in_document_is_in_step_with_the_code() -> None:
    generated = openapi.document(app_module.app.routes)
    assert json.loads(CHECKED_IN.read_text()) == generated, (
        "docs/openapi.json is stale: python -m chalicelib.api.openapi > docs/openapi.json"
    )
