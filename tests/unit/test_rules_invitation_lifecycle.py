"""The invitation's guard rules: which state each transition may leave, and what is refused.

Pure rules and in-memory invitations; refusals happen before any write, so none of these
tests needs a table. The transitions' writes are tested through HTTP in tests/integration.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.data.models import Invitation
from chalicelib.domain import activity
from chalicelib.domain import invitation_lifecycle as lifecycle
from chalicelib.domain.errors import Conflict
from chalicelib.domain.invitation_lifecycle import CLOSED, LIVE, TRANSITIONS, Status

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def invitation(status: str, **fields: object) -> Invitation:
    return Invitation(
        *Invitation.key("C1", "V1"), status=status, deadline=NOW + timedelta(days=3), **fields
    )


def test_every_state_is_live_or_closed_never_both() -> None:
    assert set(LIVE) | set(CLOSED) == set(Status)
    assert not set(LIVE) & set(CLOSED)
    assert Status.INVITED == "invited"  # stored and compared as the plain string


def test_every_state_has_its_funnel_counter() -> None:
    # activity sits below the lifecycle (which bumps it), so it names the counters itself
    assert set(activity.COUNTERS) == set(Status)


@pytest.mark.parametrize(
    ("transition", "allowed"),
    [
        ("open", {"invited"}),
        ("start", {"invited", "opened", "started"}),
        ("complete", {"invited", "opened", "started"}),
        ("expire", {"invited", "opened", "started"}),
        ("revoke", {"invited", "opened", "started", "expired"}),
        ("extend", {"invited", "opened", "started", "expired"}),
        ("reopen", {"expired"}),
        ("ask_again", {"completed", "invited", "opened", "started"}),
    ],
)
def test_each_transition_leaves_only_its_source_states(transition: str, allowed: set) -> None:
    # GIVEN an invitation in each state
    for status in Status:
        # THEN the transition may leave it exactly when it is one of its source states
        assert lifecycle.may(transition, status) is (status in allowed), (transition, status)
    # AND the update's condition names the same states, no more
    condition = str(lifecycle.condition(transition))
    assert {s for s in Status if f"'{s}'" in condition} == allowed


def test_revoked_is_final_and_only_a_failed_answer_reopens_a_completed_interview() -> None:
    assert [t for t, sources in TRANSITIONS.items() if Status.REVOKED in sources] == []
    assert [t for t, sources in TRANSITIONS.items() if Status.COMPLETED in sources] == ["ask_again"]


@pytest.mark.parametrize("status", ["invited", "opened", "started", "expired"])
def test_a_recruiter_may_change_a_live_or_expired_invitation(status: str) -> None:
    lifecycle.ensure_changeable(invitation(status))


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("revoked", "This invitation was revoked."),
        ("completed", "This candidate has already completed the interview."),
    ],
)
def test_a_recruiter_may_not_change_a_revoked_or_completed_invitation(
    status: str, message: str
) -> None:
    with pytest.raises(Conflict, match=message):
        lifecycle.ensure_changeable(invitation(status))
    # extending refuses the same way, before writing anything
    with pytest.raises(Conflict, match=message):
        lifecycle.extend(invitation(status), 3, NOW)


def test_a_completed_interview_cannot_be_revoked() -> None:
    with pytest.raises(Conflict, match="already completed"):
        lifecycle.revoke(invitation("completed"), NOW)


def test_revoking_twice_changes_nothing() -> None:
    already = invitation("revoked", revoked=True)
    assert lifecycle.revoke(already, NOW) is already


@pytest.mark.parametrize("status", ["opened", "started", "completed", "expired", "revoked"])
def test_only_the_first_open_moves_the_invitation(status: str) -> None:
    item = invitation(status)
    assert lifecycle.open(item, NOW) is False
    assert item.status == status
    assert item.opened_at is None


def test_an_expired_invitation_reopens_where_the_candidate_left_it() -> None:
    # GIVEN an expired invitation the candidate never started, and one they had started
    never = invitation("expired")
    started = invitation("expired", started_at=NOW - timedelta(days=1))
    # WHEN its deadline is extended
    # THEN the first goes back to invited, the second to started
    assert lifecycle.reopened_status(never) == Status.INVITED
    assert lifecycle.reopened_status(started) == Status.STARTED
    (action,) = lifecycle.reopen_actions(started)
    assert str(action).startswith("status = ")
    assert "'started'" in str(action)


@pytest.mark.parametrize("status", ["invited", "opened", "started"])
def test_extending_a_live_invitation_keeps_its_state(status: str) -> None:
    assert lifecycle.reopen_actions(invitation(status)) == []
