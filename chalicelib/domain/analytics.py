"""Per-interview analytics, computed from the interview's invitations (one paged Query).

Not a hot path: a recruiter opens it now and then, so it reads the invitations once and
derives the funnel, drop-off, timing, scores and feedback from what each one records.
Scores stay independent: a reviewer's score figures (per-criterion averages, agreement) come
only from the candidates they have reviewed themselves; admins' come from every candidate.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from chalicelib.data.models import Interview, Invitation
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.domain.auth import Principal
from chalicelib.domain.interviews import get_interview
from chalicelib.domain.review import sees_scores


@dataclass(frozen=True)
class Funnel:
    """How many invitations reached each step (each counted once, whatever came after)."""

    invited: int
    opened: int
    started: int
    completed: int


@dataclass(frozen=True)
class QuestionReach:
    """How many candidates answered a question: where they drop off."""

    question_id: str
    position: int
    text: str
    answered: int


@dataclass(frozen=True)
class CriterionAverage:
    criterion_id: str
    name: str
    average: float | None  # None until a candidate is scored on it


@dataclass(frozen=True)
class InterviewAnalytics:
    """The funnel, drop-off, timing, scores and feedback of one interview."""

    funnel: Funnel
    completion_rate: float | None
    drop_off: list[QuestionReach]
    median_minutes_to_complete: float | None
    criteria: list[CriterionAverage]
    # Candidates reviewed by more than one colleague, and how far apart their averages were.
    agreement_candidates: int
    average_spread: float | None
    feedback_count: int
    feedback_average: float | None
    # "all": scores of every candidate (admins); "reviewed_by_me": of those I have reviewed.
    scores_from: str


def interview_analytics(principal: Principal, interview_id: str) -> InterviewAnalytics:
    company_id = principal.company_id
    interview = get_interview(company_id, interview_id)
    invitations = list(invitation_repository.all_by_interview(company_id, interview_id))
    scored = [i for i in invitations if sees_scores(i, principal)]
    funnel = Funnel(
        invited=len(invitations),
        opened=sum(1 for i in invitations if i.opened_at),
        started=sum(1 for i in invitations if i.started_at),
        completed=sum(1 for i in invitations if i.completed_at),
    )
    answered: dict[str, int] = {}
    for invitation in invitations:
        for question_id in invitation.answered_questions or ():
            answered[question_id] = answered.get(question_id, 0) + 1
    minutes = [
        (i.completed_at - (i.opened_at or i.created_at)).total_seconds() / 60
        for i in invitations
        if i.completed_at
    ]
    per_criterion: dict[str, list[float]] = {}
    for invitation in scored:
        averages = invitation.criteria_average.as_dict() if invitation.criteria_average else {}
        for criterion_id, value in averages.items():
            per_criterion.setdefault(criterion_id, []).append(float(value))
    spreads = [
        float(i.score_spread)
        for i in scored
        if i.score_spread is not None and int(i.review_count or 0) > 1
    ]
    ratings = [int(i.feedback_rating) for i in invitations if i.feedback_rating]
    return InterviewAnalytics(
        funnel=funnel,
        completion_rate=round(funnel.completed / funnel.invited, 3) if funnel.invited else None,
        drop_off=[
            QuestionReach(q.question_id, n, q.text, answered.get(q.question_id, 0))
            for n, q in enumerate(interview.questions, 1)
        ],
        median_minutes_to_complete=round(statistics.median(minutes), 1) if minutes else None,
        criteria=[
            CriterionAverage(
                criterion_id,
                name,
                round(statistics.fmean(per_criterion[criterion_id]), 2)
                if per_criterion.get(criterion_id)
                else None,
            )
            for criterion_id, name in _criteria(interview, scored, per_criterion)
        ],
        agreement_candidates=len(spreads),
        average_spread=round(statistics.fmean(spreads), 2) if spreads else None,
        feedback_count=len(ratings),
        feedback_average=round(statistics.fmean(ratings), 2) if ratings else None,
        scores_from="all" if principal.is_admin else "reviewed_by_me",
    )


def _criteria(
    interview: Interview, scored: list[Invitation], per_criterion: dict[str, list[float]]
) -> list[tuple[str, str]]:
    """The interview's criteria, then any that candidates were scored on under an earlier
    rubric (their snapshot names it): an edited rubric never hides scores given."""
    names = {c.criterion_id: c.name for c in interview.rubric}
    criteria = list(names.items())
    for invitation in scored:
        for c in invitation.rubric or ():
            if c.criterion_id not in names and c.criterion_id in per_criterion:
                names[c.criterion_id] = c.name
                criteria.append((c.criterion_id, c.name))
    return criteria
