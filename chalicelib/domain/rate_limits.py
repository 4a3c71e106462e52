"""Sliding-window rate limits on public routes, counted in DynamoDB so every Lambda shares them.

A limit counts requests per subject (a client address, an interview) in windows of fixed
length, and the previous window still counts for the part of it that lies within the last
`window_seconds` (weighted by overlap), so a flood split across a window boundary gets the
limit, not twice it. The request that would pass the limit is refused (429) before it does
anything.
Client addresses are stored only as hashes (which keep them out of plain sight, not secret:
the IPv4 space is small), and counters expire by TTL two windows after they start.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError

from chalicelib.data.models import RateCounter, utcnow
from chalicelib.domain.errors import TooManyRequests
from chalicelib.observability import logger


@dataclass(frozen=True)
class Limit:
    """At most `count` requests per `window_seconds` for one subject of `scope`."""

    scope: str
    count: int
    window_seconds: int
    message: str


def subject_of_address(address: str) -> str:
    """A client address as stored: hashed, so no IP address is written out in the table."""
    return hashlib.sha256(f"oneway-rate:{address}".encode()).hexdigest()[:32]


def take(limit: Limit, subject: str, now: float | None = None) -> None:
    """Count one request for `subject`; 429 (nothing counted) once the window is full."""
    moment = now if now is not None else time.time()
    start = int(moment) - int(moment) % limit.window_seconds
    # The previous window's requests that still fall within the sliding window, rounded up so
    # the approximation errs towards refusing.
    overlap = 1 - (moment - start) / limit.window_seconds
    carried = math.ceil(_count(limit, subject, start - limit.window_seconds) * overlap)
    allowed = limit.count - carried
    if allowed <= 0:
        _refuse(limit)
    counter = RateCounter(*RateCounter.key(limit.scope, subject, start))
    try:
        counter.update(
            actions=[
                RateCounter.count.add(1),
                RateCounter.kind.set(RateCounter),
                RateCounter.created_at.set(utcnow()),
                RateCounter.expires_at.set(
                    datetime.fromtimestamp(start + 2 * limit.window_seconds, UTC)
                ),
            ],
            condition=RateCounter.count.does_not_exist() | (RateCounter.count < allowed),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        _refuse(limit)


def _count(limit: Limit, subject: str, window_start: int) -> int:
    """Requests counted in one window (0 when none were, or the counter has expired)."""
    try:
        counter = RateCounter.get(*RateCounter.key(limit.scope, subject, window_start))
    except RateCounter.DoesNotExist:
        return 0
    return int(counter.count or 0)


def _refuse(limit: Limit) -> None:
    logger.info("rate limited", extra={"scope": limit.scope})
    raise TooManyRequests(limit.message) from None
