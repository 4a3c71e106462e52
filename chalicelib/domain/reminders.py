"""Reminders: when a live invitation's next reminder falls due, and sending it.

Each live invitation sits in the `INVITATION` bucket of the sparse `by_due` index, due at
its next event: the earliest reminder not yet sent, else its deadline. It enters the bucket
when created (`schedule`) and moves within it when extended (`due_actions`); the sweep
(`chalicelib.domain.sweep`) claims a due reminder by a conditional update that moves
`due_at` on, so two overlapping sweeps send it once, then calls `send_reminder`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.data import keys
from chalicelib.data.models import Interview, Invitation
from chalicelib.domain import activity, candidate_mail
from chalicelib.domain.errors import NotFound
from chalicelib.domain.links import current_token
from chalicelib.observability import logger

INVITATION_BUCKET = keys.DUE_INVITATION
DEFAULT_REMINDER_HOURS = (48, 4)


# --- when an invitation falls due ---------------------------------------------------------


def hours_of(invitation: Any) -> list[int]:
    if invitation.reminder_hours is None:
        return list(DEFAULT_REMINDER_HOURS)
    return sorted({int(h) for h in invitation.reminder_hours}, reverse=True)


def _sent_key(hours: int, deadline: datetime) -> str:
    # Per deadline: an extended invitation earns its reminders again before the new deadline.
    return f"{hours}h@{deadline.isoformat()}"


def _pending(
    invitation: Invitation, deadline: datetime, after: datetime, sent: list[str] | None = None
) -> list[tuple[int, datetime]]:
    """Reminders not yet sent that fall after `after`, earliest first."""
    done = set(sent if sent is not None else (invitation.reminders_sent or []))
    times = [(h, deadline - timedelta(hours=h)) for h in hours_of(invitation)]
    return sorted(
        ((h, t) for h, t in times if _sent_key(h, deadline) not in done and t > after),
        key=lambda pair: pair[1],
    )


def next_due(
    invitation: Invitation, deadline: datetime, after: datetime, sent: list[str] | None = None
) -> datetime:
    pending = _pending(invitation, deadline, after, sent)
    return pending[0][1] if pending else deadline


def due_now(invitation: Invitation, now: datetime) -> list[int]:
    """The hours-before-deadline of every unsent reminder whose time has come."""
    earliest = datetime.min.replace(tzinfo=now.tzinfo)
    return [h for h, t in _pending(invitation, invitation.deadline, earliest) if t <= now]


def sent_actions(invitation: Invitation, hours: list[int], now: datetime) -> list[Any]:
    """Update actions that mark `hours`' reminders sent and move `due_at` to the next event.

    Several due at once (a missed sweep): the caller sends the latest one only, the others
    count as sent.
    """
    deadline = invitation.deadline
    marked = list(invitation.reminders_sent or []) + [_sent_key(h, deadline) for h in hours]
    return [
        Invitation.reminders_sent.set(marked),
        Invitation.due_at.set(next_due(invitation, deadline, now, marked).isoformat()),
    ]


def schedule(invitation: Invitation, interview_hours: list[Any] | None, now: datetime) -> None:
    """Set a new invitation's reminder hours and first due time (before it is saved)."""
    if interview_hours is not None:
        invitation.reminder_hours = [int(h) for h in interview_hours]
    invitation.due_bucket = INVITATION_BUCKET
    invitation.due_at = next_due(invitation, invitation.deadline, now).isoformat()


def due_actions(invitation: Invitation, deadline: datetime, now: datetime) -> list[Any]:
    """Update actions that put a live invitation's next event at `deadline`'s schedule."""
    return [
        Invitation.due_bucket.set(INVITATION_BUCKET),
        Invitation.due_at.set(next_due(invitation, deadline, now).isoformat()),
        Invitation.expires_at.remove(),
    ]


# --- sending ------------------------------------------------------------------------------


def send_reminder(invitation: Invitation, hours: int, now: datetime) -> None:
    """Remind the candidate with the very link they already have (every email's link works)."""
    token = current_token(invitation)
    candidate_mail.send_reminder(invitation, token, now)
    activity.count_email(invitation.company_id)
    logger.info("reminder sent", extra={"invitation_id": invitation.invitation_id, "hours": hours})


def rerecord_actions(invitation: Invitation, now: datetime) -> list[Any]:
    """Update actions that claim a re-record notice and move `due_at` to the next event."""
    return [
        Invitation.rerecord_notice_due.remove(),
        Invitation.due_at.set(next_due(invitation, invitation.deadline, now).isoformat()),
    ]


def send_rerecord_notice(invitation: Invitation) -> None:
    """Email the candidate whose question reopened after a failed answer, with their link.

    The sweep claims the notice first (`rerecord_actions`), so overlapping sweeps send it
    once. The email carries the candidate's current link, the one they already have.
    """
    reopened = set(invitation.reopened_questions or ())
    questions = [
        {"position": position, "text": question.text}
        for position, question in enumerate(invitation.questions, 1)
        if question.question_id in reopened
    ]
    token = current_token(invitation)
    candidate_mail.send_rerecord(invitation, token, questions)
    activity.count_email(invitation.company_id)
    logger.info("re-record notice sent", extra={"invitation_id": invitation.invitation_id})


# --- per-interview settings -----------------------------------------------------------------


def set_interview_follow_up(
    company_id: str, interview_id: str, hours: list[int] | None, booking_url: str | None
) -> Interview:
    """Reminder hours and the optional booking link for invitations sent from now on."""
    interview = Interview(*Interview.key(company_id, interview_id))
    actions = [
        Interview.reminder_hours.set(sorted(set(hours), reverse=True))
        if hours is not None
        else Interview.reminder_hours.remove(),
        Interview.booking_url.set(booking_url) if booking_url else Interview.booking_url.remove(),
    ]
    try:
        interview.update(actions=actions, condition=Interview.pk.exists())
    except UpdateError:
        raise NotFound("Interview not found.") from None
    return interview
