"""The languages candidates may read an interview in, its time zone, and deadlines in that zone.

Deadlines are stored in UTC; a recruiter picks them, and a candidate reads them, in the
interview's time zone (an IANA name such as `Europe/Paris`). Time zones come from the pinned
`tzdata` package rather than the host's `/usr/share/zoneinfo`, which the Lambda runtime does
not ship, so every deployment knows the same zones and the published list never drifts.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.errors import InvalidInput

# Every candidate page and email exists in these (the message catalogues), English first.
LANGUAGES = ("en", "es", "fr", "de", "pt", "ar")
DEFAULT_LANGUAGE = "en"
DEFAULT_TIME_ZONE = "UTC"

# A deadline picked as a date alone ends with that day, in the interview's time zone.
END_OF_DAY = time(23, 59)
# A deadline further than this is a typo (a wrong year), not a plan.
LONGEST_DEADLINE = timedelta(days=366)


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """Every IANA zone name the pinned tzdata knows, sorted (the published enum)."""
    names = importlib.resources.files("tzdata").joinpath("zones").read_text().split()
    return tuple(sorted(set(names) | {DEFAULT_TIME_ZONE}))


def zone(name: str | None) -> ZoneInfo:
    """The zone called `name`; UTC for an invitation made before interviews had one."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def is_time_zone(name: str) -> bool:
    return name in time_zones()


def offset_label(moment: datetime) -> str:
    """`UTC+02:00`, `UTC-05:00`, `UTC+05:30` or `UTC` for an aware datetime."""
    offset = moment.utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@dataclass(frozen=True)
class LocalDeadline:
    """A deadline as people in the interview's time zone read it."""

    at: datetime  # aware, in `time_zone`
    time_zone: str
    offset: str  # e.g. "UTC+01:00", true on that date (daylight saving included)

    def iso(self) -> str:
        return self.at.isoformat()


def deadline_in_zone(invitation: Any) -> LocalDeadline:
    """The invitation's deadline in its interview's time zone, with that date's UTC offset.

    For emails and pages: "Friday 24 December 2026, 23:59 (Europe/Paris, UTC+01:00)".
    """
    name = getattr(invitation, "time_zone", None) or DEFAULT_TIME_ZONE
    local = invitation.deadline.astimezone(zone(name))
    return LocalDeadline(at=local, time_zone=name, offset=offset_label(local))


def parse_deadline(
    day: date,
    at: time | None,
    time_zone: str,
    now: datetime,
    field: str = "deadline_date",
) -> datetime:
    """The UTC instant of `day` at `at` (default 23:59) on the wall clock of `time_zone`.

    A wall-clock time that does not exist (skipped when clocks go forward) moves forward by
    the gap, as a clock on the wall does; one that happens twice (clocks go back) is its
    first occurrence. Refuses a deadline already past or more than a year ahead (422 naming
    `field`).
    """
    if not is_time_zone(time_zone):
        raise InvalidInput(
            f"{time_zone!r} is not a time zone we know.",
            details=[{"field": "time_zone", "problem": "unknown", "message": time_zone}],
        )
    tz = ZoneInfo(time_zone)
    wall = datetime.combine(day, at or END_OF_DAY)
    local = wall.replace(tzinfo=tz, fold=0)
    # A skipped wall time round-trips to another: Python reads it with the offset before the
    # gap, so UTC→local gives the time after the gap, the one a wall clock would show.
    local = local.astimezone(tz)
    deadline = local.astimezone(ZoneInfo("UTC"))
    if deadline <= now:
        raise InvalidInput(
            "The deadline has already passed. Pick a later date.",
            details=[{"field": field, "problem": "in_the_past", "message": day.isoformat()}],
        )
    if deadline - now > LONGEST_DEADLINE:
        raise InvalidInput(
            "The deadline is more than a year away. Pick a date within a year.",
            details=[{"field": field, "problem": "too_far", "message": day.isoformat()}],
        )
    return deadline


@dataclass(frozen=True)
class Deadline:
    """A resolved deadline: its instant (UTC) and the zone people read it in."""

    at: datetime
    time_zone: str


@dataclass(frozen=True)
class DeadlineChoice:
    """A recruiter's deadline: a date (and time, in a zone), else a number of days.

    The date is read on the wall clock of `time_zone` (the interview's unless another is
    picked); `days` is the fallback for API clients that count days from now.
    """

    day: date | None = None
    at: time | None = None
    time_zone: str | None = None
    days: int | None = None

    def resolve(self, default_days: int, default_zone: str, now: datetime) -> datetime:
        """The deadline's instant (UTC); 422 naming the field for a past or far date."""
        if self.day is not None:
            return parse_deadline(self.day, self.at, self.time_zone or default_zone, now)
        if self.at is not None:
            raise InvalidInput(
                "A deadline time needs its date.",
                details=[{"field": "deadline_date", "problem": "missing", "message": "date"}],
            )
        return now + timedelta(days=int(self.days or default_days))

    def zone_for(self, default_zone: str) -> str:
        """The zone the deadline is shown in: the one it was picked in, if a date was."""
        return self.time_zone if self.day is not None and self.time_zone else default_zone


def parse_wall_time(text: str | None) -> time | None:
    """`HH:MM` (24-hour) as a time; the schema has checked its shape."""
    if not text:
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
