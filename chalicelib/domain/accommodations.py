"""Accommodations: a candidate asks for an adjustment before starting; an admin decides.

A candidate may ask, from the landing page and only before their first answer, for one or
more of: more time (think and answer limits multiplied), audio instead of video (their video
questions become audio answers), a later deadline. One request waits for a decision at a
time, and requests per invitation are rate-bounded. An admin grants or declines it in one
click; granting applies it to the invitation's own snapshot (never to the interview, so no
other candidate changes), and either way the candidate is emailed. Each move is one
conditional update with its audit event in the same transaction, so a double click or two
admins at once decide once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import size

from chalicelib.data.models import AccommodationRequest, Invitation, Question, utcnow
from chalicelib.data.transactions import transact_write
from chalicelib.domain import (
    activity,
    candidate_mail,
    locales,
    rate_limits,
    reminders,
    webhooks,
)
from chalicelib.domain import invitation_lifecycle as lifecycle
from chalicelib.domain.errors import Conflict, Gone, InvalidInput
from chalicelib.domain.invitations import find_by_token, get_invitation
from chalicelib.domain.links import current_token
from chalicelib.observability import logger

MORE_TIME = "more_time"
AUDIO_INSTEAD_OF_VIDEO = "audio_instead_of_video"
LATER_DEADLINE = "later_deadline"
KINDS = (MORE_TIME, AUDIO_INSTEAD_OF_VIDEO, LATER_DEADLINE)
MAX_NOTE_LENGTH = 1000

PENDING, GRANTED, DECLINED = "pending", "granted", "declined"

# What a grant gives unless the admin says otherwise.
DEFAULT_TIME_MULTIPLIER = 1.5
DEFAULT_EXTRA_DAYS = 7
# A later deadline the admin picks stays within this of now.
MAX_DEADLINE_AHEAD = timedelta(days=180)

# Asking is cheap and emails nobody, but each request lands in the team's audit log.
REQUESTS_PER_INVITATION = rate_limits.Limit(
    "accommodation",
    5,
    86400,
    "You have asked for adjustments several times today. Please wait for an answer by email.",
)

# Before the first answer: the invitation has not started, and is still live.
_BEFORE_START = (lifecycle.Status.INVITED, lifecycle.Status.OPENED)


@dataclass(frozen=True)
class Applied:
    """What a grant changed on the invitation (for the email, the audit and the answer)."""

    time_multiplier: float | None = None
    audio_questions: tuple[int, ...] = ()  # positions of questions now answered by audio
    deadline: datetime | None = None


def _before_start(invitation: Invitation) -> bool:
    """No answer begun and no question opened: asking after reading a question is too late."""
    opened = invitation.opened_questions
    any_opened = bool(opened.as_dict() if hasattr(opened, "as_dict") else opened)
    return invitation.status in _BEFORE_START and invitation.started_at is None and not any_opened


def may_request(invitation: Invitation, now: datetime | None = None) -> bool:
    """Whether the candidate may still ask: not started, live, no request waiting."""
    moment = now or utcnow()
    waiting = invitation.accommodation is not None and invitation.accommodation.status == PENDING
    return _before_start(invitation) and moment <= invitation.deadline and not waiting


def _video_questions(invitation: Invitation) -> list[Question]:
    return [q for q in invitation.questions if q.answer_type == "video"]


def _clean_kinds(invitation: Invitation, kinds: list[str]) -> list[str]:
    """The kinds asked for, each once in a fixed order; 422 for an unknown or pointless one."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise InvalidInput(
            "Choose at least one adjustment: more time, audio instead of video, a later deadline.",
            details=[{"field": "kinds", "problem": "invalid", "message": ", ".join(unknown)}],
        )
    if AUDIO_INSTEAD_OF_VIDEO in kinds and not _video_questions(invitation):
        raise InvalidInput(
            "This interview has no video questions.",
            details=[{"field": "kinds", "problem": "no_video_questions"}],
        )
    return [k for k in KINDS if k in kinds]


def request(token: str, kinds: list[str], note: str | None) -> Invitation:
    """The candidate asks for an adjustment; 409 once they started or while one is waiting.

    One conditional update with its audit event: the invitation must still be before its
    first answer with no request pending, whatever another tab did meanwhile.
    """
    invitation = find_by_token(token)
    now = utcnow()
    if invitation.status == lifecycle.Status.EXPIRED or now > invitation.deadline:
        raise Gone("The deadline for this interview has passed. Contact the company instead.")
    _refuse_unless_open(invitation, now)
    chosen = _clean_kinds(invitation, kinds)
    text = (note or "").strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            f"Keep the note under {MAX_NOTE_LENGTH} characters.",
            details=[{"field": "note", "problem": "too_long"}],
        )
    rate_limits.take(REQUESTS_PER_INVITATION, invitation.invitation_id)
    asked = AccommodationRequest(kinds=chosen, note=text or None, requested_at=now, status=PENDING)
    waiting = Invitation.accommodation.does_not_exist() | (
        Invitation.accommodation.status != PENDING
    )
    unopened = Invitation.opened_questions.does_not_exist() | (
        size(Invitation.opened_questions) == 0
    )
    condition = (
        Invitation.status.is_in(*_BEFORE_START)
        & Invitation.started_at.does_not_exist()
        & unopened
        & waiting
    )
    try:
        with transact_write() as transaction:
            transaction.update(
                invitation, actions=[Invitation.accommodation.set(asked)], condition=condition
            )
            transaction.save(
                activity.audit_event(
                    invitation.company_id,
                    "candidate",
                    "accommodation.requested",
                    invitation.invitation_id,
                    {"kinds": chosen},  # the note may be personal: it stays on the invitation
                )
            )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        invitation.refresh(consistent_read=True)
        _refuse_unless_open(invitation, now)
        raise Conflict("Your request changed meanwhile. Reload the page.") from None
    invitation.accommodation = asked
    _announce(invitation, "accommodation.requested")
    logger.info(
        "accommodation requested",
        extra={"invitation_id": invitation.invitation_id, "kinds": chosen},
    )
    return invitation


def _refuse_unless_open(invitation: Invitation, now: datetime) -> None:
    """409, in words, for a request the candidate may no longer make."""
    if not _before_start(invitation):
        raise Conflict(
            "Adjustments can only be asked for before you start answering. "
            "Please contact the company directly."
        )
    if not may_request(invitation, now):
        raise Conflict("You already asked for an adjustment: we will email you when it is decided.")


# --- the hiring team ------------------------------------------------------------------------


def _pending(invitation: Invitation) -> AccommodationRequest:
    asked = invitation.accommodation
    if asked is None:
        raise Conflict("This candidate has not asked for an adjustment.")
    if asked.status != PENDING:
        raise Conflict(f"This request was already {asked.status}.")
    return asked


def _later_deadline(
    invitation: Invitation, now: datetime, chosen: datetime | locales.DeadlineChoice | None
) -> tuple[datetime, str | None]:
    """The new deadline, and the zone it is now shown in when the admin picked another: the
    admin's instant, their date on the wall clock of the invitation's zone (or the one they
    picked), or a week after the later of now and the old deadline."""
    if chosen is None:
        return max(now, invitation.deadline) + timedelta(days=DEFAULT_EXTRA_DAYS), None
    field, zone = "deadline", None
    if isinstance(chosen, locales.DeadlineChoice):
        if chosen.day is None:
            raise InvalidInput(
                "A deadline time needs its date.",
                details=[{"field": "deadline_date", "problem": "missing", "message": "date"}],
            )
        field, zone = "deadline_date", chosen.time_zone
        chosen = locales.parse_deadline(
            chosen.day, chosen.at, zone or invitation.time_zone or "UTC", now
        )
    if chosen <= max(now, invitation.deadline):
        raise InvalidInput(
            "Pick a deadline later than the current one.",
            details=[{"field": field, "problem": "not_later"}],
        )
    if chosen > now + MAX_DEADLINE_AHEAD:
        raise InvalidInput(
            "Pick a deadline within 180 days.",
            details=[{"field": field, "problem": "too_far"}],
        )
    return chosen, zone


def grant(
    company_id: str,
    invitation_id: str,
    user_id: str,
    time_multiplier: float | None = None,
    deadline: datetime | locales.DeadlineChoice | None = None,
) -> tuple[Invitation, Applied]:
    """Grant the pending request and apply it; the candidate is emailed.

    More time sets the invitation's `time_multiplier` (never lowering one already given);
    audio instead of video turns each video question nobody has started recording into an
    audio question in this invitation's snapshot; a later deadline moves the deadline and
    the reminders with it (an expired invitation reopens).
    """
    invitation = get_invitation(company_id, invitation_id)
    asked = _pending(invitation)
    lifecycle.ensure_changeable(invitation)
    now = utcnow()
    kinds = list(asked.kinds or [])
    actions: list[Any] = []
    condition = _still_pending(asked) & lifecycle.condition("extend")
    applied = Applied()
    if MORE_TIME in kinds:
        factor = max(
            float(invitation.time_multiplier or 1), time_multiplier or DEFAULT_TIME_MULTIPLIER
        )
        actions.append(Invitation.time_multiplier.set(factor))
        applied = Applied(time_multiplier=factor)
    if AUDIO_INSTEAD_OF_VIDEO in kinds:
        questions, positions = _as_audio(invitation)
        if positions:
            actions.append(Invitation.questions.set(questions))
            for question in invitation.questions:
                if question.answer_type == "video":
                    seq = Invitation.attempt_seq[question.question_id]
                    condition &= seq.does_not_exist() | (seq == 0)
        applied = Applied(applied.time_multiplier, positions)
    if LATER_DEADLINE in kinds:
        moved, zone = _later_deadline(invitation, now, deadline)
        if zone is not None:
            actions.append(Invitation.time_zone.set(zone))
        actions += [
            Invitation.deadline.set(moved),
            *reminders.due_actions(invitation, moved, now),
            *lifecycle.reopen_actions(invitation),
        ]
        applied = Applied(applied.time_multiplier, applied.audio_questions, moved)
    detail = {
        "kinds": kinds,
        "time_multiplier": applied.time_multiplier,
        "audio_questions": list(applied.audio_questions),
        "deadline": applied.deadline.isoformat() if applied.deadline else None,
    }
    _decide(
        invitation,
        GRANTED,
        user_id=user_id,
        now=now,
        actions=actions,
        condition=condition,
        detail=detail,
    )
    invitation.refresh(consistent_read=True)
    _announce(invitation, "accommodation.decided")
    _email(invitation, GRANTED, applied)
    return invitation, applied


def decline(company_id: str, invitation_id: str, user_id: str) -> Invitation:
    """Decline the pending request: nothing else changes; the candidate is emailed."""
    invitation = get_invitation(company_id, invitation_id)
    asked = _pending(invitation)
    now = utcnow()
    kinds = list(asked.kinds or [])
    _decide(
        invitation,
        DECLINED,
        user_id=user_id,
        now=now,
        actions=[],
        condition=_still_pending(asked),
        detail={"kinds": kinds},
    )
    invitation.refresh(consistent_read=True)
    _announce(invitation, "accommodation.decided")
    _email(invitation, DECLINED, Applied())
    return invitation


def _still_pending(asked: AccommodationRequest) -> Any:
    """The request read is still the one waiting (not decided, not replaced meanwhile)."""
    return (Invitation.accommodation.status == PENDING) & (
        Invitation.accommodation.requested_at == asked.requested_at
    )


def _as_audio(invitation: Invitation) -> tuple[list[Question], tuple[int, ...]]:
    """The snapshot with every not-yet-recorded video question answered by audio instead.

    The question's own video (the recruiter asking it) stays: only the answer changes.
    """
    questions, positions = [], []
    for position, question in enumerate(invitation.questions, 1):
        data = question.as_dict()
        recorded = lifecycle.question_count(invitation.attempt_seq, question.question_id) > 0
        if question.answer_type == "video" and not recorded:
            data["answer_type"] = "audio"
            positions.append(position)
        questions.append(Question(**data))
    return questions, tuple(positions)


def _decide(
    invitation: Invitation,
    status: str,
    *,
    user_id: str,
    now: datetime,
    actions: list[Any],
    condition: Any,
    detail: dict[str, Any],
) -> None:
    """Record the decision (and what it applies) with its audit event, once."""
    decided = [
        Invitation.accommodation.status.set(status),
        Invitation.accommodation.decided_by.set(user_id),
        Invitation.accommodation.decided_at.set(now),
    ]
    try:
        with transact_write() as transaction:
            transaction.update(invitation, actions=[*decided, *actions], condition=condition)
            transaction.save(
                activity.audit_event(
                    invitation.company_id,
                    user_id,
                    f"accommodation.{status}",
                    invitation.invitation_id,
                    detail,
                )
            )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        raise Conflict(
            "This candidate changed meanwhile (already decided, or they started recording). "
            "Reload and try again."
        ) from None
    logger.info(
        "accommodation decided",
        extra={"invitation_id": invitation.invitation_id, "status": status},
    )


def _announce(invitation: Invitation, event: str) -> None:
    """The webhook event, once the change is stored (the note stays out: it may be personal)."""
    asked = invitation.accommodation
    state = {"kinds": list(asked.kinds or []), "status": asked.status} if asked else None
    webhooks.emit(
        invitation.company_id, event, webhooks.invitation_data(invitation, accommodation=state)
    )


def _email(invitation: Invitation, status: str, applied: Applied) -> None:
    """Tell the candidate what was decided, in their language, with the link they already have."""
    token = current_token(invitation)  # the link they already have
    asked = invitation.accommodation
    candidate_mail.send_accommodation_answer(
        invitation,
        token,
        granted=status == GRANTED,
        kinds=list(asked.kinds or []) if asked else [],
        time_multiplier=applied.time_multiplier,
        audio_questions=list(applied.audio_questions),
    )
    activity.count_email(invitation.company_id)
