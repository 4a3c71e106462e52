"""Accommodations through the API: asked before starting, decided by an admin, emailed."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.config import reset_settings
from chalicelib.data.models import Invitation
from chalicelib.domain import audit
from tests.drivers.api import Candidate, Http, Team, links_sent_to, sent_emails, sign_up
from tests.drivers.webhooks import Receiver, drain

ASK = "/accommodation-request"


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def candidate_of(team: Team, name: str) -> tuple[str, Candidate]:
    (invitation_id,) = team.invite(name)
    return invitation_id, Candidate(team.http, links_sent_to(f"{name.lower()}@example.com")[0])


def decide(team: Team, invitation_id: str, verb: str, token: str | None = None, **body: Any):
    payload = body if verb == "grant" else None
    return team.http.call(
        "POST",
        f"/invitations/{invitation_id}/accommodation/{verb}",
        payload,
        token=token or team.admin,
    )


def stored(team: Team, invitation_id: str) -> Invitation:
    return Invitation.get(*Invitation.key(team.company_id, invitation_id))


def mail_to(address: str) -> list[dict[str, Any]]:
    return [e for e in sent_emails() if e["to"] == [address]]


def test_a_candidate_asks_before_starting_and_one_request_waits_at_a_time(team: Team) -> None:
    # GIVEN a candidate on the landing page, not started
    _, sam = candidate_of(team, "Sam")
    assert sam.session()["invitation"]["accommodation"] == {"may_request": True, "request": None}
    # WHEN they ask for more time with a note
    status, body = sam.call("POST", ASK, {"kinds": ["more_time"], "note": "  I use a reader. "})
    # THEN the request is pending, and their session says so
    assert status == 201, body
    asked = sam.session()["invitation"]["accommodation"]
    assert asked["may_request"] is False
    assert asked["request"]["status"] == "pending"
    assert asked["request"]["kinds"] == ["more_time"]
    assert asked["request"]["note"] == "I use a reader."
    # AND their "your data" download holds it, note included
    status, data = sam.call("GET", "/data")
    assert status == 200, data
    assert data["accommodation"]["note"] == "I use a reader."
    assert "decided_by" not in data["accommodation"]
    # AND a second request while it waits is refused in words
    status, body = sam.call("POST", ASK, {"kinds": ["later_deadline"]})
    assert status == 409
    assert "already asked" in body["message"]


def test_no_request_once_the_candidate_started_answering(team: Team) -> None:
    _, sam = candidate_of(team, "Sam")
    sam.call("POST", "/consent", {"accepted": True})
    sam.record(sam.question(1))
    status, body = sam.call("POST", ASK, {"kinds": ["more_time"]})
    assert status == 409
    assert "before you start answering" in body["message"]
    assert sam.session()["invitation"]["accommodation"]["may_request"] is False


def test_no_request_once_a_question_was_opened(team: Team) -> None:
    # Reading a question starts its think time: an adjustment asked for after that is too late.
    _, sam = candidate_of(team, "Sam")
    sam.call("POST", "/consent", {"accepted": True})
    assert sam.call("POST", f"/questions/{sam.question(1)}/open")[0] == 200
    assert sam.session()["invitation"]["accommodation"]["may_request"] is False
    status, body = sam.call("POST", ASK, {"kinds": ["more_time"]})
    assert status == 409
    assert "before you start answering" in body["message"]


def test_bad_requests_are_refused_with_the_field_named(team: Team) -> None:
    _, sam = candidate_of(team, "Sam")
    status, body = sam.call("POST", ASK, {"kinds": ["a_robot"]})
    assert status == 422
    assert body["details"][0]["field"].startswith("kinds")
    status, body = sam.call("POST", ASK, {"kinds": []})
    assert status == 422
    status, body = sam.call("POST", ASK, {"kinds": ["more_time"], "note": "x" * 1001})
    assert status == 422
    assert body["details"][0]["field"] == "note"
    status, body = Candidate(team.http, "not-a-token").call("POST", ASK, {"kinds": ["more_time"]})
    assert status == 401


def test_granting_more_time_and_audio_changes_what_the_candidate_sees(team: Team) -> None:
    # GIVEN a candidate who asked for more time and audio instead of video
    invitation_id, sam = candidate_of(team, "Sam")
    before = sam.session()["questions"][0]
    assert (before["answer_type"], before["max_answer_seconds"]) == ("video", 60)
    kinds = ["audio_instead_of_video", "more_time"]
    assert sam.call("POST", ASK, {"kinds": kinds})[0] == 201
    # WHEN an admin grants it in one click
    status, body = decide(team, invitation_id, "grant")
    # THEN the answer reports it granted, with 1.5 times the time
    assert status == 200, body
    assert body["accommodation"]["status"] == "granted"
    assert body["time_multiplier"] == 1.5
    # AND the candidate's session shows longer limits and the video question as audio
    session = sam.session()
    first = session["questions"][0]
    assert session["invitation"]["time_multiplier"] == 1.5
    assert first["answer_type"] == "audio"
    assert (first["think_seconds"], first["max_answer_seconds"]) == (45, 90)
    assert session["questions"][1]["max_answer_seconds"] == 135  # already audio: longer only
    assert session["invitation"]["accommodation"]["request"]["status"] == "granted"
    # AND the interview itself is unchanged for everyone else
    status, interview = team.http.call("GET", f"/interviews/{team.interview_id}", token=team.admin)
    assert interview["questions"][0]["answer_type"] == "video"
    # AND an audio recording of that question is accepted, and stored as audio
    sam.call("POST", "/consent", {"accepted": True})
    status, started = sam.start(first["question_id"], "audio/webm;codecs=opus")
    assert status == 201, started
    # AND the candidate was emailed, with a link that opens their interview
    (answer,) = [e for e in mail_to("sam@example.com") if "adjustment" in e["subject"]]
    assert "granted" in answer["subject"]
    assert "1.5 times the usual time" in answer["body"]
    assert "question 1 with audio only" in answer["body"]
    assert (
        sam.http.call(
            "GET",
            "/candidate/session",
            headers={"X-Invitation-Token": links_sent_to("sam@example.com")[-1]},
        )[0]
        == 200
    )


def test_granting_a_later_deadline_moves_the_deadline_and_the_reminders(team: Team) -> None:
    invitation_id, sam = candidate_of(team, "Sam")
    old = stored(team, invitation_id)
    assert sam.call("POST", ASK, {"kinds": ["later_deadline"]})[0] == 201
    status, body = decide(team, invitation_id, "grant")
    assert status == 200, body
    new = stored(team, invitation_id)
    assert new.deadline == old.deadline + timedelta(days=7)
    assert datetime.fromisoformat(sam.session()["invitation"]["deadline"]) == new.deadline
    # The first reminder is now 48 hours before the new deadline, not the old one.
    assert new.due_at != old.due_at
    assert new.due_at == (new.deadline - timedelta(hours=48)).isoformat()
    assert float(new.time_multiplier) == 1  # only what was asked for changes
    assert "Your deadline is now" in mail_to("sam@example.com")[-1]["body"]


def test_an_admin_may_pick_the_later_deadline(team: Team) -> None:
    invitation_id, sam = candidate_of(team, "Sam")
    old = stored(team, invitation_id).deadline
    assert sam.call("POST", ASK, {"kinds": ["later_deadline"]})[0] == 201
    earlier = (old - timedelta(days=1)).isoformat()
    status, body = decide(team, invitation_id, "grant", deadline=earlier)
    assert status == 422
    assert body["details"][0]["field"] == "deadline"
    chosen = (old + timedelta(days=3)).replace(microsecond=0)
    status, body = decide(team, invitation_id, "grant", deadline=chosen.isoformat())
    assert status == 200, body
    assert stored(team, invitation_id).deadline == chosen


def test_an_admin_picks_the_later_deadline_as_a_date_on_the_candidates_clock(
    team: Team,
) -> None:
    # GIVEN a candidate in UTC who asked for a later deadline
    invitation_id, sam = candidate_of(team, "Sam")
    old = stored(team, invitation_id).deadline
    assert sam.call("POST", ASK, {"kinds": ["later_deadline"]})[0] == 201
    day = (old + timedelta(days=10)).date()
    # WHEN the admin sends both an instant and a date, or a time without its date
    both = {"deadline": (old + timedelta(days=3)).isoformat(), "deadline_date": day.isoformat()}
    status, body = decide(team, invitation_id, "grant", **both)
    assert status == 422
    assert "not both" in body["details"][0]["message"]
    status, body = decide(team, invitation_id, "grant", deadline_time="17:30")
    assert (status, body["details"][0]["field"]) == (422, "deadline_date")
    # THEN nothing was decided; WHEN they pick 17:30 on that day, New York time
    assert sam.session()["invitation"]["accommodation"]["request"]["status"] == "pending"
    chosen = {"deadline_date": day.isoformat(), "deadline_time": "17:30"}
    status, body = decide(team, invitation_id, "grant", **chosen, time_zone="America/New_York")
    # THEN the deadline is that wall-clock time there, and is shown in that zone from now on
    assert status == 200, body
    expected = datetime.combine(day, time(17, 30), ZoneInfo("America/New_York"))
    after = stored(team, invitation_id)
    assert after.deadline == expected
    assert after.time_zone == "America/New_York"
    offset = expected.strftime("%z")
    mail = mail_to("sam@example.com")[-1]["body"]
    assert "Your deadline is now" in mail
    assert "17:30" in mail, mail
    assert f"UTC{offset[:3]}:{offset[3:]}" in mail, mail


def test_declining_leaves_everything_as_it_was_and_tells_the_candidate(team: Team) -> None:
    invitation_id, sam = candidate_of(team, "Sam")
    before = sam.session()
    kinds = ["more_time", "audio_instead_of_video", "later_deadline"]
    assert sam.call("POST", ASK, {"kinds": kinds})[0] == 201
    status, body = decide(team, invitation_id, "decline")
    assert status == 200, body
    after = sam.session()
    assert after["questions"] == before["questions"]
    assert after["invitation"]["deadline"] == before["invitation"]["deadline"]
    assert after["invitation"]["time_multiplier"] == 1
    assert after["invitation"]["accommodation"]["request"]["status"] == "declined"
    last = mail_to("sam@example.com")[-1]
    assert last["subject"].startswith("About the adjustment you asked for")
    assert "could not grant" in last["body"]
    # A decided request cannot be decided again; the candidate may ask anew.
    assert decide(team, invitation_id, "grant")[0] == 409
    assert after["invitation"]["accommodation"]["may_request"] is True


def test_the_team_sees_a_pending_request_and_only_admins_decide(team: Team) -> None:
    invitation_id, sam = candidate_of(team, "Sam")
    assert sam.call("POST", ASK, {"kinds": ["more_time"], "note": "Dyslexia"})[0] == 201
    # The pipeline row and the review page show it to the reviewer too
    (row,) = team.pipeline(team.reviewer)["candidates"]
    assert row["accommodation"]["status"] == "pending"
    _, detail = team.detail(team.reviewer, invitation_id)
    assert detail["invitation"]["accommodation"]["note"] == "Dyslexia"
    # …but a reviewer cannot decide
    assert decide(team, invitation_id, "grant", token=team.reviewer)[0] == 403
    assert decide(team, invitation_id, "decline", token=team.reviewer)[0] == 403
    assert stored(team, invitation_id).accommodation.status == "pending"


def test_another_company_cannot_see_or_decide_a_request(team: Team, http: Http) -> None:
    invitation_id, sam = candidate_of(team, "Sam")
    assert sam.call("POST", ASK, {"kinds": ["more_time"]})[0] == 201
    other = sign_up(http, "eve@other.example.com", "Other")["tokens"]["id_token"]
    status, _ = decide(team, invitation_id, "grant", token=other)
    assert status == 404
    assert decide(team, invitation_id, "decline", token=other)[0] == 404
    assert stored(team, invitation_id).accommodation.status == "pending"
    assert not [e for e in mail_to("sam@example.com") if "adjustment" in e["subject"]]


def test_requests_and_decisions_are_in_the_audit_log(team: Team) -> None:
    invitation_id, sam = candidate_of(team, "Sam")
    assert sam.call("POST", ASK, {"kinds": ["more_time"], "note": "private"})[0] == 201
    assert decide(team, invitation_id, "grant")[0] == 200
    events = [e for e in audit.audit_month(team.company_id, None) if e.target == invitation_id]
    actions = [(e.actor, e.action) for e in events if e.action.startswith("accommodation")]
    admin_id = stored(team, invitation_id).accommodation.decided_by
    assert actions == [
        ("candidate", "accommodation.requested"),
        (admin_id, "accommodation.granted"),
    ]
    assert all("private" not in str(e.detail) for e in events)
    # The console's audit log says it in words
    status, log = team.http.call("GET", "/audit", token=team.admin)
    assert status == 200, log
    said = [e["summary"] for e in log["events"] if e["action"].startswith("accommodation")]
    assert said == [
        "Sam asked for an adjustment (more time, audio or a later deadline)",
        "Ada Admin granted Sam's adjustment",
    ]


def test_requests_per_invitation_are_bounded(team: Team) -> None:
    invitation_id, sam = candidate_of(team, "Sam")
    for _ in range(5):
        assert sam.call("POST", ASK, {"kinds": ["more_time"]})[0] == 201
        assert decide(team, invitation_id, "decline")[0] == 200
    status, body = sam.call("POST", ASK, {"kinds": ["more_time"]})
    assert status == 429
    assert "wait for an answer" in body["message"]


def test_a_subscribed_endpoint_hears_of_the_request_and_the_decision(
    team: Team, api: Any, aws: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an endpoint on this machine subscribed to the accommodation events
    monkeypatch.setenv("ONEWAY_WEBHOOK_ALLOW_PRIVATE", "1")
    reset_settings()
    receiver = Receiver()
    try:
        events = ["accommodation.requested", "accommodation.decided"]
        hook = {"url": receiver.url, "events": events}
        assert team.http.call("POST", "/webhooks", hook, token=team.admin)[0] == 201
        invitation_id, sam = candidate_of(team, "Sam")
        # WHEN the candidate asks and an admin declines
        assert sam.call("POST", ASK, {"kinds": ["later_deadline"], "note": "secret"})[0] == 201
        assert decide(team, invitation_id, "decline")[0] == 200
        assert set(drain(api, aws)) == {"delivered"}
        # THEN both events arrived, with the kinds and the outcome but never the note
        assert receiver.events() == events
        bodies = [json.loads(r["body"]) for r in receiver.received]
        assert [b["data"]["accommodation"] for b in bodies] == [
            {"kinds": ["later_deadline"], "status": "pending"},
            {"kinds": ["later_deadline"], "status": "declined"},
        ]
        assert all(b["data"]["invitation_id"] == invitation_id for b in bodies)
        assert "secret" not in json.dumps(bodies)
    finally:
        receiver.server.shutdown()


def test_an_admin_may_give_more_than_the_usual_extra_time(team: Team) -> None:
    invitation_id, sam = candidate_of(team, "Sam")
    assert sam.call("POST", ASK, {"kinds": ["more_time"]})[0] == 201
    assert decide(team, invitation_id, "grant", time_multiplier=5)[0] == 422
    status, body = decide(team, invitation_id, "grant", time_multiplier=2)
    assert status == 200, body
    first = sam.session()["questions"][0]
    assert (first["think_seconds"], first["max_answer_seconds"]) == (60, 120)
