"""The company's question library: keep a question, pick it into another interview.

Through the API in-process, moto's S3, and the worker's handler making real question videos:
a library question's video keeps playing whatever becomes of the interview it came from.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chalicelib.adapters.aws import client
from tests.drivers import question_videos
from tests.drivers.api import INTERVIEW, Http, create, sign_up
from tests.drivers.media import Clip, generate
from tests.drivers.worker import keys_under


@pytest.fixture
def token(admin: dict) -> str:
    return admin["tokens"]["id_token"]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("lib") / "q.webm")


def with_video(key: str | None) -> dict:
    questions = [dict(q) for q in INTERVIEW["questions"]]
    questions[0]["video_key"] = key
    return {**INTERVIEW, "questions": questions}


def exists(key: str) -> bool:
    found = client("s3").list_objects_v2(Bucket=os.environ["MEDIA_BUCKET"], Prefix=key)
    return any(item["Key"] == key for item in found.get("Contents", []))


def library(http: Http, token: str) -> list[dict]:
    status, body = http.call("GET", "/questions/library", token=token)
    assert status == 200, body
    return body["questions"]


def keep(http: Http, token: str, interview_id: str, question_id: str) -> dict:
    body = {"interview_id": interview_id, "question_id": question_id}
    status, entry = http.call("POST", "/questions/library", body, token=token)
    assert status == 201, entry
    return entry


def test_a_saved_question_is_kept_and_picked_into_a_new_interview(http: Http, token: str) -> None:
    # GIVEN an interview whose second question is an audio question with its own limits
    source = create(http, token)
    question = source["questions"][1]
    # WHEN the admin keeps it in the library
    entry = keep(http, token, source["interview_id"], question["question_id"])
    # THEN the library lists it with its text, answer type, timings and retakes
    (listed,) = library(http, token)
    assert listed["entry_id"] == entry["entry_id"]
    assert (listed["text"], listed["answer_type"]) == ("A hard customer?", "audio")
    assert (listed["max_answer_seconds"], listed["retakes"]) == (90, 1)
    assert listed["has_video"] is False
    # AND the audit log says so in words
    _, log = http.call("GET", "/audit", token=token)
    assert any(
        e["summary"] == "Ada Admin kept a question in the question library" for e in log["events"]
    )
    # WHEN it is picked into a new interview
    picked = {
        "text": listed["text"],
        "answer_type": listed["answer_type"],
        "think_seconds": listed["think_seconds"],
        "max_answer_seconds": listed["max_answer_seconds"],
        "retakes": listed["retakes"],
        "from_library": listed["entry_id"],
    }
    status, copy = http.call(
        "POST", "/interviews", {**INTERVIEW, "questions": [picked]}, token=token
    )
    # THEN the new interview asks it, with no video
    assert status == 201, copy
    assert copy["questions"][0]["text"] == "A hard customer?"
    assert copy["questions"][0]["video_key"] is None


def test_a_library_video_survives_the_interview_it_came_from(
    http: Http, token: str, recording: Path
) -> None:
    # GIVEN a question showing a ready video, kept in the library
    source = create(http, token)
    source_id = source["interview_id"]
    video = question_videos.ready_video(http, token, source_id, recording)
    status, saved = http.call(
        "PUT", f"/interviews/{source_id}", with_video(video["video_key"]), token=token
    )
    assert status == 200, saved
    entry = keep(http, token, source_id, saved["questions"][0]["question_id"])
    (listed,) = library(http, token)
    assert listed["has_video"] is True
    library_keys = keys_under(f"question-library/{saved_company(http, token)}/{entry['entry_id']}/")
    assert len(library_keys) == 2  # the MP4 and its poster
    # WHEN the interview is saved without that video, then deleted with all its videos
    assert http.call("PUT", f"/interviews/{source_id}", with_video(None), token=token)[0] == 200
    assert http.call("DELETE", f"/interviews/{source_id}", token=token)[0] == 204
    assert not exists(video["video_key"])
    # THEN the library's video still plays
    (listed,) = library(http, token)
    assert all(exists(key) for key in library_keys)
    assert "question-library/" in (listed["video_url"] or "")
    # WHEN it is picked into a new interview
    picked = {"text": listed["text"], "from_library": listed["entry_id"]}
    status, target = http.call(
        "POST", "/interviews", {**INTERVIEW, "questions": [picked]}, token=token
    )
    assert status == 201, target
    # THEN that interview shows its own ready copy, stored beside its own videos
    key = target["questions"][0]["video_key"]
    assert key.startswith(f"question-videos/{saved_company(http, token)}/{target['interview_id']}/")
    assert exists(key)
    # AND deleting the library entry leaves the interview's copy; deleting the interview
    # leaves nothing behind
    assert http.call("DELETE", f"/questions/library/{entry['entry_id']}", token=token)[0] == 204
    assert library(http, token) == []
    assert not any(exists(k) for k in library_keys)
    assert exists(key)
    assert http.call("DELETE", f"/interviews/{target['interview_id']}", token=token)[0] == 204
    assert not exists(key)


def test_a_pick_into_a_save_that_is_refused_leaves_no_copy_behind(
    http: Http, token: str, recording: Path
) -> None:
    # GIVEN a library question with a video, and another interview
    source = create(http, token)
    video = question_videos.ready_video(http, token, source["interview_id"], recording)
    path = f"/interviews/{source['interview_id']}"
    _, saved = http.call("PUT", path, with_video(video["video_key"]), token=token)
    entry = keep(http, token, source["interview_id"], saved["questions"][0]["question_id"])
    target = create(http, token)
    # WHEN it is picked into that interview beside a question whose video is not its own
    body = with_video(video["video_key"])  # the source interview's video: refused here
    body["questions"].append({"text": "From the library", "from_library": entry["entry_id"]})
    status, error = http.call("PUT", f"/interviews/{target['interview_id']}", body, token=token)
    # THEN the save is refused, naming the question, and no copy stays in the interview
    assert status == 422
    assert error["details"][0]["field"] == "questions.0.video_key"
    company = saved_company(http, token)
    assert keys_under(f"question-videos/{company}/{target['interview_id']}/") == []


def test_another_company_cannot_see_keep_pick_or_delete_library_questions(
    http: Http, token: str
) -> None:
    # GIVEN Acme keeps a question
    source = create(http, token)
    entry = keep(http, token, source["interview_id"], source["questions"][0]["question_id"])
    # AND Globex signs up
    other = sign_up(http, "gil@globex.example.com", "Globex")["tokens"]["id_token"]
    # THEN Globex's library is empty, and Acme's entry is not found for it
    assert library(http, other) == []
    path = f"/questions/library/{entry['entry_id']}"
    assert http.call("DELETE", path, token=other)[0] == 404
    # AND Globex cannot keep a question of Acme's interview
    body = {"interview_id": source["interview_id"], "question_id": entry["entry_id"]}
    assert http.call("POST", "/questions/library", body, token=other)[0] == 404
    # AND picking Acme's entry into a Globex interview is refused, naming the question
    picked = {"text": "Hi?", "from_library": entry["entry_id"]}
    status, error = http.call(
        "POST", "/interviews", {**INTERVIEW, "questions": [picked]}, token=other
    )
    assert status == 422
    assert error["details"][0]["field"] == "questions.0.from_library"
    # AND Acme's entry is still there
    assert [e["entry_id"] for e in library(http, token)] == [entry["entry_id"]]


def test_a_reviewer_reads_the_library_but_cannot_change_it(http: Http, admin: dict) -> None:
    from tests.drivers.api import Team

    team = Team(http, admin)
    entry = keep(http, team.admin, team.interview_id, team.questions[0])
    assert [e["entry_id"] for e in library(http, team.reviewer)] == [entry["entry_id"]]
    body = {"interview_id": team.interview_id, "question_id": team.questions[0]}
    assert http.call("POST", "/questions/library", body, token=team.reviewer)[0] == 403
    path = f"/questions/library/{entry['entry_id']}"
    assert http.call("DELETE", path, token=team.reviewer)[0] == 403


def test_an_unsaved_question_cannot_be_kept(http: Http, token: str) -> None:
    source = create(http, token)
    body = {"interview_id": source["interview_id"], "question_id": "not-saved-yet"}
    status, error = http.call("POST", "/questions/library", body, token=token)
    assert status == 404
    assert "Save the interview first" in error["message"]


def saved_company(http: Http, token: str) -> str:
    return http.call("GET", "/me", token=token)[1]["company"]["company_id"]
