"""Candidate emails: personal, escaped, a text part of their own, in the candidate's language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.adapters.email import Email
from chalicelib.domain import candidate_mail
from tests.drivers.config import valid_settings

TOKEN = "abc"
LINK = "https://interviews.example.com/candidate/#token=abc"
# Friday 4 December 2026, 17:00 UTC
DEADLINE = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real links, built from VALID's PUBLIC_SITE_URL (https://interviews.example.com/)."""
    with valid_settings(monkeypatch):
        yield


def _invitation(**overrides: Any) -> Any:
    """An invitation as the emails read it (the stored item has these attributes)."""
    fields = {
        "company_id": "c1",
        "candidate_name": "Sam",
        "candidate_email": "sam@example.com",
        "company_name": "Acme",
        "title": "Support",
        "deadline": DEADLINE,
        "time_zone": "UTC",
        "language": "en",
        "support_contact": "hiring@acme.example.com",
    }
    return SimpleNamespace(**{**fields, **overrides})


def _invitation_email(monkeypatch: Any, **overrides: Any) -> Email:
    # The company has not worded its invitation: the catalogue's words go out.
    monkeypatch.setattr(
        candidate_mail,
        "get_company",
        lambda _id: SimpleNamespace(name="Acme", email_wording=None, decision_templates=None),
    )
    return candidate_mail.invitation_email(_invitation(**overrides), TOKEN)


def test_the_invitation_names_the_company_role_deadline_and_link(monkeypatch: Any) -> None:
    email = _invitation_email(monkeypatch)
    assert email.subject == "Acme invites you to a video interview: Support"
    for part in (email.html, email.text):
        assert "Friday 4 December 2026, 17:00 (UTC)" in part
        assert "https://interviews.example.com/candidate/#token=abc" in part
        assert "hiring@acme.example.com" in part


def test_html_escapes_what_users_typed_and_text_keeps_it_readable(monkeypatch: Any) -> None:
    email = _invitation_email(monkeypatch, company_name="<b>Evil</b>")
    assert "<b>Evil</b>" not in email.html
    assert "&lt;b&gt;Evil&lt;/b&gt;" in email.html
    assert "<b>Evil</b> invites you" in email.text


def test_the_support_line_is_left_out_when_there_is_no_contact(monkeypatch: Any) -> None:
    email = _invitation_email(monkeypatch, support_contact="")
    assert "Contact" not in email.text


def test_the_record_again_email_names_each_reopened_question_and_escapes_its_text(
    monkeypatch: Any,
) -> None:
    # GIVEN two answers that failed processing after the candidate submitted
    questions = [
        {"position": 1, "text": "Tell us <i>about</i> yourself."},
        {"position": 3, "text": "Why us?"},
    ]
    # WHEN the notice is rendered
    email = candidate_mail.rerecord_email(_invitation(), TOKEN, questions)
    # THEN it asks for those answers again, with the new deadline and the link
    assert email.subject == "Please record some answers again for your Acme interview (Support)"
    assert "Question 1: Tell us &lt;i&gt;about&lt;/i&gt; yourself." in email.html
    assert "Question 3: Why us?" in email.text
    for part in (email.html, email.text):
        assert "Friday 4 December 2026, 17:00 (UTC)" in part
        assert "https://interviews.example.com/candidate/#token=abc" in part
        assert "your other answers are kept" in part


def test_the_deadline_is_written_in_the_interviews_zone_with_that_days_offset() -> None:
    # GIVEN a deadline at 23:59 in Madrid, in winter and in summer time
    winter = datetime(2025, 12, 12, 22, 59, tzinfo=UTC)
    summer = datetime(2026, 7, 3, 21, 59, tzinfo=UTC)
    # THEN each is written on Madrid's wall clock with the offset of that date
    assert (
        candidate_mail.deadline_text(winter, "Europe/Madrid", "en")
        == "Friday 12 December 2025, 23:59 (Europe/Madrid, UTC+01:00)"
    )
    assert (
        candidate_mail.deadline_text(summer, "Europe/Madrid", "en")
        == "Friday 3 July 2026, 23:59 (Europe/Madrid, UTC+02:00)"
    )
    # AND on the night clocks go back in New York, 01:30 happens twice: the offset tells which
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert candidate_mail.deadline_text(first, "America/New_York", "en").endswith(
        "01:30 (America/New_York, UTC-04:00)"
    )
    assert candidate_mail.deadline_text(second, "America/New_York", "en").endswith(
        "01:30 (America/New_York, UTC-05:00)"
    )
    # AND each language writes it its own way
    assert (
        candidate_mail.deadline_text(winter, "Europe/Madrid", "es")
        == "viernes, 12 de diciembre de 2025, 23:59 (Europe/Madrid, UTC+01:00)"
    )
    assert (
        candidate_mail.deadline_text(winter, "Europe/Madrid", "de")
        == "Freitag, 12. Dezember 2025, 23:59 Uhr (Europe/Madrid, UTC+01:00)"
    )
    assert candidate_mail.deadline_text(winter, "Europe/Madrid", "ar").startswith(
        "الجمعة ١٢ ديسمبر ٢٠٢٥"
    )


def test_hours_left_take_the_languages_plural_forms() -> None:
    assert candidate_mail.time_left(1, "en") == "1 hour"
    assert candidate_mail.time_left(47, "en") == "47 hours"
    assert candidate_mail.time_left(1, "fr") == "1 heure"
    assert candidate_mail.time_left(2, "ar") == "ساعتان"
    assert candidate_mail.time_left(5, "ar") == "٥ ساعات"  # noqa: RUF001 - Arabic digits
    assert candidate_mail.time_left(47, "ar") == "٤٧ ساعة"


def test_an_arabic_email_reads_right_to_left(monkeypatch: Any) -> None:
    email = _invitation_email(monkeypatch, language="ar")
    assert '<html lang="ar" dir="rtl">' in email.html
    assert email.subject == "تدعوك Acme إلى مقابلة بالفيديو: Support"
    # the link stays a left-to-right run inside the right-to-left text
    assert f'<span dir="ltr" style="word-break: break-all;">{LINK}</span>' in email.html
