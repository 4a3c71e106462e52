"""One finalised question video to an MP4 H.264/AAC (+faststart) and a poster, like an answer.

Woken by the video's `manifest.json` under `raw/<company>/<interview>/question-videos/<id>/`
(the answers' notification). What to fetch is read from the video's item, which only the API
writes: exactly the chunks finalise recorded (by ETag and size, never past the bound). The
output lands at `question-videos/<company>/<interview>/<id>/video.mp4` + `poster.jpg`; the raw
chunks and manifest are deleted once it is stored, or once the video failed.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from aws_lambda_powertools import Logger

from chalicelib.data.media_layout import (
    QuestionVideoLocation,
    parse_question_video_manifest_key,
    question_video_bound,
)
from chalicelib.data.models import QuestionVideo
from chalicelib.domain import activity, answer_lifecycle
from chalicelib.domain import question_videos as videos
from media_worker import chunks, transcode
from media_worker.chunks import ChunkRefused, s3

logger = Logger(service="oneway-media")

MAX_RECEIVES = answer_lifecycle.MAX_RECEIVES


def is_manifest(key: str) -> bool:
    """Whether the key is a question video's manifest (answers' manifests are not)."""
    return parse_question_video_manifest_key(key) is not None


def process(bucket: str, key: str, receive_count: int = 1) -> str:
    """Handle one question video's manifest; returns what happened (for logs and tests)."""
    location = parse_question_video_manifest_key(key)
    video = videos.load(location) if location else None
    if location is None or video is None:
        logger.info("question video manifest without a video, ignored", extra={"key": key})
        return "ignored"
    if video.status != "processing":
        logger.info("question video already handled", extra={"key": key, "status": video.status})
        return "duplicate"
    try:
        return _make_playable(bucket, location, video)
    except Exception:
        if receive_count >= MAX_RECEIVES:  # the last try: the recruiter learns it failed
            videos.mark_failed(video, videos.PROCESSING_ERROR)
        raise


def _make_playable(bucket: str, location: QuestionVideoLocation, video: QuestionVideo) -> str:
    started = time.perf_counter()  # the worker's seconds on it, for the company's usage bill
    with tempfile.TemporaryDirectory(prefix="question-video-") as tmp:
        workdir = Path(tmp)
        try:
            pieces = _download(bucket, location, video, workdir)
        except ChunkRefused as refused:
            return _failed(bucket, location, video, refused.reason)
        joined = workdir / "joined"
        transcode.join_chunks(pieces, joined)
        for piece in pieces:
            piece.unlink()
        try:
            result = transcode.transcode(joined, workdir, "video", videos.MAX_SECONDS)
        except transcode.MediaRejected as rejected:
            logger.info(
                "question video rejected",
                extra={"reason": rejected.reason, "detail": rejected.detail},
            )
            return _failed(bucket, location, video, rejected.reason)
        outputs = location.output_keys
        s3().upload_file(
            str(result.output_path),
            bucket,
            outputs.media,
            ExtraArgs={"ContentType": result.content_type},
        )
        poster_key, poster_bytes = None, 0
        if result.poster_path is not None and outputs.poster:
            poster_key, poster_bytes = outputs.poster, result.poster_path.stat().st_size
            s3().upload_file(
                str(result.poster_path), bucket, poster_key, ExtraArgs={"ContentType": "image/jpeg"}
            )
    facts = videos.VideoFacts(
        media_key=outputs.media,
        poster_key=poster_key,
        duration_seconds=result.duration_s,
        width=result.width,
        height=result.height,
        size_bytes=result.output_bytes,
    )
    if not videos.mark_ready(video, facts):
        logger.info("question video moved on meanwhile", extra={"key": outputs.media})
        return "duplicate"
    activity.add_usage(
        video.company_id,
        stored_bytes=facts.size_bytes + poster_bytes,
        worker_seconds=time.perf_counter() - started,
        worker_runs=1,
    )
    _delete_raw(bucket, location)
    logger.info(
        "question video ready",
        extra={"key": outputs.media, "seconds": result.duration_s, "remuxed": result.remuxed},
    )
    return "ready"


def _failed(bucket: str, location: QuestionVideoLocation, video: QuestionVideo, reason: str) -> str:
    videos.mark_failed(video, reason)
    _delete_raw(bucket, location)
    return "failed"


def _download(
    bucket: str, location: QuestionVideoLocation, video: QuestionVideo, workdir: Path
) -> list[Path]:
    """Exactly the chunks finalise recorded, each by its ETag and size, within the bound."""
    sizes = [int(size) for size in video.chunk_sizes or ()]
    etags = [str(etag) for etag in video.chunk_etags or ()]
    bound = question_video_bound()
    count = int(video.chunk_count or 0)
    if len(sizes) != count or len(etags) != count or count > bound.max_chunks:
        refuse = chunks.too_large if count > bound.max_chunks else chunks.missing
        raise refuse(location.raw_prefix)
    if sum(sizes) > bound.max_total_bytes:
        raise chunks.too_large(location.raw_prefix)
    return chunks.fetch(
        bucket,
        [location.chunk_key(index) for index in range(count)],
        workdir,
        bound.max_total_bytes,
        sizes=sizes,
        etags=etags,
    )


def _delete_raw(bucket: str, location: QuestionVideoLocation) -> None:
    """Chunks and manifest go once the video is stored or failed (lifecycle is the backstop)."""
    chunks.delete_prefix(bucket, location.raw_prefix)
