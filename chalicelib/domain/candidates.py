"""What a candidate can do with their link: open, consent, record, write, complete, feedback.

Every rule is enforced here, not in the page: the deadline, revocation, completion, the
number of attempts per question, that a question belongs to this invitation, and think time:
a question's text and video reach the candidate only once they open it, the server records
when, and its first recording must start before the think time (with the candidate's extra
time, plus a little grace) has run out, whatever became of the page meanwhile. Limits
are enforced by conditional writes, so two tabs or a double click cannot get around them.
Hot paths stay within three DynamoDB calls: the token lookup returns the whole invitation
(with its snapshot), answers come from one Query on the invitation's partition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.adapters import uploads
from chalicelib.config import get_settings
from chalicelib.data.media_layout import AttemptLocation
from chalicelib.data.models import Answer, Interview, Invitation, Question, utcnow
from chalicelib.data.repositories import candidates as candidate_repository
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.data.transactions import transact_write
from chalicelib.domain import answer_lifecycle
from chalicelib.domain import invitation_lifecycle as lifecycle
from chalicelib.domain.answer_lifecycle import KEPT, best_attempts
from chalicelib.domain.errors import Conflict, Gone, InvalidInput, NotFound
from chalicelib.domain.invitations import find_by_token
from chalicelib.observability import logger, metrics

ANSWERED = KEPT
UPLOAD_GRACE = timedelta(hours=2)
# A live tab stores its first chunk about a second after recording starts: an attempt still
# empty this long after it started is taken for abandoned when the link is opened again.
RELEASE_AFTER = timedelta(seconds=10)
# An attempt whose stored chunks have not changed for this long has no tab sending them any
# more (closed, crashed, another device): the sweep finalises what arrived.
SETTLE_AFTER = timedelta(minutes=30)
MAX_TEXT_LENGTH = 5000
# A first recording may reach the server a little after the page's countdown ended (the
# camera starting, a slow connection): the server's think deadline is this much later.
THINK_GRACE = timedelta(seconds=10)


def _contact(invitation: Invitation) -> str:
    return (
        f" Contact {invitation.support_contact}"
        if invitation.support_contact
        else " Contact the company"
    )


def _deadline_text(deadline: datetime) -> str:
    return deadline.strftime("%d %B %Y, %H:%M UTC")


def _check_open(invitation: Invitation, now: datetime) -> None:
    """Refuse work on an invitation that is over (completed ones may still be viewed)."""
    if invitation.status == "completed":
        raise Conflict("You have already completed this interview. Thank you!")
    if invitation.status == "expired" or now > invitation.deadline:
        raise Gone(
            f"The deadline for this interview passed on {_deadline_text(invitation.deadline)}."
            + _contact(invitation)
            + " if you need more time."
        )


def _question(invitation: Invitation, question_id: str) -> tuple[int, Question]:
    for position, question in enumerate(invitation.questions, 1):
        if question.question_id == question_id:
            return position, question
    raise NotFound("That question is not part of your interview. Reload the page to continue.")


def _all_attempts(invitation: Invitation) -> list[Answer]:
    """Every attempt at every question: one Query on the invitation's partition."""
    return candidate_repository.answers(invitation.company_id, invitation.invitation_id)


def _answers(invitation: Invitation) -> dict[str, Answer]:
    """The attempt that stands per question."""
    return best_attempts(_all_attempts(invitation))


def _newest(attempts: list[Answer]) -> dict[str, Answer]:
    """The latest attempt per question, whatever became of it."""
    newest: dict[str, Answer] = {}
    for answer in attempts:
        current = newest.get(answer.question_id)
        if current is None or int(answer.attempt) > int(current.attempt):
            newest[answer.question_id] = answer
    return newest


def _release_stranded(invitation: Invitation, attempts: list[Answer], now: datetime) -> bool:
    """Release the open attempts that stored nothing (the tab died before its first chunk).

    Only attempts still `recording` and older than RELEASE_AFTER are looked at, one S3
    listing each: normally none, at most one per question. A released attempt no longer
    counts against the retakes; chunks arriving later after all (a tab that was offline, not
    closed) are still finalised.
    """
    released = False
    for answer in attempts:
        if answer.status != "recording" or now - answer.created_at < RELEASE_AFTER:
            continue
        location = _location(invitation, answer.question_id, int(answer.attempt))
        if answer_lifecycle.release_if_empty(answer, bool(uploads.stored_chunks(location)), now):
            answer.status = answer_lifecycle.RELEASED
            released = True
    if released:
        invitation.refresh(consistent_read=True)  # the counts went down
    return released


def _limits(invitation: Invitation, question: Question) -> tuple[int, int]:
    """Think and answer seconds for this candidate, accommodation included."""
    factor = float(invitation.time_multiplier or 1)
    return round(int(question.think_seconds) * factor), round(
        int(question.max_answer_seconds) * factor
    )


@dataclass(frozen=True)
class ThinkTime:
    """A question's think time as the server holds it, from when the candidate opened it.

    `deadline` and `seconds_left` only while a limit applies: the question is opened, is
    answered by recording, has a think time, and no recording of it has started yet (a
    retake needs none: the candidate has read the question long before). `over`: that first
    recording can no longer start, so the question stays unanswered (missed).
    """

    opened_at: datetime | None
    deadline: datetime | None
    seconds_left: int | None
    over: bool


def _opened_at(invitation: Invitation, question_id: str) -> datetime | None:
    opened = invitation.opened_questions
    values = opened.as_dict() if hasattr(opened, "as_dict") else dict(opened or {})
    when = values.get(question_id)
    return datetime.fromisoformat(when) if when else None


def think_time(invitation: Invitation, question: Question, now: datetime) -> ThinkTime:
    """Where the candidate stands with a question's think time at `now` (no I/O)."""
    opened = _opened_at(invitation, question.question_id)
    think, _ = _limits(invitation, question)
    started = lifecycle.question_count(invitation.attempt_seq, question.question_id) > 0
    if opened is None or started or question.answer_type == "text" or not think:
        return ThinkTime(opened, None, None, False)
    deadline = opened + timedelta(seconds=think)
    left = max(0, math.ceil((deadline - now).total_seconds()))
    return ThinkTime(opened, deadline, left, now > deadline + THINK_GRACE)


def revealed(invitation: Invitation, question_id: str) -> bool:
    """Whether the candidate may read a question: opened, or answered before openings were
    stored (a recording started, a text saved)."""
    return (
        _opened_at(invitation, question_id) is not None
        or lifecycle.question_count(invitation.attempt_seq, question_id) > 0
        or question_id in (invitation.answered_questions or ())
    )


def _time_of_day(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S UTC")


def _record_opening(invitation: Invitation, question_id: str, now: datetime) -> datetime:
    """Store when the question was first opened; a later open keeps the first time.

    One conditional update: two tabs opening at once agree on one time, and a reload never
    restarts the think time. An invitation made before openings were stored has no map yet:
    it gets one, under the same condition.
    """
    path = Invitation.opened_questions[question_id]
    live = lifecycle.condition("start")
    try:
        invitation.update(
            actions=[path.set(now.isoformat())], condition=path.does_not_exist() & live
        )
    except UpdateError as error:
        if error.cause_response_code != "ValidationException":
            invitation.refresh(consistent_read=True)  # opened meanwhile, or no longer live
        else:
            try:
                invitation.update(
                    actions=[Invitation.opened_questions.set({question_id: now.isoformat()})],
                    condition=Invitation.opened_questions.does_not_exist() & live,
                )
            except UpdateError:
                invitation.refresh(consistent_read=True)
    opened = _opened_at(invitation, question_id)
    if opened is None:
        _check_open(invitation, now)
        raise Conflict("Your interview changed in another tab or window. Reload the page.")
    return opened


def _check_think_time(invitation: Invitation, question: Question, now: datetime) -> None:
    """The first recording of a question starts before its think time has run out.

    Starting a question that was never opened opens it now: its text reaches the candidate
    with the recording already started, so no think time is left to take. Retakes are not
    timed (the candidate has known the question since the first attempt).
    """
    if lifecycle.question_count(invitation.attempt_seq, question.question_id):
        return
    if _opened_at(invitation, question.question_id) is None:
        _record_opening(invitation, question.question_id, now)
        return
    thinking = think_time(invitation, question, now)
    if thinking.over and thinking.deadline is not None:
        raise Conflict(
            f"Your think time for this question ended at {_time_of_day(thinking.deadline)} "
            "before a recording was started, so it can no longer be answered. Your other "
            "answers are not affected: continue with the next question.",
            details=[
                {
                    "field": "question_id",
                    "problem": "think_time_over",
                    "think_deadline": thinking.deadline.isoformat(),
                }
            ],
        )


@dataclass(frozen=True)
class Playback:
    """A processed recording the candidate can play back: how long, and whether it was cut."""

    media_key: str
    poster_key: str | None
    duration_seconds: float
    # A recording cut off by a reload or a crash, kept up to where it stopped.
    cut_short: bool
    cut_at_seconds: float | None


@dataclass(frozen=True)
class RetakeFailure:
    """A later attempt that failed processing while an earlier answer still stands."""

    attempt: int
    error_message: str | None


@dataclass(frozen=True)
class CandidateAnswer:
    """The candidate's own answer to one question, as the rules let them see it."""

    attempt: int
    status: str
    error_message: str | None  # only for a failed answer
    text: str | None
    playback: Playback | None = None  # once ready with its media
    retake_failed: RetakeFailure | None = None


def candidate_answer(answer: Answer | None, newest: Answer | None = None) -> CandidateAnswer | None:
    """The candidate's own answer; when ready, with what was kept and its media to play.

    `newest`: the latest attempt at the question, when it failed after an earlier answer
    that still stands: the candidate is told why their retake could not be used.
    """
    if answer is None:
        return None
    playback = None
    if answer.status == "ready" and answer.media_key:
        playback = Playback(
            media_key=answer.media_key,
            poster_key=answer.poster_key,
            duration_seconds=float(answer.duration_seconds or 0),
            cut_short=bool(answer.cut_short),
            cut_at_seconds=float(answer.cut_at_seconds)
            if answer.cut_short and answer.cut_at_seconds is not None
            else None,
        )
    retake_failed = None
    if (
        newest is not None
        and newest.status == "failed"
        and int(newest.attempt) > int(answer.attempt)
    ):
        retake_failed = RetakeFailure(int(newest.attempt), newest.error_message)
    return CandidateAnswer(
        attempt=int(answer.attempt),
        status=answer.status,
        error_message=answer.error_message if answer.status == "failed" else None,
        text=answer.text,
        playback=playback,
        retake_failed=retake_failed,
    )


def _used(invitation: Invitation, question_id: str) -> int:
    return lifecycle.question_count(invitation.attempts_used, question_id)


def _attempts(invitation: Invitation, question: Question) -> tuple[int, int]:
    used = _used(invitation, question.question_id)
    allowed = 1 + int(question.retakes)
    return used, max(allowed - used, 0)


@dataclass(frozen=True)
class SessionQuestion:
    """One question of the candidate's interview with this candidate's limits and answer."""

    question: Question
    position: int
    think_seconds: int  # accommodation included
    max_answer_seconds: int  # accommodation included
    max_text_length: int | None  # text questions only
    attempts_used: int
    attempts_left: int
    answer: CandidateAnswer | None
    # Reopened after its answer failed processing once the interview was submitted.
    reopened: bool
    # Its text and video may be shown: opened (or answered before openings were recorded).
    revealed: bool = False
    think: ThinkTime = ThinkTime(None, None, None, False)

    @property
    def question_id(self) -> str:
        return self.question.question_id

    @property
    def missed(self) -> bool:
        """Its think time ran out before any recording started: it stays unanswered."""
        return self.think.over


@dataclass(frozen=True)
class Session:
    """Everything the recording site shows: the invitation's snapshot, questions, progress."""

    invitation: Invitation
    time_multiplier: float
    feedback_given: bool
    # Questions to record again after a processing failure, only those may be answered.
    reopened_questions: list[str]
    questions: list[SessionQuestion]
    answered: int
    total: int


def session_of(
    invitation: Invitation, attempts: list[Answer], now: datetime | None = None
) -> Session:
    """What the candidate sees of their interview, from the invitation and every attempt.

    No I/O: the limits with the accommodation, the attempts left, the answer that stands
    per question (and a failed retake behind it), progress, the reopened questions, and
    each question's think time at `now` (which questions may be read, which were missed).
    """
    now = now or utcnow()
    answers, newest = best_attempts(attempts), _newest(attempts)
    questions = []
    reopened = set(invitation.reopened_questions or ())
    for position, question in enumerate(invitation.questions, 1):
        think, limit = _limits(invitation, question)
        used, left = _attempts(invitation, question)
        if question.answer_type == "text":
            used, left = 0, 0
        questions.append(
            SessionQuestion(
                question=question,
                position=position,
                think_seconds=think,
                max_answer_seconds=limit,
                max_text_length=MAX_TEXT_LENGTH if question.answer_type == "text" else None,
                attempts_used=used,
                attempts_left=left,
                answer=candidate_answer(
                    answers.get(question.question_id), newest.get(question.question_id)
                ),
                reopened=question.question_id in reopened,
                revealed=revealed(invitation, question.question_id),
                think=think_time(invitation, question, now),
            )
        )
    answered = sum(1 for q in invitation.questions if _is_answered(answers.get(q.question_id)))
    return Session(
        invitation=invitation,
        time_multiplier=float(invitation.time_multiplier or 1),
        feedback_given=invitation.feedback_at is not None,
        reopened_questions=sorted(reopened),
        questions=questions,
        answered=answered,
        total=len(invitation.questions),
    )


def _is_answered(answer: Answer | None) -> bool:
    return answer is not None and (answer.status in ANSWERED or bool(answer.text))


def open_session(token: str) -> Session:
    """Everything the recording site needs; the first open moves `invited` to `opened`."""
    invitation = find_by_token(token)
    now = utcnow()
    if invitation.status != "completed":
        _check_open(invitation, now)
    lifecycle.open(invitation, now)
    attempts = _all_attempts(invitation)
    if invitation.status in lifecycle.LIVE:
        _release_stranded(invitation, attempts, now)
    return session_of(invitation, attempts, now)


def open_question(token: str, question_id: str) -> SessionQuestion:
    """Show the candidate a question: its text and video, and start its think time.

    The first open is stored (`_record_opening`); opening again (a reload, another tab)
    returns the same question with the think time that is left, never a fresh one.
    """
    invitation = find_by_token(token)
    now = utcnow()
    _check_open(invitation, now)
    _require_consent(invitation)
    position, _ = _question(invitation, question_id)
    if _opened_at(invitation, question_id) is None:
        _check_reopened(invitation, question_id)
        _record_opening(invitation, question_id, now)
        logger.info(
            "question opened",
            extra={"invitation_id": invitation.invitation_id, "question": position},
        )
    found = session_of(invitation, _all_attempts(invitation), now)
    return found.questions[position - 1]


def consent(token: str) -> datetime:
    """Record the candidate's consent once; returns when it was given."""
    invitation = find_by_token(token)
    _check_open(invitation, utcnow())
    if invitation.consent_at is None:
        try:
            invitation.update(
                actions=[Invitation.consent_at.set(utcnow())],
                condition=Invitation.consent_at.does_not_exist(),
            )
        except UpdateError:
            invitation.refresh()
    return invitation.consent_at


def _require_consent(invitation: Invitation) -> None:
    if invitation.consent_at is None:
        raise Conflict("Please read the privacy notice and give your consent before answering.")


def _check_mime(question: Question, mime_type: str) -> None:
    family = uploads.content_type_family(mime_type)
    allowed = {"video": {"video"}, "audio": {"audio", "video"}}.get(question.answer_type, set())
    if family not in allowed:
        raise InvalidInput(
            "This question needs a " + question.answer_type + " recording.",
            details=[{"field": "mime_type", "problem": "wrong_family", "message": mime_type}],
        )


@dataclass(frozen=True)
class AttemptGrant:
    """An attempt's number and the presigned POST its chunks are uploaded with."""

    attempt: int
    upload: uploads.Grant


def start_attempt(
    token: str, question_id: str, mime_type: str, client_attempt_id: str | None = None
) -> AttemptGrant:
    """Use one attempt at a recorded question and grant its upload.

    One transaction: the invitation's counters move only if nobody moved them since we read
    them (a second tab gets 409 and reloads), the answer item is created, and the first
    start of the interview is counted on it. `attempt_seq` only grows, so an attempt given
    back after a failed upload never reuses a number.

    `client_attempt_id` makes the start safe to repeat: the page makes one per recording it
    starts and sends it again when the reply was lost, and gets the same attempt back (a
    fresh grant) instead of spending a retake or being refused.
    """
    invitation = find_by_token(token)
    now = utcnow()
    _check_open(invitation, now)
    _require_consent(invitation)
    position, question = _question(invitation, question_id)
    if question.answer_type == "text":
        raise Conflict("This question takes a written answer.")
    _check_mime(question, mime_type)
    _check_reopened(invitation, question_id)
    _check_think_time(invitation, question, now)
    if client_attempt_id:
        repeated = _repeated_start(invitation, question, client_attempt_id)
        if repeated is not None:
            return repeated
    allowed = 1 + int(question.retakes)
    used = _used(invitation, question_id)
    if used >= allowed:
        raise Conflict(
            "You have used all your attempts for this question. Your last recording is kept."
        )
    seq = max(lifecycle.question_count(invitation.attempt_seq, question_id), used)
    attempt = seq + 1
    used_path = Invitation.attempts_used[question_id]
    seq_path = Invitation.attempt_seq[question_id]
    first_start = invitation.started_at is None
    condition = (
        ((used_path == used) if used else (used_path.does_not_exist() | (used_path == 0)))
        & (seq_path.does_not_exist() | (seq_path == seq))
        & lifecycle.condition("start")
    )
    if first_start:
        condition &= Invitation.started_at.does_not_exist()
    _, limit = _limits(invitation, question)
    pk, sk = Answer.key(invitation.company_id, invitation.invitation_id, question_id, attempt)
    answer = Answer(
        pk,
        sk,
        company_id=invitation.company_id,
        interview_id=invitation.interview_id,
        invitation_id=invitation.invitation_id,
        question_id=question_id,
        attempt=attempt,
        answer_type=question.answer_type,
        mime_type=mime_type,
        max_seconds=limit,
        status="recording",
        client_attempt_id=client_attempt_id,
        # If nothing is stored by the time this grant expires, the sweep releases the attempt.
        due_bucket=answer_lifecycle.RECORDING_BUCKET,
        due_at=(now + timedelta(seconds=get_settings().upload_url_ttl_seconds)).isoformat(),
    )
    try:
        with transact_write() as transaction:
            transaction.update(
                invitation,
                actions=[
                    used_path.set(used + 1),
                    seq_path.set(attempt),
                    *lifecycle.start_actions(now),
                ],
                condition=condition,
            )
            transaction.save(answer, condition=Answer.pk.does_not_exist())
            if first_start:
                transaction.update(
                    Interview(*Interview.key(invitation.company_id, invitation.interview_id)),
                    actions=[Interview.count_started.add(1)],
                )
    except TransactWriteError:
        if client_attempt_id:
            # The same start sent twice at once: the copy that lost the race answers with
            # the attempt the other one opened.
            invitation.refresh(consistent_read=True)
            repeated = _repeated_start(invitation, question, client_attempt_id)
            if repeated is not None:
                return repeated
        raise Conflict(
            "Your interview changed in another tab or window. Reload the page to continue."
        ) from None
    location = _location(invitation, question_id, attempt)
    upload = uploads.grant(location, mime_type, question.answer_type, limit)
    logger.info(
        "attempt started",
        extra={"invitation_id": invitation.invitation_id, "question": position, "attempt": attempt},
    )
    return AttemptGrant(attempt, upload)


def _repeated_start(
    invitation: Invitation, question: Question, client_attempt_id: str
) -> AttemptGrant | None:
    """The attempt a repeated start asks for again, with a fresh grant; None for a new start.

    Only the question's latest attempt can match (one GetItem on the number `attempt_seq`
    holds). Still recording: it is handed back. Already sent for saving: nothing to start,
    and no retake is spent on a repeat. Released (the tab looked dead): a new attempt, as
    today's rules say.
    """
    latest = lifecycle.question_count(invitation.attempt_seq, question.question_id)
    if not latest:
        return None
    answer = candidate_repository.answer(
        invitation.company_id,
        invitation.invitation_id,
        question.question_id,
        latest,
        consistent=True,
    )
    if answer is None or answer.client_attempt_id != client_attempt_id:
        return None
    if answer.status == answer_lifecycle.RELEASED:
        return None
    if answer.status != "recording":
        raise Conflict("This recording was already sent for saving. Reload the page to continue.")
    location = _location(invitation, question.question_id, latest)
    upload = uploads.grant(
        location,
        answer.mime_type or "video/webm",
        question.answer_type,
        float(answer.max_seconds or question.max_answer_seconds),
    )
    logger.info(
        "attempt start repeated",
        extra={"invitation_id": invitation.invitation_id, "attempt": latest},
    )
    return AttemptGrant(latest, upload)


def _check_reopened(invitation: Invitation, question_id: str) -> None:
    """After a resubmission was asked for, only the reopened questions take answers."""
    reopened = invitation.reopened_questions
    if reopened and question_id not in reopened:
        raise Conflict(
            "You have already submitted this answer. Only the questions we asked you to "
            "record again are open."
        )


def _location(invitation: Invitation, question_id: str, attempt: int) -> AttemptLocation:
    """Where this attempt's chunks, manifest and media live in the bucket."""
    return AttemptLocation(
        invitation.company_id,
        invitation.interview_id,
        invitation.invitation_id,
        question_id,
        attempt,
    )


def _get_answer(invitation: Invitation, question_id: str, attempt: int) -> Answer:
    answer = candidate_repository.answer(
        invitation.company_id, invitation.invitation_id, question_id, attempt
    )
    if answer is None:
        raise NotFound("That recording attempt does not exist. Reload the page to continue.")
    return answer


def renew_grant(token: str, question_id: str, attempt: int, first_chunk: int = 0) -> AttemptGrant:
    """The grant for the window of chunk numbers from `first_chunk` (next window, expiry, reload).

    Only for an attempt still being recorded or uploaded (a released one may still send what
    it recorded offline); once finalised, nothing more can be written. Windows stop at the
    answer's bound. A recording started before the deadline may finish uploading after it,
    within a grace period: the candidate did nothing wrong by answering at the last minute.
    """
    invitation = find_by_token(token)
    now = utcnow()
    if invitation.status == "completed":
        raise Conflict("You have already completed this interview. Thank you!")
    _, question = _question(invitation, question_id)
    answer = _get_answer(invitation, question_id, attempt)
    if answer.status not in ("recording", answer_lifecycle.RELEASED):
        raise Conflict("This recording is already saved.")
    if now > invitation.deadline + UPLOAD_GRACE:
        _check_open(invitation, now)
    location = _location(invitation, question_id, attempt)
    try:
        upload = uploads.grant(
            location,
            answer.mime_type or "video/webm",
            question.answer_type,
            float(answer.max_seconds or question.max_answer_seconds),
            first_chunk,
        )
    except uploads.BeyondBound:
        raise InvalidInput(
            "This recording is longer than the question allows. Please record it again.",
            details=[{"field": "first_chunk", "problem": "beyond_bound"}],
        ) from None
    return AttemptGrant(attempt, upload)


def finalise(token: str, question_id: str, attempt: int, chunks: int) -> CandidateAnswer | None:
    """Check every chunk is in S3, mark the answer uploaded and hand it to the media worker.

    The deadline is checked when recording starts; an answer being saved is never refused
    for it. Two DynamoDB calls on the normal path: the token lookup and one transaction.
    """
    invitation = find_by_token(token)
    _, question = _question(invitation, question_id)
    if not 0 < attempt <= lifecycle.question_count(invitation.attempt_seq, question_id):
        raise NotFound("That recording attempt does not exist. Reload the page to continue.")
    location = _location(invitation, question_id, attempt)
    stored = uploads.chunk_objects(location)
    missing = [index for index in range(chunks) if index not in stored]
    if missing:
        return _already_finalised(invitation, question_id, attempt, chunks, missing)
    parts = [stored[index] for index in range(chunks)]
    _, limit = _limits(invitation, question)
    bound = uploads.upload_bound(question.answer_type, limit)
    total = sum(part.size for part in parts)
    if chunks > bound.max_chunks or total > bound.max_total_bytes:
        raise InvalidInput(
            "This recording is larger than the question allows. Please record it again."
        )
    now = utcnow()
    answer = Answer(
        *Answer.key(invitation.company_id, invitation.invitation_id, question_id, attempt),
        question_id=question_id,
    )
    try:
        _mark_uploaded(invitation, answer, parts, now, released=False)
    except TransactWriteError:
        # Released while its chunks were still on their way (a tab offline, not closed):
        # the recording is kept and counts again.
        try:
            _mark_uploaded(invitation, answer, parts, now, released=True)
        except TransactWriteError:
            return _already_finalised(invitation, question_id, attempt, chunks, [])
    uploads.write_manifest(location, chunks)
    metrics.add_metric(name="AnswersUploaded", unit="Count", value=1)
    answer.attempt, answer.status = attempt, "uploaded"
    return candidate_answer(answer)


def _mark_uploaded(
    invitation: Invitation,
    answer: Answer,
    parts: list[uploads.StoredChunk],
    now: datetime,
    *,
    released: bool,
) -> None:
    """recording (or released) → uploaded, and the question counted as answered, at once.

    Every chunk's size and ETag are recorded with it: the worker fetches exactly these
    objects, so a chunk replaced or added afterwards never reaches the answer.
    """
    invitation_actions: list[Any] = [Invitation.answered_questions.add({answer.question_id})]
    if released:
        invitation_actions.append(Invitation.attempts_used[answer.question_id].add(1))
    with transact_write() as transaction:
        transaction.update(
            answer,
            actions=[
                Answer.status.set("uploaded"),
                Answer.chunk_count.set(len(parts)),
                Answer.uploaded_bytes.set(sum(part.size for part in parts)),
                Answer.chunk_sizes.set([part.size for part in parts]),
                Answer.chunk_etags.set([part.etag for part in parts]),
                Answer.uploaded_at.set(now),
                Answer.updated_at.set(now),
                Answer.due_bucket.remove(),
                Answer.due_at.remove(),
            ],
            condition=Answer.status == (answer_lifecycle.RELEASED if released else "recording"),
        )
        transaction.update(invitation, actions=invitation_actions)


def settle_stranded(now: datetime, limit: int = 100) -> dict[str, int]:
    """The sweep's pass over attempts still recording once their first upload grant expired.

    Nothing stored: the attempt is released (it no longer counts). Chunks stored, and more
    arrived since the last look: looked at again later. Chunks unchanged for SETTLE_AFTER:
    no tab is sending them any more, so the server finalises what arrived, up to the first
    missing chunk, and the worker salvages it like any recording cut off by a reload. The
    answer is kept, and the candidate sees it as theirs wherever they open the link next.
    """
    counts = {"released": 0, "finalised": 0}
    for answer in answer_lifecycle.recording_due(now, limit):
        location = answer_lifecycle.location_of(answer)
        stored = uploads.stored_chunks(location)
        leading = 0
        while leading in stored:
            leading += 1
        seen = (len(stored), sum(stored.values()))
        if not leading:  # nothing stored, or no first chunk: nothing could ever play
            if answer_lifecycle.release_if_empty(answer, False, now):
                counts["released"] += 1
            else:  # counts moved meanwhile: look again later rather than every sweep
                answer_lifecycle.look_again(answer, *seen, now + SETTLE_AFTER)
            continue
        if seen != (answer.chunk_count, answer.uploaded_bytes):
            answer_lifecycle.look_again(answer, *seen, now + SETTLE_AFTER)
            continue
        total = sum(size for index, size in stored.items() if index < leading)
        counts["finalised"] += _finalise_abandoned(answer, location, leading, total, now)
    return counts


def _finalise_abandoned(
    answer: Answer, location: AttemptLocation, chunks: int, total: int, now: datetime
) -> bool:
    invitation = invitation_repository.get(answer.company_id, answer.invitation_id, consistent=True)
    if invitation is None:
        return False
    parts = uploads.leading_chunks(location, chunks)
    if not parts or sum(part.size for part in parts) != total:
        return False  # chunks changed since the sweep looked: look again next time
    try:
        _mark_uploaded(invitation, answer, parts, now, released=False)
    except TransactWriteError:
        return False  # the browser finalised it meanwhile
    uploads.write_manifest(location, chunks)
    logger.info(
        "abandoned recording finalised",
        extra={"invitation_id": answer.invitation_id, "attempt": int(answer.attempt)},
    )
    return True


def _already_finalised(
    invitation: Invitation, question_id: str, attempt: int, chunks: int, missing: list[int]
) -> CandidateAnswer | None:
    """A retried finalise returns the same answer; otherwise say what is missing."""
    answer = _get_answer(invitation, question_id, attempt)
    if answer.status != "recording":
        if answer.chunk_count == chunks:
            return candidate_answer(answer)  # nothing happens twice
        raise Conflict("This recording was already saved with a different number of parts.")
    if missing:
        raise Conflict(
            "Some parts of your recording have not arrived yet. Keep this page open while we "
            "send them again.",
            details=[{"field": "chunks", "problem": "missing", "missing": missing[:500]}],
        )
    raise Conflict("This recording could not be saved. Reload the page to continue.")


def save_text(token: str, question_id: str, text: str) -> CandidateAnswer | None:
    """Write (or rewrite) a text answer; no attempts are counted."""
    invitation = find_by_token(token)
    _check_open(invitation, utcnow())
    _require_consent(invitation)
    _, question = _question(invitation, question_id)
    if question.answer_type != "text":
        raise Conflict("This question needs a recorded answer.")
    _check_reopened(invitation, question_id)
    now = utcnow()
    if _opened_at(invitation, question_id) is None:
        _record_opening(invitation, question_id, now)  # written without opening: opened now
    pk, sk = Answer.key(invitation.company_id, invitation.invitation_id, question_id, 1)
    answer = Answer(
        pk,
        sk,
        company_id=invitation.company_id,
        interview_id=invitation.interview_id,
        invitation_id=invitation.invitation_id,
        question_id=question_id,
        attempt=1,
        answer_type="text",
        status="ready",
        text=text,
        updated_at=now,
    )
    answer.save()
    if not lifecycle.start(invitation, now, [Invitation.answered_questions.add({question_id})]):
        raise Conflict("You have already completed this interview. Thank you!")
    return candidate_answer(answer)


@dataclass(frozen=True)
class Completion:
    """A completed interview: when, and what the company says and offers afterwards."""

    completed_at: datetime | None
    outro: str | None
    booking_url: str | None


def complete(token: str) -> Completion:
    """Finish the interview once every question has an answer."""
    invitation = find_by_token(token)
    if invitation.status == "completed":
        return _completion(invitation)
    now = utcnow()
    _check_open(invitation, now)
    answers = _answers(invitation)
    # A question whose think time ran out before any recording started can never be
    # answered: it is submitted unanswered rather than holding the interview back.
    unanswered = [
        q.question_id
        for q in invitation.questions
        if not _is_answered(answers.get(q.question_id)) and not think_time(invitation, q, now).over
    ]
    if unanswered:
        raise Conflict(
            "Some questions still need an answer before you can finish.",
            details=[{"field": "questions", "problem": "unanswered", "question_ids": unanswered}],
        )
    # Answers still on their way are checked in the same transaction: one failing at this
    # very moment blocks the completion instead of being lost behind it.
    pending = [a for a in answers.values() if a.status in ("uploaded", "processing")]
    if not lifecycle.complete(invitation, now, pending):
        invitation.refresh()
        if invitation.status in lifecycle.LIVE:
            raise Conflict(
                "One of your answers could not be processed just now. Reload the page to see "
                "which one and record it again."
            )
        if invitation.status != "completed":
            raise Conflict("This interview can no longer be completed.")
    return _completion(invitation)


def _completion(invitation: Invitation) -> Completion:
    return Completion(invitation.completed_at, invitation.outro, invitation.booking_url)


@dataclass(frozen=True)
class Feedback:
    """The candidate's rating of their experience, and what they wrote."""

    rating: int
    comment: str


def feedback(token: str, rating: int, comment: str) -> Feedback:
    invitation = find_by_token(token)
    if invitation.status != "completed":
        raise Conflict("You can leave feedback once you have finished the interview.")
    try:
        invitation.update(
            actions=[
                Invitation.feedback_rating.set(rating),
                Invitation.feedback_comment.set(comment or None),
                Invitation.feedback_at.set(utcnow()),
            ],
            condition=Invitation.feedback_at.does_not_exist(),
        )
    except UpdateError:
        raise Conflict("Thank you, we already have your feedback.") from None
    return Feedback(rating, comment)
