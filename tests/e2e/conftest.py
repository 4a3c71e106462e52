"""End-to-end: the real local stack in a subprocess, driven over HTTP and in headless Chromium."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningStack:
    """A `python -m infra.local` process and what it printed."""

    def __init__(self, process: subprocess.Popen[str], state: dict[str, Any], log: Path) -> None:
        self.process = process
        self.state = state
        self.log = log

    @property
    def url(self) -> str:
        return self.state["site_url"]

    def output(self) -> str:
        return self.log.read_text()


def start_stack(tmp: Path, port: int, moto_port: int, timeout: float = 90) -> RunningStack:
    state_file = tmp / f"state-{port}.json"
    log = tmp / f"stack-{port}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.local",
            "--port",
            str(port),
            "--moto-port",
            str(moto_port),
            "--state-file",
            str(state_file),
            "--sweep-seconds",
            "1",
        ],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + timeout
    while not state_file.exists():
        if process.poll() is not None:
            raise AssertionError(f"local stack exited early:\n{log.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"local stack not ready in {timeout} s:\n{log.read_text()}")
        time.sleep(0.2)
    return RunningStack(process, json.loads(state_file.read_text()), log)


def stop_stack(stack: RunningStack) -> int:
    stack.process.send_signal(signal.SIGINT)
    try:
        return stack.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        raise


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    stack = start_stack(tmp_path_factory.mktemp("stack"), free_port(), free_port())
    yield stack
    if stack.process.poll() is None:
        stop_stack(stack)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launch: dict[str, Any] = {"headless": True, "args": CHROMIUM_ARGS}
        if CHROMIUM.exists():
            launch["executable_path"] = str(CHROMIUM)
        chromium = playwright.chromium.launch(**launch)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
