"""Webhooks: signed event notifications to a company's own endpoints, through SQS.

An event is recorded as one `WebhookDelivery` per subscribed endpoint (the delivery log)
and queued; the queue's handler POSTs it with a timeout. A failure raises, after pushing
the message's next visibility out (10 s, 1 min, 5 min, 15 min), so SQS redelivers it with
backoff and, after `MAX_ATTEMPTS`, moves it to the dead-letter queue.

Each POST carries `X-Oneway-Signature: t=<unix seconds>,v1=<hex>`, the HMAC-SHA256 with the
endpoint's secret of `<t>.<body>`; a receiver recomputes it and may refuse a `t` older than
five minutes (`verify` does both). The secret is shown once (at creation and at rotation) and
stored sealed with KMS (`adapters.secrets`).

An endpoint must be https on a public host: registration refuses loopback, private,
link-local, CGNAT, multicast and reserved addresses (IPv4, IPv6, IPv4-mapped, numeric
shorthands such as `2130706433`) and names resolving to them. Delivery resolves the name
again, checks every address, and connects to the checked address itself, so a name that
re-resolves elsewhere (DNS rebinding) cannot redirect it; redirects are never followed. The
delivery log records coarse outcomes only ("connection failed", "HTTP 500"), so it cannot be
used to map what answers where. `ONEWAY_WEBHOOK_ALLOW_PRIVATE=1` lifts the address rule (and
allows http) for the local stack and tests, whose receivers listen on loopback.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import os
import re
import secrets
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.adapters import secrets as sealed_secrets
from chalicelib.adapters.aws import client
from chalicelib.config import ConfigError, get_settings
from chalicelib.data import cursor as page_cursor
from chalicelib.data import keys
from chalicelib.data.models import Webhook, WebhookDelivery, new_id, utcnow
from chalicelib.domain import activity
from chalicelib.domain.auth import Principal
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.observability import logger

EVENTS = (
    "invitation.created",
    "invitation.opened",
    "interview.completed",
    "candidate.stage_changed",
    "answer.failed",
    "accommodation.requested",
    "accommodation.decided",
)
PING = "ping"  # a test event an admin sends from the console; no endpoint subscribes to it
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


# --- where an endpoint may be ---------------------------------------------------------------


class TargetRefused(ValueError):
    """A webhook URL that is not https to a public host; the message says why."""


# A host written as numbers but not as a dotted quad (2130706433, 0x7f.1, 0177.0.0.1, 127.1):
# resolvers read these as addresses, so they are refused rather than guessed at.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*\.?$")

_HOST_NAME = re.compile(
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
)

Resolver = Callable[[str, int], list[str]]


def _resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as the operating system resolves it."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: str) -> bool:
    """Whether an address is on the public internet (IPv6 forms of IPv4 judged as IPv4)."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            ip = embedded
        elif ip in _NAT64:
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Target:
    """A checked endpoint: where to connect (the checked addresses) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


class NotResolved(TargetRefused):
    """The host name has no address (yet): nothing to connect to."""


def resolve_target(url: str, *, allow_private: bool, resolve: Resolver = _resolve) -> Target:
    """Check a webhook URL and resolve it; raises TargetRefused naming the problem.

    Every address the name has must be public: one private address among public ones is
    enough to refuse it (a resolver may hand out either).
    """
    try:
        parts = urlsplit(url.strip())
        port_given = parts.port
    except ValueError:
        raise TargetRefused("This is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (allow_private and scheme == "http"):
        raise TargetRefused("Webhook URLs must start with https://.")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("Webhook URLs must not contain a user name or password.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("This URL has no host name.")
    if port_given == 0:
        raise TargetRefused("This URL's port is not valid.")
    port = port_given or (443 if scheme == "https" else 80)
    addresses = _addresses(host, port, resolve)
    if not addresses:
        raise NotResolved(f"The host name {host} does not resolve.")
    if not allow_private and not all(is_public_address(a) for a in addresses):
        raise TargetRefused(
            "Webhook URLs must point to a public host, not a private, loopback, "
            "link-local or reserved address."
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port, path, tuple(addresses))


def _addresses(host: str, port: int, resolve: Resolver) -> list[str]:
    """The host itself when it is an IP address, else what its (well-formed) name resolves to."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [host]
    if _NUMERIC_HOST.match(host):
        raise TargetRefused("Write the host as a name or a standard IP address.")
    try:
        ascii_host = host.encode("idna").decode()
    except UnicodeError:
        ascii_host = ""
    if not ascii_host or len(ascii_host) > 253 or not _HOST_NAME.fullmatch(ascii_host):
        raise TargetRefused(f"{host} is not a valid host name.")
    try:
        return resolve(host, port)
    except (OSError, UnicodeError):
        return []


def _allow_private() -> bool:
    return get_settings().webhook_allow_private


def check_url(url: str) -> str:
    """A URL an admin may register (422 naming `url` if not)."""
    try:
        resolve_target(url, allow_private=_allow_private())
    except NotResolved:
        # Not in DNS yet (or a lookup failed): nothing it points at to judge. Accepted, as
        # every delivery resolves and checks it again before connecting.
        pass
    except TargetRefused as refused:
        raise InvalidInput(
            str(refused),
            details=[{"field": "url", "problem": "not_allowed", "message": str(refused)}],
        ) from None
    return url.strip()


# --- endpoints (admins) ---------------------------------------------------------------------


def _secret_context(company_id: str, webhook_id: str) -> dict[str, str]:
    return {"purpose": "webhook-secret", "company_id": company_id, "webhook_id": webhook_id}


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def create(principal: Principal, url: str, events: list[str]) -> tuple[Webhook, str]:
    """A new endpoint and its signing secret (returned this once; stored sealed)."""
    url = check_url(url)
    webhook_id = new_id()
    secret = _new_secret()
    hook = Webhook(
        *Webhook.key(principal.company_id, webhook_id),
        company_id=principal.company_id,
        webhook_id=webhook_id,
        url=url,
        sealed_secret=sealed_secrets.seal(
            secret, _secret_context(principal.company_id, webhook_id)
        ),
        events=set(events),
    )
    hook.save(condition=Webhook.pk.does_not_exist())
    activity.audit(
        principal.company_id, principal.user_id, "webhook.created", webhook_id, {"url": url}
    )
    return hook, secret


def rotate_secret(principal: Principal, webhook_id: str) -> tuple[Webhook, str]:
    """A new signing secret for an endpoint, returned this once; the old one stops at once."""
    hook = _get(principal.company_id, webhook_id)
    secret = _new_secret()
    try:
        hook.update(
            actions=[
                Webhook.sealed_secret.set(
                    sealed_secrets.seal(secret, _secret_context(hook.company_id, webhook_id))
                ),
                Webhook.secret.remove(),
            ],
            condition=Webhook.pk.exists(),
        )
    except UpdateError:
        raise NotFound("Webhook not found.") from None
    activity.audit(principal.company_id, principal.user_id, "webhook.secret_rotated", webhook_id)
    return hook, secret


def change_events(principal: Principal, webhook_id: str, events: list[str]) -> Webhook:
    """Choose again which events an endpoint receives; its URL and secret stay. Events
    already queued for it are still delivered."""
    hook = _get(principal.company_id, webhook_id)
    chosen = sorted(set(events))
    try:
        hook.update(actions=[Webhook.events.set(set(chosen))], condition=Webhook.pk.exists())
    except UpdateError:
        raise NotFound("Webhook not found.") from None
    activity.audit(
        principal.company_id,
        principal.user_id,
        "webhook.events_changed",
        webhook_id,
        {"events": chosen},
    )
    return hook


def _get(company_id: str, webhook_id: str) -> Webhook:
    try:
        return Webhook.get(*Webhook.key(company_id, webhook_id))
    except Webhook.DoesNotExist:
        raise NotFound("Webhook not found.") from None


def signing_secret(hook: Webhook) -> str:
    """The endpoint's secret, opened with KMS; an old plaintext one is sealed on first use."""
    context = _secret_context(hook.company_id, hook.webhook_id)
    if hook.sealed_secret:
        return sealed_secrets.unseal(hook.sealed_secret, context)
    if not hook.secret:
        raise ConfigError(f"webhook {hook.webhook_id} has no secret")
    plaintext = hook.secret
    try:
        hook.update(
            actions=[
                Webhook.sealed_secret.set(sealed_secrets.seal(plaintext, context)),
                Webhook.secret.remove(),
            ],
            condition=Webhook.secret == plaintext,
        )
    except UpdateError:
        logger.info("webhook secret changed meanwhile", extra={"webhook_id": hook.webhook_id})
    return plaintext


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
        _enqueue(queue_url, hook, event, data, now)
    return len(hooks)


def _enqueue(
    queue_url: str, hook: Webhook, event: str, data: dict[str, Any], now: datetime
) -> WebhookDelivery:
    """Log one delivery of `event` to `hook` and queue it for the delivery handler."""
    company_id = hook.company_id
    delivery_id = new_id()
    delivery = WebhookDelivery(
        *WebhookDelivery.key(company_id, delivery_id),
        company_id=company_id,
        delivery_id=delivery_id,
        webhook_id=hook.webhook_id,
        event=event,
    )
    delivery.save(condition=WebhookDelivery.pk.does_not_exist())
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
    return delivery


def send_test(principal: Principal, webhook_id: str) -> WebhookDelivery:
    """Queue a signed `ping` to one endpoint, delivered and retried like any event.

    An admin checks their receiver (reachable, verifying signatures) without waiting for a
    candidate; the delivery log shows the outcome. Sent whatever events the endpoint takes.
    """
    hook = _get(principal.company_id, webhook_id)
    queue_url = _queue_url()
    if not queue_url:
        raise ConfigError("WEBHOOKS_QUEUE_URL is not set")
    delivery = _enqueue(
        queue_url,
        hook,
        PING,
        {"webhook_id": webhook_id, "message": "A test event sent from the Oneway console."},
        utcnow(),
    )
    activity.audit(principal.company_id, principal.user_id, "webhook.tested", webhook_id)
    return delivery


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
    status, error = _post(
        hook, signing_secret(hook), message["payload"]["event"], message["delivery_id"], payload
    )
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


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a host name, connected to one address checked beforehand (never re-resolved)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a host name (its certificate checked), connected to one checked address."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _post(
    hook: Webhook, secret: str, event: str, delivery_id: str, payload: bytes
) -> tuple[int | None, str]:
    """POST once, without following redirects; the status and a coarse outcome for the log.

    The outcome never carries the system's error text (refused, unreachable, reset...):
    what a log shows must not tell an admin which internal ports answer.
    """
    try:
        target = resolve_target(hook.url, allow_private=_allow_private())
    except NotResolved:
        return None, "host name not resolved"
    except TargetRefused:
        return None, "address not allowed"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "oneway-webhooks/1",
        "X-Oneway-Event": event,
        "X-Oneway-Delivery": delivery_id,
        SIGNATURE_HEADER: sign(secret, int(time.time()), payload),
    }
    pinned = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    status: int | None = None
    outcome = "connection failed"
    for address in target.addresses[:4]:
        connection = pinned(target.host, target.port, address, TIMEOUT_SECONDS)
        try:
            connection.request("POST", target.path, body=payload, headers=headers)
            status = connection.getresponse().status
            break
        except (TimeoutError, ssl.SSLError, http.client.HTTPException) as error:
            outcome = _coarse(error)
            break
        except OSError:
            continue  # this address took no connection: try the next one it resolved to
        finally:
            connection.close()
    if status is None:
        return None, outcome
    if 200 <= status < 300:
        return status, ""
    if 300 <= status < 400:
        return status, f"HTTP {status} (redirects are not followed)"
    return status, f"HTTP {status}"


def _coarse(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ssl.SSLError):
        return "TLS handshake failed"
    return "invalid HTTP response"


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
