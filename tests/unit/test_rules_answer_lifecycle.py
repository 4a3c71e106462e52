"""Which attempt stands for a question: `answer_lifecycle.best_attempts`, on in-memory answers."""

from __future__ import annotations

from chalicelib.data.models import Answer
from chalicelib.domain.answer_lifecycle import best_attempts
from chalicelib.domain.answer_states import KEPT, AnswerStatus


def attempt(question_id: str, number: int, status: str, text: str | None = None) -> Answer:
    pk, sk = Answer.key("C1", "V1", question_id, number)
    return Answer(pk, sk, question_id=question_id, attempt=number, status=status, text=text)


def standing(*answers: Answer) -> dict[str, tuple[int, str]]:
    return {q: (int(a.attempt), a.status) for q, a in best_attempts(answers).items()}


def test_the_newest_saved_attempt_stands() -> None:
    # GIVEN two saved attempts at one question
    # WHEN the standing one is chosen
    # THEN it is the newer
    assert standing(attempt("q1", 1, "ready"), attempt("q1", 2, "uploaded")) == {
        "q1": (2, "uploaded")
    }


def test_a_failed_or_abandoned_retake_never_hides_an_earlier_good_answer() -> None:
    for later in ("failed", "recording", "released"):
        assert standing(attempt("q1", 1, "ready"), attempt("q1", 2, later)) == {"q1": (1, "ready")}


def test_the_order_answers_arrive_in_does_not_matter() -> None:
    answers = [
        attempt("q1", 3, "failed"),
        attempt("q1", 1, "processing"),
        attempt("q1", 2, "ready"),
    ]
    assert standing(*answers) == standing(*reversed(answers)) == {"q1": (2, "ready")}


def test_with_nothing_saved_the_newest_attempt_stands_so_its_state_can_be_shown() -> None:
    assert standing(attempt("q1", 1, "failed"), attempt("q1", 2, "recording")) == {
        "q1": (2, "recording")
    }


def test_a_written_answer_counts_as_saved_whatever_its_status() -> None:
    assert standing(attempt("q1", 1, "failed", text="My answer"), attempt("q1", 2, "failed")) == {
        "q1": (1, "failed")
    }


def test_each_question_is_judged_on_its_own() -> None:
    assert standing(
        attempt("q1", 1, "ready"),
        attempt("q2", 1, "failed"),
        attempt("q1", 2, "failed"),
        attempt("q2", 2, "processing"),
    ) == {"q1": (1, "ready"), "q2": (2, "processing")}


def test_no_answers_means_nothing_stands() -> None:
    assert best_attempts([]) == {}


def test_kept_states_are_the_ones_on_their_way_or_playable() -> None:
    assert set(KEPT) == {AnswerStatus.UPLOADED, AnswerStatus.PROCESSING, AnswerStatus.READY}
