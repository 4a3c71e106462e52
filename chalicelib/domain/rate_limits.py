"""Fixed-window rate limits on public routes, counted in DynamoDB so every Lambda shares them.

A limit counts requests per subject (a client address, an interview) in windows of fixed
length; the request that would pass the limit is refused (429) before it does anything.
Client addresses are stored only as hashes (which keep them out of plain sight, not secret:
the IPv4 space is small), and counters expire by TTL two windows after they start.
"""

from __future__ import annotations

import hashlib
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
    moment = int(now if now is not None else time.time())
    start = moment - moment % limit.window_seconds
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
            condition=RateCounter.count.does_not_exist() | (RateCounter.count < limit.count),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        logger.info("rate limited", extra={"scope": limit.scope})
        raise TooManyRequests(limit.message) from None
