"""Recruiters record (or send) a question video; the worker makes it an MP4 that plays anywhere.

Through the API in-process, moto's S3 and SQS, and the worker's handler with the pinned ffmpeg.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import av
import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import (
    AttemptLocation,
    parse_manifest_key,
    question_video_bound,
)
from chalicelib.data.models import QuestionVideo, utcnow
from tests.drivers.api import (
    INTERVIEW,
    PASSWORD,
    Candidate,
    Http,
    create,
    links_sent_to,
    session,
    sign_up,
)
from tests.drivers.media import Clip, generate, image_size, split_chunks, top_level_boxes
from tests.drivers.question_videos import ready_video, send
from tests.drivers.worker import fetch, keys_under, queued_event, run_worker

MiB = 1024 * 1024


@pytest.fixture
def token(admin: dict) -> str:
    return admin["tokens"]["id_token"]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s of VP8/Opus WebM written to a pipe, as Chromium's MediaRecorder writes it."""
    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("qv") / "rec.webm")


def start(
    http: Http, token: str, interview_id: str, mime: str = "video/webm;codecs=vp8,opus", **more: Any
) -> tuple[int, Any]:
    return http.call(
        "POST",
        f"/interviews/{interview_id}/question-videos",
        {"mime_type": mime, **more},
        token=token,
    )


def status_of(http: Http, token: str, interview_id: str, video: dict) -> tuple[int, Any]:
    return http.call(
        "GET", f"/interviews/{interview_id}/question-videos/{video['video_id']}", token=token
    )


def with_video(key: str | None, index: int = 0) -> dict:
    questions = [dict(q) for q in INTERVIEW["questions"]]
    questions[index]["video_key"] = key
    return {**INTERVIEW, "questions": questions}


def stored(video: dict) -> list[str]:
    """Every object a video has: its MP4 and poster, and any raw chunk or manifest left."""
    media_prefix = video["video_key"].rsplit("/", 1)[0] + "/"
    company, interview = media_prefix.split("/")[1:3]
    raw_prefix = f"raw/{company}/{interview}/question-videos/{video['video_id']}/"
    return keys_under(media_prefix) + keys_under(raw_prefix)


def assert_plays_everywhere(key: str, tmp_path: Path) -> None:
    """An MP4 with H.264 (4:2:0) and AAC, its index before its media (+faststart)."""
    media = fetch(key, tmp_path / "video.mp4")
    boxes = top_level_boxes(media)
    assert boxes.index("moov") < boxes.index("mdat")
    with av.open(str(media)) as container:
        video = container.streams.video[0].codec_context
        assert (video.name, video.pix_fmt) == ("h264", "yuv420p")
        assert container.streams.audio[0].codec_context.name == "aac"
        assert abs(float(container.duration) / 1_000_000 - 3.0) <= 0.3


def test_the_grant_signs_each_chunk_at_its_exact_key_for_minutes(
    http: Http, token: str, admin: dict
) -> None:
    interview = create(http, token)
    interview_id = interview["interview_id"]
    status, body = start(http, token, interview_id)
    assert status == 201, body
    company_id = admin["company"]["company_id"]
    assert body["status"] == "uploading"
    assert body["video_key"] == (
        f"question-videos/{company_id}/{interview_id}/{body['video_id']}/video.mp4"
    )
    upload = body["upload"]
    raw = f"raw/{company_id}/{interview_id}/question-videos/{body['video_id']}/"
    assert upload["key_prefix"] == raw
    bound = question_video_bound()
    assert upload["max_total_bytes"] == 200 * MiB
    assert upload["max_chunks"] * upload["max_chunk_bytes"] <= 200 * MiB
    assert (upload["first_chunk"], upload["end_chunk"]) == (0, 30)
    for index in (0, 29):
        fields = {**upload["fields"], **upload["chunks"][str(index)]}
        policy = json.loads(base64.b64decode(fields["policy"]))
        conditions = policy["conditions"]
        assert {"key": f"{raw}chunk-{index:05d}"} in conditions
        assert ["starts-with", "$Content-Type", "video/"] in conditions
        assert ["content-length-range", 1, bound.max_chunk_bytes] in conditions
        expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        assert utcnow() < expires <= utcnow() + timedelta(minutes=15)
    # the answers' worker path never takes a question video's manifest for an answer's
    assert parse_manifest_key(f"{raw}manifest.json") is None
    # the next window is asked for while recording; none past the bound is ever signed
    path = f"/interviews/{interview_id}/question-videos/{body['video_id']}/grant"
    status, later = http.call("POST", f"{path}?first_chunk=30", token=token)
    assert status == 200, later
    assert sorted(map(int, later["upload"]["chunks"])) == list(range(30, 60))
    status, error = http.call("POST", f"{path}?first_chunk={bound.max_chunks}", token=token)
    assert status == 422, error
    # a picture is not a video; the error names the field
    status, error = start(http, token, interview_id, "image/png")
    assert status == 422
    assert [d["field"] for d in error["details"]] == ["mime_type"]


def test_a_recorded_video_becomes_an_mp4_with_a_poster_that_candidates_play(
    http: Http, token: str, recording: Path, tmp_path: Path
) -> None:
    # GIVEN an admin recorded a question video in the console (chunks while recording)
    interview = create(http, token)
    interview_id = interview["interview_id"]
    path = f"/interviews/{interview_id}"
    video = send(http, token, interview_id, split_chunks(recording))
    assert status_of(http, token, interview_id, video)[1]["video_url"] is None  # processing
    # WHEN the worker takes its manifest
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    # THEN it is ready: an H.264/AAC MP4 with its index first, and a JPEG poster
    status, ready = status_of(http, token, interview_id, video)
    assert (status, ready["status"]) == (200, "ready"), ready
    assert abs(ready["duration_seconds"] - 3.0) <= 0.3
    assert_plays_everywhere(ready["video_key"], tmp_path)
    poster = ready["video_key"].replace("video.mp4", "poster.jpg")
    assert image_size(fetch(poster, tmp_path / "poster.jpg"))[0] == "mjpeg"
    assert ready["video_key"] in ready["video_url"]
    assert poster in ready["poster_url"]
    # AND the raw chunks and manifest are gone: only the MP4 and poster stay
    assert sorted(stored(ready)) == sorted([ready["video_key"], poster])
    # WHEN it is saved on the first question
    status, saved = http.call("PUT", path, with_video(ready["video_key"]), token=token)
    assert status == 200, saved
    assert saved["questions"][0]["video_key"] == ready["video_key"]
    assert poster in saved["questions"][0]["video_poster_url"]
    assert saved["questions"][1]["video_url"] is None
    # THEN a candidate invited afterwards gets the MP4 once they open the question
    invite = {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}
    assert http.call("POST", f"{path}/invitations", invite, token=token)[0] == 200
    sam = Candidate(http, links_sent_to("sam@example.com")[0])
    sam.call("POST", "/consent", {"accepted": True})
    _, seen = session(http, sam.token)
    opened = [sam.call("POST", f"/questions/{q['question_id']}/open")[1] for q in seen["questions"]]
    assert ready["video_key"] in opened[0]["video_url"]
    assert opened[1]["video_url"] is None


def test_a_webm_file_sent_in_slices_becomes_an_mp4_with_a_poster(
    http: Http, token: str, tmp_path: Path
) -> None:
    # GIVEN a VP9/Opus WebM file, sent as the console sends files: in byte slices
    clip = generate(Clip(video="vp9", audio="opus"), tmp_path / "question.webm")
    data = clip.read_bytes()
    interview = create(http, token)
    third = len(data) // 3 + 1
    pieces = [data[i : i + third] for i in range(0, len(data), third)]
    video = send(
        http, token, interview["interview_id"], pieces, mime_type="video/webm", source="file"
    )
    # WHEN the worker runs
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    # THEN the MP4 and poster are in S3, and the MP4 is H.264/AAC with moov before mdat
    _, ready = status_of(http, token, interview["interview_id"], video)
    assert ready["status"] == "ready", ready
    assert_plays_everywhere(ready["video_key"], tmp_path)
    assert sorted(stored(ready)) == sorted(
        [ready["video_key"], ready["video_key"].replace("video.mp4", "poster.jpg")]
    )


def test_bad_input_fails_with_a_plain_reason_and_cannot_be_saved(
    http: Http, token: str, tmp_path: Path
) -> None:
    interview = create(http, token)
    interview_id = interview["interview_id"]
    path = f"/interviews/{interview_id}"
    # GIVEN a file that is not a video, and a video longer than 3 minutes
    not_video = send(http, token, interview_id, [b"%PDF-1.7 not a video" * 100], source="file")
    long_clip = generate(
        Clip(video="vp8", audio="opus", size="64x48", rate=2, seconds=190), tmp_path / "long.webm"
    )
    too_long = send(http, token, interview_id, [long_clip.read_bytes()], source="file")
    # WHILE they are processing, saving them is refused, naming the question
    status, error = http.call("PUT", path, with_video(not_video["video_key"]), token=token)
    assert status == 422
    assert error["details"][0]["field"] == "questions.0.video_key"
    assert error["details"][0]["problem"] == "processing"
    # WHEN the worker runs
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    # THEN each failed, saying why in plain words, and left nothing in S3
    _, failed = status_of(http, token, interview_id, not_video)
    assert (failed["status"], failed["error"]) == ("failed", "not_media")
    assert (
        failed["message"]
        == "This file is not a video we can read. Choose an MP4, MOV or WebM video."
    )
    _, failed_long = status_of(http, token, interview_id, too_long)
    assert (failed_long["status"], failed_long["error"]) == ("failed", "too_long")
    assert "at most 3 minutes" in failed_long["message"]
    assert stored(not_video) == []
    assert stored(too_long) == []
    # AND saving a failed video is refused with its reason
    status, error = http.call("PUT", path, with_video(too_long["video_key"], 1), token=token)
    assert status == 422
    assert error["details"][0]["field"] == "questions.1.video_key"
    assert error["details"][0]["problem"] == "failed"
    assert "at most 3 minutes" in error["details"][0]["message"]


def test_a_replaced_or_removed_video_is_deleted_from_s3(
    http: Http, token: str, recording: Path
) -> None:
    interview = create(http, token)
    interview_id = interview["interview_id"]
    path = f"/interviews/{interview_id}"
    # GIVEN the first question shows video A, and the recruiter made takes B and C
    first = ready_video(http, token, interview_id, recording)
    assert http.call("PUT", path, with_video(first["video_key"]), token=token)[0] == 200
    second = ready_video(http, token, interview_id, recording)
    unkept = ready_video(http, token, interview_id, recording)
    assert stored(first)
    assert stored(second)
    assert stored(unkept)
    # WHEN they save with B instead of A
    status, saved = http.call("PUT", path, with_video(second["video_key"]), token=token)
    assert status == 200, saved
    # THEN A's objects and the take nobody saved are gone; B stays
    assert stored(first) == []
    assert stored(unkept) == []
    assert status_of(http, token, interview_id, first)[0] == 404
    assert len(stored(second)) == 2
    # WHEN they remove the video from the question
    assert http.call("PUT", path, with_video(None), token=token)[0] == 200
    # THEN B is gone too
    assert stored(second) == []


def test_a_take_the_recruiter_records_again_is_discarded_but_a_shown_video_is_not(
    http: Http, token: str, recording: Path
) -> None:
    interview = create(http, token)
    interview_id = interview["interview_id"]
    shown = ready_video(http, token, interview_id, recording)
    path = f"/interviews/{interview_id}"
    assert http.call("PUT", path, with_video(shown["video_key"]), token=token)[0] == 200
    # GIVEN a take still uploading (the recruiter pressed "Record again") and one ready
    status, started = start(http, token, interview_id)
    assert status == 201
    take = ready_video(http, token, interview_id, recording)
    videos = f"{path}/question-videos"
    # WHEN each is discarded THEN its objects and item are gone
    for video in (started, take):
        assert http.call("DELETE", f"{videos}/{video['video_id']}", token=token)[0] == 204
        assert status_of(http, token, interview_id, video)[0] == 404
    assert stored(take) == []
    # AND a video a question shows is refused until it is removed from the question
    status, error = http.call("DELETE", f"{videos}/{shown['video_id']}", token=token)
    assert status == 409
    assert "Remove it from the question" in error["message"]
    assert len(stored(shown)) == 2
    # WHEN a take is discarded while the worker may be making it
    processing = send(http, token, interview_id, split_chunks(recording))
    assert http.call("DELETE", f"{videos}/{processing['video_id']}", token=token)[0] == 204
    # THEN the worker leaves it be, and a save once no worker can be on it deletes it all
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    assert status_of(http, token, interview_id, processing)[1]["status"] == "discarded"
    assert http.call("PUT", path, with_video(shown["video_key"]), token=token)[0] == 200
    assert stored(processing) != []  # (within the worker's time, it is kept)
    item = QuestionVideo.get(
        *QuestionVideo.key(admin_company(http, token), interview_id, processing["video_id"])
    )
    item.update(actions=[QuestionVideo.updated_at.set(utcnow() - timedelta(minutes=16))])
    assert http.call("PUT", path, with_video(shown["video_key"]), token=token)[0] == 200
    assert stored(processing) == []
    assert status_of(http, token, interview_id, processing)[0] == 404


def admin_company(http: Http, token: str) -> str:
    return http.call("GET", "/me", token=token)[1]["company"]["company_id"]


def test_a_video_candidates_were_sent_is_kept_when_replaced(
    http: Http, token: str, recording: Path
) -> None:
    interview = create(http, token)
    interview_id = interview["interview_id"]
    path = f"/interviews/{interview_id}"
    first = ready_video(http, token, interview_id, recording)
    assert http.call("PUT", path, with_video(first["video_key"]), token=token)[0] == 200
    # GIVEN a candidate was invited while it was shown
    invite = {"candidates": [{"name": "Kim", "email": "kim@example.com"}]}
    assert http.call("POST", f"{path}/invitations", invite, token=token)[0] == 200
    # WHEN the recruiter replaces it
    second = ready_video(http, token, interview_id, recording)
    assert http.call("PUT", path, with_video(second["video_key"]), token=token)[0] == 200
    # THEN the candidate still gets the video they were sent
    kim = Candidate(http, links_sent_to("kim@example.com")[0])
    kim.call("POST", "/consent", {"accepted": True})
    question_id = session(http, kim.token)[1]["questions"][0]["question_id"]
    opened = kim.call("POST", f"/questions/{question_id}/open")[1]
    assert first["video_key"] in opened["video_url"]
    assert len(stored(first)) == 2


def test_deleting_an_interview_deletes_its_videos(http: Http, token: str, recording: Path) -> None:
    interview = create(http, token)
    interview_id = interview["interview_id"]
    path = f"/interviews/{interview_id}"
    shown = ready_video(http, token, interview_id, recording)
    assert http.call("PUT", path, with_video(shown["video_key"]), token=token)[0] == 200
    take = ready_video(http, token, interview_id, recording)
    status, _ = http.call("DELETE", path, token=token)
    assert status == 204
    assert stored(shown) == []
    assert stored(take) == []
    assert http.call("GET", path, token=token)[0] == 404
    # an interview candidates were invited to is archived instead
    invited = create(http, token)
    invite = {"candidates": [{"name": "Lee", "email": "lee@example.com"}]}
    http.call("POST", f"/interviews/{invited['interview_id']}/invitations", invite, token=token)
    status, error = http.call("DELETE", f"/interviews/{invited['interview_id']}", token=token)
    assert status == 409
    assert "Archive" in error["message"]


def test_a_duplicate_gets_its_own_copy_of_the_sources_videos(
    http: Http, token: str, recording: Path, tmp_path: Path
) -> None:
    interview = create(http, token)
    interview_id = interview["interview_id"]
    original = ready_video(http, token, interview_id, recording)
    http.call("PUT", f"/interviews/{interview_id}", with_video(original["video_key"]), token=token)
    status, copy = http.call("POST", f"/interviews/{interview_id}/duplicate", token=token)
    assert status == 201
    copied = copy["questions"][0]["video_key"]
    assert copied != original["video_key"]
    assert f"/{copy['interview_id']}/" in copied
    assert copied.endswith("/video.mp4")
    assert (
        fetch(copied, tmp_path / "copy.mp4").read_bytes()
        == fetch(original["video_key"], tmp_path / "original.mp4").read_bytes()
    )
    path = f"/interviews/{copy['interview_id']}"
    assert http.call("PUT", path, with_video(copied), token=token)[0] == 200
    # replacing the source's video leaves the copy's in place
    assert http.call("PUT", f"/interviews/{interview_id}", with_video(None), token=token)[0] == 200
    assert stored(original) == []
    assert len(keys_under(copied.rsplit("/", 1)[0] + "/")) == 2


def test_a_missing_foreign_or_unfinished_video_is_refused_naming_the_question(
    http: Http, token: str, admin: dict, recording: Path
) -> None:
    interview = create(http, token)
    other_interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}"
    company_id = admin["company"]["company_id"]
    unfinished = start(http, token, interview["interview_id"])[1]["video_key"]
    # another interview's ready video, another company's, and a candidate's raw recording
    other_key = ready_video(http, token, other_interview["interview_id"], recording)["video_key"]
    globex = sign_up(http, email="bo@globex.example.com", company="Globex")
    globex_token = globex["tokens"]["id_token"]
    globex_interview = create(http, globex_token)
    globex_key = ready_video(http, globex_token, globex_interview["interview_id"], recording)[
        "video_key"
    ]
    raw_key = AttemptLocation(company_id, interview["interview_id"], "x", "y", 1).chunk_key(0)
    never = f"question-videos/{company_id}/{interview['interview_id']}/01NOPE/video.mp4"
    cases = [
        (unfinished, 1, "uploading"),
        (other_key, 0, "foreign"),
        (globex_key, 2, "foreign"),
        (raw_key, 0, "foreign"),
        (never, 0, "missing"),
    ]
    for key, index, problem in cases:
        status, error = http.call("PUT", path, with_video(key, index), token=token)
        assert status == 422, (key, error)
        assert [(d["field"], d["problem"]) for d in error["details"]] == [
            (f"questions.{index}.video_key", problem)
        ]
    # nothing was saved, and a new interview cannot borrow a video either
    assert all(q["video_key"] is None for q in http.call("GET", path, token=token)[1]["questions"])
    status, error = http.call("POST", "/interviews", with_video(other_key), token=token)
    assert status == 422
    assert error["details"][0]["field"] == "questions.0.video_key"
    # nor can another company read, extend or finalise this company's video
    video_id = other_key.split("/")[3]
    other_path = f"/interviews/{other_interview['interview_id']}/question-videos/{video_id}"
    assert http.call("GET", other_path, token=globex_token)[0] == 404
    assert http.call("POST", f"{other_path}/grant", token=globex_token)[0] == 404
    assert http.call("POST", f"{other_path}/finalise", {"chunks": 1}, token=globex_token)[0] == 404


def test_a_reviewer_cannot_record_and_another_company_gets_404(
    http: Http, token: str, admin: dict
) -> None:
    from chalicelib.domain.auth import Role
    from chalicelib.domain.identity import create_recruiter

    interview = create(http, token)
    create_recruiter(
        admin["company"]["company_id"], "rey@acme.example.com", "Rey", Role.REVIEWER, PASSWORD
    )
    reviewer = http.call(
        "POST", "/auth/signin", {"email": "rey@acme.example.com", "password": PASSWORD}
    )[1]["id_token"]
    assert start(http, reviewer, interview["interview_id"])[0] == 403
    other = sign_up(http, email="eve@globex.example.com", company="Globex")["tokens"]["id_token"]
    status, error = start(http, other, interview["interview_id"])
    assert status == 404
    assert interview["interview_id"] not in str(error)
    assert start(http, other, "nope")[0] == 404


def test_an_archived_interview_takes_no_new_video(http: Http, token: str) -> None:
    interview = create(http, token)
    http.call("POST", f"/interviews/{interview['interview_id']}/archive", token=token)
    assert start(http, token, interview["interview_id"])[0] == 409


def test_a_video_past_its_chunk_bound_is_refused_at_finalise(
    aws: dict, http: Http, token: str
) -> None:
    # GIVEN chunk objects past the last number any grant signs (put there some other way)
    interview = create(http, token)
    status, started = start(http, token, interview["interview_id"], source="file")
    assert status == 201
    bound = question_video_bound()
    template = started["upload"]["chunk_key_template"]
    s3 = client("s3")
    for index in range(bound.max_chunks + 1):
        s3.put_object(Bucket=aws["MEDIA_BUCKET"], Key=template.format(index=index), Body=b"x")
    # WHEN the page finalises them all THEN it is refused, and nothing reaches the worker
    path = f"/interviews/{interview['interview_id']}/question-videos/{started['video_id']}"
    status, error = http.call(
        "POST", f"{path}/finalise", {"chunks": bound.max_chunks + 1}, token=token
    )
    assert status == 422, error
    assert "larger than 200 MB" in error["message"]
    assert http.call("GET", path, token=token)[1]["status"] == "uploading"
