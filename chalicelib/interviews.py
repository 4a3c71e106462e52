"""Interviews: the questions and settings a company sends to candidates."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import NotFound
from chalicelib.models import Interview, Question, company_pk, new_id


def create_interview(
    company_id: str,
    title: str,
    questions: list[dict[str, Any]],
    created_by: str | None = None,
    **fields: Any,
) -> Interview:
    interview_id = new_id()
    pk, sk = Interview.key(company_id, interview_id)
    interview = Interview(
        pk,
        sk,
        company_id=company_id,
        interview_id=interview_id,
        title=title,
        questions=[
            Question(
                question_id=q.get("question_id") or new_id(),
                **{k: v for k, v in q.items() if k != "question_id"},
            )
            for q in questions
        ],
        created_by=created_by,
        **fields,
    )
    interview.save(condition=Interview.pk.does_not_exist())
    return interview


def get_interview(company_id: str, interview_id: str) -> Interview:
    """The company's interview; another company's id is simply not found."""
    try:
        return Interview.get(*Interview.key(company_id, interview_id))
    except Interview.DoesNotExist:
        raise NotFound("Interview not found.") from None


def list_interviews(company_id: str) -> list[Interview]:
    return list(
        Interview.query(
            company_pk(company_id), Interview.sk.startswith("INTERVIEW#"), scan_index_forward=False
        )
    )
