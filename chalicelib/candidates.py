"""What a candidate can do with their link: open, consent, record, write, complete, feedback.

Every rule is enforced here, not in the page: the deadline, revocation, completion, the
number of attempts per question, and that a question belongs to this invitation. Limits
are enforced by conditional writes, so two tabs or a double click cannot get around them.
Hot paths stay within three DynamoDB calls: the token lookup returns the whole invitation
(with its snapshot), answers come from one Query on the invitation's partition.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib import activity, uploads
from chalicelib.errors import Conflict, Gone, InvalidInput, NotFound
from chalicelib.invitations import find_by_token
from chalicelib.models import Answer, Invitation, Question, invitation_pk, utcnow
from chalicelib.observability import logger, metrics

ANSWERED = {"uploaded", "processing", "ready"}
MAX_TEXT_LENGTH = 5000


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


def _answers(invitation: Invitation) -> dict[str, Answer]:
    """The latest attempt per question: one Query on the invitation's partition."""
    latest: dict[str, Answer] = {}
    for answer in Answer.query(
        invitation_pk(invitation.company_id, invitation.invitation_id),
        Answer.sk.startswith("ANSWER#"),
    ):
        if not isinstance(answer, Answer):
            continue
        current = latest.get(answer.question_id)
        if current is None or answer.attempt > current.attempt:
            latest[answer.question_id] = answer
    return latest


def _limits(invitation: Invitation, question: Question) -> tuple[int, int]:
    """Think and answer seconds for this candidate, accommodation included."""
    factor = float(invitation.time_multiplier or 1)
    return round(int(question.think_seconds) * factor), round(
        int(question.max_answer_seconds) * factor
    )


def answer_view(answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "attempt": int(answer.attempt),
        "status": answer.status,
        "error_message": answer.error_message if answer.status == "failed" else None,
        "text": answer.text,
    }


def _used(invitation: Invitation, question_id: str) -> int:
    counts = invitation.attempts_used
    values = counts.as_dict() if hasattr(counts, "as_dict") else dict(counts or {})
    return int(values.get(question_id, 0))


def _attempts(invitation: Invitation, question: Question) -> tuple[int, int]:
    used = _used(invitation, question.question_id)
    allowed = 1 + int(question.retakes)
    return used, max(allowed - used, 0)


def session_view(invitation: Invitation, answers: dict[str, Answer]) -> dict[str, Any]:
    from chalicelib.interviews import question_video_url

    questions = []
    for position, question in enumerate(invitation.questions, 1):
        think, limit = _limits(invitation, question)
        used, left = _attempts(invitation, question)
        if question.answer_type == "text":
            used, left = 0, 0
        questions.append(
            {
                "question_id": question.question_id,
                "position": position,
                "text": question.text,
                "answer_type": question.answer_type,
                "think_seconds": think,
                "max_answer_seconds": limit,
                "max_text_length": MAX_TEXT_LENGTH if question.answer_type == "text" else None,
                "retakes": int(question.retakes),
                "attempts_used": used,
                "attempts_left": left,
                "video_url": question_video_url(question.video_key),
                "answer": answer_view(answers.get(question.question_id)),
            }
        )
    answered = sum(1 for q in invitation.questions if _is_answered(answers.get(q.question_id)))
    return {
        "invitation": {
            "candidate_name": invitation.candidate_name,
            "status": invitation.status,
            "deadline": invitation.deadline.isoformat(),
            "consent_at": _iso(invitation.consent_at),
            "completed_at": _iso(invitation.completed_at),
            "time_multiplier": float(invitation.time_multiplier or 1),
            "feedback_given": invitation.feedback_at is not None,
        },
        "company": {
            "name": invitation.company_name,
            "brand_color": invitation.brand_color,
            "logo_url": invitation.logo_url,
        },
        "interview": {
            "title": invitation.title,
            "role_description": invitation.role_description,
            "intro": invitation.intro,
            "outro": invitation.outro,
            "support_contact": invitation.support_contact,
        },
        "questions": questions,
        "progress": {"answered": answered, "total": len(invitation.questions)},
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _is_answered(answer: Answer | None) -> bool:
    return answer is not None and (answer.status in ANSWERED or bool(answer.text))


def open_session(token: str) -> dict[str, Any]:
    """Everything the recording site needs; the first open moves `invited` to `opened`."""
    invitation = find_by_token(token)
    now = utcnow()
    if invitation.status != "completed":
        _check_open(invitation, now)
    if invitation.status == "invited":
        try:
            invitation.update(
                actions=[Invitation.status.set("opened"), Invitation.opened_at.set(now)],
                condition=Invitation.status == "invited",
            )
            activity.bump(invitation.company_id, invitation.interview_id, "opened")
        except UpdateError:
            invitation.refresh()  # another tab opened it first
    return session_view(invitation, _answers(invitation))


def consent(token: str) -> dict[str, Any]:
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
    return {"consent_at": invitation.consent_at.isoformat()}


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


def start_attempt(token: str, question_id: str, mime_type: str) -> dict[str, Any]:
    """Use one attempt at a recorded question and grant its upload."""
    invitation = find_by_token(token)
    now = utcnow()
    _check_open(invitation, now)
    _require_consent(invitation)
    position, question = _question(invitation, question_id)
    if question.answer_type == "text":
        raise Conflict("This question takes a written answer.")
    _check_mime(question, mime_type)
    allowed = 1 + int(question.retakes)
    used_path = Invitation.attempts_used[question_id]
    try:
        invitation.update(
            actions=[
                used_path.add(1),
                Invitation.status.set("started"),
                Invitation.started_at.set(Invitation.started_at | now),
            ],
            condition=(
                (used_path < allowed) & Invitation.status.is_in("invited", "opened", "started")
            ),
        )
    except UpdateError:
        raise Conflict(
            "You have used all your attempts for this question. Your last recording is kept."
        ) from None
    attempt = _used(invitation, question_id)
    _count_first_start(invitation, now)
    _, limit = _limits(invitation, question)
    prefix = Answer.raw_prefix(
        invitation.company_id,
        invitation.interview_id,
        invitation.invitation_id,
        question_id,
        attempt,
    )
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
    )
    try:
        answer.save(condition=Answer.pk.does_not_exist())
    except PutError:
        raise Conflict("This attempt is already under way. Reload the page to continue.") from None
    upload = uploads.grant(prefix, mime_type, question.answer_type, limit)
    logger.info(
        "attempt started",
        extra={"invitation_id": invitation.invitation_id, "question": position, "attempt": attempt},
    )
    return {"attempt": attempt, "upload": upload.to_dict()}


def _count_first_start(invitation: Invitation, now: datetime) -> None:
    """`started_at` is set only if absent, so only the first start sees its own time."""
    if invitation.started_at == now:
        activity.bump(invitation.company_id, invitation.interview_id, "started")


def _get_answer(invitation: Invitation, question_id: str, attempt: int) -> Answer:
    try:
        return Answer.get(
            *Answer.key(invitation.company_id, invitation.invitation_id, question_id, attempt)
        )
    except Answer.DoesNotExist:
        raise NotFound(
            "That recording attempt does not exist. Reload the page to continue."
        ) from None


def renew_grant(token: str, question_id: str, attempt: int) -> dict[str, Any]:
    """A fresh upload grant for an attempt still being uploaded (expired grant, reload)."""
    invitation = find_by_token(token)
    _check_open(invitation, utcnow())
    _, question = _question(invitation, question_id)
    answer = _get_answer(invitation, question_id, attempt)
    if answer.status != "recording":
        raise Conflict("This recording is already saved.")
    prefix = Answer.raw_prefix(
        invitation.company_id,
        invitation.interview_id,
        invitation.invitation_id,
        question_id,
        attempt,
    )
    upload = uploads.grant(
        prefix,
        answer.mime_type or "video/webm",
        question.answer_type,
        float(answer.max_seconds or question.max_answer_seconds),
    )
    return {"attempt": attempt, "upload": upload.to_dict()}


def finalise(token: str, question_id: str, attempt: int, chunks: int) -> dict[str, Any]:
    """Check every chunk is in S3, mark the answer uploaded and hand it to the media worker."""
    invitation = find_by_token(token)
    _, question = _question(invitation, question_id)
    answer = _get_answer(invitation, question_id, attempt)
    if answer.status != "recording":
        if answer.chunk_count == chunks:
            return answer_view(answer)  # a retried finalise: same answer, nothing twice
        raise Conflict("This recording was already saved with a different number of parts.")
    # The deadline is checked when recording starts; an answer being saved is never refused.
    if invitation.status in ("revoked",):
        raise Gone("This interview link has been withdrawn.")
    prefix = Answer.raw_prefix(
        invitation.company_id,
        invitation.interview_id,
        invitation.invitation_id,
        question_id,
        attempt,
    )
    stored = uploads.stored_chunks(prefix)
    missing = [index for index in range(chunks) if index not in stored]
    if missing:
        raise Conflict(
            "Some parts of your recording have not arrived yet. Keep this page open while we "
            "send them again.",
            details=[{"field": "chunks", "problem": "missing", "missing": missing[:500]}],
        )
    total = sum(size for index, size in stored.items() if index < chunks)
    limit = uploads.max_total_bytes(question.answer_type, float(answer.max_seconds or 0))
    if total > limit:
        raise InvalidInput(
            "This recording is larger than the question allows. Please record it again."
        )
    now = utcnow()
    try:
        answer.update(
            actions=[
                Answer.status.set("uploaded"),
                Answer.chunk_count.set(chunks),
                Answer.uploaded_bytes.set(total),
                Answer.uploaded_at.set(now),
                Answer.updated_at.set(now),
            ],
            condition=Answer.status == "recording",
        )
    except UpdateError:
        answer.refresh()
        if answer.chunk_count == chunks:
            return answer_view(answer)
        raise Conflict("This recording was already saved.") from None
    uploads.write_manifest(
        prefix,
        {
            "company_id": invitation.company_id,
            "interview_id": invitation.interview_id,
            "invitation_id": invitation.invitation_id,
            "question_id": question_id,
            "attempt": attempt,
            "chunks": chunks,
            "answer_type": question.answer_type,
            "mime_type": answer.mime_type,
            "max_seconds": float(answer.max_seconds or 0),
        },
    )
    invitation.update(actions=[Invitation.answered_questions.add({question_id})])
    metrics.add_metric(name="AnswersUploaded", unit="Count", value=1)
    return answer_view(answer)


def save_text(token: str, question_id: str, text: str) -> dict[str, Any]:
    """Write (or rewrite) a text answer; no attempts are counted."""
    invitation = find_by_token(token)
    _check_open(invitation, utcnow())
    _require_consent(invitation)
    _, question = _question(invitation, question_id)
    if question.answer_type != "text":
        raise Conflict("This question needs a recorded answer.")
    now = utcnow()
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
    actions = [Invitation.answered_questions.add({question_id})]
    if invitation.status in ("invited", "opened"):
        actions += [
            Invitation.status.set("started"),
            Invitation.started_at.set(Invitation.started_at | now),
        ]
    try:
        invitation.update(
            actions=actions, condition=Invitation.status.is_in("invited", "opened", "started")
        )
    except UpdateError:
        raise Conflict("You have already completed this interview. Thank you!") from None
    _count_first_start(invitation, now)
    return answer_view(answer)


def complete(token: str) -> dict[str, Any]:
    """Finish the interview once every question has an answer."""
    invitation = find_by_token(token)
    if invitation.status == "completed":
        return _completed_view(invitation)
    _check_open(invitation, utcnow())
    answers = _answers(invitation)
    unanswered = [
        q.question_id for q in invitation.questions if not _is_answered(answers.get(q.question_id))
    ]
    if unanswered:
        raise Conflict(
            "Some questions still need an answer before you can finish.",
            details=[{"field": "questions", "problem": "unanswered", "question_ids": unanswered}],
        )
    try:
        invitation.update(
            actions=[Invitation.status.set("completed"), Invitation.completed_at.set(utcnow())],
            condition=Invitation.status.is_in("invited", "opened", "started"),
        )
    except UpdateError:
        invitation.refresh()
        if invitation.status != "completed":
            raise Conflict("This interview can no longer be completed.") from None
        return _completed_view(invitation)
    activity.bump(invitation.company_id, invitation.interview_id, "completed")
    activity.add_usage(invitation.company_id, completed_interviews=1)
    metrics.add_metric(name="InterviewsCompleted", unit="Count", value=1)
    return _completed_view(invitation)


def _completed_view(invitation: Invitation) -> dict[str, Any]:
    return {
        "status": "completed",
        "completed_at": _iso(invitation.completed_at),
        "outro": invitation.outro,
    }


def feedback(token: str, rating: int, comment: str) -> dict[str, Any]:
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
    return {"rating": rating, "comment": comment}
