"""The audit log as admins read it: one month a page at a time, or as a CSV download.

Every recruiter action (recorded by the HTTP layer's middleware) and every view of a
candidate's media is an `AuditEvent` (written by `activity.audit`), one partition per
company and month, so reading a month is one Query.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from chalicelib.data import cursor as page_cursor
from chalicelib.data import keys
from chalicelib.data.models import AuditEvent, utcnow
from chalicelib.domain.errors import InvalidInput

AUDIT_CSV_FIELDS = ("at", "actor", "action", "target", "detail")


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


def _event_view(event: AuditEvent) -> dict[str, Any]:
    detail = event.detail.as_dict() if event.detail is not None else None
    return {
        "at": keys.audit_time(event.sk),
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "detail": detail,
    }


def audit_page(
    company_id: str, month: str | None, limit: int = 100, cursor: str | None = None
) -> dict[str, Any]:
    """One page of a month's audit events, oldest first: one Query on the month partition."""
    month = _month(month)
    pk = keys.audit_pk(company_id, month)
    kwargs: dict[str, Any] = {"limit": limit}
    start = page_cursor.decode(cursor, attributes=("pk", "sk"), fixed={"pk": pk})
    if start:
        kwargs["last_evaluated_key"] = start
    results = AuditEvent.query(pk, **kwargs)
    events = [_event_view(e) for e in results]
    next_cursor = page_cursor.encode(results.last_evaluated_key)
    return {"month": month, "events": events, "next_cursor": next_cursor}


def audit_csv(company_id: str, month: str | None) -> str:
    month = _month(month)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_CSV_FIELDS)
    for event in AuditEvent.query(keys.audit_pk(company_id, month)):
        view = _event_view(event)
        detail = view["detail"]
        writer.writerow(
            [
                view["at"],
                view["actor"],
                view["action"],
                view["target"],
                ";".join(f"{k}={v}" for k, v in sorted((detail or {}).items())),
            ]
        )
    return out.getvalue()
