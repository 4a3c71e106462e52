"""Fair review: blind review hides who a candidate is, and scores stay independent.

Each test plays what a reviewer (or someone they share a link with) would try, and checks
what they get back: no name or email anywhere in blind review, no colleague's score before
their own review is in, no colleague's private note, scores kept against the rubric the
candidate was invited under, and no share link outliving its creator's place in the team.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api import views
from chalicelib.domain import privacy
from chalicelib.domain.auth import Principal, Role
from chalicelib.domain.identity import create_recruiter
from tests.drivers.api import INTERVIEW, PASSWORD, Http, Team

NAMES = ("Ann", "Bo", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal")


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def blind(team: Team) -> None:
    status, _ = team.http.call(
        "PUT", f"/interviews/{team.interview_id}/settings", {"blind_review": True}, token=team.admin
    )
    assert status == 200


def second_reviewer(team: Team) -> str:
    create_recruiter(team.company_id, "sam@acme.example.com", "Sam Second", Role.REVIEWER, PASSWORD)
    return team.sign_in("sam@acme.example.com")


def user_id(team: Team, token: str) -> str:
    return team.http.call("GET", "/me", token=token)[1]["recruiter"]["user_id"]


def leaks(body: Any, names: tuple[str, ...]) -> list[str]:
    """The names or addresses of candidates that appear anywhere in a response."""
    text = json.dumps(body)
    found = [n for n in names if f'"{n}"' in text]
    return found + [f"{n.lower()}@example.com" for n in names if f"{n.lower()}@example.com" in text]


def share(team: Team, token: str, invitation_id: str, mask_name: bool) -> tuple[dict, str]:
    status, link = team.http.call(
        "POST",
        f"/invitations/{invitation_id}/shares",
        {"expires_in_days": 3, "mask_name": mask_name},
        token=token,
    )
    assert status == 201, link
    return link, link["url"].split("#token=")[1]


def open_share(team: Team, token: str) -> tuple[int, Any]:
    return team.http.call("GET", "/shared", headers={"X-Share-Token": token})


# --- 1. blind review is blind ----------------------------------------------------------------


def test_in_blind_review_the_invitations_list_gives_reviewers_no_name_or_email(
    team: Team,
) -> None:
    team.invite("Ann", "Bo")
    path = f"/interviews/{team.interview_id}/invitations"
    blind(team)
    status, seen = team.http.call("GET", path, token=team.reviewer)
    assert status == 200
    assert len(seen["invitations"]) == 2
    assert leaks(seen, ("Ann", "Bo")) == []
    assert all(i["candidate_label"].startswith("Candidate ") for i in seen["invitations"])
    # admins always see who they invited
    _, listed = team.http.call("GET", path, token=team.admin)
    assert sorted(i["candidate_name"] for i in listed["invitations"]) == ["Ann", "Bo"]


def test_in_blind_review_no_reviewer_route_names_a_candidate(team: Team) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    team.review(team.admin, ann, 4)
    blind(team)
    routes = [
        f"/interviews/{team.interview_id}/pipeline",
        f"/interviews/{team.interview_id}/invitations",
        f"/interviews/{team.interview_id}/analytics",
        f"/invitations/{ann}",
        f"/invitations/{ann}/shares",
    ]
    for route in routes:
        status, body = team.http.call("GET", route, token=team.reviewer)
        assert status == 200, (route, body)
        assert leaks(body, ("Ann",)) == [], route
    _, reviewed = team.review(team.reviewer, ann, 3)
    assert leaks(reviewed, ("Ann",)) == []


def test_in_blind_review_each_reviewer_gets_the_candidates_in_a_stable_order_of_their_own(
    team: Team,
) -> None:
    team.invite(*NAMES)
    sam = second_reviewer(team)
    newest_first = [r["invitation_id"] for r in team.pipeline(team.admin)["candidates"]]
    blind(team)

    def order(token: str, limit: int) -> list[str]:
        seen: list[str] = []
        query = f"?limit={limit}"
        while True:
            page = team.pipeline(token, query)
            assert len(page["candidates"]) <= limit
            seen += [r["invitation_id"] for r in page["candidates"]]
            if not page["next_cursor"]:
                return seen
            query = f"?limit={limit}&cursor={page['next_cursor']}"

    rey_order = order(team.reviewer, 50)
    assert sorted(rey_order) == sorted(newest_first)  # every candidate, once
    assert order(team.reviewer, 3) == rey_order  # the same order across pages and visits
    sam_order = order(sam, 50)
    assert sorted(sam_order) == sorted(newest_first)
    # 8 candidates: two orders (or one and newest-first) agree by chance once in 40,320
    assert rey_order != sam_order
    assert rey_order != newest_first
    # admins keep the newest-first list; a cursor of the other list is refused
    assert [r["invitation_id"] for r in team.pipeline(team.admin)["candidates"]] == newest_first
    admin_page = team.pipeline(team.admin, "?limit=3")
    status, body = team.http.call(
        "GET",
        f"/interviews/{team.interview_id}/pipeline?cursor={admin_page['next_cursor']}",
        token=team.reviewer,
    )
    assert status == 400
    assert body["details"][0]["field"] == "cursor"


def test_in_blind_review_the_blind_pipeline_still_filters(team: Team) -> None:
    ann, _bo = team.invite("Ann", "Bo")
    team.complete("Ann")
    blind(team)
    rows = team.pipeline(team.reviewer, "?status=completed")["candidates"]
    assert [r["invitation_id"] for r in rows] == [ann]
    team.review(team.reviewer, ann, 4)
    rows = team.pipeline(team.reviewer, "?min_score=3.5")["candidates"]
    assert [(r["invitation_id"], r["average_score"]) for r in rows] == [(ann, 4)]
    assert team.pipeline(team.reviewer, "?stage=rejected")["candidates"] == []


def test_a_reviewers_share_link_in_blind_review_is_masked_whatever_they_ask(team: Team) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    _, before_blind = share(team, team.reviewer, ann, mask_name=False)
    _, admins = share(team, team.admin, ann, mask_name=False)
    blind(team)
    link, token = share(team, team.reviewer, ann, mask_name=False)
    assert link["mask_name"] is True
    status, shared = open_share(team, token)
    assert status == 200
    assert shared["invitation"]["candidate_name"].startswith("Candidate ")
    assert leaks(shared, ("Ann",)) == []
    # a link the reviewer made before the interview went blind no longer shows the name
    status, shared = open_share(team, before_blind)
    assert status == 200
    assert leaks(shared, ("Ann",)) == []
    # an admin chooses: their unmasked link still shows it
    assert open_share(team, admins)[1]["invitation"]["candidate_name"] == "Ann"


def test_a_share_link_stops_opening_once_its_creator_is_removed_from_the_team(
    team: Team,
) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    sam = second_reviewer(team)
    _, sams = share(team, sam, ann, mask_name=True)
    _, admins = share(team, team.admin, ann, mask_name=True)
    assert open_share(team, sams)[0] == 200
    status = team.http.call("DELETE", f"/team/{user_id(team, sam)}", token=team.admin)[0]
    assert status == 204
    status, body = open_share(team, sams)
    assert status == 410
    assert body["error"] == "gone"
    assert "left the team" in body["message"]
    assert "answers" not in body
    assert open_share(team, admins)[0] == 200  # links of people still in the team work


# --- 2. scores stay independent --------------------------------------------------------------


def test_a_reviewer_sees_no_score_count_or_score_filter_before_their_own_review(
    team: Team,
) -> None:
    ann, bo = team.invite("Ann", "Bo")
    team.complete("Ann")
    sam = second_reviewer(team)
    team.review(team.admin, ann, 5)
    team.review(sam, ann, 3)
    rows = {r["invitation_id"]: r for r in team.pipeline(team.reviewer)["candidates"]}
    assert (rows[ann]["average_score"], rows[ann]["reviews"], rows[ann]["my_review"]) == (
        None,
        None,
        False,
    )
    # the score filter would tell them which candidates colleagues scored high
    assert team.pipeline(team.reviewer, "?min_score=1")["candidates"] == []
    _, seen = team.detail(team.reviewer, ann)
    assert (seen["my_review"], seen["reviews"]) == (None, [])
    # once their own review is in, they see the aggregates of that candidate only
    team.review(team.reviewer, ann, 4)
    rows = {r["invitation_id"]: r for r in team.pipeline(team.reviewer)["candidates"]}
    assert (rows[ann]["average_score"], rows[ann]["reviews"]) == (4, 3)
    assert (rows[bo]["average_score"], rows[bo]["reviews"]) == (None, None)
    filtered = team.pipeline(team.reviewer, "?min_score=3.5")["candidates"]
    assert [r["invitation_id"] for r in filtered] == [ann]
    # admins run the process: they see every aggregate and filter on it
    row = next(r for r in team.pipeline(team.admin)["candidates"] if r["invitation_id"] == bo)
    assert (row["average_score"], row["reviews"]) == (None, 0)
    admin_rows = team.pipeline(team.admin, "?min_score=1")["candidates"]
    assert [r["invitation_id"] for r in admin_rows] == [ann]


def test_a_reviewers_analytics_use_only_the_candidates_they_reviewed(team: Team) -> None:
    ann, bo = team.invite("Ann", "Bo")
    team.complete("Ann")
    team.complete("Bo")
    sam = second_reviewer(team)
    path = f"/interviews/{team.interview_id}/analytics"
    team.review(team.admin, ann, 5)
    team.review(sam, ann, 1)
    team.review(team.admin, bo, 2)
    status, stats = team.http.call("GET", path, token=team.reviewer)
    assert status == 200
    assert [c["average"] for c in stats["criteria"]] == [None]
    assert stats["reviewer_agreement"] == {"candidates": 0, "average_spread": None}
    assert stats["scores_from"] == "reviewed_by_me"
    assert stats["funnel"]["completed"] == 2  # what is not derived from scores stays
    team.review(team.reviewer, ann, 3)
    _, stats = team.http.call("GET", path, token=team.reviewer)
    assert [c["average"] for c in stats["criteria"]] == [3]  # Ann's (5+1+3)/3, not Bo's 2
    assert stats["reviewer_agreement"] == {"candidates": 1, "average_spread": 4}
    _, everything = team.http.call("GET", path, token=team.admin)
    assert everything["scores_from"] == "all"
    assert [c["average"] for c in everything["criteria"]] == [2.5]


def test_a_private_note_is_seen_by_its_author_only(team: Team) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    _, mine = team.review(team.admin, ann, 5, note="Reminds me of my cousin")
    assert mine["my_review"]["note"] == "Reminds me of my cousin"
    _, theirs = team.review(team.reviewer, ann, 3, note="Rey's own thoughts")
    assert theirs["my_review"]["note"] == "Rey's own thoughts"
    assert [r["reviewer"]["name"] for r in theirs["reviews"]] == ["Ada Admin"]
    assert "cousin" not in json.dumps(theirs)
    _, seen = team.detail(team.reviewer, ann)
    assert "cousin" not in json.dumps(seen)
    _, admin_view = team.detail(team.admin, ann)
    assert admin_view["my_review"]["note"] == "Reminds me of my cousin"
    assert "own thoughts" not in json.dumps(admin_view)
    # the company export (an admin's, rendered by its job as here) carries their notes only
    me = team.http.call("GET", "/me", token=team.admin)[1]["recruiter"]
    principal = Principal(team.company_id, me["user_id"], me["email"], Role.ADMIN)
    export = views.company_export(privacy.export_company(principal))
    exported = export["interviews"][0]["candidates"][0]["reviews"]
    assert sorted(r["note"] or "" for r in exported) == ["", "Reminds me of my cousin"]


def test_scores_are_kept_against_the_rubric_the_candidate_was_invited_under(
    team: Team,
) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    clarity = team.criteria[0]
    team.review(team.admin, ann, 4)
    # the admin edits the rubric: Clarity goes, Empathy comes
    edited = {**INTERVIEW, "rubric": [{"name": "Empathy", "anchors": ["1", "2", "3", "4", "5"]}]}
    status, interview = team.http.call(
        "PUT", f"/interviews/{team.interview_id}", edited, token=team.admin
    )
    assert status == 200, interview
    empathy = interview["rubric"][0]["criterion_id"]
    # Ann was invited under Clarity: a reviewer still scores her on it and sees it
    status, saved = team.review(team.reviewer, ann, 2)
    assert status == 200, saved
    assert saved["my_review"]["scores"] == {team.questions[0]: {clarity: 2}}
    assert [r["scores"] for r in saved["reviews"]] == [{team.questions[0]: {clarity: 4}}]
    _, seen = team.detail(team.reviewer, ann)
    assert [(c["criterion_id"], c["name"]) for c in seen["interview"]["rubric"]] == [
        (clarity, "Clarity")
    ]
    status, refused = team.http.call(
        "PUT",
        f"/invitations/{ann}/review",
        {"scores": {team.questions[0]: {empathy: 3}}},
        token=team.reviewer,
    )
    assert status == 422
    assert refused["details"][0]["problem"] == "unknown_criterion"
    # analytics still show the scores given under the earlier rubric
    _, stats = team.http.call("GET", f"/interviews/{team.interview_id}/analytics", token=team.admin)
    assert {c["name"]: c["average"] for c in stats["criteria"]} == {"Empathy": None, "Clarity": 3}
    # a candidate invited after the edit is scored on the new rubric
    [bo] = team.invite("Bo")
    _, bo_view = team.detail(team.admin, bo)
    assert [c["name"] for c in bo_view["interview"]["rubric"]] == ["Empathy"]
    status, _ = team.http.call(
        "PUT",
        f"/invitations/{bo}/review",
        {"scores": {bo_view["answers"][0]["question_id"]: {empathy: 5}}},
        token=team.admin,
    )
    assert status == 200


def test_a_score_filter_that_is_not_a_number_is_a_400(team: Team) -> None:
    for value in ("nan", "inf", "-Infinity", "high"):
        status, body = team.http.call(
            "GET", f"/interviews/{team.interview_id}/pipeline?min_score={value}", token=team.admin
        )
        assert status == 400, (value, body)
        assert body["details"][0]["field"] == "min_score"


def test_admins_who_choose_it_see_blind_candidates_by_label_too(team: Team) -> None:
    [ann] = team.invite("Ann")
    team.complete("Ann")
    path = f"/interviews/{team.interview_id}/settings"
    body = {"blind_review": True, "hide_names_from_admins": True}
    status, interview = team.http.call("PUT", path, body, token=team.admin)
    assert status == 200
    assert interview["hide_names_from_admins"] is True
    routes = [
        f"/interviews/{team.interview_id}/pipeline",
        f"/interviews/{team.interview_id}/invitations",
        f"/invitations/{ann}",
    ]
    for route in routes:
        status, seen = team.http.call("GET", route, token=team.admin)
        assert status == 200, (route, seen)
        assert leaks(seen, ("Ann",)) == [], route
    # the admin's own share link is masked, whatever they ask
    link, token = share(team, team.admin, ann, mask_name=False)
    assert link["mask_name"] is True
    assert leaks(open_share(team, token)[1], ("Ann",)) == []
    # blind for reviewers only again: the admin sees the name
    status, interview = team.http.call("PUT", path, {"blind_review": True}, token=team.admin)
    assert interview["hide_names_from_admins"] is False
    _, seen = team.http.call("GET", f"/invitations/{ann}", token=team.admin)
    assert seen["invitation"]["candidate_name"] == "Ann"
