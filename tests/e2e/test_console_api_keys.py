"""API keys in Chromium: an admin creates a key (shown once), an integration calls with it,
the admin revokes it and the next call is refused.

The calls go to the local stack's API over HTTP, with the key copied from the page.
Screenshots land in `test-artifacts/screenshots/console-api-keys/`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.drivers.console import Shots, sign_in, sign_up
from tests.drivers.local_stack import RunningStack, call, ok

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shots(screenshots: Path) -> Shots:
    return Shots(screenshots / "console-api-keys")


@pytest.fixture
def clipboard_page(browser: Any) -> Iterator[Any]:
    """A page allowed to use the clipboard, as a user's browser is after they click Copy."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    yield page
    context.close()


def test_an_admin_creates_a_key_an_integration_uses_it_and_revoking_it_refuses_the_next_call(
    local_stack: RunningStack, clipboard_page: Any, shots: Shots
) -> None:
    page = clipboard_page
    unique = uuid.uuid4().hex[:8]
    # GIVEN a company with an interview, its admin signed in to the console
    email, password = f"kim.{unique}@example.com", "api-keys-page-pass-1"
    token = sign_up(local_stack, "Keys & Co", "Kim Admin", email, password)
    interview = {"title": "Integration Desk", "questions": [{"text": "Hello?"}], "deadline_days": 5}
    created = ok(call(local_stack, "POST", "/api/interviews", interview, token=token), 201)
    sign_in(page, local_stack, email, password)

    # WHEN they open the API keys page and create a read key
    page.click('nav a[href="#/api-keys"]')
    page.wait_for_selector("#api-keys-empty")
    shots.take(page, "no keys yet")
    page.fill("#api-key-name", "Reporting script")
    page.select_option("#api-key-scope", "read")
    page.click("#api-key-create button[type=submit]")

    # THEN the key is shown once, with a warning and a copy button that copies it
    page.wait_for_selector("#api-key-value")
    key = page.input_value("#api-key-value")
    assert key.startswith("ow_live_")
    assert "only time the key is shown" in page.inner_text("#api-key-created")
    page.click("#api-key-copy")
    page.wait_for_selector("#api-key-copied:has-text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == key
    # (the list reloads beside it: the new key is listed once that is done)
    page.wait_for_selector("#api-keys-table tbody tr")
    row = page.locator("#api-keys-table tbody tr")
    assert row.count() == 1
    assert "Reporting script" in row.inner_text()
    shots.take(page, "key shown once")

    # WHEN an integration calls the API with it
    listed = ok(call(local_stack, "GET", "/api/interviews", token=key))
    # THEN it reads the company's interviews, and may not change them
    assert [i["interview_id"] for i in listed["interviews"]] == [created["interview_id"]]
    status, refused = call(local_stack, "POST", "/api/interviews", interview, token=key)
    assert status == 403
    assert '"read" scope' in refused["message"]

    # WHEN the admin has stored it and comes back to the page
    page.click("#api-key-done")
    page.reload()
    page.wait_for_selector("#api-keys-table")
    # THEN the key is nowhere on the page any more: only its prefix, and when it was used
    assert key not in page.content()
    prefix = key[: len("ow_live_") + 16]  # the key id; the secret may hold "_" too
    assert f"{prefix}…" in row.inner_text()
    assert row.locator('td[data-field="last-used"]').inner_text() != "Never"
    assert row.locator('td[data-field="status"]').inner_text() == "Active"
    shots.take(page, "key listed")

    # WHEN the admin revokes it, confirming the question
    dialog_text: list[str] = []

    def accept(dialog: Any) -> None:
        dialog_text.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click('button[aria-label="Revoke Reporting script"]')
    page.wait_for_selector("#api-keys-flash")
    page.wait_for_selector('#api-keys-table td[data-field="status"]:has-text("Revoked")')
    assert "Revoke the API key" in dialog_text[0]
    assert page.locator('button[aria-label="Revoke Reporting script"]').count() == 0
    shots.take(page, "key revoked")

    # THEN the integration's next call is refused, saying the key was revoked
    status, refused = call(local_stack, "GET", "/api/interviews", token=key)
    assert status == 401
    assert refused["error"] == "unauthenticated"
    assert "was revoked" in refused["message"]
