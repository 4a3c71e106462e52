"""Compliance: the audit log, retention and deletion, the company export, a candidate's data."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api import views
from chalicelib.api.endpoint import PAGED, Access, Audit, Call, Param, endpoint, schemas
from chalicelib.domain import audit, jobs, privacy, retention
from chalicelib.domain.errors import InvalidInput

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


@endpoint(
    blueprint,
    "/company/retention/preview",
    "GET",
    access=Access.ADMIN,
    query={"days": Param("integer", "The retention period to preview, in days.", 1, 3650)},
)
def retention_preview(call: Call) -> dict:
    """What a retention period would delete at once and on which later days (nothing changes)."""
    days = call.query.get("days")
    if days is None:
        raise InvalidInput(
            "Say which retention period to preview: ?days=N.",
            details=[{"field": "days", "problem": "missing", "message": "days is required"}],
        )
    return views.retention_preview(retention.preview(call.recruiter, int(days)))


MONTH = Param(
    description="A month as 2026-11 (this month unless given).", pattern=r"[0-9]{4}-[0-9]{2}"
)
DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
FILTERS = {
    "month": MONTH,
    "since": Param(description="First day, as 2026-11-01 (UTC).", pattern=DAY),
    "until": Param(description="Last day, included, as 2026-11-30 (UTC).", pattern=DAY),
    "actor": Param(description="Only what this person (a user id) did.", max_length=200),
    "action": Param(description="Only this action (see `actions` in the answer).", max_length=200),
    "order": Param(description="oldest (the default) or newest first.", enum=("oldest", "newest")),
}


def _filter(call: Call) -> audit.AuditFilter:
    query = call.query
    return audit.AuditFilter(
        month=query.get("month"),
        since=query.get("since"),
        until=query.get("until"),
        actor=query.get("actor") or None,
        action=query.get("action") or None,
        newest_first=query.get("order") == "newest",
    )


@endpoint(blueprint, "/audit", "GET", access=Access.ADMIN, query={**PAGED, **FILTERS})
def audit_log(call: Call) -> dict:
    """The audit log, each event also in words; a month or a date range, by person and action."""
    page = audit.audit_page(
        call.recruiter.company_id, _filter(call), call.page_size(), call.query.get("cursor")
    )
    return views.audit_page(page)


@endpoint(blueprint, "/audit/export", "GET", access=Access.ADMIN, query=FILTERS)
def audit_export(call: Call) -> Response:
    """The filtered audit log as CSV, with each event's sentence."""
    wanted = _filter(call)
    name = f"audit-{wanted.label()}.csv"  # checks the range before anything is read
    events = audit.described_events(call.recruiter.company_id, wanted)
    return Response(
        views.audit_csv(events),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{name}"',
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


@endpoint(
    blueprint,
    "/company/export",
    "POST",
    access=Access.ADMIN,
    audit=Audit.SELF,
    status=202,
    api_keys=False,  # the file is mailed as a console link to the admin who asked
)
def company_export(call: Call) -> dict:
    """Export the whole company as a file, written by a job; poll `GET /jobs/{job_id}`."""
    return views.job(jobs.JobView(jobs.start_export(call.recruiter)))


@endpoint(blueprint, "/candidate/data", "GET", access=Access.CANDIDATE)
def candidate_data(call: Call) -> dict:
    return views.candidate_data(privacy.candidate_data(call.token))


@endpoint(blueprint, "/candidate/deletion-request", "POST", access=Access.CANDIDATE, status=202)
def candidate_deletion_request(call: Call) -> dict:
    return views.deletion_request(privacy.request_deletion(call.token))
