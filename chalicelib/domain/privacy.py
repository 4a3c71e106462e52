"""Personal data on request: a candidate's own data and deletion, and the company export.

Every email a candidate gets carries a privacy link (`links.privacy_link`) to download
their own data or ask for deletion; a request is honoured by the next sweep (within 24
hours, as the emails say), through `retention`. Admins may export the whole company as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.data import keys
from chalicelib.data.models import (
    Answer,
    Company,
    Interview,
    Invitation,
    utcnow,
)
from chalicelib.data.repositories import CandidateItems
from chalicelib.data.repositories import candidates as candidate_repository
from chalicelib.data.repositories import invitations as invitation_repository
from chalicelib.domain import activity
from chalicelib.domain.auth import Principal
from chalicelib.domain.errors import NotFound
from chalicelib.domain.invitations import find_by_token
from chalicelib.domain.retention import RETENTION_BUCKET

DELETION_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class CandidateData:
    """Everything stored about one candidate: the invitation (who, when) and every attempt."""

    invitation: Invitation
    answers: list[Answer]


@dataclass(frozen=True)
class DeletionRequest:
    """When the candidate asked, and the time by which everything is gone."""

    requested_at: datetime
    deleted_by: datetime


@dataclass(frozen=True)
class InterviewExport:
    interview: Interview
    candidates: list[tuple[Invitation, CandidateItems]]


@dataclass(frozen=True)
class CompanyExport:
    """The company's interviews with each candidate's partition, as of `exported_at`."""

    company: Company
    interviews: list[InterviewExport]
    exported_at: datetime
    exported_by: str  # the admin's user id: private review notes are theirs alone


# --- the candidate's own data ---------------------------------------------------------------


def candidate_data(token: str) -> CandidateData:
    """Everything stored about the candidate behind `token` (the download is audited)."""
    invitation = find_by_token(token)
    answers = candidate_repository.answers(invitation.company_id, invitation.invitation_id)
    activity.audit(
        invitation.company_id, "candidate", "candidate.data_downloaded", invitation.invitation_id
    )
    return CandidateData(invitation, answers)


def request_deletion(token: str, now: datetime | None = None) -> DeletionRequest:
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
    return DeletionRequest(requested, requested + DELETION_WITHIN)


# --- company export -------------------------------------------------------------------------


def export_company(principal: Principal) -> CompanyExport:
    """The company's interviews, candidates, answers, reviews and comments (audited)."""
    company_id = principal.company_id
    try:
        company = Company.get(*Company.key(company_id))
    except Company.DoesNotExist:
        raise NotFound("Company not found.") from None
    interviews = [
        InterviewExport(
            interview,
            [
                (invitation, candidate_repository.load(company_id, invitation.invitation_id))
                for invitation in invitation_repository.all_by_interview(
                    company_id, interview.interview_id
                )
            ],
        )
        for interview in Interview.query(
            keys.company_pk(company_id), Interview.sk.startswith(keys.INTERVIEW_PREFIX)
        )
    ]
    activity.audit(company_id, principal.user_id, "company.exported", company_id)
    return CompanyExport(company, interviews, utcnow(), principal.user_id)
