"""The scheduled sweep over work that falls due: reminders, deadlines, stuck answers.

The schedule (EventBridge in AWS, a timer in the local stack) calls `sweep` every few
minutes. Today it records that it ran and what it was asked; the due-work index
(`Item.by_due`) it will read is already part of the table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.observability import logger


def sweep(now: datetime, source: str) -> dict[str, Any]:
    """Run one sweep at `now`; returns counts of what it did."""
    summary = {"at": now.isoformat(), "source": source, "reminders_sent": 0, "expired": 0}
    logger.info("reminder sweep", extra=summary)
    return summary
