"""Each successful recruiter change lands in the audit log exactly once.

A route declares `Audit.AUTO` (the middleware records "<METHOD> <path>") or `Audit.SELF`
(the service records its own, more precise event); never both.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.drivers.api import Http

INTERVIEW = {
    "title": "Support Specialist",
    "questions": [{"text": "Tell us about yourself.", "max_answer_seconds": 60}],
    "rubric": [{"name": "Clarity", "anchors": ["1", "2", "3", "4", "5"]}],
}


def audit_log(http: Http, token: str) -> Counter[tuple[str, str]]:
    status, body = http.call("GET", "/audit?limit=100", token=token)
    assert status == 200, body
    return Counter((event["action"], event["target"]) for event in body["events"])


def new_events(http: Http, token: str, change: Any) -> Counter[tuple[str, str]]:
    """The audit events a change added (reading the log is not a change, so adds none)."""
    before = audit_log(http, token)
    change()
    return audit_log(http, token) - before


@pytest.fixture
def token(admin: dict) -> str:
    return admin["tokens"]["id_token"]


@pytest.fixture
def company_id(admin: dict) -> str:
    return admin["company"]["company_id"]


def test_setting_retention_is_audited_once_as_the_services_event(
    http: Http, token: str, company_id: str
) -> None:
    # WHEN an admin sets the retention period
    added = new_events(
        http,
        token,
        lambda: http.call("PUT", "/company/retention", {"retention_days": 30}, token=token),
    )
    # THEN the log gains one event: the service's, which says what was set
    assert added == Counter({("company.retention_set", company_id): 1})


def test_adding_and_deleting_a_webhook_are_each_audited_once(http: Http, token: str) -> None:
    hook: dict[str, Any] = {}

    def add() -> None:
        status, body = http.call(
            "POST",
            "/webhooks",
            {"url": "https://hooks.example.com/in", "events": ["interview.completed"]},
            token=token,
        )
        assert status == 201, body
        hook.update(body)

    assert new_events(http, token, add) == Counter({("webhook.created", hook["webhook_id"]): 1})

    def delete() -> None:
        assert http.call("DELETE", f"/webhooks/{hook['webhook_id']}", token=token)[0] == 204

    assert new_events(http, token, delete) == Counter({("webhook.deleted", hook["webhook_id"]): 1})


def test_deleting_a_candidate_is_audited_once(http: Http, token: str) -> None:
    # GIVEN an invited candidate
    status, interview = http.call("POST", "/interviews", INTERVIEW, token=token)
    assert status == 201, interview
    path = f"/interviews/{interview['interview_id']}/invitations"
    candidate = {"name": "Sam", "email": "sam@example.com"}
    assert http.call("POST", path, {"candidates": [candidate]}, token=token)[0] == 200
    (invitation,) = http.call("GET", path, token=token)[1]["invitations"]
    invitation_id = invitation["invitation_id"]

    # WHEN an admin deletes them THEN one event records it
    def delete() -> None:
        assert http.call("DELETE", f"/invitations/{invitation_id}", token=token)[0] == 204

    assert new_events(http, token, delete) == Counter({("candidate.deleted", invitation_id): 1})


def test_inviting_and_removing_a_colleague_are_each_audited_once(http: Http, token: str) -> None:
    colleague: dict[str, Any] = {}

    def invite() -> None:
        body = {"email": "rey@acme.example.com", "name": "Rey", "role": "reviewer"}
        status, created = http.call("POST", "/team", body, token=token)
        assert status == 201, created
        colleague.update(created)

    added = new_events(http, token, invite)
    user_id = colleague["user_id"]
    assert added == Counter({("team.invited", user_id): 1})

    def remove() -> None:
        assert http.call("DELETE", f"/team/{user_id}", token=token)[0] == 204

    assert new_events(http, token, remove) == Counter({("team.removed", user_id): 1})


def test_a_route_without_its_own_event_gets_the_generic_one_once(
    http: Http, token: str, company_id: str
) -> None:
    def rename() -> None:
        assert http.call("PATCH", "/company", {"name": "Acme Ltd"}, token=token)[0] == 200

    assert new_events(http, token, rename) == Counter({("PATCH /company", company_id): 1})


def test_a_refused_change_is_not_audited(http: Http, token: str) -> None:
    def refused() -> None:
        assert http.call("DELETE", "/webhooks/nope", token=token)[0] == 404

    assert new_events(http, token, refused) == Counter()
