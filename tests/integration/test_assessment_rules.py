"""Assessment rules the server holds: a question is read only once opened, think time runs
from that moment whatever the page does, and an answer longer than its limit is refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.data.models import Invitation, utcnow
from chalicelib.domain.invitations import find_by_token
from tests.drivers.api import (
    INTERVIEW,
    Candidate,
    Http,
    consenting_candidate,
    create,
    links_sent_to,
)
from tests.drivers.media import Clip, generate
from tests.drivers.question_videos import ready_video
from tests.drivers.worker import answer_of, queued_event, run_worker, upload_in_chunks

THINK = 30  # think_seconds of question 1 in the driver's interview
GRACE = 10  # what the server adds for a start that reaches it after the countdown


@pytest.fixture
def recruiter(admin: dict) -> str:
    return admin["tokens"]["id_token"]


@pytest.fixture
def interview(http: Http, recruiter: str) -> dict:
    return create(http, recruiter)


@pytest.fixture
def sam(http: Http, recruiter: str, interview: dict) -> Candidate:
    return consenting_candidate(http, recruiter, interview["interview_id"], "sam@example.com")


def open_question(candidate: Candidate, question_id: str) -> tuple[int, Any]:
    return candidate.call("POST", f"/questions/{question_id}/open")


def opened_ago(candidate: Candidate, question_id: str, seconds: float) -> None:
    """Where the clock stands `seconds` after the question was opened (stored time moved back)."""
    invitation = find_by_token(candidate.token)
    when = utcnow() - timedelta(seconds=seconds)
    invitation.update(actions=[Invitation.opened_questions[question_id].set(when.isoformat())])


def question_of(candidate: Candidate, position: int) -> dict:
    return candidate.session()["questions"][position - 1]


def test_a_question_not_yet_opened_reaches_the_candidate_without_its_text_or_video(
    aws: dict, http: Http, recruiter: str, interview: dict
) -> None:
    # GIVEN question 1 has a video the recruiter recorded
    path = f"/interviews/{interview['interview_id']}"
    key = ready_video(http, recruiter, interview["interview_id"])["video_key"]
    questions = [dict(q) for q in INTERVIEW["questions"]]
    questions[0]["video_key"] = key
    assert http.call("PUT", path, {**INTERVIEW, "questions": questions}, token=recruiter)[0] == 200
    sam = consenting_candidate(http, recruiter, interview["interview_id"], "sam@example.com")
    # WHEN the candidate opens their link
    session = sam.session()
    # THEN every question is listed with its limits, but no wording and no video
    for question in session["questions"]:
        assert question["text"] is None
        assert question["video_url"] is None
        assert (question["opened"], question["opened_at"]) == (False, None)
    assert [q["answer_type"] for q in session["questions"]] == ["video", "audio", "text"]
    assert session["questions"][0]["think_seconds"] == THINK
    # AND their data download names no question's wording either
    status, data = sam.call("GET", "/data")
    assert status == 200
    assert [q["text"] for q in data["questions"]] == [None, None, None]
    # WHEN they open question 1 THEN its text and video arrive, and its think time starts
    status, opened = open_question(sam, session["questions"][0]["question_id"])
    assert status == 200, opened
    assert opened["text"] == "Tell us about yourself."
    assert key in opened["video_url"]
    opened_at = datetime.fromisoformat(opened["opened_at"])
    assert abs((utcnow() - opened_at).total_seconds()) < 5
    deadline = datetime.fromisoformat(opened["think_deadline"])
    assert deadline == opened_at + timedelta(seconds=THINK)
    assert THINK - 2 <= opened["think_seconds_left"] <= THINK
    # AND the session shows it from now on, the others still closed
    after = sam.session()["questions"]
    assert (after[0]["text"], after[0]["opened_at"]) == (
        "Tell us about yourself.",
        opened_at.isoformat(),
    )
    assert [q["text"] for q in after[1:]] == [None, None]
    assert sam.call("GET", "/data")[1]["questions"][0]["text"] == "Tell us about yourself."


def test_opening_again_or_reloading_never_restarts_the_think_time(sam: Candidate) -> None:
    question_id = sam.question(1)
    status, first = open_question(sam, question_id)
    assert status == 200
    # a second open at once (another tab, a double click) agrees on the first time
    assert open_question(sam, question_id)[1]["opened_at"] == first["opened_at"]
    # GIVEN 20 of the 30 seconds have passed
    opened_ago(sam, question_id, 20)
    stored = question_of(sam, 1)["opened_at"]
    # WHEN the page is reloaded and opens the question again
    status, again = open_question(sam, question_id)
    # THEN it gets the stored opening time and only what is left of the think time
    assert status == 200
    assert again["opened_at"] == stored
    assert 8 <= again["think_seconds_left"] <= 10
    assert 8 <= question_of(sam, 1)["think_seconds_left"] <= 10
    deadline = datetime.fromisoformat(again["think_deadline"])
    assert deadline == datetime.fromisoformat(stored) + timedelta(seconds=THINK)


def test_two_tabs_opening_at_once_agree_on_the_first_opening(sam: Candidate) -> None:
    """The opening is a conditional write: a tab that read the invitation before another tab
    opened the question gets the stored time back, never writes its own."""
    from chalicelib.domain import candidates

    question_id = sam.question(1)
    # GIVEN one tab read the invitation, then another opened the question 20 s ago
    stale = find_by_token(sam.token)
    open_question(sam, question_id)
    opened_ago(sam, question_id, 20)
    stored = question_of(sam, 1)["opened_at"]
    # WHEN the first tab records its own opening now
    kept = candidates._record_opening(stale, question_id, utcnow())
    # THEN it gets the stored time, and the think time left is still 10 s, not 30
    assert kept.isoformat() == stored
    assert question_of(sam, 1)["opened_at"] == stored
    assert 8 <= question_of(sam, 1)["think_seconds_left"] <= 10


def test_a_first_recording_started_after_the_think_time_and_grace_is_refused(
    sam: Candidate,
) -> None:
    question_id = sam.question(1)
    open_question(sam, question_id)
    # GIVEN the think time and the grace ran out a second ago
    opened_ago(sam, question_id, THINK + GRACE + 1)
    # WHEN the candidate starts recording
    status, body = sam.start(question_id)
    # THEN the server refuses in plain words, and no attempt is used
    assert status == 409
    assert body["message"].startswith("Your think time for this question ended at ")
    assert "can no longer be answered" in body["message"]
    assert body["details"][0]["problem"] == "think_time_over"
    question = question_of(sam, 1)
    assert (question["attempts_used"], question["answer"]) == (0, None)
    assert question["missed"] is True
    assert question["think_seconds_left"] == 0


def test_a_start_within_the_grace_after_the_countdown_is_accepted(sam: Candidate) -> None:
    question_id = sam.question(1)
    open_question(sam, question_id)
    opened_ago(sam, question_id, THINK + GRACE - 3)
    assert question_of(sam, 1)["missed"] is False
    status, started = sam.start(question_id)
    assert status == 201, started
    assert started["attempt"] == 1


def test_extra_time_lengthens_the_think_time_the_server_allows(
    http: Http, recruiter: str, interview: dict
) -> None:
    # GIVEN a candidate with half as much time again (30 s → 45 s of think time)
    slow = consenting_candidate(
        http, recruiter, interview["interview_id"], "slow@example.com", time_multiplier=1.5
    )
    quick = consenting_candidate(http, recruiter, interview["interview_id"], "quick@example.com")
    for candidate in (slow, quick):
        question_id = candidate.question(1)
        open_question(candidate, question_id)
        # WHEN both start 50 s after opening question 1
        opened_ago(candidate, question_id, 50)
    # THEN the candidate with extra time may record, the other may not
    assert question_of(slow, 1)["think_seconds"] == 45
    assert slow.start(slow.question(1))[0] == 201
    assert quick.start(quick.question(1))[0] == 409
    # AND past 45 s + grace the extra time has run out too
    later = consenting_candidate(
        http, recruiter, interview["interview_id"], "later@example.com", time_multiplier=1.5
    )
    open_question(later, later.question(1))
    opened_ago(later, later.question(1), 45 + GRACE + 1)
    assert later.start(later.question(1))[0] == 409


def test_a_retake_needs_no_think_time_as_before(sam: Candidate) -> None:
    question_id = sam.question(1)
    open_question(sam, question_id)
    sam.record(question_id)  # attempt 1, within the think time
    # GIVEN an hour has passed since the question was opened
    opened_ago(sam, question_id, 3600)
    # WHEN they record it again THEN the retake starts
    status, started = sam.start(question_id)
    assert status == 201, started
    assert started["attempt"] == 2
    assert question_of(sam, 1)["missed"] is False


def test_starting_a_question_never_opened_opens_it_with_no_think_time_left(
    sam: Candidate,
) -> None:
    question_id = sam.question(1)
    assert sam.start(question_id)[0] == 201
    question = question_of(sam, 1)
    assert question["text"] == "Tell us about yourself."
    assert question["opened_at"] is not None
    # a second open keeps the time the recording started
    assert open_question(sam, question_id)[1]["opened_at"] == question["opened_at"]


def test_a_question_without_a_think_limit_may_start_whenever_the_candidate_is_ready(
    http: Http, recruiter: str
) -> None:
    questions = [{**INTERVIEW["questions"][0], "think_seconds": 0}]
    untimed = create(http, recruiter, questions=questions)
    candidate = consenting_candidate(http, recruiter, untimed["interview_id"], "calm@example.com")
    question_id = candidate.question(1)
    _, opened = open_question(candidate, question_id)
    assert (opened["think_deadline"], opened["think_seconds_left"]) == (None, None)
    opened_ago(candidate, question_id, 3600)
    assert candidate.start(question_id)[0] == 201


def test_a_written_answer_is_read_once_opened_and_has_no_time_limit(sam: Candidate) -> None:
    question_id = sam.question(3)
    assert question_of(sam, 3)["text"] is None
    status, opened = open_question(sam, question_id)
    assert status == 200
    assert opened["text"] == "Your tools?"
    assert (opened["think_deadline"], opened["think_seconds_left"]) == (None, None)
    opened_ago(sam, question_id, 3600)
    status, answer = sam.call("PUT", f"/questions/{question_id}/text", {"text": "Lists"})
    assert status == 200, answer
    assert question_of(sam, 3)["missed"] is False


def test_saving_a_written_answer_without_opening_it_opens_it(sam: Candidate) -> None:
    question_id = sam.question(3)
    assert sam.call("PUT", f"/questions/{question_id}/text", {"text": "Lists"})[0] == 200
    assert question_of(sam, 3)["opened_at"] is not None


def test_a_missed_question_is_submitted_unanswered_instead_of_blocking_the_interview(
    http: Http, recruiter: str, sam: Candidate
) -> None:
    # GIVEN question 1's think time ran out before any recording started
    first = sam.question(1)
    open_question(sam, first)
    opened_ago(sam, first, THINK + GRACE + 1)
    # AND the other questions are answered
    sam.record(sam.question(2))
    sam.call("PUT", f"/questions/{sam.question(3)}/text", {"text": "Lists"})
    # WHEN they submit THEN the interview completes without an answer to question 1
    status, done = sam.call("POST", "/complete")
    assert status == 200, done
    session = sam.session()
    assert session["invitation"]["status"] == "completed"
    assert session["questions"][0]["answer"] is None
    assert session["progress"] == {"answered": 2, "total": 3}
    # AND the recruiter reads why question 1 has no answer
    invitation_id = find_by_token(sam.token).invitation_id
    status, detail = http.call("GET", f"/invitations/{invitation_id}", token=recruiter)
    assert status == 200
    first, *others = [a["status"] for a in detail["answers"]]
    assert first == "missed"
    assert "missed" not in others


def test_a_question_is_opened_only_after_consent_within_the_interview(
    http: Http, recruiter: str, interview: dict, sam: Candidate
) -> None:
    status, body = open_question(sam, "not-a-question")
    assert status == 404
    http.call(
        "POST",
        f"/interviews/{interview['interview_id']}/invitations",
        {"candidates": [{"name": "Kim", "email": "kim@example.com"}]},
        token=recruiter,
    )
    kim = Candidate(http, links_sent_to("kim@example.com")[0])
    status, body = open_question(kim, kim.question(1))
    assert status == 409
    assert "consent" in body["message"]
    assert kim.session()["questions"][0]["text"] is None
    # after the deadline nothing opens
    question_id = sam.question(1)
    invitation = find_by_token(sam.token)
    invitation.update(actions=[Invitation.deadline.set(utcnow() - timedelta(minutes=1))])
    status, body = open_question(sam, question_id)
    assert status == 410
    assert "deadline" in body["message"]


def test_an_invitation_from_before_openings_were_stored_still_opens(sam: Candidate) -> None:
    # GIVEN an invitation item written without the map of opened questions
    invitation = find_by_token(sam.token)
    invitation.update(actions=[Invitation.opened_questions.remove()])
    # WHEN a question is opened THEN its time is stored
    status, opened = open_question(sam, sam.question(1))
    assert status == 200, opened
    assert opened["opened_at"] is not None
    assert question_of(sam, 1)["opened_at"] == opened["opened_at"]


@pytest.fixture(scope="module")
def fourteen_seconds(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 14 s VP8/Opus WebM, as MediaRecorder writes it."""
    path = tmp_path_factory.mktemp("long") / "long.webm"
    return generate(Clip(video="vp8", audio="opus", seconds=14), path).read_bytes()


def test_an_answer_longer_than_its_limit_is_refused_by_the_worker_and_extra_time_counts(
    http: Http, recruiter: str, fourteen_seconds: bytes
) -> None:
    # GIVEN a question that allows 10 s, a candidate without and one with 1.5 times as long (15 s)
    questions = [{**INTERVIEW["questions"][0], "max_answer_seconds": 10}]
    short = create(http, recruiter, questions=questions)
    plain = consenting_candidate(http, recruiter, short["interview_id"], "plain@example.com")
    extra = consenting_candidate(
        http, recruiter, short["interview_id"], "extra@example.com", time_multiplier=1.5
    )
    # WHEN each uploads the same 14 s recording through the pipeline
    over = upload_in_chunks(plain, 1, fourteen_seconds)
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    within = upload_in_chunks(extra, 1, fourteen_seconds)
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    # THEN the answer past the limit is refused, saying the limit, and its attempt is back
    refused = answer_of(plain, over)
    assert (refused.status, refused.error_reason) == ("failed", "too_long")
    shown = question_of(plain, 1)
    assert shown["answer"]["status"] == "failed"
    assert "allows 10 seconds" in shown["answer"]["error_message"]
    assert shown["attempts_left"] == 2
    # AND the same length within the candidate's extra time is kept
    kept = answer_of(extra, within)
    assert kept.status == "ready"
    assert abs(float(kept.duration_seconds) - 14) <= 0.5
