"""Every candidate email in every language: no missing message, no `{{ name }}` left, no English.

Each email is rendered from the catalogues as a candidate would receive it; a catalogue that
lacks a message, leaves a placeholder unfilled or still holds English fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.adapters import email
from chalicelib.domain import candidate_mail, locales
from tests.drivers.config import valid_settings

LANGUAGES = email.languages()
ENGLISH = email.catalogue("en")
# Messages that may read the same as English's: layout, not words.
SAME_AS_ENGLISH = {
    "dir",
    "digits",
    "date.deadline",
    "date.deadline_utc",
    "list.comma",
    "rerecord.question",  # "Question {{ position }}: {{ text }}" is French for it too
}
# Plural categories a language may add beyond English's one/other (CLDR).
EXTRA_PLURALS = re.compile(r"\.(zero|two|few|many)$")


def _invitation(lang: str, **overrides: Any) -> Any:
    fields = {
        "company_id": "c1",
        "invitation_id": "i1",
        "candidate_name": "Sam <Lee>",
        "candidate_email": "sam@example.com",
        "company_name": "Acme & Co",
        "title": "Support Lead",
        "deadline": datetime(2026, 3, 29, 21, 59, tzinfo=UTC),
        "time_zone": "Europe/Paris",
        "language": lang,
        "support_contact": "hiring@acme.example.com",
        "booking_url": "https://cal.example.com/acme",
    }
    return SimpleNamespace(**{**fields, **overrides})


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real candidate and privacy links, built from VALID's PUBLIC_SITE_URL."""
    with valid_settings(monkeypatch):
        yield


@pytest.fixture(autouse=True)
def _no_company_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalogue's words: a company that has not worded its emails."""
    company = SimpleNamespace(name="Acme & Co", email_wording=None, decision_templates=None)
    monkeypatch.setattr(candidate_mail, "get_company", lambda _id: company)


def _decision(stage: str) -> Callable[[Any], email.Email]:
    def render(invitation: Any) -> email.Email:
        lang = candidate_mail.language_of(invitation)
        chosen = candidate_mail.default_wording(stage, lang)
        values = candidate_mail.samples(stage, lang, invitation.company_name)[0]
        values = {**values, "candidate_name": invitation.candidate_name}
        from chalicelib.domain import templating

        return candidate_mail.decision_letter(
            invitation.candidate_email,
            lang,
            templating.render(chosen.subject, values),
            templating.render(chosen.body, values),
            invitation.booking_url if stage == "advanced" else None,
        )

    return render


now = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
one_question = [{"position": 2, "text": "Why us?"}]
two_questions = [{"position": 1, "text": "Hello?"}, {"position": 3, "text": "Why us?"}]
EMAILS: dict[str, Callable[[Any], email.Email]] = {
    "invitation": lambda i: candidate_mail.invitation_email(i, "t"),
    "reminder, 1 hour": lambda i: candidate_mail.reminder_email(
        i, "t", i.deadline.replace(hour=21, minute=0)
    ),
    "reminder, 58 hours": lambda i: candidate_mail.reminder_email(i, "t", now),
    "record again, one": lambda i: candidate_mail.rerecord_email(i, "t", one_question),
    "record again, two": lambda i: candidate_mail.rerecord_email(i, "t", two_questions),
    "adjustment granted": lambda i: candidate_mail.accommodation_email(
        i,
        "t",
        granted=True,
        kinds=["more_time", "audio_instead_of_video", "later_deadline"],
        time_multiplier=1.5,
        audio_questions=[1, 3],
    ),
    "adjustment declined": lambda i: candidate_mail.accommodation_email(
        i, "t", granted=False, kinds=["later_deadline"]
    ),
    "advanced": _decision("advanced"),
    "rejected": _decision("rejected"),
}


def test_every_language_has_a_catalogue_and_every_message_englishs_has() -> None:
    assert set(LANGUAGES) == set(locales.LANGUAGES)
    for lang in LANGUAGES:
        messages = email.catalogue(lang)
        missing = set(ENGLISH) - set(messages)
        extra = {key for key in set(messages) - set(ENGLISH) if not EXTRA_PLURALS.search(key)}
        assert not missing, f"{lang} lacks {sorted(missing)}"
        assert not extra, f"{lang} has messages English lacks: {sorted(extra)}"
        for key, value in messages.items():
            english = ENGLISH.get(key, ENGLISH.get(re.sub(r"\.\w+$", ".other", key)))
            if isinstance(english, list):
                assert len(value) == len(english), f"{lang} {key}"
            else:
                # the same names filled in as English's (a translation may not drop one; a
                # plural form may spell its number out: "ساعتان" is "two hours")
                names = set(email.PLACEHOLDER.findall(value))
                expected = set(email.PLACEHOLDER.findall(english))
                if key.startswith("hours."):
                    names |= {"count"}
                assert names == expected, f"{lang} {key}"


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_no_message_is_left_in_english(lang: str) -> None:
    messages = email.catalogue(lang)
    untranslated = [
        key
        for key, value in messages.items()
        if key not in SAME_AS_ENGLISH and key in ENGLISH and value == ENGLISH[key]
    ]
    assert not untranslated, f"{lang} still has English for {untranslated}"
    for key in ("date.weekdays", "date.months"):
        # a few names are shared (German's April, August…), most are not
        same = sum(ours == theirs for ours, theirs in zip(messages[key], ENGLISH[key], strict=True))
        assert same <= len(ENGLISH[key]) // 3, f"{lang} {key} is mostly English"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", EMAILS)
def test_every_candidate_email_renders_whole_in_every_language(lang: str, name: str) -> None:
    # WHEN the email is rendered for a candidate reading `lang`
    message = EMAILS[name](_invitation(lang))
    # THEN nothing is left to fill in, and it is laid out in the language's direction
    for part in (message.subject, message.html, message.text):
        assert "{{" not in part, part
        assert "}}" not in part, part
        assert "Sam <Lee>" not in message.html  # names are escaped in HTML
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in message.html
    assert message.subject.strip()
    assert "Sam <Lee>" in message.text
    # AND no English sentence of the catalogue slipped into another language's email
    if lang != "en":
        english = [
            value
            for key, value in ENGLISH.items()
            if isinstance(value, str) and key not in SAME_AS_ENGLISH and len(value) > 12
        ]
        for sentence in english:
            fixed = email.PLACEHOLDER.split(sentence)[0].strip()
            if len(fixed) > 12:
                assert fixed not in message.text, f"English in {lang} {name}: {fixed!r}"


def test_the_deadline_line_is_in_the_interviews_zone_on_the_night_clocks_change() -> None:
    # GIVEN a deadline at 23:59 Paris time on the day summer time starts (29 March 2026)
    invitation = _invitation("fr")
    # THEN the French invitation gives that wall-clock time with the summer offset
    message = candidate_mail.invitation_email(invitation, "t")
    assert "dimanche 29 mars 2026 à 23:59 (Europe/Paris, UTC+02:00)" in message.text
    # AND the day before, still on winter time, shows the winter offset
    winter = _invitation("fr", deadline=datetime(2026, 3, 28, 22, 59, tzinfo=UTC))
    assert "samedi 28 mars 2026 à 23:59 (Europe/Paris, UTC+01:00)" in (
        candidate_mail.invitation_email(winter, "t").text
    )
