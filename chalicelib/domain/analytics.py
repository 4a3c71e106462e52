"""Per-interview analytics, computed from the interview's invitations (one paged Query).

Not a hot path: a recruiter opens it now and then, so it reads the invitations once and
derives the funnel, drop-off, timing, scores and feedback from what each one records.
"""

from __future__ import annotations

import statistics
from typing import Any

from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.domain.interviews import get_interview


def interview_analytics(company_id: str, interview_id: str) -> dict[str, Any]:
    interview = get_interview(company_id, interview_id)
    invitations = list(invitation_repository.all_by_interview(company_id, interview_id))
    funnel = {
        "invited": len(invitations),
        "opened": sum(1 for i in invitations if i.opened_at),
        "started": sum(1 for i in invitations if i.started_at),
        "completed": sum(1 for i in invitations if i.completed_at),
    }
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
    for invitation in invitations:
        averages = invitation.criteria_average.as_dict() if invitation.criteria_average else {}
        for criterion_id, value in averages.items():
            per_criterion.setdefault(criterion_id, []).append(float(value))
    spreads = [
        float(i.score_spread)
        for i in invitations
        if i.score_spread is not None and int(i.review_count or 0) > 1
    ]
    ratings = [int(i.feedback_rating) for i in invitations if i.feedback_rating]
    return {
        "funnel": funnel,
        "completion_rate": round(funnel["completed"] / funnel["invited"], 3)
        if funnel["invited"]
        else None,
        "drop_off": [
            {
                "question_id": q.question_id,
                "position": n,
                "text": q.text,
                "answered": answered.get(q.question_id, 0),
            }
            for n, q in enumerate(interview.questions, 1)
        ],
        "median_minutes_to_complete": round(statistics.median(minutes), 1) if minutes else None,
        "criteria": [
            {
                "criterion_id": c.criterion_id,
                "name": c.name,
                "average": round(statistics.fmean(per_criterion[c.criterion_id]), 2)
                if per_criterion.get(c.criterion_id)
                else None,
            }
            for c in interview.rubric
        ],
        "reviewer_agreement": {
            "candidates": len(spreads),
            "average_spread": round(statistics.fmean(spreads), 2) if spreads else None,
        },
        "feedback": {
            "count": len(ratings),
            "average": round(statistics.fmean(ratings), 2) if ratings else None,
        },
    }
