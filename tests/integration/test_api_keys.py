"""API keys: an integration calls the recruiter routes with a key an admin made in the console.

Through the real app in-process (Chalice's test client over moto): a key is shown once and
stored as a hash, works on the same routes as a signed-in admin within its scope, stops at
once when revoked, never reaches another company's data, and its use and its changes are in
the audit log, its use at most once an hour.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.data.models import ApiKey, utcnow
from chalicelib.domain.auth import Role
from chalicelib.domain.identity import create_recruiter
from tests.drivers.api import INTERVIEW, PASSWORD, Http, Team, create, sign_up


def _key(http: Http, admin_token: str, name: str = "Greenhouse sync", scope: str = "read") -> dict:
    status, body = http.call("POST", "/api-keys", {"name": name, "scope": scope}, token=admin_token)
    assert status == 201, body
    return body


def _events(http: Http, admin_token: str) -> list[dict[str, Any]]:
    status, body = http.call("GET", "/audit", token=admin_token)
    assert status == 200, body
    return body["events"]


def test_a_key_is_shown_once_and_reads_the_interviews_with_a_bearer_header(
    http: Http, admin: dict
) -> None:
    # GIVEN a company with an interview, and an admin who creates a read key
    token = admin["tokens"]["id_token"]
    interview = create(http, token)
    created = _key(http, token)
    assert created["key"].startswith(f"{created['prefix']}_")
    assert created["prefix"].startswith("ow_live_")
    assert created["scope"] == "read"
    assert created["created_by"]["name"] == "Ada Admin"
    # WHEN an integration lists the interviews with it
    status, body = http.call("GET", "/interviews", token=created["key"])
    # THEN it reads them as the admin would
    assert status == 200, body
    assert [i["interview_id"] for i in body["interviews"]] == [interview["interview_id"]]
    status, one = http.call("GET", f"/interviews/{interview['interview_id']}", token=created["key"])
    assert status == 200, one
    assert one["title"] == INTERVIEW["title"]
    # AND the list of keys never shows the key again, only its visible prefix
    status, listed = http.call("GET", "/api-keys", token=token)
    assert status == 200, listed
    [shown] = listed["api_keys"]
    assert "key" not in shown
    assert shown["prefix"] == created["prefix"]
    assert shown["revoked_at"] is None
    assert shown["last_used_at"] is not None


def test_a_read_key_cannot_write_and_the_refusal_names_its_scope(http: Http, admin: dict) -> None:
    token = admin["tokens"]["id_token"]
    read_key = _key(http, token, "Reporting", "read")["key"]
    # WHEN the read key tries to create an interview
    status, body = http.call("POST", "/interviews", INTERVIEW, token=read_key)
    # THEN it is refused in words that name the scope, and nothing was created
    assert status == 403, body
    assert body["error"] == "forbidden"
    assert '"read" scope' in body["message"]
    assert body["details"] == [{"field": "authorization", "problem": "scope", "message": "read"}]
    assert http.call("GET", "/interviews", token=token)[1]["interviews"] == []


def test_a_read_write_key_writes_and_its_changes_are_audited_as_the_key(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    made = _key(http, token, "ATS bridge", "read-write")
    # WHEN the read-write key creates and edits an interview
    status, interview = http.call("POST", "/interviews", INTERVIEW, token=made["key"])
    assert status == 201, interview
    path = f"/interviews/{interview['interview_id']}"
    changed = {**INTERVIEW, "title": "Support Lead"}
    status, edited = http.call("PUT", path, changed, token=made["key"])
    assert status == 200, edited
    # THEN the admin sees it, and the audit log names the key as the one who did it
    assert http.call("GET", path, token=token)[1]["title"] == "Support Lead"
    events = _events(http, token)
    by_key = [e for e in events if e["actor"] == f"apikey:{made['key_id']}"]
    assert {e["action"] for e in by_key} >= {"POST /interviews", "PUT /interviews/{interview_id}"}
    assert all(e["summary"].startswith("API key ATS bridge") for e in by_key), by_key
    created = next(e for e in events if e["action"] == "api_key.created")
    assert created["actor"] == admin["recruiter"]["user_id"]
    assert created["detail"] == {"name": "ATS bridge", "scope": "read-write"}
    assert created["summary"] == "Ada Admin created API key ATS bridge"


def test_a_revoked_key_is_refused_at_once_with_a_401_saying_so(http: Http, admin: dict) -> None:
    token = admin["tokens"]["id_token"]
    made = _key(http, token, "Old script", "read-write")
    assert http.call("GET", "/interviews", token=made["key"])[0] == 200
    # WHEN an admin revokes it
    status, revoked = http.call("DELETE", f"/api-keys/{made['key_id']}", token=token)
    assert status == 200, revoked
    assert revoked["revoked_at"] is not None
    # THEN its next call is refused, in words that say it was revoked
    for method, path, body in (
        ("GET", "/interviews", None),
        ("POST", "/interviews", INTERVIEW),
    ):
        status, refused = http.call(method, path, body, token=made["key"])
        assert status == 401, (method, refused)
        assert refused["error"] == "unauthenticated"
        assert "Old script" in refused["message"]
        assert "was revoked" in refused["message"]
        assert refused["details"][0]["problem"] == "api_key_revoked"
    # AND it stays listed as revoked; revoking again changes nothing
    [listed] = http.call("GET", "/api-keys", token=token)[1]["api_keys"]
    assert listed["revoked_at"] == revoked["revoked_at"]
    again = http.call("DELETE", f"/api-keys/{made['key_id']}", token=token)
    assert again == (200, revoked)
    [revoked_event] = [e for e in _events(http, token) if e["action"] == "api_key.revoked"]
    assert revoked_event["summary"] == "Ada Admin revoked API key Old script"


def test_another_companys_key_cannot_see_or_touch_this_companys_data(
    http: Http, admin: dict
) -> None:
    # GIVEN company A with an interview and a key, and company B with a read-write key
    a_token = admin["tokens"]["id_token"]
    a_interview = create(http, a_token, title="Acme secret role")
    a_key = _key(http, a_token, "Acme ATS", "read")
    b_admin = sign_up(http, email="bo@globex.example.com", company="Globex")
    b_token = b_admin["tokens"]["id_token"]
    b_key = _key(http, b_token, "Globex ATS", "read-write")["key"]
    path = f"/interviews/{a_interview['interview_id']}"
    # WHEN B's key reads, edits, deletes and invites to A's interview
    attempts = (
        ("GET", path, None),
        ("PUT", path, {**INTERVIEW, "title": "Taken over"}),
        ("DELETE", path, None),
        ("GET", f"{path}/pipeline", None),
        ("POST", f"{path}/invitations", {"candidates": [{"name": "X", "email": "x@example.com"}]}),
    )
    for method, target, body in attempts:
        status, refused = http.call(method, target, body, token=b_key)
        # THEN each is not found, as for any id B cannot see, and names nothing of A's
        assert status == 404, (method, target, refused)
        assert "Acme" not in json.dumps(refused)
    # AND B's list holds none of A's interviews; A's interview is untouched
    status, listed = http.call("GET", "/interviews", token=b_key)
    assert (status, listed["interviews"]) == (200, [])
    assert http.call("GET", path, token=a_token)[1]["title"] == "Acme secret role"
    # AND B's admin can neither revoke nor see A's key
    assert http.call("DELETE", f"/api-keys/{a_key['key_id']}", token=b_token)[0] == 404
    assert http.call("GET", "/api-keys", token=b_token)[1]["api_keys"][0]["name"] == "Globex ATS"
    assert http.call("GET", "/interviews", token=a_key["key"])[0] == 200


def test_the_key_is_stored_only_as_a_hash(http: Http, admin: dict) -> None:
    made = _key(http, admin["tokens"]["id_token"])
    secret = made["key"].removeprefix(f"{made['prefix']}_")
    assert len(secret) == 43
    # WHEN everything in the table is read back
    dynamodb = client("dynamodb")
    items = dynamodb.scan(TableName=os.environ["TABLE_NAME"])["Items"]
    stored = json.dumps(items)
    # THEN neither the key nor its secret part is in it; the key's item holds a SHA-256
    assert made["key"] not in stored
    assert secret not in stored
    item = ApiKey.get(*ApiKey.key(made["key_id"]))
    assert len(item.secret_hash) == 64
    assert item.company_id == admin["company"]["company_id"]
    # (listed from its company's partition of the by_parent index, never by a Scan)
    assert item.gsi1pk == f"C#{item.company_id}#APIKEYS"


def test_use_is_audited_at_most_once_an_hour_with_last_used_at(http: Http, admin: dict) -> None:
    token = admin["tokens"]["id_token"]
    made = _key(http, token, "Nightly report", "read")

    def uses() -> list[dict[str, Any]]:
        return [e for e in _events(http, token) if e["action"] == "api_key.used"]

    # WHEN the key calls five times in a row
    for _ in range(5):
        assert http.call("GET", "/interviews", token=made["key"])[0] == 200
    # THEN its use is in the audit log once, as the key, with its name
    [used] = uses()
    assert used["actor"] == f"apikey:{made['key_id']}"
    assert used["target"] == made["key_id"]
    assert used["detail"] == {"name": "Nightly report", "scope": "read"}
    summary = "API key Nightly report called the API (recorded at most once an hour)"
    assert used["summary"] == summary
    [listed] = http.call("GET", "/api-keys", token=token)[1]["api_keys"]
    first_use = listed["last_used_at"]
    assert first_use is not None
    # WHEN its last recorded use is more than an hour old
    ApiKey(*ApiKey.key(made["key_id"])).update(
        actions=[ApiKey.last_used_at.set(utcnow() - timedelta(minutes=61))]
    )
    assert http.call("GET", "/interviews", token=made["key"])[0] == 200
    # THEN the next call records it again, and last-used moves on
    assert len(uses()) == 2
    [listed] = http.call("GET", "/api-keys", token=token)[1]["api_keys"]
    assert listed["last_used_at"] >= first_use
    # AND a refused call records no use
    assert http.call("POST", "/interviews", INTERVIEW, token=made["key"])[0] == 403
    assert len(uses()) == 2


def test_a_key_cannot_make_keys_or_manage_the_team(http: Http, admin: dict) -> None:
    token = admin["tokens"]["id_token"]
    strong = _key(http, token, "Full access", "read-write")["key"]
    people_only = (
        ("POST", "/api-keys", {"name": "Another", "scope": "read-write"}),
        ("GET", "/api-keys", None),
        ("DELETE", "/api-keys/0123456789abcdef", None),
        ("GET", "/team", None),
        ("POST", "/team", {"email": "eve@acme.example.com", "name": "Eve", "role": "admin"}),
        ("GET", "/me", None),
    )
    for method, path, body in people_only:
        status, refused = http.call(method, path, body, token=strong)
        assert status == 403, (method, path, refused)
        assert "An API key cannot do this" in refused["message"]
    # AND no key was made by it
    assert len(http.call("GET", "/api-keys", token=token)[1]["api_keys"]) == 1


def test_a_wrong_or_malformed_key_is_refused_and_only_admins_make_keys(
    http: Http, admin: dict
) -> None:
    token = admin["tokens"]["id_token"]
    made = _key(http, token)
    forged = made["key"][:-4] + ("AAAA" if not made["key"].endswith("AAAA") else "BBBB")
    for value in (forged, "ow_live_nothing", f"{made['prefix']}_short"):
        status, refused = http.call("GET", "/interviews", token=value)
        assert status == 401, (value, refused)
        assert refused["details"][0]["problem"] == "api_key_invalid"
    # A scope that does not exist, and a blank name, are named in the refusal
    status, body = http.call("POST", "/api-keys", {"name": " ", "scope": "admin"}, token=token)
    assert status == 422, body
    assert {d["field"] for d in body["details"]} == {"name", "scope"}
    # A reviewer cannot make keys
    create_recruiter(
        admin["company"]["company_id"], "rey@acme.example.com", "Rey", Role.REVIEWER, PASSWORD
    )
    status, signed = http.call(
        "POST", "/auth/signin", {"email": "rey@acme.example.com", "password": PASSWORD}
    )
    assert status == 200, signed
    reviewer = signed["id_token"]
    status, body = http.call("POST", "/api-keys", {"name": "x", "scope": "read"}, token=reviewer)
    assert status == 403, body


def test_a_read_write_key_works_a_candidate_through_review_as_an_admin_would(
    http: Http, admin: dict
) -> None:
    # GIVEN a team whose interview a candidate completed, and a read-write key
    team = Team(http, admin)
    key = _key(http, team.admin, "ATS bridge", "read-write")["key"]
    (sam,) = team.invite("Sam")
    team.complete("Sam")
    # WHEN the integration reads the candidate and moves them on
    status, detail = team.detail(key, sam)
    assert status == 200, detail
    assert detail["invitation"]["candidate_name"] == "Sam"
    status, review = team.review(key, sam, 4)
    assert status == 200, review
    status, comment = http.call(
        "POST", f"/invitations/{sam}/comments", {"text": "Strong answers."}, token=key
    )
    assert status == 201, comment
    assert comment["author"]["name"] == "API key ATS bridge"
    stage = {"stage": "shortlisted"}
    status, staged = http.call("POST", f"/invitations/{sam}/stage", stage, token=key)
    assert status == 200, staged
    # THEN the team sees what the key did, under the key's name
    [row] = team.pipeline(team.admin)["candidates"]
    assert row["stage"] == "shortlisted"
    status, seen = team.detail(team.reviewer, sam)
    assert status == 200, seen
    assert [c["author"]["name"] for c in seen["comments"]] == ["API key ATS bridge"]
    # AND a share link, which works only while its maker is on the team, stays with people
    status, refused = http.call(
        "POST", f"/invitations/{sam}/shares", {"expires_in_days": 7}, token=key
    )
    assert status == 403, refused
