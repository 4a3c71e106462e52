"""Reviewing candidates as a team: scores, comments, stages, shares, analytics and the team."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.data.models import ShareLink, utcnow
from chalicelib.domain.invitations import hash_token
from tests.drivers.api import Candidate, Http, Team, links_sent_to, sent_emails, sign_up


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def test_the_pipeline_lists_candidates_with_status_and_filters(team: Team) -> None:
    ann, _ = team.invite("Ann", "Bo")
    team.complete("Ann")
    rows = team.pipeline(team.admin)["candidates"]
    assert {r["candidate_name"]: r["status"] for r in rows} == {"Ann": "completed", "Bo": "invited"}
    completed = team.pipeline(team.admin, "?status=completed")["candidates"]
    assert [r["invitation_id"] for r in completed] == [ann]
    team.review(team.admin, ann, 4)
    scored = team.pipeline(team.admin, "?min_score=3.5")["candidates"]
    assert [r["invitation_id"] for r in scored] == [ann]
    assert scored[0]["average_score"] == 4
    assert team.pipeline(team.admin, "?min_score=4.5")["candidates"] == []
    status, _ = team.http.call(
        "GET", f"/interviews/{team.interview_id}/pipeline?min_score=high", token=team.admin
    )
    assert status == 400


def test_interview_counts_follow_each_candidate_once(team: Team) -> None:
    team.invite("Ann", "Bo", "Cy")
    candidate = team.complete("Ann")
    candidate.session()  # opening again counts nothing twice
    _, listed = team.http.call("GET", "/interviews", token=team.admin)
    counts = listed["interviews"][0]["counts"]
    assert counts == {
        "invited": 3,
        "opened": 1,
        "started": 1,
        "completed": 1,
        "expired": 0,
        "revoked": 0,
    }


def test_the_detail_shows_answers_in_order_with_short_lived_media_links(team: Team) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    status, body = team.detail(team.admin, ann)
    assert status == 200
    assert body["invitation"]["candidate_name"] == "Ann"
    assert [a["position"] for a in body["answers"]] == [1, 2, 3]
    assert body["answers"][2]["text_answer"] == "Lists"
    assert body["answers"][0]["status"] == "uploaded"  # the worker has not run here
    assert body["interview"]["rubric"][0]["name"] == "Clarity"


def test_scores_stay_hidden_until_i_submit_mine(team: Team) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    status, mine = team.review(team.admin, ann, 5, recommendation="strong_yes", note="Great")
    assert status == 200
    assert mine["my_review"]["scores"] == {team.questions[0]: {team.criteria[0]: 5}}
    # the reviewer has not reviewed yet: the admin's scores are hidden from them
    _, seen = team.detail(team.reviewer, ann)
    assert seen["my_review"] is None
    assert seen["reviews"] == []
    _, after = team.review(team.reviewer, ann, 3)
    assert [r["reviewer"]["name"] for r in after["reviews"]] == ["Ada Admin"]
    assert after["reviews"][0]["recommendation"] == "strong_yes"
    row = team.pipeline(team.admin)["candidates"][0]
    assert (row["average_score"], row["reviews"]) == (4, 2)


def test_scores_must_belong_to_the_interview(team: Team) -> None:
    [ann] = team.invite("Ann")
    status, body = team.http.call(
        "PUT",
        f"/invitations/{ann}/review",
        {"scores": {"someQuestion": {team.criteria[0]: 3}}},
        token=team.admin,
    )
    assert status == 422
    assert body["details"][0]["problem"] == "unknown_question"
    status, _ = team.http.call(
        "PUT",
        f"/invitations/{ann}/review",
        {"scores": {team.questions[0]: {team.criteria[0]: 6}}},
        token=team.admin,
    )
    assert status == 422


def test_comments_are_shared_with_the_team(team: Team) -> None:
    [ann] = team.invite("Ann")
    status, _ = team.http.call(
        "POST",
        f"/invitations/{ann}/comments",
        {"text": "<script>x</script> strong"},
        token=team.reviewer,
    )
    assert status == 201
    _, body = team.detail(team.admin, ann)
    assert [(c["author"]["name"], c["text"]) for c in body["comments"]] == [
        ("Rey Reviewer", "<script>x</script> strong")
    ]


def test_admins_move_stages_and_may_email_the_decision(team: Team) -> None:
    [ann] = team.invite("Ann")
    status, _ = team.http.call(
        "POST", f"/invitations/{ann}/stage", {"stage": "advanced"}, token=team.reviewer
    )
    assert status == 403
    status, moved = team.http.call(
        "POST",
        f"/invitations/{ann}/stage",
        {"stage": "advanced", "tags": ["bilingual"], "notify": True},
        token=team.admin,
    )
    assert status == 200
    assert (moved["stage"], moved["notified"]) == ("advanced", True)
    decision = [e for e in sent_emails() if e["subject"] == "Next steps with Acme"]
    assert len(decision) == 1
    assert "Hello Ann" in decision[0]["body"]
    row = team.pipeline(team.admin, "?stage=advanced")["candidates"]
    assert row[0]["tags"] == ["bilingual"]


def test_decision_templates_are_editable_and_sandboxed(team: Team) -> None:
    [ann] = team.invite("Ann")
    good = {
        "advanced": {"subject": "Good news, {{ candidate_name }}", "body": "See you soon."},
        "rejected": {
            "subject": "Thanks {{ candidate_name }}",
            "body": "Not this time, {{ candidate_name }}.",
        },
    }
    # a template reaching for Python internals is refused by the sandbox when saved
    walk = {**good, "rejected": {"subject": "x", "body": "{{ candidate_name.__class__ }}"}}
    status, body = team.http.call("PUT", "/company/templates", walk, token=team.admin)
    assert status == 422
    assert body["details"][0]["field"] == "rejected.body"
    broken = {**good, "rejected": {"subject": "{% if %}", "body": "x"}}
    assert team.http.call("PUT", "/company/templates", broken, token=team.admin)[0] == 422
    unknown = {**good, "rejected": {"subject": "Hi {{ salary }}", "body": "x"}}
    assert team.http.call("PUT", "/company/templates", unknown, token=team.admin)[0] == 422
    status, saved = team.http.call("PUT", "/company/templates", good, token=team.admin)
    assert status == 200
    assert saved["advanced"]["subject"] == "Good news, {{ candidate_name }}"
    status, _ = team.http.call(
        "POST",
        f"/invitations/{ann}/stage",
        {"stage": "rejected", "notify": True},
        token=team.admin,
    )
    assert status == 200
    [email] = [e for e in sent_emails() if e["subject"] == "Thanks Ann"]
    assert "Not this time, Ann." in email["body"]


def test_share_links_open_read_only_until_revoked_or_expired(team: Team) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    status, link = team.http.call(
        "POST",
        f"/invitations/{ann}/shares",
        {"expires_in_days": 3, "mask_name": True},
        token=team.reviewer,
    )
    assert status == 201
    token = link["url"].split("#token=")[1]

    def open_share() -> tuple[int, Any]:
        return team.http.call("GET", "/shared", headers={"X-Share-Token": token})

    status, shared = open_share()
    assert status == 200
    assert shared["invitation"]["candidate_name"].startswith("Candidate ")
    assert "'Ann'" not in str(shared)
    assert "ann@example.com" not in str(shared)
    assert len(shared["answers"]) == 3
    listed = team.http.call("GET", f"/invitations/{ann}/shares", token=team.admin)[1]
    assert [s["share_id"] for s in listed["shares"]] == [link["share_id"]]
    # expired
    stored = next(iter(ShareLink.by_token.query(hash_token(token))))
    stored.update(actions=[ShareLink.expires.set(utcnow() - timedelta(minutes=1))])
    status, body = open_share()
    assert status == 410
    assert "expired" in body["message"]
    stored.update(actions=[ShareLink.expires.set(utcnow() + timedelta(days=1))])
    assert open_share()[0] == 200
    # revoked
    assert team.http.call("DELETE", f"/shares/{link['share_id']}", token=team.admin)[0] == 204
    status, body = open_share()
    assert status == 410
    assert "withdrawn" in body["message"]
    assert team.http.call("GET", "/shared", headers={"X-Share-Token": "nope"})[0] == 401


def test_blind_review_hides_identity_from_reviewers_and_shuffles_per_reviewer(
    team: Team, http: Http
) -> None:
    ids = team.invite("Ann", "Bo")
    status, _ = http.call(
        "PUT",
        f"/interviews/{team.interview_id}/settings",
        {"blind_review": True},
        token=team.reviewer,
    )
    assert status == 403
    http.call(
        "PUT", f"/interviews/{team.interview_id}/settings", {"blind_review": True}, token=team.admin
    )
    rows = team.pipeline(team.reviewer)["candidates"]
    assert all(r["candidate_name"] is None and r["candidate_email"] is None for r in rows)
    assert all(r["candidate_label"].startswith("Candidate ") for r in rows)
    _, seen = team.detail(team.reviewer, ids[0])
    assert seen["invitation"]["candidate_name"] is None
    assert "ann@example.com" not in str(seen)
    assert "'Ann'" not in str(seen)
    # admins still see names; each reviewer keeps one stable order of their own
    assert team.pipeline(team.admin)["candidates"][0]["candidate_name"] in ("Ann", "Bo")
    order = [a["question_id"] for a in team.detail(team.reviewer, ids[0])[1]["answers"]]
    assert order == [a["question_id"] for a in seen["answers"]]
    assert sorted(order) == sorted(team.questions)


def test_another_company_gets_404_on_every_review_route(team: Team, http: Http) -> None:
    [ann] = team.invite("Ann")
    _, link = http.call("POST", f"/invitations/{ann}/shares", {}, token=team.admin)
    other = sign_up(http, email="eve@globex.example.com", company="Globex")["tokens"]["id_token"]
    calls = [
        ("GET", f"/interviews/{team.interview_id}/pipeline", None),
        ("GET", f"/interviews/{team.interview_id}/analytics", None),
        ("PUT", f"/interviews/{team.interview_id}/settings", {"blind_review": True}),
        ("GET", f"/invitations/{ann}", None),
        ("PUT", f"/invitations/{ann}/review", {"scores": {}}),
        ("POST", f"/invitations/{ann}/comments", {"text": "hi"}),
        ("POST", f"/invitations/{ann}/stage", {"stage": "rejected"}),
        ("POST", f"/invitations/{ann}/shares", {}),
        ("GET", f"/invitations/{ann}/shares", None),
        ("DELETE", f"/shares/{link['share_id']}", None),
    ]
    for method, route, body in calls:
        status, error = http.call(method, route, body, token=other)
        assert status == 404, (method, route, status, error)
    _, detail = team.detail(team.admin, ann)
    assert detail["comments"] == []
    assert detail["invitation"]["stage"] == "new"


def test_a_reviewer_cannot_change_interviews_team_or_templates(team: Team) -> None:
    forbidden = [
        ("POST", "/team", {"email": "x@acme.example.com", "name": "X", "role": "admin"}),
        (
            "PUT",
            "/company/templates",
            {"advanced": {"subject": "s", "body": "b"}, "rejected": {"subject": "s", "body": "b"}},
        ),
        ("GET", "/company/usage", None),
        ("POST", f"/interviews/{team.interview_id}/archive", None),
    ]
    for method, route, body in forbidden:
        assert team.http.call(method, route, body, token=team.reviewer)[0] == 403, route


def test_an_invited_colleague_sets_a_password_and_a_removed_one_cannot_sign_in(
    team: Team, http: Http
) -> None:
    status, member = http.call(
        "POST",
        "/team",
        {"email": "kim@acme.example.com", "name": "Kim", "role": "reviewer"},
        token=team.admin,
    )
    assert status == 201
    [email] = [e for e in sent_emails() if e["to"] == ["kim@acme.example.com"]]
    temporary = email["body"].split("Temporary password: <code>")[1].split("</code>")[0]
    status, challenge = http.call(
        "POST", "/auth/signin", {"email": "kim@acme.example.com", "password": temporary}
    )
    assert status == 200
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    status, tokens = http.call(
        "POST",
        "/auth/new-password",
        {
            "email": "kim@acme.example.com",
            "session": challenge["session"],
            "new_password": "kims own passphrase",
        },
    )
    assert status == 200, tokens
    me = http.call("GET", "/me", token=tokens["id_token"])[1]
    assert me["recruiter"]["role"] == "reviewer"
    assert me["company"]["company_id"] == team.company_id
    # removal: signed out, cannot sign in again, gone from the team
    admin_id = http.call("GET", "/me", token=team.admin)[1]["recruiter"]["user_id"]
    assert http.call("DELETE", f"/team/{admin_id}", token=team.admin)[0] == 409
    assert http.call("DELETE", f"/team/{member['user_id']}", token=team.admin)[0] == 204
    status, _ = http.call(
        "POST", "/auth/signin", {"email": "kim@acme.example.com", "password": "kims own passphrase"}
    )
    assert status == 401
    team_now = http.call("GET", "/team", token=team.admin)[1]["recruiters"]
    assert "kim@acme.example.com" not in [r["email"] for r in team_now]


def test_analytics_give_the_funnel_drop_off_scores_and_feedback(team: Team) -> None:
    ann, _, _ = team.invite("Ann", "Bo", "Cy")
    candidate = team.complete("Ann")
    candidate.call("POST", "/feedback", {"rating": 4})
    bo_candidate = Candidate(team.http, links_sent_to("bo@example.com")[0])
    bo_candidate.call("POST", "/consent", {"accepted": True})
    bo_candidate.record(bo_candidate.question(1))
    team.review(team.admin, ann, 5)
    team.review(team.reviewer, ann, 3)
    status, stats = team.http.call(
        "GET", f"/interviews/{team.interview_id}/analytics", token=team.reviewer
    )
    assert status == 200
    assert stats["funnel"] == {"invited": 3, "opened": 2, "started": 2, "completed": 1}
    assert stats["completion_rate"] == pytest.approx(1 / 3, abs=0.001)
    assert [d["answered"] for d in stats["drop_off"]] == [2, 1, 1]
    assert stats["criteria"][0]["average"] == 4
    assert stats["reviewer_agreement"] == {"candidates": 1, "average_spread": 2}
    assert stats["feedback"] == {"count": 1, "average": 4}
    assert stats["median_minutes_to_complete"] is not None
    _, usage = team.http.call("GET", "/company/usage", token=team.admin)
    assert usage["months"][0]["completed_interviews"] == 1
