"""Webhooks: signed events through SQS to a local receiver, retried with backoff, logged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.config import reset_settings
from chalicelib.domain import webhooks
from tests.drivers.api import Http, Team, sign_up
from tests.drivers.webhooks import Receiver, drain


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


@pytest.fixture(autouse=True)
def _loopback_receivers(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """These receivers listen on http://127.0.0.1, as the local stack's do: allowed here only.

    `test_webhook_ssrf.py` checks that, without this setting, such endpoints are refused.
    """
    monkeypatch.setenv("ONEWAY_WEBHOOK_ALLOW_PRIVATE", "1")
    reset_settings()


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Retries become visible at once instead of after 10 s, 1 min, ...
    monkeypatch.setattr(webhooks, "BACKOFF_SECONDS", (0, 0, 0, 0))


def add_hook(http: Http, token: str, url: str, events: list[str] | None = None) -> dict:
    status, hook = http.call(
        "POST", "/webhooks", {"url": url, "events": events or list(webhooks.EVENTS)}, token=token
    )
    assert status == 201, hook
    return hook


def test_events_arrive_signed_and_a_receiver_can_check_them(
    api: Any, aws: dict[str, str], http: Http, admin: dict, receiver: Receiver
) -> None:
    # GIVEN a company endpoint subscribed to every event
    team = Team(http, admin)
    hook = add_hook(http, team.admin, receiver.url)
    assert hook["secret"].startswith("whsec_")
    # WHEN a candidate is invited, opens the link, completes, and is advanced
    (sam,) = team.invite("Sam")
    team.complete("Sam")
    http.call("POST", f"/invitations/{sam}/stage", {"stage": "advanced"}, token=team.admin)
    assert set(drain(api, aws)) == {"delivered"}
    # THEN each event arrived once, JSON, signed over its timestamp and body
    assert receiver.events() == [
        "invitation.created",
        "invitation.opened",
        "interview.completed",
        "candidate.stage_changed",
    ]
    for request in receiver.received:
        signature = request["headers"][webhooks.SIGNATURE_HEADER]
        assert webhooks.verify(hook["secret"], signature, request["body"])
        assert not webhooks.verify("whsec_wrong", signature, request["body"])
        # A replay more than five minutes later is refused
        assert not webhooks.verify(
            hook["secret"], signature, request["body"], now=time.time() + 301
        )
    completed = json.loads(receiver.received[2]["body"])
    assert completed["data"]["invitation_id"] == sam
    # AND the delivery log says so; the secret is never listed again
    status, log = http.call("GET", "/webhooks/deliveries", token=team.admin)
    assert status == 200, log
    assert {d["status"] for d in log["deliveries"]} == {"delivered"}
    status, listed = http.call("GET", "/webhooks", token=team.admin)
    assert "secret" not in listed["webhooks"][0]


def test_a_failing_endpoint_is_retried_until_it_succeeds(
    api: Any, aws: dict[str, str], http: Http, admin: dict
) -> None:
    # GIVEN an endpoint that fails twice, then succeeds
    flaky = Receiver(failures=2)
    team = Team(http, admin)
    add_hook(http, team.admin, flaky.url, ["invitation.created"])
    # WHEN an event is sent
    team.invite("Sam")
    outcomes = drain(api, aws)
    flaky.server.shutdown()
    # THEN it was tried three times and delivered once, and the log shows the attempts
    assert outcomes == ["retry", "retry", "delivered"]
    assert len(flaky.received) == 3
    ids = {r["headers"]["X-Oneway-Delivery"] for r in flaky.received}
    assert len(ids) == 1  # the same delivery each time: receivers can deduplicate
    (delivery,) = http.call("GET", "/webhooks/deliveries", token=team.admin)[1]["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 3)


def test_an_endpoint_that_never_answers_ends_in_the_dead_letter_queue(
    api: Any, aws: dict[str, str], http: Http, admin: dict
) -> None:
    dead = Receiver(failures=99)
    team = Team(http, admin)
    add_hook(http, team.admin, dead.url, ["invitation.created"])
    team.invite("Sam")
    outcomes = drain(api, aws)
    dead.server.shutdown()
    assert outcomes == ["retry"] * webhooks.MAX_ATTEMPTS
    (delivery,) = http.call("GET", "/webhooks/deliveries", token=team.admin)[1]["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("failed", webhooks.MAX_ATTEMPTS)
    assert delivery["last_status_code"] == 500
    dlq = client("sqs").receive_message(QueueUrl=aws["WEBHOOKS_DLQ_URL"]).get("Messages", [])
    assert len(dlq) == 1


def test_webhooks_are_admin_only_and_per_company(
    http: Http, admin: dict, receiver: Receiver
) -> None:
    team = Team(http, admin)
    hook = add_hook(http, team.admin, receiver.url)
    assert http.call("GET", "/webhooks", token=team.reviewer)[0] == 403
    other = sign_up(http, email="oz@other.example.com", company="Other")["tokens"]["id_token"]
    assert http.call("GET", "/webhooks", token=other)[1] == {"webhooks": []}
    assert http.call("DELETE", f"/webhooks/{hook['webhook_id']}", token=other)[0] == 404
    assert http.call("DELETE", f"/webhooks/{hook['webhook_id']}", token=team.admin)[0] == 204
    status, _ = http.call(
        "POST", "/webhooks", {"url": receiver.url, "events": ["nope"]}, token=team.admin
    )
    assert status == 422


def test_a_test_event_is_a_signed_ping_through_the_delivery_path_and_logged(
    api: Any, aws: dict[str, str], http: Http, admin: dict, receiver: Receiver
) -> None:
    # GIVEN an endpoint subscribed to one event only
    team = Team(http, admin)
    hook = add_hook(http, team.admin, receiver.url, ["interview.completed"])
    # WHEN the admin sends a test event
    status, queued = http.call("POST", f"/webhooks/{hook['webhook_id']}/test", token=team.admin)
    assert status == 202, queued
    assert (queued["event"], queued["status"]) == ("ping", "pending")
    assert drain(api, aws) == ["delivered"]
    # THEN the receiver got one signed ping
    assert receiver.events() == ["ping"]
    (request,) = receiver.received
    assert webhooks.verify(
        hook["secret"], request["headers"][webhooks.SIGNATURE_HEADER], request["body"]
    )
    # AND the delivery log shows it delivered with the receiver's status code
    (logged,) = http.call("GET", "/webhooks/deliveries", token=team.admin)[1]["deliveries"]
    assert (logged["delivery_id"], logged["event"]) == (queued["delivery_id"], "ping")
    assert (logged["status"], logged["attempts"], logged["last_status_code"]) == (
        "delivered",
        1,
        204,
    )
    # AND after a rotation the next ping is signed with the new secret only
    status, rotated = http.call(
        "POST", f"/webhooks/{hook['webhook_id']}/rotate-secret", token=team.admin
    )
    assert status == 200
    assert rotated["secret"] != hook["secret"]
    http.call("POST", f"/webhooks/{hook['webhook_id']}/test", token=team.admin)
    drain(api, aws)
    signature = receiver.received[1]["headers"][webhooks.SIGNATURE_HEADER]
    assert webhooks.verify(rotated["secret"], signature, receiver.received[1]["body"])
    assert not webhooks.verify(hook["secret"], signature, receiver.received[1]["body"])


def test_only_the_companys_admins_may_test_its_endpoints(
    http: Http, admin: dict, receiver: Receiver
) -> None:
    team = Team(http, admin)
    hook = add_hook(http, team.admin, receiver.url)
    path = f"/webhooks/{hook['webhook_id']}/test"
    assert http.call("POST", path, token=team.reviewer)[0] == 403
    other = sign_up(http, email="oz@other.example.com", company="Other")["tokens"]["id_token"]
    assert http.call("POST", path, token=other)[0] == 404
    assert http.call("POST", "/webhooks/nope/test", token=team.admin)[0] == 404


def test_an_admin_chooses_again_which_events_an_endpoint_receives(
    api: Any, aws: dict[str, str], http: Http, admin: dict, receiver: Receiver
) -> None:
    # GIVEN an endpoint that receives invitations, and its secret
    team = Team(http, admin)
    hook = add_hook(http, team.admin, receiver.url, ["invitation.created"])
    path = f"/webhooks/{hook['webhook_id']}"
    # WHEN the admin changes it to completed interviews only
    status, changed = http.call(
        "PATCH", path, {"events": ["interview.completed"]}, token=team.admin
    )
    # THEN the endpoint keeps its URL, and only completions reach it, signed with its secret
    assert status == 200, changed
    assert (changed["url"], changed["events"]) == (receiver.url, ["interview.completed"])
    assert "secret" not in changed
    team.invite("Sam")
    team.complete("Sam")
    assert set(drain(api, aws)) == {"delivered"}
    assert receiver.events() == ["interview.completed"]
    signature = receiver.received[0]["headers"][webhooks.SIGNATURE_HEADER]
    assert webhooks.verify(hook["secret"], signature, receiver.received[0]["body"])
    # AND the audit log says what changed, in words
    _, log = http.call("GET", "/audit", token=team.admin)
    said = {e["summary"] for e in log["events"]}
    assert "Ada Admin changed the events a webhook receives to interview.completed" in said
    # AND no events, an unknown event, a reviewer or another company's admin changes nothing
    status, error = http.call("PATCH", path, {"events": []}, token=team.admin)
    assert (status, error["details"][0]["field"]) == (422, "events")
    assert http.call("PATCH", path, {"events": ["nope"]}, token=team.admin)[0] == 422
    assert http.call("PATCH", path, {"events": ["answer.failed"]}, token=team.reviewer)[0] == 403
    other = sign_up(http, email="oz@other.example.com", company="Other")["tokens"]["id_token"]
    assert http.call("PATCH", path, {"events": ["answer.failed"]}, token=other)[0] == 404
    (listed,) = http.call("GET", "/webhooks", token=team.admin)[1]["webhooks"]
    assert listed["events"] == ["interview.completed"]
