"""A reviewer in a blind-review interview, in Chromium: no name, no colleague's score, own note.

The console shows what the API gives; this checks a reviewer sees it that way: the candidate's
label instead of their name in the pipeline, on the review page and in a share link they make
(its "hide the name" box set and locked), "—" for score and count until their own review is
in, and the private note labelled as theirs alone.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.drivers.a11y import assert_accessible
from tests.drivers.console import DESKTOP, mail_to, sign_in_api
from tests.drivers.local_stack import RunningStack, call, candidate_call, ok

pytestmark = pytest.mark.e2e

INTERVIEW = {
    "title": "Fair Review Desk",
    "questions": [{"text": "Which tools keep you organised?", "answer_type": "text"}],
    "deadline_days": 5,
    "rubric": [{"name": "Clarity", "anchors": ["1", "2", "3", "4", "5"]}],
}


def reviewer_tokens(stack: RunningStack, admin: str, email: str) -> None:
    """Add a reviewer to the team; they choose their own password at first sign-in."""
    body = {"email": email, "name": "Rita Reviewer", "role": "reviewer"}
    ok(call(stack, "POST", "/api/team", body, token=admin), 201)
    text = re.sub(r"<[^>]+>", "", mail_to(stack, email)["text"])
    temporary = re.search(r"temporary password:\s*(\S+)", text, re.I).group(1)
    challenge = ok(call(stack, "POST", "/api/auth/signin", {"email": email, "password": temporary}))
    new = {"email": email, "session": challenge["session"], "new_password": "rita-fair-review-1"}
    ok(call(stack, "POST", "/api/auth/new-password", new))


def test_a_reviewer_sees_a_blind_candidate_without_name_or_colleagues_scores(
    local_stack: RunningStack, browser: Any, page: Any
) -> None:
    unique = uuid.uuid4().hex[:8]
    # GIVEN a company whose admin scored a candidate, then turned on blind review
    admin_email = f"fay.{unique}@example.com"
    signup = {
        "company_name": "Fair & Co",
        "name": "Fay Admin",
        "email": admin_email,
        "password": "fair-review-pass-1",
    }
    admin = ok(call(local_stack, "POST", "/api/auth/signup", signup))["tokens"]["id_token"]
    interview = ok(call(local_stack, "POST", "/api/interviews", INTERVIEW, token=admin), 201)
    path = f"/api/interviews/{interview['interview_id']}"
    nora = f"nora.{unique}@example.com"
    invite = {"candidates": [{"name": "Nora Named", "email": nora}]}
    ok(call(local_stack, "POST", f"{path}/invitations", invite, token=admin))
    link = next(x for x in mail_to(local_stack, nora)["links"] if "#token=" in x)
    token = link.split("#token=")[1]
    ok(candidate_call(local_stack, token, "POST", "/consent", {"accepted": True}))
    question = interview["questions"][0]["question_id"]
    ok(candidate_call(local_stack, token, "PUT", f"/questions/{question}/text", {"text": "Lists"}))
    ok(candidate_call(local_stack, token, "POST", "/complete", {}))
    [row] = ok(call(local_stack, "GET", f"{path}/pipeline", token=admin))["candidates"]
    criterion = interview["rubric"][0]["criterion_id"]
    review = {"scores": {question: {criterion: 5}}, "note": "Fay's own hunch"}
    ok(
        call(
            local_stack,
            "PUT",
            f"/api/invitations/{row['invitation_id']}/review",
            review,
            token=admin,
        )
    )
    ok(call(local_stack, "PUT", f"{path}/settings", {"blind_review": True}, token=admin))
    rita = f"rita.{unique}@example.com"
    reviewer_tokens(local_stack, admin, rita)
    sign_in_api(local_stack, rita, "rita-fair-review-1")

    # WHEN the reviewer signs in and opens the pipeline
    page.goto(f"{local_stack.url}/console/")
    page.fill("#signin-email", rita)
    page.fill("#signin-password", "rita-fair-review-1")
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#signed-in")
    page.goto(f"{local_stack.url}/console/#/interviews/{interview['interview_id']}")
    line = page.locator("#pipeline tbody tr").first
    line.wait_for()
    # THEN the candidate is a label, and the admin's score and the count are not shown
    page.wait_for_selector("#blind-note")
    assert line.locator("a.candidate-link").inner_text() == row["candidate_label"]
    assert line.locator("td").nth(3).inner_text() == "—"
    assert line.locator("td").nth(4).inner_text() == "—"
    assert "Nora" not in page.inner_text("body")
    assert nora not in page.inner_text("body")
    assert_accessible(page, "blind pipeline for a reviewer")

    # WHEN they open the candidate
    line.locator("a.candidate-link").click()
    page.wait_for_selector("#review-form")
    # THEN no name, no colleague's review, and the note is labelled as theirs alone
    assert page.text_content("#candidate-name") == row["candidate_label"]
    assert page.text_content("label[for=review-note]").strip() == "Private note (only you see it)"
    assert "Submit your review" in page.inner_text("#other-reviews")
    assert_accessible(page, "blind candidate review")
    # AND a link they share hides the name whatever they tick
    assert page.is_checked("#share-mask")
    assert page.is_disabled("#share-mask")
    page.click("#share-form button[type=submit]")
    share_url = page.input_value("#share-url")
    outsider = browser.new_context(viewport=DESKTOP)
    try:
        shared = outsider.new_page()
        shared.goto(share_url)
        shared.wait_for_selector("#shared")
        assert shared.text_content("#shared-name") == row["candidate_label"]
        assert "Nora" not in shared.inner_text("body")
        assert_accessible(shared, "blind share page")
    finally:
        outsider.close()

    # WHEN they submit their own review
    page.locator('#review-form fieldset.criterion [data-score="3"]').click()
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("#review-saved")
    # THEN the colleague's review appears, without the colleague's private note
    page.locator("#other-reviews li", has_text="Fay Admin").wait_for()
    assert "hunch" not in page.inner_text("body")
    assert_accessible(page, "review saved, colleagues' reviews shown")
    # AND the pipeline shows the score and the count
    page.goto(f"{local_stack.url}/console/#/interviews/{interview['interview_id']}")
    line = page.locator("#pipeline tbody tr").first
    line.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#pipeline tbody tr td:nth-child(4)').innerText !== '—'"
    )
    assert line.locator("td").nth(3).inner_text() == "4.0"
    assert line.locator("td").nth(4).inner_text().startswith("2")
