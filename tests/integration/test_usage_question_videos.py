"""Question videos on the usage bill: stored when the worker makes them, gone when replaced."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from tests.drivers.api import INTERVIEW, Http, create
from tests.drivers.media import Clip, generate
from tests.drivers.question_videos import ready_video


@pytest.fixture
def token(admin: dict) -> str:
    return admin["tokens"]["id_token"]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("rec") / "q.webm")


def stored_now(http: Http, token: str) -> int:
    status, body = http.call("GET", "/company/usage", token=token)
    assert status == 200, body
    return body["stored_now_bytes"]


def bytes_of(video: dict) -> int:
    """What the video holds in the bucket: its MP4 and poster (raw chunks are gone)."""
    prefix = video["video_key"].rsplit("/", 1)[0] + "/"
    listed = client("s3").list_objects_v2(Bucket=os.environ["MEDIA_BUCKET"], Prefix=prefix)
    sizes = [int(item["Size"]) for item in listed.get("Contents", [])]
    assert len(sizes) == 2  # the video and its poster
    return sum(sizes)


def with_video(key: str | None) -> dict[str, Any]:
    questions = [dict(q) for q in INTERVIEW["questions"]]
    questions[0]["video_key"] = key
    return {**INTERVIEW, "questions": questions}


def test_a_question_video_counts_while_stored_and_stops_once_replaced(
    http: Http, token: str, recording: Path
) -> None:
    interview_id = create(http, token)["interview_id"]
    path = f"/interviews/{interview_id}"
    first = ready_video(http, token, interview_id, recording)
    first_bytes = bytes_of(first)
    assert stored_now(http, token) == first_bytes
    # AND the worker's run on it is on this month's bill
    [month] = http.call("GET", "/company/usage", token=token)[1]["months"]
    assert month["media_processed"] == 1
    assert month["worker_seconds"] > 0
    assert month["cost_breakdown_usd"]["processing"] > 0
    assert http.call("PUT", path, with_video(first["video_key"]), token=token)[0] == 200
    second = ready_video(http, token, interview_id, recording)
    second_bytes = bytes_of(second)
    assert stored_now(http, token) == first_bytes + second_bytes
    # WHEN the recruiter saves the second one instead: the first is deleted, and counted so
    assert http.call("PUT", path, with_video(second["video_key"]), token=token)[0] == 200
    assert stored_now(http, token) == second_bytes
    # WHEN a duplicate copies it: the copy is stored too
    status, copy = http.call("POST", f"{path}/duplicate", token=token)
    assert status == 201, copy
    assert stored_now(http, token) == 2 * second_bytes
    # WHEN both interviews drop their video: nothing is left
    copy_path = f"/interviews/{copy['interview_id']}"
    copied_key = copy["questions"][0]["video_key"]
    assert http.call("PUT", copy_path, with_video(copied_key), token=token)[0] == 200
    assert http.call("PUT", copy_path, with_video(None), token=token)[0] == 200
    assert http.call("PUT", path, with_video(None), token=token)[0] == 200
    assert stored_now(http, token) == 0
