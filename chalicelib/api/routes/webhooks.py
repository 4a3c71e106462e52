"""Webhook subscriptions and their delivery log, for a company's admins."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.endpoint import PAGED, Access, Audit, Call, endpoint, schemas
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
    """Register an https endpoint on a public host; its signing secret is shown this once."""
    hook, secret = webhooks.create(call.recruiter, call.body.url, call.body.events)
    return views.webhook(hook, secret=secret)


@endpoint(
    blueprint,
    "/webhooks/{webhook_id}/rotate-secret",
    "POST",
    access=Access.ADMIN,
    audit=Audit.SELF,
)
def rotate_webhook_secret(call: Call, webhook_id: str) -> dict:
    """A new signing secret, shown this once; the old one stops signing at once."""
    hook, secret = webhooks.rotate_secret(call.recruiter, webhook_id)
    return views.webhook(hook, secret=secret)


@endpoint(
    blueprint,
    "/webhooks/{webhook_id}",
    "PATCH",
    access=Access.ADMIN,
    body=schemas.WebhookEventsIn,
    audit=Audit.SELF,
)
def change_webhook_events(call: Call, webhook_id: str) -> dict:
    """Choose again which events the endpoint receives; its URL and secret stay."""
    return views.webhook(webhooks.change_events(call.recruiter, webhook_id, call.body.events))


@endpoint(blueprint, "/webhooks", "GET", access=Access.ADMIN)
def list_webhooks(call: Call) -> dict:
    return {"webhooks": [views.webhook(hook) for hook in webhooks.list_for(call.recruiter)]}


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


@endpoint(blueprint, "/webhooks/deliveries", "GET", access=Access.ADMIN, query=PAGED)
def webhook_deliveries(call: Call) -> dict:
    page, cursor = webhooks.deliveries(call.recruiter, call.page_size(), call.query.get("cursor"))
    return {"deliveries": [views.delivery(d) for d in page], "next_cursor": cursor}


@endpoint(
    blueprint,
    "/webhooks/{webhook_id}/test",
    "POST",
    access=Access.ADMIN,
    audit=Audit.SELF,
    status=202,
)
def test_webhook(call: Call, webhook_id: str) -> dict:
    """Queue a signed `ping` to this endpoint; its outcome shows in the delivery log."""
    return views.delivery(webhooks.send_test(call.recruiter, webhook_id))
