"""Routes about the API itself: a health check and its OpenAPI document."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import openapi
from chalicelib.api.endpoint import Access, Call, endpoint

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/health", "GET", access=Access.PUBLIC)
def health(_call: Call) -> dict:
    return {"status": "ok"}


@endpoint(blueprint, "/openapi.json", "GET", access=Access.PUBLIC)
def openapi_document(_call: Call) -> dict:
    return openapi.document(blueprint.current_app.routes)
