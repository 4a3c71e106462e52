"""Interviews, as the company's admins build them and every recruiter reads them."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.endpoint import Access, Audit, Call, Param, endpoint, schemas
from chalicelib.domain import interviews, reminders

blueprint = Blueprint(__name__)


@endpoint(
    blueprint,
    "/interviews",
    "GET",
    access=Access.RECRUITER,
    query={"archived": Param("boolean", "Include archived interviews (false unless given).")},
)
def list_interviews(call: Call) -> dict:
    archived = call.query.get("archived") == "true"
    items = interviews.list_interviews(call.recruiter.company_id, include_archived=archived)
    return {"interviews": [views.interview(i) for i in items]}


@endpoint(
    blueprint,
    "/interviews",
    "POST",
    access=Access.ADMIN,
    body=schemas.InterviewIn,
    audit=Audit.AUTO,
    status=201,
)
def create_interview(call: Call) -> dict:
    principal, body = call.recruiter, call.body.model_dump()
    interview = interviews.create_interview(
        principal.company_id,
        body.pop("title"),
        body.pop("questions"),
        created_by=principal.user_id,
        rubric=body.pop("rubric"),
        **body,
    )
    return views.interview(interview)


@endpoint(blueprint, "/interviews/{interview_id}", "GET", access=Access.RECRUITER)
def get_interview(call: Call, interview_id: str) -> dict:
    interview = interviews.get_interview(call.recruiter.company_id, interview_id)
    return views.interview(interview)


@endpoint(
    blueprint,
    "/interviews/{interview_id}",
    "PUT",
    access=Access.ADMIN,
    body=schemas.InterviewIn,
    audit=Audit.AUTO,
)
def update_interview(call: Call, interview_id: str) -> dict:
    data = call.body.model_dump()
    interview = interviews.update_interview(call.recruiter.company_id, interview_id, data)
    return views.interview(interview)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/question-videos",
    "POST",
    access=Access.ADMIN,
    body=schemas.QuestionVideoIn,
    audit=Audit.AUTO,
    status=201,
)
def question_video_upload(call: Call, interview_id: str) -> dict:
    """A presigned POST for one question video, and the `video_key` to save on the question."""
    company_id = call.recruiter.company_id
    upload = interviews.question_video_upload(company_id, interview_id, call.body.mime_type)
    return views.question_video_upload(upload)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/duplicate",
    "POST",
    access=Access.ADMIN,
    audit=Audit.AUTO,
    status=201,
)
def duplicate_interview(call: Call, interview_id: str) -> dict:
    principal = call.recruiter
    copy = interviews.duplicate_interview(principal.company_id, interview_id, principal.user_id)
    return views.interview(copy)


@endpoint(
    blueprint, "/interviews/{interview_id}/archive", "POST", access=Access.ADMIN, audit=Audit.AUTO
)
def archive_interview(call: Call, interview_id: str) -> dict:
    interview = interviews.archive_interview(call.recruiter.company_id, interview_id)
    return views.interview(interview)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/apply-link",
    "PUT",
    access=Access.ADMIN,
    body=schemas.ApplyLinkIn,
    audit=Audit.AUTO,
)
def set_apply_link(call: Call, interview_id: str) -> dict:
    body = call.body
    interview = interviews.set_apply_link(
        call.recruiter.company_id, interview_id, body.enabled, body.cap
    )
    return views.interview(interview)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/settings",
    "PUT",
    access=Access.ADMIN,
    body=schemas.SettingsIn,
    audit=Audit.AUTO,
)
def interview_settings(call: Call, interview_id: str) -> dict:
    body = call.body
    return views.interview(
        interviews.set_blind_review(
            call.recruiter.company_id,
            interview_id,
            body.blind_review,
            admins_too=body.hide_names_from_admins,
        )
    )


@endpoint(
    blueprint,
    "/interviews/{interview_id}/follow-up",
    "PUT",
    access=Access.ADMIN,
    body=schemas.FollowUpIn,
    audit=Audit.AUTO,
)
def interview_follow_up(call: Call, interview_id: str) -> dict:
    body = call.body
    interview = reminders.set_interview_follow_up(
        call.recruiter.company_id, interview_id, body.reminder_hours, body.booking_url
    )
    return views.follow_up(interview)
