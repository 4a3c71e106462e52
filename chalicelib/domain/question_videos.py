"""Question videos: a recruiter records (or sends) a video, the worker makes it play everywhere.

The console records in the browser with the candidates' recorder and uploads chunks while it
records, or sends a file in slices: either way under the video's `raw/` prefix, with one
presigned POST per chunk (`uploads.chunk_grant`, bounded by `media_layout.question_video_bound`).
Finalise records each chunk's size and ETag and writes the manifest, which wakes the media
worker through the answers' notification; the worker makes an MP4 H.264/AAC (+faststart) and a
poster, like an answer, so it plays on Safari and iOS.

    uploading → processing (finalised) → ready | failed (with a reason the recruiter reads)
    processing → discarded (a take dropped while the worker may be on it; deleted later)

A question saves the video's MP4 key (`video_key`); an interview is saved only with ready
videos of its own. Saving also tidies: every video of the interview no question shows any more
(replaced, removed, re-recorded, abandoned) is deleted, objects and item, unless candidates
invited while it was shown may still watch it (their invitation keeps a snapshot).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.adapters import uploads
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data import keys, media_layout
from chalicelib.data.media_layout import QuestionVideoLocation
from chalicelib.data.models import Interview, QuestionVideo, new_id, utcnow
from chalicelib.domain import activity
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.observability import logger

MAX_SECONDS = media_layout.QUESTION_VIDEO_MAX_SECONDS
# What a browser may send: a recording (MP4 or WebM), or a file from a phone or camera.
CONTENT_TYPES = ("video/mp4", "video/webm", "video/x-matroska", "video/quicktime")
# An unsaved video still uploading or processing this recently may be another tab's: kept.
IN_PROGRESS_GRACE = timedelta(hours=1)
# A discarded video's objects wait this long: a worker run ends within Lambda's 15 minutes.
WORKER_GRACE = timedelta(minutes=15)
UNSAVED_GRACE = {
    "uploading": IN_PROGRESS_GRACE,
    "processing": IN_PROGRESS_GRACE,
    "discarded": WORKER_GRACE,
}

PROCESSING_ERROR = "processing_error"
MESSAGES: dict[str, str] = {
    "empty": "The video reached us empty. Please record it or choose the file again.",
    "not_media": "This file is not a video we can read. Choose an MP4, MOV or WebM video.",
    "corrupt": "This video is damaged, so it cannot be played. Record it or choose another file.",
    "interrupted": "The recording stopped before any of it was saved. Please record it again.",
    "no_video_stream": "This file has no picture. Choose a video, not a sound file.",
    "no_audio_stream": (
        "This video has no sound. Check the microphone and record it again, or choose a video "
        "with sound."
    ),
    "too_long": "Question videos are at most 3 minutes long. Record or choose a shorter one.",
    "too_large": "This video is longer than 3 minutes or larger than 200 MB. Choose a shorter one.",
    "missing_chunk": "Part of the video did not reach us. Please record or send it again.",
    "changed_chunk": "Part of the video changed after it was sent. Please send it again.",
    PROCESSING_ERROR: "We could not process this video. Please record or send it again.",
}


def _location(video: QuestionVideo) -> QuestionVideoLocation:
    return QuestionVideoLocation(video.company_id, video.interview_id, video.video_id)


def _interview(company_id: str, interview_id: str) -> Interview:
    try:
        return Interview.get(*Interview.key(company_id, interview_id))
    except Interview.DoesNotExist:
        raise NotFound("Interview not found.") from None


def video_key(video: QuestionVideo) -> str:
    """What a question saves for this video: where its MP4 is, or will be once ready."""
    return _location(video).output_keys.media


def get(company_id: str, interview_id: str, video_id: str) -> QuestionVideo:
    """The company's video of this interview; anything else is simply not found."""
    try:
        return QuestionVideo.get(*QuestionVideo.key(company_id, interview_id, video_id))
    except (QuestionVideo.DoesNotExist, ValueError):
        raise NotFound("Question video not found.") from None


def of_interview(company_id: str, interview_id: str) -> list[QuestionVideo]:
    """Every video of one interview: one Query on its children partition."""
    return list(
        QuestionVideo.query(
            keys.interview_children_pk(company_id, interview_id),
            QuestionVideo.sk.startswith(keys.QUESTION_VIDEO_PREFIX),
        )
    )


@dataclass(frozen=True)
class Started:
    """A new video, and the presigned POSTs for its first window of chunks."""

    video: QuestionVideo
    grant: uploads.Grant


def start(company_id: str, interview_id: str, mime_type: str, source: str) -> Started:
    """A new question video of this (active) interview, ready to take its chunks."""
    interview = _interview(company_id, interview_id)
    if interview.status == "archived":
        raise Conflict("This interview is archived. Duplicate it to make a new version.")
    content_type = mime_type.split(";", 1)[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise InvalidInput(
            "Choose an MP4, MOV or WebM video.",
            details=[
                {"field": "mime_type", "problem": "unsupported", "message": "MP4, MOV or WebM"}
            ],
        )
    video_id = new_id()
    video = QuestionVideo(
        *QuestionVideo.key(company_id, interview_id, video_id),
        company_id=company_id,
        interview_id=interview_id,
        video_id=video_id,
        mime_type=mime_type,
        source=source,
    )
    video.save(condition=QuestionVideo.pk.does_not_exist())
    return Started(video, _grant(video, 0))


def _grant(video: QuestionVideo, first_chunk: int) -> uploads.Grant:
    try:
        return uploads.chunk_grant(
            _location(video), video.mime_type, media_layout.question_video_bound(), first_chunk
        )
    except uploads.BeyondBound:
        raise InvalidInput(
            "This video is longer than 3 minutes or larger than 200 MB.",
            details=[{"field": "first_chunk", "problem": "beyond_bound"}],
        ) from None


def grant(company_id: str, interview_id: str, video_id: str, first_chunk: int) -> uploads.Grant:
    """The next window of presigned POSTs, while the video is still uploading."""
    video = get(company_id, interview_id, video_id)
    if video.status != "uploading":
        raise Conflict("This video was already sent.")
    return _grant(video, first_chunk)


def finalise(company_id: str, interview_id: str, video_id: str, chunks: int) -> QuestionVideo:
    """Every chunk is in S3: record them and hand the video to the worker (retry-safe)."""
    video = get(company_id, interview_id, video_id)
    if video.status != "uploading":
        if video.chunk_count == chunks:
            return video  # a retried finalise: nothing happens twice
        raise Conflict("This video was already sent with a different number of parts.")
    location = _location(video)
    stored = uploads.chunk_objects(location)
    missing = [index for index in range(chunks) if index not in stored]
    if missing:
        raise Conflict(
            "Some parts of the video have not arrived yet; they are being sent again.",
            details=[{"field": "chunks", "problem": "missing", "missing": missing[:500]}],
        )
    parts = [stored[index] for index in range(chunks)]
    bound = media_layout.question_video_bound()
    if chunks > bound.max_chunks or sum(part.size for part in parts) > bound.max_total_bytes:
        raise InvalidInput(
            MESSAGES["too_large"], details=[{"field": "chunks", "problem": "too_large"}]
        )
    try:
        video.update(
            actions=[
                QuestionVideo.status.set("processing"),
                QuestionVideo.chunk_count.set(chunks),
                QuestionVideo.chunk_sizes.set([part.size for part in parts]),
                QuestionVideo.chunk_etags.set([part.etag for part in parts]),
                QuestionVideo.updated_at.set(utcnow()),
            ],
            condition=QuestionVideo.status == "uploading",
        )
    except UpdateError:
        return finalise(company_id, interview_id, video_id, chunks)  # finalised meanwhile
    _write_manifest(location, chunks)
    return video


def _write_manifest(location: QuestionVideoLocation, chunks: int) -> None:
    """Its arrival wakes the worker; what to fetch is read from the item, not from here."""
    body = {"video_id": location.video_id, "chunks": chunks}
    client("s3").put_object(
        Bucket=get_settings().media_bucket,
        Key=location.manifest_key,
        Body=json.dumps(body).encode(),
        ContentType="application/json",
    )


def discard(company_id: str, interview_id: str, video_id: str) -> None:
    """Drop a video no question shows (a take the recruiter did not keep): objects and item.

    One the worker may be making right now is only marked `discarded`: deleting its objects
    before the worker stored its MP4 would leave that MP4 behind. A save deletes it once no
    worker can still be on it (`WORKER_GRACE`).
    """
    video = get(company_id, interview_id, video_id)
    interview = _interview(company_id, interview_id)
    if any(q.video_key and q.video_key == video_key(video) for q in interview.questions):
        raise Conflict("A question shows this video. Remove it from the question and save first.")
    if video.status == "processing":
        try:
            video.update(
                actions=[
                    QuestionVideo.status.set("discarded"),
                    QuestionVideo.updated_at.set(utcnow()),
                ],
                condition=QuestionVideo.status == "processing",
            )
            return
        except UpdateError:
            video.refresh()  # the worker finished meanwhile: nothing runs on it any more
    _delete(video)


# --- the interview's side: save, duplicate, delete -----------------------------------------


def check_keys(
    company_id: str, interview_id: str, items: list[dict[str, Any]], known: Iterable[str] = ()
) -> None:
    """Each question's video is a ready video of this interview; 422 naming it if not.

    Keys the interview already has (or a duplicate's own copies) are kept as they are.
    """
    kept = set(known)
    details = []
    for index, item in enumerate(items):
        key = item.get("video_key")
        if not key or key in kept:
            continue
        problem = _problem(company_id, interview_id, key)
        if problem is not None:
            details.append(
                {
                    "field": f"questions.{index}.video_key",
                    "problem": problem[0],
                    "message": problem[1],
                }
            )
    if details:
        raise InvalidInput("A question's video cannot be used yet.", details=details)


FOREIGN = ("foreign", "This video does not belong to this interview.")
MISSING = ("missing", "This video was not uploaded. Please add it again.")
NOT_READY = {
    "uploading": ("uploading", "This video has not finished uploading."),
    "processing": (
        "processing",
        "This video is still being processed. Save again once it is ready.",
    ),
}


def _problem(company_id: str, interview_id: str, key: str) -> tuple[str, str] | None:
    """Why `key` cannot be saved on a question of this interview, or None when it can."""
    location = media_layout.parse_question_video_key(key)
    if location is None:
        return _older_problem(company_id, interview_id, key)
    if (location.company_id, location.interview_id) != (company_id, interview_id):
        return FOREIGN
    try:
        video = get(company_id, interview_id, location.video_id)
    except NotFound:
        return MISSING
    if video.status == "failed":
        return "failed", video.error_message or MESSAGES[PROCESSING_ERROR]
    return NOT_READY.get(video.status)


def _older_problem(company_id: str, interview_id: str, key: str) -> tuple[str, str] | None:
    """An older video, stored as uploaded: this interview's, and in S3."""
    if not media_layout.is_question_video_of(key, company_id, interview_id):
        return FOREIGN
    return None if uploads.object_exists(key) else MISSING


def tidy(company_id: str, interview_id: str, shown: Iterable[str], invited_before: int) -> int:
    """After a save: note the videos now shown, delete those no question shows any more.

    `invited_before` is the interview's invitation count read before the save. A video kept
    for candidates invited while it was shown is left alone; so is an unsaved video still
    uploading or processing (another tab may be about to save it). Returns how many went.
    """
    shown = set(shown)
    deleted = 0
    for video in of_interview(company_id, interview_id):
        if video.status == "ready" and video.media_key in shown:
            if video.invited_when_attached is None:
                with contextlib.suppress(UpdateError):
                    video.update(
                        actions=[QuestionVideo.invited_when_attached.set(invited_before)],
                        condition=QuestionVideo.invited_when_attached.does_not_exist(),
                    )
            continue
        grace = UNSAVED_GRACE.get(video.status)
        if grace is not None and utcnow() - video.updated_at < grace:
            continue
        attached = video.invited_when_attached
        if attached is not None and invited_before > int(attached):
            continue  # candidates invited meanwhile may watch it: their snapshot keeps it
        _delete(video)
        deleted += 1
    return deleted


def copy_for(source: Interview, interview_id: str) -> dict[str, str]:
    """Copies of the source's ready videos for a duplicate: old key → the copy's key.

    Each interview owns its videos, so replacing one never takes another interview's away.
    Older, as-uploaded videos stay shared (nothing deletes them).
    """
    copies: dict[str, str] = {}
    copied_bytes = 0
    for question in source.questions:
        key = question.video_key
        location = media_layout.parse_question_video_key(key or "")
        if location is None or key in copies:
            continue
        video = get(source.company_id, source.interview_id, location.video_id)
        video_id = new_id()
        copy = QuestionVideo(
            *QuestionVideo.key(source.company_id, interview_id, video_id),
            company_id=source.company_id,
            interview_id=interview_id,
            video_id=video_id,
            mime_type=video.mime_type,
            source=video.source,
            status="ready",
            duration_seconds=video.duration_seconds,
            width=video.width,
            height=video.height,
            size_bytes=video.size_bytes,
            invited_when_attached=0,
        )
        outputs = _location(copy).output_keys
        pairs = [(video.media_key, outputs.media), (video.poster_key, outputs.poster)]
        stored = copy_objects(pairs)
        copy.media_key, copy.poster_key = outputs.media, outputs.poster
        try:
            copy.save(condition=QuestionVideo.pk.does_not_exist())
        except PutError:
            _delete(copy)
            raise
        copies[key] = outputs.media
        copied_bytes += stored
    if copied_bytes:
        activity.add_usage(source.company_id, stored_bytes=copied_bytes)
    return copies


@dataclass(frozen=True)
class StoredVideo:
    """A ready video's objects and facts, wherever it lives (an interview, the library)."""

    media_key: str
    poster_key: str | None
    mime_type: str
    duration_seconds: float | None
    size_bytes: int | None


def stored_video(company_id: str, key: str) -> StoredVideo | None:
    """The ready video a question's `video_key` names, or None when it has none that plays.

    Only a processed video of this company counts (an older, as-uploaded one is not copied).
    """
    location = media_layout.parse_question_video_key(key or "")
    if location is None or location.company_id != company_id:
        return None
    try:
        video = get(company_id, location.interview_id, location.video_id)
    except NotFound:
        return None
    if video.status != "ready" or not video.media_key:
        return None
    return StoredVideo(
        video.media_key,
        video.poster_key,
        video.mime_type,
        float(video.duration_seconds) if video.duration_seconds else None,
        int(video.size_bytes) if video.size_bytes else None,
    )


def copy_objects(pairs: Iterable[tuple[str | None, str | None]]) -> int:
    """Copy each (source, target) object in the media bucket; returns the bytes now stored."""
    s3, bucket = client("s3"), get_settings().media_bucket
    targets = []
    for old, new in pairs:
        if old and new:
            s3.copy_object(Bucket=bucket, Key=new, CopySource={"Bucket": bucket, "Key": old})
            targets.append(new)
    return stored_bytes(s3, bucket, *targets)


def adopt_copy(company_id: str, interview_id: str, source: StoredVideo) -> str:
    """A ready video of this interview copied from `source` (a library question's video).

    The interview owns the copy like a video recorded for it, so its save and deletion rules
    apply to the copy alone; returns the key a question saves.
    """
    video_id = new_id()
    copy = QuestionVideo(
        *QuestionVideo.key(company_id, interview_id, video_id),
        company_id=company_id,
        interview_id=interview_id,
        video_id=video_id,
        mime_type=source.mime_type,
        source="library",
        status="ready",
        duration_seconds=source.duration_seconds,
        size_bytes=source.size_bytes,
    )
    outputs = _location(copy).output_keys
    copied = copy_objects([(source.media_key, outputs.media), (source.poster_key, outputs.poster)])
    copy.media_key = outputs.media
    copy.poster_key = outputs.poster if source.poster_key else None
    try:
        copy.save(condition=QuestionVideo.pk.does_not_exist())
    except PutError:
        _delete(copy)
        raise
    if copied:
        activity.add_usage(company_id, stored_bytes=copied)
    return outputs.media


def drop(company_id: str, keys: Iterable[str]) -> None:
    """Delete the videos these keys name (copies made for a save that did not happen)."""
    for key in keys:
        location = media_layout.parse_question_video_key(key)
        if location is None or location.company_id != company_id:
            continue
        with contextlib.suppress(NotFound):
            _delete(get(company_id, location.interview_id, location.video_id))


def stored_bytes(s3: Any, bucket: str, *keys: str | None) -> int:
    """The size of the objects that exist among `keys` (what stored-now counts)."""
    total = 0
    for key in keys:
        if key:
            with contextlib.suppress(s3.exceptions.ClientError):
                total += int(s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
    return total


def delete_all(company_id: str, interview_id: str) -> int:
    """Every video of an interview that is being deleted: objects under both roots, items."""
    videos = of_interview(company_id, interview_id)
    # One listing of the interview's two roots holds every video's objects (older ones too);
    # objects first, then the items, as `_delete` does for one video.
    deleted_bytes = _delete_under(
        media_layout.question_video_prefix(company_id, interview_id),
        f"{media_layout.RAW_ROOT}{company_id}/{interview_id}/{media_layout.QUESTION_VIDEO_SEGMENT}/",
    )
    activity.media_deleted(company_id, deleted_bytes)
    for video in videos:
        video.delete()
    logger.info(
        "question videos deleted", extra={"interview_id": interview_id, "videos": len(videos)}
    )
    return len(videos)


def _delete(video: QuestionVideo) -> None:
    """Objects first, then the item: a failure in between leaves the item to retry on."""
    activity.media_deleted(video.company_id, _delete_under(*_location(video).prefixes))
    video.delete()
    logger.info(
        "question video deleted",
        extra={"interview_id": video.interview_id, "video_id": video.video_id},
    )


def _delete_under(*prefixes: str) -> int:
    """Delete everything under `prefixes`; returns the bytes of stored (not raw) objects.

    Those bytes were listed before deleting, so a repeated deletion counts none.
    """
    s3, bucket = client("s3"), get_settings().media_bucket
    paginator = s3.get_paginator("list_objects_v2")
    stored = 0
    for prefix in prefixes:
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            contents = page.get("Contents", [])
            objects = [{"Key": item["Key"]} for item in contents]
            if objects:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
                stored += sum(
                    int(item.get("Size", 0))
                    for item in contents
                    if not item["Key"].startswith(media_layout.RAW_ROOT)
                )
    return stored


# --- the worker's side ---------------------------------------------------------------------


def load(location: QuestionVideoLocation) -> QuestionVideo | None:
    try:
        return QuestionVideo.get(
            *QuestionVideo.key(location.company_id, location.interview_id, location.video_id)
        )
    except QuestionVideo.DoesNotExist:
        return None


@dataclass(frozen=True)
class VideoFacts:
    """What the worker stored for a question video."""

    media_key: str
    poster_key: str | None
    duration_seconds: float
    width: int | None
    height: int | None
    size_bytes: int


def mark_ready(video: QuestionVideo, facts: VideoFacts) -> bool:
    """processing → ready; False if it moved on meanwhile (a duplicate event, a deletion)."""
    values = [
        (QuestionVideo.status, "ready"),
        (QuestionVideo.media_key, facts.media_key),
        (QuestionVideo.poster_key, facts.poster_key),
        (QuestionVideo.duration_seconds, round(facts.duration_seconds, 3)),
        (QuestionVideo.width, facts.width),
        (QuestionVideo.height, facts.height),
        (QuestionVideo.size_bytes, facts.size_bytes),
        (QuestionVideo.updated_at, utcnow()),
    ]
    try:
        video.update(
            actions=[field.set(value) for field, value in values if value is not None],
            condition=QuestionVideo.status == "processing",
        )
    except UpdateError:
        return False
    return True


def mark_failed(video: QuestionVideo, reason: str, message: str | None = None) -> bool:
    """processing → failed, with words the recruiter reads beside the video."""
    try:
        video.update(
            actions=[
                QuestionVideo.status.set("failed"),
                QuestionVideo.error_reason.set(reason),
                QuestionVideo.error_message.set(message or MESSAGES.get(reason) or reason),
                QuestionVideo.updated_at.set(utcnow()),
            ],
            condition=QuestionVideo.status == "processing",
        )
    except UpdateError:
        return False
    return True
