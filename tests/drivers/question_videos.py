"""Question videos through the API and the in-process worker: chunks into moto, then ready."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from chalicelib.adapters.aws import client
from tests.drivers.api import Http
from tests.drivers.media import Clip, generate, split_chunks
from tests.drivers.worker import queued_event, run_worker


def send(http: Http, token: str, interview_id: str, pieces: list[bytes], **start: Any) -> dict:
    """Start a question video, put each piece where its chunk grant says, finalise; returns
    the video (processing). moto does not enforce the policies: tests check them apart."""
    body = {"mime_type": "video/webm;codecs=vp8,opus", **start}
    status, started = http.call(
        "POST", f"/interviews/{interview_id}/question-videos", body, token=token
    )
    assert status == 201, started
    for index, piece in enumerate(pieces):
        key = started["upload"]["chunks"][str(index)]["key"]
        client("s3").put_object(Bucket=os.environ["MEDIA_BUCKET"], Key=key, Body=piece)
    path = f"/interviews/{interview_id}/question-videos/{started['video_id']}/finalise"
    status, video = http.call("POST", path, {"chunks": len(pieces)}, token=token)
    assert status == 200, video
    assert video["status"] == "processing"
    return video


def ready_video(http: Http, token: str, interview_id: str, recording: Path | None = None) -> dict:
    """A question video recorded in chunks and made playable by the worker (status ready)."""
    with tempfile.TemporaryDirectory() as tmp:
        clip = recording or generate(Clip(video="vp8", audio="opus"), Path(tmp) / "q.webm")
        video = send(http, token, interview_id, split_chunks(clip))
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    path = f"/interviews/{interview_id}/question-videos/{video['video_id']}"
    status, ready = http.call("GET", path, token=token)
    assert (status, ready["status"]) == (200, "ready"), ready
    return ready
