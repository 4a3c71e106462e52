"""The compliance and integration pages in Chromium against the local stack.

An admin sets an interview's reminders and booking link, previews and saves a retention
period, adds a webhook (its secret shown once), sends it a test event that a receiver on
loopback gets signed, rotates the secret, reads the audit log in words, filters it and
downloads it as CSV, and deletes a candidate after typing their name. Screenshots land in
`test-artifacts/screenshots/console-compliance/`.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chalicelib.data.models import utcnow
from chalicelib.domain import webhooks
from tests.drivers.console import Shots, sign_in, sign_up
from tests.drivers.local_stack import RunningStack, call, ok
from tests.drivers.webhooks import Receiver

pytestmark = pytest.mark.e2e

PASSWORD = "compliance-pass-2026"


@pytest.fixture(scope="module")
def shots(screenshots: Path) -> Shots:
    return Shots(screenshots / "console-compliance")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


def test_an_admin_runs_compliance_and_integrations_from_the_console(
    local_stack: RunningStack, page: Any, shots: Shots, receiver: Receiver
) -> None:
    unique = uuid.uuid4().hex[:8]
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # GIVEN a company with an interview, one invited candidate and one whose link was revoked
    email = f"ana.{unique}@example.com"
    token = sign_up(local_stack, "Comply & Co", "Ana Silva", email, PASSWORD)
    interview = {
        "title": "Backend engineer",
        "questions": [{"text": "Why this team?", "answer_type": "text"}],
        "deadline_days": 5,
    }
    interview_id = ok(call(local_stack, "POST", "/api/interviews", interview, token=token), 201)[
        "interview_id"
    ]
    people = [
        {"name": "Sam Lee", "email": f"sam.{unique}@example.com"},
        {"name": "Rob Gone", "email": f"rob.{unique}@example.com"},
    ]
    invite_path = f"/api/interviews/{interview_id}/invitations"
    ok(call(local_stack, "POST", invite_path, {"candidates": people}, token=token))
    rows = ok(call(local_stack, "GET", invite_path, token=token))["invitations"]
    ids = {row["candidate_name"]: row["invitation_id"] for row in rows}
    ok(call(local_stack, "POST", f"/api/invitations/{ids['Rob Gone']}/revoke", token=token))
    sign_in(page, local_stack, email, PASSWORD)

    # WHEN the admin opens the interview's reminders and booking link from its pipeline
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}")
    page.click(f'a[href="#/interviews/{interview_id}/settings"]')
    page.wait_for_selector("#follow-up-form")
    assert page.input_value("#reminder-0") == "48"
    page.fill("#reminder-0", "72")
    page.click('button[aria-label="Remove reminder 2"]')
    page.fill("#booking-url", "https://cal.example.com/comply/30min")
    shots.take(page, "01 interview reminders and booking link")
    page.click("#follow-up-save")
    # THEN it is saved as typed, and stays so when the page is opened again
    assert "3 days before the deadline, with a booking link" in page.text_content(
        "#follow-up-saved"
    )
    page.reload()
    page.wait_for_selector("#follow-up-form")
    assert page.input_value("#reminder-0") == "72"
    assert page.locator("#reminder-list li").count() == 1
    assert page.input_value("#booking-url") == "https://cal.example.com/comply/30min"

    # WHEN the admin previews keeping closed candidates 30 days, then saves it
    page.click('nav a[href="#/settings"]')
    # (once the decision emails have loaded: they push the links down the page)
    page.wait_for_selector("#templates-form")
    page.click("#retention-link")
    page.wait_for_selector("#retention-form")
    assert page.text_content("#retention-current") == "Now: 180 days."
    assert page.is_disabled("#retention-save")
    page.fill("#retention-days", "30")
    page.click("#retention-preview-button")
    # THEN the revoked candidate goes 30 days from now; the invited one is not counted yet
    page.wait_for_selector("#retention-preview")
    assert page.text_content("#retention-total").startswith("1 candidate in all")
    assert "1 candidate is still open" in page.text_content("#retention-total")
    day = (utcnow() + timedelta(days=30)).date()
    first_row = page.locator("#retention-schedule tbody tr").first.locator("td")
    assert first_row.first.inner_text() == f"{day:%b} {day.day}, {day.year}"
    assert first_row.nth(1).inner_text() == "1"
    shots.take(page, "02 retention preview")
    page.click("#retention-save")
    page.wait_for_selector("#retention-saved")
    assert page.text_content("#retention-current") == "Now: 30 days."
    company = ok(call(local_stack, "GET", "/api/me", token=token))["company"]
    assert company["retention_days"] == 30
    shots.take(page, "03 retention saved")

    # WHEN the admin adds a webhook for a receiver
    page.click('nav a[href="#/webhooks"]')
    page.wait_for_selector("#webhooks-empty")
    page.fill("#webhook-url", receiver.url)
    page.check('input[value="invitation.created"]')
    page.click("#webhook-add")
    # THEN its signing secret is shown once, with a copy button
    page.wait_for_selector("#webhook-secret-once")
    secret = page.input_value("#webhook-secret")
    assert secret.startswith("whsec_")
    shots.take(page, "04 webhook secret shown once")
    page.click("#webhook-secret-done")
    expect(page.locator("#webhook-secret")).to_have_count(0)
    page.reload()
    page.wait_for_selector("#webhooks-table")
    assert secret not in page.content()
    # WHEN they send a test event THEN the receiver gets a ping signed with that secret
    page.click('#webhooks-table button[data-act="test"]')
    page.wait_for_selector("#webhooks-flash")
    page.wait_for_selector('#deliveries-table tr[data-status="delivered"]', timeout=30_000)
    delivered = page.locator('#deliveries-table tr[data-status="delivered"]').first
    assert "ping" in delivered.inner_text()
    assert "HTTP 204" in delivered.inner_text()
    assert receiver.events() == ["ping"]
    (request,) = receiver.received
    assert webhooks.verify(secret, request["headers"][webhooks.SIGNATURE_HEADER], request["body"])
    shots.take(page, "05 webhook test event delivered")
    # WHEN they rotate the secret THEN a new one is shown once, and the next ping uses it
    page.once("dialog", lambda dialog: dialog.accept())
    page.click('#webhooks-table button[data-act="rotate"]')
    page.wait_for_selector("#webhook-secret-once")
    rotated = page.input_value("#webhook-secret")
    assert rotated.startswith("whsec_")
    assert rotated != secret
    page.click("#webhook-secret-done")
    page.click('#webhooks-table button[data-act="test"]')
    page.wait_for_function(
        "document.querySelectorAll('#deliveries-table tr[data-status=\"delivered\"]').length === 2",
        timeout=30_000,
    )
    signature = receiver.received[1]["headers"][webhooks.SIGNATURE_HEADER]
    assert webhooks.verify(rotated, signature, receiver.received[1]["body"])
    assert not webhooks.verify(secret, signature, receiver.received[1]["body"])
    # WHEN they change the events it receives: failed answers instead of completions
    page.click('#webhooks-table button[data-act="events"]')
    editor = page.locator("#webhook-events-form")
    expect(editor.locator('input[value="interview.completed"]')).to_be_checked()
    editor.locator('input[value="interview.completed"]').uncheck()
    editor.locator('input[value="answer.failed"]').check()
    shots.take(page, "05b webhook events chosen again")
    editor.locator("#webhook-events-save").click()
    # THEN the endpoint lists the new events, and keeps them after a reload
    expect(page.locator("#webhooks-flash")).to_contain_text("answer.failed, invitation.created")
    page.reload()
    row = page.locator("#webhooks-table tbody tr").first
    expect(row.locator("td").nth(1)).to_have_text("answer.failed, invitation.created")

    # WHEN the admin reads the audit log
    page.click('nav a[href="#/audit"]')
    page.wait_for_selector("#audit-table tbody tr")
    summaries = page.locator("#audit-table .audit-summary").all_inner_texts()
    # THEN it says who did what to whom, in words
    assert "Ana Silva invited Sam Lee and Rob Gone to Backend engineer" in summaries
    assert "Ana Silva revoked Rob Gone's link" in summaries
    assert "Ana Silva set retention to 30 days" in summaries
    assert f"Ana Silva added the webhook {receiver.url}" in summaries
    changed = "Ana Silva changed the events a webhook receives to answer.failed, invitation.created"
    assert changed in summaries
    assert "Ana Silva changed the reminders and booking link of Backend engineer" in summaries
    shots.take(page, "06 audit log")
    # WHEN they keep only the webhook tests THEN two rows remain
    page.select_option("#audit-action", "webhook.tested")
    page.select_option("#audit-actor", label="Ana Silva")
    page.click("#audit-apply")
    page.wait_for_function(
        "[...document.querySelectorAll('#audit-table tbody tr')]"
        ".every(r => r.dataset.action === 'webhook.tested')"
    )
    assert page.locator("#audit-table tbody tr").count() == 2
    shots.take(page, "07 audit log filtered")
    # AND the CSV download holds that same filtered view, with the sentences
    with page.expect_download() as download:
        page.click("#audit-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows_csv = list(csv.DictReader(io.StringIO(text)))
    assert [r["action"] for r in rows_csv] == ["webhook.tested", "webhook.tested"]
    assert {r["summary"] for r in rows_csv} == {"Ana Silva sent a test event to a webhook"}

    # WHEN the admin deletes Sam from the review page, typing the name to confirm
    page.goto(f"{local_stack.url}/console/#/candidates/{ids['Sam Lee']}")
    page.wait_for_selector("#delete-candidate")
    page.click("#delete-candidate-open")
    page.fill("#delete-candidate-confirm", "Sam")
    expect(page.locator("#delete-candidate-submit")).to_be_disabled()
    page.fill("#delete-candidate-confirm", "sam lee")
    expect(page.locator("#delete-candidate-submit")).to_be_enabled()
    shots.take(page, "08 delete candidate typed confirmation")
    page.click("#delete-candidate-submit")
    # THEN the pipeline no longer lists them, and the API no longer knows them
    page.wait_for_selector("#pipeline-page")
    page.wait_for_function(
        "!document.querySelector('#pipeline').textContent.includes('Sam Lee')"
        " && document.querySelector('#pipeline').textContent.includes('Rob Gone')"
    )
    status, _ = call(local_stack, "GET", f"/api/invitations/{ids['Sam Lee']}", token=token)
    assert status == 404
    shots.take(page, "09 pipeline after deletion")
    assert errors == []
