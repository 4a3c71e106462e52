"""WebKitGTK (Safari's engine) for browser tests: Xvfb, WebKitWebDriver, MiniBrowser, mock devices.

Debian's `webkit2gtk-driver` has no headless mode, so a private Xvfb display is started first;
MiniBrowser runs with `--automation` and WebKit's mock camera and microphone, so getUserMedia
answers without a prompt. Measured on Debian 12: audio records (MP4/AAC), video gives 0 bytes
(its GStreamer lacks the muxer WebKit wants), and IndexedDB refuses Blobs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WEBDRIVER = Path(os.environ.get("WEBKIT_WEBDRIVER", "/usr/bin/WebKitWebDriver"))
MINIBROWSER = Path(
    os.environ.get("WEBKIT_MINIBROWSER", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
)
BROWSER_ARGS = [
    "--automation",
    "--enable-media-stream=true",
    "--enable-mock-capture-devices=true",
]
INSTALL_HINT = (
    "WebKitGTK is needed for the Safari-engine browser tests: run `make webkit` as root, or "
    "`sudo apt-get install webkit2gtk-driver xvfb gstreamer1.0-plugins-base "
    "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly "
    "gstreamer1.0-libav gstreamer1.0-gl`"
)


def missing() -> list[str]:
    """What of WebKitGTK's test kit is not installed on this machine."""
    wanted = {"WebKitWebDriver": WEBDRIVER, "MiniBrowser": MINIBROWSER}
    absent = [name for name, path in wanted.items() if not path.exists()]
    if not shutil.which("Xvfb"):
        absent.append("Xvfb")
    return absent


def _free_display() -> int:
    for number in range(99, 140):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise AssertionError("no free X display number between :99 and :139")


@contextmanager
def xvfb() -> Iterator[str]:
    """A private X display for MiniBrowser (WebKitGTK's WebDriver session hangs without one)."""
    number = _free_display()
    process = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            assert process.poll() is None, f"Xvfb :{number} exited with {process.returncode}"
            assert time.monotonic() < deadline, f"Xvfb :{number} did not start in 15 s"
            time.sleep(0.05)
        yield f":{number}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def webkit_session() -> Iterator[Any]:
    """A selenium session in MiniBrowser on its own Xvfb display; fails with how to install."""
    absent = missing()
    assert not absent, f"{', '.join(absent)} missing. {INSTALL_HINT}"
    from selenium import webdriver
    from selenium.webdriver.webkitgtk.service import Service

    with xvfb() as display:
        options = webdriver.WebKitGTKOptions()
        options.binary_location = str(MINIBROWSER)
        for argument in BROWSER_ARGS:
            options.add_argument(argument)
        service = Service(executable_path=str(WEBDRIVER), env={**os.environ, "DISPLAY": display})
        driver = webdriver.WebKitGTK(options=options, service=service)
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(30)
        driver.set_window_size(1280, 900)
        try:
            yield driver
        finally:
            driver.quit()
