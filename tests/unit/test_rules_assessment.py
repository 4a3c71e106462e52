"""Think time as the server holds it: `candidates.think_time` and what `session_of` reveals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.data.models import Invitation, Question
from chalicelib.domain.candidates import THINK_GRACE, revealed, session_of, think_time

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=3)


def question(question_id: str = "q1", answer_type: str = "video", think: int = 30) -> Question:
    return Question(
        question_id=question_id,
        text=f"Question {question_id}",
        answer_type=answer_type,
        think_seconds=think,
        max_answer_seconds=60 if answer_type != "text" else 0,
        retakes=1,
    )


def invitation(
    *questions: Question, opened: dict[str, datetime] | None = None, **fields: object
) -> Invitation:
    pk, sk = Invitation.key("C1", "V1")
    return Invitation(
        pk,
        sk,
        candidate_name="Sam",
        candidate_email="sam@example.com",
        deadline=DEADLINE,
        questions=list(questions),
        opened_questions={k: v.isoformat() for k, v in (opened or {}).items()},
        **fields,
    )


def test_an_unopened_question_has_no_think_clock_and_is_not_revealed() -> None:
    item = invitation(question())
    thinking = think_time(item, item.questions[0], NOW)
    assert (thinking.opened_at, thinking.deadline, thinking.seconds_left, thinking.over) == (
        None,
        None,
        None,
        False,
    )
    assert not revealed(item, "q1")


def test_the_think_clock_runs_from_the_opening_and_counts_whole_seconds_up() -> None:
    item = invitation(question(), opened={"q1": NOW - timedelta(seconds=12.5)})
    thinking = think_time(item, item.questions[0], NOW)
    assert thinking.deadline == NOW + timedelta(seconds=17.5)
    assert thinking.seconds_left == 18
    assert not thinking.over
    assert revealed(item, "q1")


def test_the_first_start_is_refused_only_once_the_grace_too_has_passed() -> None:
    item = invitation(question(), opened={"q1": NOW - timedelta(seconds=30)})
    at_deadline = think_time(item, item.questions[0], NOW)
    assert (at_deadline.seconds_left, at_deadline.over) == (0, False)
    in_grace = think_time(item, item.questions[0], NOW + THINK_GRACE)
    assert in_grace.over is False
    past = think_time(item, item.questions[0], NOW + THINK_GRACE + timedelta(milliseconds=1))
    assert past.over is True


def test_extra_time_multiplies_the_think_time() -> None:
    item = invitation(question(), opened={"q1": NOW - timedelta(seconds=40)}, time_multiplier=1.5)
    thinking = think_time(item, item.questions[0], NOW)
    assert thinking.deadline == NOW + timedelta(seconds=5)
    assert thinking.seconds_left == 5


def test_no_limit_applies_without_think_time_to_written_answers_or_after_a_first_start() -> None:
    long_ago = NOW - timedelta(hours=5)
    item = invitation(
        question("untimed", think=0),
        question("written", "text"),
        question("retake"),
        opened={"untimed": long_ago, "written": long_ago, "retake": long_ago},
        attempt_seq={"retake": 1},
    )
    for asked in item.questions:
        thinking = think_time(item, asked, NOW)
        assert (thinking.deadline, thinking.seconds_left, thinking.over) == (None, None, False)
        assert thinking.opened_at == long_ago


def test_the_session_reveals_opened_and_already_answered_questions_and_names_missed_ones() -> None:
    item = invitation(
        question("opened"),
        question("closed"),
        question("missed"),
        question("recorded_before"),
        question("written_before", "text"),
        opened={"opened": NOW, "missed": NOW - timedelta(minutes=5)},
        attempt_seq={"recorded_before": 1},
        answered_questions={"written_before"},
    )
    found = session_of(item, [], NOW)
    assert {q.question_id: (q.revealed, q.missed) for q in found.questions} == {
        "opened": (True, False),
        "closed": (False, False),
        "missed": (True, True),
        "recorded_before": (True, False),
        "written_before": (True, False),
    }
