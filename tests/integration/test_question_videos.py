"""Recruiters attach a recorded video to a question: upload grant, checks on save, playback."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import AttemptLocation
from chalicelib.data.models import utcnow
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


@pytest.fixture
def token(admin: dict) -> str:
    return admin["tokens"]["id_token"]


def grant(http: Http, token: str, interview_id: str, mime: str = "video/mp4") -> tuple[int, Any]:
    return http.call(
        "POST",
        f"/interviews/{interview_id}/question-videos",
        {"mime_type": mime},
        token=token,
    )


def upload(aws: dict, key: str, data: bytes = b"\x00\x00\x00\x18ftypmp42 fake") -> None:
    """Put the object where the browser's POST puts it (moto does not enforce policies)."""
    client("s3").put_object(Bucket=aws["MEDIA_BUCKET"], Key=key, Body=data, ContentType="video/mp4")


def with_video(key: str | None, index: int = 0) -> dict:
    questions = [dict(q) for q in INTERVIEW["questions"]]
    questions[index]["video_key"] = key
    return {**INTERVIEW, "questions": questions}


def test_the_grant_allows_one_video_at_an_exact_key_for_minutes(
    http: Http, token: str, admin: dict
) -> None:
    interview = create(http, token)
    status, body = grant(http, token, interview["interview_id"], "video/webm;codecs=vp9,opus")
    assert status == 201, body
    prefix = f"question-videos/{admin['company']['company_id']}/{interview['interview_id']}/"
    key = body["video_key"]
    assert key.startswith(prefix)
    assert key.endswith(".webm")
    assert "/" not in key[len(prefix) :]
    upload_grant = body["upload"]
    assert upload_grant["fields"]["key"] == key
    assert upload_grant["fields"]["Content-Type"] == "video/webm"
    assert upload_grant["max_bytes"] == 200 * 1024 * 1024
    policy = json.loads(base64.b64decode(upload_grant["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": key} in conditions
    assert ["starts-with", "$Content-Type", "video/"] in conditions
    assert ["content-length-range", 1, 200 * 1024 * 1024] in conditions
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert utcnow() < expires <= utcnow() + timedelta(minutes=15)
    # MP4 gets its own extension; anything else is refused, naming the field
    assert grant(http, token, interview["interview_id"])[1]["video_key"].endswith(".mp4")
    status, error = grant(http, token, interview["interview_id"], "image/png")
    assert status == 422
    assert [d["field"] for d in error["details"]] == ["mime_type"]


def test_a_saved_video_plays_for_the_candidate_and_in_the_console(
    aws: dict, http: Http, token: str
) -> None:
    # GIVEN an admin uploaded a question video with a grant
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}"
    key = grant(http, token, interview["interview_id"])[1]["video_key"]
    upload(aws, key, b"question video bytes")
    # WHEN they save the interview with that key on the first question
    status, saved = http.call("PUT", path, with_video(key), token=token)
    assert status == 200, saved
    # THEN the console's view has the key and a playable link, the other questions none
    assert saved["questions"][0]["video_key"] == key
    assert key in saved["questions"][0]["video_url"]
    assert saved["questions"][1]["video_url"] is None
    assert http.call("GET", path, token=token)[1]["questions"][0]["video_key"] == key
    # AND a candidate invited afterwards sees the video; saving again keeps it
    invite = {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}
    assert http.call("POST", f"{path}/invitations", invite, token=token)[0] == 200
    _, seen = session(http, links_sent_to("sam@example.com")[0])
    # (once they open each question: its video comes with its wording)
    sam = Candidate(http, links_sent_to("sam@example.com")[0])
    sam.call("POST", "/consent", {"accepted": True})
    seen["questions"] = [
        sam.call("POST", f"/questions/{q['question_id']}/open")[1] for q in seen["questions"]
    ]
    assert key in seen["questions"][0]["video_url"]
    assert seen["questions"][1]["video_url"] is None
    assert http.call("PUT", path, with_video(key), token=token)[0] == 200
    # AND removing it is saving without it
    status, removed = http.call("PUT", path, with_video(None), token=token)
    assert status == 200
    assert (removed["questions"][0]["video_key"], removed["questions"][0]["video_url"]) == (
        None,
        None,
    )


def test_a_duplicate_keeps_its_sources_videos(aws: dict, http: Http, token: str) -> None:
    interview = create(http, token)
    key = grant(http, token, interview["interview_id"])[1]["video_key"]
    upload(aws, key)
    http.call("PUT", f"/interviews/{interview['interview_id']}", with_video(key), token=token)
    status, copy = http.call(
        "POST", f"/interviews/{interview['interview_id']}/duplicate", token=token
    )
    assert status == 201
    assert copy["questions"][0]["video_key"] == key
    assert (
        http.call("PUT", f"/interviews/{copy['interview_id']}", with_video(key), token=token)[0]
        == 200
    )


def test_a_missing_or_foreign_video_is_refused_naming_the_question(
    aws: dict, http: Http, token: str, admin: dict
) -> None:
    interview = create(http, token)
    other_interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}"
    company_id = admin["company"]["company_id"]
    never_uploaded = grant(http, token, interview["interview_id"])[1]["video_key"]
    # another interview's video, another company's video, and a candidate's raw recording
    other_key = grant(http, token, other_interview["interview_id"])[1]["video_key"]
    upload(aws, other_key)
    globex = sign_up(http, email="bo@globex.example.com", company="Globex")
    globex_interview = create(http, globex["tokens"]["id_token"])
    globex_key = grant(http, globex["tokens"]["id_token"], globex_interview["interview_id"])[1][
        "video_key"
    ]
    upload(aws, globex_key)
    raw_key = AttemptLocation(company_id, interview["interview_id"], "x", "y", 1).chunk_key(0)
    upload(aws, raw_key)
    cases = [(never_uploaded, 1), (other_key, 0), (globex_key, 2), (raw_key, 0)]
    for key, index in cases:
        status, error = http.call("PUT", path, with_video(key, index), token=token)
        assert status == 422, (key, error)
        assert [d["field"] for d in error["details"]] == [f"questions.{index}.video_key"]
    # nothing was saved, and a new interview cannot borrow a video either
    assert all(q["video_key"] is None for q in http.call("GET", path, token=token)[1]["questions"])
    status, error = http.call("POST", "/interviews", with_video(other_key), token=token)
    assert status == 422
    assert error["details"][0]["field"] == "questions.0.video_key"


def test_a_reviewer_cannot_upload_and_another_company_gets_404(
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
    assert grant(http, reviewer, interview["interview_id"])[0] == 403
    other = sign_up(http, email="eve@globex.example.com", company="Globex")["tokens"]["id_token"]
    status, error = grant(http, other, interview["interview_id"])
    assert status == 404
    assert interview["interview_id"] not in str(error)
    assert grant(http, other, "nope")[0] == 404


def test_an_archived_interview_takes_no_new_video(http: Http, token: str) -> None:
    interview = create(http, token)
    http.call("POST", f"/interviews/{interview['interview_id']}/archive", token=token)
    assert grant(http, token, interview["interview_id"])[0] == 409
