"""Interviews, as the company's admins build them and every recruiter reads them."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api import views
from chalicelib.api.candidate_views import upload_grant
from chalicelib.api.endpoint import (
    FIRST_CHUNK,
    Access,
    Audit,
    Call,
    Param,
    endpoint,
    first_chunk,
    schemas,
)
from chalicelib.domain import interviews, question_library, question_videos, reminders

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
    "/interviews/{interview_id}",
    "DELETE",
    access=Access.ADMIN,
    audit=Audit.AUTO,
    status=204,
)
def delete_interview(call: Call, interview_id: str) -> None:
    """An interview nobody was invited to goes, with its question videos; else archive it."""
    interviews.delete_interview(call.recruiter.company_id, interview_id)


# --- question videos: recorded in the console (or a file sent in slices), made MP4 by the worker


@endpoint(
    blueprint,
    "/interviews/{interview_id}/question-videos",
    "POST",
    access=Access.ADMIN,
    body=schemas.QuestionVideoIn,
    audit=Audit.AUTO,
    status=201,
)
def question_video_start(call: Call, interview_id: str) -> dict:
    """A new question video and the presigned POSTs for its first chunks."""
    body = call.body
    started = question_videos.start(
        call.recruiter.company_id, interview_id, body.mime_type, body.source
    )
    return views.question_video_started(started)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/question-videos/{video_id}",
    "GET",
    access=Access.ADMIN,
)
def question_video_status(call: Call, interview_id: str, video_id: str) -> dict:
    """uploading, processing, ready (with its MP4 and poster) or failed (with why)."""
    video = question_videos.get(call.recruiter.company_id, interview_id, video_id)
    return views.question_video(video)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/question-videos/{video_id}/grant",
    "POST",
    access=Access.ADMIN,
    audit=Audit.AUTO,
    query=FIRST_CHUNK,
)
def question_video_grant(call: Call, interview_id: str, video_id: str) -> dict:
    """The next window of presigned POSTs, asked for ahead of time while recording."""
    first = first_chunk(call)
    grant = question_videos.grant(call.recruiter.company_id, interview_id, video_id, first)
    return {"upload": upload_grant(grant)}


@endpoint(
    blueprint,
    "/interviews/{interview_id}/question-videos/{video_id}/finalise",
    "POST",
    access=Access.ADMIN,
    body=schemas.QuestionVideoFinaliseIn,
    audit=Audit.AUTO,
)
def question_video_finalise(call: Call, interview_id: str, video_id: str) -> dict:
    """Every chunk is sent: the worker makes it an MP4 with a poster (status `processing`)."""
    video = question_videos.finalise(
        call.recruiter.company_id, interview_id, video_id, call.body.chunks
    )
    return views.question_video(video)


@endpoint(
    blueprint,
    "/interviews/{interview_id}/question-videos/{video_id}",
    "DELETE",
    access=Access.ADMIN,
    audit=Audit.AUTO,
    status=204,
)
def question_video_discard(call: Call, interview_id: str, video_id: str) -> None:
    """A take the recruiter did not keep; a video a question shows is refused (409)."""
    question_videos.discard(call.recruiter.company_id, interview_id, video_id)


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


# --- the company's question library: keep a question, pick it into another interview


@endpoint(blueprint, "/questions/library", "GET", access=Access.RECRUITER)
def library_list(call: Call) -> dict:
    """The company's library questions, newest first (with their videos, if any)."""
    entries = question_library.list_entries(call.recruiter.company_id)
    return {"questions": [views.library_question(e) for e in entries]}


@endpoint(
    blueprint,
    "/questions/library",
    "POST",
    access=Access.ADMIN,
    body=schemas.LibraryQuestionIn,
    audit=Audit.AUTO,
    status=201,
)
def library_save(call: Call) -> dict:
    """Keep a saved question of an interview in the library (its video is copied)."""
    principal, body = call.recruiter, call.body
    entry = question_library.save_from_interview(
        principal.company_id, body.interview_id, body.question_id, principal.user_id
    )
    return views.library_question(entry)


@endpoint(
    blueprint,
    "/questions/library/{entry_id}",
    "DELETE",
    access=Access.ADMIN,
    audit=Audit.AUTO,
    status=204,
)
def library_delete(call: Call, entry_id: str) -> None:
    """Drop a library question; interviews that picked it keep their copies."""
    question_library.delete_entry(call.recruiter.company_id, entry_id)
