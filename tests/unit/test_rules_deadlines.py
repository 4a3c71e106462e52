"""A deadline picked as a date in the interview's time zone: its instant, its offset, its limits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest

from chalicelib.domain import locales
from chalicelib.domain.errors import InvalidInput

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_date_alone_ends_at_23_59_on_the_wall_clock_of_the_zone() -> None:
    deadline = locales.parse_deadline(date(2026, 12, 24), None, "Europe/Paris", NOW)
    assert deadline == datetime(2026, 12, 24, 22, 59, tzinfo=UTC)  # Paris is UTC+1 in winter


def test_summer_time_changes_the_instant_of_the_same_wall_clock_time() -> None:
    winter = locales.parse_deadline(date(2027, 3, 27), time(17, 0), "Europe/Paris", NOW)
    summer = locales.parse_deadline(date(2027, 3, 28), time(17, 0), "Europe/Paris", NOW)
    assert winter.hour == 16
    assert summer.hour == 15


def test_a_wall_time_skipped_by_the_clocks_going_forward_moves_past_the_gap() -> None:
    # 28 March 2027, Paris: 02:00 jumps to 03:00, so 02:30 never happens on a wall clock
    deadline = locales.parse_deadline(date(2027, 3, 28), time(2, 30), "Europe/Paris", NOW)
    local = deadline.astimezone(locales.zone("Europe/Paris"))
    assert (local.hour, local.minute) == (3, 30)
    assert locales.offset_label(local) == "UTC+02:00"


def test_a_wall_time_that_happens_twice_is_its_first_occurrence() -> None:
    # 7 November 2027, New York: 01:30 happens at -04:00, then again at -05:00
    deadline = locales.parse_deadline(date(2027, 11, 7), time(1, 30), "America/New_York", NOW)
    assert deadline == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "problem"),
    [(date(2026, 11, 30), "in_the_past"), (date(2028, 1, 1), "too_far")],
)
def test_a_past_or_far_deadline_is_refused_naming_the_field(day: date, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        locales.parse_deadline(day, None, "UTC", NOW)
    assert refused.value.details[0]["field"] == "deadline_date"
    assert refused.value.details[0]["problem"] == problem


def test_today_earlier_than_now_is_in_the_past() -> None:
    with pytest.raises(InvalidInput):
        locales.parse_deadline(date(2026, 12, 1), time(8, 0), "UTC", NOW)


def test_an_unknown_zone_is_refused_naming_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        locales.parse_deadline(date(2026, 12, 24), None, "Mars/Olympus_Mons", NOW)
    assert refused.value.details[0]["field"] == "time_zone"


def test_a_deadline_reads_in_the_invitation_zone_with_that_dates_offset() -> None:
    invitation = SimpleNamespace(
        deadline=datetime(2027, 7, 1, 21, 59, tzinfo=UTC), time_zone="America/Sao_Paulo"
    )
    local = locales.deadline_in_zone(invitation)
    assert (local.at.hour, local.at.minute) == (18, 59)
    assert (local.time_zone, local.offset) == ("America/Sao_Paulo", "UTC-03:00")
    india = SimpleNamespace(deadline=invitation.deadline, time_zone="Asia/Kolkata")
    assert locales.deadline_in_zone(india).offset == "UTC+05:30"
    old = SimpleNamespace(deadline=invitation.deadline, time_zone=None)
    assert locales.deadline_in_zone(old).offset == "UTC"


def test_the_published_zones_are_iana_names_every_one_of_which_opens() -> None:
    zones = locales.time_zones()
    assert {"Europe/Paris", "UTC", "America/Sao_Paulo"} <= set(zones)
    assert all(locales.zone(name).key == name for name in zones)
