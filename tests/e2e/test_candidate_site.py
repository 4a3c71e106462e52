"""The candidate recording site in headless Chromium with a fake camera, against the local stack."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.data.media_layout import chunk_name
from tests.drivers.a11y import assert_accessible, screenshot
from tests.drivers.candidate_site import (
    admin_token,
    create_interview,
    invite,
    raw_objects,
    session,
    wait_until,
)
from tests.drivers.local_stack import RunningStack, call

pytestmark = pytest.mark.e2e

ANSWERED = {"uploaded", "processing", "ready"}
RECORD_MS = 2500


# These tests record VP9 WebM, the type every Chromium build records; H.264 recordings are
# covered in test_candidate_uplink.py.
VP9_ONLY = (
    "if (window.MediaRecorder) { const real = MediaRecorder.isTypeSupported.bind(MediaRecorder);"
    " MediaRecorder.isTypeSupported = (t) => !/h264|avc1|mp4/.test(t) && real(t); }"
)


@pytest.fixture
def candidate_page(page: Any) -> Any:
    """A page that fails the test on a script error and accepts the "leave page?" prompt."""
    page.add_init_script(VP9_ONLY)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    assert not errors, errors


def upload_state(page: Any, question_id: str) -> dict[str, Any]:
    return page.evaluate(
        """(qid) => {
            const u = window.onewayCandidate.uploads.get(qid);
            return u && {phase: u.phase, attempt: u.attempt, total: u.total,
                         retries: u.retries, recorded: u.recordedParts};
        }""",
        question_id,
    )


def consent_and_check_devices(page: Any, screenshots: Path | None = None) -> None:
    page.wait_for_selector("[data-view=landing]")
    if screenshots:
        screenshot(page, screenshots / "candidate-landing.png")
    page.check("#consent")
    page.click("[data-action=begin]")
    page.wait_for_selector("[data-view=devices] [data-action=devices-ok]:not([disabled])")
    page.wait_for_selector("[data-mic=heard]", timeout=10_000)
    # the connection test (a POST to S3) has its verdict before the candidate goes on
    page.wait_for_selector("[data-network]:not([data-network=checking])", timeout=30_000)
    if screenshots:
        screenshot(page, screenshots / "candidate-device-check.png")
    page.click("[data-action=devices-ok]")


def record(page: Any, milliseconds: int = RECORD_MS) -> None:
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    page.wait_for_timeout(milliseconds)
    page.click("[data-action=stop]")


def wait_saved(page: Any) -> None:
    page.wait_for_selector("[data-action=next]:not([disabled])", timeout=30_000)
    assert page.text_content("[data-upload-status]") == "Saved."


def test_a_candidate_records_re_records_resumes_after_a_reload_completes_and_gives_feedback(
    local_stack: RunningStack, candidate_page: Any, screenshots: Path
) -> None:
    page = candidate_page
    # GIVEN a fresh invitation whose link arrived in the local outbox
    link, _ = invite(local_stack, "Casey Candidate")
    questions = session(local_stack, link)["questions"]
    q1, q2, q3 = (q["question_id"] for q in questions)

    # WHEN the candidate opens it, consents and passes the device check
    page.goto(link)
    consent_and_check_devices(page, screenshots)
    # AND tries the practice question, which uploads nothing
    page.wait_for_selector("[data-view=practice]")
    page.click("[data-action=practice-record]")
    page.wait_for_timeout(1500)
    page.click("[data-action=practice-stop]")
    page.click("[data-action=practice-done]")

    # AND records question 1, then records it again
    page.wait_for_selector("h1:has-text('Tell us about yourself')")
    screenshot(page, screenshots / "candidate-question.png")
    record(page)
    wait_saved(page)
    page.click("[data-action=rerecord]")
    record(page)
    wait_saved(page)
    screenshot(page, screenshots / "candidate-question-saved.png")
    assert upload_state(page, q1)["attempt"] == 2
    page.click("[data-action=next]")

    # AND reloads the page in the middle of recording question 2
    page.wait_for_selector("h1:has-text('unhappy customer')")
    page.click("[data-action=start]")
    page.wait_for_selector("[data-action=stop]")
    wait_until(lambda: (upload_state(page, q2) or {}).get("recorded", 0) >= 2, timeout=15)
    page.reload()

    # THEN the same link welcomes them back, and what was recorded is uploaded and saved
    page.wait_for_selector("[data-view=landing]:has-text('Welcome back')")
    page.click("[data-action=begin]")
    page.wait_for_selector("[data-view=devices] [data-action=devices-ok]:not([disabled])")
    page.click("[data-action=devices-ok]")
    page.wait_for_selector("h1:has-text('unhappy customer')")
    wait_saved(page)
    resumed = upload_state(page, q2)
    assert resumed["phase"] == "saved"
    # AND the interrupted recording becomes a ready answer, shown with how much was kept
    kept = page.wait_for_selector("[data-recovered=ready]", timeout=90_000)
    assert re.fullmatch(
        r"We saved \d+:\d\d of this answer before the interruption\.", kept.text_content()
    )
    answer = next(q for q in session(local_stack, link)["questions"] if q["question_id"] == q2)
    assert (answer["answer"]["attempt"], answer["answer"]["status"]) == (1, "ready")
    assert answer["answer"]["cut_short"] is True
    assert 0 < answer["answer"]["duration_seconds"] <= 30
    # AND they can play it: the player loads the saved answer
    page.wait_for_function(
        "() => { const v = document.querySelector('video.playback');"
        " return v && v.readyState >= 1 && v.duration > 0; }",
        timeout=30_000,
    )
    screenshot(page, screenshots / "candidate-recovered-answer.png")
    # AND nothing counts down by itself: they choose to keep it or to record again
    assert "Recording starts in" not in (page.text_content("main") or "")
    assert page.is_visible("[data-action=next]")
    page.click("[data-action=rerecord]")
    record(page)
    wait_saved(page)
    page.click("[data-action=next]")

    # WHEN they write the text answer, submit and rate the experience
    page.wait_for_selector("#text-answer")
    page.fill("#text-answer", "A notebook, a calendar and <b>a shared task board</b>.")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-view=finish]")
    page.click("[data-action=complete]")
    page.wait_for_selector("[data-view=done]")
    assert "We will be in touch within a week." in page.text_content("[data-view=done]")
    screenshot(page, screenshots / "candidate-done.png")
    page.check("input[name=rating][value='4']")
    page.fill("#feedback-comment", "Clear and calm.")
    page.click("[data-view=feedback] button[type=submit]")
    page.wait_for_selector("[data-feedback=sent]")

    # THEN the server has every answer, the re-recorded one as attempt 2, and the feedback
    state = session(local_stack, link)
    by_id = {q["question_id"]: q for q in state["questions"]}
    assert by_id[q1]["answer"]["attempt"] == 2
    assert by_id[q1]["answer"]["status"] in ANSWERED
    assert by_id[q2]["answer"]["attempt"] == 2
    assert by_id[q2]["answer"]["status"] in ANSWERED
    assert by_id[q3]["answer"]["text"] == "A notebook, a calendar and <b>a shared task board</b>."
    assert state["invitation"]["status"] == "completed"
    assert state["invitation"]["feedback_given"] is True
    # AND a finished interview opens on the done page
    page.reload()
    page.wait_for_selector("[data-view=done]")


def test_an_answer_arrives_whole_when_the_first_two_chunk_uploads_fail(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN S3 refuses the first two chunk POSTs (the connection drops)
    link, _ = invite(local_stack, "Flaky Network")
    q1 = session(local_stack, link)["questions"][0]["question_id"]
    posts = {"seen": 0, "aborted": 0}

    def flaky(route: Any) -> None:
        if route.request.method == "POST":
            posts["seen"] += 1
            if posts["aborted"] < 2:
                posts["aborted"] += 1
                route.abort("connectionreset")
                return
        route.continue_()

    # WHEN the candidate records an answer (the drops start after the device check)
    page.goto(link)
    consent_and_check_devices(page)
    page.route(f"{local_stack.state['moto_url']}/**", flaky)
    page.click("[data-action=skip-practice]")
    page.click("[data-action=start]")
    page.wait_for_selector("[data-upload-status]:has-text('Connection lost')", timeout=10_000)
    page.wait_for_timeout(2500)
    page.click("[data-action=stop]")
    # THEN the page retries and reports it saved
    wait_saved(page)
    upload = upload_state(page, q1)
    assert posts["aborted"] == 2
    assert upload["retries"] >= 2
    # AND the server has the answer with every chunk
    answer = session(local_stack, link)["questions"][0]["answer"]
    assert answer["attempt"] == 1
    assert answer["status"] in ANSWERED
    stored = raw_objects(local_stack, q1, 1)
    expected = {chunk_name(i) for i in range(upload["total"])}
    assert expected <= set(stored), (expected, stored)
    assert all(stored[name] > 0 for name in expected)
    # AND nothing is left behind in IndexedDB
    left = page.evaluate(
        "async () => { const app = window.onewayCandidate;"
        " return (await app.store.attemptsOf(app.owner)).length; }"
    )
    assert left == 0


def test_a_recording_whose_start_reply_is_lost_starts_once_and_spends_no_retake(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN the connection drops just after the server opened the attempt, before its reply
    link, _ = invite(local_stack, "Lost Reply")
    q1 = session(local_stack, link)["questions"][0]
    starts: list[dict[str, Any]] = []

    def lose_first_reply(route: Any) -> None:
        starts.append(route.request.post_data_json)
        if len(starts) == 1:
            route.fetch()  # the server does the work …
            route.abort("connectionreset")  # … and the page never hears back
            return
        route.continue_()

    page.route("**/api/candidate/questions/*/attempts", lose_first_reply)
    # WHEN the candidate records question 1
    page.goto(link)
    consent_and_check_devices(page)
    page.click("[data-action=skip-practice]")
    record(page)
    # THEN the page sent the same start again and the answer is saved as attempt 1
    wait_saved(page)
    assert len(starts) == 2
    assert starts[0]["client_attempt_id"] == starts[1]["client_attempt_id"]
    assert upload_state(page, q1["question_id"])["attempt"] == 1
    # AND only one attempt is used: every retake is still there
    now = session(local_stack, link)["questions"][0]
    assert (now["attempts_used"], now["attempts_left"]) == (1, q1["attempts_left"] - 1)
    assert now["answer"]["attempt"] == 1
    assert now["answer"]["status"] in ANSWERED
    assert page.is_visible(f"text=Record again ({q1['attempts_left'] - 1} tries left)")


def test_a_wrong_or_withdrawn_link_gets_a_friendly_page_with_the_support_contact(
    local_stack: RunningStack, candidate_page: Any, screenshots: Path
) -> None:
    page = candidate_page
    page.goto(f"{local_stack.url}/candidate/#token=not-a-real-token")
    page.wait_for_selector("[data-view=error] h1:has-text('This link does not work')")
    assert_accessible(page, "candidate link that does not work")
    # GIVEN an invitation the recruiter withdrew
    link, email = invite(local_stack, "Withdrawn Person")
    _, listing = call(
        local_stack,
        "GET",
        f"/api/interviews/{local_stack.state['interview_id']}/invitations?limit=100",
        token=admin_token(local_stack),
    )
    [invitation] = [i for i in listing["invitations"] if i.get("candidate_email") == email]
    status, _ = call(
        local_stack,
        "POST",
        f"/api/invitations/{invitation['invitation_id']}/revoke",
        token=admin_token(local_stack),
    )
    assert status == 200
    # WHEN the candidate opens it THEN they read why, and whom to ask
    page.goto(link)
    page.wait_for_selector("[data-view=error]")
    text = page.text_content("[data-view=error]")
    assert "withdrawn" in text
    assert "hiring@example.com" in text
    screenshot(page, screenshots / "candidate-link-withdrawn.png")


def test_a_link_replaced_by_a_new_link_says_a_newer_one_was_emailed(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    # GIVEN a candidate whose link the recruiter replaced with a new one
    page = candidate_page
    link, email = invite(local_stack, "Resent Person")
    _, listing = call(
        local_stack,
        "GET",
        f"/api/interviews/{local_stack.state['interview_id']}/invitations?limit=100",
        token=admin_token(local_stack),
    )
    [invitation] = [i for i in listing["invitations"] if i.get("candidate_email") == email]
    path = f"/api/invitations/{invitation['invitation_id']}/new-link"
    assert call(local_stack, "POST", path, token=admin_token(local_stack))[0] == 200
    # WHEN they open the link from the first email THEN the page says a newer one was sent
    page.goto(link)
    page.wait_for_selector("[data-view=error] h1:has-text('This link does not work')")
    assert "newer link" in page.text_content("[data-view=error]")
    assert_accessible(page, "candidate link replaced by a newer one")


def test_a_browser_without_media_recorder_is_told_what_to_do_on_a_phone(
    local_stack: RunningStack, browser: Any, screenshots: Path
) -> None:
    # GIVEN a phone-sized browser that cannot record
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.add_init_script("delete window.MediaRecorder")
    link, _ = invite(local_stack, "Phone Person")
    try:
        page.goto(link)
        page.wait_for_selector("[data-view=landing]")
        screenshot(page, screenshots / "candidate-landing-phone.png")
        # WHEN they consent THEN the site names the browsers that work
        page.check("#consent")
        page.click("[data-action=begin]")
        page.wait_for_selector("[data-view=unsupported]")
        assert "recent Chrome, Firefox, Edge or Safari" in page.text_content(
            "[data-view=unsupported]"
        )
        assert_accessible(page, "candidate browser cannot record, on a phone")
    finally:
        context.close()


def test_text_from_the_api_is_shown_as_text_not_markup(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN an interview whose wording contains markup
    interview = create_interview(
        local_stack,
        {
            "title": "<img src=x onerror=window.pwned=1> Engineer",
            "intro": "<script>window.pwned=2</script>Welcome",
            "questions": [
                {
                    "text": "<b>Bold</b> claims?",
                    "answer_type": "text",
                    "think_seconds": 0,
                    "max_answer_seconds": 0,
                    "retakes": 0,
                }
            ],
        },
    )
    link, _ = invite(
        local_stack,
        "<i>Mal</i>",
        interview_id=interview["interview_id"],
        email="markup@example.com",
    )
    page.goto(link)
    # THEN the markup is visible as characters and nothing ran
    page.wait_for_selector("[data-view=landing]")
    assert (
        page.text_content("[data-view=landing] h1") == "<img src=x onerror=window.pwned=1> Engineer"
    )
    assert "Hi <i>Mal</i>," in page.text_content("[data-view=landing]")
    assert page.locator("[data-view=landing] img, [data-view=landing] script").count() == 0
    page.check("#consent")
    page.click("[data-action=begin]")
    page.wait_for_selector("h1:has-text('<b>Bold</b> claims?')")
    assert page.evaluate("window.pwned") is None


def seconds_on_timer(page: Any) -> int:
    """The think countdown the candidate reads ("Recording starts in 0:27"), in seconds."""
    shown = page.wait_for_selector("main .timer:has-text('Recording starts in')").text_content()
    minutes, seconds = re.search(r"(\d+):(\d\d)", shown).groups()
    return int(minutes) * 60 + int(seconds)


def test_a_reload_continues_the_think_time_instead_of_starting_it_again(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN a candidate reached question 1: its text appeared and its 30 s think time started
    link, _ = invite(local_stack, "Reload Thinker")
    assert session(local_stack, link)["questions"][0]["text"] is None
    page.goto(link)
    consent_and_check_devices(page)
    page.click("[data-action=skip-practice]")
    page.wait_for_selector("h1:has-text('Tell us about yourself')")
    first = seconds_on_timer(page)
    assert 27 <= first <= 30
    # WHEN they reload the page a few seconds later and come back to the question
    page.wait_for_timeout(4000)
    page.reload()
    # THEN the page they come back to says the think time is still running
    notice = page.wait_for_selector("[data-view=landing] [data-notice=thinking]").text_content()
    assert_accessible(page, "candidate landing while think time runs")
    assert notice.startswith("Question 1 is open and its think time is still running")
    page.click("[data-action=begin]")
    page.wait_for_selector("[data-view=devices] [data-action=devices-ok]:not([disabled])")
    page.click("[data-action=devices-ok]")
    # AND the practice they skipped is not offered again: the question comes straight back
    page.wait_for_selector("h1:has-text('Tell us about yourself')")
    assert page.locator("[data-view=practice]").count() == 0
    # AND the countdown goes on from where the server's clock stands, not from 30 s
    left = seconds_on_timer(page)
    assert left <= first - 4
    assert "think time kept running" in page.text_content("main .status-line")
    server = session(local_stack, link)["questions"][0]
    assert server["think_seconds_left"] <= left
    # AND recording still starts within it
    record(page)
    wait_saved(page)
    assert session(local_stack, link)["questions"][0]["answer"]["attempt"] == 1


def test_a_question_whose_think_time_ran_out_while_away_is_explained_and_skipped(
    local_stack: RunningStack, candidate_page: Any
) -> None:
    page = candidate_page
    # GIVEN a candidate opened a question with 1 s of think time, then left the page
    interview = create_interview(
        local_stack,
        {
            "title": "Quick thinking",
            "questions": [
                {"text": "Name a colour.", "think_seconds": 1, "max_answer_seconds": 30},
                {"text": "Why that one?", "answer_type": "text", "max_answer_seconds": 0},
            ],
        },
    )
    link, _ = invite(
        local_stack, "Away", interview_id=interview["interview_id"], email="away@example.com"
    )
    token = link.split("#token=", 1)[1]
    first = session(local_stack, link)["questions"][0]["question_id"]
    assert (
        call(
            local_stack,
            "POST",
            "/api/candidate/consent",
            {"accepted": True},
            invitation_token=token,
        )[0]
        == 200
    )
    status, opened = call(
        local_stack, "POST", f"/api/candidate/questions/{first}/open", invitation_token=token
    )
    assert status == 200, opened
    # WHEN they come back after the think time and its grace are over
    wait_until(lambda: session(local_stack, link)["questions"][0]["missed"], timeout=30, every=1)
    page.goto(link)
    page.wait_for_selector("[data-view=landing]")
    page.click("[data-action=begin]")
    # THEN the site says why that question can no longer be answered, and moves on
    missed = page.wait_for_selector("[data-view=missed] [data-missed]").text_content()
    assert "think time for this question ran out" in missed
    assert_accessible(page, "candidate question missed")
    page.click("[data-view=missed] [data-action=next]")
    page.wait_for_selector("h1:has-text('Why that one?')")
    page.fill("#text-answer", "It is calm.")
    page.click("button[type=submit]")
    # AND they submit the interview with that question unanswered
    finish = page.wait_for_selector("[data-view=finish] [data-missed]").text_content()
    assert "Question 1 could not be answered" in finish
    assert_accessible(page, "candidate finish page with a missed question")
    page.click("[data-action=complete]")
    page.wait_for_selector("[data-view=done]")
    state = session(local_stack, link)
    assert state["invitation"]["status"] == "completed"
    assert state["questions"][0]["answer"] is None
