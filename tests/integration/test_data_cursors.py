"""Paged lists over HTTP: a cursor works only for the list that issued it, else a 400."""

from __future__ import annotations

import pytest

from tests.drivers.api import Http, sign_up

INTERVIEW = {
    "title": "Support Specialist",
    "questions": [{"text": "Tell us about yourself.", "max_answer_seconds": 60}],
    "deadline_days": 5,
}


def _interview(http: Http, token: str) -> str:
    status, body = http.call("POST", "/interviews", INTERVIEW, token=token)
    assert status == 201, body
    return body["interview_id"]


def _invite(http: Http, token: str, interview_id: str, *names: str) -> None:
    candidates = [{"name": n, "email": f"{n.lower()}@example.com"} for n in names]
    status, body = http.call(
        "POST", f"/interviews/{interview_id}/invitations", {"candidates": candidates}, token=token
    )
    assert status == 200, body


def _refused(http: Http, token: str, path: str) -> None:
    status, body = http.call("GET", path, token=token)
    assert status == 400, body
    assert body["error"] == "bad_request"
    assert body["details"][0]["field"] == "cursor"


@pytest.fixture
def acme(http: Http) -> str:
    return sign_up(http)["tokens"]["id_token"]


def test_the_next_page_follows_the_cursor_and_the_last_page_has_none(http: Http, acme: str) -> None:
    interview = _interview(http, acme)
    _invite(http, acme, interview, "Ann", "Ben", "Cat")
    seen: list[str] = []
    path = f"/interviews/{interview}/invitations?limit=2"
    status, page = http.call("GET", path, token=acme)
    while True:
        assert status == 200, page
        seen += [i["candidate_name"] for i in page["invitations"]]
        if not page["next_cursor"]:
            break
        status, page = http.call("GET", f"{path}&cursor={page['next_cursor']}", token=acme)
    assert sorted(seen) == ["Ann", "Ben", "Cat"]


def test_a_cursor_that_was_altered_is_a_400_naming_the_cursor(http: Http, acme: str) -> None:
    interview = _interview(http, acme)
    _invite(http, acme, interview, "Ann", "Ben")
    cursor = http.call("GET", f"/interviews/{interview}/invitations?limit=1", token=acme)[1][
        "next_cursor"
    ]
    assert cursor
    _refused(http, acme, f"/interviews/{interview}/invitations?cursor={cursor[:-4]}")
    _refused(http, acme, f"/interviews/{interview}/invitations?cursor=not-a-cursor")
    _refused(http, acme, f"/interviews/{interview}/pipeline?cursor=not-a-cursor")
    _refused(http, acme, "/audit?cursor=not-a-cursor")
    _refused(http, acme, "/webhooks/deliveries?cursor=not-a-cursor")


def test_a_cursor_from_another_interview_or_company_is_refused(http: Http, acme: str) -> None:
    # GIVEN a cursor into one of Acme's interviews
    first, second = _interview(http, acme), _interview(http, acme)
    _invite(http, acme, first, "Ann", "Ben")
    cursor = http.call("GET", f"/interviews/{first}/invitations?limit=1", token=acme)[1][
        "next_cursor"
    ]
    assert cursor
    # WHEN it is used for Acme's other interview THEN it is refused
    _refused(http, acme, f"/interviews/{second}/invitations?cursor={cursor}")
    # AND another company using it on its own interview is refused too
    globex = sign_up(http, email="gus@globex.example.com", company="Globex")["tokens"]["id_token"]
    theirs = _interview(http, globex)
    _refused(http, globex, f"/interviews/{theirs}/invitations?cursor={cursor}")
