"""Personal data on request: a candidate's own data and deletion, and the company export.

Every email a candidate gets carries a privacy link (`links.privacy_link`) to download
their own data or ask for deletion; a request is honoured by the next sweep (within 24
hours, as the emails say), through `retention`. Admins may export the whole company as JSON.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.adapters import uploads
from chalicelib.config import get_settings
from chalicelib.data import keys
from chalicelib.data.models import (
    Answer,
    Company,
    Interview,
    Invitation,
    utcnow,
)
from chalicelib.data.repositories import candidates as candidate_repository
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.domain import activity
from chalicelib.domain.auth import Principal
from chalicelib.domain.errors import NotFound
from chalicelib.domain.invitations import find_by_token
from chalicelib.domain.retention import RETENTION_BUCKET

DELETION_WITHIN = timedelta(hours=24)


def _answer_export(answer: Answer) -> dict[str, Any]:
    return {
        "question_id": answer.question_id,
        "attempt": int(answer.attempt),
        "answer_type": answer.answer_type,
        "status": answer.status,
        "text": answer.text,
        "duration_seconds": float(answer.duration_seconds)
        if answer.duration_seconds is not None
        else None,
        "media_url": uploads.playback_url(answer.media_key) if answer.status == "ready" else None,
        "recorded_at": answer.created_at.isoformat(),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- the candidate's own data ---------------------------------------------------------------


def candidate_data(token: str) -> dict[str, Any]:
    """Everything stored about the candidate behind `token`, with short-lived media links."""
    invitation = find_by_token(token)
    answers = candidate_repository.answers(invitation.company_id, invitation.invitation_id)
    activity.audit(
        invitation.company_id, "candidate", "candidate.data_downloaded", invitation.invitation_id
    )
    return {
        "candidate": {"name": invitation.candidate_name, "email": invitation.candidate_email},
        "company": {"name": invitation.company_name},
        "interview": {"title": invitation.title},
        "invitation": {
            "status": invitation.status,
            "invited_at": invitation.created_at.isoformat(),
            "deadline": invitation.deadline.isoformat(),
            "opened_at": _iso(invitation.opened_at),
            "consent_at": _iso(invitation.consent_at),
            "completed_at": _iso(invitation.completed_at),
            "deletion_requested_at": _iso(invitation.deletion_requested_at),
        },
        "questions": [
            {"question_id": q.question_id, "text": q.text, "answer_type": q.answer_type}
            for q in invitation.questions
        ],
        "answers": [_answer_export(a) for a in answers],
        "feedback": {
            "rating": int(invitation.feedback_rating),
            "comment": invitation.feedback_comment,
        }
        if invitation.feedback_at is not None
        else None,
        "media_links_expire_in_seconds": get_settings().playback_url_ttl_seconds,
    }


def request_deletion(token: str, now: datetime | None = None) -> dict[str, Any]:
    """Record the candidate's request; the next sweep deletes everything (within 24 hours)."""
    now = now or utcnow()
    invitation = find_by_token(token)
    if invitation.deletion_requested_at is None:
        try:
            invitation.update(
                actions=[
                    Invitation.deletion_requested_at.set(now),
                    Invitation.due_bucket.set(RETENTION_BUCKET),
                    Invitation.due_at.set(now.isoformat()),
                    Invitation.expires_at.set(now + DELETION_WITHIN),
                ],
                condition=Invitation.deletion_requested_at.does_not_exist(),
            )
            activity.audit(
                invitation.company_id,
                "candidate",
                "candidate.deletion_requested",
                invitation.invitation_id,
            )
        except UpdateError:
            invitation.refresh()
    requested = invitation.deletion_requested_at or now
    return {
        "deletion_requested_at": requested.isoformat(),
        "deleted_by": (requested + DELETION_WITHIN).isoformat(),
    }


# --- company export -------------------------------------------------------------------------


def export_company(principal: Principal) -> dict[str, Any]:
    """The company's interviews, candidates, answers (media links), reviews and comments."""
    company_id = principal.company_id
    try:
        company = Company.get(*Company.key(company_id))
    except Company.DoesNotExist:
        raise NotFound("Company not found.") from None
    interviews = []
    for interview in Interview.query(
        keys.company_pk(company_id), Interview.sk.startswith(keys.INTERVIEW_PREFIX)
    ):
        candidates = [
            _candidate_export(company_id, invitation)
            for invitation in invitation_repository.all_by_interview(
                company_id, interview.interview_id
            )
        ]
        interviews.append(
            {
                "interview_id": interview.interview_id,
                "title": interview.title,
                "status": interview.status,
                "created_at": interview.created_at.isoformat(),
                "questions": [
                    {"question_id": q.question_id, "text": q.text, "answer_type": q.answer_type}
                    for q in interview.questions
                ],
                "candidates": candidates,
            }
        )
    activity.audit(company_id, principal.user_id, "company.exported", company_id)
    return {
        "company": {
            "company_id": company_id,
            "name": company.name,
            "retention_days": int(company.retention_days),
        },
        "exported_at": utcnow().isoformat(),
        "media_links_expire_in_seconds": get_settings().playback_url_ttl_seconds,
        "interviews": interviews,
    }


def _candidate_export(company_id: str, invitation: Invitation) -> dict[str, Any]:
    found = candidate_repository.load(company_id, invitation.invitation_id)
    return {
        "invitation_id": invitation.invitation_id,
        "candidate_name": invitation.candidate_name,
        "candidate_email": invitation.candidate_email,
        "status": invitation.status,
        "stage": invitation.stage,
        "invited_at": invitation.created_at.isoformat(),
        "completed_at": _iso(invitation.completed_at),
        "answers": [_answer_export(a) for a in found.answers],
        "reviews": [
            {
                "reviewer": r.reviewer_name,
                "scores": r.scores.as_dict() if r.scores is not None else {},
                "recommendation": r.recommendation,
                "note": r.note,
            }
            for r in found.reviews
        ],
        "comments": [
            {"author": c.author_name, "text": c.text, "at": c.created_at.isoformat()}
            for c in found.comments
        ],
    }
