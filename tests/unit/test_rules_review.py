"""A review's scores must name this interview's questions and rubric: `review._check_scores`."""

from __future__ import annotations

import pytest

from chalicelib.data.models import Interview, Invitation, Question, RubricCriterion
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.review import _check_scores

INVITATION = Invitation(
    *Invitation.key("C1", "V1"),
    questions=[Question(question_id="q1", text="Why us?"), Question(question_id="q2", text="How?")],
)
INTERVIEW = Interview(
    *Interview.key("C1", "I1"),
    rubric=[
        RubricCriterion(criterion_id="clarity", name="Clarity"),
        RubricCriterion(criterion_id="empathy", name="Empathy"),
    ],
)


def problems(scores: dict[str, dict[str, int]]) -> list[dict]:
    with pytest.raises(InvalidInput) as caught:
        _check_scores(INVITATION, INTERVIEW, scores)
    assert caught.value.message == "Some scores do not match this interview."
    return caught.value.details


def test_scores_for_known_questions_and_criteria_pass() -> None:
    _check_scores(INVITATION, INTERVIEW, {"q1": {"clarity": 4, "empathy": 5}, "q2": {}})
    _check_scores(INVITATION, INTERVIEW, {})  # a review may score nothing


def test_a_question_of_another_interview_is_named_in_the_details() -> None:
    # GIVEN scores for a question this candidate was never asked
    # WHEN they are checked
    # THEN the field names the question, and its criteria are not looked at
    assert problems({"q9": {"nonsense": 3}}) == [
        {
            "field": "scores.q9",
            "problem": "unknown_question",
            "message": "not a question of this interview",
        }
    ]


def test_a_criterion_outside_the_rubric_is_named_per_question() -> None:
    assert problems({"q1": {"clarity": 4, "charisma": 5}, "q2": {"charisma": 2}}) == [
        {
            "field": "scores.q1.charisma",
            "problem": "unknown_criterion",
            "message": "not a criterion of this rubric",
        },
        {
            "field": "scores.q2.charisma",
            "problem": "unknown_criterion",
            "message": "not a criterion of this rubric",
        },
    ]


def test_every_problem_is_reported_at_once() -> None:
    found = problems({"q1": {"charisma": 1}, "q7": {"clarity": 1}})
    assert [p["field"] for p in found] == ["scores.q1.charisma", "scores.q7"]


def test_an_interview_without_a_rubric_takes_no_criterion() -> None:
    bare = Interview(*Interview.key("C1", "I2"))
    with pytest.raises(InvalidInput):
        _check_scores(INVITATION, bare, {"q1": {"clarity": 3}})
    _check_scores(INVITATION, bare, {"q1": {}})
