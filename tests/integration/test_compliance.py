"""Audit log, retention, a candidate's own data and deletion, admin deletion, company export."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import AttemptLocation
from chalicelib.data.models import Answer, EmailClaim, Invitation, invitation_pk, utcnow
from chalicelib.domain import answer_lifecycle, sweep
from tests.drivers.api import Candidate, Http, Team, job, run_jobs, sent_emails, sign_up


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def make_playable(company_id: str, invitation_id: str) -> str:
    """Do what the media worker does for the candidate's first recorded answer."""
    answer = next(
        a
        for a in Answer.query(invitation_pk(company_id, invitation_id))
        if isinstance(a, Answer) and a.answer_type == "video"
    )
    assert answer_lifecycle.start_processing(answer, False)
    where = AttemptLocation(company_id, answer.interview_id, invitation_id, answer.question_id, 1)
    key = where.media_prefix + "a.mp4"
    client("s3").put_object(Bucket=os.environ["MEDIA_BUCKET"], Key=key, Body=b"mp4")
    facts = answer_lifecycle.MediaFacts(key, None, 3.0, 640, 480, "h264", "aac", 3)
    assert answer_lifecycle.mark_ready(answer, facts)
    return key


def objects_of(company_id: str, invitation_id: str) -> list[str]:
    s3 = client("s3")
    found = []
    for top in ("raw", "media"):
        listing = s3.list_objects_v2(
            Bucket=os.environ["MEDIA_BUCKET"], Prefix=f"{top}/{company_id}/"
        ).get("Contents", [])
        found += [o["Key"] for o in listing if f"/{invitation_id}/" in o["Key"]]
    return found


def get_invitation(team: Team, invitation_id: str) -> Invitation | None:
    try:
        return Invitation.get(*Invitation.key(team.company_id, invitation_id))
    except Invitation.DoesNotExist:
        return None


def audit_actions(team: Team) -> list[dict[str, Any]]:
    status, body = team.http.call("GET", "/audit?limit=100", token=team.admin)
    assert status == 200, body
    return body["events"]


def test_every_change_and_every_media_view_is_audited_and_exports_as_csv(
    team: Team, api: Any
) -> None:
    # GIVEN a candidate invited, extended, completed and viewed by the reviewer
    (sam,) = team.invite("Sam")
    team.http.call("POST", f"/invitations/{sam}/extend", {"days": 2}, token=team.admin)
    team.complete("Sam")
    assert team.detail(team.reviewer, sam)[0] == 200
    # WHEN an admin reads this month's audit log
    events = audit_actions(team)
    # THEN it says who did what to which candidate, and who saw the media
    done = {(e["action"], e["target"]) for e in events}
    assert ("POST /invitations/{invitation_id}/extend", sam) in done
    assert ("POST /interviews/{interview_id}/invitations", team.interview_id) in done
    assert ("candidate.viewed", sam) in done
    viewed = next(e for e in events if e["action"] == "candidate.viewed")
    assert viewed["actor"] != "candidate"
    assert viewed["at"] <= utcnow().isoformat()
    # AND the same month downloads as CSV
    response = api.http.get("/audit/export", headers={"Authorization": f"Bearer {team.admin}"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert {"candidate.viewed", "POST /invitations/{invitation_id}/extend"} <= {
        r["action"] for r in rows
    }
    # AND reviewers may not read it; a malformed month is named
    assert team.http.call("GET", "/audit", token=team.reviewer)[0] == 403
    status, body = team.http.call("GET", "/audit?month=2026-13", token=team.admin)
    assert (status, body["details"][0]["field"]) == (422, "month")


def test_every_candidate_email_links_to_their_data(team: Team) -> None:
    team.invite("Sam")
    (invitation_email,) = [e for e in sent_emails() if e["to"] == ["sam@example.com"]]
    assert "view=privacy" in invitation_email["body"]
    assert "within 24 hours" in invitation_email["body"]


def test_a_candidate_downloads_their_own_data_with_media_links(team: Team) -> None:
    (sam,) = team.invite("Sam")
    candidate = team.complete("Sam")
    make_playable(team.company_id, sam)
    status, data = candidate.call("GET", "/data")
    assert status == 200, data
    assert data["candidate"] == {"name": "Sam", "email": "sam@example.com"}
    assert data["invitation"]["status"] == "completed"
    assert len(data["answers"]) == 3
    assert any(a["media_url"] and "a.mp4" in a["media_url"] for a in data["answers"])
    assert any(a["text"] == "Lists" for a in data["answers"])
    # An unknown token sees nothing
    assert Candidate(team.http, "nope" * 10).call("GET", "/data")[0] == 401


def test_a_deletion_request_is_honoured_by_the_next_sweep(team: Team) -> None:
    # GIVEN a candidate with recorded, playable answers
    (sam,) = team.invite("Sam")
    candidate = team.complete("Sam")
    make_playable(team.company_id, sam)
    assert objects_of(team.company_id, sam)
    # WHEN they ask for deletion (twice: the same answer)
    status, first = candidate.call("POST", "/deletion-request")
    assert status == 202, first
    status, again = candidate.call("POST", "/deletion-request")
    assert again == first
    assert first["deleted_by"] <= (utcnow() + timedelta(hours=24)).isoformat()
    # AND the sweep runs
    assert sweep.sweep(utcnow(), "test")["candidates_purged"] == 1
    # THEN media, answers, reviews, the email claim and the invitation are gone
    assert objects_of(team.company_id, sam) == []
    assert list(Answer.query(invitation_pk(team.company_id, sam))) == []
    assert get_invitation(team, sam) is None
    claim_key = EmailClaim.key(team.company_id, team.interview_id, "sam@example.com")
    assert EmailClaim.count(claim_key[0], EmailClaim.sk == claim_key[1]) == 0
    assert candidate.call("GET", "/session")[0] == 401
    # AND the audit log keeps that it happened (with no personal data)
    actions = {e["action"] for e in audit_actions(team)}
    assert {"candidate.deletion_requested", "candidate.deleted"} <= actions
    assert "sam@example.com" not in str(audit_actions(team))


def test_retention_deletes_a_candidate_n_days_after_the_decision(team: Team) -> None:
    # GIVEN a company keeping candidates 30 days, and a completed, rejected candidate
    status, body = team.http.call(
        "PUT", "/company/retention", {"retention_days": 30}, token=team.admin
    )
    assert (status, body) == (200, {"retention_days": 30})
    kept, rejected = team.invite("Kep", "Rej")
    team.complete("Kep")
    team.complete("Rej")
    make_playable(team.company_id, rejected)
    now = utcnow()
    status, body = team.http.call(
        "POST", f"/invitations/{rejected}/stage", {"stage": "rejected"}, token=team.admin
    )
    assert status == 200, body
    # WHEN the sweep runs two days later: nothing is deleted, the purge date is set (TTL too)
    assert sweep.sweep(now + timedelta(days=2), "test")["candidates_purged"] == 0
    waiting = get_invitation(team, rejected)
    assert waiting is not None
    assert waiting.due_at >= (now + timedelta(days=30)).isoformat()
    assert waiting.expires_at > now + timedelta(days=30)
    # THEN 31 days later both are deleted (the completion and the decision were today)
    result = sweep.sweep(now + timedelta(days=31), "test")
    assert result["candidates_purged"] == 2
    assert get_invitation(team, rejected) is None
    assert get_invitation(team, kept) is None
    assert objects_of(team.company_id, rejected) == []
    # AND a reviewer may not change the retention
    status, _ = team.http.call(
        "PUT", "/company/retention", {"retention_days": 1}, token=team.reviewer
    )
    assert status == 403


def test_an_admin_deletes_one_candidate_but_no_one_else_can(team: Team, http: Http) -> None:
    sam, kim = team.invite("Sam", "Kim")
    team.complete("Sam")
    other = sign_up(http, email="oz@other.example.com", company="Other")["tokens"]["id_token"]
    assert http.call("DELETE", f"/invitations/{sam}", token=other)[0] == 404
    assert http.call("DELETE", f"/invitations/{sam}", token=team.reviewer)[0] == 403
    assert http.call("DELETE", f"/invitations/{sam}", token=team.admin)[0] == 204
    assert team.detail(team.admin, sam)[0] == 404
    assert objects_of(team.company_id, sam) == []
    assert team.detail(team.admin, kim)[0] == 200
    # Deleted means the address may be invited again
    assert team.invite("Sam")


def test_the_company_export_holds_candidates_answers_and_media_links(
    team: Team, http: Http
) -> None:
    (sam,) = team.invite("Sam")
    team.complete("Sam")
    make_playable(team.company_id, sam)
    team.review(team.admin, sam, 4, note="Clear")
    status, started = http.call("POST", "/company/export", token=team.admin)
    assert status == 202, started
    assert started["status"] == "queued"
    run_jobs()
    done = job(http, team.admin, started["job_id"])
    assert done["status"] == "done"
    export = exported(done)
    assert export["company"]["name"] == "Acme"
    (interview,) = export["interviews"]
    (candidate,) = interview["candidates"]
    assert candidate["candidate_email"] == "sam@example.com"
    assert any(a["media_url"] for a in candidate["answers"])
    assert candidate["reviews"][0]["note"] == "Clear"
    assert http.call("POST", "/company/export", token=team.reviewer)[0] == 403
    other = sign_up(http, email="oz@other.example.com", company="Other")["tokens"]["id_token"]
    status, theirs = http.call("POST", "/company/export", token=other)
    assert status == 202
    run_jobs()
    assert http.call("GET", f"/jobs/{started['job_id']}", token=other)[0] == 404
    assert exported(job(http, other, theirs["job_id"]))["interviews"] == []


def exported(done: dict) -> dict:
    """The export file behind a finished job's download link (a minutes-long presigned GET)."""
    url = urlsplit(done["download_url"])
    query = parse_qs(url.query)
    assert int(query.get("X-Amz-Expires", ["0"])[0]) <= 300
    bucket = os.environ["MEDIA_BUCKET"]
    assert url.netloc.startswith(bucket) or url.path.startswith(f"/{bucket}/")
    key = unquote(url.path.lstrip("/").removeprefix(f"{bucket}/"))
    assert key.startswith("exports/")
    body = client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return json.loads(body)


def test_the_export_is_a_job_that_mails_its_admin_a_console_link_and_is_audited(
    team: Team, http: Http
) -> None:
    team.invite("Sam")
    status, started = http.call("POST", "/company/export", token=team.admin)
    assert status == 202
    # Nothing is written or mailed until the job runs
    before = [e for e in sent_emails() if e["to"] == ["ada@acme.example.com"]]
    assert before == []
    run_jobs()
    (mail,) = [e for e in sent_emails() if e["to"] == ["ada@acme.example.com"]]
    assert f"/console/#/settings/export/{started['job_id']}" in mail["body"]
    assert "X-Amz-Signature" not in mail["body"]  # the console fetches a fresh link
    done = job(http, team.admin, started["job_id"])
    assert done["size_bytes"] > 0
    assert done["download_expires_in_seconds"] <= 300
    actions = [e["action"] for e in http.call("GET", "/audit", token=team.admin)[1]["events"]]
    assert {"company.export_requested", "company.exported", "company.export_link_issued"} <= set(
        actions
    )


def test_the_retention_preview_says_what_goes_when_and_changes_nothing(
    team: Team, http: Http
) -> None:
    # GIVEN a candidate who asked for deletion, a rejected one with a playable answer,
    # and one still invited (open: not counted)
    asked, rejected, _open = team.invite("Ask", "Rej", "Open")
    team.complete("Ask").call("POST", "/deletion-request")
    team.complete("Rej")
    make_playable(team.company_id, rejected)
    decided = utcnow()
    status, body = team.http.call(
        "POST", f"/invitations/{rejected}/stage", {"stage": "rejected"}, token=team.admin
    )
    assert status == 200, body

    # WHEN the admin previews keeping candidates 30 days
    status, preview = team.http.call("GET", "/company/retention/preview?days=30", token=team.admin)
    assert status == 200, preview

    # THEN the one who asked goes at the next sweep, the rejected one 30 days after the decision
    assert preview["retention_days"] == 30
    assert preview["current_retention_days"] == 180
    assert (preview["due_now"]["candidates"], preview["due_now"]["answers"]) == (1, 3)
    (later,) = preview["schedule"]
    assert later["date"] == (decided + timedelta(days=30)).date().isoformat()
    assert (later["candidates"], later["answers"], later["bytes"]) == (1, 3, 3)
    assert preview["total"]["candidates"] == 2
    assert preview["open_candidates"] == 1
    # AND nothing changed: the setting and both candidates are still there
    assert get_invitation(team, asked) is not None
    assert get_invitation(team, rejected) is not None
    status, again = team.http.call("GET", "/company/retention/preview?days=30", token=team.admin)
    assert again["current_retention_days"] == 180
    # AND another company's admin sees none of them; reviewers may not look; days is checked
    other = sign_up(http, email="oz@other.example.com", company="Other")["tokens"]["id_token"]
    status, theirs = http.call("GET", "/company/retention/preview?days=30", token=other)
    assert (status, theirs["total"]["candidates"], theirs["open_candidates"]) == (200, 0, 0)
    path = "/company/retention/preview?days=30"
    assert team.http.call("GET", path, token=team.reviewer)[0] == 403
    assert team.http.call("GET", "/company/retention/preview?days=0", token=team.admin)[0] == 400
    assert team.http.call("GET", "/company/retention/preview", token=team.admin)[0] == 422


def test_the_candidate_learns_they_advanced_and_gets_the_booking_link(team: Team) -> None:
    # GIVEN an interview with a booking link, and a candidate who completed it
    url = "https://cal.example.com/acme/30min"
    body = {"reminder_hours": [24], "booking_url": url}
    path = f"/interviews/{team.interview_id}/follow-up"
    assert team.http.call("PUT", path, body, token=team.admin)[0] == 200
    (sam,) = team.invite("Sam")
    candidate = team.complete("Sam")
    assert candidate.session()["invitation"]["advanced"] is False
    # WHEN the team advances them
    status, moved = team.http.call(
        "POST", f"/invitations/{sam}/stage", {"stage": "advanced"}, token=team.admin
    )
    assert status == 200, moved
    # THEN their session (the done page) says so, with the booking link
    session = candidate.session()
    assert session["invitation"]["advanced"] is True
    assert session["interview"]["booking_url"] == url
