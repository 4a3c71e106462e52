"""Candidate emails in the candidate's language, in the company's own words where it wrote them.

Mail is read from SES's backend, as a candidate's inbox would receive it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.data.models import Invitation
from chalicelib.domain import sweep as scheduled_sweep
from tests.drivers.api import Http, Team, create, sent_emails

INVITATION_ES = {
    "subject": "{{ company_name }} te espera, {{ candidate_name }}",
    "body": "Hola {{ candidate_name }}:\n\nGraba tu entrevista de {{ interview_title }} antes del "
    "{{ deadline }}.\n\n{{ link }}\n\nUn abrazo del equipo",
}
REMINDER_EN = {
    "subject": "Only {{ time_left }} left, {{ candidate_name }}",
    "body": "A friendly nudge from {{ company_name }}: {{ link }} (before {{ deadline }}).",
}


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def mail_to(address: str) -> list[dict[str, Any]]:
    return [e for e in sent_emails() if e["to"] == [address]]


def invite(team: Team, interview_id: str, name: str, address: str) -> None:
    status, body = team.http.call(
        "POST",
        f"/interviews/{interview_id}/invitations",
        {"candidates": [{"name": name, "email": address}]},
        token=team.admin,
    )
    assert status == 200, body


def word(team: Team, kind: str, lang: str, wording: dict[str, str]) -> tuple[int, Any]:
    return team.http.call("PUT", f"/company/emails/{kind}/{lang}", wording, token=team.admin)


def test_an_interview_in_spanish_sends_its_invitation_in_spanish_with_the_local_deadline(
    team: Team,
) -> None:
    # GIVEN an interview in Spanish, in Madrid's time zone
    interview = create(team.http, team.admin, language="es", time_zone="Europe/Madrid")
    # WHEN a candidate is invited
    invite(team, interview["interview_id"], "Lucía Pérez", "lucia@example.com")
    # THEN the email is in Spanish, with the deadline on Madrid's clock and its offset
    (mail,) = mail_to("lucia@example.com")
    assert mail["subject"] == "Acme te invita a una entrevista en vídeo: Support Specialist"
    assert "Hola, Lucía Pérez:" in mail["body"]
    assert '<html lang="es" dir="ltr">' in mail["body"]
    assert "(Europe/Madrid, UTC+0" in mail["body"]
    assert "Empezar la entrevista" in mail["body"]
    assert "invites you" not in mail["body"]


def test_an_arabic_interview_writes_its_email_right_to_left(team: Team) -> None:
    interview = create(team.http, team.admin, language="ar", time_zone="Asia/Dubai")
    invite(team, interview["interview_id"], "Amal", "amal@example.com")
    (mail,) = mail_to("amal@example.com")
    assert mail["subject"] == "تدعوك Acme إلى مقابلة بالفيديو: Support Specialist"
    assert '<html lang="ar" dir="rtl">' in mail["body"]
    assert "(Asia/Dubai، UTC+04:00)" in mail["body"]


def test_the_companys_wording_is_used_where_it_wrote_one_and_the_catalogue_elsewhere(
    team: Team,
) -> None:
    # GIVEN the company words its Spanish invitation and its English reminder
    assert word(team, "invitation", "es", INVITATION_ES)[0] == 200
    assert word(team, "reminder", "en", REMINDER_EN)[0] == 200
    spanish = create(team.http, team.admin, language="es")
    # WHEN a Spanish and an English candidate are invited
    invite(team, spanish["interview_id"], "Ana", "ana@example.com")
    invite(team, team.interview_id, "Ed", "ed@example.com")
    # THEN the Spanish invitation is the company's, filled in, with its link as the button
    (ana,) = mail_to("ana@example.com")
    assert ana["subject"] == "Acme te espera, Ana"
    assert "Graba tu entrevista de Support Specialist antes del" in ana["body"]
    assert "Un abrazo del equipo" in ana["body"]
    assert "Empezar la entrevista</a>" in ana["body"]
    # AND the English invitation, which the company did not word, is the catalogue's
    (ed,) = mail_to("ed@example.com")
    assert ed["subject"] == "Acme invites you to a video interview: Support Specialist"
    # WHEN the reminders fall due
    for address in ("ana@example.com", "ed@example.com"):
        item = next(i for i in Invitation.scan() if getattr(i, "candidate_email", None) == address)
        scheduled_sweep.sweep(item.deadline - timedelta(hours=47), source="test")
    # THEN the English reminder is the company's and the Spanish one the catalogue's
    ed_reminder = mail_to("ed@example.com")[-1]
    assert ed_reminder["subject"] == "Only 47 hours left, Ed"
    assert "A friendly nudge from Acme" in ed_reminder["body"]
    ana_reminder = mail_to("ana@example.com")[-1]
    assert ana_reminder["subject"].startswith("Recordatorio: quedan 47 horas")
    # AND resetting the Spanish invitation brings the catalogue's words back
    status, reset = team.http.call("DELETE", "/company/emails/invitation/es", token=team.admin)
    assert (status, reset["custom"]) == (200, False)
    status, every = team.http.call("GET", "/company/emails", token=team.admin)
    assert every["emails"]["invitation"]["languages"]["es"]["custom"] is False
    assert every["emails"]["reminder"]["languages"]["en"] == {**REMINDER_EN, "custom": True}
    assert every["languages"] == ["en", "ar", "de", "es", "fr", "pt"]


@pytest.mark.parametrize(
    ("kind", "wording", "field", "says"),
    [
        (
            "invitation",
            {"subject": "Hi", "body": "Come and record, {{ candidate_name }}."},
            "body",
            "{{ link }}",
        ),
        ("reminder", {"subject": "Hi {{ salary }}", "body": "{{ link }}"}, "subject", "salary"),
        (
            "invitation",
            {"subject": "Hi", "body": "{% if false %}{{ salary }}{% endif %}{{ link }}"},
            "body",
            "salary",
        ),
        ("invitation", {"subject": "Hi", "body": "{{ link.__class__ }}"}, "body", "unsafe"),
        ("rejected", {"subject": "{% if %}", "body": "x"}, "subject", "line 1:"),
        (
            "invitation",
            {"subject": "Hi", "body": "{{ link }} {{ 1/0 }}"},
            "body",
            "division by zero",
        ),
    ],
)
def test_a_wording_that_cannot_work_is_refused_with_a_422_naming_the_field(
    team: Team, kind: str, wording: dict[str, str], field: str, says: str
) -> None:
    for method, path in (
        ("PUT", f"/company/emails/{kind}/en"),
        ("POST", f"/company/emails/{kind}/en/preview"),
    ):
        status, body = team.http.call(method, path, wording, token=team.admin)
        assert status == 422, body
        assert body["details"][0]["field"] == field
        assert says in body["message"] + body["details"][0]["message"]
    status, every = team.http.call("GET", "/company/emails", token=team.admin)
    assert every["emails"][kind]["languages"]["en"]["custom"] is False


def test_a_preview_fills_the_wording_with_sample_values_and_saves_nothing(team: Team) -> None:
    status, shown = team.http.call(
        "POST", "/company/emails/invitation/es/preview", INVITATION_ES, token=team.admin
    )
    assert status == 200, shown
    assert shown["subject"] == "Acme te espera, Sam Candidate"
    assert "Graba tu entrevista de Customer Support Lead antes del" in shown["text"]
    assert "(Europe/Madrid, UTC+0" in shown["text"]
    assert "Empezar la entrevista" in shown["html"]
    assert "{{" not in shown["html"] + shown["text"]
    status, every = team.http.call("GET", "/company/emails", token=team.admin)
    assert every["emails"]["invitation"]["languages"]["es"]["custom"] is False
    # AND only an admin may word or preview
    status, _ = team.http.call(
        "PUT", "/company/emails/invitation/es", INVITATION_ES, token=team.reviewer
    )
    assert status == 403
    # AND an unknown email or language is refused, naming it
    status, body = word(team, "invitation", "xx", INVITATION_ES)
    assert (status, body["details"][0]["field"]) == (422, "language")
    status, body = word(team, "digest", "en", INVITATION_ES)
    assert (status, body["details"][0]["field"]) == (422, "kind")


def test_the_decision_preview_is_exactly_the_email_then_sent_in_the_candidates_language(
    team: Team,
) -> None:
    # GIVEN a French candidate and the company's own French rejection
    french = create(team.http, team.admin, language="fr")
    invite(team, french["interview_id"], "Chloé", "chloe@example.com")
    rows = team.http.call(
        "GET", f"/interviews/{french['interview_id']}/pipeline", token=team.admin
    )[1]["candidates"]
    chloe = rows[0]["invitation_id"]
    wording = {
        "subject": "Merci {{ candidate_name }}",
        "body": "Pas cette fois, {{ candidate_name }}.",
    }
    assert word(team, "rejected", "fr", wording)[0] == 200
    # WHEN the admin previews the rejection, then sends it
    status, shown = team.http.call(
        "POST", f"/invitations/{chloe}/decision-preview", {"stage": "rejected"}, token=team.admin
    )
    assert status == 200, shown
    assert (shown["to"], shown["language"], shown["subject"]) == (
        "chloe@example.com",
        "fr",
        "Merci Chloé",
    )
    before = len(sent_emails())
    status, moved = team.http.call(
        "POST",
        f"/invitations/{chloe}/stage",
        {"stage": "rejected", "notify": True},
        token=team.admin,
    )
    assert (status, moved["notified"]) == (200, True)
    # THEN what went out is what was shown
    (sent,) = sent_emails()[before:]
    assert sent["to"] == [shown["to"]]
    assert sent["subject"] == shown["subject"]
    assert sent["body"] == shown["html"]
    # AND the default advanced email previews in French too, and only admins may preview
    status, advanced = team.http.call(
        "POST", f"/invitations/{chloe}/decision-preview", {"stage": "advanced"}, token=team.admin
    )
    assert advanced["subject"] == "La suite avec Acme"
    status, _ = team.http.call(
        "POST", f"/invitations/{chloe}/decision-preview", {"stage": "advanced"}, token=team.reviewer
    )
    assert status == 403


def test_a_colleagues_save_in_between_is_never_lost(team: Team) -> None:
    from chalicelib.domain import candidate_mail
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.identity import get_company

    # GIVEN an admin's page read the company's wording, then a colleague worded Spanish
    seen = get_company(team.company_id)
    assert word(team, "invitation", "es", INVITATION_ES)[0] == 200
    # WHEN the first admin's save of French lands on what they read
    french = {"subject": "Bonjour {{ candidate_name }}", "body": "{{ link }}"}
    with pytest.raises(Conflict):
        candidate_mail._write(seen, "invitation", "fr", french)
    # THEN the colleague's Spanish wording is still there, and saving again works
    assert word(team, "invitation", "fr", french)[0] == 200
    status, every = team.http.call("GET", "/company/emails", token=team.admin)
    assert status == 200
    languages = every["emails"]["invitation"]["languages"]
    assert (languages["es"]["custom"], languages["fr"]["custom"]) == (True, True)
    # AND the English decision emails, kept with /company/templates, are guarded the same way
    seen = get_company(team.company_id)
    assert word(team, "rejected", "en", {"subject": "Thanks", "body": "No."})[0] == 200
    with pytest.raises(Conflict):
        candidate_mail._write(seen, "advanced", "en", {"subject": "Yes", "body": "Yes."})
    status, templates = team.http.call("GET", "/company/templates", token=team.admin)
    assert status == 200
    assert templates["rejected"] == {"subject": "Thanks", "body": "No."}
