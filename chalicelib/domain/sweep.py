"""The scheduled sweep over work that falls due: reminders, deadlines, digests, retention.

The schedule (EventBridge in AWS, a timer in the local stack) calls `sweep` every few
minutes with the time it runs at. Everything it handles is read from the sparse `by_due`
index one bucket at a time, never a scan, and handed to the module that owns it:

- `INVITATION` (`reminders`): each live invitation, due at its next event (the earliest
  reminder not yet sent, else its deadline). A reminder is claimed by a conditional update
  that moves `due_at` on, so two overlapping sweeps send it once; at the deadline the
  invitation expires (`invitation_lifecycle.expire`).
- `DIGEST` (`digest_mail`): one item per company and day, due at the digest hour; its
  completed interviews are items of their own (`digest`), read back when it is sent.
- `RETENTION` (`retention`): each closed invitation, due when its company's retention ends
  (or at once, after the candidate asked for deletion).
- `PROCESSING` (`answer_lifecycle`): answers stuck in processing.
- `RECORDING` (`candidates.settle_stranded`): attempts started but still recording once
  their first upload grant expired; one that stored nothing is released (it no longer
  counts), one whose chunks stopped arriving is finalised with what arrived.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.data.models import Digest, Invitation
from chalicelib.data.repositories import due
from chalicelib.domain import answer_lifecycle, candidates, digest_mail, reminders, retention
from chalicelib.domain import invitation_lifecycle as lifecycle
from chalicelib.domain.digest import DIGEST_BUCKET
from chalicelib.domain.reminders import INVITATION_BUCKET
from chalicelib.domain.retention import RETENTION_BUCKET
from chalicelib.observability import logger

BATCH = 100


def sweep(now: datetime, source: str) -> dict[str, Any]:
    """Run one sweep at `now`; returns counts of what it did."""
    stuck = answer_lifecycle.fail_stuck(now)
    stranded = candidates.settle_stranded(now)
    invitations = sweep_invitations(now)
    digests = digest_mail.send_digests(due(Digest, DIGEST_BUCKET, now, BATCH), now)
    purged = retention.sweep_retention(due(Invitation, RETENTION_BUCKET, now, BATCH), now)
    summary = {
        "at": now.isoformat(),
        "source": source,
        "reminders_sent": invitations["reminders_sent"],
        "expired": invitations["expired"],
        "stuck_answers_failed": len(stuck),
        "attempts_released": stranded["released"],
        "abandoned_recordings_finalised": stranded["finalised"],
        "rerecord_notices_sent": invitations["rerecord_notices_sent"],
        "digests_sent": digests,
        "candidates_purged": purged,
    }
    logger.info("reminder sweep", extra=summary)
    return summary


def sweep_invitations(now: datetime) -> dict[str, int]:
    counts = {"reminders_sent": 0, "expired": 0, "rerecord_notices_sent": 0}
    for item in due(Invitation, INVITATION_BUCKET, now, BATCH):
        outcome = _handle_invitation(item, now)
        if outcome in counts:
            counts[outcome] += 1
    return counts


def _claim(invitation: Invitation, actions: list[Any], live: bool = True) -> bool:
    """Apply `actions` only if nobody moved this invitation since we read it."""
    condition = Invitation.due_at == invitation.due_at
    if live:
        condition &= Invitation.status.is_in(*lifecycle.LIVE)
    try:
        invitation.update(actions=actions, condition=condition)
    except UpdateError:
        return False  # another sweep, the candidate or a recruiter got there first
    return True


def _handle_invitation(invitation: Invitation, now: datetime) -> str | None:
    if invitation.status not in lifecycle.LIVE:
        _claim(invitation, [Invitation.due_bucket.remove(), Invitation.due_at.remove()], False)
        return None
    if invitation.rerecord_notice_due and now < invitation.deadline:
        return _notify_rerecord(invitation, now)
    if now >= invitation.deadline:
        return "expired" if lifecycle.expire(invitation, now) else None
    due_now = reminders.due_now(invitation, now)
    if not due_now:
        next_at = reminders.next_due(invitation, invitation.deadline, now)
        _claim(invitation, [Invitation.due_at.set(next_at.isoformat())])
        return None
    # Several due at once (a missed sweep): send the latest one, count the others as sent.
    if not _claim(invitation, reminders.sent_actions(invitation, due_now, now)):
        return None
    reminders.send_reminder(invitation, min(due_now), now)
    return "reminders_sent"


def _notify_rerecord(invitation: Invitation, now: datetime) -> str | None:
    """A question reopened after a failed answer: tell the candidate before any reminder."""
    if not _claim(invitation, reminders.rerecord_actions(invitation, now)):
        return None
    reminders.send_rerecord_notice(invitation)
    return "rerecord_notices_sent"
