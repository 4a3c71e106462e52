"""What the API shows of stored records: secrets once, ids that name the record changed."""

from __future__ import annotations

import pytest

from tests.drivers.api import Http

INTERVIEW = {
    "title": "Support Specialist",
    "questions": [{"text": "Tell us about yourself.", "max_answer_seconds": 60}],
}


@pytest.fixture
def token(admin: dict) -> str:
    return admin["tokens"]["id_token"]


def test_a_webhook_secret_is_shown_only_when_the_webhook_is_created(http: Http, token: str) -> None:
    body = {"url": "https://hooks.example.com/in", "events": ["answer.failed"]}
    status, created = http.call("POST", "/webhooks", body, token=token)
    assert status == 201, created
    assert created["secret"].startswith("whsec_")
    (listed,) = http.call("GET", "/webhooks", token=token)[1]["webhooks"]
    assert "secret" not in listed
    assert listed == {k: v for k, v in created.items() if k != "secret"}


def test_follow_up_settings_answer_with_the_interview_they_belong_to(
    http: Http, token: str
) -> None:
    status, interview = http.call("POST", "/interviews", INTERVIEW, token=token)
    assert status == 201, interview
    interview_id = interview["interview_id"]
    path = f"/interviews/{interview_id}/follow-up"
    status, body = http.call("PUT", path, {"reminder_hours": [48, 24, 48]}, token=token)
    assert (status, body) == (
        200,
        {"interview_id": interview_id, "reminder_hours": [48, 24], "booking_url": None},
    )


def test_a_share_link_url_is_shown_once_and_listed_without_it(http: Http, token: str) -> None:
    status, interview = http.call("POST", "/interviews", INTERVIEW, token=token)
    assert status == 201, interview
    path = f"/interviews/{interview['interview_id']}/invitations"
    candidate = {"name": "Sam", "email": "sam@example.com"}
    assert http.call("POST", path, {"candidates": [candidate]}, token=token)[0] == 200
    (invitation,) = http.call("GET", path, token=token)[1]["invitations"]
    shares = f"/invitations/{invitation['invitation_id']}/shares"
    status, link = http.call("POST", shares, {"expires_in_days": 3}, token=token)
    assert status == 201, link
    assert "/share/#token=" in link["url"]
    (listed,) = http.call("GET", shares, token=token)[1]["shares"]
    assert "url" not in listed
    assert (listed["share_id"], listed["expires_at"]) == (link["share_id"], link["expires_at"])
    assert listed["revoked"] is False
