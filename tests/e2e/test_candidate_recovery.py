"""After a failure the candidate is told, asked to act, and records again: Chromium, local stack."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.drivers.a11y import screenshot
from tests.drivers.candidate_site import (
    admin_token,
    create_interview,
    invite,
    session,
    token_of,
    wait_until,
)
from tests.drivers.local_stack import (
    RunningStack,
    call,
    candidate_call,
    moto_client,
    outbox,
    upload_answer,
)
from tests.drivers.media import Clip, generate

pytestmark = pytest.mark.e2e

RECORD_MS = 2500


@pytest.fixture
def candidate_page(page: Any) -> Any:
    """A page that fails the test on a script error and accepts the "leave page?" prompt."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    assert not errors, errors


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3 s VP8/Opus WebM, as a browser records it."""
    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("clip") / "a.webm")


@pytest.fixture
def slow_uploads_queue(local_stack: RunningStack) -> Iterator[None]:
    """Upload events reach the worker seconds late (a busy worker), then on time again."""
    sqs = moto_client(local_stack, "sqs")
    queue = local_stack.state["settings"]["UPLOADS_QUEUE_URL"]
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"DelaySeconds": "8"})
    try:
        yield
    finally:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"DelaySeconds": "0"})


def questions_of(stack: RunningStack, link: str) -> dict[str, dict[str, Any]]:
    return {q["question_id"]: q for q in session(stack, link)["questions"]}


def open_and_pass_device_check(page: Any, link: str) -> None:
    page.goto(link)
    page.wait_for_selector("[data-view=landing]")
    page.click("[data-action=begin]")
    page.wait_for_selector("[data-view=devices] [data-action=devices-ok]:not([disabled])")
    page.click("[data-action=devices-ok]")


@pytest.mark.usefixtures("slow_uploads_queue")
def test_an_answer_that_fails_after_submit_is_recorded_again_from_the_emailed_link(
    local_stack: RunningStack, browser: Any, candidate_page: Any, clip: Path, screenshots: Path
) -> None:
    page = candidate_page
    # GIVEN a candidate who answers everything and submits while the worker is busy, with a
    # first answer the worker will not be able to use
    link, email = invite(local_stack, "Riley Retry")
    token = token_of(link)
    assert candidate_call(local_stack, token, "POST", "/consent", {"accepted": True})[0] == 200
    q1, q2, q3 = questions_of(local_stack, link)
    upload_answer(local_stack, token, q2, clip.read_bytes(), parts=2)
    status, _ = candidate_call(local_stack, token, "PUT", f"/questions/{q3}/text", {"text": "Hi"})
    assert status == 200
    upload_answer(local_stack, token, q1, os.urandom(40_000), parts=2)
    status, done = candidate_call(local_stack, token, "POST", "/complete", {})
    assert (status, done["status"]) == (200, "completed")

    # WHEN the worker fails that answer
    wait_until(
        lambda: session(local_stack, link)["invitation"]["reopened_questions"] == [q1], timeout=60
    )

    # THEN the recruiter sees the candidate was asked to record again
    _, pipeline = call(
        local_stack,
        "GET",
        f"/api/interviews/{local_stack.state['interview_id']}/pipeline?limit=100",
        token=admin_token(local_stack),
    )
    [row] = [r for r in pipeline["candidates"] if r["candidate_email"] == email]
    assert row["asked_to_record_again"]["positions"] == [1]
    # in the console too: on the pipeline row and on the candidate's page
    console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        console.goto(f"{local_stack.url}/console/")
        console.fill("#signin-email", local_stack.state["email"])
        console.fill("#signin-password", local_stack.state["password"])
        console.click("#signin button[type=submit]")
        console.wait_for_selector("#signed-in")
        console.goto(f"{local_stack.url}/console/#/interviews/{local_stack.state['interview_id']}")
        asked = console.wait_for_selector(
            f"tr[data-invitation='{row['invitation_id']}'] [data-field=asked-again]"
        )
        assert asked.text_content() == "Asked to record again"
        console.goto(f"{local_stack.url}/console/#/candidates/{row['invitation_id']}")
        notice = console.wait_for_selector("[data-field=asked-again]").text_content()
        assert "Asked to record again: the answer to question 1 could not be" in notice
        screenshot(console, screenshots / "console-asked-again.png")
    finally:
        console.context.close()

    # AND the candidate gets an email with the link they already have (earlier emails still work)
    notice = wait_until(
        lambda: [m for m in outbox(local_stack) if m["to"] == [email] and "again" in m["subject"]],
        timeout=30,
    )[0]
    [fresh] = [x for x in notice["links"] if "/candidate/#token=" in x and "view=" not in x]
    assert token_of(fresh) == token

    # WHEN they open it THEN they read what happened, and only that question is open
    page.goto(fresh)
    notice_text = page.wait_for_selector("[data-notice=reopened]").text_content()
    assert "could not process your recording for question 1" in notice_text
    screenshot(page, screenshots / "candidate-asked-again-landing.png")
    open_and_pass_device_check(page, fresh)
    page.wait_for_selector("h1:has-text('Tell us about yourself')")
    screenshot(page, screenshots / "candidate-asked-again.png")
    assert "record this answer again" in page.text_content("main .message")
    # AND nothing counts down until they press a button
    page.wait_for_timeout(1500)
    assert "Recording starts in" not in page.text_content("main")
    page.click("[data-action=ready]")
    page.wait_for_selector("main .timer:has-text('Recording starts in')")
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    page.wait_for_timeout(RECORD_MS)
    page.click("[data-action=stop]")
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
    page.click("[data-action=next]")

    # AND they submit again, and the interview is complete with the new recording
    page.wait_for_selector("[data-view=finish]")
    assert page.text_content("[data-action=complete]") == "Submit my interview again"
    page.click("[data-action=complete]")
    page.wait_for_selector("[data-view=done]")
    state = session(local_stack, fresh)
    assert state["invitation"]["status"] == "completed"
    assert state["invitation"]["reopened_questions"] == []
    answer = next(q for q in state["questions"] if q["question_id"] == q1)["answer"]
    assert answer["attempt"] == 2


def test_a_retake_the_worker_cannot_use_is_shown_beside_the_answer_that_stands(
    local_stack: RunningStack, candidate_page: Any, clip: Path, screenshots: Path
) -> None:
    page = candidate_page
    # GIVEN a first answer that is ready, then a retake the worker rejects
    link, _ = invite(local_stack, "Tess Twice")
    token = token_of(link)
    assert candidate_call(local_stack, token, "POST", "/consent", {"accepted": True})[0] == 200
    q1 = next(iter(questions_of(local_stack, link)))
    upload_answer(local_stack, token, q1, clip.read_bytes(), parts=2)
    wait_until(lambda: questions_of(local_stack, link)[q1]["answer"]["status"] == "ready", 60)
    upload_answer(local_stack, token, q1, os.urandom(40_000), parts=2)
    wait_until(lambda: questions_of(local_stack, link)[q1]["answer"].get("retake_failed"), 60)

    # WHEN they come back
    open_and_pass_device_check(page, link)

    # THEN the question shows why the retake could not be used and that the first answer stands
    page.wait_for_selector("h1:has-text('Tell us about yourself')")
    message = page.text_content("main .message")
    assert message.startswith("Your new recording could not be used. We couldn't read your")
    assert message.endswith("Or keep your earlier answer: it is still saved.")
    page.wait_for_function(
        "() => { const v = document.querySelector('video.playback');"
        " return v && v.readyState >= 1 && v.duration > 0; }",
        timeout=30_000,
    )
    screenshot(page, screenshots / "candidate-retake-failed.png")
    assert "Recording starts in" not in page.text_content("main")
    # AND keeping the earlier answer moves on to the next question
    page.click("[data-action=keep-earlier]")
    page.wait_for_selector("h1:has-text('unhappy customer')")
    answer = questions_of(local_stack, link)[q1]["answer"]
    assert (answer["attempt"], answer["status"]) == (1, "ready")


def test_an_attempt_abandoned_before_its_first_second_is_given_back_when_the_link_opens(
    local_stack: RunningStack, candidate_page: Any, screenshots: Path
) -> None:
    page = candidate_page
    # GIVEN a question with no retakes, started in a tab that died before its first chunk
    interview = create_interview(
        local_stack,
        {
            "title": "One take",
            "questions": [
                {
                    "text": "Your proudest work?",
                    "think_seconds": 20,
                    "max_answer_seconds": 60,
                    "retakes": 0,
                }
            ],
        },
    )
    link, _ = invite(
        local_stack, "Ona", interview_id=interview["interview_id"], email="one-take@example.com"
    )
    candidate = token_of(link)
    assert candidate_call(local_stack, candidate, "POST", "/consent", {"accepted": True})[0] == 200
    [question] = session(local_stack, link)["questions"]
    started = candidate_call(
        local_stack,
        candidate,
        "POST",
        f"/questions/{question['question_id']}/attempts",
        {"mime_type": "video/webm;codecs=vp8,opus"},
    )
    assert started[0] == 201

    # WHEN they open the link again at once (another tab, another browser)
    open_and_pass_device_check(page, link)

    # THEN the question they opened comes straight back (no practice: its time is running)
    page.wait_for_selector("h1:has-text('Your proudest work?')")
    assert page.locator("[data-view=practice]").count() == 0
    # AND the site waits for the empty attempt to be given back instead of refusing them
    page.wait_for_selector("[data-action=ready]", timeout=30_000)
    assert "does not count as an attempt" in page.text_content("main")
    assert "1 attempt left" in page.text_content("main")
    screenshot(page, screenshots / "candidate-attempt-given-back.png")
    # AND they record their one answer and submit
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    page.wait_for_timeout(RECORD_MS)
    page.click("[data-action=stop]")
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
    page.click("[data-action=next]")
    page.wait_for_selector("[data-view=finish]")
    page.click("[data-action=complete]")
    page.wait_for_selector("[data-view=done]")
    assert session(local_stack, link)["questions"][0]["answer"]["attempt"] == 2
