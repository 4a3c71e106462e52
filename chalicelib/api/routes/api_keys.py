"""API keys for integrations: admins create, list and revoke them (people only, never a key)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.endpoint import Access, Audit, Call, endpoint, schemas
from chalicelib.domain import api_keys

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/api-keys",
    "POST",
    access=Access.ADMIN,
    body=schemas.ApiKeyIn,
    audit=Audit.SELF,
    status=201,
    api_keys=False,
)
def create_api_key(call: Call) -> dict:
    """Create a key with a scope (`read` or `read-write`); the key is shown this once."""
    item, value = api_keys.create(call.recruiter, call.body.name, call.body.scope)
    return views.api_key(item, value)


@endpoint(blueprint, "/api-keys", "GET", access=Access.ADMIN, api_keys=False)
def list_api_keys(call: Call) -> dict:
    """The company's keys, newest first, revoked ones included (never the keys themselves)."""
    return {"api_keys": [views.api_key(k) for k in api_keys.list_for(call.recruiter.company_id)]}


@endpoint(
    blueprint,
    "/api-keys/{key_id}",
    "DELETE",
    access=Access.ADMIN,
    audit=Audit.SELF,
    api_keys=False,
)
def revoke_api_key(call: Call, key_id: str) -> dict:
    """Revoke a key: its next call is refused. The key stays listed as revoked."""
    return views.api_key(api_keys.revoke(call.recruiter, key_id))
