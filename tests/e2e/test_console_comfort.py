"""Recruiter comfort in Chromium: the question library, editor errors by their field, an uploaded
logo candidates see, read-only pages for reviewers, and the console on a 390 px phone.

Screenshots land in `test-artifacts/screenshots/console-comfort/`; each page state goes through
the accessibility gate first.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.drivers.a11y import assert_accessible
from tests.drivers.console import Shots, mail_to, sign_in, sign_in_api, sign_up
from tests.drivers.local_stack import RunningStack, call, candidate_call, ok
from tests.drivers.media import png

pytestmark = pytest.mark.e2e

PASSWORD = "comfort-pass-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def shots(screenshots: Path) -> Shots:
    return Shots(screenshots / "console-comfort")


def open_page(page: Any, stack: RunningStack, route: str, ready: str) -> None:
    page.goto(f"{stack.url}/console/#/{route}")
    page.wait_for_selector(ready)


THINK_WORDS = "Use a whole number of seconds from 0 to 600 (0 means no limit)."
STILL_PROCESSING = "This video is still being processed. Save again once it is ready."
# The editor's mapping of a 422 from the API, run in the page: validator wording is reworded,
# the domain's own plain words are kept.
REWORD_JS = f"""async () => {{
  const {{ ApiError }} = await import('/shared/api.js');
  const {{ detailsByField }} = await import('/console/form_errors.js');
  const error = new ApiError(422, {{
    error: 'invalid_input',
    message: 'Some fields are missing or invalid.',
    details: [
      {{ field: 'questions.1.think_seconds', problem: 'less_than_equal',
         message: 'Input should be less than or equal to 600' }},
      {{ field: 'title', problem: 'string_too_long',
         message: 'String should have at most 200 characters' }},
      {{ field: 'questions.0.video_key', problem: 'processing', message: '{STILL_PROCESSING}' }},
    ],
  }});
  const plain = (path) => (path.endsWith('think_seconds') ? '{THINK_WORDS}' : null);
  return detailsByField(error, plain);
}}"""
IMAGE_LOADED = (
    "s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth; }"
)


def image_shown(page: Any, selector: str) -> bool:
    """The image loaded (followed the logo route's redirect) and has pixels."""
    page.wait_for_function(
        IMAGE_LOADED,
        arg=selector,
        timeout=30_000,
    )
    return True


def test_an_admin_keeps_a_question_picks_it_fixes_errors_by_field_and_uploads_a_logo(
    local_stack: RunningStack, page: Any, shots: Shots, tmp_path: Path
) -> None:
    unique = uuid.uuid4().hex[:8]
    email = f"lib.{unique}@example.com"
    admin = sign_up(local_stack, "Library & Co", "Ada Admin", email, PASSWORD)
    source = {
        "title": "Support Desk",
        "questions": [
            {"text": "Tell us about yourself.", "answer_type": "video"},
            {
                "text": "Describe a customer you calmed down.",
                "answer_type": "audio",
                "think_seconds": 45,
                "max_answer_seconds": 90,
                "retakes": 2,
            },
        ],
        "deadline_days": 5,
    }
    interview = ok(call(local_stack, "POST", "/api/interviews", source, token=admin), 201)
    sign_in(page, local_stack, email, PASSWORD)

    # GIVEN the admin keeps the second question of an interview in the library
    open_page(page, local_stack, f"interviews/{interview['interview_id']}/edit", "#interview-form")
    page.click("#q-1-keep")
    page.wait_for_selector("#q-1-keep-status:has-text('Kept in the question library')")
    shots.take(page, "01 editor question kept in the library")
    open_page(page, local_stack, "library", "#library-list")
    assert "Describe a customer you calmed down." in page.inner_text("#library-list")
    assert "Audio answer · 45 s to think · up to 1:30 · 2 retakes" in page.inner_text(
        "#library-list"
    )
    shots.take(page, "02 question library")

    # WHEN they start a new interview and submit it with a blank title and a blank question
    open_page(page, local_stack, "interviews/new", "#interview-form")
    page.fill("#interview-deadline", "0")
    page.click("#save-interview")
    # THEN each message is next to its field, in plain words, and focus is on the first one
    page.wait_for_selector("#editor-error-summary")
    title = page.locator("#interview-title-input")
    assert title.get_attribute("aria-invalid") == "true"
    assert title.get_attribute("aria-describedby") == "interview-title-input-error"
    assert page.inner_text("#interview-title-input-error") == "Give the interview a title."
    assert page.inner_text("#q-0-text-error") == "Write the question."
    assert "from 1 to 90" in page.inner_text("#interview-deadline-error")
    assert page.evaluate("document.activeElement.id") == "interview-title-input"
    assert page.locator("#editor-error-summary li").count() == 3
    shots.take(page, "03 editor errors next to their fields")
    # AND a summary link takes focus to its field
    page.click("#editor-error-summary a[data-field='questions.0.text']")
    assert page.evaluate("document.activeElement.id") == "q-0-text"
    # WHEN the title is fixed THEN its message goes; the others stay until they are fixed
    title.fill("Night Shift Support")
    page.wait_for_selector("#interview-title-input-error", state="detached")
    assert title.get_attribute("aria-invalid") is None
    assert page.locator("#q-0-text-error").count() == 1
    assert page.locator("#editor-error-summary li").count() == 2
    page.fill("#interview-deadline", "7")
    page.fill("#q-0-text", "What does a calm night shift look like?")
    page.wait_for_selector("#editor-error-summary", state="detached")
    # WHEN only the API can tell (a role description over its 5,000 characters)
    page.fill("#interview-role", "Night shifts. " * 360)
    page.click("#save-interview")
    # THEN the API's refusal shows next to that field, in plain words, focused
    page.wait_for_selector("#interview-role-error")
    assert page.inner_text("#interview-role-error") == (
        "This is too long: keep it to 5000 characters or fewer."
    )
    assert page.evaluate("document.activeElement.id") == "interview-role"
    shots.take(page, "03b editor error from the API next to its field")
    page.fill("#interview-role", "Night shifts in a calm team.")
    page.wait_for_selector("#interview-role-error", state="detached")
    # AND the API's validator wording is reworded for people
    words = page.evaluate(REWORD_JS)
    assert words == {
        "questions.1.think_seconds": THINK_WORDS,
        "title": "This is too long: keep it to 200 characters or fewer.",
        "questions.0.video_key": STILL_PROCESSING,
    }

    # WHEN they pick the kept question from the library and create the interview
    page.click("#pick-from-library")
    page.wait_for_selector("#library-picker li[data-entry]")
    shots.take(page, "04 editor library picker")
    page.click("#library-picker li[data-entry] button")
    expect(page.locator("#q-1-text")).to_have_value("Describe a customer you calmed down.")
    expect(page.locator("#q-1-type")).to_have_value("audio")
    expect(page.locator("#q-1-max")).to_have_value("90")
    page.select_option("#interview-language", "es")
    page.select_option("#interview-time-zone", "Europe/Madrid")
    page.click("#save-interview")
    page.wait_for_url(re.compile(r".*/invite$"))
    # THEN the new interview asks it, with its limits, in Spanish, on Madrid's clock
    new_id = page.url.split("#/interviews/")[1].split("/")[0]
    created = ok(call(local_stack, "GET", f"/api/interviews/{new_id}", token=admin))
    asked = created["questions"][1]
    assert (asked["text"], asked["answer_type"], asked["think_seconds"]) == (
        "Describe a customer you calmed down.",
        "audio",
        45,
    )
    assert (asked["max_answer_seconds"], asked["retakes"]) == (90, 2)
    assert (created["language"], created["time_zone"]) == ("es", "Europe/Madrid")

    # WHEN the admin chooses an SVG as the logo THEN it is refused next to the field
    open_page(page, local_stack, "settings", "#branding-form")
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    page.set_input_files("#company-logo-file", str(svg))
    page.wait_for_selector("#company-logo-file-error")
    assert "SVG logos are not accepted" in page.inner_text("#company-logo-file-error")
    assert page.get_attribute("#company-logo-file", "aria-invalid") == "true"
    shots.take(page, "05 settings svg logo refused")
    # WHEN they upload a PNG THEN the console's top bar and the settings show it
    logo = tmp_path / "logo.png"
    logo.write_bytes(png(24, 12, (200, 40, 20)))
    page.set_input_files("#company-logo-file", str(logo))
    page.wait_for_selector("#company-logo-status:has-text('Logo saved')")
    assert page.locator("#company-logo-file-error").count() == 0
    assert image_shown(page, ".topbar img.brand-logo")
    assert image_shown(page, "#company-logo-current")
    shots.take(page, "06 settings logo uploaded")
    me = ok(call(local_stack, "GET", "/api/me", token=admin))
    assert f"/api/logos/{me['company']['company_id']}/" in me["company"]["logo_url"]

    # AND a candidate invited now sees it on their interview page
    candidate = f"cara.{unique}@example.com"
    invite = {"candidates": [{"name": "Cara Candidate", "email": candidate}]}
    ok(call(local_stack, "POST", f"/api/interviews/{new_id}/invitations", invite, token=admin))
    link = next(x for x in mail_to(local_stack, candidate)["links"] if "#token=" in x)
    page.goto(link)
    assert image_shown(page, "img.logo")
    assert "/api/logos/" in page.get_attribute("img.logo", "src")
    shots.take(page, "07 candidate page with the uploaded logo", tablet=False)


def add_reviewer(stack: RunningStack, admin: str, email: str, password: str) -> None:
    """A reviewer on the team, who chose their own password at first sign-in."""
    body = {"email": email, "name": "Rey Reviewer", "role": "reviewer"}
    ok(call(stack, "POST", "/api/team", body, token=admin), 201)
    text = re.sub(r"<[^>]+>", "", mail_to(stack, email)["text"])
    temporary = re.search(r"temporary password:\s*(\S+)", text, re.I).group(1)
    challenge = ok(call(stack, "POST", "/api/auth/signin", {"email": email, "password": temporary}))
    new = {"email": email, "session": challenge["session"], "new_password": password}
    ok(call(stack, "POST", "/api/auth/new-password", new))


def fits(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def phone_shot(page: Any, shots: Shots, name: str) -> None:
    assert_accessible(page, f"console-comfort/{name}")
    page.screenshot(path=str(shots.folder / f"{name}-390.png"), full_page=True)


def test_a_reviewer_reads_forms_as_text_and_the_console_fits_a_phone(
    local_stack: RunningStack, browser: Any, page: Any, shots: Shots
) -> None:
    unique = uuid.uuid4().hex[:8]
    email = f"rev.{unique}@example.com"
    admin = sign_up(local_stack, "Readers Ltd", "Ada Admin", email, PASSWORD)
    body = {
        "title": "Warehouse Lead (night shifts, Rotterdam and Antwerp sites)",
        "questions": [{"text": "Which tools keep a night shift organised?", "answer_type": "text"}],
        "rubric": [{"name": "Clarity", "anchors": ["1", "2", "3", "4", "5"]}],
        "deadline_days": 5,
    }
    interview = ok(call(local_stack, "POST", "/api/interviews", body, token=admin), 201)
    path = f"/api/interviews/{interview['interview_id']}"
    people = [
        ("Maximiliana Bartholomew-Vandersloot", f"maximiliana.bartholomew.{unique}@example.com"),
        ("Kim Lee", f"kim.{unique}@example.com"),
    ]
    invite = {"candidates": [{"name": n, "email": e} for n, e in people]}
    ok(call(local_stack, "POST", f"{path}/invitations", invite, token=admin))
    token = next(x for x in mail_to(local_stack, people[0][1])["links"] if "#token=" in x)
    token = token.split("#token=")[1]
    ok(candidate_call(local_stack, token, "POST", "/consent", {"accepted": True}))
    question = interview["questions"][0]["question_id"]
    text = {"text": "A shared checklist, a handover note and a quiet radio channel."}
    ok(candidate_call(local_stack, token, "PUT", f"/questions/{question}/text", text))
    ok(candidate_call(local_stack, token, "POST", "/complete", {}))
    reviewer = f"rey.{unique}@example.com"
    add_reviewer(local_stack, admin, reviewer, "rey-reads-only-1")
    sign_in_api(local_stack, reviewer, "rey-reads-only-1")

    # WHEN the reviewer opens the interview's questions
    sign_in(page, local_stack, reviewer, "rey-reads-only-1")
    open_page(
        page, local_stack, f"interviews/{interview['interview_id']}/edit", "#interview-readonly"
    )
    # THEN they read it as text: no form, no inputs, no Save button
    main = page.locator("main")
    assert page.locator("#interview-form").count() == 0
    assert main.locator("input, textarea, select").count() == 0
    assert page.locator("#save-interview").count() == 0
    assert "Which tools keep a night shift organised?" in main.inner_text()
    assert "Only a company admin can change it" in page.inner_text("#readonly-note")
    shots.take(page, "08 reviewer reads the interview")
    # AND the settings are text too
    open_page(page, local_stack, "settings", "#branding-readonly")
    assert main.locator("input, textarea, select").count() == 0
    assert page.locator("main button[type=submit]").count() == 0
    assert "Readers Ltd" in page.inner_text("#branding-readonly")
    shots.take(page, "09 reviewer reads the settings")

    # WHEN the admin opens the console on a 390 px phone
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    try:
        sign_in(phone, local_stack, email, PASSWORD)
        # THEN no page is wider than the screen: the interviews, the pipeline, a candidate
        open_page(phone, local_stack, "interviews", "#interviews-page .interview-card")
        assert fits(phone) <= 390
        phone_shot(phone, shots, "10-phone-interviews")
        open_page(
            phone, local_stack, f"interviews/{interview['interview_id']}", "#pipeline tbody tr"
        )
        phone.wait_for_selector(f"#pipeline a:has-text('{people[1][0]}')")
        assert fits(phone) <= 390
        assert phone.locator("#pipeline td[data-label='Status']").first.is_visible()
        phone_shot(phone, shots, "11-phone-pipeline")
        phone.click(f"#pipeline a:has-text('{people[0][0]}')")
        phone.wait_for_selector("#review-form")
        assert fits(phone) <= 390
        phone_shot(phone, shots, "12-phone-review")
    finally:
        context.close()
