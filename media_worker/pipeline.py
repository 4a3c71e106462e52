"""One finalised attempt to one playable answer: fetch, join, probe, transcode, store.

Triggered by the attempt's `manifest.json` (written by the API at finalise). The manifest's
key only locates the answer (`media_layout.parse_manifest_key`): what to expect (chunk count,
answer type, length limit) is read from the answer item, which a browser cannot write.
Finalise recorded every chunk's size and ETag there: the worker fetches exactly those objects
(`IfMatch`, sizes checked while reading), never more than the answer's bound, and ignores
whatever else sits beside them; everything under the attempt's raw prefix is deleted after.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from aws_lambda_powertools import Logger

from chalicelib.data.media_layout import (
    AttemptLocation,
    parse_manifest_key,
    upload_bound,
)
from chalicelib.data.models import Answer
from chalicelib.domain import answer_lifecycle as lifecycle
from media_worker import chunks, question_videos, transcode
from media_worker.chunks import ChunkRefused, s3

logger = Logger(service="oneway-media")

MAX_RECEIVES = lifecycle.MAX_RECEIVES


class StageClock:
    """Seconds spent in each step of one job, logged with its outcome: where the time from
    "Saved" to playable goes (`started_at` is wall-clock, to compare with the upload's)."""

    def __init__(self) -> None:
        self.started_at = time.time()
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = round(now - self._last, 4)
        self._last = now


@dataclass(frozen=True)
class Job:
    """One attempt to turn into media, and the bucket holding it."""

    bucket: str
    location: AttemptLocation


def job_for(bucket: str, key: str) -> Job | None:
    """The attempt a manifest key names; None for any other key."""
    location = parse_manifest_key(key)
    return Job(bucket, location) if location else None


def process(bucket: str, key: str, receive_count: int = 1) -> str:
    """Handle one S3 event; returns what happened (for logs and tests)."""
    job = job_for(bucket, key)
    if job is None and question_videos.is_manifest(key):  # a recruiter's video, not an answer
        return question_videos.process(bucket, key, receive_count)
    if job is None:
        logger.info("not a manifest, ignored", extra={"key": key})
        return "ignored"
    clock = StageClock()
    where = job.location
    answer = lifecycle.load(where.company_id, where.invitation_id, where.question_id, where.attempt)
    if answer is None:
        logger.warning("manifest without an answer, ignored", extra={"key": key})
        return "ignored"
    try:
        claimed = lifecycle.start_processing(answer, redelivery=receive_count > 1)
    except lifecycle.LeaseHeld as held:
        # Another worker is still on it: raising leaves the message for SQS to redeliver.
        logger.info(
            "left for later: another worker holds the answer",
            extra={"key": key, "lease_until": str(held.lease_until)},
        )
        raise
    if not claimed:
        logger.info("already handled", extra={"key": key, "status": answer.status})
        return "duplicate"
    clock.lap("claim")
    try:
        return _transcode_and_store(job, answer, clock)
    except Exception:
        if receive_count >= MAX_RECEIVES:
            # The last try: the message goes to the DLQ, the candidate learns it failed.
            lifecycle.mark_failed(
                answer, lifecycle.PROCESSING_ERROR, lifecycle.PROCESSING_ERROR_MESSAGE
            )
        else:
            lifecycle.give_up(answer)  # the retry need not wait out this worker's lease
        raise


def _transcode_and_store(job: Job, answer: Answer, clock: StageClock) -> str:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="answer-") as tmp:
        workdir = Path(tmp)
        try:
            pieces = _download_chunks(job, answer, workdir)
        except ChunkRefused as refused:
            logger.warning("chunk refused", extra={"key": refused.key, "reason": refused.reason})
            lifecycle.mark_failed(answer, refused.reason, refused.candidate_message)
            _delete_raw(job)
            return "failed"
        clock.lap("download")
        joined = workdir / "joined"
        transcode.join_chunks(pieces, joined)
        for piece in pieces:
            piece.unlink()
        clock.lap("join")
        try:
            result = transcode.transcode(
                joined, workdir, answer.answer_type, float(answer.max_seconds or 0)
            )
        except transcode.MediaRejected as rejected:
            logger.info(
                "upload rejected", extra={"reason": rejected.reason, "detail": rejected.detail}
            )
            lifecycle.mark_failed(answer, rejected.reason, rejected.candidate_message)
            _delete_raw(job)
            return "failed"
        clock.lap("media")
        facts = _store(job, answer.answer_type, result)
        # The worker's own time on the job (what Lambda bills), download to stored.
        facts = dataclasses.replace(facts, worker_seconds=round(time.perf_counter() - started, 3))
        clock.lap("store")
    if not lifecycle.mark_ready(answer, facts):
        logger.info("answer moved on meanwhile", extra={"key": job.location.raw_prefix})
        return "duplicate"
    clock.lap("ready")
    lifecycle.record_usage(answer, facts)
    clock.lap("usage")
    _delete_raw(job)
    clock.lap("cleanup")
    logger.info(
        "answer ready",
        extra={
            "key": facts.media_key,
            "seconds": facts.duration_seconds,
            "path": result.path,
            "worker_seconds": facts.worker_seconds,
            "ffmpeg_cpu_seconds": result.ffmpeg_cpu_s,
            "cut_short": facts.cut_short,
            "cut_at_seconds": facts.cut_at_seconds,
            "started_at": clock.started_at,
            "stage_seconds": clock.seconds,
        },
    )
    return "ready"


def _download_chunks(job: Job, answer: Answer, workdir: Path) -> list[Path]:
    """Fetch exactly the chunks finalise recorded, in parallel (latency dominates).

    Each chunk is fetched by the ETag finalise saw and must have the size it had: a chunk
    replaced afterwards fails the answer rather than slip in. Nothing beyond the answer's
    bound is read, whatever the bucket holds (answers finalised before sizes were recorded
    are held to the bound as they stream in).
    """
    count = int(answer.chunk_count or 0)
    sizes = [int(size) for size in answer.chunk_sizes or ()]
    etags = [str(etag) for etag in answer.chunk_etags or ()]
    recorded = len(sizes) == count and len(etags) == count
    bound = upload_bound(answer.answer_type, float(answer.max_seconds or 0))
    if count > bound.max_chunks or sum(sizes) > bound.max_total_bytes:
        raise chunks.too_large(job.location.raw_prefix)
    return chunks.fetch(
        job.bucket,
        [job.location.chunk_key(index) for index in range(count)],
        workdir,
        bound.max_total_bytes,
        sizes=sizes if recorded else None,
        etags=etags if recorded else None,
    )


def _store(job: Job, answer_type: str, result: transcode.TranscodeResult) -> lifecycle.MediaFacts:
    keys = job.location.output_keys(answer_type)
    s3().upload_file(
        str(result.output_path),
        job.bucket,
        keys.media,
        ExtraArgs={"ContentType": result.content_type},
    )
    poster_key = None
    if keys.poster and result.poster_path is not None:
        poster_key = keys.poster
        s3().upload_file(
            str(result.poster_path), job.bucket, poster_key, ExtraArgs={"ContentType": "image/jpeg"}
        )
    return lifecycle.MediaFacts(
        media_key=keys.media,
        poster_key=poster_key,
        duration_seconds=result.duration_s,
        width=result.width,
        height=result.height,
        video_codec=result.video_codec,
        audio_codec=result.audio_codec,
        size_bytes=result.output_bytes,
        poster_bytes=result.poster_path.stat().st_size if poster_key and result.poster_path else 0,
        cut_short=result.cut_short,
        cut_at_seconds=result.cut_at_s,
        processing_path=result.path,
    )


def _delete_raw(job: Job) -> None:
    """Raw chunks go once the result is stored (lifecycle expiry is the backstop)."""
    chunks.delete_prefix(job.bucket, job.location.raw_prefix)
