"""API keys: machine access for an ATS or a script, on the same routes a recruiter calls.

A key is `ow_live_<key_id>_<secret>`: 16 hex characters that name its item, then 256 random
bits. It is shown once, when created; the table keeps only the SHA-256 of the whole key (a
fast hash suffices for a secret with 256 bits of entropy: there is nothing to guess), and
compares it in constant time. Every call reads the key's item by its id, one strongly
consistent GetItem, so a revocation bites on the very next call; nothing is cached.

A key acts as an admin of its company: a `read` key on GET routes only, a `read-write` key
on every admin route except the team and the keys themselves, which stay with people (a
leaked key must not mint another or let someone in). What a key changes is audited as done by
it (actor `apikey:<key_id>`, shown as "API key <name>"); its use is recorded at most once an
hour per key (`api_key.used` with `last_used_at`, in one transaction), so a busy integration
does not flood the audit log. Creating and revoking keys are audited too.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from pynamodb.exceptions import TransactWriteError

from chalicelib.data import keys
from chalicelib.data.models import ApiKey, utcnow
from chalicelib.data.transactions import transact_write
from chalicelib.domain import activity
from chalicelib.domain.errors import Forbidden, NotFound, Unauthenticated
from chalicelib.domain.links import hash_token
from chalicelib.observability import logger

PREFIX = "ow_"  # every key starts so; a Cognito ID token (a JWT) never does
_LIVE = "ow_live_"
_SHAPE = re.compile(r"ow_live_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
READ, READ_WRITE = "read", "read-write"
SCOPES = (READ, READ_WRITE)
ACTOR_PREFIX = "apikey:"
# How often a key's use reaches the audit log and its `last_used_at`, at most.
USE_RECORDED_EVERY = timedelta(hours=1)


class Admin(Protocol):
    """The admin creating or revoking a key (an `auth.Principal`)."""

    @property
    def company_id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def key_scope(self) -> str | None: ...


def actor(key_id: str) -> str:
    """The audit log's actor for what a key does."""
    return f"{ACTOR_PREFIX}{key_id}"


def actor_name(name: str) -> str:
    """How a key is named where a person's name would be (audit log, comments)."""
    return f"API key {name}"


def visible_prefix(key_id: str) -> str:
    """The start of the key, enough to tell keys apart; not a secret."""
    return f"{_LIVE}{key_id}"


def _people_only(admin: Admin) -> None:
    if admin.key_scope is not None:
        raise Forbidden("API keys cannot manage API keys: an admin does that in the console.")


# --- admins: create, list, revoke ------------------------------------------------------------


def create(admin: Admin, name: str, scope: str) -> tuple[ApiKey, str]:
    """A new key and its value, returned this once (only its hash is stored)."""
    _people_only(admin)
    if scope not in SCOPES:
        raise ValueError(scope)  # the request schema allows only these
    key_id = secrets.token_hex(8)
    value = f"{_LIVE}{key_id}_{secrets.token_urlsafe(32)}"
    now = utcnow()
    item = ApiKey(
        *ApiKey.key(key_id),
        company_id=admin.company_id,
        key_id=key_id,
        name=name,
        scope=scope,
        secret_hash=hash_token(value),
        created_by=admin.user_id,
        created_by_name=admin.name or admin.email,
        created_by_email=admin.email,
        created_at=now,
        gsi1pk=keys.api_keys_gsi1pk(admin.company_id),
        gsi1sk=keys.api_key_child_sk(now, key_id),
    )
    detail = {"name": name, "scope": scope}
    with transact_write() as transaction:
        # 64 random bits: a clash is as good as impossible, and refused if it ever happens.
        transaction.save(item, condition=ApiKey.pk.does_not_exist())
        transaction.save(
            activity.audit_event(admin.company_id, admin.user_id, "api_key.created", key_id, detail)
        )
    return item, value


def list_for(company_id: str) -> list[ApiKey]:
    """The company's keys, newest first, revoked ones included: one Query on `by_parent`."""
    return list(ApiKey.by_parent.query(keys.api_keys_gsi1pk(company_id), scan_index_forward=False))


def revoke(admin: Admin, key_id: str) -> ApiKey:
    """Revoke a key of the admin's company; it stops working on its next call.

    Revoking a revoked key changes nothing (and audits nothing); another company's key, or
    one that never was, is not found.
    """
    _people_only(admin)
    now = utcnow()
    if not re.fullmatch(r"[0-9a-f]{16}", key_id):
        raise NotFound("API key not found.")
    item = ApiKey(*ApiKey.key(key_id))
    try:
        with transact_write() as transaction:
            transaction.update(
                item,
                actions=[ApiKey.revoked_at.set(now), ApiKey.revoked_by.set(admin.user_id)],
                condition=(ApiKey.company_id == admin.company_id)
                & ApiKey.revoked_at.does_not_exist(),
            )
            transaction.save(
                activity.audit_event(admin.company_id, admin.user_id, "api_key.revoked", key_id)
            )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        current = _read(key_id)
        if current is None or current.company_id != admin.company_id:
            raise NotFound("API key not found.") from None
        return current  # revoked already
    revoked = _read(key_id)
    if revoked is None:  # deleted meanwhile: nothing in this code deletes keys
        raise NotFound("API key not found.")
    return revoked


def _read(key_id: str) -> ApiKey | None:
    try:
        return ApiKey.get(*ApiKey.key(key_id), consistent_read=True)
    except ApiKey.DoesNotExist:
        return None


# --- every call made with a key --------------------------------------------------------------


def verify(value: str, *, writes: bool, keys_allowed: bool) -> ApiKey:
    """The key behind a bearer value, allowed on this route; 401 or 403 in words otherwise.

    `writes`: the route changes something (a `read` key may not); `keys_allowed`: False on
    routes that stay human-only.
    """
    not_valid = Unauthenticated(
        "This API key is not valid. Check that it was copied whole, or ask an admin for a new one.",
        details=[{"field": "authorization", "problem": "api_key_invalid"}],
    )
    shape = _SHAPE.fullmatch(value)
    if shape is None:
        raise not_valid
    key = _read(shape.group(1))
    if key is None or not hmac.compare_digest(key.secret_hash, hash_token(value)):
        raise not_valid
    if key.revoked_at is not None:
        raise Unauthenticated(
            f"This API key ({key.name}) was revoked on {key.revoked_at:%Y-%m-%d %H:%M} UTC. "
            "Ask an admin for a new key.",
            details=[{"field": "authorization", "problem": "api_key_revoked"}],
        )
    if not keys_allowed:
        raise Forbidden(
            "An API key cannot do this: the team, API keys, share links and company exports "
            "are for people signed in to the console.",
            details=[{"field": "authorization", "problem": "people_only"}],
        )
    if writes and key.scope != READ_WRITE:
        raise Forbidden(
            f'This API key ({key.name}) has the "{key.scope}" scope: it can read (GET) but not '
            'make changes. Ask an admin for a "read-write" key.',
            details=[{"field": "authorization", "problem": "scope", "message": key.scope}],
        )
    _record_use(key, utcnow())
    return key


def _record_use(key: ApiKey, now: datetime) -> None:
    """`last_used_at` and an `api_key.used` event, at most once an hour per key.

    The condition makes concurrent first calls of the hour record it once; a refused
    condition means another call just did.
    """
    due = now - USE_RECORDED_EVERY
    if key.last_used_at is not None and key.last_used_at > due:
        return
    try:
        with transact_write() as transaction:
            transaction.update(
                ApiKey(*ApiKey.key(key.key_id)),
                actions=[ApiKey.last_used_at.set(now)],
                condition=ApiKey.last_used_at.does_not_exist() | (ApiKey.last_used_at <= due),
            )
            transaction.save(
                activity.audit_event(
                    key.company_id,
                    actor(key.key_id),
                    "api_key.used",
                    key.key_id,
                    {"name": key.name, "scope": key.scope},
                )
            )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        logger.info("api key use recorded by another call", extra={"key_id": key.key_id})
        return
    key.last_used_at = now


def names(company_id: str) -> dict[str, str]:
    """Audit actor → "API key <name>" for the company's keys (for an audit log in words)."""
    return {actor(key.key_id): actor_name(key.name) for key in list_for(company_id)}
