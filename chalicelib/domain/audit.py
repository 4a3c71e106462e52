"""The audit log as admins read it: one month a page at a time, or the whole month.

Every recruiter action (recorded by the HTTP layer's middleware) and every view of a
candidate's media is an `AuditEvent` (written by `activity.audit`), one partition per
company and month, so reading a month is one Query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.data import cursor as page_cursor
from chalicelib.data import keys
from chalicelib.data.models import AuditEvent, utcnow
from chalicelib.domain.errors import InvalidInput


def _month(value: str | None) -> str:
    month = value or utcnow().strftime("%Y-%m")
    try:
        datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise InvalidInput(
            "month must look like 2026-11.",
            details=[{"field": "month", "problem": "format", "message": month}],
        ) from None
    return month


@dataclass(frozen=True)
class AuditPage:
    """A page of one month's events, and where the next page starts (None at the end)."""

    month: str
    events: list[AuditEvent]
    next_cursor: str | None


def audit_page(
    company_id: str, month: str | None, limit: int = 100, cursor: str | None = None
) -> AuditPage:
    """One page of a month's audit events, oldest first: one Query on the month partition."""
    month = _month(month)
    pk = keys.audit_pk(company_id, month)
    kwargs: dict[str, Any] = {"limit": limit}
    start = page_cursor.decode(cursor, attributes=("pk", "sk"), fixed={"pk": pk})
    if start:
        kwargs["last_evaluated_key"] = start
    results = AuditEvent.query(pk, **kwargs)
    events = list(results)
    return AuditPage(month, events, page_cursor.encode(results.last_evaluated_key))


def audit_month(company_id: str, month: str | None) -> list[AuditEvent]:
    """Every event of a month, oldest first (the CSV download)."""
    return list(AuditEvent.query(keys.audit_pk(company_id, _month(month))))


def event_time(event: AuditEvent) -> str:
    """When an event happened, as its ISO timestamp (kept in its sort key)."""
    return keys.audit_time(event.sk)
