"""Webhooks: signed event notifications to a company's own endpoints, through SQS.

An event is recorded as one `WebhookDelivery` per subscribed endpoint (the delivery log)
and queued; the queue's handler POSTs it with a timeout. A failure raises, after pushing
the message's next visibility out (10 s, 1 min, 5 min, 15 min), so SQS redelivers it with
backoff and, after `MAX_ATTEMPTS`, moves it to the dead-letter queue.

Each POST carries `X-Oneway-Signature: t=<unix seconds>,v1=<hex>`, the HMAC-SHA256 with the
endpoint's secret of `<t>.<body>`; a receiver recomputes it and may refuse a `t` older than
five minutes (`verify` does both).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.adapters.aws import client
from chalicelib.config import ConfigError, get_settings
from chalicelib.data import cursor as page_cursor
from chalicelib.data import keys
from chalicelib.data.models import Webhook, WebhookDelivery, new_id, utcnow
from chalicelib.domain import activity
from chalicelib.domain.auth import Principal
from chalicelib.domain.errors import NotFound
from chalicelib.observability import logger

EVENTS = (
    "invitation.created",
    "invitation.opened",
    "interview.completed",
    "candidate.stage_changed",
    "answer.failed",
)
SIGNATURE_HEADER = "X-Oneway-Signature"
TOLERANCE_SECONDS = 300
TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 5  # the queue's maxReceiveCount: then the dead-letter queue
BACKOFF_SECONDS = (10, 60, 300, 900)
QUEUE_NAME = "oneway-webhooks"  # the local stack's name; production wires the handler by ARN


class DeliveryFailed(RuntimeError):
    """The endpoint did not take the event; raised so SQS delivers it again."""


# --- signatures -----------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """What a receiver does: check the signature, refuse replays older than five minutes."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- endpoints (admins) ---------------------------------------------------------------------


def create(principal: Principal, url: str, events: list[str]) -> Webhook:
    """A new endpoint and its signing secret (the API shows the secret this once)."""
    webhook_id = new_id()
    hook = Webhook(
        *Webhook.key(principal.company_id, webhook_id),
        company_id=principal.company_id,
        webhook_id=webhook_id,
        url=url,
        secret="whsec_" + secrets.token_urlsafe(32),
        events=set(events),
    )
    hook.save(condition=Webhook.pk.does_not_exist())
    activity.audit(
        principal.company_id, principal.user_id, "webhook.created", webhook_id, {"url": url}
    )
    return hook


# Within `one_read_of_endpoints()`, a company's endpoints are read once, not per event.
_endpoints_read: ContextVar[dict[str, list[Webhook]] | None] = ContextVar(
    "endpoints_read", default=None
)


@contextmanager
def one_read_of_endpoints() -> Iterator[None]:
    """For work that emits many events at once (a 1000-row invite): one Query, not 1000."""
    token = _endpoints_read.set({})
    try:
        yield
    finally:
        _endpoints_read.reset(token)


def _hooks(company_id: str) -> list[Webhook]:
    cache = _endpoints_read.get()
    if cache is not None and company_id in cache:
        return cache[company_id]
    hooks = list(
        Webhook.query(keys.company_pk(company_id), Webhook.sk.startswith(keys.WEBHOOK_PREFIX))
    )
    if cache is not None:
        cache[company_id] = hooks
    return hooks


def list_for(principal: Principal) -> list[Webhook]:
    return _hooks(principal.company_id)


def delete(principal: Principal, webhook_id: str) -> None:
    hook = Webhook(*Webhook.key(principal.company_id, webhook_id))
    try:
        hook.delete(condition=Webhook.pk.exists())
    except DeleteError:
        raise NotFound("Webhook not found.") from None
    activity.audit(principal.company_id, principal.user_id, "webhook.deleted", webhook_id)


def deliveries(
    principal: Principal, limit: int = 50, cursor: str | None = None
) -> tuple[list[WebhookDelivery], str | None]:
    """The delivery log, newest first: one Query on the company's delivery partition."""
    pk = keys.deliveries_pk(principal.company_id)
    kwargs: dict[str, Any] = {"limit": limit, "scan_index_forward": False}
    start = page_cursor.decode(cursor, attributes=("pk", "sk"), fixed={"pk": pk})
    if start:
        kwargs["last_evaluated_key"] = start
    results = WebhookDelivery.query(pk, **kwargs)
    rows = list(results)
    return rows, page_cursor.encode(results.last_evaluated_key)


# --- events ---------------------------------------------------------------------------------


def _queue_url() -> str | None:
    try:
        return get_settings().webhooks_queue_url
    except ConfigError:
        # The media worker carries only the settings it needs (it reports answer.failed).
        return os.environ.get("WEBHOOKS_QUEUE_URL") or None


def emit(company_id: str, event: str, data: dict[str, Any]) -> int:
    """Queue `event` for each endpoint subscribed to it; returns how many.

    Called after the change it reports has been stored: a queue outage is logged, never
    undoes or fails the change itself.
    """
    queue_url = _queue_url()
    if not queue_url:
        return 0
    hooks = [h for h in _hooks(company_id) if h.active and event in (h.events or set())]
    now = utcnow()
    for hook in hooks:
        delivery_id = new_id()
        WebhookDelivery(
            *WebhookDelivery.key(company_id, delivery_id),
            company_id=company_id,
            delivery_id=delivery_id,
            webhook_id=hook.webhook_id,
            event=event,
        ).save(condition=WebhookDelivery.pk.does_not_exist())
        message = {
            "company_id": company_id,
            "webhook_id": hook.webhook_id,
            "delivery_id": delivery_id,
            "payload": {
                "id": delivery_id,
                "event": event,
                "created_at": now.isoformat(),
                "data": data,
            },
        }
        try:
            client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))
        except ClientError:
            logger.exception("webhook not queued", extra={"delivery_id": delivery_id})
    return len(hooks)


def invitation_data(invitation: Any, **extra: Any) -> dict[str, Any]:
    return {
        "invitation_id": invitation.invitation_id,
        "interview_id": invitation.interview_id,
        "candidate_name": invitation.candidate_name,
        "candidate_email": invitation.candidate_email,
        "status": invitation.status,
        "stage": invitation.stage,
        **extra,
    }


# --- delivery (the queue's handler) ---------------------------------------------------------


def _record(delivery: WebhookDelivery, actions: list[Any]) -> None:
    try:
        delivery.update(actions=actions, condition=WebhookDelivery.pk.exists())
    except UpdateError:
        logger.info("delivery log entry gone", extra={"delivery_id": delivery.delivery_id})


def deliver(body: str, receive_count: int, receipt_handle: str | None = None) -> str:
    """POST one queued event; raises DeliveryFailed to have SQS try again later."""
    message = json.loads(body)
    company_id = message["company_id"]
    delivery = WebhookDelivery(*WebhookDelivery.key(company_id, message["delivery_id"]))
    try:
        hook = Webhook.get(*Webhook.key(company_id, message["webhook_id"]))
    except Webhook.DoesNotExist:
        _record(
            delivery,
            [
                WebhookDelivery.status.set("failed"),
                WebhookDelivery.last_error.set("endpoint deleted"),
            ],
        )
        return "dropped"
    payload = json.dumps(message["payload"], separators=(",", ":")).encode()
    status, error = _post(hook, message["payload"]["event"], message["delivery_id"], payload)
    actions = [WebhookDelivery.attempts.set(receive_count)]
    if status is not None:
        actions.append(WebhookDelivery.last_status_code.set(status))
    if status is not None and 200 <= status < 300:
        _record(
            delivery,
            [
                *actions,
                WebhookDelivery.status.set("delivered"),
                WebhookDelivery.delivered_at.set(utcnow()),
                WebhookDelivery.last_error.remove(),
            ],
        )
        return "delivered"
    final = receive_count >= MAX_ATTEMPTS
    _record(
        delivery,
        [
            *actions,
            WebhookDelivery.status.set("failed" if final else "retrying"),
            WebhookDelivery.last_error.set(error or f"HTTP {status}"),
        ],
    )
    if receipt_handle:
        _back_off(receipt_handle, receive_count, final)
    raise DeliveryFailed(f"delivery {message['delivery_id']} attempt {receive_count}: {error}")


def _post(hook: Webhook, event: str, delivery_id: str, payload: bytes) -> tuple[int | None, str]:
    request = urllib.request.Request(  # noqa: S310 - the admin's own http(s) endpoint
        hook.url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "oneway-webhooks/1",
            "X-Oneway-Event": event,
            "X-Oneway-Delivery": delivery_id,
            SIGNATURE_HEADER: sign(hook.secret, int(time.time()), payload),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return None, type(error).__name__ + ": " + str(getattr(error, "reason", error))[:200]


def _back_off(receipt_handle: str, receive_count: int, final: bool) -> None:
    """Delay the next try; after the last one, let SQS move it to the DLQ at once."""
    queue_url = _queue_url()
    if not queue_url:
        return
    delay = 0 if final else BACKOFF_SECONDS[min(receive_count, len(BACKOFF_SECONDS)) - 1]
    try:
        client("sqs").change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay
        )
    except ClientError:
        logger.exception("could not delay the retry")
