"""Links that behave as people expect, in Chromium: a deadline picked as a date in a chosen time
zone, "Resend invitation" (the first email's link still opens), then "Send a new link" (the
first link now says a newer one was emailed, to a masked address); a reviewer is told why
inviting is for admins instead of getting a form the server would refuse.

Screenshots land in `test-artifacts/screenshots/links/`; each page state goes through the
accessibility gate first.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.drivers.console import Shots, link_token, mail_to, sign_in, sign_up
from tests.drivers.local_stack import RunningStack, call, ok, outbox, wait_for

pytestmark = pytest.mark.e2e

PASSWORD = "links-behave-2026"
INTERVIEW = {
    "title": "Night Shift Support",
    "questions": [{"text": "Which tools do you use?", "answer_type": "text"}],
    "deadline_days": 5,
    "time_zone": "America/New_York",
}


def tokens_sent_to(stack: RunningStack, email: str, count: int) -> list[str]:
    """The link token of each email sent to `email`, once `count` have arrived."""
    found: list[dict[str, Any]] = []

    def arrived() -> bool:
        found[:] = [m for m in outbox(stack) if m["to"] == [email]]
        return len(found) >= count

    assert wait_for(arrived, 30), f"{len(found)} of {count} emails to {email}"
    return [link_token(m) for m in found]


def open_candidate(browser: Any, stack: RunningStack, token: str) -> Any:
    """A fresh browser (as from the email) on the candidate site with `token`."""
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{stack.url}/candidate/#token={token}")
    return page


def add_reviewer(stack: RunningStack, admin: str, email: str) -> None:
    """A reviewer on the team, who chose their own password at first sign-in."""
    body = {"email": email, "name": "Rey Reviewer", "role": "reviewer"}
    ok(call(stack, "POST", "/api/team", body, token=admin), 201)
    text = re.sub(r"<[^>]+>", "", mail_to(stack, email)["text"])
    temporary = re.search(r"temporary password:\s*(\S+)", text, re.I).group(1)
    challenge = ok(call(stack, "POST", "/api/auth/signin", {"email": email, "password": temporary}))
    new = {"email": email, "session": challenge["session"], "new_password": PASSWORD}
    ok(call(stack, "POST", "/api/auth/new-password", new))


def test_a_deadline_in_a_chosen_zone_a_resend_that_keeps_the_link_and_a_new_link_that_replaces_it(
    local_stack: RunningStack, browser: Any, page: Any, screenshots: Path
) -> None:
    shots = Shots(screenshots / "links")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    unique = uuid.uuid4().hex[:8]
    admin_email, pat = f"ada.{unique}@example.com", f"pat.{unique}@example.com"
    admin = sign_up(local_stack, "Links & Co", "Ada", admin_email, PASSWORD)
    interview = ok(call(local_stack, "POST", "/api/interviews", INTERVIEW, token=admin), 201)
    interview_id = interview["interview_id"]

    # GIVEN an admin on the invite page of an interview set in New York time
    sign_in(page, local_stack, admin_email, PASSWORD)
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}/invite")
    page.wait_for_selector("#invite-deadline")
    assert page.input_value("#invite-zone") == "America/New_York"
    assert "America/New_York, UTC-0" in page.text_content("[data-field=deadline-preview]")

    # WHEN they pick a date, 17:00, in Paris time, and invite Pat
    day = datetime.now(UTC).date() + timedelta(days=20)
    page.select_option("#invite-zone", "Europe/Paris")
    page.fill("#invite-date", day.isoformat())
    page.fill("#invite-time", "17:00")
    paris = datetime.combine(day, time(17, 0), tzinfo=ZoneInfo("Europe/Paris"))
    offset = "UTC+02:00" if paris.utcoffset() == timedelta(hours=2) else "UTC+01:00"
    page.wait_for_selector(f"[data-field=deadline-preview]:has-text('Europe/Paris, {offset}')")
    assert "17:00" in page.text_content("[data-field=deadline-preview]")
    page.fill("#invite-name", "Pat Candidate")
    page.fill("#invite-email", pat)
    shots.take(page, "01 invite with a deadline date in Paris time")
    page.click("#invite-one button[type=submit]")
    page.wait_for_selector("#invite-report")
    assert page.text_content('[data-count="invited"]') == "1"

    # THEN the deadline is 17:00 on Paris's clock, and the review page states it so
    listed = ok(
        call(local_stack, "GET", f"/api/interviews/{interview_id}/invitations", token=admin)
    )
    [invitation] = listed["invitations"]
    assert datetime.fromisoformat(invitation["deadline"]) == paris.astimezone(UTC)
    assert invitation["time_zone"] == "Europe/Paris"
    [first] = tokens_sent_to(local_stack, pat, 1)
    page.goto(f"{local_stack.url}/console/#/candidates/{invitation['invitation_id']}")
    card = page.wait_for_selector("#candidate-link")
    assert f"17:00 · Europe/Paris, {offset}" in card.text_content()
    shots.take(page, "02 review page with the invitation link card")

    # WHEN the admin resends the invitation
    page.click("#resend-invitation button")
    status = page.wait_for_selector("#candidate-link-status").text_content()
    assert "same link" in status
    shots.take(page, "03 invitation resent with the same link")
    # THEN the email carries the same link, and the first email's link still opens the landing
    assert tokens_sent_to(local_stack, pat, 2) == [first, first]
    candidate = open_candidate(browser, local_stack, first)
    candidate.wait_for_selector("[data-view=landing]")
    shots.take(candidate, "04 first link still opens after resend")
    candidate.context.close()

    # WHEN the admin sends a new link, confirming that earlier links stop working
    page.click("#send-new-link button")
    confirm = page.wait_for_selector("#new-link-confirm").text_content()
    assert "stops working" in confirm
    shots.take(page, "05 confirm sending a new link")
    page.click("#new-link-confirm button.danger")
    page.wait_for_selector("#candidate-link-status:has-text('A new link was emailed')")
    shots.take(page, "06 new link sent")
    *_, newest = tokens_sent_to(local_stack, pat, 3)
    assert newest != first

    # THEN the first email's link says, in words, that a newer link went to a masked address
    candidate = open_candidate(browser, local_stack, first)
    notice = candidate.wait_for_selector("[data-view=error]").text_content()
    assert "A newer link to this interview was emailed to p***@e***.com on" in notice
    assert "most recent email from Links & Co" in notice  # not a bare "does not work"
    assert candidate.query_selector("[data-notice=link-replaced]") is not None
    shots.take(candidate, "07 first link says a newer link was emailed")
    candidate.context.close()
    # AND the newest link opens the interview
    candidate = open_candidate(browser, local_stack, newest)
    candidate.wait_for_selector("[data-view=landing]")
    candidate.context.close()

    # AND a reviewer on the team is told why inviting is not theirs, with no form to fill
    reviewer = f"rey.{unique}@example.com"
    add_reviewer(local_stack, admin, reviewer)
    rey = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(rey, local_stack, reviewer, PASSWORD)
    rey.goto(f"{local_stack.url}/console/#/interviews/{interview_id}/invite")
    reason = rey.wait_for_selector("#invite-not-allowed").text_content()
    assert "only a company admin can do it" in reason
    assert rey.query_selector("#invite-one") is None
    assert rey.query_selector("#invite-csv") is None
    shots.take(rey, "08 a reviewer is told why inviting is for admins")
    # ...and their review page offers no link actions
    rey.goto(f"{local_stack.url}/console/#/candidates/{invitation['invitation_id']}")
    rey.wait_for_selector("#review-page h1")
    assert rey.query_selector("#candidate-link") is None
    rey.context.close()
    assert errors == []
