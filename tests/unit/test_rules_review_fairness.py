"""Who may see what in review: `review.hides_identity`, `sees_scores`, `rubric_of`, notes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.api import views
from chalicelib.data.models import Interview, Invitation, Question, Review, RubricCriterion
from chalicelib.domain import review
from chalicelib.domain.auth import Principal, Role
from chalicelib.domain.errors import InvalidInput

ADMIN = Principal("C1", "u-admin", "ada@acme.example.com", Role.ADMIN, "Ada")
REY = Principal("C1", "u-rey", "rey@acme.example.com", Role.REVIEWER, "Rey")
SAM = Principal("C1", "u-sam", "sam@acme.example.com", Role.REVIEWER, "Sam")


def invitation(**fields: object) -> Invitation:
    return Invitation(
        *Invitation.key("C1", "V1"),
        questions=[Question(question_id="q1", text="Why us?")],
        **fields,
    )


def interview(*criteria: str) -> Interview:
    return Interview(
        *Interview.key("C1", "I1"),
        rubric=[RubricCriterion(criterion_id=c, name=c.title()) for c in criteria],
    )


def test_blind_review_hides_names_from_reviewers_and_never_from_admins() -> None:
    assert review.hides_identity(True, REY)
    assert not review.hides_identity(True, ADMIN)
    assert not review.hides_identity(False, REY)


def test_a_reviewer_sees_scores_of_a_candidate_only_once_they_reviewed_them() -> None:
    # GIVEN a candidate reviewed by Sam
    scored = invitation(reviewed_by={"u-sam"}, average_score=4, review_count=1)
    # THEN Rey, who has not reviewed, sees no score; Sam and admins do
    assert not review.sees_scores(scored, REY)
    assert review.sees_scores(scored, SAM)
    assert review.sees_scores(scored, ADMIN)
    assert not review.sees_scores(invitation(), REY)  # nobody reviewed yet


def test_the_pipeline_row_hides_average_and_count_until_my_review_is_in() -> None:
    scored = invitation(
        interview_id="I1",
        invitation_id="V1",
        candidate_name="Ann",
        candidate_email="ann@example.com",
        deadline=datetime(2026, 12, 1, tzinfo=UTC),
        reviewed_by={"u-sam"},
        average_score=4,
        review_count=1,
    )
    row = views.pipeline_row(review.PipelineRow(scored, True, False, False))
    assert (row["average_score"], row["reviews"], row["candidate_name"]) == (None, None, None)
    assert row["candidate_email"] is None
    row = views.pipeline_row(review.PipelineRow(scored, False, True, True))
    assert (row["average_score"], row["reviews"], row["candidate_name"]) == (4, 1, "Ann")


def test_the_score_filter_of_the_blind_list_matches_only_what_i_may_see() -> None:
    filters = review._Filters(None, None, 3.5)
    high = invitation(reviewed_by={"u-sam"}, average_score=4.5)
    assert filters.match(high, SAM)
    assert not filters.match(high, REY)  # would tell Rey that colleagues scored Ann high
    assert filters.match(high, ADMIN)
    assert not filters.match(invitation(reviewed_by={"u-sam"}, average_score=3), SAM)
    assert not filters.match(invitation(), ADMIN)


def test_each_reviewer_has_an_order_of_their_own_stable_per_interview() -> None:
    ids = [f"V{n}" for n in range(8)]

    def order(principal: Principal, interview_id: str) -> list[str]:
        return sorted(ids, key=lambda i: review.blind_rank(principal, interview_id, i))

    assert order(REY, "I1") == order(REY, "I1")
    assert order(REY, "I1") != order(SAM, "I1")
    assert order(REY, "I1") != order(REY, "I2")


def test_scores_are_checked_against_the_rubric_the_candidate_was_invited_under() -> None:
    # GIVEN a candidate invited under "clarity", and the interview's rubric since edited
    snapshot = invitation(rubric=[RubricCriterion(criterion_id="clarity", name="Clarity")])
    edited = interview("empathy")
    assert [c.criterion_id for c in review.rubric_of(snapshot, edited)] == ["clarity"]
    review._check_scores(snapshot, edited, {"q1": {"clarity": 4}})
    with pytest.raises(InvalidInput) as caught:
        review._check_scores(snapshot, edited, {"q1": {"empathy": 4}})
    assert caught.value.details[0]["problem"] == "unknown_criterion"
    # an invitation older than snapshots is held to the interview's rubric
    assert [c.criterion_id for c in review.rubric_of(invitation(), edited)] == ["empathy"]
    # an interview invited without a rubric stays without one
    assert review.rubric_of(invitation(rubric=[]), edited) == []


def test_a_private_note_is_shown_to_its_author_only() -> None:
    def written(user_id: str, note: str) -> Review:
        return Review(
            *Review.key("C1", "V1", user_id),
            user_id=user_id,
            reviewer_name=user_id,
            scores={"q1": {"clarity": 3}},
            note=note,
            average=3,
            submitted_at=datetime(2026, 11, 30, tzinfo=UTC),
        )

    shown = views.reviews(review.Reviews(written("u-rey", "mine"), [written("u-sam", "Sam's")]))
    assert shown["my_review"]["note"] == "mine"
    assert [r["reviewer"]["user_id"] for r in shown["reviews"]] == ["u-sam"]
    assert "Sam's" not in str(shown)
