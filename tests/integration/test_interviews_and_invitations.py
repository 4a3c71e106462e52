"""Recruiters build interviews and invite candidates; other companies see none of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

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


def test_an_interview_has_a_language_and_time_zone_its_invitations_carry(
    http: Http, token: str
) -> None:
    # GIVEN an interview in French, set in Paris time
    interview = create(http, token, language="fr", time_zone="Europe/Paris")
    assert (interview["language"], interview["time_zone"]) == ("fr", "Europe/Paris")
    path = f"/interviews/{interview['interview_id']}"
    # WHEN a candidate is invited and the interview is then edited
    http.call(
        "POST",
        f"{path}/invitations",
        {"candidates": [{"name": "Sam", "email": "s@x.io"}]},
        token=token,
    )
    edited = {**INTERVIEW, "language": "ar", "time_zone": "Asia/Tokyo"}
    status, updated = http.call("PUT", path, edited, token=token)
    assert (status, updated["language"], updated["time_zone"]) == (200, "ar", "Asia/Tokyo")
    # THEN the candidate keeps the snapshot taken when invited
    _, seen = session(http, links_sent_to("s@x.io")[0])
    assert (seen["language"], seen["time_zone"]) == ("fr", "Europe/Paris")
    listed = http.call("GET", f"{path}/invitations", token=token)[1]["invitations"][0]
    assert (listed["language"], listed["time_zone"]) == ("fr", "Europe/Paris")
    # AND a copy keeps the edited settings; an interview sent without them reads en/UTC
    copy = http.call("POST", f"{path}/duplicate", token=token)[1]
    assert (copy["language"], copy["time_zone"]) == ("ar", "Asia/Tokyo")
    plain = create(http, token)
    assert (plain["language"], plain["time_zone"]) == ("en", "UTC")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"questions": []}, "questions"),
        ({"rubric": [{"name": "Clarity", "anchors": ["1", "2"]}]}, "rubric.0.anchors"),
        ({"questions": [{"text": "Q", "max_answer_seconds": 5}]}, "questions.0"),
        ({"questions": [{"text": "Q", "answer_type": "essay"}]}, "questions.0.answer_type"),
        ({"deadline_days": 0}, "deadline_days"),
        ({"language": "xx"}, "language"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "+02:00"}, "time_zone"),
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
    day = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    invite = {"candidates": [{"name": "Sam", "email": "sam@example.com"}], "deadline_date": day}
    assert http.call("POST", f"{path}/invitations", invite, token=reviewer)[0] == 403
    assert http.call("POST", f"{path}/invitation-jobs", invite, token=reviewer)[0] == 403
    assert sent_emails() == []
    # nor resend, replace a link or move a deadline
    http.call("POST", f"{path}/invitations", invite, token=token)
    sam = http.call("GET", f"{path}/invitations", token=token)[1]["invitations"][0]
    for action, body in (("resend", None), ("new-link", None), ("extend", {"deadline_date": day})):
        route = f"/invitations/{sam['invitation_id']}/{action}"
        assert http.call("POST", route, body, token=reviewer)[0] == 403, action
    assert len(sent_emails()) == 1


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
        ("POST", f"/invitations/{invitation_id}/new-link", None),
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


def test_resend_emails_the_same_link_and_the_first_one_still_opens(http: Http, token: str) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    http.call(
        "POST", path, {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}, token=token
    )
    invitation_id = http.call("GET", path, token=token)[1]["invitations"][0]["invitation_id"]
    assert http.call("POST", f"/invitations/{invitation_id}/resend", token=token)[0] == 200
    first, again = links_sent_to("sam@example.com")
    assert again == first
    assert session(http, first)[0] == 200


def test_a_new_link_replaces_the_old_one_which_then_stops_working(http: Http, token: str) -> None:
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    http.call(
        "POST", path, {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}, token=token
    )
    invitation_id = http.call("GET", path, token=token)[1]["invitations"][0]["invitation_id"]
    assert http.call("POST", f"/invitations/{invitation_id}/new-link", token=token)[0] == 200
    old, new = links_sent_to("sam@example.com")
    assert session(http, old)[0] == 401
    assert session(http, new)[0] == 200


def test_the_link_token_is_never_stored_in_plaintext(aws: dict, http: Http, token: str) -> None:
    from chalicelib.adapters.aws import client
    from chalicelib.config import get_settings

    # GIVEN a candidate invited, resent, then sent a new link
    interview = create(http, token)
    path = f"/interviews/{interview['interview_id']}/invitations"
    http.call(
        "POST", path, {"candidates": [{"name": "Sam", "email": "sam@example.com"}]}, token=token
    )
    invitation_id = http.call("GET", path, token=token)[1]["invitations"][0]["invitation_id"]
    http.call("POST", f"/invitations/{invitation_id}/resend", token=token)
    http.call("POST", f"/invitations/{invitation_id}/new-link", token=token)
    tokens = set(links_sent_to("sam@example.com"))
    assert len(tokens) == 2
    # WHEN the whole table is read as stored
    table = get_settings().table_name
    items = client("dynamodb").scan(TableName=table)["Items"]
    stored = str(items)
    # THEN no token appears in it, though the invitation keeps its current one sealed
    for link_token in tokens:
        assert link_token not in stored
    [invitation] = [
        i
        for i in items
        if i.get("invitation_id", {}).get("S") == invitation_id and i["kind"]["S"] == "Invitation"
    ]
    assert len(invitation["sealed_token"]["S"]) > 100


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


# --- deadlines as a date in the interview's time zone ----------------------------------------


def _next(month: int, day: int) -> date:
    """The next `month`/`day` after today (always within a year)."""
    today = datetime.now(UTC).date()
    this_year = date(today.year, month, day)
    return this_year if this_year > today + timedelta(days=1) else date(today.year + 1, month, day)


def _invite(http: Http, token: str, interview_id: str, email: str, **deadline: Any) -> Any:
    body = {"candidates": [{"name": "Sam", "email": email}], **deadline}
    return http.call("POST", f"/interviews/{interview_id}/invitations", body, token=token)


def _listed(http: Http, token: str, interview_id: str, email: str) -> dict:
    listed = http.call("GET", f"/interviews/{interview_id}/invitations", token=token)[1]
    return next(i for i in listed["invitations"] if i["candidate_email"] == email)


def test_a_deadline_date_alone_ends_at_23_59_in_the_interviews_time_zone(
    http: Http, token: str
) -> None:
    # GIVEN an interview set in Tokyo time (UTC+9 all year)
    interview = create(http, token, time_zone="Asia/Tokyo")
    day = datetime.now(UTC).date() + timedelta(days=20)
    # WHEN a candidate is invited with a deadline date and no time
    status, report = _invite(
        http, token, interview["interview_id"], "sam@example.com", deadline_date=day.isoformat()
    )
    assert status == 200, report
    # THEN the deadline is 23:59 that day in Tokyo, and is shown in Tokyo's zone
    found = _listed(http, token, interview["interview_id"], "sam@example.com")
    assert datetime.fromisoformat(found["deadline"]) == datetime.combine(
        day, time(14, 59), tzinfo=UTC
    )
    assert found["time_zone"] == "Asia/Tokyo"
    _, seen = session(http, links_sent_to("sam@example.com")[0])
    assert seen["time_zone"] == "Asia/Tokyo"


def test_the_same_wall_clock_deadline_follows_summer_time(http: Http, token: str) -> None:
    # GIVEN an interview in UTC, and deadlines picked at 17:00 Paris time in summer and winter
    interview = create(http, token)
    iid = interview["interview_id"]
    summer, winter = _next(7, 1), _next(1, 15)
    for email, day in (("summer@example.com", summer), ("winter@example.com", winter)):
        status, report = _invite(
            http,
            token,
            iid,
            email,
            deadline_date=day.isoformat(),
            deadline_time="17:00",
            time_zone="Europe/Paris",
        )
        assert status == 200, report
    # THEN each is 17:00 on Paris's wall clock: 15:00 UTC in summer, 16:00 UTC in winter
    in_summer = datetime.fromisoformat(_listed(http, token, iid, "summer@example.com")["deadline"])
    in_winter = datetime.fromisoformat(_listed(http, token, iid, "winter@example.com")["deadline"])
    assert in_summer == datetime.combine(summer, time(15, 0), tzinfo=UTC)
    assert in_winter == datetime.combine(winter, time(16, 0), tzinfo=UTC)
    # AND the zone picked for the deadline is the one it is shown in
    assert _listed(http, token, iid, "summer@example.com")["time_zone"] == "Europe/Paris"


@pytest.mark.parametrize(
    ("deadline", "field"),
    [
        ({"deadline_date": "2020-01-01"}, "deadline_date"),
        ({"deadline_date": "24/12/2026"}, "deadline_date"),
        ({"deadline_date": "2026-02-30"}, "deadline_date"),
        ({"deadline_date": "FAR"}, "deadline_date"),
        ({"deadline_date": "SOON", "deadline_time": "25:00"}, "deadline_time"),
        ({"deadline_date": "SOON", "time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"deadline_time": "17:00"}, "deadline_date"),
        ({"deadline_days": 0}, "deadline_days"),
    ],
)
def test_a_bad_deadline_is_refused_naming_its_field_and_nobody_is_invited(
    http: Http, token: str, deadline: dict, field: str
) -> None:
    interview = create(http, token)
    today = datetime.now(UTC).date()
    values = {
        "FAR": (today + timedelta(days=400)).isoformat(),
        "SOON": (today + timedelta(days=10)).isoformat(),
    }
    deadline = {k: values.get(v, v) if isinstance(v, str) else v for k, v in deadline.items()}
    status, body = _invite(http, token, interview["interview_id"], "sam@example.com", **deadline)
    assert status == 422, body
    assert field in [d["field"] for d in body["details"]], body
    assert sent_emails() == []


def test_deadline_days_still_count_from_now_for_api_clients(http: Http, token: str) -> None:
    interview = create(http, token)
    status, _ = _invite(http, token, interview["interview_id"], "sam@example.com", deadline_days=3)
    assert status == 200
    found = _listed(http, token, interview["interview_id"], "sam@example.com")
    left = datetime.fromisoformat(found["deadline"]) - datetime.now(UTC)
    assert timedelta(days=2, hours=23) < left <= timedelta(days=3)


def test_a_bulk_invitation_gives_every_row_the_deadline_picked(http: Http, token: str) -> None:
    interview = create(http, token, time_zone="America/Sao_Paulo")
    day = datetime.now(UTC).date() + timedelta(days=15)
    status, started = http.call(
        "POST",
        f"/interviews/{interview['interview_id']}/invitation-jobs",
        {"csv": "Ann,ann@example.com\nBo,bo@example.com", "deadline_date": day.isoformat()},
        token=token,
    )
    assert status == 202, started
    run_jobs()
    listed = http.call("GET", f"/interviews/{interview['interview_id']}/invitations", token=token)[
        1
    ]["invitations"]
    # 23:59 in São Paulo (UTC-3) is 02:59 UTC the next day
    expected = datetime.combine(day + timedelta(days=1), time(2, 59), tzinfo=UTC)
    assert [datetime.fromisoformat(i["deadline"]) for i in listed] == [expected, expected]


def test_extending_to_a_date_sets_that_deadline_in_the_invitations_zone(
    http: Http, token: str
) -> None:
    interview = create(http, token, time_zone="Asia/Tokyo")
    _invite(http, token, interview["interview_id"], "sam@example.com")
    found = _listed(http, token, interview["interview_id"], "sam@example.com")
    path = f"/invitations/{found['invitation_id']}/extend"
    # WHEN the deadline moves to a date, at 09:00
    day = datetime.now(UTC).date() + timedelta(days=40)
    status, extended = http.call(
        "POST", path, {"deadline_date": day.isoformat(), "deadline_time": "09:00"}, token=token
    )
    assert status == 200, extended
    # THEN it is 09:00 Tokyo time (00:00 UTC)
    assert datetime.fromisoformat(extended["deadline"]) == datetime.combine(
        day, time(0, 0), tzinfo=UTC
    )
    # AND a date before the current deadline, or a past one, is refused naming the field
    earlier = (day - timedelta(days=1)).isoformat()
    for bad in (earlier, "2020-01-01"):
        status, refused = http.call("POST", path, {"deadline_date": bad}, token=token)
        assert status == 422, refused
        assert refused["details"][0]["field"] == "deadline_date"
    # AND `days` alone still works, and an empty body says what to give
    assert http.call("POST", path, {"days": 2}, token=token)[0] == 200
    status, refused = http.call("POST", path, {}, token=token)
    assert status == 422
