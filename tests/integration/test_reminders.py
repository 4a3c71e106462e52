"""The scheduled sweep with a moved clock: reminders once, deadlines expire, daily digests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.data.models import Invitation, utcnow
from chalicelib.domain import reminders, retention
from chalicelib.domain import sweep as scheduled_sweep
from chalicelib.domain.digest import next_digest_time
from tests.drivers.api import Candidate, Http, Team, links_sent_to, sent_emails, session


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def invitation(team: Team, invitation_id: str) -> Invitation:
    return Invitation.get(*Invitation.key(team.company_id, invitation_id))


def mail_to(address: str, subject_part: str = "") -> list[dict[str, Any]]:
    return [e for e in sent_emails() if e["to"] == [address] and subject_part in e["subject"]]


def sweep(at: datetime) -> dict[str, Any]:
    return scheduled_sweep.sweep(at, source="test")


def test_reminders_go_out_once_48_and_4_hours_before_the_deadline(team: Team) -> None:
    # GIVEN an invited candidate (deadline in 5 days, default reminders at 48 h and 4 h)
    (sam,) = team.invite("Sam")
    deadline = invitation(team, sam).deadline
    # WHEN sweeps run before, at and after the first reminder time
    assert sweep(deadline - timedelta(hours=49))["reminders_sent"] == 0
    assert sweep(deadline - timedelta(hours=47))["reminders_sent"] == 1
    assert sweep(deadline - timedelta(hours=46))["reminders_sent"] == 0
    assert sweep(deadline - timedelta(hours=3, minutes=45))["reminders_sent"] == 1
    assert sweep(deadline - timedelta(hours=3))["reminders_sent"] == 0
    # THEN Sam got exactly two reminders, and the link in each opens the interview
    sent = mail_to("sam@example.com", "Reminder")
    assert [e["subject"].split(":")[0] for e in sent] == ["Reminder", "Reminder"]
    assert "47 hours left" in sent[0]["subject"]
    links = links_sent_to("sam@example.com")
    assert len(links) == 3  # the invitation and the two reminders
    assert all(session(team.http, link)[0] == 200 for link in links)
    assert "view=privacy" in sent[1]["body"]


def test_two_overlapping_sweeps_send_a_reminder_once(team: Team) -> None:
    # GIVEN two sweeps that read the same due invitation
    (sam,) = team.invite("Sam")
    at = invitation(team, sam).deadline - timedelta(hours=47)
    seen_by_first = invitation(team, sam)
    # WHEN the second finishes first, then the first acts on what it read
    assert sweep(at)["reminders_sent"] == 1
    assert scheduled_sweep._handle_invitation(seen_by_first, at) is None
    # THEN one reminder went out
    assert len(mail_to("sam@example.com", "Reminder")) == 1


def test_after_missed_sweeps_only_the_latest_reminder_goes_out(team: Team) -> None:
    (sam,) = team.invite("Sam")
    deadline = invitation(team, sam).deadline
    assert sweep(deadline - timedelta(hours=2))["reminders_sent"] == 1
    assert sweep(deadline - timedelta(hours=1))["reminders_sent"] == 0
    (reminder,) = mail_to("sam@example.com", "Reminder")
    assert "2 hours left" in reminder["subject"]


def test_no_reminder_to_completed_or_revoked_candidates(team: Team) -> None:
    # GIVEN one candidate who completed, one revoked and one still to answer
    done, gone, live = team.invite("Cai", "Rev", "Liv")
    team.complete("Cai")
    status, _ = team.http.call("POST", f"/invitations/{gone}/revoke", token=team.admin)
    assert status == 200
    deadline = invitation(team, live).deadline
    # WHEN the reminder sweep runs
    result = sweep(deadline - timedelta(hours=47))
    # THEN only the live candidate is reminded, and none leaves the others in the bucket
    assert result["reminders_sent"] == 1
    assert mail_to("liv@example.com", "Reminder")
    assert not mail_to("cai@example.com", "Reminder")
    assert not mail_to("rev@example.com", "Reminder")
    assert invitation(team, done).due_bucket == retention.RETENTION_BUCKET
    assert invitation(team, gone).due_bucket == retention.RETENTION_BUCKET
    # AND nothing is reminded or expired at the deadline but the live candidate
    result = sweep(deadline + timedelta(minutes=1))
    assert result["expired"] == 1
    assert invitation(team, done).status == "completed"
    assert invitation(team, gone).status == "revoked"


def test_an_invitation_expires_at_its_deadline_and_extending_reschedules_it(team: Team) -> None:
    # GIVEN an invited candidate whose deadline has passed
    (sam,) = team.invite("Sam")
    link = links_sent_to("sam@example.com")[0]
    deadline = invitation(team, sam).deadline
    # WHEN the sweep runs after the deadline (twice)
    assert sweep(deadline + timedelta(minutes=5))["expired"] == 1
    assert sweep(deadline + timedelta(minutes=20))["expired"] == 0
    # THEN the invitation is expired, counted once, and its link says so
    assert invitation(team, sam).status == "expired"
    status, body = team.http.call(
        "GET", f"/interviews/{team.interview_id}/analytics", token=team.admin
    )
    assert status == 200, body
    assert session(team.http, link)[0] == 410
    # AND no reminder went out for the reminders the past deadline made pointless
    assert not mail_to("sam@example.com", "Reminder")
    # WHEN an admin extends it, it is live again and reminded before the new deadline
    status, body = team.http.call(
        "POST", f"/invitations/{sam}/extend", {"days": 3}, token=team.admin
    )
    assert status == 200, body
    extended = invitation(team, sam)
    assert extended.status == "invited"
    assert extended.due_bucket == reminders.INVITATION_BUCKET
    assert sweep(extended.deadline - timedelta(hours=47))["reminders_sent"] == 1


def test_reminder_hours_are_set_per_interview(team: Team) -> None:
    status, body = team.http.call(
        "PUT",
        f"/interviews/{team.interview_id}/follow-up",
        {"reminder_hours": [24]},
        token=team.admin,
    )
    assert status == 200, body
    assert body["reminder_hours"] == [24]
    (sam,) = team.invite("Sam")
    deadline = invitation(team, sam).deadline
    assert sweep(deadline - timedelta(hours=47))["reminders_sent"] == 0
    assert sweep(deadline - timedelta(hours=23))["reminders_sent"] == 1
    assert sweep(deadline - timedelta(hours=3))["reminders_sent"] == 0
    # A reviewer may not change them
    status, _ = team.http.call(
        "PUT",
        f"/interviews/{team.interview_id}/follow-up",
        {"reminder_hours": [1]},
        token=team.reviewer,
    )
    assert status == 403


def test_recruiters_get_one_daily_digest_of_completed_interviews(team: Team) -> None:
    # GIVEN two candidates who completed today
    team.invite("Cai", "Dee")
    team.complete("Cai")
    team.complete("Dee")
    now = utcnow()
    digest_time = next_digest_time(now)
    # WHEN sweeps run before and at the digest hour, then again
    assert sweep(digest_time - timedelta(minutes=15))["digests_sent"] == 0
    assert sweep(digest_time + timedelta(minutes=1))["digests_sent"] == 1
    assert sweep(digest_time + timedelta(minutes=16))["digests_sent"] == 0
    # THEN the admin and the reviewer each got one digest naming both candidates
    for address in ("ada@acme.example.com", "rey@acme.example.com"):
        (digest,) = mail_to(address, "completed")
        assert digest["subject"] == "2 interviews completed at Acme"
        assert "Cai" in digest["body"]
        assert "Dee" in digest["body"]
    # AND a later completion goes in the next digest, alone
    team.invite("Eve")
    team.complete("Eve")
    assert sweep(digest_time + timedelta(days=1, minutes=1))["digests_sent"] == 1
    latest = mail_to("ada@acme.example.com", "completed")[-1]
    assert latest["subject"] == "1 interview completed at Acme"
    assert "Cai" not in latest["body"]


def test_the_schedule_runs_the_same_sweep(api: Any, team: Team) -> None:
    event = api.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[]
    )
    result = api.lambda_.invoke("reminder_sweep", event).payload
    assert {"reminders_sent", "expired", "stuck_answers_failed", "digests_sent"} <= set(result)


def test_a_reminder_link_stops_working_when_the_invitation_is_revoked(team: Team) -> None:
    (sam,) = team.invite("Sam")
    sweep(invitation(team, sam).deadline - timedelta(hours=47))
    reminder_link = links_sent_to("sam@example.com")[-1]
    assert Candidate(team.http, reminder_link).call("GET", "/session")[0] == 200
    team.http.call("POST", f"/invitations/{sam}/revoke", token=team.admin)
    assert Candidate(team.http, reminder_link).call("GET", "/session")[0] == 410


def test_each_reminder_carries_the_link_the_candidate_already_has(team: Team) -> None:
    # GIVEN an invited candidate reminded by the sweep
    (sam,) = team.invite("Sam")
    deadline = invitation(team, sam).deadline
    sweep(deadline - timedelta(hours=47))
    # THEN the reminder's link is the first email's link
    first, reminded = links_sent_to("sam@example.com")
    assert reminded == first
    # WHEN the recruiter sends a new link (the first was forwarded) and the next reminder runs
    assert team.http.call("POST", f"/invitations/{sam}/new-link", token=team.admin)[0] == 200
    sweep(deadline - timedelta(hours=3, minutes=45))
    *_, replacement, last_reminder = links_sent_to("sam@example.com")
    # THEN that reminder carries the new link, and the earlier reminder's link is replaced
    assert last_reminder == replacement != first
    assert session(team.http, last_reminder)[0] == 200
    status, refused = session(team.http, reminded)
    assert (status, refused["error"]) == (401, "link_replaced")
    assert refused["details"][0]["masked_email"] == "s***@e***.com"


def test_the_booking_link_reaches_the_done_page_and_the_advance_email(team: Team) -> None:
    # GIVEN an interview with a "book a live conversation" link
    url = "https://cal.example.com/acme/30min"
    status, body = team.http.call(
        "PUT",
        f"/interviews/{team.interview_id}/follow-up",
        {"reminder_hours": [48, 4], "booking_url": url},
        token=team.admin,
    )
    assert (status, body["booking_url"]) == (200, url)
    (sam,) = team.invite("Sam")
    # WHEN the candidate completes, THEN the done page carries it
    candidate = team.complete("Sam")
    assert candidate.session()["interview"]["booking_url"] == url
    # AND the advance email carries it too
    status, body = team.http.call(
        "POST",
        f"/invitations/{sam}/stage",
        {"stage": "advanced", "notify": True},
        token=team.admin,
    )
    assert status == 200, body
    (advance,) = mail_to("sam@example.com", "Next steps")
    assert url in advance["body"]
    # A plain http link is refused
    status, _ = team.http.call(
        "PUT",
        f"/interviews/{team.interview_id}/follow-up",
        {"booking_url": "http://cal.example.com"},
        token=team.admin,
    )
    assert status == 422
