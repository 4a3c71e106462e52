"""Reviewing candidates: the pipeline, one candidate whole, scores, comments and stages.

A candidate is one partition (invitation, answers, reviews, comments, share links), so the
detail view is one Query. Reviewers score independently: colleagues' reviews stay hidden
until one's own is in. In blind review, reviewers see neither names nor emails, and each
sees the answers in an order of their own.
"""

from __future__ import annotations

import hashlib
import random
import statistics
from typing import Any

from chalicelib.adapters import email, uploads
from chalicelib.data.models import (
    Answer,
    Comment,
    Interview,
    Invitation,
    Review,
    ShareLink,
    new_id,
    utcnow,
)
from chalicelib.data.repositories import CandidateItems
from chalicelib.data.repositories import candidates as candidate_repository
from chalicelib.data.transactions import transact_write
from chalicelib.domain import activity, decisions, retention, webhooks
from chalicelib.domain.answer_lifecycle import best_attempts
from chalicelib.domain.auth import Principal
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.interviews import get_interview
from chalicelib.domain.invitations import get_invitation, list_invitations


def candidate_label(invitation_id: str) -> str:
    """A stable pseudonym for blind review ("Candidate 7F3K")."""
    return f"Candidate {invitation_id[-4:]}"


def _hides_identity(interview_blind: bool, principal: Principal) -> bool:
    return interview_blind and not principal.is_admin


def _candidate_fields(invitation: Invitation, hidden: bool) -> dict[str, Any]:
    """Who and where a candidate is, as the pipeline and the detail both show it."""
    return {
        "invitation_id": invitation.invitation_id,
        "candidate_name": None if hidden else invitation.candidate_name,
        "candidate_email": None if hidden else invitation.candidate_email,
        "candidate_label": candidate_label(invitation.invitation_id),
        "status": invitation.status,
        "stage": invitation.stage,
        "tags": list(invitation.tags or []),
        "deadline": invitation.deadline.isoformat(),
        "completed_at": invitation.completed_at.isoformat() if invitation.completed_at else None,
        "asked_to_record_again": _asked_again(invitation),
    }


def _asked_again(invitation: Invitation) -> dict[str, Any] | None:
    """Answers that failed processing after the candidate submitted, now to be re-recorded.

    Shown as "asked to record again" until the candidate submits once more.
    """
    reopened = set(invitation.reopened_questions or ())
    if not reopened:
        return None
    return {
        "question_ids": [q.question_id for q in invitation.questions if q.question_id in reopened],
        "positions": [
            position
            for position, q in enumerate(invitation.questions, 1)
            if q.question_id in reopened
        ],
        "at": invitation.rerecord_requested_at.isoformat()
        if invitation.rerecord_requested_at
        else None,
    }


def pipeline_row(invitation: Invitation, principal: Principal, blind: bool) -> dict[str, Any]:
    return {
        **_candidate_fields(invitation, _hides_identity(blind, principal)),
        "average_score": _round(invitation.average_score),
        "reviews": int(invitation.review_count or 0),
        "my_review": principal.user_id in (invitation.reviewed_by or set()),
    }


def _round(value: float | None) -> float | None:
    return round(float(value), 2) if value is not None else None


def pipeline(
    principal: Principal,
    interview_id: str,
    *,
    status: str | None = None,
    stage: str | None = None,
    min_score: float | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """One page of an interview's candidates: one Query on `by_parent`, filters applied by
    DynamoDB (a filtered page may hold fewer than `limit` rows; follow `next_cursor`)."""
    interview = get_interview(principal.company_id, interview_id)
    condition = None
    if status:
        condition = Invitation.status == status
    if stage:
        stage_is = Invitation.stage == stage
        condition = stage_is if condition is None else condition & stage_is
    if min_score is not None:
        score_at_least = Invitation.average_score >= min_score
        condition = score_at_least if condition is None else condition & score_at_least
    page, next_cursor = list_invitations(
        principal.company_id, interview_id, limit=limit, cursor=cursor, filter_condition=condition
    )
    rows = [pipeline_row(i, principal, interview.blind_review) for i in page]
    return {"candidates": rows, "next_cursor": next_cursor}


class Candidate:
    """Everything stored under one invitation, read in one Query."""

    def __init__(self, found: CandidateItems) -> None:
        self.invitation: Invitation | None = found.invitation
        self.answers: list[Answer] = found.answers
        self.reviews: list[Review] = found.reviews
        self.comments: list[Comment] = found.comments
        self.shares: list[ShareLink] = found.shares

    @property
    def record(self) -> Invitation:
        """The invitation itself (`load_candidate` guarantees there is one)."""
        if self.invitation is None:
            raise NotFound("Candidate not found.")
        return self.invitation

    def latest_answers(self) -> dict[str, Answer]:
        return best_attempts(self.answers)


def load_candidate(company_id: str, invitation_id: str) -> Candidate:
    candidate = Candidate(candidate_repository.load(company_id, invitation_id))
    if candidate.invitation is None:
        raise NotFound("Candidate not found.")
    return candidate


def answers_view(candidate: Candidate, order_seed: str | None = None) -> list[dict[str, Any]]:
    """Answers in question order (or a stable shuffle per reviewer), with playback links."""
    invitation = candidate.record
    latest = candidate.latest_answers()
    rows = []
    for position, question in enumerate(invitation.questions, 1):
        answer = latest.get(question.question_id)
        ready = answer is not None and answer.status == "ready"
        media = answer.media_key if ready and answer else None
        rows.append(
            {
                "question_id": question.question_id,
                "position": position,
                "text": question.text,
                "answer_type": question.answer_type,
                "status": answer.status if answer else "unanswered",
                "attempt": int(answer.attempt) if answer else None,
                "duration_seconds": _round(answer.duration_seconds) if answer else None,
                # A recording cut off by a reload or a crash, kept up to where it stopped.
                "cut_short": bool(answer.cut_short) if ready and answer else False,
                "cut_at_seconds": _round(answer.cut_at_seconds)
                if ready and answer and answer.cut_short
                else None,
                "video_url": uploads.playback_url(media)
                if question.answer_type == "video"
                else None,
                "poster_url": uploads.playback_url(answer.poster_key) if ready and answer else None,
                "audio_url": uploads.playback_url(media)
                if question.answer_type == "audio"
                else None,
                "text_answer": answer.text if answer else None,
                "error_message": answer.error_message
                if answer and answer.status == "failed"
                else None,
            }
        )
    if order_seed:
        seed = int.from_bytes(hashlib.sha256(order_seed.encode()).digest()[:8], "big")
        random.Random(seed).shuffle(rows)  # noqa: S311 - an order, not a secret
    return rows


def _review_view(review: Review) -> dict[str, Any]:
    return {
        "reviewer": {"user_id": review.user_id, "name": review.reviewer_name},
        "scores": _plain(review.scores),
        "recommendation": review.recommendation,
        "note": review.note,
        "average": _round(review.average),
        "submitted_at": review.submitted_at.isoformat(),
    }


def _plain(value: Any) -> Any:
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def reviews_view(candidate: Candidate, principal: Principal) -> dict[str, Any]:
    mine = next((r for r in candidate.reviews if r.user_id == principal.user_id), None)
    others = [r for r in candidate.reviews if r.user_id != principal.user_id]
    my_view = None
    if mine:
        my_view = _review_view(mine)
        my_view.pop("reviewer")
    return {
        "my_review": my_view,
        # Independent scoring: colleagues' reviews appear once mine is in.
        "reviews": [_review_view(r) for r in others] if mine else [],
    }


def invitation_detail_view(invitation: Invitation, hidden: bool) -> dict[str, Any]:
    feedback = None
    if invitation.feedback_at is not None:
        feedback = {
            "rating": int(invitation.feedback_rating or 0),
            "comment": invitation.feedback_comment,
        }
    return {
        **_candidate_fields(invitation, hidden),
        "time_multiplier": float(invitation.time_multiplier or 1),
        "feedback": feedback,
    }


def rubric_view(interview: Interview) -> list[dict[str, Any]]:
    return [
        {"criterion_id": c.criterion_id, "name": c.name, "anchors": list(c.anchors)}
        for c in interview.rubric
    ]


def detail(principal: Principal, invitation_id: str) -> dict[str, Any]:
    """One candidate for a recruiter; the media view is audited."""
    candidate = load_candidate(principal.company_id, invitation_id)
    invitation = candidate.record
    interview = get_interview(principal.company_id, invitation.interview_id)
    hidden = _hides_identity(interview.blind_review, principal)
    seed = f"{principal.user_id}:{invitation_id}" if interview.blind_review else None
    view = {
        "invitation": invitation_detail_view(invitation, hidden),
        "interview": {
            "interview_id": interview.interview_id,
            "title": invitation.title,
            "rubric": rubric_view(interview),
            "blind_review": bool(interview.blind_review),
        },
        "answers": answers_view(candidate, seed),
        **reviews_view(candidate, principal),
        "comments": [
            {
                "comment_id": c.comment_id,
                "author": {"user_id": c.user_id, "name": c.author_name},
                "text": c.text,
                "created_at": c.created_at.isoformat(),
            }
            for c in sorted(candidate.comments, key=lambda c: c.comment_id)
        ],
    }
    activity.audit(
        principal.company_id,
        principal.user_id,
        "candidate.viewed",
        invitation_id,
        {"media": sum(1 for a in view["answers"] if a["video_url"] or a["audio_url"])},
    )
    return view


def save_review(
    principal: Principal,
    invitation_id: str,
    scores: dict[str, dict[str, int]],
    *,
    recommendation: str | None,
    note: str | None,
) -> dict[str, Any]:
    """Store my review with the candidate's new aggregates and its audit record, atomically.

    Three DynamoDB calls: the candidate's partition, the interview (its current rubric),
    and one transaction.
    """
    candidate = load_candidate(principal.company_id, invitation_id)
    invitation = candidate.record
    interview = get_interview(principal.company_id, invitation.interview_id)
    _check_scores(invitation, interview, scores)
    values = [v for per_question in scores.values() for v in per_question.values()]
    pk, sk = Review.key(principal.company_id, invitation_id, principal.user_id)
    review = Review(
        pk,
        sk,
        company_id=principal.company_id,
        invitation_id=invitation_id,
        user_id=principal.user_id,
        reviewer_name=principal.name,
        scores=scores,
        recommendation=recommendation,
        note=note or None,
        average=statistics.fmean(values) if values else None,
        submitted_at=utcnow(),
    )
    reviews = [r for r in candidate.reviews if r.user_id != principal.user_id] + [review]
    with transact_write() as transaction:
        transaction.save(review)
        transaction.update(
            invitation, actions=_aggregate_actions(reviews), condition=Invitation.pk.exists()
        )
        transaction.save(
            activity.audit_event(
                principal.company_id, principal.user_id, "review.saved", invitation_id
            )
        )
    candidate.reviews = reviews
    return reviews_view(candidate, principal)


def _check_scores(
    invitation: Invitation, interview: Interview, scores: dict[str, dict[str, int]]
) -> None:
    questions = {q.question_id for q in invitation.questions}
    criteria = {c.criterion_id for c in interview.rubric}
    problems = []
    for question_id, per_criterion in scores.items():
        if question_id not in questions:
            problems.append(
                {
                    "field": f"scores.{question_id}",
                    "problem": "unknown_question",
                    "message": "not a question of this interview",
                }
            )
            continue
        for criterion_id in per_criterion:
            if criterion_id not in criteria:
                problems.append(
                    {
                        "field": f"scores.{question_id}.{criterion_id}",
                        "problem": "unknown_criterion",
                        "message": "not a criterion of this rubric",
                    }
                )
    if problems:
        raise InvalidInput("Some scores do not match this interview.", details=problems)


def _aggregate_actions(reviews: list[Review]) -> list[Any]:
    averages = [float(r.average) for r in reviews if r.average is not None]
    per_criterion: dict[str, list[float]] = {}
    for review in reviews:
        for per_question in _plain(review.scores).values():
            for criterion_id, value in per_question.items():
                per_criterion.setdefault(criterion_id, []).append(float(value))
    actions = [
        Invitation.review_count.set(len(reviews)),
        Invitation.reviewed_by.set({r.user_id for r in reviews}),
        Invitation.criteria_average.set(
            {k: round(statistics.fmean(v), 3) for k, v in per_criterion.items()} or None
        ),
    ]
    if averages:
        actions += [
            Invitation.average_score.set(round(statistics.fmean(averages), 3)),
            Invitation.score_spread.set(round(max(averages) - min(averages), 3)),
        ]
    else:
        actions += [Invitation.average_score.remove(), Invitation.score_spread.remove()]
    return actions


def add_comment(principal: Principal, invitation_id: str, text: str) -> dict[str, Any]:
    invitation = get_invitation(principal.company_id, invitation_id)
    comment_id = new_id()
    comment = Comment(
        *Comment.key(principal.company_id, invitation.invitation_id, comment_id),
        company_id=principal.company_id,
        invitation_id=invitation_id,
        comment_id=comment_id,
        user_id=principal.user_id,
        author_name=principal.name,
        text=text,
    )
    comment.save(condition=Comment.pk.does_not_exist())
    return {
        "comment_id": comment_id,
        "author": {"user_id": principal.user_id, "name": principal.name},
        "text": text,
        "created_at": comment.created_at.isoformat(),
    }


def set_stage(
    principal: Principal, invitation_id: str, stage: str, tags: list[str] | None, notify: bool
) -> tuple[Invitation, bool]:
    """Move a candidate; with `notify`, email the decision (rendered before the move)."""
    invitation = get_invitation(principal.company_id, invitation_id)
    if invitation.status == "revoked":
        raise Conflict("This invitation was revoked.")
    message = decisions.prepare(invitation, stage) if notify else None
    actions = [Invitation.stage.set(stage)]
    if stage in ("advanced", "rejected"):
        actions += retention.decided_actions(utcnow())
    if tags is not None:
        actions.append(Invitation.tags.set(sorted(set(tags))))
    invitation.update(actions=actions)
    if message is not None:
        email.send(message, reply_to=invitation.support_contact)
    webhooks.emit(
        principal.company_id, "candidate.stage_changed", webhooks.invitation_data(invitation)
    )
    activity.audit(
        principal.company_id,
        principal.user_id,
        "candidate.stage_changed",
        invitation_id,
        {"stage": stage, "notified": message is not None},
    )
    return invitation, message is not None
