"""The recruiter console in headless Chromium against the local stack, from sign-up to a share link.

Screenshots of every main page, at 1280 px and at tablet size (820 x 1180), land in
`test-artifacts/screenshots/console/`.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.drivers.a11y import assert_accessible
from tests.drivers.console import (
    DESKTOP,
    Shots,
    answer_everything,
    link_token,
    mail_to,
    outbox,
    sign_in,
    sign_in_api,
)
from tests.drivers.local_stack import RunningStack, call, wait_for

pytestmark = pytest.mark.e2e

XSS_NAME = '<img src=x onerror="window.__xss=1">Eve Sneaky'
XSS_QUESTION = "<script>window.__xss=2</script>Why do you want this job?"
XSS_TEXT_ANSWER = "I keep <b>lists</b> & calendars <img src=x onerror=window.__xss=3>"
XSS_COMMENT = "Strong answer <script>window.__xss=4</script>"


@pytest.fixture(scope="module")
def shots(screenshots: Path) -> Shots:
    return Shots(screenshots / "console")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.drivers.media import Clip, generate

    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("clip") / "a.webm")


def no_script_ran(page: Any) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0


def test_a_new_company_builds_invites_reviews_and_shares_in_chromium(
    local_stack: RunningStack, browser: Any, page: Any, shots: Shots, clip: Path
) -> None:
    unique = uuid.uuid4().hex[:8]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # GIVEN a company signs up in the console
    page.goto(f"{local_stack.url}/console/")
    page.wait_for_selector("#signup")
    shots.take(page, "01 sign in")
    page.fill("#signup-company", "Console & Co")
    page.fill("#signup-name", "Cleo Console")
    page.fill("#signup-email", f"cleo.{unique}@example.com")
    page.fill("#signup-password", "console-password-2026")
    page.click("#signup button[type=submit]")
    page.wait_for_selector("#signed-in")
    assert page.text_content('[data-field="company"]') == "Console & Co"
    assert page.text_content('[data-field="role"]') == "admin"
    page.wait_for_selector("#interviews-page")
    shots.take(page, "02 interviews empty")

    # WHEN they create an interview with a video and a written question and a rubric
    page.click("#new-interview")
    page.wait_for_selector("#interview-form")
    page.fill("#interview-title-input", "Support Lead")
    page.fill("#interview-intro", "Welcome! About ten minutes.")
    page.fill("#q-0-text", XSS_QUESTION)
    page.click("#add-question")
    page.fill("#q-1-text", "Which tools keep you organised?")
    page.select_option("#q-1-type", "text")
    page.click("#add-criterion")
    page.fill("#c-0-name", "Communication")
    page.click("#add-criterion")
    page.fill("#c-1-name", "Problem solving")
    shots.take(page, "03 interview editor")
    page.click("#save-interview")
    page.wait_for_selector("#invite-page")
    interview_id = re.search(r"#/interviews/([^/]+)/invite", page.url).group(1)

    # AND invite three CSV rows, one of them broken
    page.fill(
        "#invite-csv-text",
        f'name,email\n"{XSS_NAME.replace(chr(34), chr(34) * 2)}",eve.{unique}@example.com\n'
        f"Bob Builder,bob.{unique}@example.com\nBroken Row,not-an-email\n",
    )
    page.click("#invite-csv button[type=submit]")
    page.wait_for_selector("#invite-report")
    assert page.text_content('[data-count="invited"]') == "2"
    assert page.text_content('[data-count="errors"]') == "1"
    assert page.locator("#invite-errors tbody tr").first.locator("td").first.inner_text() == "4"
    shots.take(page, "04 invite csv report")

    # AND one candidate records their answers through the real upload path
    token = link_token(mail_to(local_stack, f"eve.{unique}@example.com"))
    answer_everything(local_stack, token, clip, XSS_TEXT_ANSWER)

    # THEN the pipeline lists them, the hostile name shown as text
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}")
    eve = page.locator("#pipeline a.candidate-link", has_text="Eve Sneaky")
    eve.wait_for()
    assert eve.inner_text() == XSS_NAME
    assert page.locator("#pipeline tbody tr").count() == 2
    shots.take(page, "05 pipeline")

    # WHEN the recruiter opens the review page and plays the first answer from the keyboard
    eve.click()
    page.wait_for_selector("#review-page video")
    assert page.text_content("#candidate-name") == XSS_NAME
    assert page.text_content(".question-text") == XSS_QUESTION
    video = page.locator("#review-page video")
    assert video.get_attribute("poster")
    page.keyboard.press("Space")
    assert wait_for(lambda: video.evaluate("v => v.currentTime > 0.2"), timeout=15)
    # (the page applies a speed when it next renders: asked until then)
    page.keyboard.press("s")
    assert wait_for(lambda: video.evaluate("v => v.playbackRate") == 1.5, timeout=5)
    expect(page.locator('[data-speed="1.5"]')).to_have_attribute("aria-pressed", "true")
    page.click('[data-speed="2"]')
    assert wait_for(lambda: video.evaluate("v => v.playbackRate") == 2, timeout=5)
    page.keyboard.press("Space")
    assert wait_for(lambda: video.evaluate("v => v.paused"), timeout=5)

    # AND scores with 1 to 5, moves between criteria with n/p and questions with j/k
    page.keyboard.press("4")
    page.keyboard.press("n")
    page.keyboard.press("3")
    criteria = page.locator("#review-form fieldset.criterion")
    expect(criteria.nth(0).locator('[aria-pressed="true"]')).to_have_text("4")
    expect(criteria.nth(1).locator('[aria-pressed="true"]')).to_have_text("3")
    shots.take(page, "06 review video")
    page.keyboard.press("j")
    page.wait_for_selector("[data-text-answer]")
    assert page.text_content("[data-text-answer]") == XSS_TEXT_ANSWER
    page.keyboard.press("p")
    page.keyboard.press("5")
    page.keyboard.press("n")
    page.keyboard.press("4")
    expect(criteria.nth(0).locator('[aria-pressed="true"]')).to_have_text("5")
    expect(criteria.nth(1).locator('[aria-pressed="true"]')).to_have_text("4")
    page.select_option("#review-recommendation", "yes")
    page.fill("#review-note", "Clear and kind. <i>Would hire.</i>")
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("#review-saved")
    shots.take(page, "07 review text answer")

    # AND comments, and advances the candidate with the decision email
    page.fill("#comment-text", XSS_COMMENT)
    page.click("#comments button[type=submit]")
    page.wait_for_selector(f"#comments .comment-text:text-is('{XSS_COMMENT}')")
    before = len([m for m in outbox(local_stack) if f"eve.{unique}@example.com" in m["to"]])
    page.check("#stage-notify")
    page.click('#stage-box [data-stage="advanced"]')
    page.wait_for_selector("#decision-preview iframe")
    page.click("#decision-send")
    page.wait_for_selector("#stage-done")
    expect(page.locator('#stage-box [data-stage="advanced"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    assert wait_for(
        lambda: (
            len([m for m in outbox(local_stack) if f"eve.{unique}@example.com" in m["to"]]) > before
        )
    )

    # AND creates a share link
    page.click("#share-form button[type=submit]")
    share_url = page.input_value("#share-url")
    assert "/share/#token=" in share_url
    shots.take(page, "08 review shared")
    no_script_ran(page)

    # AND the share link opens in a fresh browser with no sign-in
    outsider = browser.new_context(viewport=DESKTOP)
    try:
        shared = outsider.new_page()
        shared.on("pageerror", lambda error: errors.append(str(error)))
        shared.goto(share_url)
        shared.wait_for_selector("#shared")
        assert shared.text_content("#shared-name") == XSS_NAME
        assert shared.text_content("#shared-title") == "Support Lead"
        assert shared.locator("video").count() == 1
        assert shared.text_content("[data-text-answer]") == XSS_TEXT_ANSWER
        assert "#token=" not in shared.url
        shared.locator("video").evaluate(
            "v => new Promise(r => v.readyState > 0 ? r() : v.onloadedmetadata = r)"
        )
        shots.take(shared, "09 share page")
        no_script_ran(shared)
    finally:
        outsider.close()

    # WHEN the share link is revoked THEN it stops opening
    page.click("#shares .share-list button")
    page.wait_for_selector("#shares .share-list li:has-text('Revoked')")
    revoked = browser.new_context(viewport=DESKTOP)
    try:
        late = revoked.new_page()
        late.goto(share_url)
        late.wait_for_selector("#share-error:has-text('expired or was revoked')")
        assert_accessible(late, "share link revoked")
    finally:
        revoked.close()

    # THEN the pipeline shows the stage and the score
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}")
    row = page.locator("#pipeline tbody tr", has_text="Eve Sneaky")
    row.locator(".badge", has_text="advanced").wait_for()
    assert row.locator("td").nth(3).inner_text() != "—"

    # WHEN the admin turns on blind review in the editor THEN it is saved
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}/edit")
    page.check("#interview-blind")
    page.click("#save-interview")
    page.wait_for_selector("#editor-saved")
    page.reload()
    page.wait_for_selector("#interview-form")
    assert page.is_checked("#interview-blind")
    assert_accessible(page, "editor of a blind-review interview")

    # WHEN the admin hides names from admins too THEN their own pipeline shows labels only
    page.check("#interview-blind-admins")
    page.click("#save-interview")
    page.wait_for_selector("#editor-saved")
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}")
    page.wait_for_selector("#blind-note")
    page.locator("#pipeline tbody tr").first.wait_for()
    assert "Eve Sneaky" not in page.locator("#pipeline").inner_text()

    # AND analytics and usage count the completed interview
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}/analytics")
    page.wait_for_selector("#funnel-chart")
    shots.take(page, "10 analytics")
    page.goto(f"{local_stack.url}/console/#/interviews")
    page.locator(".interview-card", has_text="Support Lead").wait_for()
    shots.take(page, "11 interviews")
    page.goto(f"{local_stack.url}/console/#/usage")
    page.wait_for_selector("#usage-page h1")
    page.wait_for_selector("#usage-table, #usage-page .empty, #usage-page [data-error]")
    shots.take(page, "12 usage")
    no_script_ran(page)
    assert errors == []


def test_the_console_refreshes_the_token_once_then_signs_out_with_a_message(
    local_stack: RunningStack, page: Any
) -> None:
    # GIVEN the demo admin is signed in
    sign_in(page, local_stack, local_stack.state["email"], local_stack.state["password"])
    page.wait_for_selector("#interviews-page .interview-card")
    old = page.evaluate("sessionStorage.getItem('id_token')")
    # WHEN the ID token stops being accepted THEN the console refreshes it and carries on
    page.evaluate("sessionStorage.setItem('id_token', 'not.a.token')")
    page.reload()
    page.wait_for_selector("#interviews-page .interview-card")
    fresh = page.evaluate("sessionStorage.getItem('id_token')")
    assert fresh not in (old, "not.a.token")
    # WHEN the refresh token is refused too THEN it signs out and says why
    page.evaluate(
        "sessionStorage.setItem('id_token', 'not.a.token');"
        "sessionStorage.setItem('refresh_token', 'not-a-refresh-token')"
    )
    page.click('nav a[href="#/usage"]')
    page.wait_for_selector("#signed-out-message:has-text('session has ended')")
    assert page.evaluate("sessionStorage.getItem('id_token')") is None


def test_an_admin_adds_a_reviewer_who_chooses_a_password_and_is_later_removed(
    local_stack: RunningStack, browser: Any, page: Any, shots: Shots
) -> None:
    unique = uuid.uuid4().hex[:8]
    email = f"rita.{unique}@example.com"
    # GIVEN the admin invites a reviewer from the team page
    sign_in(page, local_stack, local_stack.state["email"], local_stack.state["password"])
    page.click('nav a[href="#/team"]')
    page.fill("#team-name", "Rita Reviewer")
    page.fill("#team-email", email)
    page.select_option("#team-role", "reviewer")
    page.click("#team-invite button[type=submit]")
    page.wait_for_selector("#team-flash")
    page.locator("#team-table tr", has_text=email).wait_for()
    shots.take(page, "13 team")
    message = mail_to(local_stack, email)
    temporary = temporary_password(message["text"])

    # WHEN they sign in with the emailed password THEN they must choose their own first
    reviewer = browser.new_context(viewport=DESKTOP)
    try:
        theirs = reviewer.new_page()
        theirs.goto(f"{local_stack.url}/console/")
        theirs.fill("#signin-email", email)
        theirs.fill("#signin-password", temporary)
        theirs.click("#signin button[type=submit]")
        theirs.wait_for_selector("#new-password")
        shots.take(theirs, "14 new password", tablet=False)
        theirs.fill("#new-password-value", "rita-own-password-1")
        theirs.fill("#new-password-confirm", "rita-own-password-1")
        theirs.click("#new-password button[type=submit]")
        theirs.wait_for_selector("#signed-in")
        assert theirs.text_content('[data-field="role"]') == "reviewer"
        # AND a reviewer sees no admin navigation
        assert theirs.locator('nav a[href="#/team"]').count() == 0
        assert theirs.locator("#new-interview").count() == 0

        # WHEN the admin makes them an admin THEN their same session is an admin's at once
        user_id = page.locator("#team-table tr", has_text=email).get_attribute("data-user")
        page.select_option(f'#team-table tr[data-user="{user_id}"] select', "admin")
        page.wait_for_selector("#team-flash:has-text('is now an admin')")
        theirs.reload()
        theirs.wait_for_selector("#signed-in")
        assert theirs.text_content('[data-field="role"]') == "admin"
        assert theirs.locator('nav a[href="#/team"]').count() == 1

        # WHEN the admin removes them THEN their next request signs them out
        page.once("dialog", lambda dialog: dialog.accept())
        page.click(f'#team-table tr[data-user="{user_id}"] button')
        page.locator("#team-table tr", has_text=email).wait_for(state="detached")
        status, _ = call(
            local_stack,
            "POST",
            "/api/auth/signin",
            {"email": email, "password": "rita-own-password-1"},
        )
        assert status in (400, 401, 403)
        theirs.evaluate("sessionStorage.setItem('id_token', 'expired.by.removal')")
        theirs.click('nav a[href="#/usage"]')
        theirs.wait_for_selector("#signed-out-message")
    finally:
        reviewer.close()


def temporary_password(text: str) -> str:
    plain = re.sub(r"<[^>]+>", "", text)
    match = re.search(r"temporary password:\s*(\S+)", plain, re.I)
    assert match, text
    return match.group(1)


def test_branding_and_decision_templates_are_saved_from_settings(
    local_stack: RunningStack, page: Any, shots: Shots
) -> None:
    # GIVEN a fresh company's admin on the settings page
    unique = uuid.uuid4().hex[:8]
    status, _ = call(
        local_stack,
        "POST",
        "/api/auth/signup",
        {
            "company_name": "Brand Test",
            "name": "Bea Brand",
            "email": f"bea.{unique}@example.com",
            "password": "brand-password-2026",
        },
    )
    assert status == 200
    sign_in(page, local_stack, f"bea.{unique}@example.com", "brand-password-2026")
    page.click('nav a[href="#/settings"]')
    page.wait_for_selector("#branding-form")
    # WHEN they change the name and colour, and the rejection email
    page.fill("#company-name", "Brand Test <Ltd>")
    page.fill('input[aria-label="Brand colour as hex"]', "#aa3300")
    page.click("#branding-form button[type=submit]")
    page.wait_for_selector("#branding-saved")
    page.wait_for_selector("#templates-form")
    page.fill("#template-rejected-subject", "About {{title}} at {{company_name}}")
    page.click("#templates-form button[type=submit]")
    page.wait_for_selector("#templates-saved")
    shots.take(page, "15 settings")
    # THEN the API has them and the top bar shows the new name as text
    assert page.text_content('[data-field="company"]') == "Brand Test <Ltd>"
    tokens = sign_in_api(local_stack, f"bea.{unique}@example.com", "brand-password-2026")
    _, me = call(local_stack, "GET", "/api/me", token=tokens["id_token"])
    assert me["company"]["brand_color"].lower() == "#aa3300"
    _, templates = call(local_stack, "GET", "/api/company/templates", token=tokens["id_token"])
    assert templates["rejected"]["subject"] == "About {{title}} at {{company_name}}"


def test_an_admin_exports_the_company_and_downloads_it_from_the_emailed_link(
    local_stack: RunningStack, page: Any, shots: Shots
) -> None:
    # GIVEN a fresh company's admin on the settings page
    unique = uuid.uuid4().hex[:8]
    email = f"exa.{unique}@example.com"
    status, _ = call(
        local_stack,
        "POST",
        "/api/auth/signup",
        {
            "company_name": "Export Test",
            "name": "Exa Export",
            "email": email,
            "password": "export-password-2026",
        },
    )
    assert status == 200
    sign_in(page, local_stack, email, "export-password-2026")
    page.click('nav a[href="#/settings"]')
    page.wait_for_selector("#templates-form")  # loaded: nothing above the export moves now
    # WHEN they ask for an export, the job runs on the stack's jobs queue
    page.click("#export-start")
    page.wait_for_selector("#export-ready", timeout=60_000)
    shots.take(page, "16 export ready")
    # THEN they are mailed a link to the console (no file URL in the mail)
    (mail,) = [m for m in outbox(local_stack) if m["to"] == [email]]
    (link,) = [x for x in mail["links"] if "/console/#/settings/export/" in x]
    assert "X-Amz-Signature" not in json.dumps(mail)
    # AND the link opens the export in the console, which downloads the file
    page.goto(link)
    page.wait_for_selector("#export-ready")
    with page.expect_download() as download:
        page.click("#export-download")
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["company"]["name"] == "Export Test"
    assert exported["interviews"] == []
