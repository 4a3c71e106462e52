"""The company's own email wording and the decision email preview, in Chromium on the local stack.

An admin words the Spanish invitation, is told beside the message that the link is missing,
previews it, saves it; the candidate's invitation in the outbox is that wording. On the
review page a rejection with email first shows the exact email; Cancel sends nothing, Send
sends what was shown. Screenshots in `test-artifacts/screenshots/console-emails/`.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.drivers.console import Shots, mail_to, outbox, sign_in, sign_up
from tests.drivers.local_stack import RunningStack, call, ok, wait_for

pytestmark = pytest.mark.e2e

INTERVIEW = {
    "title": "Atención al cliente",
    "language": "es",
    "time_zone": "Europe/Madrid",
    "questions": [{"text": "¿Por qué este puesto?", "answer_type": "text"}],
    "deadline_days": 5,
}
SUBJECT = "{{ company_name }} quiere conocerte, {{ candidate_name }}"
BODY_WITHOUT_LINK = "Hola {{ candidate_name }}:\n\nGraba tu entrevista antes del {{ deadline }}."
BODY = BODY_WITHOUT_LINK + "\n\n{{ link }}\n\nGracias por tu tiempo."


def test_an_admin_words_the_invitation_previews_it_and_previews_a_decision_before_sending(
    local_stack: RunningStack, page: Any, screenshots: Path
) -> None:
    shots = Shots(screenshots / "console-emails")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    unique = uuid.uuid4().hex[:8]
    # GIVEN a company with an interview in Spanish
    admin_email, password = f"eva.{unique}@example.com", "word-my-emails-1"
    admin = sign_up(local_stack, "Correo & Co", "Eva", admin_email, password)
    interview = ok(call(local_stack, "POST", "/api/interviews", INTERVIEW, token=admin), 201)

    # WHEN the admin opens the candidate emails page
    sign_in(page, local_stack, admin_email, password)
    page.click('nav a[href="#/emails"]')
    page.wait_for_selector("#email-form")
    # THEN the invitation shows our English wording, and Save waits for a preview
    assert "invites you" in page.input_value("#email-subject")
    assert page.is_disabled("#email-save")
    shots.take(page, "01 invitation in english, our wording")

    # WHEN they word the Spanish invitation but leave the link out, and preview it
    page.select_option("#email-language", "es")
    page.wait_for_function("document.querySelector('#email-subject').value.includes('te invita')")
    page.fill("#email-subject", SUBJECT)
    page.fill("#email-body", BODY_WITHOUT_LINK)
    page.click("#email-preview-button")
    # THEN they are told beside the message that the link is needed
    error = page.wait_for_selector("#email-body-error")
    assert "{{ link }}" in error.inner_text()
    assert page.get_attribute("#email-body", "aria-invalid") == "true"
    shots.take(page, "02 the link is missing, said beside the message")
    # WHEN they add the link, the message is cleared, and the preview shows the email
    page.fill("#email-body", BODY)
    page.wait_for_selector("#email-body-error", state="detached")
    page.click("#email-preview-button")
    page.wait_for_selector("#email-preview iframe")
    assert page.text_content('#email-preview [data-field="email-subject"]') == (
        "Correo & Co quiere conocerte, Sam Candidate"
    )
    frame = page.frame_locator("#email-preview iframe")
    assert "Empezar la entrevista" in frame.locator("body").inner_text()
    assert "(Europe/Madrid, UTC+0" in frame.locator("body").inner_text()
    shots.take(page, "03 preview of the spanish invitation")
    # AND save it
    page.click("#email-save")
    page.wait_for_selector("#email-saved")
    # AND the language list marks Spanish as theirs once the page has reloaded the wording
    page.wait_for_selector("#email-language option[value=es]:has-text('· yours')", state="attached")
    assert "Our wording" not in page.inner_text("#email-wording-kind")
    shots.take(page, "04 saved")

    # WHEN a candidate is invited to the Spanish interview
    lucia = f"lucia.{unique}@example.com"
    invite = {"candidates": [{"name": "Lucía", "email": lucia}]}
    path = f"/api/interviews/{interview['interview_id']}/invitations"
    report = ok(call(local_stack, "POST", path, invite, token=admin))
    invitation_id = report["invited"][0]["invitation_id"]
    # THEN the outbox holds the company's wording, filled in, with the link as the button
    invitation = mail_to(local_stack, lucia)
    assert invitation["subject"] == "Correo & Co quiere conocerte, Lucía"
    assert "Gracias por tu tiempo." in invitation["text"]
    assert any("#token=" in link for link in invitation["links"])
    page.goto(f"{local_stack.url}/dev/outbox")
    page.wait_for_selector("article h2")
    assert page.locator("article h2").first.inner_text() == invitation["subject"]
    page.screenshot(path=str(shots.folder / "05-outbox-1280.png"), full_page=True)

    # WHEN the admin rejects Lucía with an email from her review page
    page.goto(f"{local_stack.url}/console/#/candidates/{invitation_id}")
    page.wait_for_selector("#stage-box")
    page.check("#stage-notify")
    page.click('#stage-box [data-stage="rejected"]')
    # THEN the exact email is shown first, in Spanish, and nothing is sent yet
    page.wait_for_selector("#decision-preview iframe")
    shown_subject = page.text_content('#decision-preview [data-field="email-subject"]')
    assert shown_subject == "Tu candidatura en Correo & Co"
    assert page.text_content('#decision-preview [data-field="email-to"]') == lucia
    sent_before = len(outbox(local_stack))
    shots.take(page, "06 decision email preview")
    # WHEN they cancel, nothing changes and nothing is sent
    page.click("#decision-cancel")
    page.wait_for_selector("#decision-preview", state="detached")
    expect(page.locator('#stage-box [data-stage="rejected"]')).to_have_attribute(
        "aria-pressed", "false"
    )
    # WHEN they reject again and press Send
    page.click('#stage-box [data-stage="rejected"]')
    page.wait_for_selector("#decision-preview iframe")
    page.click("#decision-send")
    page.wait_for_selector("#stage-done")
    expect(page.locator('#stage-box [data-stage="rejected"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    shots.take(page, "07 decision sent")
    # THEN the email that went out is the one shown
    assert wait_for(lambda: len(outbox(local_stack)) > sent_before)
    sent = [m for m in outbox(local_stack)[sent_before:] if lucia in m["to"]]
    assert [m["subject"] for m in sent] == [shown_subject]
    assert errors == []
