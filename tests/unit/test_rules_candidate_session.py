"""What a candidate is shown of their interview: `candidates.session_of`, on in-memory items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.data.models import Answer, Invitation, Question
from chalicelib.domain.candidates import MAX_TEXT_LENGTH, session_of

DEADLINE = datetime(2026, 12, 1, tzinfo=UTC)


def invitation(*questions: Question, **fields: object) -> Invitation:
    pk, sk = Invitation.key("C1", "V1")
    return Invitation(
        pk,
        sk,
        candidate_name="Sam",
        candidate_email="sam@example.com",
        deadline=DEADLINE,
        questions=list(questions),
        **fields,
    )


def question(question_id: str, answer_type: str = "video", retakes: int = 1) -> Question:
    return Question(
        question_id=question_id,
        text=f"Question {question_id}",
        answer_type=answer_type,
        think_seconds=30,
        max_answer_seconds=60,
        retakes=retakes,
    )


def attempt(question_id: str, number: int, status: str, **fields: object) -> Answer:
    pk, sk = Answer.key("C1", "V1", question_id, number)
    return Answer(pk, sk, question_id=question_id, attempt=number, status=status, **fields)


def test_an_accommodation_multiplies_the_think_and_answer_limits() -> None:
    # GIVEN a candidate given half as much time again
    found = session_of(invitation(question("q1"), time_multiplier=1.5), [])
    # THEN both limits of every question grow by half
    (only,) = found.questions
    assert (only.think_seconds, only.max_answer_seconds) == (45, 90)
    assert found.time_multiplier == 1.5


def test_attempts_left_count_the_retakes_and_never_go_below_zero() -> None:
    found = session_of(
        invitation(
            question("q1", retakes=2),
            question("q2", retakes=0),
            attempts_used={"q1": 1, "q2": 3},
        ),
        [],
    )
    assert [(q.attempts_used, q.attempts_left) for q in found.questions] == [(1, 2), (3, 0)]


def test_a_written_question_counts_no_attempts_and_has_a_length_limit() -> None:
    found = session_of(invitation(question("q1", "text", retakes=3)), [])
    (only,) = found.questions
    assert (only.attempts_used, only.attempts_left) == (0, 0)
    assert only.max_text_length == MAX_TEXT_LENGTH


def test_a_failed_retake_is_explained_beside_the_answer_that_still_stands() -> None:
    # GIVEN a ready recording that was cut short, then a retake that failed processing
    kept = attempt(
        "q1",
        1,
        "ready",
        media_key="media/1.mp4",
        poster_key="media/1.jpg",
        duration_seconds=12.5,
        cut_short=True,
        cut_at_seconds=12.25,
    )
    failed = attempt("q1", 2, "failed", error_message="We could not read it.")
    # WHEN the candidate opens their link
    (shown,) = session_of(invitation(question("q1")), [failed, kept]).questions
    # THEN the first recording stands, cut where it stopped, and the retake's failure is named
    answer = shown.answer
    assert answer is not None
    assert (answer.attempt, answer.status, answer.error_message) == (1, "ready", None)
    assert answer.playback is not None
    assert (answer.playback.cut_short, answer.playback.cut_at_seconds) == (True, 12.25)
    assert answer.retake_failed is not None
    assert (answer.retake_failed.attempt, answer.retake_failed.error_message) == (
        2,
        "We could not read it.",
    )


def test_a_recording_not_cut_short_has_no_cut_point_and_nothing_plays_before_it_is_ready() -> None:
    whole = attempt("q1", 1, "ready", media_key="m.mp4", cut_short=False, cut_at_seconds=3.0)
    uploading = attempt("q2", 1, "uploaded")
    found = session_of(invitation(question("q1"), question("q2")), [whole, uploading])
    first, second = found.questions
    assert first.answer is not None
    assert first.answer.playback is not None
    assert first.answer.playback.cut_at_seconds is None
    assert second.answer is not None
    assert second.answer.playback is None


def test_progress_counts_saved_recordings_and_written_answers_but_not_failures() -> None:
    questions = (question("q1"), question("q2"), question("q3", "text"), question("q4"))
    attempts = [
        attempt("q1", 1, "uploaded"),
        attempt("q2", 1, "failed", error_message="Unreadable"),
        attempt("q3", 1, "ready", text="Lists"),
    ]
    found = session_of(invitation(*questions), attempts)
    assert (found.answered, found.total) == (2, 4)
    assert found.questions[1].answer is not None
    assert found.questions[1].answer.error_message == "Unreadable"


def test_reopened_questions_are_flagged_and_listed_in_order() -> None:
    found = session_of(
        invitation(
            question("q1"),
            question("q2"),
            question("q3"),
            reopened_questions={"q3", "q1"},
            feedback_at=DEADLINE - timedelta(days=1),
        ),
        [],
    )
    assert found.reopened_questions == ["q1", "q3"]
    assert [q.reopened for q in found.questions] == [True, False, True]
    assert found.feedback_given is True
