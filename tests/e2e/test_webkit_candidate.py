"""The candidate site on Safari's engine: WebKitGTK's MiniBrowser, driven by WebKitWebDriver.

WebKit differs from Chromium where it matters to a candidate: it records audio as MP4/AAC,
refuses Blobs in IndexedDB (the chunk store keeps ArrayBuffers there) and, on Debian 12's
GStreamer, records video as 0 bytes. Screenshots land in `test-artifacts/screenshots/webkit/`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException

from tests.drivers.candidate_site import create_interview, invite, session
from tests.drivers.local_stack import RunningStack
from tests.drivers.webkit import webkit_session

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def webkit() -> Iterator[Any]:
    with webkit_session() as driver:
        yield driver


@pytest.fixture(scope="module")
def shots(screenshots: Path) -> Path:
    folder = screenshots / "webkit"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.png"):
        stale.unlink()
    return folder


def until(driver: Any, check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Wait for what the candidate would see; fail with the page's text when it never comes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    text = driver.execute_script("return document.body ? document.body.innerText : ''")
    raise AssertionError(f"WebKit: {what} not seen in {timeout:.0f} s; the page says:\n{text}")


def shown(driver: Any, css: str, timeout: float = 30) -> Any:
    """The first visible element matching `css`, once it is there."""

    def visible() -> Any:
        try:
            found = driver.find_elements("css selector", css)
            return next((e for e in found if e.is_displayed()), None)
        except StaleElementReferenceException:  # re-rendered meanwhile: look again
            return None

    return until(driver, visible, css, timeout)


def enabled(driver: Any, css: str, timeout: float = 30) -> Any:
    """The first visible, enabled element matching `css`, once there is one."""

    def ready() -> Any:
        try:
            found = driver.find_elements("css selector", css)
            return next((e for e in found if e.is_displayed() and e.is_enabled()), None)
        except StaleElementReferenceException:
            return None

    return until(driver, ready, f"{css} enabled", timeout)


def click(driver: Any, css: str, timeout: float = 30) -> None:
    enabled(driver, css, timeout).click()


def text_of(driver: Any, css: str) -> str | None:
    """The text of the first element matching `css` now (None: there is none)."""
    return driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css
    )


def recorded_parts(driver: Any, question_id: str, attempt: int) -> int:
    """Parts recorded so far by this attempt (an earlier attempt's uploader may still be the
    one on record for the question just after "Start")."""
    return driver.execute_script(
        "const u = window.onewayCandidate.uploads.get(arguments[0]);"
        " return u && u.attempt === arguments[1] ? u.recordedParts : 0;",
        question_id,
        attempt,
    )


def through_device_check(driver: Any, shots: Path | None = None, prefix: str = "") -> None:
    shown(driver, "[data-view=landing]")
    if shots:
        driver.save_screenshot(str(shots / f"{prefix}landing.png"))
    click(driver, "#consent")
    click(driver, "[data-action=begin]")
    enabled(driver, "[data-view=devices] [data-action=devices-ok]")
    shown(driver, "[data-network]:not([data-network=checking])")
    if shots:
        driver.save_screenshot(str(shots / f"{prefix}device-check.png"))
    click(driver, "[data-action=devices-ok]")


def test_in_webkit_audio_and_text_answers_survive_a_reload_and_video_says_what_to_do(
    local_stack: RunningStack, webkit: Any, shots: Path
) -> None:
    driver = webkit
    # GIVEN an interview with an audio and a text question, and an invitation to it
    interview = create_interview(
        local_stack,
        {
            "title": "Support engineer",
            "questions": [
                {
                    "text": "Tell us about a customer you helped",
                    "answer_type": "audio",
                    "think_seconds": 0,
                    "max_answer_seconds": 60,
                    "retakes": 1,
                },
                {
                    "text": "Which tools do you use to stay organised?",
                    "answer_type": "text",
                    "think_seconds": 0,
                    "max_answer_seconds": 0,
                    "retakes": 0,
                },
            ],
        },
    )
    link, _ = invite(local_stack, "Sam Safari", interview_id=interview["interview_id"])
    audio_q = session(local_stack, link)["questions"][0]["question_id"]

    # WHEN the candidate opens the link in WebKit, consents and passes the device check
    driver.get(link)
    through_device_check(driver, shots)
    click(driver, "[data-action=skip-practice]")

    # AND starts the audio answer, then reloads the page while it records
    shown(driver, "h1.question-text")
    driver.save_screenshot(str(shots / "audio-question.png"))
    click(driver, "[data-action=start]")
    shown(driver, "[data-action=stop]")
    driver.save_screenshot(str(shots / "audio-recording.png"))
    until(driver, lambda: recorded_parts(driver, audio_q, 1) >= 2, "two recorded parts", 20)
    # the chunks are kept in IndexedDB as ArrayBuffers: WebKit refuses Blobs there
    assert driver.execute_script(
        "const s = window.onewayCandidate.store; return [s.persistent, s.blobs];"
    ) == [True, False]
    driver.refresh()

    # THEN the same link welcomes them back and what was recorded is saved and made ready
    shown(driver, "[data-view=landing]")
    assert "Welcome back" in shown(driver, "[data-view=landing]").text
    click(driver, "[data-action=begin]")
    click(driver, "[data-view=devices] [data-action=devices-ok]")
    kept = shown(driver, "[data-recovered=ready]", timeout=90)
    assert "We saved" in kept.text
    assert "before the interruption" in kept.text
    answer = session(local_stack, link)["questions"][0]["answer"]
    assert (answer["attempt"], answer["status"]) == (1, "ready")
    assert answer["duration_seconds"] > 0
    # AND WebKit's own player loads what the server kept
    until(
        driver,
        lambda: driver.execute_script(
            "const a = document.querySelector('audio.playback');"
            " return Boolean(a && a.readyState >= 1 && a.duration > 0);"
        ),
        "the kept answer loaded in the player",
    )
    driver.save_screenshot(str(shots / "audio-recovered.png"))

    # WHEN they record the answer again, whole this time
    click(driver, "[data-action=rerecord]")
    click(driver, "[data-action=start]")
    until(driver, lambda: recorded_parts(driver, audio_q, 2) >= 2, "two recorded parts", 20)
    click(driver, "[data-action=stop]")
    # THEN it is saved (AAC in MP4, sent part by part while they spoke)
    until(
        driver,
        lambda: (
            driver.execute_script(
                "const u = window.onewayCandidate.uploads.get(arguments[0]);"
                " return [u.attempt, u.phase];",
                audio_q,
            )
            == [2, "saved"]
        ),
        "the second attempt saved",
        45,
    )
    until(driver, lambda: text_of(driver, "[data-upload-status]") == "Saved.", "Saved.", 10)
    click(driver, "[data-action=next]")

    # WHEN they write the text answer and complete the interview
    area = shown(driver, "#text-answer")
    area.send_keys("A notebook, a calendar and a shared task board.")
    driver.save_screenshot(str(shots / "text-question.png"))
    click(driver, "button[type=submit]")
    shown(driver, "[data-view=finish]")
    driver.save_screenshot(str(shots / "finish.png"))
    click(driver, "[data-action=complete]")
    # THEN they are done, and the server has both answers
    shown(driver, "[data-view=done]")
    driver.save_screenshot(str(shots / "done.png"))
    final = session(local_stack, link)
    assert final["questions"][1]["answer"]["text"].startswith("A notebook")

    # GIVEN an interview that asks for a video answer
    video = create_interview(
        local_stack,
        {
            "title": "Video interview",
            "questions": [
                {
                    "text": "Introduce yourself on camera",
                    "answer_type": "video",
                    "think_seconds": 0,
                    "max_answer_seconds": 60,
                    "retakes": 1,
                }
            ],
        },
    )
    link, _ = invite(local_stack, "Sam Safari", interview_id=video["interview_id"])
    # WHEN the candidate records it in this WebKit (whose video recording gives no data)
    driver.get(link)
    through_device_check(driver, shots, prefix="video-")
    click(driver, "[data-action=skip-practice]")
    click(driver, "[data-action=start]")
    shown(driver, "[data-action=stop]")
    # the clock shows a couple of seconds of "recording" before they stop
    until(driver, lambda: (text_of(driver, ".timer") or "").startswith("0:02"), "0:02 recorded")
    click(driver, "[data-action=stop]")
    # THEN the page says in words what to do instead of waiting for an upload forever
    told = shown(driver, "[data-video-unsupported]", timeout=20)
    assert "could not record video" in told.text
    assert "Chrome, Firefox or Edge" in told.text
    assert "audio" in told.text
    driver.save_screenshot(str(shots / "video-unsupported.png"))
