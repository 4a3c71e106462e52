"""A recruiter adds a video to a question in the console; candidates invited later can play it."""

from __future__ import annotations

import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.drivers.console import link_token, mail_to, sign_in_api
from tests.drivers.local_stack import RunningStack, call, candidate_call

pytestmark = pytest.mark.e2e


def test_an_admin_uploads_a_question_video_that_a_candidate_can_play_in_chromium(
    local_stack: RunningStack, page: Any, tmp_path: Path, screenshots: Path
) -> None:
    from tests.drivers.media import Clip, generate

    clip = generate(
        Clip(video="h264", audio="aac", muxer="mp4", movflags="+faststart"),
        tmp_path / "question.mp4",
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # GIVEN the demo admin has an interview of their own
    state = local_stack.state
    token = sign_in_api(local_stack, state["email"], state["password"])["id_token"]
    status, interview = call(
        local_stack,
        "POST",
        "/api/interviews",
        {
            "title": "Question video",
            "questions": [{"text": "Watch this, then tell us what you think."}, {"text": "Why?"}],
        },
        token=token,
    )
    assert status == 201, interview
    interview_id = interview["interview_id"]

    # WHEN they open it in the console editor and add a video to the first question
    page.goto(f"{local_stack.url}/console/")
    page.fill("#signin-email", state["email"])
    page.fill("#signin-password", state["password"])
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#signed-in:not([hidden])")
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}/edit")
    page.wait_for_selector("#interview-form")
    page.set_input_files("#q-0-video", str(clip))
    page.wait_for_selector("#q-0-video-status:has-text('Video uploaded')", timeout=30_000)
    assert page.locator("#q-0-video-preview").count() == 1
    assert page.locator("#q-1-video-preview").count() == 0
    page.screenshot(path=str(screenshots / "console-question-video.png"), full_page=True)
    # AND save the interview
    page.click("#save-interview")
    page.wait_for_selector("#editor-saved")
    # THEN the preview now plays the stored video through a presigned link
    src = page.get_attribute("#q-0-video-preview", "src")
    assert src.startswith(state["moto_url"]), src
    _, saved = call(local_stack, "GET", f"/api/interviews/{interview_id}", token=token)
    key = saved["questions"][0]["video_key"]
    assert key.startswith("question-videos/")
    assert f"/{interview_id}/" in key
    assert saved["questions"][1]["video_key"] is None

    # WHEN a candidate is invited afterwards
    email = f"quinn.{uuid.uuid4().hex[:8]}@example.com"
    status, report = call(
        local_stack,
        "POST",
        f"/api/interviews/{interview_id}/invitations",
        {"candidates": [{"name": "Quinn Question", "email": email}]},
        token=token,
    )
    assert status == 200, report
    candidate = link_token(mail_to(local_stack, email))
    status, session = candidate_call(local_stack, candidate, "GET", "/session")
    assert status == 200, session
    # (each question's video comes with its wording, once the candidate opens it)
    assert candidate_call(local_stack, candidate, "POST", "/consent", {"accepted": True})[0] == 200
    session["questions"] = [
        candidate_call(local_stack, candidate, "POST", f"/questions/{q['question_id']}/open")[1]
        for q in session["questions"]
    ]
    # THEN their first question has a link that serves exactly the uploaded bytes, as MP4
    video_url = session["questions"][0]["video_url"]
    assert session["questions"][1]["video_url"] is None
    with urllib.request.urlopen(video_url, timeout=10) as reply:  # noqa: S310 - the local moto
        assert reply.headers["Content-Type"] == "video/mp4"
        assert reply.read() == clip.read_bytes()
    assert errors == []
