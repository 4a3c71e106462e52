"""Jobs a request started (bulk invitations, the company export): status and results."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.endpoint import Access, Call, endpoint
from chalicelib.domain import jobs

blueprint = Blueprint(__name__)


@endpoint(blueprint, "/jobs/{job_id}", "GET", access=Access.ADMIN)
def job_status(call: Call, job_id: str) -> dict:
    """A job's status and each row's outcome so far; a finished export's download link."""
    return views.job(jobs.view(call.recruiter, job_id))
