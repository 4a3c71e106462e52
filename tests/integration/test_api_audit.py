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


# --- the log in words, filtered, exported -----------------------------------------------------


def read_log(http: Http, token: str, query: str = "") -> dict:
    status, body = http.call("GET", f"/audit?limit=100{query}", token=token)
    assert status == 200, body
    return body


def test_events_read_as_sentences_naming_people_candidates_and_interviews(
    http: Http, admin: dict, token: str
) -> None:
    # GIVEN an admin invites two candidates and a colleague, then removes the colleague
    status, interview = http.call("POST", "/interviews", INTERVIEW, token=token)
    assert status == 201, interview
    path = f"/interviews/{interview['interview_id']}/invitations"
    people = [
        {"name": "Sam Lee", "email": "sam@example.com"},
        {"name": "Jo Park", "email": "jo@example.com"},
    ]
    assert http.call("POST", path, {"candidates": people}, token=token)[0] == 200
    body = {"email": "rey@acme.example.com", "name": "Rey Reviewer", "role": "reviewer"}
    status, rey = http.call("POST", "/team", body, token=token)
    assert status == 201, rey
    ada = admin["recruiter"]["name"]
    before_removal = [event["summary"] for event in read_log(http, token)["events"]]
    assert f"{ada} invited Rey Reviewer to the team" in before_removal
    assert http.call("DELETE", f"/team/{rey['user_id']}", token=token)[0] == 204
    # AND an action the describer does not know (as a newer feature would record)
    from chalicelib.domain import activity

    activity.audit(admin["company"]["company_id"], "system", "calendar.synced", "cal-1")

    # WHEN the admin reads the log
    summaries = [event["summary"] for event in read_log(http, token)["events"]]

    # THEN each event says who did what to whom, with names rather than ids
    assert f"{ada} created an interview" in summaries
    assert f"{ada} invited Sam Lee and Jo Park to Support Specialist" in summaries
    # A removed colleague is no longer on the team: named as such from then on
    assert f"{ada} invited a former team member to the team" in summaries
    assert f"{ada} removed a former team member from the team" in summaries
    # AND the unknown action still reads as a sentence
    assert "Oneway: calendar synced (cal-1)" in summaries
    # AND the raw fields are kept beside the words
    invite = next(e for e in read_log(http, token)["events"] if e["action"].endswith("invitations"))
    assert invite["target"] == interview["interview_id"]
    assert len(invite["detail"]["invitations"]) == 2


def test_a_deleted_candidate_is_not_named_after_deletion(http: Http, token: str) -> None:
    status, interview = http.call("POST", "/interviews", INTERVIEW, token=token)
    assert status == 201, interview
    path = f"/interviews/{interview['interview_id']}/invitations"
    candidate = {"name": "Gone Person", "email": "gone@example.com"}
    assert http.call("POST", path, {"candidates": [candidate]}, token=token)[0] == 200
    (invitation,) = http.call("GET", path, token=token)[1]["invitations"]
    assert http.call("DELETE", f"/invitations/{invitation['invitation_id']}", token=token)[0] == 204
    summaries = [e["summary"] for e in read_log(http, token)["events"]]
    assert not any("Gone Person" in s for s in summaries)
    assert any(s.endswith("invited a deleted candidate to Support Specialist") for s in summaries)
    assert any(s.endswith("deleted a candidate and their data") for s in summaries)


def test_the_log_filters_by_person_action_and_dates_and_pages_across_them(
    http: Http, admin: dict, token: str, company_id: str
) -> None:
    from datetime import timedelta

    from chalicelib.data.models import AuditEvent, new_id, utcnow

    # GIVEN events by two people over two months, and one in another company
    now = utcnow()
    last_month = (now.replace(day=1) - timedelta(days=3)).replace(hour=12)
    for at, actor, action in [
        (last_month, "u-ana", "webhook.deleted"),
        (last_month + timedelta(hours=1), "u-bo", "webhook.deleted"),
        (now, "u-ana", "webhook.deleted"),
        (now, "u-ana", "webhook.created"),
    ]:
        AuditEvent(
            *AuditEvent.key(company_id, at, new_id()),
            company_id=company_id,
            actor=actor,
            action=action,
            target="w1",
        ).save()
    other = "other-company"
    AuditEvent(
        *AuditEvent.key(other, now, new_id()),
        company_id=other,
        actor="u-ana",
        action="webhook.deleted",
        target="w1",
    ).save()
    since = last_month.date().isoformat()
    until = now.date().isoformat()
    wanted = f"&since={since}&until={until}&actor=u-ana&action=webhook.deleted"

    # WHEN the admin filters by person, action and range, one event a page
    first = read_log(http, token, wanted + "&limit=1")
    second_status, second = http.call(
        "GET", f"/audit?limit=1{wanted}&cursor={first['next_cursor']}", token=token
    )
    assert second_status == 200, second

    # THEN exactly Ana's two deletions come back, one per month, oldest first, then the end
    assert [e["at"][:10] for e in first["events"]] == [last_month.date().isoformat()]
    assert [e["at"][:10] for e in second["events"]] == [now.date().isoformat()]
    assert {e["actor"] for e in first["events"] + second["events"]} == {"u-ana"}
    if second["next_cursor"]:
        status, third = http.call(
            "GET", f"/audit?limit=1{wanted}&cursor={second['next_cursor']}", token=token
        )
        assert (status, third["events"]) == (200, [])
    # AND newest first reverses them
    newest = read_log(http, token, wanted + "&order=newest")
    assert [e["at"][:10] for e in newest["events"]] == [until, since]
    # AND the action list offers words for the filter
    assert {"action": "webhook.deleted", "label": "Deleted a webhook"} in newest["actions"]
    # AND a range may not start after it ends, or run over 400 days
    status, body = http.call("GET", f"/audit?since={until}&until={since}", token=token)
    assert (status, body["details"][0]["problem"]) == (422, "after_until")
    status, body = http.call("GET", "/audit?since=2020-01-01&until=2026-01-01", token=token)
    assert (status, body["details"][0]["problem"]) == (422, "too_long")
    status, body = http.call("GET", "/audit?since=2026-13-45", token=token)
    assert (status, body["details"][0]["field"]) == (422, "since")
    for query in ("until=9999-12-31", "since=0001-01-01&until=0001-01-05"):
        status, body = http.call("GET", f"/audit?{query}", token=token)
        assert (status, body["details"][0]["problem"]) == (422, "out_of_range")


def test_a_cursor_from_another_company_is_refused(http: Http, token: str, company_id: str) -> None:
    from chalicelib.data import cursor, keys
    from chalicelib.data.models import utcnow

    month = utcnow().strftime("%Y-%m")
    forged = cursor.encode(
        {"pk": {"S": keys.audit_pk("other-company", month)}, "sk": {"S": "2026"}}
    )
    status, body = http.call("GET", f"/audit?cursor={forged}", token=token)
    assert (status, body["details"][0]["field"]) == (400, "cursor")
    # AND a cursor of this company's month but a time outside the range asked for
    outside = cursor.encode(
        {"pk": {"S": keys.audit_pk(company_id, month)}, "sk": {"S": "1999-01-01T00:00:00"}}
    )
    status, body = http.call("GET", f"/audit?cursor={outside}", token=token)
    assert (status, body["details"][0]["field"]) == (400, "cursor")


def test_the_csv_export_honours_the_filters_and_carries_the_sentences(
    api: Any, http: Http, admin: dict, token: str
) -> None:
    import csv
    import io

    body = {"email": "rey@acme.example.com", "name": "Rey Reviewer", "role": "reviewer"}
    status, rey = http.call("POST", "/team", body, token=token)
    assert status == 201, rey
    assert http.call("PUT", "/company/retention", {"retention_days": 30}, token=token)[0] == 200

    response = api.http.get(
        "/audit/export?action=company.retention_set",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert [r["action"] for r in rows] == ["company.retention_set"]
    assert rows[0]["summary"] == f"{admin['recruiter']['name']} set retention to 30 days"


def test_every_audited_route_and_every_known_action_reads_as_a_sentence(api: Any) -> None:
    from chalicelib.api.endpoint import ENDPOINTS, Audit
    from chalicelib.data.models import AuditEvent, new_id, utcnow
    from chalicelib.domain import audit_words

    # Every route the middleware records has its own words (add them to audit_words.SENTENCES)
    missing = [
        f"{spec.method} {spec.path}"
        for spec in ENDPOINTS.values()
        if spec.audit is Audit.AUTO and f"{spec.method} {spec.path}" not in audit_words.SENTENCES
    ]
    assert missing == []
    # AND each sentence fills in, even when nothing it names can be found any more
    for action in audit_words.SENTENCES:
        event = AuditEvent(
            *AuditEvent.key("c1", utcnow(), new_id()),
            company_id="c1",
            actor="u1",
            action=action,
            target="t1",
        )
        text = audit_words.describe(event, audit_words.Names())
        assert text[0].isupper()
        assert "{" not in text


def test_blind_review_that_hides_names_from_admins_hides_them_in_the_log_too(
    http: Http, token: str
) -> None:
    # GIVEN an interview whose blind review hides candidates' names from admins as well
    status, interview = http.call("POST", "/interviews", INTERVIEW, token=token)
    assert status == 201, interview
    base = f"/interviews/{interview['interview_id']}"
    blind = {"blind_review": True, "hide_names_from_admins": True}
    assert http.call("PUT", f"{base}/settings", blind, token=token)[0] == 200
    candidate = {"name": "Hidden Person", "email": "hidden@example.com"}
    assert (
        http.call("POST", f"{base}/invitations", {"candidates": [candidate]}, token=token)[0] == 200
    )
    # WHEN an admin reads the log THEN the invitation names no one
    summaries = [e["summary"] for e in read_log(http, token)["events"]]
    assert not any("Hidden Person" in s for s in summaries)
    assert any(s.endswith("invited a candidate to Support Specialist") for s in summaries)
