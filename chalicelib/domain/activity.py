"""Side records of what happened: interview funnel counters, monthly usage, the audit log.

Counters are atomic ADDs made after the conditional transition they count has succeeded,
so each invitation moves each counter once. Usage also keeps the company's stored-now bytes
(up when media is stored, down when it is deleted), and prices each month with `costs`.
Audit events are append-only items, one partition per company and month, so an admin can
page through or export a month.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.models import AuditEvent, Company, Interview, Usage, new_id, utcnow
from chalicelib.domain import costs

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


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of `month` (yyyy-mm, UTC) and of the month after."""
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=UTC)
    after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, after


def month_hours(month: str) -> float:
    start, after = month_bounds(month)
    return (after - start).total_seconds() / 3600


def _hours_left(now: datetime) -> float:
    """Hours from `now` to the end of its month: how long a byte stored now counts this month."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return (month_bounds(month_of(now))[1] - now).total_seconds() / 3600


def _usage_actions(
    company_id: str,
    now: datetime,
    *,
    completed_interviews: int = 0,
    recorded_seconds: float = 0,
    stored_bytes: int = 0,
    deleted_bytes: int = 0,
    worker_seconds: float = 0,
    worker_runs: int = 0,
    emails: int = 0,
) -> tuple[Usage, list[Any]]:
    """The month's usage item and the ADDs that count these on it (only the non-zero ones)."""
    month = month_of(now)
    pk, sk = Usage.key(company_id, month)
    actions: list[Any] = [
        Usage.company_id.set(company_id),
        Usage.month.set(month),
        Usage.kind.set(Usage),
        Usage.created_at.set(Usage.created_at | now),
    ]
    adds: list[tuple[Any, float]] = [
        (Usage.completed_interviews, completed_interviews),
        (Usage.recorded_seconds, round(recorded_seconds, 3)),
        (Usage.stored_bytes, stored_bytes),
        (Usage.deleted_bytes, deleted_bytes),
        (Usage.worker_seconds, round(worker_seconds, 3)),
        (Usage.worker_runs, worker_runs),
        (Usage.emails, emails),
    ]
    byte_hours = round((stored_bytes - deleted_bytes) * _hours_left(now))
    if byte_hours:
        adds.append((Usage.stored_byte_hours, byte_hours))
    actions += [attribute.add(amount) for attribute, amount in adds if amount]
    return Usage(pk, sk), actions


def add_usage(
    company_id: str,
    *,
    completed_interviews: int = 0,
    recorded_seconds: float = 0,
    stored_bytes: int = 0,
    worker_seconds: float = 0,
    worker_runs: int = 0,
    emails: int = 0,
    when: datetime | None = None,
) -> None:
    """Count use on the company's month (one update); stored bytes also raise stored-now.

    Call it after the transition it counts succeeded, so a redelivery counts nothing twice.
    """
    now = when or utcnow()
    item, actions = _usage_actions(
        company_id,
        now,
        completed_interviews=completed_interviews,
        recorded_seconds=recorded_seconds,
        stored_bytes=stored_bytes,
        worker_seconds=worker_seconds,
        worker_runs=worker_runs,
        emails=emails,
    )
    item.update(actions=actions)
    if stored_bytes > 0:
        _change_stored_now(company_id, stored_bytes)


def count_email(company_id: str, count: int = 1, when: datetime | None = None) -> None:
    """Emails sent on the company's behalf (SES bills each one)."""
    if count > 0:
        add_usage(company_id, emails=count, when=when)


def media_deleted(company_id: str, deleted_bytes: int, when: datetime | None = None) -> None:
    """Media left the bucket: the month counts it and stored-now goes down (never below 0).

    Callers pass the bytes they actually deleted (listed before deleting), so a repeated
    purge finds nothing left and counts nothing.
    """
    if deleted_bytes <= 0:
        return
    now = when or utcnow()
    item, actions = _usage_actions(company_id, now, deleted_bytes=deleted_bytes)
    item.update(actions=actions)
    _change_stored_now(company_id, -deleted_bytes)


def _change_stored_now(company_id: str, delta: int) -> None:
    """ADD `delta` to the company's stored-now bytes; a decrement past zero leaves zero."""
    company = Company(*Company.key(company_id))
    condition = Company.pk.exists()
    if delta < 0:
        # Media stored before this counter existed may be deleted: never go negative.
        condition = condition & (Company.stored_bytes_now >= -delta)
    try:
        company.update(actions=[Company.stored_bytes_now.add(delta)], condition=condition)
    except UpdateError:
        if delta > 0:
            return  # the company is gone
        with contextlib.suppress(UpdateError):
            company.update(
                actions=[Company.stored_bytes_now.set(0)],
                condition=Company.pk.exists()
                & (Company.stored_bytes_now.does_not_exist() | (Company.stored_bytes_now < -delta)),
            )


def stored_now(company_id: str) -> int:
    """The company's media bytes in the bucket now (0 for a company that has none)."""
    try:
        company = Company.get(*Company.key(company_id), attributes_to_get=["stored_bytes_now"])
    except Company.DoesNotExist:
        return 0
    return max(0, int(company.stored_bytes_now or 0))


@dataclass(frozen=True)
class MonthUsage:
    """What a company used in one month, in the units its bill speaks, and its dollars."""

    month: str
    completed_interviews: int
    recorded_minutes: float
    stored_gb: float  # added this month
    deleted_gb: float
    stored_gb_months: float
    worker_seconds: float
    worker_runs: int
    emails: int
    consumption: costs.Consumption
    estimate: costs.Estimate


@dataclass(frozen=True)
class UsageReport:
    """The latest months, what is stored now, and the price list they were priced with."""

    months: list[MonthUsage]
    stored_now_bytes: int
    region: str  # the deployment's region
    prices: costs.PriceList
    arch: str

    @property
    def price_fallback(self) -> bool:
        return costs.is_fallback(self.region, self.prices)


def usage_report(company_id: str, months: int = 6, region: str | None = None) -> UsageReport:
    """The months with any use, newest first, each with its estimated AWS cost.

    A month's storage is its GB-months: bytes stored at its start (stored-now less what every
    later month added and deleted) for the whole month, plus the byte-hours of what it
    stored and deleted. The current month counts what is stored as kept to the month's end.
    """
    region = region if region is not None else get_settings().region
    prices = costs.prices_for(region)
    items = list(
        Usage.query(
            keys.company_pk(company_id),
            Usage.sk.startswith(keys.USAGE_PREFIX),
            scan_index_forward=False,
            limit=months,
        )
    )
    now_bytes = stored_now(company_id)
    later_net = 0  # bytes added less deleted in months after the one at hand
    priced: list[MonthUsage] = []
    for item in items:  # newest first
        added, deleted = int(item.stored_bytes or 0), int(item.deleted_bytes or 0)
        later_net += added - deleted
        opening = max(0, now_bytes - later_net)
        hours = month_hours(item.month)
        byte_hours = max(0.0, opening * hours + float(item.stored_byte_hours or 0))
        gb_months = byte_hours / hours / costs.GB
        consumption = costs.per_month(
            completed_interviews=int(item.completed_interviews or 0),
            recorded_seconds=float(item.recorded_seconds or 0),
            worker_seconds=float(item.worker_seconds or 0),
            worker_runs=int(item.worker_runs or 0),
            stored_bytes_added=added,
            stored_gb_months=gb_months,
            emails=int(item.emails or 0),
        )
        priced.append(
            MonthUsage(
                month=item.month,
                completed_interviews=int(item.completed_interviews or 0),
                recorded_minutes=round(float(item.recorded_seconds or 0) / 60, 1),
                stored_gb=round(added / costs.GB, 3),
                deleted_gb=round(deleted / costs.GB, 3),
                stored_gb_months=gb_months,
                worker_seconds=round(float(item.worker_seconds or 0), 1),
                worker_runs=int(item.worker_runs or 0),
                emails=int(item.emails or 0),
                consumption=consumption,
                estimate=costs.estimate(consumption, prices, costs.WORKER_ARCH),
            )
        )
    return UsageReport(
        months=priced,
        stored_now_bytes=now_bytes,
        region=region,
        prices=prices,
        arch=costs.WORKER_ARCH,
    )


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
