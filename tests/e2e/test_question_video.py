"""A recruiter records a question video in the console; a candidate invited later watches it play.

The whole way on the local stack: Chromium's fake camera → MediaRecorder chunks → S3 while
recording → manifest → the worker → an MP4 H.264/AAC with a poster → the candidate's page.
"""

from __future__ import annotations

import urllib.request
import uuid
from pathlib import Path
from typing import Any

import av
import pytest

from tests.drivers.a11y import screenshot
from tests.drivers.console import link_token, mail_to, sign_in, sign_in_api
from tests.drivers.local_stack import RunningStack, call
from tests.drivers.media import top_level_boxes

pytestmark = pytest.mark.e2e

RECORD_MS = 3000


def test_a_question_video_recorded_in_the_console_plays_on_the_candidate_page(
    local_stack: RunningStack, page: Any, tmp_path: Path, screenshots: Path
) -> None:
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

    # WHEN they open it in the console and record a video for the first question
    sign_in(page, local_stack, state["email"], state["password"])
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}/edit")
    page.wait_for_selector("#interview-form")
    page.click("#q-0-video-record-open")
    page.wait_for_selector("#q-0-video-record")  # the camera preview is live
    assert page.locator("#q-0-video-camera").evaluate("v => v.srcObject !== null")
    page.click("#q-0-video-record")
    page.wait_for_selector("#q-0-video-recorder-status:has-text('Recording')")
    page.wait_for_timeout(RECORD_MS)
    # (chunks go to S3 while it records)
    page.wait_for_selector("#q-0-video-recorder-status:has-text('parts uploaded')")
    screenshot(page, screenshots / "console-question-video-recorder.png")
    page.click("#q-0-video-stop")
    page.wait_for_selector("#q-0-video-take")
    # (not happy with the take: record again, then use the new one)
    page.click("#q-0-video-again")
    page.click("#q-0-video-record")
    page.wait_for_selector("#q-0-video-recorder-status:has-text('Recording')")
    page.wait_for_timeout(RECORD_MS)
    page.click("#q-0-video-stop")
    page.wait_for_selector("#q-0-video-take")
    page.click("#q-0-video-use")
    # THEN the console says it is processing, then shows the playable video with its poster
    page.wait_for_selector("#q-0-video-status:has-text('Processing')", timeout=30_000)
    page.wait_for_selector("#q-0-video-status:has-text('Video ready')", timeout=90_000)
    preview = page.locator("#q-0-video-preview")
    assert "/video.mp4" in preview.get_attribute("src")
    assert preview.get_attribute("src").startswith(state["moto_url"])
    assert "/poster.jpg" in preview.get_attribute("poster")
    assert page.locator("#q-1-video-preview").count() == 0
    screenshot(page, screenshots / "console-question-video.png")
    # WHEN they save the interview
    page.click("#save-interview")
    page.wait_for_selector("#editor-saved")
    _, saved = call(local_stack, "GET", f"/api/interviews/{interview_id}", token=token)
    key = saved["questions"][0]["video_key"]
    assert key.startswith(f"question-videos/{state['company_id']}/{interview_id}/")
    assert key.endswith("/video.mp4")
    assert saved["questions"][1]["video_key"] is None
    # THEN what is stored is an H.264/AAC MP4 with its index first: it plays on Safari and iOS
    stored = tmp_path / "question.mp4"
    with urllib.request.urlopen(saved["questions"][0]["video_url"], timeout=10) as reply:  # noqa: S310 - the local moto
        assert reply.headers["Content-Type"] == "video/mp4"
        stored.write_bytes(reply.read())
    boxes = top_level_boxes(stored)
    assert boxes.index("moov") < boxes.index("mdat")
    with av.open(str(stored)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio[0].codec_context.name == "aac"
        assert float(container.duration) / 1_000_000 >= 2.0

    # WHEN a candidate is invited afterwards and opens the first question
    email = f"quinn.{uuid.uuid4().hex[:8]}@example.com"
    status, report = call(
        local_stack,
        "POST",
        f"/api/interviews/{interview_id}/invitations",
        {"candidates": [{"name": "Quinn Question", "email": email}]},
        token=token,
    )
    assert status == 200, report
    link = f"{local_stack.url}/candidate/#token={link_token(mail_to(local_stack, email))}"
    candidate = page.context.new_page()
    candidate.on("pageerror", lambda error: errors.append(str(error)))
    candidate.goto(link)
    candidate.wait_for_selector("[data-view=landing]")
    candidate.check("#consent")
    candidate.click("[data-action=begin]")
    candidate.wait_for_selector("[data-view=devices] [data-action=devices-ok]:not([disabled])")
    candidate.wait_for_selector("[data-network]:not([data-network=checking])", timeout=30_000)
    candidate.click("[data-action=devices-ok]")
    candidate.click("[data-action=skip-practice]")
    candidate.wait_for_selector("h1:has-text('Watch this')")
    # THEN the question's video is the MP4 with its poster, and it plays
    video = candidate.wait_for_selector("video.question-video")
    assert "/video.mp4" in video.get_attribute("src")
    assert "/poster.jpg" in video.get_attribute("poster")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    candidate.wait_for_function(
        "() => document.querySelector('video.question-video').currentTime > 0.5", timeout=15_000
    )
    playing = video.evaluate(
        "v => ({src: v.currentSrc, error: v.error && v.error.code, width: v.videoWidth})"
    )
    assert key in playing["src"]
    assert playing["error"] is None
    assert playing["width"] > 0
    screenshot(candidate, screenshots / "candidate-question-video.png")
    assert errors == []


def test_a_webm_file_chosen_in_the_console_becomes_an_mp4_replaced_and_deleted_with_it(
    local_stack: RunningStack, page: Any, tmp_path: Path, screenshots: Path
) -> None:
    from tests.drivers.candidate_site import s3
    from tests.drivers.media import Clip, generate

    clip = generate(Clip(video="vp9", audio="opus"), tmp_path / "question.webm")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    state = local_stack.state
    token = sign_in_api(local_stack, state["email"], state["password"])["id_token"]
    status, interview = call(
        local_stack,
        "POST",
        "/api/interviews",
        {"title": "File video", "questions": [{"text": "What do you see?"}]},
        token=token,
    )
    assert status == 201, interview
    interview_id = interview["interview_id"]
    sign_in(page, local_stack, state["email"], state["password"])
    page.goto(f"{local_stack.url}/console/#/interviews/{interview_id}/edit")
    page.wait_for_selector("#interview-form")
    keys = []
    for _ in range(2):
        # WHEN the admin chooses a WebM file (then another one, replacing it) and saves
        shown = page.locator("#q-0-video-preview")
        before = shown.get_attribute("src").split("?")[0] if shown.count() else ""
        page.set_input_files("#q-0-video", str(clip))
        page.wait_for_function(
            """(before) => {
                const v = document.querySelector('#q-0-video-preview');
                return Boolean(v && v.src.includes('/video.mp4') && v.src.split('?')[0] !== before);
            }""",
            arg=before,
            timeout=90_000,
        )
        page.wait_for_selector("#q-0-video-status:has-text('Video ready')")
        assert "/poster.jpg" in page.get_attribute("#q-0-video-preview", "poster")
        page.click("#save-interview")
        page.wait_for_selector("#editor-saved")
        _, saved = call(local_stack, "GET", f"/api/interviews/{interview_id}", token=token)
        keys.append(saved["questions"][0]["video_key"])
    # THEN the question shows the new MP4; the replaced video's objects are gone from S3
    assert keys[0] != keys[1]
    assert all(key.endswith("/video.mp4") for key in keys)
    bucket = state["settings"]["MEDIA_BUCKET"]

    def stored(key: str) -> list[str]:
        listed = s3(local_stack).list_objects_v2(Bucket=bucket, Prefix=key.rsplit("/", 1)[0])
        return sorted(item["Key"].rsplit("/", 1)[1] for item in listed.get("Contents", []))

    assert stored(keys[0]) == []
    assert stored(keys[1]) == ["poster.jpg", "video.mp4"]
    # WHEN they delete the interview (nobody was invited to it) THEN its video goes too
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#delete-interview")
    page.wait_for_url("**/console/#/interviews")
    assert call(local_stack, "GET", f"/api/interviews/{interview_id}", token=token)[0] == 404
    assert stored(keys[1]) == []
    assert errors == []
