"""The daily digest: a busy day never fails a completion; the email is bounded and blind."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.config import reset_settings
from chalicelib.data import keys
from chalicelib.data.models import DigestEntry, Invitation, new_id, utcnow
from chalicelib.domain import digest
from chalicelib.domain import sweep as scheduled_sweep
from chalicelib.domain.digest import next_digest_time
from tests.drivers.api import Http, Team, sent_emails

ADMIN, REVIEWER = "ada@acme.example.com", "rey@acme.example.com"
# 200 characters (the longest name allowed), most of them two or three bytes in UTF-8.
LONG_NAME = ("Zoë Ŝtefánsdóttir-Nguyễn 李小龍 Ñúñez " * 6)[:200].strip()


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def mail_to(address: str) -> list[dict[str, Any]]:
    return [e for e in sent_emails() if e["to"] == [address] and "completed at" in e["subject"]]


def sweep_at_digest_hour() -> dict[str, Any]:
    return scheduled_sweep.sweep(next_digest_time(utcnow()) + timedelta(minutes=1), "test")


def subscribe_to_completions(team: Team, monkeypatch: pytest.MonkeyPatch) -> None:
    """An endpoint for `interview.completed` (its deliveries are logged when queued)."""
    monkeypatch.setenv("ONEWAY_WEBHOOK_ALLOW_PRIVATE", "1")
    reset_settings()
    status, body = team.http.call(
        "POST",
        "/webhooks",
        {"url": "http://127.0.0.1:9/hooks", "events": ["interview.completed"]},
        token=team.admin,
    )
    assert status == 201, body


def completion_events(team: Team) -> list[str]:
    status, log = team.http.call("GET", "/webhooks/deliveries", token=team.admin)
    assert status == 200, log
    return [d["event"] for d in log["deliveries"]]


def busy_day(team: Team, count: int) -> None:
    """`count` interviews completed today by candidates with long non-ASCII names.

    The first 150 go through the completion's own write, the rest are written in batches
    to keep the test quick. (In DynamoDB one growing item overflowed at ~120 such names.)
    All fall after the last digest hour, as the day's completions do, however soon after
    that hour the test runs: one a second, or closer together just after it.
    """
    now = utcnow()
    since_last_digest = now - (next_digest_time(now) - timedelta(days=1))
    spread = min(timedelta(seconds=count), since_last_digest)

    def completed(n: int) -> tuple[Invitation, datetime]:
        invitation = Invitation(
            company_id=team.company_id,
            invitation_id=new_id(),
            interview_id=team.interview_id,
            title="Ingénieur·e logiciel",
            candidate_name=f"{n:04d} {LONG_NAME}"[:200],
        )
        return invitation, now - spread * (count - n) / (count + 1)

    for n in range(150):
        digest.add_to_digest(*completed(n))
    with DigestEntry.batch_write() as batch:
        for n in range(150, count):
            batch.save(digest.entry(*completed(n)))


def test_a_day_of_2500_completions_with_long_non_ascii_names_never_fails_one(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN 2,500 interviews completed today by candidates with 200-character non-ASCII names
    subscribe_to_completions(team, monkeypatch)
    busy_day(team, 2500)
    # WHEN one more candidate completes
    team.invite("Ann")
    team.complete("Ann")  # asserts the 200
    # THEN its interview.completed webhook went out
    assert completion_events(team) == ["interview.completed"]
    # AND at the digest hour each recruiter gets one digest, counting all 2,501
    assert sweep_at_digest_hour()["digests_sent"] == 1
    for address in (ADMIN, REVIEWER):
        (mail,) = mail_to(address)
        assert mail["subject"] == "2,501 interviews completed at Acme"
        # naming the first 50 by completion time and counting the rest, with a console link
        assert "0000 Zoë" in mail["body"]
        assert "0049 Zoë" in mail["body"]
        assert "0050 Zoë" not in mail["body"]
        assert "Ann" not in mail["body"]
        assert "and 2,451 more" in mail["body"]
        assert "/console/#/interviews" in mail["body"]
        assert len(mail["body"].encode()) < 40_000
    # AND the day after, nothing is sent again
    assert scheduled_sweep.sweep(utcnow() + timedelta(days=1, hours=1), "test")["digests_sent"] == 0


def test_a_digest_that_cannot_be_written_never_fails_the_completion(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a company whose digest of the day cannot take another write: its item is at
    # DynamoDB's 400 KB limit (the state every busy company reached with one growing item)
    subscribe_to_completions(team, monkeypatch)
    (ann,) = team.invite("Ann")
    day = digest.digest_day(next_digest_time(utcnow()))
    for sk in (keys.DIGEST, keys.digest_sk(day)):
        item = {
            "pk": keys.company_pk(team.company_id),
            "sk": sk,
            "kind": "Digest",
            "company_id": team.company_id,
        }
        # moto refuses an item over 405,000 bytes (attribute names and values, as DynamoDB)
        used = sum(len(k.encode()) + len(v.encode()) for k, v in item.items()) + len("padding")
        item["padding"] = "x" * (405_000 - used - 5)
        client("dynamodb").put_item(
            TableName=os.environ["TABLE_NAME"], Item={k: {"S": v} for k, v in item.items()}
        )
    # WHEN the candidate completes
    team.complete("Ann")  # asserts the 200
    # THEN the completion stands and is announced
    status, detail = team.detail(team.admin, ann)
    assert (status, detail["invitation"]["status"]) == (200, "completed")
    assert completion_events(team) == ["interview.completed"]


def test_in_blind_review_a_reviewers_digest_names_no_candidate(team: Team) -> None:
    # GIVEN a blind-review interview that Ann and Bea completed
    status, _ = team.http.call(
        "PUT", f"/interviews/{team.interview_id}/settings", {"blind_review": True}, token=team.admin
    )
    assert status == 200
    ann, bea = team.invite("Ann", "Bea")
    team.complete("Ann")
    team.complete("Bea")
    # WHEN the digest goes out
    assert sweep_at_digest_hour()["digests_sent"] == 1
    # THEN the reviewer's digest names them by label only, never by name or email
    (reviewer_mail,) = mail_to(REVIEWER)
    assert reviewer_mail["subject"] == "2 interviews completed at Acme"
    for name in ("Ann", "Bea", "ann@example.com", "bea@example.com"):
        assert name not in reviewer_mail["body"]
    assert f"Candidate {ann[-4:]}" in reviewer_mail["body"]
    assert f"Candidate {bea[-4:]}" in reviewer_mail["body"]
    # AND the admin's digest names them
    (admin_mail,) = mail_to(ADMIN)
    assert "Ann" in admin_mail["body"]
    assert "Bea" in admin_mail["body"]


def test_a_candidate_deleted_before_the_digest_goes_out_is_not_in_it(team: Team) -> None:
    # GIVEN Ann and Bea completed today, then an admin deleted Ann
    ann, _ = team.invite("Ann", "Bea")
    team.complete("Ann")
    team.complete("Bea")
    status, _ = team.http.call("DELETE", f"/invitations/{ann}", token=team.admin)
    assert status == 204
    # WHEN the digest goes out
    assert sweep_at_digest_hour()["digests_sent"] == 1
    # THEN it names Bea alone: Ann's name left with the rest of her data
    (mail,) = mail_to(ADMIN)
    assert mail["subject"] == "1 interview completed at Acme"
    assert "Bea" in mail["body"]
    assert "Ann" not in mail["body"]
