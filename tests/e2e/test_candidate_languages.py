"""The candidate side in the candidate's language, branded, in Chromium against the local stack.

Interviews in Spanish and Arabic are answered from landing to done; an English one is
switched to French on its landing page, and that choice follows the candidate to the done
page with its booking link, the "your data" page, the apply page and the page an earlier
link opens once a newer one was emailed. Every page is checked in all six languages.
Screenshots land in `test-artifacts/screenshots/candidate-languages/`; each page state goes
through the accessibility gate first.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.drivers.console import Shots, mail_to, sign_up
from tests.drivers.local_stack import ROOT, RunningStack, call, ok
from tests.drivers.media import png

pytestmark = pytest.mark.e2e

LANGUAGES = ("en", "es", "fr", "de", "pt", "ar")
CATALOGUES = ROOT / "static_site" / "shared" / "i18n"
PASSWORD = "languages-pass-2026"
BRAND = "#7c2d92"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
BOOKING = "https://calendar.example.com/luna/next-step"


def catalogue(lang: str) -> dict[str, Any]:
    return json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8"))


def say(lang: str, key: str, **params: Any) -> str:
    """A catalogue message with its placeholders filled (plurals: the `other` form)."""
    value = catalogue(lang)[key]
    text = value.get("other") if isinstance(value, dict) else value
    return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), m.group(0))), text)


# English messages a page in another language must not show: the fixed sentences.
ENGLISH = sorted(
    text
    for text in catalogue("en").values()
    if isinstance(text, str) and "{" not in text and len(text.split()) >= 3
)


@pytest.fixture(scope="module")
def shots(screenshots: Path) -> Shots:
    return Shots(screenshots / "candidate-languages")


@pytest.fixture(scope="module")
def company(local_stack: RunningStack, browser: Any) -> dict[str, Any]:
    """A company with its own colour and an uploaded logo: {admin, name, logo_url}."""
    name = f"Luna {uuid.uuid4().hex[:6]}"
    admin = sign_up(
        local_stack, name, "Lu Admin", f"lu.{uuid.uuid4().hex[:8]}@example.com", PASSWORD
    )
    ok(call(local_stack, "PATCH", "/api/company", {"brand_color": BRAND}, token=admin))
    image = png(48, 24, (124, 45, 146))
    upload = {"content_type": "image/png", "size_bytes": len(image)}
    grant = ok(call(local_stack, "POST", "/api/company/logo/upload", upload, token=admin), 201)
    # The browser's POST straight to S3, as the console's settings page sends it.
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{local_stack.url}/console/")
    status = page.evaluate(
        """async ({grant, bytes}) => {
            const form = new FormData();
            for (const [k, v] of Object.entries(grant.fields)) form.append(k, v);
            form.append("Content-Type", "image/png");
            form.append("file", new Blob([new Uint8Array(bytes)], { type: "image/png" }));
            return (await fetch(grant.url, { method: "POST", body: form })).status;
        }""",
        {"grant": grant, "bytes": list(image)},
    )
    context.close()
    assert status == 204, status  # S3 answers a POST upload with 204 No Content
    chosen = {"logo_id": grant["logo_id"]}
    saved = ok(call(local_stack, "POST", "/api/company/logo", chosen, token=admin))
    return {"admin": admin, "name": name, "logo_url": saved["logo_url"]}


def interview(stack: RunningStack, admin: str, body: dict[str, Any]) -> dict[str, Any]:
    return ok(
        call(stack, "POST", "/api/interviews", {"deadline_days": 5, **body}, token=admin), 201
    )


def invite(stack: RunningStack, admin: str, interview_id: str, name: str) -> tuple[str, str, str]:
    """A fresh invitation → (link from the email, invitation id, email address)."""
    email = f"{name.split(maxsplit=1)[0].lower()}.{uuid.uuid4().hex[:8]}@example.com"
    body = {"candidates": [{"name": name, "email": email}]}
    ok(call(stack, "POST", f"/api/interviews/{interview_id}/invitations", body, token=admin))
    link = next(x for x in mail_to(stack, email)["links"] if "/candidate/#token=" in x)
    path = f"/api/interviews/{interview_id}/invitations?limit=100"
    listed = ok(call(stack, "GET", path, token=admin))["invitations"]
    [found] = [i for i in listed if i.get("candidate_email") == email]
    return link, found["invitation_id"], email


def assert_in_language(page: Any, lang: str) -> None:
    """<html lang dir> say the language, and no fixed English sentence is left on the page."""
    html = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    assert html == [lang, "rtl" if lang == "ar" else "ltr"]
    if lang != "en":
        text = page.inner_text("body")
        assert [s for s in ENGLISH if s in text] == []


def assert_branded(page: Any, company: dict[str, Any]) -> None:
    """The company's name, its uploaded logo (loaded) and its colour on the page."""
    assert page.inner_text("#brand .company") == company["name"]
    page.wait_for_function(
        "() => { const i = document.querySelector('#brand img.logo');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=30_000,
    )
    assert page.get_attribute("#brand img.logo", "src") == company["logo_url"]
    brand = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand')")
    assert brand.strip() == BRAND


def fits_a_phone(page: Any) -> None:
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(150)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    page.set_viewport_size(DESKTOP)
    assert width[0] <= width[1], width


@pytest.fixture
def candidate(browser: Any) -> Any:
    """A fresh browser profile that fails the test on a script error."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()
    assert not errors, errors


# What each interview says, written by the company in its own language.
WORDING = {
    "es": (
        "Atención al cliente",
        "Cuéntanos cómo calmaste a un cliente.",
        "¿Qué herramientas usas?",
    ),
    "ar": ("خدمة العملاء", "حدّثنا عن عميل ساعدته على الهدوء.", "ما الأدوات التي تستخدمها؟"),
}
ZONES = {"es": "Europe/Madrid", "ar": "Asia/Dubai"}


def test_a_candidate_answers_in_spanish_and_in_arabic_on_a_branded_site_that_fits_a_phone(
    local_stack: RunningStack, company: dict[str, Any], candidate: Any, shots: Shots
) -> None:
    page = candidate
    for lang in ("es", "ar"):
        # GIVEN an interview in the language, with an audio and a written question
        title, spoken, written = WORDING[lang]
        created = interview(
            local_stack,
            company["admin"],
            {
                "title": title,
                "language": lang,
                "time_zone": ZONES[lang],
                "support_contact": "talento@luna.example.com",
                "questions": [
                    {
                        "text": spoken,
                        "answer_type": "audio",
                        "think_seconds": 0,
                        "max_answer_seconds": 30,
                        "retakes": 0,
                    },
                    {"text": written, "answer_type": "text", "max_answer_seconds": 0},
                ],
            },
        )
        link, _, _ = invite(
            local_stack, company["admin"], created["interview_id"], "Nour Candidata"
        )

        # WHEN the candidate opens their link THEN the landing page speaks the interview's
        # language, wears the company's brand and fits a phone
        page.goto(link)
        page.wait_for_selector("[data-view=landing]")
        assert_in_language(page, lang)
        assert_branded(page, company)
        assert page.inner_text("[data-view=landing] h2 >> nth=0") == say(lang, "landing.how.title")
        deadline = page.inner_text("[data-view=landing] .deadline")
        assert deadline.startswith(say(lang, "landing.deadline").split("{")[0].strip())
        fits_a_phone(page)
        shots.take(page, f"{lang} 01 landing")

        # AND the device check and its network test speak it too
        page.check("#consent")
        page.click("[data-action=begin]")
        page.wait_for_selector("[data-view=devices] [data-action=devices-ok]:not([disabled])")
        page.wait_for_selector("[data-network]:not([data-network=checking])", timeout=30_000)
        assert page.inner_text("[data-view=devices] h1") == say(lang, "devices.title.audio")
        assert_in_language(page, lang)
        shots.take(page, f"{lang} 02 device check")
        page.click("[data-action=devices-ok]")
        page.click("[data-action=skip-practice]")

        # AND they record the audio answer and see it saved in their language
        page.wait_for_selector(f"h1:has-text('{spoken}')")
        page.click("[data-action=start]")
        page.wait_for_selector("[data-action=stop]")
        page.wait_for_timeout(1500)
        page.click("[data-action=stop]")
        page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
        assert page.inner_text("[data-upload-status]") == say(lang, "upload.saved")
        assert_in_language(page, lang)
        shots.take(page, f"{lang} 03 audio answer saved")
        page.click("[data-action=next]")

        # AND write the text answer, submit, and reach the done page
        page.wait_for_selector("#text-answer")
        page.fill(
            "#text-answer", "Un cuaderno y un calendario." if lang == "es" else "دفتر وتقويم."
        )
        assert_in_language(page, lang)
        shots.take(page, f"{lang} 04 text answer")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-view=finish]")
        assert_in_language(page, lang)
        page.click("[data-action=complete]")
        page.wait_for_selector("[data-view=done]")
        assert page.inner_text("[data-view=done] h1") == say(
            lang, "done.title", name="Nour Candidata"
        )
        assert_in_language(page, lang)
        assert_branded(page, company)
        fits_a_phone(page)
        shots.take(page, f"{lang} 05 done")


def test_a_switch_to_french_follows_the_candidate_to_every_page_and_all_six_languages_render(
    local_stack: RunningStack, company: dict[str, Any], candidate: Any, shots: Shots
) -> None:
    page, admin = candidate, company["admin"]
    # GIVEN an English interview with a booking link and a public apply link
    created = interview(
        local_stack,
        admin,
        {
            "title": "Customer Care",
            "questions": [
                {"text": "Which tools do you use?", "answer_type": "text", "max_answer_seconds": 0}
            ],
        },
    )
    interview_id = created["interview_id"]
    follow_up = {"reminder_hours": [48], "booking_url": BOOKING}
    ok(
        call(
            local_stack, "PUT", f"/api/interviews/{interview_id}/follow-up", follow_up, token=admin
        )
    )
    applying = {"enabled": True, "cap": 50}
    path = f"/api/interviews/{interview_id}/apply-link"
    opened = ok(call(local_stack, "PUT", path, applying, token=admin))
    apply_link = opened["apply"]["url"]
    link, invitation_id, _ = invite(local_stack, admin, interview_id, "Camille Candidate")

    # WHEN the candidate opens it in English and picks Français on the landing page
    page.goto(link)
    page.wait_for_selector("[data-view=landing]")
    assert_in_language(page, "en")
    shots.take(page, "fr 01 landing in english")
    page.select_option("#language-switcher", "fr")
    # THEN the page redraws in French, and the server keeps the choice for later emails
    page.wait_for_selector(f"[data-view=landing] h2:has-text('{say('fr', 'landing.how.title')}')")
    assert_in_language(page, "fr")
    assert page.evaluate("document.activeElement.id") == "language-switcher"  # focus stays
    token = link.split("#token=", 1)[1]
    state = ok(call(local_stack, "GET", "/api/candidate/session", invitation_token=token))
    assert state["language"] == "fr"
    shots.take(page, "fr 02 landing switched to french")
    # AND every option names its language in that language
    options = page.eval_on_selector_all("#language-switcher option", "o => o.map(x => x.text)")
    assert options == ["English", "Español", "Français", "Deutsch", "Português", "العربية"]

    # WHEN they answer and submit, and the hiring team advances them
    page.check("#consent")
    page.click("[data-action=begin]")
    page.fill("#text-answer", "Un carnet et un agenda.")
    page.click("button[type=submit]")
    page.click("[data-view=finish] [data-action=complete]")
    page.wait_for_selector("[data-view=done]")
    assert page.locator("[data-action=book]").count() == 0  # not before the decision
    advance = {"stage": "advanced", "notify": False}
    ok(call(local_stack, "POST", f"/api/invitations/{invitation_id}/stage", advance, token=admin))
    # THEN their link's done page, still in French after a reload, offers the booking link
    page.reload()
    book = page.wait_for_selector("[data-view=done] [data-action=book]")
    assert book.inner_text() == say("fr", "done.booking.button")
    assert book.get_attribute("href") == BOOKING
    assert_in_language(page, "fr")
    assert_branded(page, company)
    shots.take(page, "fr 03 done with the booking link")

    # AND the "your data" page is in French and branded
    page.goto(f"{link}&view=privacy")
    page.wait_for_selector("[data-view=privacy]")
    assert page.inner_text("[data-view=privacy] h1") == say("fr", "privacy.title")
    assert_in_language(page, "fr")
    assert_branded(page, company)
    shots.take(page, "fr 04 your data")

    # AND so is the company's apply page, with its brand
    page.goto(apply_link)
    page.wait_for_selector("#apply:not([hidden])")
    assert page.inner_text("#apply button[type=submit]") == say("fr", "apply.send")
    assert page.inner_text("#title") == "Customer Care"
    assert_in_language(page, "fr")
    assert_branded(page, company)
    shots.take(page, "fr 05 apply page")

    # WHEN the recruiter sends another candidate a new link THEN the earlier one says, in
    # French on this device, where and when the newer one went
    earlier, other_id, other_email = invite(local_stack, admin, interview_id, "Sasha Six")
    ok(call(local_stack, "POST", f"/api/invitations/{other_id}/new-link", token=admin))
    page.goto(earlier)
    page.wait_for_selector("[data-view=error] [data-notice=link-replaced]")
    assert page.inner_text("[data-view=error] h1") == say("fr", "linkReplaced.title")
    text = page.inner_text("[data-view=error]")
    assert "s***@e***.com" in text  # the masked address
    assert company["name"] in text
    assert_in_language(page, "fr")
    shots.take(page, "fr 06 link replaced")

    # AND in every language, the landing, done (with its booking link), "your data", apply,
    # replaced-link and wrong-link pages render in it
    fresh = next(
        x
        for x in reversed(mail_to(local_stack, other_email)["links"])
        if "/candidate/#token=" in x and "view=" not in x
    )
    assert fresh != earlier
    wrong = f"{local_stack.url}/candidate/#token=not-a-real-token"
    pages = [
        (fresh, "[data-view=landing] h2 >> nth=0", "landing.how.title"),
        (link, "[data-view=done] [data-action=book]", "done.booking.button"),
        (f"{fresh}&view=privacy", "[data-view=privacy] h1", "privacy.title"),
        (apply_link, "#apply:not([hidden]) label[for=apply-name]", "apply.name"),
        (earlier, "[data-view=error]:has([data-notice=link-replaced]) h1", "linkReplaced.title"),
        (wrong, "[data-view=error] h1", "errors.badLink.title"),
    ]
    for lang in LANGUAGES:
        for address, selector, key in pages:
            page.goto("about:blank")
            page.goto(f"{address}&lang={lang}")
            assert page.wait_for_selector(selector).inner_text() == say(lang, key), (address, lang)
            assert_in_language(page, lang)
