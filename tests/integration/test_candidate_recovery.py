"""Nothing a candidate recorded is stranded: abandoned attempts are released, failures reopen."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.models import Interview, Invitation, utcnow
from chalicelib.domain import answer_lifecycle, candidates
from chalicelib.domain import invitation_lifecycle as lifecycle
from chalicelib.domain import sweep as scheduled_sweep
from chalicelib.domain.invitations import find_by_token
from tests.drivers.api import (
    Candidate,
    Http,
    consenting_candidate,
    create,
    links_sent_to,
    sent_emails,
)
from tests.drivers.media import Clip, generate
from tests.drivers.worker import answer_of, queued_event, run_worker, upload_in_chunks

# A grant lives at most 15 minutes; past it, the sweep looks at attempts still recording.
AFTER_THE_GRANT = timedelta(minutes=16)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s VP8/Opus WebM without a duration in its header, as MediaRecorder writes it."""
    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("rec") / "a.webm")


def invited(http: Http, admin: dict, *questions: dict[str, Any]) -> tuple[Candidate, dict]:
    """Sam, invited to an interview with `questions`, who consented; and the interview."""
    token = admin["tokens"]["id_token"]
    interview = create(http, token, questions=list(questions))
    return consenting_candidate(http, token, interview["interview_id"]), interview


def video(retakes: int, text: str = "Tell us about yourself.") -> dict[str, Any]:
    return {"text": text, "think_seconds": 0, "max_answer_seconds": 60, "retakes": retakes}


WRITTEN = {"text": "Your tools?", "answer_type": "text"}


def sweep(at: Any = None) -> dict[str, Any]:
    return scheduled_sweep.sweep(at or utcnow(), source="test")


def by_id(candidate: Candidate) -> dict[str, dict[str, Any]]:
    return {q["question_id"]: q for q in candidate.session()["questions"]}


def write(candidate: Candidate, question_id: str, text: str = "A notebook.") -> None:
    status, body = candidate.call("PUT", f"/questions/{question_id}/text", {"text": text})
    assert status == 200, body


# --- 3. no attempt is ever stranded -----------------------------------------------------------


def test_an_attempt_abandoned_before_its_first_chunk_is_released_when_the_link_opens_again(
    http: Http, admin: dict
) -> None:
    # GIVEN a question with no retakes, and a tab that died right after "Start recording"
    sam, _ = invited(http, admin, video(retakes=0), WRITTEN)
    q1, q2 = (q["question_id"] for q in sam.session()["questions"])
    status, started = sam.start(q1)
    assert status == 201
    # (a session read while a tab may still be recording leaves the attempt alone)
    assert by_id(sam)[q1]["attempts_left"] == 0
    assert by_id(sam)[q1]["answer"]["status"] == "recording"

    # WHEN the candidate opens the link again a little later
    time.sleep(candidates.RELEASE_AFTER.total_seconds() + 0.5)
    question = by_id(sam)[q1]

    # THEN the attempt no longer counts, and they can record, answer the rest and submit
    assert (question["attempts_used"], question["attempts_left"]) == (0, 1)
    assert question["answer"]["status"] == "released"
    answer = sam.record(q1)
    assert (answer["attempt"], answer["status"]) == (started["attempt"] + 1, "uploaded")
    write(sam, q2)
    status, body = sam.call("POST", "/complete")
    assert status == 200, body
    assert body["status"] == "completed"
    assert sam.start(q1)[0] == 409


def test_the_sweep_releases_empty_attempts_once_their_grant_expired_and_keeps_the_others(
    http: Http, admin: dict
) -> None:
    # GIVEN one attempt that stored nothing and one whose tab stored two chunks, then died
    sam, _ = invited(http, admin, video(retakes=1), video(retakes=0, text="Why us?"), WRITTEN)
    q1, q2, _ = (q["question_id"] for q in sam.session()["questions"])
    assert sam.start(q1)[0] == 201
    _, started = sam.start(q2)
    sam.upload(started["upload"], 2)

    # WHEN the sweep runs before and after their grants expired
    assert sweep()["attempts_released"] == 0
    assert sweep(utcnow() + AFTER_THE_GRANT)["attempts_released"] == 1

    # THEN only the empty one was released; the other keeps its chunks for the upload to resume
    questions = by_id(sam)
    assert questions[q1]["answer"]["status"] == "released"
    assert questions[q1]["attempts_left"] == 2
    assert questions[q2]["answer"]["status"] == "recording"
    assert questions[q2]["attempts_used"] == 1
    assert sweep(utcnow() + AFTER_THE_GRANT * 2)["attempts_released"] == 0
    status, answer = sam.call(
        "POST", f"/questions/{q2}/attempts/{started['attempt']}/finalise", {"chunks": 2}
    )
    assert (status, answer["status"]) == (200, "uploaded")


def test_chunks_that_arrive_after_a_release_are_still_saved_and_count_again(
    http: Http, admin: dict
) -> None:
    # GIVEN an attempt released by the sweep while its tab was offline, not closed
    sam, _ = invited(http, admin, video(retakes=0), WRITTEN)
    q1 = sam.question(1)
    _, started = sam.start(q1)
    assert sweep(utcnow() + AFTER_THE_GRANT)["attempts_released"] == 1
    assert by_id(sam)[q1]["attempts_left"] == 1

    # WHEN the tab comes back online, renews its grant, sends its chunks and finalises
    attempt = started["attempt"]
    status, renewed = sam.call("POST", f"/questions/{q1}/attempts/{attempt}/grant")
    assert status == 200, renewed
    sam.upload(renewed["upload"], 3)
    status, answer = sam.call("POST", f"/questions/{q1}/attempts/{attempt}/finalise", {"chunks": 3})

    # THEN the recording is saved and counts against the retakes again
    assert (status, answer["status"]) == (200, "uploaded")
    question = by_id(sam)[q1]
    assert (question["attempts_used"], question["attempts_left"]) == (1, 0)
    assert question["answer"]["attempt"] == attempt


def test_a_recording_whose_tab_is_gone_is_finalised_by_the_sweep_and_salvaged(
    http: Http, admin: dict, recording: Path
) -> None:
    # GIVEN a tab that sent the first three of four chunks, then was closed for good
    # (another device, a private window: nothing left in the browser to finish it)
    sam, _ = invited(http, admin, video(retakes=0), WRITTEN)
    q1 = sam.question(1)
    _, started = sam.start(q1)
    data = recording.read_bytes()
    size = -(-len(data) // 4)
    for index in range(3):
        client("s3").put_object(
            Bucket=os.environ["MEDIA_BUCKET"],
            Key=started["upload"]["chunk_key_template"].format(index=index),
            Body=data[index * size : (index + 1) * size],
        )

    # WHEN the sweep finds it after the grant expired, and again once nothing more arrived
    later = utcnow() + AFTER_THE_GRANT
    assert sweep(later)["abandoned_recordings_finalised"] == 0
    assert sam.session()["questions"][0]["answer"]["status"] == "recording"
    summary = sweep(later + candidates.SETTLE_AFTER + timedelta(minutes=1))

    # THEN what arrived is finalised and the worker makes an answer of it
    assert (summary["abandoned_recordings_finalised"], summary["attempts_released"]) == (1, 0)
    grant = {"question_id": q1, "attempt": started["attempt"]}
    assert answer_of(sam, grant).chunk_count == 3
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    answer = sam.session()["questions"][0]["answer"]
    assert answer["status"] == "ready"
    assert answer["cut_short"] is True
    assert 0 < answer["duration_seconds"] < 3.0
    # AND it counts as the candidate's answer: the interview can be submitted
    write(sam, sam.question(2))
    assert sam.call("POST", "/complete")[0] == 200


def start_with_key(candidate: Candidate, question_id: str, key: str) -> tuple[int, Any]:
    """POST …/attempts as the page sends it: the recording's own key in the body."""
    return candidate.call(
        "POST",
        f"/questions/{question_id}/attempts",
        {"mime_type": "video/webm", "client_attempt_id": key},
    )


def test_a_start_repeated_after_a_lost_reply_gets_the_same_attempt_and_spends_no_retake(
    http: Http, admin: dict
) -> None:
    # GIVEN a question with no retakes, started with key K, whose reply never reached the page
    sam, _ = invited(http, admin, video(retakes=0), WRITTEN)
    q1 = sam.question(1)
    key = "3f1c2a9e-6b7d-4e58-9a0b-c2d4e6f80a1b"
    status, first = start_with_key(sam, q1, key)
    assert status == 201, first

    # WHEN the page sends the same start again
    status, again = start_with_key(sam, q1, key)

    # THEN it gets the same attempt with a grant it can upload with, and nothing more is used
    assert status == 201, again
    assert again["attempt"] == first["attempt"]
    assert again["upload"]["key_prefix"] == first["upload"]["key_prefix"]
    assert again["upload"]["url"]
    assert again["upload"]["fields"]
    question = by_id(sam)[q1]
    assert (question["attempts_used"], question["attempts_left"]) == (1, 0)

    # AND a start with another key is still refused: no retakes are left
    status, refused = start_with_key(sam, q1, "0d9e8f7a-1b2c-4d3e-8f4a-5b6c7d8e9f00")
    assert status == 409
    assert "used all your attempts" in refused["message"]

    # AND the recording uploaded through the repeated grant is saved
    sam.upload(again["upload"], 2)
    status, answer = sam.call(
        "POST", f"/questions/{q1}/attempts/{again['attempt']}/finalise", {"chunks": 2}
    )
    assert (status, answer["status"]) == (200, "uploaded")

    # AND once finalised, a late repeat with K opens nothing new and leaves the answer alone
    status, late = start_with_key(sam, q1, key)
    assert status == 409, late
    assert "already sent for saving" in late["message"]
    question = by_id(sam)[q1]
    assert (question["attempts_used"], question["attempts_left"]) == (1, 0)
    assert (question["answer"]["attempt"], question["answer"]["status"]) == (
        first["attempt"],
        "uploaded",
    )


def test_a_repeated_start_with_retakes_left_does_not_use_one_and_a_new_key_does(
    http: Http, admin: dict
) -> None:
    # GIVEN a question with one retake, started with key K
    sam, _ = invited(http, admin, video(retakes=1), WRITTEN)
    q1 = sam.question(1)
    _, first = start_with_key(sam, q1, "first-recording-key")

    # WHEN the same start is repeated, and then a new recording is started with a new key
    status, again = start_with_key(sam, q1, "first-recording-key")
    assert (status, again["attempt"]) == (201, first["attempt"])
    assert by_id(sam)[q1]["attempts_left"] == 1
    status, retake = start_with_key(sam, q1, "second-recording-key")

    # THEN only the new key used the retake
    assert (status, retake["attempt"]) == (201, first["attempt"] + 1)
    assert by_id(sam)[q1]["attempts_left"] == 0


def test_a_malformed_attempt_key_is_refused_with_the_field_named(http: Http, admin: dict) -> None:
    sam, _ = invited(http, admin, video(retakes=0), WRITTEN)
    q1 = sam.question(1)
    for bad in ("short", "x" * 65, "has spaces in it", "<script>alert(1)</script>"):
        status, body = start_with_key(sam, q1, bad)
        assert status == 422, body
        assert any(d["field"] == "client_attempt_id" for d in body["details"]), body
    assert by_id(sam)[q1]["attempts_left"] == 1


# --- 4. a processing failure after submit is recoverable --------------------------------------


def test_an_answer_that_fails_after_submit_reopens_only_its_question_and_emails_the_candidate(
    http: Http, admin: dict, recording: Path
) -> None:
    # GIVEN a candidate who submitted while two recordings were still waiting for the worker,
    # one of which cannot be used (no retakes left on that question)
    sam, interview = invited(http, admin, video(retakes=0), video(0, "Why us?"), WRITTEN)
    q1, q2, q3 = (q["question_id"] for q in sam.session()["questions"])
    broken = upload_in_chunks(sam, 1, os.urandom(50_000))
    upload_in_chunks(sam, 2, recording.read_bytes())
    write(sam, q3)
    status, body = sam.call("POST", "/complete")
    assert (status, body["status"]) == (200, "completed")
    first_deadline = find_by_token(sam.token).deadline

    # WHEN the media worker processes both
    assert run_worker(queued_event()) == {"batchItemFailures": []}

    # THEN the broken one failed, and only its question is open again, with an attempt back
    assert answer_of(sam, broken).status == "failed"
    state = sam.session()
    assert state["invitation"]["status"] == "started"
    assert state["invitation"]["reopened_questions"] == [q1]
    questions = {q["question_id"]: q for q in state["questions"]}
    assert questions[q1]["reopened"] is True
    assert questions[q1]["answer"]["status"] == "failed"
    assert "record this answer again" in questions[q1]["answer"]["error_message"]
    assert questions[q1]["attempts_left"] == 1
    assert questions[q2]["answer"]["status"] == "ready"
    assert state["progress"] == {"answered": 2, "total": 3}
    status, refused = sam.start(q2)
    assert status == 409
    assert "already submitted this answer" in refused["message"]
    assert (
        http.call(
            "PUT",
            f"/candidate/questions/{q3}/text",
            {"text": "changed"},
            headers={"X-Invitation-Token": sam.token},
        )[0]
        == 409
    )
    # AND they have at least 48 hours from now to record it
    deadline = find_by_token(sam.token).deadline
    assert deadline >= max(first_deadline, utcnow() + timedelta(hours=47, minutes=59))

    # AND the next sweep emails them once, with a link that opens the interview
    assert sweep()["rerecord_notices_sent"] == 1
    assert sweep()["rerecord_notices_sent"] == 0
    [notice] = [e for e in sent_emails() if "again" in e["subject"]]
    assert notice["to"] == ["sam@example.com"]
    assert "Question 1: Tell us about yourself." in notice["body"]
    link = links_sent_to("sam@example.com")[-1]
    assert link == sam.token  # the link they already have: earlier emails keep working
    assert Candidate(http, link).session()["invitation"]["reopened_questions"] == [q1]

    # AND the recruiter sees the candidate was asked to record again
    admin_token = admin["tokens"]["id_token"]
    invitation_id = find_by_token(sam.token).invitation_id
    _, detail = http.call("GET", f"/invitations/{invitation_id}", token=admin_token)
    asked = detail["invitation"]["asked_to_record_again"]
    assert (asked["question_ids"], asked["positions"]) == ([q1], [1])
    _, pipeline = http.call(
        "GET", f"/interviews/{interview['interview_id']}/pipeline", token=admin_token
    )
    [row] = pipeline["candidates"]
    assert row["status"] == "started"
    assert row["asked_to_record_again"]["positions"] == [1]

    # WHEN they record it again and submit once more
    again = upload_in_chunks(sam, 1, recording.read_bytes())
    status, body = sam.call("POST", "/complete")
    assert (status, body["status"]) == (200, "completed")
    assert run_worker(queued_event()) == {"batchItemFailures": []}

    # THEN the interview is complete with every answer ready, counted as completed once
    assert answer_of(sam, again).status == "ready"
    state = sam.session()
    assert state["invitation"]["status"] == "completed"
    assert state["invitation"]["reopened_questions"] == []
    assert {q["answer"]["status"] for q in state["questions"]} == {"ready"}
    _, detail = http.call("GET", f"/invitations/{invitation_id}", token=admin_token)
    assert detail["invitation"]["asked_to_record_again"] is None
    company_id = admin["company"]["company_id"]
    stored = Interview.get(*Interview.key(company_id, interview["interview_id"]))
    assert stored.count_completed == 1


def test_a_failed_retake_after_a_good_answer_is_shown_with_its_reason(
    http: Http, admin: dict, recording: Path
) -> None:
    # GIVEN a ready first answer, then a retake the worker cannot use
    sam, _ = invited(http, admin, video(retakes=1), WRITTEN)
    q1 = sam.question(1)
    upload_in_chunks(sam, 1, recording.read_bytes())
    run_worker(queued_event())
    upload_in_chunks(sam, 1, os.urandom(50_000))
    run_worker(queued_event())

    # WHEN the candidate's page reads the session
    question = by_id(sam)[q1]

    # THEN the good answer stands, playable, and the failed retake is named with its reason
    answer = question["answer"]
    assert (answer["attempt"], answer["status"]) == (1, "ready")
    assert answer["media_url"]
    assert abs(answer["duration_seconds"] - 3.0) <= 0.5
    assert answer["cut_short"] is False
    assert answer["retake_failed"]["attempt"] == 2
    assert "record this answer again" in answer["retake_failed"]["error_message"]
    assert question["attempts_left"] == 1  # the failed retake gave its attempt back


def test_an_answer_failing_while_the_candidate_submits_blocks_the_submission(
    http: Http, admin: dict, recording: Path
) -> None:
    # GIVEN a submission that read an answer as still on its way
    sam, _ = invited(http, admin, video(retakes=0), WRITTEN)
    grant = upload_in_chunks(sam, 1, recording.read_bytes())
    write(sam, sam.question(2))
    invitation = find_by_token(sam.token)
    seen = answer_of(sam, grant)
    assert seen.status == "uploaded"

    # WHEN the worker fails that answer before the submission is written
    failing = answer_of(sam, grant)
    assert answer_lifecycle.start_processing(failing, redelivery=False)
    assert answer_lifecycle.mark_failed(failing, "corrupt", "Please record this answer again.")

    # THEN the submission does not go through, and the question can be recorded again
    assert lifecycle.complete(invitation, utcnow(), [seen]) is False
    assert (
        Invitation.get(*Invitation.key(invitation.company_id, invitation.invitation_id)).status
        == "started"
    )
    status, body = sam.call("POST", "/complete")
    assert status == 409
    assert body["details"][0]["question_ids"] == [grant["question_id"]]
    assert by_id(sam)[grant["question_id"]]["attempts_left"] == 1
