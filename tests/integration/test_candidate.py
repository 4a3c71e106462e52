"""The candidate's link: every rule enforced by the server, every answer kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import MANIFEST_NAME
from chalicelib.data.models import Answer, Invitation, utcnow
from tests.drivers.api import Candidate, Http, create, links_sent_to, sign_up


@pytest.fixture
def setup(http: Http, admin: dict) -> dict:
    token = admin["tokens"]["id_token"]
    interview = create(http, token)
    http.call(
        "POST",
        f"/interviews/{interview['interview_id']}/invitations",
        {
            "candidates": [
                {"name": "Sam", "email": "sam@example.com"},
                {"name": "Kim", "email": "kim@example.com"},
            ]
        },
        token=token,
    )
    return {"interview": interview, "admin": token, "company_id": admin["company"]["company_id"]}


@pytest.fixture
def sam(http: Http, setup: dict) -> Candidate:
    return Candidate(http, links_sent_to("sam@example.com")[0])


@pytest.fixture
def consented(sam: Candidate) -> Candidate:
    assert sam.call("POST", "/consent", {"accepted": True})[0] == 200
    return sam


def _invitation(setup: dict, candidate: Candidate) -> Invitation:
    from chalicelib.domain.invitations import find_by_token

    return find_by_token(candidate.token)


def test_opening_the_link_shows_the_interview_and_marks_it_opened(
    sam: Candidate, setup: dict
) -> None:
    body = sam.session()
    assert body["invitation"]["status"] == "opened"
    assert body["invitation"]["candidate_name"] == "Sam"
    assert body["company"]["name"] == "Acme"
    assert body["interview"]["intro"] == "Welcome!"
    assert body["progress"] == {"answered": 0, "total": 3}
    first = body["questions"][0]
    assert first["position"] == 1
    assert (first["attempts_used"], first["attempts_left"]) == (0, 2)
    assert first["answer"] is None
    listed = sam.http.call(
        "GET",
        f"/interviews/{setup['interview']['interview_id']}/invitations",
        token=setup["admin"],
    )[1]["invitations"]
    sam_row = next(i for i in listed if i["candidate_email"] == "sam@example.com")
    assert sam_row["status"] == "opened"
    assert sam_row["opened_at"]


def test_nothing_can_be_recorded_before_consent(sam: Candidate) -> None:
    status, body = sam.start(sam.question(1))
    assert status == 409
    assert "consent" in body["message"]
    status, consent = sam.call("POST", "/consent", {"accepted": True})
    assert status == 200
    assert consent["consent_at"]
    assert sam.call("POST", "/consent", {"accepted": False})[0] == 422


def test_an_attempt_gets_an_upload_grant_under_its_own_prefix(
    consented: Candidate, setup: dict
) -> None:
    invitation = _invitation(setup, consented)
    question_id = consented.question(1)
    status, body = consented.start(question_id)
    assert status == 201
    assert body["attempt"] == 1
    assert body["upload"]["key_prefix"] == (
        f"raw/{setup['company_id']}/{setup['interview']['interview_id']}/"
        f"{invitation.invitation_id}/{question_id}/001/"
    )
    assert body["upload"]["fields"]["Content-Type"] == "video/webm"
    question = consented.session()["questions"][0]
    assert (question["attempts_used"], question["attempts_left"]) == (1, 1)
    assert consented.session()["invitation"]["status"] == "started"


def test_retakes_are_limited_and_the_last_recording_is_kept(consented: Candidate) -> None:
    question_id = consented.question(1)  # one retake: two attempts
    consented.record(question_id)
    consented.record(question_id)
    status, body = consented.start(question_id)
    assert status == 409
    assert "used all your attempts" in body["message"]
    question = consented.session()["questions"][0]
    assert question["attempts_left"] == 0
    assert question["answer"]["attempt"] == 2
    assert question["answer"]["status"] == "uploaded"


def test_a_recording_must_match_the_answer_type(consented: Candidate) -> None:
    status, body = consented.start(consented.question(1), mime="audio/webm;codecs=opus")
    assert status == 422
    assert body["message"] == "This question needs a video recording."
    assert consented.start(consented.question(2), mime="audio/webm;codecs=opus")[0] == 201
    status, body = consented.start(consented.question(3))
    assert status == 409
    assert "written answer" in body["message"]


def test_a_question_from_another_interview_is_not_found(consented: Candidate, http: Http) -> None:
    other_admin = sign_up(http, email="bo@globex.example.com", company="Globex")
    other = create(http, other_admin["tokens"]["id_token"])
    foreign = other["questions"][0]["question_id"]
    status, body = consented.start(foreign)
    assert status == 404
    assert "not part of your interview" in body["message"]
    assert consented.call("PUT", f"/questions/{foreign}/text", {"text": "hi"})[0] == 404


def test_one_candidates_token_cannot_touch_anothers_attempt(
    consented: Candidate, http: Http
) -> None:
    question_id = consented.question(1)
    _, started = consented.start(question_id)
    consented.upload(started["upload"], 2)
    kim = Candidate(http, links_sent_to("kim@example.com")[0])
    kim.call("POST", "/consent", {"accepted": True})
    status, _ = kim.call("POST", f"/questions/{question_id}/attempts/1/finalise", {"chunks": 2})
    assert status == 404  # Kim has no attempt 1: Sam's chunks are out of reach
    assert consented.session()["questions"][0]["answer"]["status"] == "recording"


def test_finalise_names_missing_chunks_then_succeeds_once_they_arrive(
    aws: dict, consented: Candidate
) -> None:
    question_id = consented.question(1)
    _, started = consented.start(question_id)
    grant = started["upload"]
    consented.upload(grant, 2)  # chunks 0 and 1 of 4
    path = f"/questions/{question_id}/attempts/1/finalise"
    status, body = consented.call("POST", path, {"chunks": 4})
    assert status == 409
    assert body["details"][0]["missing"] == [2, 3]
    assert consented.session()["questions"][0]["answer"]["status"] == "recording"
    consented.upload(grant, 4)
    status, answer = consented.call("POST", path, {"chunks": 4})
    assert status == 200
    assert answer == {"attempt": 1, "status": "uploaded", "error_message": None, "text": None}
    # the manifest the worker acts on sits beside the chunks, and woke the queue once
    manifest = json.loads(
        client("s3")
        .get_object(Bucket=aws["MEDIA_BUCKET"], Key=grant["key_prefix"] + MANIFEST_NAME)["Body"]
        .read()
    )
    assert manifest["chunks"] == 4
    assert (manifest["question_id"], manifest["attempt"]) == (question_id, 1)
    messages = (
        client("sqs")
        .receive_message(QueueUrl=aws["UPLOADS_QUEUE_URL"], MaxNumberOfMessages=10)
        .get("Messages", [])
    )
    assert len(messages) == 1
    assert "manifest.json" in messages[0]["Body"]


def test_finalising_twice_changes_nothing(aws: dict, consented: Candidate) -> None:
    question_id = consented.question(1)
    _, started = consented.start(question_id)
    consented.upload(started["upload"], 2)
    path = f"/questions/{question_id}/attempts/1/finalise"
    first = consented.call("POST", path, {"chunks": 2})
    again = consented.call("POST", path, {"chunks": 2})
    assert first == again
    assert consented.call("POST", path, {"chunks": 3})[0] == 409
    messages = (
        client("sqs")
        .receive_message(QueueUrl=aws["UPLOADS_QUEUE_URL"], MaxNumberOfMessages=10)
        .get("Messages", [])
    )
    assert len(messages) == 1


def test_a_fresh_grant_serves_the_same_attempt_until_it_is_saved(consented: Candidate) -> None:
    question_id = consented.question(1)
    _, started = consented.start(question_id)
    status, renewed = consented.call("POST", f"/questions/{question_id}/attempts/1/grant")
    assert status == 200
    assert renewed["attempt"] == 1
    assert renewed["upload"]["key_prefix"] == started["upload"]["key_prefix"]
    assert consented.session()["questions"][0]["attempts_used"] == 1
    consented.upload(renewed["upload"], 1)
    consented.call("POST", f"/questions/{question_id}/attempts/1/finalise", {"chunks": 1})
    assert consented.call("POST", f"/questions/{question_id}/attempts/1/grant")[0] == 409
    assert consented.call("POST", f"/questions/{question_id}/attempts/7/grant")[0] == 404


def test_text_answers_are_saved_and_can_be_rewritten(consented: Candidate) -> None:
    question_id = consented.question(3)
    status, answer = consented.call("PUT", f"/questions/{question_id}/text", {"text": "Trello"})
    assert status == 200
    assert answer["text"] == "Trello"
    consented.call("PUT", f"/questions/{question_id}/text", {"text": "Notion and paper"})
    assert consented.session()["questions"][2]["answer"]["text"] == "Notion and paper"
    assert consented.call("PUT", f"/questions/{question_id}/text", {"text": " "})[0] == 422
    assert (
        consented.call("PUT", f"/questions/{consented.question(1)}/text", {"text": "x"})[0] == 409
    )


def test_completing_needs_every_answer_then_closes_the_interview(consented: Candidate) -> None:
    status, body = consented.call("POST", "/complete")
    assert status == 409
    assert len(body["details"][0]["question_ids"]) == 3
    consented.record(consented.question(1))
    consented.record(consented.question(2))
    consented.call("PUT", f"/questions/{consented.question(3)}/text", {"text": "Lists"})
    status, done = consented.call("POST", "/complete")
    assert status == 200
    assert done["status"] == "completed"
    assert done["outro"] == "Thanks!"
    assert consented.call("POST", "/complete") == (200, done)
    # the link still opens (to show the done page), but nothing more can be recorded
    assert consented.session()["invitation"]["status"] == "completed"
    status, body = consented.start(consented.question(1))
    assert status == 409
    assert body["message"] == "You have already completed this interview. Thank you!"


def test_feedback_is_taken_once_after_completion(consented: Candidate, setup: dict) -> None:
    assert consented.call("POST", "/feedback", {"rating": 5})[0] == 409
    consented.record(consented.question(1))
    consented.record(consented.question(2))
    consented.call("PUT", f"/questions/{consented.question(3)}/text", {"text": "Lists"})
    consented.call("POST", "/complete")
    assert consented.call("POST", "/feedback", {"rating": 6})[0] == 422
    status, _ = consented.call("POST", "/feedback", {"rating": 4, "comment": "Smooth"})
    assert status == 200
    assert consented.call("POST", "/feedback", {"rating": 1})[0] == 409
    stored = _invitation(setup, consented)
    assert (stored.feedback_rating, stored.feedback_comment) == (4, "Smooth")
    assert consented.session()["invitation"]["feedback_given"] is True


def test_after_the_deadline_nothing_new_starts_but_a_recording_in_flight_is_saved(
    consented: Candidate, setup: dict
) -> None:
    question_id, second = consented.question(1), consented.question(2)
    _, started = consented.start(question_id)
    consented.upload(started["upload"], 2)
    invitation = _invitation(setup, consented)
    invitation.update(actions=[Invitation.deadline.set(utcnow() - timedelta(minutes=1))])
    status, body = consented.start(second, mime="audio/webm")
    assert status == 410
    assert "deadline" in body["message"]
    assert consented.call("GET", "/session")[0] == 410
    # the upload in flight may renew its grant and finish
    assert consented.call("POST", f"/questions/{question_id}/attempts/1/grant")[0] == 200
    status, answer = consented.call(
        "POST", f"/questions/{question_id}/attempts/1/finalise", {"chunks": 2}
    )
    assert status == 200
    assert answer["status"] == "uploaded"


def test_an_abandoned_or_failed_re_record_never_hides_the_saved_answer(
    consented: Candidate, setup: dict
) -> None:
    from chalicelib.domain import answer_lifecycle

    question_id = consented.question(1)
    consented.record(question_id)  # attempt 1 saved
    _, started = consented.start(question_id)  # attempt 2 started, then abandoned
    question = consented.session()["questions"][0]
    assert question["answer"]["attempt"] == 1
    assert question["answer"]["status"] == "uploaded"
    assert consented.session()["progress"]["answered"] == 1
    # a failed upload gives its attempt back, and the next one gets a new number
    invitation = _invitation(setup, consented)
    abandoned = Answer.get(
        *Answer.key(
            invitation.company_id, invitation.invitation_id, question_id, started["attempt"]
        )
    )
    assert answer_lifecycle.mark_failed(
        abandoned, "corrupt", "Please record again.", from_status="recording"
    )
    assert consented.session()["questions"][0]["attempts_left"] == 1
    status, third = consented.start(question_id)
    assert status == 201, third
    assert third["attempt"] == 3


def test_two_tabs_cannot_exceed_the_attempts_together(consented: Candidate, setup: dict) -> None:
    """The limit is a conditional write, not a read-then-write the tabs could race."""
    question_id = consented.question(1)
    invitation = _invitation(setup, consented)
    # GIVEN another tab already used both attempts since this tab read the invitation
    invitation.update(actions=[Invitation.attempts_used[question_id].set(2)])
    status, _ = consented.start(question_id)
    assert status == 409
    assert (
        Answer.count(
            f"C#{setup['company_id']}#INV#{invitation.invitation_id}",
            Answer.sk.startswith(f"ANSWER#{question_id}#"),
        )
        == 0
    )


def test_an_unknown_or_missing_token_gets_a_plain_message(http: Http, setup: dict) -> None:
    for headers in ({"X-Invitation-Token": "x" * 43}, {}):
        status, body = http.call("GET", "/candidate/session", headers=headers)
        assert status == 401
        assert body["message"] == "This interview link is not valid. Check the link in your email."
