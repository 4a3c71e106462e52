"""Side records of what happened: interview funnel counters, monthly usage, the audit log.

Counters are atomic ADDs made after the conditional transition they count has succeeded,
so each invitation moves each counter once. Audit events are append-only items, one
partition per company and month, so an admin can page through or export a month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.data import keys
from chalicelib.data.models import AuditEvent, Interview, Usage, new_id, utcnow

COUNTERS = ("invited", "opened", "started", "completed", "revoked", "expired")


def bump(company_id: str, interview_id: str, counter: str) -> None:
    """Count one invitation reaching `counter` on its interview."""
    if counter not in COUNTERS:
        raise ValueError(counter)
    pk, sk = Interview.key(company_id, interview_id)
    Interview(pk, sk).update(
        actions=[getattr(Interview, f"count_{counter}").add(1)],
        condition=Interview.pk.exists(),
    )


def month_of(when: datetime) -> str:
    return when.strftime("%Y-%m")


def add_usage(
    company_id: str,
    *,
    completed_interviews: int = 0,
    recorded_seconds: float = 0,
    stored_bytes: int = 0,
    when: datetime | None = None,
) -> None:
    now = when or utcnow()
    month = month_of(now)
    pk, sk = Usage.key(company_id, month)
    Usage(pk, sk).update(
        actions=[
            Usage.company_id.set(company_id),
            Usage.month.set(month),
            Usage.kind.set(Usage),
            Usage.created_at.set(Usage.created_at | now),
            Usage.completed_interviews.add(completed_interviews),
            Usage.recorded_seconds.add(round(recorded_seconds, 3)),
            Usage.stored_bytes.add(stored_bytes),
        ]
    )


@dataclass(frozen=True)
class MonthUsage:
    """What a company used in one month, in the units its bill speaks."""

    month: str
    completed_interviews: int
    recorded_minutes: float
    stored_gb: float


def usage(company_id: str, months: int = 6) -> list[MonthUsage]:
    """The latest `months` months with any use, newest first."""
    items = Usage.query(
        keys.company_pk(company_id),
        Usage.sk.startswith(keys.USAGE_PREFIX),
        scan_index_forward=False,
        limit=months,
    )
    return [
        MonthUsage(
            month=item.month,
            completed_interviews=int(item.completed_interviews),
            recorded_minutes=round(float(item.recorded_seconds) / 60, 1),
            stored_gb=round(float(item.stored_bytes) / 1024**3, 3),
        )
        for item in items
    ]


def audit(
    company_id: str, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Record who did or saw what (no tokens or media URLs go in `detail`)."""
    audit_event(company_id, actor, action, target, detail).save()


def audit_event(
    company_id: str, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> AuditEvent:
    """An audit item to save, alone or inside a transaction with the change it records."""
    now = utcnow()
    return AuditEvent(
        *AuditEvent.key(company_id, now, new_id()),
        company_id=company_id,
        actor=actor,
        action=action,
        target=target,
        detail=detail or None,
    )
