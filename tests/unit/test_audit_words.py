"""Audit events in words, from names already looked up: no I/O."""

from __future__ import annotations

from typing import Any

from chalicelib.data.models import AuditEvent, new_id, utcnow
from chalicelib.domain.audit_words import Names, describe

NAMES = Names(
    people={"u-ana": "Ana Silva", "u-rey": "Rey"},
    candidates={f"i{n}": f"Person {n}" for n in range(1, 6)},
    interviews={"iv1": "Backend engineer"},
)


def event(action: str, target: str, actor: str = "u-ana", **detail: Any) -> AuditEvent:
    return AuditEvent(
        *AuditEvent.key("c1", utcnow(), new_id()),
        company_id="c1",
        actor=actor,
        action=action,
        target=target,
        detail=detail or None,
    )


def test_an_invitation_names_its_candidates_and_shortens_a_long_list() -> None:
    action = "POST /interviews/{interview_id}/invitations"
    one = event(action, "iv1", invitations=["i1"])
    three = event(action, "iv1", invitations=["i1", "i2", "i3"])
    five = event(action, "iv1", invitations=["i1", "i2", "i3", "i4", "i5"])
    assert describe(one, NAMES) == "Ana Silva invited Person 1 to Backend engineer"
    assert (
        describe(three, NAMES)
        == "Ana Silva invited Person 1, Person 2 and Person 3 to Backend engineer"
    )
    assert (
        describe(five, NAMES)
        == "Ana Silva invited Person 1, Person 2 and 3 others to Backend engineer"
    )


def test_details_become_words() -> None:
    moved = event("candidate.stage_changed", "i1", stage="advanced", notified=True)
    assert describe(moved, NAMES) == "Ana Silva moved Person 1 to advanced and emailed them"
    role = event("team.role_changed", "u-rey", role="admin")
    assert describe(role, NAMES) == "Ana Silva made Rey an admin"
    kept = event("company.retention_set", "c1", days=1)
    assert describe(kept, NAMES) == "Ana Silva set retention to 1 day"
    purged = event("candidate.deleted", "i9", actor="system", reason="retention")
    assert describe(purged, NAMES) == (
        "Oneway deleted a candidate and their data (retention period over)"
    )


def test_who_acted_when_it_was_not_a_team_member() -> None:
    assert describe(event("candidate.data_downloaded", "i2", actor="candidate"), NAMES) == (
        "Person 2 downloaded their data"
    )
    viewed = event("candidate.viewed", "i1", actor="share:s1")
    assert describe(viewed, NAMES) == "Someone with a share link watched Person 1's answers"
    gone = event("webhook.deleted", "w1", actor="u-left")
    assert describe(gone, NAMES) == "A former team member deleted a webhook"
    assert describe(event("invitation.expired", "i3", actor="system"), NAMES) == (
        "Person 3's invitation expired"
    )
