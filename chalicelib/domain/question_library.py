"""The company's question library: questions kept to reuse, picked into any interview.

An entry keeps a question's text, answer type, timings and retakes, and, when the question
shows a ready video, the library's own copy of it (MP4 and poster under
`media_layout.library_video_keys`). Copies, not references: an interview's save and deletion
rules (`question_videos.tidy`, `delete_all`) only ever touch that interview's own videos, so
deleting the interview, or saving it without the question, leaves the library's video
playing. Picking an entry into an interview copies the video again, as that interview's own.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data import keys, media_layout
from chalicelib.data.models import Interview, LibraryQuestion, new_id
from chalicelib.domain import activity, question_videos
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.observability import logger

# A library of a few hundred questions is read whole by the editor's picker.
MAX_ENTRIES = 500


def list_entries(company_id: str) -> list[LibraryQuestion]:
    """Newest first: one Query on the company partition (ids sort by creation time)."""
    return list(
        LibraryQuestion.query(
            keys.company_pk(company_id),
            LibraryQuestion.sk.startswith(keys.LIBRARY_QUESTION_PREFIX),
            scan_index_forward=False,
            limit=MAX_ENTRIES,
        )
    )


def get_entry(company_id: str, entry_id: str) -> LibraryQuestion:
    """The company's entry; another company's id is simply not found."""
    try:
        return LibraryQuestion.get(*LibraryQuestion.key(company_id, entry_id))
    except (LibraryQuestion.DoesNotExist, ValueError):
        raise NotFound("This library question was not found.") from None


def save_from_interview(
    company_id: str, interview_id: str, question_id: str, created_by: str | None
) -> LibraryQuestion:
    """Keep a saved question of one of the company's interviews in the library.

    The question as saved (not as typed in an unsaved form) is what the library keeps; its
    ready video is copied, so the entry plays whatever becomes of the interview.
    """
    try:
        interview = Interview.get(*Interview.key(company_id, interview_id))
    except Interview.DoesNotExist:
        raise NotFound("Interview not found.") from None
    question = next((q for q in interview.questions if q.question_id == question_id), None)
    if question is None:
        raise NotFound("This question is not in the saved interview. Save the interview first.")
    entry_id = new_id()
    entry = LibraryQuestion(
        *LibraryQuestion.key(company_id, entry_id),
        company_id=company_id,
        entry_id=entry_id,
        text=question.text,
        answer_type=question.answer_type,
        think_seconds=int(question.think_seconds),
        max_answer_seconds=int(question.max_answer_seconds),
        retakes=int(question.retakes),
        created_by=created_by,
        source_interview_id=interview_id,
    )
    video = question_videos.stored_video(company_id, question.video_key or "")
    copied = 0
    if video is not None:
        media, poster = media_layout.library_video_keys(company_id, entry_id)
        poster = poster if video.poster_key else None
        copied = question_videos.copy_objects(
            [(video.media_key, media), (video.poster_key, poster)]
        )
        entry.video_key, entry.poster_key = media, poster
        entry.video_mime_type = video.mime_type
        entry.video_seconds = video.duration_seconds
        entry.video_bytes = video.size_bytes
    try:
        entry.save(condition=LibraryQuestion.pk.does_not_exist())
    except Exception:
        _delete_objects(entry)
        raise
    if copied:
        activity.add_usage(company_id, stored_bytes=copied)
    logger.info("library question saved", extra={"entry_id": entry_id, "video": bool(copied)})
    return entry


def delete_entry(company_id: str, entry_id: str) -> None:
    """Drop an entry and its video copy; interviews that picked it keep their own copies."""
    entry = get_entry(company_id, entry_id)
    try:
        entry.delete(condition=LibraryQuestion.pk.exists())
    except DeleteError:
        raise NotFound("This library question was not found.") from None
    _delete_objects(entry)


def _delete_objects(entry: LibraryQuestion) -> None:
    keys_ = [key for key in (entry.video_key, entry.poster_key) if key]
    if not keys_:
        return
    s3, bucket = client("s3"), get_settings().media_bucket
    deleted = question_videos.stored_bytes(s3, bucket, *keys_)
    s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": key} for key in keys_], "Quiet": True}
    )
    activity.media_deleted(entry.company_id, deleted)


def resolve_picks(company_id: str, interview_id: str, items: list[dict[str, Any]]) -> list[str]:
    """Give each question picked from the library (`from_library`) its own copy of the video.

    Called before an interview is saved; returns the keys it copied (known-good for the
    save's checks). A question whose video was removed in the editor sends a `video_key` of
    None and no `from_library`; one that kept it sends `from_library` and no key.
    """
    copied: list[str] = []
    details = []
    for index, item in enumerate(items):
        entry_id = item.pop("from_library", None)
        if not entry_id or item.get("video_key"):
            continue
        try:
            entry = get_entry(company_id, entry_id)
        except NotFound:
            details.append(
                {
                    "field": f"questions.{index}.from_library",
                    "problem": "missing",
                    "message": "This question's library entry was deleted, with its video. "
                    "Remove the video from the question or pick the question again.",
                }
            )
            continue
        if entry.video_key:
            video = question_videos.StoredVideo(
                entry.video_key,
                entry.poster_key,
                entry.video_mime_type or "video/mp4",
                float(entry.video_seconds) if entry.video_seconds else None,
                int(entry.video_bytes) if entry.video_bytes else None,
            )
            item["video_key"] = question_videos.adopt_copy(company_id, interview_id, video)
            copied.append(item["video_key"])
    if details:
        question_videos.drop(company_id, copied)  # nothing is saved: no copy is kept either
        raise InvalidInput("A question's video cannot be used.", details=details)
    return copied
