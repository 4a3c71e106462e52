"""An invitation's states, moved only by conditional updates with their counters and events.

    invited → opened → started → completed
       └────────┴─────────┴──→ expired (deadline passed) ──→ back to live (extended)
       └────────┴─────────┴─────────┴──→ revoked (by a recruiter)
    completed → started, one question reopened (an answer failed after submission)

Each transition states the states it may leave (`TRANSITIONS`), so a duplicate request, a
second tab or an overlapping sweep finds the invitation already moved and changes nothing;
the funnel counter (`activity.bump`) and the webhook event follow only a move that happened.
A closed invitation (completed, expired, revoked) leaves the reminder bucket for the
retention bucket. Used by invitations (recruiters), candidates (the candidate's link) and
the sweep; the answer lifecycle reads `LIVE` and calls `ask_to_record_again`, so this module
reads answer states from `answer_states`, never from `answer_lifecycle`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.data.models import Answer, Invitation, utcnow
from chalicelib.data.transactions import transact_write
from chalicelib.domain import activity, digest, reminders, retention, webhooks
from chalicelib.domain.answer_states import KEPT
from chalicelib.domain.errors import Conflict
from chalicelib.observability import logger, metrics


class Status(StrEnum):
    INVITED = "invited"
    OPENED = "opened"
    STARTED = "started"
    COMPLETED = "completed"
    EXPIRED = "expired"
    REVOKED = "revoked"


# A live invitation can still be answered; a closed one waits for retention to end.
LIVE = (Status.INVITED, Status.OPENED, Status.STARTED)
CLOSED = (Status.COMPLETED, Status.EXPIRED, Status.REVOKED)

# The states each transition may leave: the condition of its update.
TRANSITIONS: dict[str, tuple[Status, ...]] = {
    "open": (Status.INVITED,),
    "start": LIVE,
    "complete": LIVE,
    "expire": LIVE,
    "revoke": (*LIVE, Status.EXPIRED),
    "extend": (*LIVE, Status.EXPIRED),
    "reopen": (Status.EXPIRED,),
    # An answer failed after the candidate submitted: the interview reopens for it (also
    # from live when another question was already reopened, see `ask_to_record_again`).
    "ask_again": (Status.COMPLETED, *LIVE),
}


def may(transition: str, status: str) -> bool:
    """Whether an invitation in `status` may take `transition`."""
    return status in TRANSITIONS[transition]


def condition(transition: str) -> Any:
    """The update condition that lets only `transition`'s source states through."""
    return Invitation.status.is_in(*TRANSITIONS[transition])


def ensure_changeable(invitation: Invitation) -> None:
    """Refuse a recruiter's change (resend, extend, extra time) to a finished invitation."""
    if invitation.status == Status.REVOKED:
        raise Conflict("This invitation was revoked.")
    if invitation.status == Status.COMPLETED:
        raise Conflict("This candidate has already completed the interview.")


# --- the candidate's link -------------------------------------------------------------------


def open(invitation: Invitation, now: datetime) -> bool:
    """The first open of the link: invited → opened. False when another tab got there first."""
    if not may("open", invitation.status):
        return False
    try:
        invitation.update(
            actions=[Invitation.status.set(Status.OPENED), Invitation.opened_at.set(now)],
            condition=condition("open"),
        )
    except UpdateError:
        invitation.refresh()  # another tab opened it first
        return False
    activity.bump(invitation.company_id, invitation.interview_id, "opened")
    webhooks.emit(invitation.company_id, "invitation.opened", webhooks.invitation_data(invitation))
    return True


def start_actions(now: datetime) -> list[Any]:
    """Update actions of the first answer: status started, `started_at` set only once."""
    return [
        Invitation.status.set(Status.STARTED),
        Invitation.started_at.set(Invitation.started_at | now),
    ]


def start(invitation: Invitation, now: datetime, also: list[Any]) -> bool:
    """Save `also` on a live invitation, starting it if not yet started; False once closed."""
    actions = list(also)
    if invitation.status in (Status.INVITED, Status.OPENED):
        actions += start_actions(now)
    try:
        invitation.update(actions=actions, condition=condition("start"))
    except UpdateError:
        return False
    count_first_start(invitation, now)
    return True


def count_first_start(invitation: Invitation, now: datetime) -> None:
    """`started_at` is set only if absent, so only the first start sees its own time."""
    if invitation.started_at == now:
        activity.bump(invitation.company_id, invitation.interview_id, "started")


def complete(invitation: Invitation, now: datetime, pending: Sequence[Answer] = ()) -> bool:
    """live → completed: counted, billed, queued for the digest and announced.

    `pending` are answers still uploaded or processing: the completion and a check that each
    is still on its way (or ready) are one transaction, so an answer failing at that moment
    either blocks the completion or finds it done and reopens its question — it is never
    lost in between. A resubmission after `ask_to_record_again` is not counted again.
    False when the invitation was no longer live or an answer failed (the caller reads again).
    """
    resubmission = invitation.completed_at is not None
    actions = [
        Invitation.status.set(Status.COMPLETED),
        Invitation.completed_at.set(now),
        *retention.closed_actions(invitation, now),
        Invitation.reopened_questions.remove(),
        Invitation.rerecord_notice_due.remove(),
    ]
    try:
        if not pending:
            invitation.update(actions=actions, condition=condition("complete"))
        else:
            with transact_write() as transaction:
                transaction.update(invitation, actions=actions, condition=condition("complete"))
                for answer in pending:
                    transaction.condition_check(
                        Answer, answer.pk, answer.sk, condition=Answer.status.is_in(*KEPT)
                    )
            invitation.status, invitation.completed_at = Status.COMPLETED, now
            invitation.reopened_questions = None
    except (UpdateError, TransactWriteError):
        return False
    if resubmission:
        logger.info("interview resubmitted", extra={"invitation_id": invitation.invitation_id})
        return True
    activity.bump(invitation.company_id, invitation.interview_id, "completed")
    activity.add_usage(invitation.company_id, completed_interviews=1)
    webhooks.emit(
        invitation.company_id, "interview.completed", webhooks.invitation_data(invitation)
    )
    # Its own small items; a failure is logged, never a failed completion (see digest).
    digest.add_to_digest_safely(invitation, now)
    metrics.add_metric(name="InterviewsCompleted", unit="Count", value=1)
    return True


# --- the media worker ------------------------------------------------------------------------

# A question reopened after a processing failure gives the candidate at least this long.
ASK_AGAIN_MIN_TIME = timedelta(hours=48)


def ask_to_record_again(invitation: Invitation, question_id: str) -> bool:
    """completed → started with one question reopened, after its answer failed processing.

    The candidate did nothing wrong: their answer reached us and then could not be used. Only
    that question opens (its attempt given back), the deadline moves to at least 48 hours
    from now, and the invitation is due in the sweep at once, which emails the candidate the
    link they already have (`reminders.send_rerecord_notice`). Recruiters see "asked to
    record again".
    Conditional on what was read and retried on a concurrent move, so two answers failing at
    once reopen both questions. A resubmission is not counted as a second completion.
    """
    for _ in range(3):
        now = utcnow()
        if invitation.status != Status.COMPLETED and not invitation.reopened_questions:
            return False  # not submitted: the failure gave the attempt back
        used_path = Invitation.attempts_used[question_id]
        counts = invitation.attempts_used
        counts = counts.as_dict() if hasattr(counts, "as_dict") else dict(counts or {})
        used = int(counts.get(question_id, 0))
        deadline = max(invitation.deadline, now + ASK_AGAIN_MIN_TIME)
        allowed = (Invitation.status == Status.COMPLETED) | (
            Invitation.reopened_questions.exists() & Invitation.status.is_in(*LIVE)
        )
        unchanged = (Invitation.status == invitation.status) & (
            (used_path == used) if used else (used_path.does_not_exist() | (used_path == 0))
        )
        try:
            invitation.update(
                actions=[
                    Invitation.status.set(Status.STARTED),
                    Invitation.reopened_questions.add({question_id}),
                    Invitation.rerecord_requested_at.set(now),
                    Invitation.rerecord_notice_due.set(True),
                    Invitation.deadline.set(deadline),
                    Invitation.answered_questions.delete({question_id}),
                    used_path.set(max(used - 1, 0)),
                    Invitation.closed_at.remove(),
                    Invitation.expires_at.remove(),
                    Invitation.due_bucket.set(reminders.INVITATION_BUCKET),
                    Invitation.due_at.set(now.isoformat()),  # the sweep emails them at once
                ],
                condition=allowed & unchanged,
            )
        except UpdateError:
            invitation.refresh(consistent_read=True)
            continue
        activity.audit(
            invitation.company_id,
            "system",
            "invitation.asked_to_record_again",
            invitation.invitation_id,
            {"question_id": question_id, "deadline": deadline.isoformat()},
        )
        logger.info(
            "question reopened after a processing failure",
            extra={"invitation_id": invitation.invitation_id, "question_id": question_id},
        )
        return True
    logger.warning(
        "question not reopened: the invitation kept changing",
        extra={"invitation_id": invitation.invitation_id, "question_id": question_id},
    )
    return False


# --- the sweep --------------------------------------------------------------------------------


def expire(invitation: Invitation, now: datetime) -> bool:
    """live → expired at the deadline, claimed like a reminder: only if nobody moved it since."""
    actions = [Invitation.status.set(Status.EXPIRED), *retention.closed_actions(invitation, now)]
    try:
        invitation.update(
            actions=actions,
            condition=(Invitation.due_at == invitation.due_at) & condition("expire"),
        )
    except UpdateError:
        return False  # another sweep, the candidate or a recruiter got there first
    activity.bump(invitation.company_id, invitation.interview_id, "expired")
    activity.audit(invitation.company_id, "system", "invitation.expired", invitation.invitation_id)
    logger.info("invitation expired", extra={"invitation_id": invitation.invitation_id})
    return True


# --- recruiters -------------------------------------------------------------------------------


def revoke(invitation: Invitation, now: datetime) -> Invitation:
    """live or expired → revoked; revoking twice changes nothing, a completed one is kept."""
    if invitation.status == Status.COMPLETED:
        raise Conflict("This candidate has already completed the interview.")
    if invitation.status == Status.REVOKED:
        return invitation
    try:
        invitation.update(
            actions=[
                Invitation.status.set(Status.REVOKED),
                Invitation.revoked.set(True),
                *retention.closed_actions(invitation, now),
            ],
            condition=condition("revoke"),
        )
    except UpdateError:
        raise Conflict("This invitation changed meanwhile. Reload and try again.") from None
    activity.bump(invitation.company_id, invitation.interview_id, "revoked")
    return invitation


def reopened_status(invitation: Invitation) -> Status:
    """Where an expired invitation goes back to when its deadline moves."""
    return Status.STARTED if invitation.started_at else Status.INVITED


def reopen_actions(invitation: Invitation) -> list[Any]:
    """expired → live: the update actions `extend` adds for an expired invitation."""
    if not may("reopen", invitation.status):
        return []
    return [Invitation.status.set(reopened_status(invitation))]


def extend(invitation: Invitation, days: int, now: datetime) -> Invitation:
    """Move the deadline `days` after the later of now and the current deadline.

    Reminders are scheduled again for the new deadline; an expired invitation reopens.
    """
    return extend_to(invitation, max(now, invitation.deadline) + timedelta(days=days), now)


def extend_to(invitation: Invitation, deadline: datetime, now: datetime) -> Invitation:
    """Move the deadline to `deadline` (later than now: the caller checked).

    Reminders are scheduled again for the new deadline; an expired invitation reopens.
    """
    ensure_changeable(invitation)
    actions = [
        Invitation.deadline.set(deadline),
        *reminders.due_actions(invitation, deadline, now),
        *reopen_actions(invitation),
    ]
    try:
        invitation.update(actions=actions, condition=condition("extend"))
    except UpdateError:
        invitation.refresh()
        ensure_changeable(invitation)
        raise Conflict("This invitation changed meanwhile. Reload and try again.") from None
    return invitation


def question_count(counts: Any, question_id: str) -> int:
    """A per-question counter of an invitation (a map attribute, or a plain dict): 0 if unset."""
    values = counts.as_dict() if hasattr(counts, "as_dict") else dict(counts or {})
    return int(values.get(question_id, 0) or 0)
