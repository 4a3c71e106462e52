"""An accommodation in Chromium: asked for on the landing page, granted on the review page.

The candidate asks for audio instead of video and more time before starting; the admin sees
the request in the pipeline and grants it in one click on the review page; the candidate
reloads, is told it was granted, and their video question is now an audio question with
1.5 times the time; the decision reached them by email.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.drivers.console import DESKTOP, Shots, mail_to, sign_in, sign_up
from tests.drivers.local_stack import RunningStack, call, ok

pytestmark = pytest.mark.e2e

SAO_PAULO = ZoneInfo("America/Sao_Paulo")

INTERVIEW = {
    "title": "Accessible Support Desk",
    "questions": [
        {
            "text": "Tell us about a customer you helped.",
            "answer_type": "video",
            "think_seconds": 20,
            "max_answer_seconds": 60,
        },
        {"text": "Which tools do you use?", "answer_type": "text"},
    ],
    "deadline_days": 5,
    "time_zone": "America/Sao_Paulo",
}


def test_a_candidate_asks_for_audio_and_more_time_and_an_admin_grants_it_in_one_click(
    local_stack: RunningStack, browser: Any, page: Any, screenshots: Path
) -> None:
    shots = Shots(screenshots / "accommodations")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    unique = uuid.uuid4().hex[:8]
    # GIVEN a company's interview with a video question, and an invited candidate
    admin_email, password = f"ada.{unique}@example.com", "accommodate-me-1"
    admin = sign_up(local_stack, "Adjust & Co", "Ada Admin", admin_email, password)
    interview = ok(call(local_stack, "POST", "/api/interviews", INTERVIEW, token=admin), 201)
    interview_id = interview["interview_id"]
    casey = f"casey.{unique}@example.com"
    invite = {"candidates": [{"name": "Casey Candidate", "email": casey}]}
    report = ok(
        call(
            local_stack, "POST", f"/api/interviews/{interview_id}/invitations", invite, token=admin
        )
    )
    invitation_id = report["invited"][0]["invitation_id"]
    link = next(x for x in mail_to(local_stack, casey)["links"] if "#token=" in x)

    # WHEN the candidate opens the landing page and asks for audio instead of video, more time
    page.goto(link)
    page.wait_for_selector("[data-view=landing] #accommodation")
    shots.take(page, "candidate landing with the adjustment panel")
    page.click("#accommodation summary")
    page.check("#accommodation-audio_instead_of_video")
    page.check("#accommodation-more_time")
    page.check("#accommodation-later_deadline")
    page.fill("#accommodation-note", "My camera is broken and I read slowly.")
    shots.take(page, "candidate adjustment request form")
    page.click("[data-action=ask-accommodation]")
    # THEN they are told it was requested and that they will be emailed
    pending = page.wait_for_selector("[data-accommodation=pending]")
    assert "we'll email you" in pending.inner_text()
    shots.take(page, "candidate adjustment requested")

    # WHEN the admin opens the pipeline in the console
    console = browser.new_context(viewport=DESKTOP)
    try:
        admin_page = console.new_page()
        admin_page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(admin_page, local_stack, admin_email, password)
        admin_page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}")
        # THEN the candidate's row carries the request's badge
        row = admin_page.locator("#pipeline tbody tr").first
        row.locator("[data-field=accommodation]").wait_for()
        assert row.locator("[data-field=accommodation]").inner_text() == "Adjustment requested"
        shots.take(admin_page, "console pipeline with an adjustment requested")
        # WHEN they open the candidate
        row.locator("a.candidate-link").click()
        card = admin_page.locator("#accommodation")
        card.wait_for()
        # THEN the review page shows what was asked for and the note
        kinds = card.locator("[data-field=accommodation-kinds]").inner_text()
        assert kinds == "More time · Audio instead of video · A later deadline"
        assert "camera is broken" in card.locator("[data-field=accommodation-note]").inner_text()
        shots.take(admin_page, "console review page with the request")
        # WHEN they pick the later deadline as a date and time on the candidate's clock
        later = (datetime.now(SAO_PAULO) + timedelta(days=20)).date()
        card.locator(".accommodation-options summary").click()
        assert admin_page.input_value("#accommodation-zone") == "America/Sao_Paulo"
        admin_page.fill("#accommodation-date", later.isoformat())
        admin_page.fill("#accommodation-time", "16:45")
        # THEN the form says the deadline as the candidate will read it
        preview = card.locator("[data-field=deadline-preview]").inner_text()
        assert "16:45 · America/Sao_Paulo, UTC-03:00" in preview, preview
        shots.take(admin_page, "console later deadline picked on the candidate's clock")
        # WHEN they grant it in one click
        admin_page.click("#accommodation-grant")
        admin_page.wait_for_selector("#accommodation-done")
        assert "granted" in card.locator(".badge").inner_text().lower()
        assert admin_page.locator("#accommodation-grant").count() == 0
        shots.take(admin_page, "console request granted")
    finally:
        console.close()
    # AND the deadline is 16:45 that day in São Paulo
    path = f"/api/invitations/{invitation_id}"
    seen = ok(call(local_stack, "GET", path, token=admin))
    deadline = datetime.fromisoformat(seen["invitation"]["deadline"])
    assert deadline == datetime.combine(later, time(16, 45), SAO_PAULO)

    # THEN the candidate was emailed the decision
    answer = mail_to(local_stack, casey, "adjustment is granted", timeout=30)
    assert "audio only" in answer["text"]

    # WHEN the candidate reloads their page
    page.reload()
    granted = page.wait_for_selector("[data-accommodation=granted]")
    # THEN they see it granted
    assert "1.5" in granted.inner_text()
    shots.take(page, "candidate adjustment granted")
    # AND the question is now an audio question with 1.5 times the time
    page.check("#consent")
    page.click("[data-action=begin]")
    page.wait_for_selector("[data-view=devices] [data-action=devices-ok]:not([disabled])")
    page.wait_for_selector("[data-network]:not([data-network=checking])", timeout=30_000)
    page.click("[data-action=devices-ok]")
    page.click("[data-action=skip-practice]")
    page.wait_for_selector("h1:has-text('Tell us about a customer')")
    step = page.inner_text(".step")
    assert "Audio answer" in step, step
    card = page.inner_text("section.card")
    assert "Think time: 30 seconds" in card, card  # 20 s, 1.5 times
    assert "up to 1 minute 30 seconds" in card, card  # 60 s, 1.5 times
    assert page.locator("section.card .stage video").count() == 0  # no camera preview
    shots.take(page, "candidate audio question with more time")
    assert not errors, errors
