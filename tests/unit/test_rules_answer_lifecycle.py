"""Answer rules on in-memory answers: which attempt stands, and when a worker's lease holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.data.models import Answer
from chalicelib.domain import answer_lifecycle
from chalicelib.domain.answer_lifecycle import best_attempts
from chalicelib.domain.answer_states import KEPT, AnswerStatus
from infra import resources


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


# The worker's lease: when a redelivered message may take a processing answer over.


def claimed(lease_until: datetime | None, status: str = "processing") -> Answer:
    answer = attempt("q1", 1, status)
    answer.lease_id = "worker-1"
    answer.lease_until = lease_until
    return answer


NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_a_redelivery_never_takes_over_an_answer_whose_worker_may_still_run() -> None:
    # GIVEN a worker claimed the answer a minute ago: its lease runs for another ~14 minutes
    answer = claimed(NOW - timedelta(minutes=1) + answer_lifecycle.LEASE)
    # WHEN SQS redelivers the message
    # THEN the claim is refused with the lease's end, so the message is retried later
    with pytest.raises(answer_lifecycle.LeaseHeld) as held:
        answer_lifecycle.start_processing(answer, redelivery=True, now=NOW)
    assert held.value.lease_until == answer.lease_until
    assert (answer.status, answer.lease_id) == ("processing", "worker-1")


def test_a_lease_lasts_until_its_end_and_not_a_moment_longer() -> None:
    end = NOW + timedelta(seconds=1)
    assert not answer_lifecycle.lease_expired(claimed(end), NOW)
    assert answer_lifecycle.lease_expired(claimed(end), end)
    # a claim made before leases existed has none: its worker is long gone
    assert answer_lifecycle.lease_expired(claimed(None), NOW)


def test_a_first_delivery_never_takes_over_an_answer_already_processing() -> None:
    # GIVEN an answer a worker claimed an hour ago
    answer = claimed(NOW - timedelta(hours=1))
    # WHEN a second first-delivery arrives (S3 may notify twice for one upload)
    # THEN it is a duplicate: nothing is claimed and the first worker keeps the answer
    assert answer_lifecycle.start_processing(answer, False, NOW) is False
    assert (answer.status, answer.lease_id) == ("processing", "worker-1")


@pytest.mark.parametrize("status", ["ready", "failed", "released", "recording"])
def test_an_answer_outside_uploaded_or_processing_is_never_claimed(status: str) -> None:
    # GIVEN an answer that settled (or never finished uploading)
    answer = claimed(None, status)
    # WHEN a redelivered message asks to process it
    # THEN it is left exactly as it was
    assert answer_lifecycle.start_processing(answer, True, NOW) is False
    assert answer.status == status


def test_the_lease_outlasts_the_worker_and_ends_before_sqs_redelivers() -> None:
    timeout = timedelta(seconds=answer_lifecycle.WORKER_TIMEOUT_SECONDS)
    visibility = timedelta(seconds=resources.UPLOAD_VISIBILITY_SECONDS)
    assert timeout < answer_lifecycle.LEASE < visibility
    assert resources.WORKER_TIMEOUT_SECONDS == answer_lifecycle.WORKER_TIMEOUT_SECONDS
    assert resources.MAX_RECEIVES_BEFORE_DLQ == answer_lifecycle.MAX_RECEIVES


def test_the_sweep_calls_an_answer_stuck_only_after_every_redelivery_could_have_run() -> None:
    visibility = timedelta(seconds=answer_lifecycle.UPLOAD_VISIBILITY_SECONDS)
    last_redelivery = visibility * (answer_lifecycle.MAX_RECEIVES - 1)
    assert last_redelivery + answer_lifecycle.LEASE <= answer_lifecycle.STUCK_AFTER


def test_where_workers_are_redelivered_sooner_the_lease_is_set_shorter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WORKER_LEASE_SECONDS", raising=False)
    assert answer_lifecycle.lease_length() == answer_lifecycle.LEASE
    monkeypatch.setenv("WORKER_LEASE_SECONDS", "5")
    assert answer_lifecycle.lease_length() == timedelta(seconds=5)
