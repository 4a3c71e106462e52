"""Finalised answers through S3 → SQS → the worker's handler, with the real pinned ffmpeg."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import av
import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.adapters.aws import client
from chalicelib.data.models import Answer, utcnow
from chalicelib.domain import answer_lifecycle
from media_worker import pipeline
from media_worker.handler import uploads_in
from tests.drivers.api import Candidate, consenting_candidate, create
from tests.drivers.media import Clip, Recording, generate, image_size, read_packets, top_level_boxes
from tests.drivers.worker import (
    answer_of,
    fetch,
    keys_under,
    queued_event,
    run_worker,
    upload_in_chunks,
)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s VP8/Opus WebM without a duration in its header, as MediaRecorder writes it."""
    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("rec") / "a.webm")


@pytest.fixture
def candidate(http: Any, admin: dict) -> Candidate:
    token = admin["tokens"]["id_token"]
    return consenting_candidate(http, token, create(http, token)["interview_id"])


def expire_lease(answer: Answer) -> None:
    """Where the clock stands once the claiming worker's lease has run out (it was killed)."""
    answer.update(actions=[Answer.lease_until.set(utcnow() - timedelta(seconds=1))])


def manifest_of(event: dict) -> tuple[str, str]:
    (upload,) = uploads_in(SQSRecord(event["Records"][0]))
    return upload.bucket, upload.key


def test_a_chunked_webm_answer_becomes_a_playable_mp4_with_a_poster(
    candidate: Candidate, recording: Path, tmp_path: Path
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    answer = answer_of(candidate, grant)
    assert answer.status == "ready"
    assert (answer.video_codec, answer.audio_codec) == ("h264", "aac")
    assert abs(answer.duration_seconds - 3.0) <= 0.2
    media = fetch(answer.media_key, tmp_path / "answer.mp4")
    assert answer.media_key.startswith("media/")
    assert answer.media_key.endswith("answer.mp4")
    boxes = top_level_boxes(media)
    assert boxes.index("moov") < boxes.index("mdat")
    with av.open(str(media)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
    assert image_size(fetch(answer.poster_key, tmp_path / "poster.jpg"))[0] == "mjpeg"
    assert answer.size_bytes == media.stat().st_size
    # the raw chunks and manifest are gone; the candidate sees the answer as ready
    assert keys_under(grant["key_prefix"]) == []
    assert candidate.session()["questions"][0]["answer"]["status"] == "ready"


def test_a_duplicate_event_changes_nothing(candidate: Candidate, recording: Path) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    event = queued_event()
    run_worker(event)
    first = answer_of(candidate, grant)
    assert run_worker(event) == {"batchItemFailures": []}
    again = answer_of(candidate, grant)
    assert again.status == "ready"
    assert again.updated_at == first.updated_at
    assert again.media_key == first.media_key


def test_a_worker_that_died_mid_job_is_retried_and_ends_in_one_result(
    candidate: Candidate, recording: Path
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    event = queued_event()
    # GIVEN a worker claimed the answer and died before storing a result
    assert answer_lifecycle.start_processing(answer_of(candidate, grant), redelivery=False)
    # WHEN a duplicate event arrives while that worker might still be running
    run_worker(event)
    # THEN it leaves the answer alone
    assert answer_of(candidate, grant).status == "processing"
    # AND SQS's redelivery of the original message (visibility timeout passed, and with it
    # the dead worker's lease) finishes it
    expire_lease(answer_of(candidate, grant))
    for record in event["Records"]:
        record["attributes"]["ApproximateReceiveCount"] = "2"
    assert run_worker(event) == {"batchItemFailures": []}
    answer = answer_of(candidate, grant)
    assert answer.status == "ready"
    assert answer.due_bucket is None
    media = [k for k in keys_under("media/") if k.endswith(".mp4")]
    assert media == [answer.media_key]


def test_an_upload_that_is_not_media_fails_with_a_message_and_the_attempt_back(
    candidate: Candidate,
) -> None:
    grant = upload_in_chunks(candidate, 1, os.urandom(50_000))
    before = candidate.session()["questions"][0]["attempts_left"]
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    answer = answer_of(candidate, grant)
    assert answer.status == "failed"
    assert answer.error_reason in ("not_media", "corrupt")
    question = candidate.session()["questions"][0]
    assert question["answer"]["status"] == "failed"
    assert "record this answer again" in question["answer"]["error_message"]
    assert question["attempts_left"] == before + 1
    assert keys_under(grant["key_prefix"]) == []


def test_a_chunk_lost_after_finalise_fails_the_answer_in_plain_words(
    candidate: Candidate, recording: Path
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    client("s3").delete_object(
        Bucket=os.environ["MEDIA_BUCKET"], Key=grant["chunk_key_template"].format(index=2)
    )
    run_worker(queued_event())
    answer = answer_of(candidate, grant)
    assert (answer.status, answer.error_reason) == ("failed", "missing_chunk")
    assert (
        answer.error_message
        == "Part of your recording did not reach us. Please record this answer again."
    )


def test_after_three_failed_tries_the_answer_shows_failed_and_the_message_is_reported(
    candidate: Candidate, recording: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    event = queued_event()
    # GIVEN a worker whose ffmpeg cannot run (a broken image)
    monkeypatch.setenv("FFMPEG_BINARY", "/nonexistent/ffmpeg")
    result = run_worker(event)
    # THEN the first try reports the record for retry and the answer waits in processing
    assert result["batchItemFailures"] == [{"itemIdentifier": event["Records"][0]["messageId"]}]
    assert answer_of(candidate, grant).status == "processing"
    for count in ("2", "3"):
        for record in event["Records"]:
            record["attributes"]["ApproximateReceiveCount"] = count
        result = run_worker(event)
    # AND on the third, SQS moves it to the DLQ while the candidate sees a failed answer
    assert result["batchItemFailures"]
    answer = answer_of(candidate, grant)
    assert (answer.status, answer.error_reason) == ("failed", "processing_error")
    assert candidate.session()["questions"][0]["attempts_left"] == 2


def test_the_sweep_fails_answers_stuck_in_processing(
    api: Any, candidate: Candidate, recording: Path
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    long_ago = utcnow() - answer_lifecycle.STUCK_AFTER * 2
    assert answer_lifecycle.start_processing(answer_of(candidate, grant), False, now=long_ago)
    event = api.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    result = api.lambda_.invoke("reminder_sweep", event).payload
    assert result["stuck_answers_failed"] == 1
    answer = answer_of(candidate, grant)
    assert (answer.status, answer.error_reason) == ("failed", "processing_error")


def test_a_recording_cut_off_mid_way_becomes_a_ready_answer_marked_cut_short(
    http: Any, admin: dict, candidate: Candidate, recording: Path, tmp_path: Path
) -> None:
    # GIVEN the tab died 70% into the recording: what reached S3 stops mid-cluster
    data = recording.read_bytes()
    cut = len(data) * 7 // 10
    kept = Recording(recording, "video", data, read_packets(recording)).kept_until(cut)
    assert kept is not None
    grant = upload_in_chunks(candidate, 1, data[:cut])

    # WHEN the worker processes the finalised attempt
    assert run_worker(queued_event()) == {"batchItemFailures": []}

    # THEN it is a ready, playable answer as long as what was recorded before the cut
    answer = answer_of(candidate, grant)
    assert (answer.status, answer.error_reason) == ("ready", None)
    assert answer.cut_short is True
    assert abs(float(answer.cut_at_seconds) - kept) <= 1.5
    assert abs(float(answer.duration_seconds) - kept) <= 1.5
    media = fetch(answer.media_key, tmp_path / "answer.mp4")
    with av.open(str(media)) as container:
        codecs = sorted(stream.codec_context.name for stream in container.streams)
        frames = sum(1 for _ in container.decode(video=0))
    assert codecs == ["aac", "h264"]
    assert frames >= 15 * (kept - 0.5)  # 15 fps: every complete second of picture is there
    assert keys_under(grant["key_prefix"]) == []
    # AND the candidate and the recruiter see it as a recovered answer, with its length
    shown = candidate.session()["questions"][0]["answer"]
    assert (shown["status"], shown["cut_short"]) == ("ready", True)
    assert shown["duration_seconds"] == pytest.approx(float(answer.duration_seconds))
    assert shown["cut_at_seconds"] == pytest.approx(float(answer.cut_at_seconds))
    status, detail = http.call(
        "GET", f"/invitations/{answer.invitation_id}", token=admin["tokens"]["id_token"]
    )
    assert status == 200, detail
    row = next(a for a in detail["answers"] if a["question_id"] == grant["question_id"])
    assert (row["status"], row["cut_short"]) == ("ready", True)
    assert row["cut_at_seconds"] == pytest.approx(float(answer.cut_at_seconds), abs=0.01)


def test_a_redelivery_waits_out_a_live_lease_then_takes_over_and_the_old_worker_lands_nothing(
    candidate: Candidate, recording: Path
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    event = queued_event(receive_count=2)
    bucket, key = manifest_of(event)
    # GIVEN a worker claimed the answer and is still transcoding
    first_worker = answer_of(candidate, grant)
    assert answer_lifecycle.start_processing(first_worker, redelivery=False)
    # WHEN SQS redelivers the message while that worker's lease is live
    # THEN the message is left for later: nothing is transcoded, the lease stays the first's
    with pytest.raises(answer_lifecycle.LeaseHeld):
        pipeline.process(bucket, key, receive_count=2)
    held = answer_of(candidate, grant)
    assert (held.status, held.lease_id) == ("processing", first_worker.lease_id)
    assert held.media_key is None
    assert [k for k in keys_under("media/") if k.endswith(".mp4")] == []
    # AND through the handler the record is reported failed, so SQS delivers it again later
    message_id = event["Records"][0]["messageId"]
    assert run_worker(event) == {"batchItemFailures": [{"itemIdentifier": message_id}]}
    assert answer_of(candidate, grant).status == "processing"

    # WHEN the lease has run out (the worker was killed) and SQS redelivers again
    expire_lease(held)
    assert pipeline.process(bucket, key, receive_count=2) == "ready"
    ready = answer_of(candidate, grant)
    assert ready.status == "ready"
    assert [k for k in keys_under("media/") if k.endswith(".mp4")] == [ready.media_key]

    # THEN the first worker's late result or failure changes nothing
    stale = answer_lifecycle.MediaFacts(
        media_key="media/stale.mp4",
        poster_key=None,
        duration_seconds=1.0,
        width=2,
        height=2,
        video_codec="h264",
        audio_codec=None,
        size_bytes=1,
    )
    assert not answer_lifecycle.mark_ready(first_worker, stale)
    assert not answer_lifecycle.mark_failed(first_worker, "corrupt", "Please record again.")
    after = answer_of(candidate, grant)
    assert (after.status, after.media_key, after.duration_seconds) == (
        "ready",
        ready.media_key,
        ready.duration_seconds,
    )
    assert after.updated_at == ready.updated_at


def test_while_a_taken_over_answer_is_processed_the_old_worker_cannot_finish_it(
    candidate: Candidate, recording: Path
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    # GIVEN worker 1's lease ran out and worker 2 took the answer over
    first_worker = answer_of(candidate, grant)
    assert answer_lifecycle.start_processing(first_worker, redelivery=False)
    expire_lease(answer_of(candidate, grant))
    second_worker = answer_of(candidate, grant)
    assert answer_lifecycle.start_processing(second_worker, redelivery=True)
    assert second_worker.lease_id != first_worker.lease_id
    # a third delivery finds worker 2's lease live
    with pytest.raises(answer_lifecycle.LeaseHeld):
        answer_lifecycle.start_processing(answer_of(candidate, grant), redelivery=True)
    # WHEN worker 1 comes back with a result, or gives up
    facts = answer_lifecycle.MediaFacts(
        media_key="media/stale.mp4",
        poster_key=None,
        duration_seconds=1.0,
        width=None,
        height=None,
        video_codec="h264",
        audio_codec=None,
        size_bytes=1,
    )
    assert not answer_lifecycle.mark_ready(first_worker, facts)
    assert not answer_lifecycle.give_up(first_worker)
    # THEN the answer is still worker 2's, and only worker 2's result lands
    current = answer_of(candidate, grant)
    assert (current.status, current.lease_id, current.media_key) == (
        "processing",
        second_worker.lease_id,
        None,
    )
    assert answer_lifecycle.mark_ready(second_worker, facts)
    assert answer_of(candidate, grant).status == "ready"


def test_the_sweep_leaves_an_answer_whose_worker_still_holds_its_lease(
    candidate: Candidate, recording: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant = upload_in_chunks(candidate, 1, recording.read_bytes())
    # GIVEN a lease longer than the stuck threshold (a worker that may still be running)
    monkeypatch.setenv(
        "WORKER_LEASE_SECONDS", str(answer_lifecycle.STUCK_AFTER.total_seconds() * 3)
    )
    long_ago = utcnow() - answer_lifecycle.STUCK_AFTER * 2
    assert answer_lifecycle.start_processing(answer_of(candidate, grant), False, now=long_ago)
    # WHEN the sweep looks for stuck answers
    # THEN it leaves the answer to its worker
    assert answer_lifecycle.fail_stuck() == []
    assert answer_of(candidate, grant).status == "processing"
    # AND once the lease ran out, the sweep fails it
    expire_lease(answer_of(candidate, grant))
    assert len(answer_lifecycle.fail_stuck()) == 1
    assert answer_of(candidate, grant).status == "failed"


def test_the_ready_log_says_where_the_time_from_saved_to_playable_went(
    candidate: Candidate, recording: Path
) -> None:
    # GIVEN a finalised answer, and the worker's log as an operator reads it
    lines: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.INFO)
    handler.emit = lines.append  # type: ignore[method-assign]
    worker_log = logging.getLogger("oneway-media")
    worker_log.addHandler(handler)
    try:
        upload_in_chunks(candidate, 1, recording.read_bytes())
        before = time.time()
        assert run_worker(queued_event()) == {"batchItemFailures": []}
        after = time.time()
    finally:
        worker_log.removeHandler(handler)
    # THEN its "answer ready" line gives each step's seconds, in order, adding up to the run
    [ready] = [line for line in lines if line.getMessage() == "answer ready"]
    stages = ready.stage_seconds
    steps = ["claim", "download", "join", "media", "store", "ready", "usage", "cleanup"]
    assert list(stages) == steps
    assert all(seconds >= 0 for seconds in stages.values())
    assert stages["media"] > 0  # ffmpeg ran
    assert before <= ready.started_at <= ready.started_at + sum(stages.values()) <= after + 0.01
