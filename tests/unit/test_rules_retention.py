"""When a closed candidate is deleted: `retention._purge_at` and the closing actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.data.models import Invitation
from chalicelib.domain import retention

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def invitation(**fields: datetime) -> Invitation:
    return Invitation(*Invitation.key("C1", "V1"), **fields)


def test_an_open_invitation_has_no_purge_date() -> None:
    assert retention._purge_at(invitation(), 30) is None


def test_retention_counts_from_the_close() -> None:
    closed = NOW - timedelta(days=3)
    assert retention._purge_at(invitation(closed_at=closed), 30) == closed + timedelta(days=30)


def test_a_decision_after_the_close_starts_the_retention_again() -> None:
    # GIVEN a candidate who completed on day 0 and was rejected on day 10
    closed, decided = NOW, NOW + timedelta(days=10)
    # WHEN the purge date is computed with 30 days' retention
    purge_at = retention._purge_at(invitation(closed_at=closed, decided_at=decided), 30)
    # THEN it is 30 days after the decision, the later of the two
    assert purge_at == decided + timedelta(days=30)


def test_a_decision_before_the_close_does_not_shorten_retention() -> None:
    decided, closed = NOW, NOW + timedelta(days=5)
    purge_at = retention._purge_at(invitation(closed_at=closed, decided_at=decided), 30)
    assert purge_at == closed + timedelta(days=30)


def test_a_deletion_request_wins_over_any_retention() -> None:
    asked = NOW + timedelta(hours=1)
    item = invitation(closed_at=NOW, decided_at=NOW, deletion_requested_at=asked)
    assert retention._purge_at(item, 365) == asked
    # even before the invitation closed
    assert retention._purge_at(invitation(deletion_requested_at=asked), 365) == asked


def test_zero_days_purges_at_the_close() -> None:
    assert retention._purge_at(invitation(closed_at=NOW), 0) == NOW


def test_closing_moves_the_invitation_to_the_retention_bucket_due_a_day_later() -> None:
    actions = {str(a).split(" = ")[0]: str(a) for a in retention.closed_actions(invitation(), NOW)}
    assert set(actions) == {"closed_at", "due_bucket", "due_at"}
    assert retention.RETENTION_BUCKET in actions["due_bucket"]
    assert (NOW + timedelta(days=1)).isoformat() in actions["due_at"]
