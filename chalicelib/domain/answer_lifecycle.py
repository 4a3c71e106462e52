"""An answer's processing states, moved only by conditional updates.

recording → uploaded → processing → ready | failed, and recording → released. Each move
states the state it leaves, so a duplicate or replayed event finds the answer already moved
and changes nothing. A worker claims the answer with a lease (a token and an expiry): a
redelivered message takes a processing answer over only once the lease has expired (the
worker died), and only the lease holder's result or failure lands. A failed answer gives its
attempt back, so the candidate may record again while the deadline allows; if the candidate
had already submitted, the question reopens for them (`invitation_lifecycle.ask_to_record_again`).
An attempt started but with nothing stored (the tab died before its first chunk) is released:
it no longer counts against the retakes.

Used by the media worker and by the scheduled sweep; depends on the data models only.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.data import keys
from chalicelib.data.media_layout import AttemptLocation
from chalicelib.data.models import Answer, Invitation, utcnow
from chalicelib.data.repositories import candidates as candidate_repository
from chalicelib.data.repositories import due
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.data.transactions import transact_write
from chalicelib.domain import webhooks
from chalicelib.domain.activity import add_usage
from chalicelib.domain.answer_states import KEPT
from chalicelib.domain.invitation_lifecycle import LIVE, ask_to_record_again

PROCESSING_BUCKET = keys.DUE_PROCESSING
# Attempts being recorded, due when their first upload grant has expired: if nothing was
# stored by then, the sweep releases the attempt.
RECORDING_BUCKET = keys.DUE_RECORDING
# Lambda's ceiling for one worker run; infra/resources.py derives the uploads queue's
# visibility timeout from it, so a redelivery comes after the lease below has run out.
WORKER_TIMEOUT_SECONDS = 900
# Clock skew between the worker and whoever judges its lease.
LEASE_MARGIN_SECONDS = 30
LEASE = timedelta(seconds=WORKER_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
UPLOAD_VISIBILITY_SECONDS = WORKER_TIMEOUT_SECONDS + 2 * LEASE_MARGIN_SECONDS
MAX_RECEIVES = 3
# A lease plus every redelivery SQS still makes: past this no worker will finish the answer.
STUCK_AFTER = LEASE + timedelta(seconds=UPLOAD_VISIBILITY_SECONDS * (MAX_RECEIVES - 1))
PROCESSING_ERROR = "processing_error"
PROCESSING_ERROR_MESSAGE = "We couldn't process your recording. Please record this answer again."


@dataclass(frozen=True)
class MediaFacts:
    """What the worker learned about the playable result."""

    media_key: str
    poster_key: str | None
    duration_seconds: float
    width: int | None
    height: int | None
    video_codec: str | None
    audio_codec: str | None
    size_bytes: int
    # The upload was cut off and salvaged: it ends `cut_at_seconds` into the recording.
    cut_short: bool = False
    cut_at_seconds: float | None = None
    # How it was made (copy | copy_video | transcode) and the worker's seconds on it.
    processing_path: str | None = None
    worker_seconds: float | None = None
    # The poster's size: stored beside the media, so counted in the company's stored bytes.
    poster_bytes: int = 0


RELEASED = "released"


def best_attempts(answers: Iterable[Answer]) -> dict[str, Answer]:
    """Per question, the attempt that stands: the newest one that was saved, else the newest.

    An abandoned or failed re-record never hides an earlier good answer.
    """
    best: dict[str, Answer] = {}
    for answer in answers:
        current = best.get(answer.question_id)
        if current is None:
            best[answer.question_id] = answer
            continue
        kept, current_kept = (
            answer.status in KEPT or bool(answer.text),
            (current.status in KEPT or bool(current.text)),
        )
        if (kept, answer.attempt) > (current_kept, current.attempt):
            best[answer.question_id] = answer
    return best


def load(company_id: str, invitation_id: str, question_id: str, attempt: int) -> Answer | None:
    return candidate_repository.answer(company_id, invitation_id, question_id, attempt)


class LeaseHeld(Exception):
    """Another worker's lease on the answer is still live: retry the message later."""

    def __init__(self, lease_until: datetime | None) -> None:
        super().__init__(f"leased until {lease_until.isoformat() if lease_until else '?'}")
        self.lease_until = lease_until


def lease_length() -> timedelta:
    """The worker's lease; `WORKER_LEASE_SECONDS` shortens it where workers are shorter-lived."""
    seconds = os.environ.get("WORKER_LEASE_SECONDS")
    return timedelta(seconds=float(seconds)) if seconds else LEASE


def lease_expired(answer: Answer, now: datetime) -> bool:
    """Whether the worker holding `answer` can no longer be running (no lease: an old claim)."""
    return answer.lease_until is None or answer.lease_until <= now


def start_processing(answer: Answer, redelivery: bool, now: datetime | None = None) -> bool:
    """Claim the answer for this worker; False when another event already has or had it.

    A redelivery takes over a processing answer only once its lease expired; while it is
    live, `LeaseHeld` is raised so the message comes back after the visibility timeout.
    """
    now = now or utcnow()
    if answer.status == "uploaded":
        condition = Answer.status == "uploaded"
    elif answer.status == "processing" and redelivery:
        if not lease_expired(answer, now):
            raise LeaseHeld(answer.lease_until)
        # The previous worker died: take over its very lease, and only once it expired.
        condition = (Answer.status == "processing") & _same_lease(answer) & _expired(now)
    else:
        return False
    try:
        answer.update(
            actions=[
                Answer.status.set("processing"),
                Answer.updated_at.set(now),
                Answer.lease_id.set(uuid.uuid4().hex),
                Answer.lease_until.set(now + lease_length()),
                Answer.due_bucket.set(PROCESSING_BUCKET),
                Answer.due_at.set((now + STUCK_AFTER).isoformat()),
            ],
            condition=condition,
        )
    except UpdateError:
        return False
    return True


def give_up(answer: Answer, now: datetime | None = None) -> bool:
    """End this worker's lease early: it failed and SQS's retry may take the answer over.

    False when the lease was no longer this worker's (taken over, or the answer moved on).
    """
    now = now or utcnow()
    try:
        answer.update(actions=[Answer.lease_until.set(now)], condition=_holding(answer))
    except UpdateError:
        return False
    return True


def _same_lease(answer: Answer) -> Any:
    if answer.lease_id is None:
        return Answer.lease_id.does_not_exist()
    return Answer.lease_id == answer.lease_id


def _expired(now: datetime) -> Any:
    return Answer.lease_until.does_not_exist() | (Answer.lease_until <= now)


def _holding(answer: Answer) -> Any:
    """The condition that `answer` is still processing under the lease this copy holds."""
    return (Answer.status == "processing") & _same_lease(answer)


def mark_ready(answer: Answer, facts: MediaFacts) -> bool:
    try:
        answer.update(
            actions=[
                Answer.status.set("ready"),
                Answer.media_key.set(facts.media_key),
                Answer.poster_key.set(facts.poster_key)
                if facts.poster_key
                else Answer.poster_key.remove(),
                Answer.duration_seconds.set(round(facts.duration_seconds, 3)),
                Answer.width.set(facts.width) if facts.width else Answer.width.remove(),
                Answer.height.set(facts.height) if facts.height else Answer.height.remove(),
                Answer.video_codec.set(facts.video_codec)
                if facts.video_codec
                else Answer.video_codec.remove(),
                Answer.audio_codec.set(facts.audio_codec)
                if facts.audio_codec
                else Answer.audio_codec.remove(),
                Answer.size_bytes.set(facts.size_bytes),
                Answer.processing_path.set(facts.processing_path)
                if facts.processing_path
                else Answer.processing_path.remove(),
                Answer.worker_seconds.set(round(facts.worker_seconds, 3))
                if facts.worker_seconds is not None
                else Answer.worker_seconds.remove(),
                Answer.cut_short.set(facts.cut_short),
                Answer.cut_at_seconds.set(round(facts.cut_at_seconds, 3))
                if facts.cut_short and facts.cut_at_seconds is not None
                else Answer.cut_at_seconds.remove(),
                Answer.updated_at.set(utcnow()),
                Answer.lease_until.remove(),
                Answer.due_bucket.remove(),
                Answer.due_at.remove(),
            ],
            condition=_holding(answer),
        )
    except UpdateError:
        return False
    return True


def record_usage(answer: Answer, facts: MediaFacts) -> None:
    """Recorded minutes, the worker's seconds and the stored bytes, for the company's bill.

    Called once the answer turned ready (`mark_ready` succeeded), so a redelivery counts
    nothing twice.
    """
    add_usage(
        answer.company_id,
        recorded_seconds=facts.duration_seconds,
        stored_bytes=facts.size_bytes + facts.poster_bytes,
        worker_seconds=facts.worker_seconds or 0,
        worker_runs=1,
    )


def mark_failed(
    answer: Answer,
    reason: str,
    message: str,
    from_status: str = "processing",
    now: datetime | None = None,
) -> bool:
    """Record why, in the candidate's words, and give the attempt back.

    From processing, only under the lease `answer` holds; with `now`, only once it expired.
    """
    condition = Answer.status == from_status
    if from_status == "processing":
        condition = _holding(answer)
        if now is not None:
            condition = condition & _expired(now)
    try:
        answer.update(
            actions=[
                Answer.status.set("failed"),
                Answer.error_reason.set(reason),
                Answer.error_message.set(message),
                Answer.updated_at.set(utcnow()),
                Answer.lease_until.remove(),
                Answer.due_bucket.remove(),
                Answer.due_at.remove(),
            ],
            condition=condition,
        )
    except UpdateError:
        return False
    _after_failure(answer)
    _report_failure(answer, reason)
    return True


def _after_failure(answer: Answer) -> None:
    """Give the attempt back; after the candidate submitted, reopen the question for them.

    The question reopens only when no earlier attempt of it still stands (a failed retake
    after a good answer leaves that answer in place, and the interview stays submitted).
    """
    invitation = invitation_repository.get(answer.company_id, answer.invitation_id, consistent=True)
    if invitation is None:
        return  # deleted meanwhile (the candidate asked for it)
    reopened = set(invitation.reopened_questions or ())
    submitted = invitation.status == "completed" or (
        bool(reopened) and answer.question_id not in reopened
    )
    if not submitted:
        _give_attempt_back(answer)
        return
    if _question_still_answered(answer):
        return
    ask_to_record_again(invitation, answer.question_id)


def _question_still_answered(answer: Answer) -> bool:
    """Whether another attempt at the answer's question still stands (one Query)."""
    attempts = candidate_repository.attempts(
        answer.company_id, answer.invitation_id, answer.question_id, consistent=True
    )
    return any(
        int(other.attempt) != int(answer.attempt) and (other.status in KEPT or bool(other.text))
        for other in attempts
    )


def _report_failure(answer: Answer, reason: str) -> None:
    webhooks.emit(
        answer.company_id,
        "answer.failed",
        {
            "invitation_id": answer.invitation_id,
            "interview_id": answer.interview_id,
            "question_id": answer.question_id,
            "attempt": int(answer.attempt),
            "reason": reason,
        },
    )


def _give_attempt_back(answer: Answer) -> None:
    pk, sk = Invitation.key(answer.company_id, answer.invitation_id)
    used = Invitation.attempts_used[answer.question_id]
    # Completed, revoked or already at zero: nothing to give back.
    with contextlib.suppress(UpdateError):
        Invitation(pk, sk).update(
            actions=[used.add(-1)],
            condition=(used > 0) & Invitation.status.is_in(*LIVE),
        )


def release_if_empty(answer: Answer, has_chunks: bool, now: datetime | None = None) -> bool:
    """Release an attempt that stored nothing: the attempt no longer counts.

    One transaction: the answer moves recording → released only if it is still recording,
    and the invitation's count for the question goes down with it. If chunks arrive later
    after all (a tab that was offline, not dead), finalise takes the attempt back.
    """
    if has_chunks or answer.status != "recording":
        return False
    now = now or utcnow()
    used = Invitation.attempts_used[answer.question_id]
    try:
        with transact_write() as transaction:
            transaction.update(
                answer,
                actions=[
                    Answer.status.set(RELEASED),
                    Answer.updated_at.set(now),
                    Answer.due_bucket.remove(),
                    Answer.due_at.remove(),
                ],
                condition=Answer.status == "recording",
            )
            transaction.update(
                Invitation(*Invitation.key(answer.company_id, answer.invitation_id)),
                actions=[used.add(-1)],
                condition=used > 0,
            )
    except TransactWriteError:
        return False  # finalised, released or recounted meanwhile
    return True


def location_of(answer: Answer) -> Any:
    """Where the attempt's files live in the media bucket."""
    return AttemptLocation(
        answer.company_id,
        answer.interview_id,
        answer.invitation_id,
        answer.question_id,
        int(answer.attempt),
    )


def recording_due(now: datetime, limit: int = 100) -> list[Answer]:
    """Attempts still recording once their first upload grant expired (the sweep's input)."""
    return due(Answer, RECORDING_BUCKET, now, limit)


def look_again(answer: Answer, chunks: int, stored_bytes: int, at: datetime) -> bool:
    """Remember what a still-recording attempt had stored, and have the sweep look at `at`.

    While recording, `chunk_count` and `uploaded_bytes` hold what the sweep last saw; the
    browser's finalise overwrites them. False when the attempt moved on meanwhile.
    """
    try:
        answer.update(
            actions=[
                Answer.chunk_count.set(chunks),
                Answer.uploaded_bytes.set(stored_bytes),
                Answer.due_at.set(at.isoformat()),
            ],
            condition=(Answer.status == "recording") & (Answer.due_at == answer.due_at),
        )
    except UpdateError:
        return False
    return True


def fail_stuck(now: datetime | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Fail answers processing past STUCK_AFTER whose lease expired (the sweep calls this).

    A live lease means a worker may still finish: the sweep leaves that answer alone.
    """
    now = now or utcnow()
    failed = []
    for item in due(Answer, PROCESSING_BUCKET, now, limit):
        if not lease_expired(item, now):
            continue
        if mark_failed(item, PROCESSING_ERROR, PROCESSING_ERROR_MESSAGE, now=now):
            failed.append(
                {
                    "invitation_id": item.invitation_id,
                    "question_id": item.question_id,
                    "attempt": int(item.attempt),
                }
            )
    return failed
