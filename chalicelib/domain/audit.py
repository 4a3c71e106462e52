"""The audit log as admins read it: a month or a date range, filtered, a page at a time.

Every recruiter action (recorded by the HTTP layer's middleware) and every view of a
candidate's media is an `AuditEvent` (written by `activity.audit`), one partition per
company and month, so reading a month is one Query; a date range is one Query per month,
narrowed by the sort key (the time) and filtered by who and what.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.data import cursor as page_cursor
from chalicelib.data import keys
from chalicelib.data.models import AuditEvent, utcnow
from chalicelib.domain import audit_words
from chalicelib.domain.errors import BadRequest, InvalidInput

# A range reads one partition per month: a year and a month at most, so a query stays bounded.
MAX_RANGE_DAYS = 400
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2199, 12, 31)
# The CSV download stops here rather than building an unbounded file in a Lambda's memory.
EXPORT_LIMIT = 50_000


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


def _day(name: str, value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{name} must be a date like 2026-11-30.",
            details=[{"field": name, "problem": "format", "message": value}],
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        # Nothing is logged outside these years; their arithmetic would overflow `date`.
        raise InvalidInput(
            f"{name} must be between {FIRST_DAY} and {LAST_DAY}.",
            details=[{"field": name, "problem": "out_of_range", "message": value}],
        )
    return day


@dataclass(frozen=True)
class AuditFilter:
    """Which events to read: a month or a date range (both ends included), who and what.

    `newest_first` reads the range backwards, as a log page shows it.
    """

    month: str | None = None
    since: str | None = None
    until: str | None = None
    actor: str | None = None
    action: str | None = None
    newest_first: bool = False

    def months(self) -> list[str]:
        """The month partitions to read, in reading order."""
        first, last = self.bounds()
        months, current = [], date(first.year, first.month, 1)
        while current <= last:
            months.append(current.strftime("%Y-%m"))
            current = (current + timedelta(days=32)).replace(day=1)
        return months[::-1] if self.newest_first else months

    def bounds(self) -> tuple[date, date]:
        """The first and last day read (the whole month when no range is given)."""
        if self.since is None and self.until is None:
            start = datetime.strptime(_month(self.month), "%Y-%m").date()
            return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        if self.month:
            raise InvalidInput(
                "Give a month or a date range, not both.",
                details=[{"field": "month", "problem": "conflict", "message": self.month}],
            )
        today = utcnow().date()
        last = _day("until", self.until) if self.until else today
        first = _day("since", self.since) if self.since else last - timedelta(days=30)
        if first > last:
            raise InvalidInput(
                "The range starts after it ends.",
                details=[{"field": "since", "problem": "after_until", "message": str(first)}],
            )
        if (last - first).days > MAX_RANGE_DAYS:
            raise InvalidInput(
                f"A range covers at most {MAX_RANGE_DAYS} days.",
                details=[{"field": "since", "problem": "too_long", "message": str(first)}],
            )
        return first, last

    def label(self) -> str:
        """What the page covers, for its heading and the export's file name."""
        if self.since is None and self.until is None:
            return _month(self.month)
        first, last = self.bounds()
        return f"{first.isoformat()}_{last.isoformat()}"


@dataclass(frozen=True)
class AuditPage:
    """A page of events, and where the next page starts (None at the end)."""

    month: str
    events: list[AuditEvent]
    next_cursor: str | None
    summaries: list[str] = field(default_factory=list)  # each event in words


def _conditions(wanted: AuditFilter) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "range_key_condition": AuditEvent.sk.between(*_sk_bounds(wanted)),
        "scan_index_forward": not wanted.newest_first,
    }
    condition = None
    if wanted.actor:
        condition = AuditEvent.actor == wanted.actor
    if wanted.action:
        by_action = AuditEvent.action == wanted.action
        condition = by_action if condition is None else condition & by_action
    if condition is not None:
        kwargs["filter_condition"] = condition
    return kwargs


def _start(wanted: AuditFilter, company_id: str, cursor: str | None) -> tuple[int, Any]:
    """Which month to read first and the start key within it (a cursor names both).

    A cursor naming any other partition (another company's, a month outside the range) or a
    time outside the range is refused as the single-partition lists refuse theirs (DynamoDB
    would refuse a start key outside the query's own bounds with an error of its own).
    """
    pks = [keys.audit_pk(company_id, month) for month in wanted.months()]
    if not cursor:
        return 0, None
    start = page_cursor.decode(cursor, attributes=("pk", "sk"))
    pk = start["pk"]["S"] if start else ""
    low, high = _sk_bounds(wanted)
    if pk not in pks or not low <= (start["sk"]["S"] if start else "") <= high:
        raise BadRequest(
            "The cursor is not valid: pass back the next_cursor of the previous page unchanged.",
            details=[{"field": "cursor", "problem": "invalid", "message": "not this list's"}],
        )
    return pks.index(pk), start


def _sk_bounds(wanted: AuditFilter) -> tuple[str, str]:
    """Sort keys start with the ISO time: a day's events sort between its date and the next's."""
    first, last = wanted.bounds()
    return first.isoformat(), (last + timedelta(days=1)).isoformat()


def audit_page(
    company_id: str,
    wanted: AuditFilter | str | None,
    limit: int = 100,
    cursor: str | None = None,
) -> AuditPage:
    """One page of events in reading order, filled across months until `limit` is reached."""
    if not isinstance(wanted, AuditFilter):
        wanted = AuditFilter(month=wanted)
    months = wanted.months()
    index, start = _start(wanted, company_id, cursor)
    conditions = _conditions(wanted)
    events: list[AuditEvent] = []
    next_cursor = None
    for position in range(index, len(months)):
        kwargs = {**conditions, "limit": limit - len(events)}
        if start is not None and position == index:
            kwargs["last_evaluated_key"] = start
        results = AuditEvent.query(keys.audit_pk(company_id, months[position]), **kwargs)
        events.extend(results)
        if len(events) >= limit:
            more = results.last_evaluated_key is not None or position < len(months) - 1
            last = events[-1]
            next_cursor = (
                page_cursor.encode({"pk": {"S": last.pk}, "sk": {"S": last.sk}}) if more else None
            )
            break
    return AuditPage(wanted.label(), events, next_cursor, audit_words.summaries(company_id, events))


def audit_events(company_id: str, wanted: AuditFilter | str | None) -> Iterator[AuditEvent]:
    """Every event the filter selects, in reading order (the CSV download), bounded."""
    if not isinstance(wanted, AuditFilter):
        wanted = AuditFilter(month=wanted)
    conditions = _conditions(wanted)
    count = 0
    for month in wanted.months():
        for event in AuditEvent.query(keys.audit_pk(company_id, month), **conditions):
            yield event
            count += 1
            if count >= EXPORT_LIMIT:
                return


def described_events(
    company_id: str, wanted: AuditFilter | str | None, batch: int = 100
) -> Iterator[tuple[AuditEvent, str]]:
    """Every event the filter selects with its sentence; candidates and interviews looked up
    a batch at a time, the team and its API keys once for the whole export."""
    team = audit_words.people(company_id, with_keys=True)
    events: list[AuditEvent] = []
    for event in audit_events(company_id, wanted):
        events.append(event)
        if len(events) == batch:
            yield from zip(events, audit_words.summaries(company_id, events, team), strict=True)
            events = []
    yield from zip(events, audit_words.summaries(company_id, events, team), strict=True)


def audit_month(company_id: str, month: str | None) -> list[AuditEvent]:
    """Every event of a month, oldest first."""
    return list(audit_events(company_id, AuditFilter(month=month)))


def event_time(event: AuditEvent) -> str:
    """When an event happened, as its ISO timestamp (kept in its sort key)."""
    return keys.audit_time(event.sk)
