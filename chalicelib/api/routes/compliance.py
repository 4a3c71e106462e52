"""Compliance: the audit log, retention and deletion, the company export, a candidate's data."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api import views
from chalicelib.api.endpoint import PAGED, Access, Audit, Call, Param, endpoint, schemas
from chalicelib.domain import audit, jobs, privacy, retention

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/company/retention",
    "PUT",
    access=Access.ADMIN,
    body=schemas.RetentionIn,
    audit=Audit.SELF,
)
def company_retention(call: Call) -> dict:
    return {"retention_days": retention.set_retention(call.recruiter, call.body.retention_days)}


MONTH = Param(
    description="A month as 2026-11 (this month unless given).", pattern=r"[0-9]{4}-[0-9]{2}"
)


@endpoint(blueprint, "/audit", "GET", access=Access.ADMIN, query={**PAGED, "month": MONTH})
def audit_log(call: Call) -> dict:
    query = call.query
    page = audit.audit_page(
        call.recruiter.company_id, query.get("month"), call.page_size(), query.get("cursor")
    )
    return views.audit_page(page)


@endpoint(blueprint, "/audit/export", "GET", access=Access.ADMIN, query={"month": MONTH})
def audit_export(call: Call) -> Response:
    return Response(
        views.audit_csv(audit.audit_month(call.recruiter.company_id, call.query.get("month"))),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="audit.csv"',
        },
    )


@endpoint(
    blueprint,
    "/invitations/{invitation_id}",
    "DELETE",
    access=Access.ADMIN,
    audit=Audit.SELF,
    status=204,
)
def delete_candidate(call: Call, invitation_id: str) -> None:
    retention.delete_candidate(call.recruiter, invitation_id)


@endpoint(blueprint, "/company/export", "POST", access=Access.ADMIN, audit=Audit.SELF, status=202)
def company_export(call: Call) -> dict:
    """Export the whole company as a file, written by a job; poll `GET /jobs/{job_id}`."""
    return views.job(jobs.JobView(jobs.start_export(call.recruiter)))


@endpoint(blueprint, "/candidate/data", "GET", access=Access.CANDIDATE)
def candidate_data(call: Call) -> dict:
    return views.candidate_data(privacy.candidate_data(call.token))


@endpoint(blueprint, "/candidate/deletion-request", "POST", access=Access.CANDIDATE, status=202)
def candidate_deletion_request(call: Call) -> dict:
    return views.deletion_request(privacy.request_deletion(call.token))
