"""Webhook subscriptions and their delivery log, for a company's admins."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.endpoint import Access, Audit, Call, endpoint, schemas
from chalicelib.domain import webhooks

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/webhooks",
    "POST",
    access=Access.ADMIN,
    body=schemas.WebhookIn,
    audit=Audit.SELF,
    status=201,
)
def create_webhook(call: Call) -> dict:
    return webhooks.create(call.recruiter, call.body.url, call.body.events)


@endpoint(blueprint, "/webhooks", "GET", access=Access.ADMIN)
def list_webhooks(call: Call) -> dict:
    return {"webhooks": webhooks.list_for(call.recruiter)}


@endpoint(
    blueprint,
    "/webhooks/{webhook_id}",
    "DELETE",
    access=Access.ADMIN,
    audit=Audit.SELF,
    status=204,
)
def delete_webhook(call: Call, webhook_id: str) -> None:
    webhooks.delete(call.recruiter, webhook_id)


@endpoint(blueprint, "/webhooks/deliveries", "GET", access=Access.ADMIN)
def webhook_deliveries(call: Call) -> dict:
    return webhooks.deliveries(call.recruiter, call.page_size(), call.query.get("cursor"))
