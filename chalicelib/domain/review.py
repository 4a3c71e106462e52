"""Reviewing candidates: the pipeline, one candidate whole, scores, comments and stages.

A candidate is one partition (invitation, answers, reviews, comments, share links), so the
detail view is one Query.

Reviewers score independently: until a reviewer's own review of a candidate is in, they see
nothing derived from colleagues' reviews of that candidate (reviews, average, count, the score
filter, analytics). Admins run the process and see the aggregates; their own review form still
hides colleagues' reviews until theirs is in. In blind review, reviewers see neither names nor
emails anywhere, and each sees the candidates and the answers in an order of their own; admins
invite candidates by name and send the decision emails, so they always see names.
"""

from __future__ import annotations

import hashlib
import random
import statistics
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import email
from chalicelib.data import cursor as page_cursor
from chalicelib.data.models import (
    Answer,
    Comment,
    Interview,
    Invitation,
    Question,
    Review,
    RubricCriterion,
    ShareLink,
    new_id,
    utcnow,
)
from chalicelib.data.repositories import CandidateItems
from chalicelib.data.repositories import candidates as candidate_repository
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.data.transactions import transact_write
from chalicelib.domain import activity, decisions, retention, webhooks
from chalicelib.domain.answer_lifecycle import best_attempts
from chalicelib.domain.auth import Principal
from chalicelib.domain.candidates import think_time
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.interviews import get_interview
from chalicelib.domain.invitations import get_invitation, list_invitations


def candidate_label(invitation_id: str) -> str:
    """A stable pseudonym for blind review ("Candidate 7F3K")."""
    return f"Candidate {invitation_id[-4:]}"


def hides_identity(
    interview_blind: bool, principal: Principal, *, admins_too: bool = False
) -> bool:
    """Blind review hides names and emails from reviewers, and from admins if they chose so."""
    return interview_blind and (admins_too or not principal.is_admin)


def hidden_from(interview: Interview, principal: Principal) -> bool:
    """Whether this interview's candidates are shown to `principal` by label only."""
    return hides_identity(
        bool(interview.blind_review), principal, admins_too=bool(interview.blind_for_admins)
    )


def reviewed_by(invitation: Invitation, principal: Principal) -> bool:
    return principal.user_id in (invitation.reviewed_by or set())


def sees_scores(invitation: Invitation, principal: Principal) -> bool:
    """Whether anything derived from colleagues' scores of this candidate may be shown.

    A reviewer sees it once their own review is in (independent scoring); admins always do.
    """
    return principal.is_admin or reviewed_by(invitation, principal)


def rubric_of(invitation: Invitation, interview: Interview) -> list[RubricCriterion]:
    """The rubric the candidate was invited under: editing the interview's never orphans scores.

    Invitations made before rubrics were snapshotted have none of their own: the interview's.
    """
    if invitation.rubric is not None:
        return list(invitation.rubric)
    return list(interview.rubric)


@dataclass(frozen=True)
class PipelineRow:
    """One candidate as a recruiter sees them in the pipeline."""

    invitation: Invitation
    hidden: bool  # blind review: this reviewer sees neither name nor email
    reviewed_by_me: bool
    scores_visible: bool  # average and review count: admins, or once my review is in


def pipeline(
    principal: Principal,
    interview_id: str,
    *,
    status: str | None = None,
    stage: str | None = None,
    min_score: float | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[PipelineRow], str | None]:
    """One page of an interview's candidates.

    Newest first: one Query on `by_parent`, filters applied by DynamoDB (a filtered page may
    hold fewer than `limit` rows; follow `next_cursor`). A reviewer's score filter only
    matches candidates they have reviewed themselves. In blind review a reviewer gets the
    candidates in an order of their own instead (see `_blind_page`).
    """
    interview = get_interview(principal.company_id, interview_id)
    hidden = hidden_from(interview, principal)
    if hidden:
        page, next_cursor = _blind_page(
            principal, interview_id, _Filters(status, stage, min_score), limit, cursor
        )
    else:
        page, next_cursor = list_invitations(
            principal.company_id,
            interview_id,
            limit=limit,
            cursor=cursor,
            filter_condition=_condition(principal, status, stage, min_score),
        )
    rows = [
        PipelineRow(i, hidden, reviewed_by(i, principal), sees_scores(i, principal)) for i in page
    ]
    return rows, next_cursor


def _condition(
    principal: Principal, status: str | None, stage: str | None, min_score: float | None
) -> Any:
    conditions = []
    if status:
        conditions.append(Invitation.status == status)
    if stage:
        conditions.append(Invitation.stage == stage)
    if min_score is not None:
        conditions.append(Invitation.average_score >= min_score)
        if not principal.is_admin:
            conditions.append(Invitation.reviewed_by.contains(principal.user_id))
    condition = None
    for each in conditions:
        condition = each if condition is None else condition & each
    return condition


@dataclass(frozen=True)
class _Filters:
    status: str | None
    stage: str | None
    min_score: float | None

    def match(self, invitation: Invitation, principal: Principal) -> bool:
        if self.status and invitation.status != self.status:
            return False
        if self.stage and invitation.stage != self.stage:
            return False
        if self.min_score is not None:
            score = invitation.average_score
            if score is None or float(score) < self.min_score:
                return False
            return sees_scores(invitation, principal)
        return True


def blind_rank(principal: Principal, interview_id: str, invitation_id: str) -> str:
    """Where a candidate stands in one reviewer's own order of one interview (stable)."""
    seed = f"{principal.user_id}:{interview_id}:{invitation_id}"
    return hashlib.sha256(seed.encode()).hexdigest()


def _blind_page(
    principal: Principal,
    interview_id: str,
    filters: _Filters,
    limit: int,
    cursor: str | None,
) -> tuple[list[Invitation], str | None]:
    """A page of the candidates in this reviewer's own order (blind review).

    Newest-first would make every reviewer start with the same candidates; a per-reviewer
    order spreads first impressions. The order is a hash of reviewer, interview and
    invitation, so it is stable across visits and a new candidate slots in without moving
    the others. It reads the interview's invitations whole (pages of DynamoDB's 1 MB), as
    analytics does: a recruiter's page, not a hot path. The cursor is the last rank shown.
    """
    list_key = f"BLIND#{interview_id}"
    start = page_cursor.decode(cursor, attributes=("list", "after"), fixed={"list": list_key})
    after = start["after"]["S"] if start else ""
    ranked = sorted(
        (blind_rank(principal, interview_id, i.invitation_id), i)
        for i in invitation_repository.all_by_interview(principal.company_id, interview_id)
        if filters.match(i, principal)
    )
    remaining = [(rank, i) for rank, i in ranked if rank > after]
    page = remaining[:limit]
    next_cursor = None
    if len(remaining) > limit:
        next_cursor = page_cursor.encode({"list": {"S": list_key}, "after": {"S": page[-1][0]}})
    return [i for _, i in page], next_cursor


@dataclass(frozen=True)
class InvitationsPage:
    """A page of an interview's invitations, with whether names are hidden from this reader."""

    invitations: list[Invitation]
    next_cursor: str | None
    hidden: bool


def invitations_page(
    principal: Principal, interview_id: str, limit: int, cursor: str | None
) -> InvitationsPage:
    """The invitations list (newest first); in blind review reviewers get no name or email."""
    interview = get_interview(principal.company_id, interview_id)
    page, next_cursor = list_invitations(
        principal.company_id, interview_id, limit=limit, cursor=cursor
    )
    return InvitationsPage(page, next_cursor, hidden_from(interview, principal))


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


@dataclass(frozen=True)
class AnswerSlot:
    """A question in the order shown, with the candidate's kept attempt (None: unanswered)."""

    position: int
    question: Question
    answer: Answer | None
    # Unanswered because its think time ran out before any recording started.
    missed: bool = False

    @property
    def media_key(self) -> str | None:
        """The playable recording, once processing made it ready."""
        ready = self.answer is not None and self.answer.status == "ready"
        return self.answer.media_key if ready and self.answer else None


def answer_slots(candidate: Candidate, order_seed: str | None = None) -> list[AnswerSlot]:
    """Answers in question order, or in a stable shuffle per reviewer (blind review)."""
    latest, now = candidate.latest_answers(), utcnow()
    slots = []
    for position, question in enumerate(candidate.record.questions, 1):
        answer = latest.get(question.question_id)
        missed = answer is None and think_time(candidate.record, question, now).over
        slots.append(AnswerSlot(position, question, answer, missed))
    if order_seed:
        seed = int.from_bytes(hashlib.sha256(order_seed.encode()).digest()[:8], "big")
        random.Random(seed).shuffle(slots)  # noqa: S311 - an order, not a secret
    return slots


def _plain(value: Any) -> Any:
    if hasattr(value, "as_dict"):
        value = value.as_dict()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def scores_of(review: Review) -> dict[str, dict[str, int | float]]:
    """A review's scores per question and criterion, as plain numbers."""
    scores: dict[str, dict[str, int | float]] = _plain(review.scores)
    return scores


@dataclass(frozen=True)
class Reviews:
    """My review, and my colleagues' once mine is in (independent scoring)."""

    mine: Review | None
    colleagues: list[Review]


def reviews_of(candidate: Candidate, principal: Principal) -> Reviews:
    mine = next((r for r in candidate.reviews if r.user_id == principal.user_id), None)
    others = [r for r in candidate.reviews if r.user_id != principal.user_id]
    return Reviews(mine, others if mine else [])


@dataclass(frozen=True)
class CandidateDetail:
    """One candidate whole, as this recruiter may see them."""

    invitation: Invitation
    interview: Interview
    rubric: list[RubricCriterion]  # the one the candidate was invited under
    hidden: bool  # blind review: this reviewer sees neither name nor email
    answers: list[AnswerSlot]
    reviews: Reviews
    comments: list[Comment]


def detail(principal: Principal, invitation_id: str) -> CandidateDetail:
    """One candidate for a recruiter; the media view is audited."""
    candidate = load_candidate(principal.company_id, invitation_id)
    invitation = candidate.record
    interview = get_interview(principal.company_id, invitation.interview_id)
    seed = f"{principal.user_id}:{invitation_id}" if interview.blind_review else None
    slots = answer_slots(candidate, seed)
    media = sum(1 for s in slots if s.media_key and s.question.answer_type in ("video", "audio"))
    activity.audit(
        principal.company_id, principal.user_id, "candidate.viewed", invitation_id, {"media": media}
    )
    return CandidateDetail(
        invitation,
        interview,
        rubric_of(invitation, interview),
        hidden_from(interview, principal),
        slots,
        reviews_of(candidate, principal),
        sorted(candidate.comments, key=lambda c: c.comment_id),
    )


def save_review(
    principal: Principal,
    invitation_id: str,
    scores: dict[str, dict[str, int]],
    *,
    recommendation: str | None,
    note: str | None,
) -> Reviews:
    """Store my review with the candidate's new aggregates and its audit record, atomically.

    Three DynamoDB calls: the candidate's partition, the interview (for invitations older
    than rubric snapshots), and one transaction. Scores are checked against the rubric the
    candidate was invited under.
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
    return reviews_of(candidate, principal)


def _check_scores(
    invitation: Invitation, interview: Interview, scores: dict[str, dict[str, int]]
) -> None:
    questions = {q.question_id for q in invitation.questions}
    criteria = {c.criterion_id for c in rubric_of(invitation, interview)}
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


def add_comment(principal: Principal, invitation_id: str, text: str) -> Comment:
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
    return comment


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
    try:
        # Conditional: a candidate purged meanwhile must not come back as a stray item.
        invitation.update(actions=actions, condition=Invitation.invitation_id.exists())
    except UpdateError:
        raise NotFound("Invitation not found.") from None
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
