"""Recruiters build interviews and invite candidates; other companies see none of it."""

from __future__ import annotations

import pytest

from tests.drivers.api import (
    INTERVIEW,
    PASSWORD,
    Candidate,
    Http,
    create,
    job,
    links_sent_to,
    queued_jobs,
    run_jobs,
    sent_emails,
    session,
    sign_up,
)


@pytest.fixture
def token(admin: dict) -> str:
    return admin["tokens"]["id_token"]


def test_an_admin_creates_an_interview_with_questions_and_a_rubric(http: Http, token: str) -> None:
    interview = create(http, token)
    assert interview["title"] == "Support Specialist"
    assert [q["answer_type"] for q in interview["questions"]] == ["video", "audio", "text"]
    assert all(q["question_id"] for q in interview["questions"])
    # A text answer has no recording length and no retakes, whatever was sent
    assert interview["questions"][2]["max_answer_seconds"] == 0
    assert interview["questions"][2]["retakes"] == 0
    assert interview["rubric"][0]["anchors"] == ["1", "2", "3", "4", "5"]
    assert interview["deadline_days"] == 5
    _, listed = http.call("GET", "/interviews", token=token)
    assert [i["interview_id"] for i in listed["interviews"]] == [interview["interview_id"]]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"questions": []}, "questions"),
        ({"rubric": [{"name": "Clarity", "anchors": ["1", "2"]}]}, "rubric.0.anchors"),
        ({"questions": [{"text": "Q", "max_answer_seconds": 5}]}, "questions.0"),
        ({"questions": [{"text": "Q", "answer_type": "essay"}]}, "questions.0.answer_type"),
        ({"deadline_days": 0}, "deadline_days"),
    ],
)
def test_an_invalid_interview_is_refused_naming_the_field(
    http: Http, token: str, changes: dict, field: str
) -> None:
    status, body = http.call("POST", "/interviews", {**INTERVIEW, **changes}, token=token)
    assert status == 422
    assert field in [d["field"] for d in body["details"]]


def test_a_reviewer_reads_interviews_but_cannot_create_or_invite(
    aws: dict, http: Http, token: str, admin: dict
) -> None:
    from chalicelib.domain.auth import Role
    from chalicelib.domain.identity import create_recruiter

    interview = create(http, token)
    create_recruiter(
        admin["company"]["company_id"], "rey@acme.example.com", "Rey", Role.REVIEWER, PASSWORD
    )
    reviewer = http.call(
        "POST", "/auth/signin", {"email": "rey@acme.example.com", "password": PASSWORD}
    )[1]["id_token"]
    path = f"/interviews/{interview['interview_id']}"
    assert http.call("GET", path, token=reviewer)[0] == 200
    assert http.call("POST", "/interviews", INTERVIEW, token=reviewer)[0] == 403
    assert http.call("PUT", path, INTERVIEW, token=reviewer)[0] == 403
    invite = {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}
    assert http.call("POST", f"{path}/invitations", invite, token=reviewer)[0] == 403
    assert sent_emails() == []


def test_another_company_gets_404_for_every_interview_and_invitation_route(
    http: Http, token: str
) -> None:
    interview = create(http, token)
    http.call(
        "POST",
        f"/interviews/{interview['interview_id']}/invitations",
        {"candidates": [{"name": "Sam", "email": "sam@example.com"}]},
        token=token,
    )
    invitation_id = http.call(
        "GET", f"/interviews/{interview['interview_id']}/invitations", token=token
    )[1]["invitations"][0]["invitation_id"]
    other = sign_up(http, email="eve@globex.example.com", company="Globex")["tokens"]["id_token"]
    path = f"/interviews/{interview['interview_id']}"
    calls = [
        ("GET", path, None),
        ("PUT", path, INTERVIEW),
        ("POST", f"{path}/duplicate", None),
        ("POST", f"{path}/archive", None),
        ("PUT", f"{path}/apply-link", {"enabled": True}),
        ("GET", f"{path}/invitations", None),
        ("POST", f"{path}/invitations", {"candidates": [{"name": "E", "email": "e@x.io"}]}),
        ("POST", f"/invitations/{invitation_id}/resend", None),
        ("POST", f"/invitations/{invitation_id}/extend", {"days": 3}),
        ("POST", f"/invitations/{invitation_id}/revoke", None),
        ("PATCH", f"/invitations/{invitation_id}", {"time_multiplier": 2}),
    ]
    for method, route, body in calls:
        status, error = http.call(method, route, body, token=other)
        assert status == 404, (method, route, status)
        assert interview["interview_id"] not in str(error)
    assert http.call("GET", "/interviews", token=other)[1] == {"interviews": []}
    # and nothing changed for the owner
    assert http.call("GET", path, token=token)[1]["status"] == "active"
    assert len(links_sent_to("sam@example.com")) == 1


def test_editing_an_interview_never_changes_a_live_invitation(http: Http, token: str) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}"
    http.call(
        "POST",
        f"{path}/invitations",
        {"candidates": [{"name": "Sam", "email": "sam@example.com"}]},
        token=token,
    )
    edited = {**INTERVIEW, "title": "Senior Support", "questions": [{"text": "Only one now"}]}
    status, updated = http.call("PUT", path, edited, token=token)
    assert status == 200
    assert updated["title"] == "Senior Support"
    [link] = links_sent_to("sam@example.com")
    _, seen = session(http, link)
    assert seen["interview"]["title"] == "Support Specialist"
    # each question's wording reaches the candidate once they open it
    sam = Candidate(http, link)
    sam.call("POST", "/consent", {"accepted": True})
    seen["questions"] = [
        sam.call("POST", f"/questions/{q['question_id']}/open")[1] for q in seen["questions"]
    ]
    assert [q["text"] for q in seen["questions"]] == [q["text"] for q in INTERVIEW["questions"]]


def test_duplicating_makes_a_new_editable_copy(http: Http, token: str) -> None:
    interview = create(http, token)
    status, copy = http.call(
        "POST", f"/interviews/{interview['interview_id']}/duplicate", token=token
    )
    assert status == 201
    assert copy["interview_id"] != interview["interview_id"]
    assert copy["title"] == "Support Specialist (copy)"
    assert [q["text"] for q in copy["questions"]] == [q["text"] for q in interview["questions"]]
    assert copy["rubric"][0]["name"] == "Clarity"


def test_an_archived_interview_takes_no_invitations_and_leaves_the_list(
    http: Http, token: str
) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}"
    assert http.call("POST", f"{path}/archive", token=token)[1]["status"] == "archived"
    status, body = http.call(
        "POST",
        f"{path}/invitations",
        {"candidates": [{"name": "S", "email": "s@example.com"}]},
        token=token,
    )
    assert status == 409
    assert "archived" in body["message"]
    assert http.call("PUT", path, INTERVIEW, token=token)[0] == 409
    assert http.call("GET", "/interviews", token=token)[1]["interviews"] == []
    archived = http.call("GET", "/interviews?archived=true", token=token)[1]["interviews"]
    assert [i["interview_id"] for i in archived] == [interview["interview_id"]]


def test_inviting_by_csv_reports_each_row_and_never_emails_twice(http: Http, token: str) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    http.call(
        "POST", path, {"candidates": [{"name": "Old", "email": "old@example.com"}]}, token=token
    )
    csv_text = "\n".join(
        [
            "name,email",
            "Ann Lee,ann@example.com",
            "Bad Email,not-an-email",
            "Only a name",
            "Ann Again,ANN@example.com",
            "Old Timer,old@example.com",
            '"Ng, Bo",bo@example.com',
        ]
    )
    status, started = http.call(
        "POST",
        f"/interviews/{interview['interview_id']}/invitation-jobs",
        {"csv": csv_text},
        token=token,
    )
    assert status == 202, started
    run_jobs()
    done = job(http, token, started["job_id"])
    assert done["status"] == "done"
    report = done["report"]
    assert [(r["row"], r["email"]) for r in report["invited"]] == [
        (2, "ann@example.com"),
        (7, "bo@example.com"),
    ]
    assert [r["row"] for r in report["errors"]] == [3, 4]
    assert "email" in report["errors"][0]["reason"]
    assert report["errors"][1]["reason"] == "expected two columns: name,email"
    assert [(r["row"], r["reason"]) for r in report["duplicates"]] == [
        (5, "repeated in this list"),
        (6, "already invited to this interview"),
    ]
    assert report["summary"] == {"invited": 2, "duplicates": 2, "errors": 2}
    assert len(links_sent_to("ann@example.com")) == 1
    assert len(links_sent_to("old@example.com")) == 1
    listed = http.call("GET", path, token=token)[1]["invitations"]
    names = {i["candidate_name"] for i in listed}
    assert names == {"Old", "Ann Lee", "Ng, Bo"}


def test_more_than_a_thousand_rows_is_refused_before_anyone_is_invited(
    http: Http, token: str
) -> None:
    interview = create(http, token)
    csv_text = "\n".join(f"C {n},c{n}@example.com" for n in range(1001))
    status, body = http.call(
        "POST",
        f"/interviews/{interview['interview_id']}/invitation-jobs",
        {"csv": csv_text},
        token=token,
    )
    assert status == 422
    assert "1000" in body["message"]
    assert sent_emails() == []
    assert queued_jobs() == []


def test_the_invitation_email_is_personal(http: Http, token: str) -> None:
    interview = create(http, token)
    http.call(
        "POST",
        f"/interviews/{interview['interview_id']}/invitations",
        {"candidates": [{"name": "Sam Lee", "email": "sam@example.com"}]},
        token=token,
    )
    [email] = sent_emails()
    assert email["subject"] == "Acme invites you to a video interview: Support Specialist"
    assert "Hello Sam Lee" in email["body"]
    assert "hiring@acme.example.com" in email["body"]


def test_resend_issues_a_fresh_link_and_the_old_one_stops_working(http: Http, token: str) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    http.call(
        "POST", path, {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}, token=token
    )
    invitation_id = http.call("GET", path, token=token)[1]["invitations"][0]["invitation_id"]
    assert http.call("POST", f"/invitations/{invitation_id}/resend", token=token)[0] == 200
    old, new = links_sent_to("sam@example.com")
    assert session(http, old)[0] == 401
    assert session(http, new)[0] == 200


def test_extending_a_deadline_reopens_an_expired_invitation(http: Http, token: str) -> None:
    from datetime import timedelta

    from chalicelib.data.models import Invitation, utcnow

    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    http.call(
        "POST", path, {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}, token=token
    )
    listed = http.call("GET", path, token=token)[1]["invitations"][0]
    [link] = links_sent_to("sam@example.com")
    stored = Invitation.get(
        *Invitation.key(
            http.call("GET", "/me", token=token)[1]["company"]["company_id"],
            listed["invitation_id"],
        )
    )
    stored.update(actions=[Invitation.deadline.set(utcnow() - timedelta(hours=1))])
    status, body = session(http, link)
    assert status == 410
    assert "deadline for this interview passed" in body["message"]
    assert "hiring@acme.example.com" in body["message"]
    status, _ = http.call(
        "POST", f"/invitations/{listed['invitation_id']}/extend", {"days": 3}, token=token
    )
    assert status == 200
    assert session(http, link)[0] == 200


def test_a_revoked_invitation_cannot_be_opened(http: Http, token: str) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    http.call(
        "POST", path, {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}, token=token
    )
    invitation_id = http.call("GET", path, token=token)[1]["invitations"][0]["invitation_id"]
    assert http.call("POST", f"/invitations/{invitation_id}/revoke", token=token)[0] == 200
    [link] = links_sent_to("sam@example.com")
    status, body = session(http, link)
    assert status == 410
    assert body["message"].startswith("This interview link has been withdrawn.")


def test_extra_time_multiplies_think_and_answer_limits(http: Http, token: str) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    http.call(
        "POST",
        path,
        {"candidates": [{"name": "Sam", "email": "sam@example.com", "time_multiplier": 1.5}]},
        token=token,
    )
    [link] = links_sent_to("sam@example.com")
    first = session(http, link)[1]["questions"][0]
    assert (first["think_seconds"], first["max_answer_seconds"]) == (45, 90)
    invitation_id = http.call("GET", path, token=token)[1]["invitations"][0]["invitation_id"]
    http.call("PATCH", f"/invitations/{invitation_id}", {"time_multiplier": 2}, token=token)
    first = session(http, link)[1]["questions"][0]
    assert (first["think_seconds"], first["max_answer_seconds"]) == (60, 120)


def test_invitations_list_in_pages_with_a_cursor(http: Http, token: str) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    candidates = [{"name": f"C{n}", "email": f"c{n}@example.com"} for n in range(5)]
    http.call("POST", path, {"candidates": candidates}, token=token)
    first = http.call("GET", f"{path}?limit=3", token=token)[1]
    assert len(first["invitations"]) == 3
    second = http.call("GET", f"{path}?limit=3&cursor={first['next_cursor']}", token=token)[1]
    assert len(second["invitations"]) == 2
    seen = {i["candidate_email"] for i in first["invitations"] + second["invitations"]}
    assert seen == {c["email"] for c in candidates}


def test_the_public_apply_link_invites_applicants_up_to_the_cap(http: Http, token: str) -> None:
    interview = create(http, token)
    status, updated = http.call(
        "PUT",
        f"/interviews/{interview['interview_id']}/apply-link",
        {"enabled": True, "cap": 2},
        token=token,
    )
    assert status == 200
    code = updated["apply"]["url"].split("#code=")[1]
    status, info = http.call("GET", f"/apply/{code}")
    assert status == 200
    assert info["interview"]["title"] == "Support Specialist"
    assert (
        http.call("POST", f"/apply/{code}", {"name": "Ann", "email": "ann@example.com"})[0] == 202
    )
    assert len(links_sent_to("ann@example.com")) == 1
    # the same address again is accepted quietly but gets no second invitation
    assert (
        http.call("POST", f"/apply/{code}", {"name": "Ann", "email": "ann@example.com"})[0] == 202
    )
    assert len(links_sent_to("ann@example.com")) == 1
    # ...and takes no place under the cap: the second applicant still gets in
    assert http.call("POST", f"/apply/{code}", {"name": "Bo", "email": "bo@example.com"})[0] == 202
    status, body = http.call("POST", f"/apply/{code}", {"name": "Cy", "email": "cy@example.com"})
    assert status == 410
    assert "all the applications" in body["message"]
    http.call(
        "PUT",
        f"/interviews/{interview['interview_id']}/apply-link",
        {"enabled": False},
        token=token,
    )
    assert http.call("GET", f"/apply/{code}")[0] == 410
    assert http.call("GET", "/apply/not-a-code")[0] == 404
