"""Access that ends when it should: removed members, role changes, replaced candidate links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.drivers.api import INTERVIEW, Candidate, Http, Team, create, links_sent_to, sent_emails


def _rey(http: Http, team: Team) -> str:
    status, body = http.call("GET", "/team", token=team.admin)
    assert status == 200, body
    return next(r["user_id"] for r in body["recruiters"] if r["email"] == "rey@acme.example.com")


def test_a_removed_member_is_refused_at_once_though_their_token_has_not_expired(
    http: Http, admin: dict
) -> None:
    # GIVEN a reviewer who can read a candidate, comment and share
    team = Team(http, admin)
    (sam,) = team.invite("Sam")
    assert http.call("GET", f"/invitations/{sam}", token=team.reviewer)[0] == 200
    # WHEN an admin removes them from the team
    assert http.call("DELETE", f"/team/{_rey(http, team)}", token=team.admin)[0] == 204
    # THEN the very next request with their unexpired token is refused, in words
    for method, path, body in (
        ("GET", f"/invitations/{sam}", None),
        ("GET", f"/interviews/{team.interview_id}/pipeline", None),
        ("POST", f"/invitations/{sam}/comments", {"text": "Still here?"}),
        ("POST", f"/invitations/{sam}/shares", {"expires_in_days": 30}),
        ("GET", "/me", None),
    ):
        status, refused = http.call(method, path, body, token=team.reviewer)
        assert status == 401, (method, path, refused)
        assert refused["error"] == "unauthenticated"
        assert "no longer on this company's hiring team" in refused["message"]
    # AND nothing was written on their behalf
    assert http.call("GET", f"/invitations/{sam}/shares", token=team.admin)[1]["shares"] == []


def test_a_role_change_applies_to_the_next_request_with_the_same_token(
    http: Http, admin: dict
) -> None:
    # GIVEN a reviewer, refused on admin routes
    team = Team(http, admin)
    rey = _rey(http, team)
    assert http.call("GET", "/team", token=team.reviewer)[0] == 403
    # WHEN an admin makes them an admin
    status, changed = http.call("PATCH", f"/team/{rey}", {"role": "admin"}, token=team.admin)
    assert status == 200, changed
    assert changed["role"] == "admin"
    # THEN their existing token (its group claim still says reviewer) is an admin's
    assert http.call("GET", "/team", token=team.reviewer)[0] == 200
    assert http.call("GET", "/me", token=team.reviewer)[1]["recruiter"]["role"] == "admin"
    # AND when made a reviewer again, admin routes refuse that token at once
    assert http.call("PATCH", f"/team/{rey}", {"role": "reviewer"}, token=team.admin)[0] == 200
    status, refused = http.call("GET", "/team", token=team.reviewer)
    assert status == 403
    assert refused["error"] == "forbidden"


def test_role_changes_are_for_admins_and_never_of_oneself(http: Http, admin: dict) -> None:
    team = Team(http, admin)
    rey = _rey(http, team)
    me = admin["recruiter"]["user_id"]
    status, body = http.call("PATCH", f"/team/{rey}", {"role": "admin"}, token=team.reviewer)
    assert status == 403, body
    status, body = http.call("PATCH", f"/team/{me}", {"role": "reviewer"}, token=team.admin)
    assert status == 409, body
    assert http.call("PATCH", "/team/nobody", {"role": "admin"}, token=team.admin)[0] == 404
    status, body = http.call("PATCH", f"/team/{rey}", {"role": "owner"}, token=team.admin)
    assert status == 422, body


# --- a replaced candidate link ----------------------------------------------------------------


def _links(address: str) -> list[str]:
    return links_sent_to(address)


def test_resend_and_reminders_email_the_same_link_and_every_earlier_email_keeps_working(
    http: Http, admin: dict
) -> None:
    from datetime import timedelta

    from chalicelib.data.models import utcnow
    from chalicelib.domain import invitations, reminders

    # GIVEN an invitation whose candidate got the first email and a reminder
    team = Team(http, admin)
    (sam,) = team.invite("Sam")
    first = _links("sam@example.com")[0]
    invitation = invitations.get_invitation(team.company_id, sam)
    reminders.send_reminder(invitation, 4, utcnow() + timedelta(days=6))
    # WHEN the recruiter resends the invitation, twice
    for _ in range(2):
        status, body = http.call("POST", f"/invitations/{sam}/resend", token=team.admin)
        assert status == 200, body
    # THEN every email (invitation, reminder, both resends) carried the very same link
    assert _links("sam@example.com") == [first] * 4
    # AND it still opens the interview and the candidate's data
    assert Candidate(http, first).call("GET", "/session")[0] == 200
    assert Candidate(http, first).call("GET", "/data")[0] == 200


def test_after_a_new_link_every_earlier_link_says_a_newer_one_was_emailed(
    http: Http, admin: dict
) -> None:
    from datetime import datetime, timedelta

    from chalicelib.data.models import utcnow
    from chalicelib.domain import invitations, reminders

    # GIVEN an invitation whose candidate got the first email and a reminder (the same link)
    team = Team(http, admin)
    (sam,) = team.invite("Sam")
    first = _links("sam@example.com")[0]
    invitation = invitations.get_invitation(team.company_id, sam)
    reminders.send_reminder(invitation, 4, utcnow() + timedelta(days=6))
    reminder = _links("sam@example.com")[-1]
    assert reminder == first
    assert Candidate(http, first).call("GET", "/session")[0] == 200
    # WHEN the recruiter sends a new link (the first was forwarded)
    status, body = http.call("POST", f"/invitations/{sam}/new-link", token=team.admin)
    assert status == 200, body
    newest = _links("sam@example.com")[-1]
    assert newest != first
    # THEN the first email's and the reminder's link say a newer link was emailed, and where
    status, refused = Candidate(http, first).call("GET", "/session")
    assert status == 401, refused
    assert refused["error"] == "link_replaced"
    assert "newer link" in refused["message"]
    assert "s***@e***.com" in refused["message"]
    [detail] = refused["details"]
    assert detail["masked_email"] == "s***@e***.com"
    sent_at = datetime.fromisoformat(detail["sent_at"])
    assert abs((sent_at - utcnow()).total_seconds()) < 60
    assert detail["company_name"] == "Acme"
    # ...for the privacy page too: the old link opens nothing of the invitation
    assert Candidate(http, first).call("GET", "/data")[0] == 401
    # AND the newest link works, and a reminder sent after it carries that same link
    assert Candidate(http, newest).call("GET", "/session")[0] == 200
    reminders.send_reminder(
        invitations.get_invitation(team.company_id, sam), 4, utcnow() + timedelta(days=6)
    )
    assert _links("sam@example.com")[-1] == newest
    # AND a resend now emails the newest link, not the replaced one
    assert http.call("POST", f"/invitations/{sam}/resend", token=team.admin)[0] == 200
    assert _links("sam@example.com")[-1] == newest
    # AND a further new link retires the one before it as well
    assert http.call("POST", f"/invitations/{sam}/new-link", token=team.admin)[0] == 200
    assert Candidate(http, newest).call("GET", "/session")[1]["error"] == "link_replaced"
    assert Candidate(http, first).call("GET", "/session")[1]["error"] == "link_replaced"
    assert Candidate(http, _links("sam@example.com")[-1]).call("GET", "/session")[0] == 200


def test_an_invitation_from_before_sealed_links_keeps_its_links_until_a_new_one(
    http: Http, admin: dict
) -> None:
    from datetime import timedelta

    from chalicelib.data.models import Invitation, LinkToken, new_id, utcnow
    from chalicelib.domain import invitations, links, reminders

    # GIVEN an invitation stored before links were sealed (its hash only), and a reminder
    # of that time, which carried a further link of its own
    team = Team(http, admin)
    (sam,) = team.invite("Sam")
    first = _links("sam@example.com")[0]
    invitation = invitations.get_invitation(team.company_id, sam)
    invitation.update(actions=[Invitation.sealed_token.remove()])
    old_reminder = links.new_token()
    LinkToken(
        *LinkToken.key(team.company_id, sam, new_id()),
        company_id=team.company_id,
        invitation_id=sam,
        token_hash=links.hash_token(old_reminder),
    ).save()
    # WHEN a reminder goes out now, and the recruiter resends
    invitation = invitations.get_invitation(team.company_id, sam)
    reminders.send_reminder(invitation, 4, utcnow() + timedelta(days=6))
    assert http.call("POST", f"/invitations/{sam}/resend", token=team.admin)[0] == 200
    # THEN both emails carry one link, sealed from now on, and every earlier link still works
    *_, reminded, resent = _links("sam@example.com")
    assert reminded == resent
    assert invitations.get_invitation(team.company_id, sam).sealed_token
    for token in (first, old_reminder, resent):
        assert Candidate(http, token).call("GET", "/session")[0] == 200, token
    # AND a new link retires all of them
    assert http.call("POST", f"/invitations/{sam}/new-link", token=team.admin)[0] == 200
    for token in (first, old_reminder, resent):
        status, refused = Candidate(http, token).call("GET", "/session")
        assert (status, refused["error"]) == (401, "link_replaced"), token
    assert Candidate(http, _links("sam@example.com")[-1]).call("GET", "/session")[0] == 200


def test_an_unknown_link_is_still_just_not_valid(http: Http, admin: dict) -> None:
    status, body = Candidate(http, "x" * 43).call("GET", "/session")
    assert (status, body["error"]) == (401, "unauthenticated")


# --- identity edges that were 500s ------------------------------------------------------------


def test_a_new_password_with_a_session_cognito_never_issued_is_a_4xx(http: Http) -> None:
    for session in ("x", "short-session", "s" * 40):
        status, body = http.call(
            "POST",
            "/auth/new-password",
            {"email": "pat@example.com", "session": session, "new_password": "another long pw"},
        )
        assert status in (401, 422), (session, status, body)
        assert body["error"] in ("unauthenticated", "invalid_input")
    status, body = http.call(
        "POST",
        "/auth/new-password",
        {"email": "pat@example.com", "session": "x", "new_password": "another long pw"},
    )
    assert status == 422
    assert body["details"][0]["field"] == "session"


def test_sign_up_with_an_address_cognito_refuses_is_a_422_naming_it(
    http: Http, aws: dict[str, str]
) -> None:
    from chalicelib.adapters.aws import client

    # A valid address (RFC 5322 allows the apostrophe) that our Cognito stand-in refuses,
    # as Cognito refuses some addresses with InvalidParameterException
    address = "o'brien@example.com"
    status, body = http.call(
        "POST",
        "/auth/signup",
        {
            "company_name": "Long Ltd",
            "name": "Lee Long",
            "email": address,
            "password": "correct horse battery",
        },
    )
    assert status == 422, body
    assert body["details"][0]["field"] == "email"
    # AND no half-made company or user was left behind
    users = client("cognito-idp").list_users(UserPoolId=aws["COGNITO_USER_POOL_ID"])["Users"]
    assert users == []


# --- the public apply link --------------------------------------------------------------------


def _apply_code(http: Http, team: Team, cap: int = 100) -> str:
    status, updated = http.call(
        "PUT",
        f"/interviews/{team.interview_id}/apply-link",
        {"enabled": True, "cap": cap},
        token=team.admin,
    )
    assert status == 200, updated
    return str(updated["apply"]["url"].split("#code=")[1])


def _from(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """Requests now arrive from `address`, as API Gateway would report it."""
    from chalice.local import LambdaEventConverter

    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


def _apply(http: Http, code: str, name: str) -> tuple[int, dict]:
    email = f"{name.lower()}@example.com"
    return http.call("POST", f"/apply/{code}", {"name": name, "email": email})


def test_applying_again_with_one_address_takes_no_place_under_the_cap(
    http: Http, admin: dict
) -> None:
    team = Team(http, admin)
    code = _apply_code(http, team, cap=2)
    for _ in range(3):
        assert _apply(http, code, "Ann")[0] == 202
    assert len(links_sent_to("ann@example.com")) == 1
    assert _apply(http, code, "Bo")[0] == 202
    assert len(links_sent_to("bo@example.com")) == 1
    assert _apply(http, code, "Cy")[0] == 410
    assert links_sent_to("cy@example.com") == []


def test_one_address_applying_too_often_gets_a_429_and_no_email(
    http: Http, admin: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.domain.invitations import APPLY_PER_ADDRESS

    team = Team(http, admin)
    code = _apply_code(http, team)
    _from(monkeypatch, "203.0.113.7")
    for number in range(APPLY_PER_ADDRESS.count):
        assert _apply(http, code, f"Person{number}")[0] == 202
    status, body = _apply(http, code, "Flood")
    assert status == 429, body
    assert body["error"] == "too_many_requests"
    assert "Too many applications" in body["message"]
    assert links_sent_to("flood@example.com") == []
    # Another address is not held back by that one
    _from(monkeypatch, "198.51.100.9")
    assert _apply(http, code, "Neighbour")[0] == 202
    assert len(links_sent_to("neighbour@example.com")) == 1


def test_an_interview_flooded_from_many_addresses_gets_a_429_and_no_email(
    http: Http, admin: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from chalicelib.domain import invitations

    # A lower per-interview limit than production's, so the test sends a handful of requests
    monkeypatch.setattr(
        invitations, "APPLY_PER_INTERVIEW", replace(invitations.APPLY_PER_INTERVIEW, count=3)
    )
    team = Team(http, admin)
    code = _apply_code(http, team)
    for number in range(3):
        _from(monkeypatch, f"203.0.113.{number + 1}")
        assert _apply(http, code, f"Person{number}")[0] == 202
    _from(monkeypatch, "203.0.113.99")
    status, body = _apply(http, code, "Flood")
    assert status == 429, body
    assert body["error"] == "too_many_requests"
    assert links_sent_to("flood@example.com") == []


def test_applying_again_a_day_later_emails_the_same_link_once(http: Http, admin: dict) -> None:
    from datetime import timedelta

    from chalicelib.data.models import Invitation, utcnow
    from chalicelib.domain import invitations

    team = Team(http, admin)
    code = _apply_code(http, team)
    assert _apply(http, code, "Ann")[0] == 202
    (first,) = links_sent_to("ann@example.com")
    # WHEN Ann, who lost the email a day ago, applies again
    (row,) = team.pipeline(team.admin)["candidates"]
    invitation = invitations.get_invitation(team.company_id, row["invitation_id"])
    invitation.update(actions=[Invitation.email_sent_at.set(utcnow() - timedelta(hours=25))])
    assert _apply(http, code, "Ann")[0] == 202
    # THEN the same link is emailed again, it opens, and an immediate repeat sends nothing
    links = links_sent_to("ann@example.com")
    assert links == [first, first]
    assert Candidate(http, first).call("GET", "/session")[0] == 200
    assert _apply(http, code, "Ann")[0] == 202
    assert len(links_sent_to("ann@example.com")) == 2


# --- the support contact ----------------------------------------------------------------------


def _reply_tos() -> Iterator[list[Any]]:
    """What SES is asked for as Reply-To, per message sent (moto does not keep it)."""
    from chalicelib.adapters.aws import client

    seen: list[Any] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        seen.append(params.get("ReplyToAddresses"))

    events = client("ses").meta.events
    events.register("provide-client-params.ses.SendEmail", capture)
    try:
        yield seen
    finally:
        events.unregister("provide-client-params.ses.SendEmail", capture)


reply_tos = pytest.fixture(_reply_tos)


@pytest.mark.parametrize(
    "contact",
    [
        "Call Jo on 555 0100",
        "jo@acme.example.com, boss@acme.example.com",
        "jo@acme.example.com\r\nBcc: everyone@example.com",
        "Jo <jo@acme.example.com>",
        "http://acme.example.com/help",
        "javascript:alert(1)",
    ],
)
def test_a_support_contact_that_is_neither_an_email_nor_an_https_url_is_a_422(
    http: Http, admin: dict, contact: str
) -> None:
    token = admin["tokens"]["id_token"]
    status, body = http.call(
        "POST", "/interviews", {**INTERVIEW, "support_contact": contact}, token=token
    )
    assert status == 422, (contact, body)
    assert [d["field"] for d in body["details"]] == ["support_contact"]


def test_only_an_email_contact_becomes_the_reply_to_and_a_url_is_a_link(
    http: Http, admin: dict, reply_tos: list[Any]
) -> None:
    token = admin["tokens"]["id_token"]
    by_email = create(http, token, support_contact="hiring@acme.example.com")
    by_url = create(
        http, token, title="Support Lead", support_contact="https://acme.example.com/help"
    )
    for interview, name in ((by_email, "Ann"), (by_url, "Bo")):
        status, body = http.call(
            "POST",
            f"/interviews/{interview['interview_id']}/invitations",
            {"candidates": [{"name": name, "email": f"{name.lower()}@example.com"}]},
            token=token,
        )
        assert status in (200, 202), body
    assert reply_tos == [["hiring@acme.example.com"], None]
    (bo,) = [e for e in sent_emails() if e["to"] == ["bo@example.com"]]
    assert '<a href="https://acme.example.com/help">' in bo["body"]


def test_a_purge_while_the_resend_email_goes_out_leaves_no_stray_item(
    http: Http, admin: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.adapters import email
    from chalicelib.data.repositories import invitations as invitation_repository
    from chalicelib.domain import retention

    # GIVEN the sweep purges the candidate while the resend's email is being sent
    team = Team(http, admin)
    (sam,) = team.invite("Sam")
    send = email.send

    def send_then_purge(*args: Any, **kwargs: Any) -> Any:
        sent = send(*args, **kwargs)
        assert retention.purge(team.company_id, sam, "system", "deletion_requested")
        return sent

    monkeypatch.setattr(email, "send", send_then_purge)
    status, body = http.call("POST", f"/invitations/{sam}/resend", token=team.admin)
    assert status == 200, body
    monkeypatch.setattr(email, "send", send)
    # THEN the candidate stays deleted: no stray item, and the next resend is a 404
    assert invitation_repository.get(team.company_id, sam) is None
    assert http.call("POST", f"/invitations/{sam}/resend", token=team.admin)[0] == 404


def test_a_new_link_racing_the_candidates_deletion_answers_404_and_leaves_no_stray_item(
    http: Http, admin: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.data.repositories import invitations as invitation_repository
    from chalicelib.domain import invitations, retention

    # GIVEN a new link in flight when the sweep purges the candidate (they asked for
    # deletion): the purge lands between the new link's read and its write
    team = Team(http, admin)
    (sam,) = team.invite("Sam")
    fresh_token = invitations.new_token

    def purge_then_token() -> str:
        assert retention.purge(team.company_id, sam, "system", "deletion_requested")
        return fresh_token()

    monkeypatch.setattr(invitations, "new_token", purge_then_token)
    # WHEN the new link goes on THEN it answers that the candidate is gone, not a 500
    status, body = http.call("POST", f"/invitations/{sam}/new-link", token=team.admin)
    assert status == 404, body
    # AND no half-written invitation is left behind for the next request to trip over
    assert invitation_repository.get(team.company_id, sam) is None
    assert http.call("POST", f"/invitations/{sam}/new-link", token=team.admin)[0] == 404
    assert http.call("POST", f"/invitations/{sam}/resend", token=team.admin)[0] == 404
