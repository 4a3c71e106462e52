"""When reminders fall due: `reminders.next_due`, `due_now` and the actions that move `due_at`.

All on in-memory invitations; the sweep that claims and sends them is tested against the
table in tests/integration/test_reminders.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.data.models import Invitation
from chalicelib.domain import digest, reminders
from chalicelib.domain.digest import next_digest_time

DEADLINE = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)


def invitation(hours: list[int] | None = None, sent: list[str] | None = None) -> Invitation:
    item = Invitation(*Invitation.key("C1", "V1"), deadline=DEADLINE)
    item.reminder_hours = hours
    item.reminders_sent = sent or []
    return item


def sets(actions: list[Any]) -> dict[str, str]:
    """`path = value` of each SET action, `path` alone for a REMOVE."""
    out = {}
    for action in actions:
        path, _, value = str(action).partition(" = ")
        out[path] = value
    return out


def test_by_default_reminders_go_48_and_4_hours_before_the_deadline() -> None:
    assert reminders.hours_of(invitation()) == [48, 4]
    # an interview's own hours, latest first and without repeats
    assert reminders.hours_of(invitation([4, 24, 4])) == [24, 4]
    # no reminders at all is a choice too
    assert reminders.hours_of(invitation([])) == []


def test_the_next_event_is_the_earliest_reminder_still_ahead() -> None:
    # GIVEN an invitation seven days before its deadline
    now = DEADLINE - timedelta(days=7)
    # THEN it is due at the 48-hour reminder
    assert reminders.next_due(invitation(), DEADLINE, now) == DEADLINE - timedelta(hours=48)
    # AND once that time has passed, at the 4-hour one
    later = DEADLINE - timedelta(hours=47)
    assert reminders.next_due(invitation(), DEADLINE, later) == DEADLINE - timedelta(hours=4)


def test_with_every_reminder_sent_or_past_the_next_event_is_the_deadline() -> None:
    sent = [f"48h@{DEADLINE.isoformat()}", f"4h@{DEADLINE.isoformat()}"]
    assert reminders.next_due(invitation(sent=sent), DEADLINE, DEADLINE - timedelta(days=7)) == (
        DEADLINE
    )
    assert reminders.next_due(invitation(), DEADLINE, DEADLINE - timedelta(hours=1)) == DEADLINE
    assert reminders.next_due(invitation([]), DEADLINE, DEADLINE - timedelta(days=7)) == DEADLINE


def test_a_reminder_sent_for_an_earlier_deadline_is_earned_again_after_an_extension() -> None:
    # GIVEN the 48-hour reminder went out before the first deadline
    sent = [f"48h@{DEADLINE.isoformat()}"]
    extended = DEADLINE + timedelta(days=3)
    # WHEN the deadline moves three days on
    due = reminders.next_due(invitation(sent=sent), extended, DEADLINE - timedelta(hours=1))
    # THEN the 48-hour reminder before the new deadline is due again
    assert due == extended - timedelta(hours=48)


def test_due_now_lists_every_unsent_reminder_whose_time_has_come() -> None:
    assert reminders.due_now(invitation(), DEADLINE - timedelta(hours=49)) == []
    assert reminders.due_now(invitation(), DEADLINE - timedelta(hours=47)) == [48]
    # a missed sweep: both are due at once
    assert sorted(reminders.due_now(invitation(), DEADLINE - timedelta(hours=3))) == [4, 48]
    # one already sent is not due again
    sent = [f"48h@{DEADLINE.isoformat()}"]
    assert reminders.due_now(invitation(sent=sent), DEADLINE - timedelta(hours=3)) == [4]


def test_sending_marks_every_due_reminder_and_moves_due_at_to_the_next_event() -> None:
    # GIVEN a sweep that missed the 48-hour reminder and finds both due
    now = DEADLINE - timedelta(hours=3)
    item = invitation([48, 24, 4])
    # WHEN it claims them
    actions = sets(reminders.sent_actions(item, [48, 24, 4], now))
    # THEN all three count as sent for this deadline and the next event is the deadline
    for hours in (48, 24, 4):
        assert f"{hours}h@{DEADLINE.isoformat()}" in actions["reminders_sent"]
    assert DEADLINE.isoformat() in actions["due_at"]


def test_sending_one_keeps_the_later_reminders_due() -> None:
    now = DEADLINE - timedelta(hours=47)
    actions = sets(reminders.sent_actions(invitation(), [48], now))
    assert (DEADLINE - timedelta(hours=4)).isoformat() in actions["due_at"]


def test_a_new_invitation_is_scheduled_in_the_reminder_bucket() -> None:
    item = invitation()
    reminders.schedule(item, [72, 2], DEADLINE - timedelta(days=5))
    assert item.reminder_hours == [72, 2]
    assert item.due_bucket == reminders.INVITATION_BUCKET
    assert item.due_at == (DEADLINE - timedelta(hours=72)).isoformat()


def test_the_interview_default_leaves_the_invitation_on_the_default_hours() -> None:
    item = invitation()
    reminders.schedule(item, None, DEADLINE - timedelta(days=5))
    assert item.reminder_hours is None
    assert item.due_at == (DEADLINE - timedelta(hours=48)).isoformat()


def test_an_extension_puts_the_invitation_back_on_the_new_deadlines_schedule() -> None:
    # GIVEN an invitation past its deadline, waiting for retention (TTL set)
    extended = DEADLINE + timedelta(days=7)
    # WHEN its deadline moves a week on
    actions = sets(reminders.due_actions(invitation(), extended, DEADLINE + timedelta(hours=1)))
    # THEN it is back in the reminder bucket, due at the new 48-hour reminder, without a TTL
    assert reminders.INVITATION_BUCKET in actions["due_bucket"]
    assert (extended - timedelta(hours=48)).isoformat() in actions["due_at"]
    assert "expires_at" in actions
    assert actions["expires_at"] == ""  # a REMOVE


def test_the_digest_goes_out_at_the_next_digest_hour() -> None:
    morning = datetime(2026, 11, 30, 7, 59, tzinfo=UTC)
    assert next_digest_time(morning) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    # at or after the hour: tomorrow's
    assert next_digest_time(morning.replace(hour=8, minute=0)) == datetime(
        2026, 12, 1, 8, 0, tzinfo=UTC
    )
    assert next_digest_time(morning.replace(hour=23)) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_a_completion_is_filed_under_the_day_its_digest_goes_out_and_kept_two_days_after() -> None:
    # GIVEN completions a minute before and at the digest hour
    before = datetime(2026, 11, 30, 7, 59, tzinfo=UTC)
    item = Invitation(
        *Invitation.key("C1", "V1"),
        company_id="C1",
        invitation_id="V1",
        interview_id="I1",
        title="Support",
        candidate_name="Ann",
    )
    # THEN each is an entry of its own under that day's digest, in completion order
    early, late = digest.entry(item, before), digest.entry(item, before + timedelta(minutes=1))
    assert early.pk == "C#C1#DIGEST#2026-11-30"
    assert late.pk == "C#C1#DIGEST#2026-12-01"
    assert early.sk == "ENTRY#2026-11-30T07:59:00+00:00#V1"
    # AND DynamoDB's TTL removes it two days after its digest hour
    assert early.expires_at == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
