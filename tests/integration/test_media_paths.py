"""Each browser's recording, uploaded in chunks, becomes a ready answer that says how it was
made and how long the worker took (what the usage page bills from)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.drivers.api import Candidate, consenting_candidate, create
from tests.drivers.media import (
    BrowserShape,
    browser_recording,
    played_size,
    split_chunks,
    video_payloads,
)
from tests.drivers.worker import answer_of, fetch, queued_event, run_worker, upload_in_chunks

MIME = {
    "mp4_h264_aac": "video/mp4;codecs=avc1.42E01E,mp4a.40.2",
    "webm_h264_opus": "video/webm;codecs=h264,opus",
    "webm_vp9_opus": "video/webm;codecs=vp9,opus",
}


@pytest.fixture
def candidate(http: Any, admin: dict) -> Candidate:
    token = admin["tokens"]["id_token"]
    return consenting_candidate(http, token, create(http, token)["interview_id"])


@pytest.mark.parametrize(
    ("shape", "path"),
    [("mp4_h264_aac", "copy"), ("webm_h264_opus", "copy_video"), ("webm_vp9_opus", "transcode")],
)
def test_a_browser_recording_becomes_ready_and_records_how_it_was_made(
    shape: BrowserShape,
    path: str,
    candidate: Candidate,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    # GIVEN a 3 s recording as the browser sends it, in its 1 s timeslice chunks
    recording = browser_recording(
        shape, 3.0, tmp_path_factory.getbasetemp() / "browser", (320, 240)
    )
    chunks = split_chunks(recording)

    # WHEN it is finalised and the worker runs
    grant = upload_in_chunks(candidate, 1, b"".join(chunks), parts=len(chunks), mime=MIME[shape])
    assert run_worker(queued_event()) == {"batchItemFailures": []}

    # THEN the answer is ready, made along the path its codecs allow, with the worker's time
    answer = answer_of(candidate, grant)
    assert answer.status == "ready"
    assert answer.processing_path == path
    assert 0 < answer.worker_seconds < 60
    media = fetch(answer.media_key, tmp_path / "answer.mp4")
    assert played_size(media) == (answer.width, answer.height) == (320, 240)
    assert abs(answer.duration_seconds - 3.0) <= 0.1
    copied = video_payloads(media) == video_payloads(recording)
    assert copied is (path != "transcode")
