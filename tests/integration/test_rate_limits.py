"""Rate limits on public routes hold across window boundaries, counted in the real table."""

from __future__ import annotations

import pytest

from chalicelib.domain import rate_limits
from chalicelib.domain.errors import TooManyRequests

LIMIT = rate_limits.Limit(scope="test", count=3, window_seconds=600, message="Slow down.")
BOUNDARY = 1_800_000_000  # a window start: a multiple of 600


def test_a_flood_split_across_a_window_boundary_gets_the_limit_not_twice_it(aws: dict) -> None:
    # GIVEN three requests in the last seconds of one window
    for second in (-3, -2, -1):
        rate_limits.take(LIMIT, "flood", now=BOUNDARY + second)
    # WHEN more arrive just after the next window starts
    # THEN they are refused: the last 600 s already hold three requests
    with pytest.raises(TooManyRequests, match=r"Slow down\."):
        rate_limits.take(LIMIT, "flood", now=BOUNDARY + 1)


def test_requests_spread_over_two_windows_pass_as_the_old_ones_slide_out(aws: dict) -> None:
    # GIVEN three requests early in one window
    for second in (1, 2, 3):
        rate_limits.take(LIMIT, "steady", now=BOUNDARY + second)
    # WHEN the next window is two thirds through, a third of the old ones still count (1)
    moment = BOUNDARY + 600 + 400
    rate_limits.take(LIMIT, "steady", now=moment)
    rate_limits.take(LIMIT, "steady", now=moment + 1)
    # THEN the third request of the new window would make four in the last 600 s: refused
    with pytest.raises(TooManyRequests):
        rate_limits.take(LIMIT, "steady", now=moment + 2)
    # AND a full window later everything old has slid out
    for second in range(3):
        rate_limits.take(LIMIT, "steady", now=BOUNDARY + 1800 + second)


def test_each_subject_has_its_own_count(aws: dict) -> None:
    for subject in ("a", "b"):
        for second in range(3):
            rate_limits.take(LIMIT, subject, now=BOUNDARY + second)
    with pytest.raises(TooManyRequests):
        rate_limits.take(LIMIT, "a", now=BOUNDARY + 5)
