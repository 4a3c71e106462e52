"""Decision email templates: every runaway or broken one is a 422 naming it, never a 500.

Saved templates are tried on several sample names; one that still fails on a real
candidate refuses the stage change before anything changes, and says so.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.drivers.api import Http, Team, sent_emails

GOOD = {
    "advanced": {"subject": "Good news, {{ candidate_name }}", "body": "See you soon."},
    "rejected": {"subject": "Thanks {{ candidate_name }}", "body": "Not this time."},
}


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def save(team: Team, part: str, text: str) -> tuple[int, Any]:
    templates = {**GOOD, "rejected": {**GOOD["rejected"], part: text}}
    return team.http.call("PUT", "/company/templates", templates, token=team.admin)


@pytest.mark.parametrize(
    ("part", "text", "says"),
    [
        ("body", "{{ 1/0 }}", "division by zero"),
        ("subject", "Hi {{ 10**5000 }}", "a number too large"),
        ("body", "{% for i in range(10**9) %}x{% endfor %}", "range() was given 1,000,000,000"),
        (
            "body",
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "repeats too much work",
        ),
        ("body", '{{ "x" * 10**8 }}', "it builds a text over 20,000 characters"),
        ("body", '{% for i in range(1000) %}{{ "x" * 10000 }}{% endfor %}', "longer than 20,000"),
        ("subject", "{{ candidate_name * 20 }}", "longer than 500 characters"),
        ("body", "Dear {{ candidate_name.split()[1] }}", "line 1:"),
    ],
)
def test_a_template_that_fails_or_runs_away_is_refused_on_save_with_a_422_naming_it(
    team: Team, part: str, text: str, says: str
) -> None:
    # WHEN an admin saves it
    started = time.monotonic()
    status, body = save(team, part, text)
    # THEN it is refused promptly, naming the field and the problem
    assert time.monotonic() - started < 5
    assert status == 422, body
    assert body["error"] == "invalid_input"
    (detail,) = body["details"]
    assert detail["field"] == f"rejected.{part}"
    assert says in detail["message"]
    assert says in body["message"]
    # AND the templates in use are unchanged
    status, current = team.http.call("GET", "/company/templates", token=team.admin)
    assert text not in str(current)


def test_a_template_failing_on_a_real_name_refuses_the_stage_change_before_anything_changes(
    team: Team,
) -> None:
    # GIVEN a template that renders for every sample name but not for a three-letter one
    (ann,) = team.invite("Ann")
    fragile = "Dear {{ candidate_name }}, you are number {{ 100 // (candidate_name|length - 3) }}"
    assert save(team, "body", fragile)[0] == 200
    mail_before = len(sent_emails())
    # WHEN the admin rejects Ann and asks to email her
    status, body = team.http.call(
        "POST", f"/invitations/{ann}/stage", {"stage": "rejected", "notify": True}, token=team.admin
    )
    # THEN the change is refused with a 422 saying why and what to do
    assert status == 422, body
    assert "division by zero" in body["message"]
    assert "Nothing was changed" in body["message"]
    assert body["details"][0]["field"] == "rejected.body"
    # AND nothing changed: Ann is still new, and no email went out
    status, detail = team.detail(team.admin, ann)
    assert detail["invitation"]["stage"] == "new"
    assert len(sent_emails()) == mail_before
    # AND the same change without the email goes through
    status, moved = team.http.call(
        "POST",
        f"/invitations/{ann}/stage",
        {"stage": "rejected", "notify": False},
        token=team.admin,
    )
    assert (status, moved["stage"], moved["notified"]) == (200, "rejected", False)


def test_the_preview_of_a_template_failing_on_a_real_name_says_so_and_sends_nothing(
    team: Team,
) -> None:
    # GIVEN the fragile template that fails on a three-letter name, and Ann
    (ann,) = team.invite("Ann")
    fragile = "Dear {{ candidate_name }}, you are number {{ 100 // (candidate_name|length - 3) }}"
    assert save(team, "body", fragile)[0] == 200
    mail_before = len(sent_emails())
    # WHEN the admin previews the rejection
    status, body = team.http.call(
        "POST", f"/invitations/{ann}/decision-preview", {"stage": "rejected"}, token=team.admin
    )
    # THEN the preview gives the same 422 the stage change would, and nothing is sent
    assert status == 422, body
    assert body["details"][0]["field"] == "rejected.body"
    assert "division by zero" in body["message"]
    assert len(sent_emails()) == mail_before


def test_blind_review_hidden_from_admins_hides_the_name_in_the_decision_preview(
    team: Team,
) -> None:
    # GIVEN an interview whose blind review hides names from admins too
    (ann,) = team.invite("Ann Lee")
    blind = {"blind_review": True, "hide_names_from_admins": True}
    path = f"/interviews/{team.interview_id}/settings"
    assert team.http.call("PUT", path, blind, token=team.admin)[0] == 200
    # WHEN the admin previews the advanced email
    status, shown = team.http.call(
        "POST", f"/invitations/{ann}/decision-preview", {"stage": "advanced"}, token=team.admin
    )
    # THEN it reads as the email would, with the candidate's label for name and address
    assert status == 200, shown
    assert shown["subject"] == "Next steps with Acme"
    for part in (shown["to"], shown["html"], shown["text"]):
        assert "Ann" not in part
        assert "ann.lee@example.com" not in part
    assert "Hello Candidate " in shown["text"]
