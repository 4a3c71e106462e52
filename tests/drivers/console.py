"""Driving the console's browser tests: the outbox, a candidate who answers over HTTP, shots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.drivers.a11y import assert_accessible
from tests.drivers.local_stack import (
    RunningStack,
    call,
    candidate_call,
    outbox,
    upload_answer,
    wait_for,
)

TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 800}


def mail_to(
    stack: RunningStack, email: str, subject_has: str = "", timeout: float = 15
) -> dict[str, Any]:
    """The newest email sent to `email` (the outbox is in sending order); waits for it."""
    found: list[dict[str, Any]] = []

    def arrived() -> bool:
        found[:] = [
            m for m in outbox(stack) if email in m["to"] and subject_has in m.get("subject", "")
        ]
        return bool(found)

    assert wait_for(arrived, timeout), f"no email to {email} about {subject_has!r}"
    return found[-1]


def link_token(message: dict[str, Any], marker: str = "#token=") -> str:
    link = next(link for link in message["links"] if marker in link)
    return link.split(marker)[1]


def sign_up(stack: RunningStack, company: str, name: str, email: str, password: str) -> str:
    """A new company with `name` as its admin; the admin's ID token."""
    body = {"company_name": company, "name": name, "email": email, "password": password}
    status, reply = call(stack, "POST", "/api/auth/signup", body)
    assert status == 200, reply
    return reply["tokens"]["id_token"]


def sign_in_api(stack: RunningStack, email: str, password: str) -> dict[str, Any]:
    status, tokens = call(stack, "POST", "/api/auth/signin", {"email": email, "password": password})
    assert status == 200, tokens
    return tokens


def answer_everything(stack: RunningStack, token: str, clip: Path, text: str) -> list[str]:
    """A candidate's whole interview through the real upload path; returns the question ids."""
    assert candidate_call(stack, token, "POST", "/consent", {"accepted": True})[0] == 200
    _, session = candidate_call(stack, token, "GET", "/session")
    data = clip.read_bytes()
    for question in session["questions"]:
        qid = question["question_id"]
        if question["answer_type"] == "text":
            status, saved = candidate_call(
                stack, token, "PUT", f"/questions/{qid}/text", {"text": text}
            )
            assert status == 200, saved
        else:
            upload_answer(stack, token, qid, data, parts=2)

    def all_ready() -> bool:
        _, now = candidate_call(stack, token, "GET", "/session")
        return all(q["answer"] and q["answer"]["status"] == "ready" for q in now["questions"])

    assert wait_for(all_ready, timeout=90), stack.output()[-3000:]
    status, done = candidate_call(stack, token, "POST", "/complete", {})
    assert status == 200, done
    return [q["question_id"] for q in session["questions"]]


class Shots:
    """Screenshots of each page at desktop and tablet width, in one named folder.

    Each shot first runs the axe-core gate (tests/drivers/a11y.py) on the page state.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.png"):
            stale.unlink()

    def take(self, page: Any, name: str, *, tablet: bool = True) -> None:
        slug = re.sub(r"[^a-z0-9-]+", "-", name.lower())
        assert_accessible(page, f"{self.folder.name}/{slug}")
        page.screenshot(path=str(self.folder / f"{slug}-1280.png"), full_page=True)
        if tablet:
            page.set_viewport_size(TABLET)
            page.wait_for_timeout(150)
            page.screenshot(path=str(self.folder / f"{slug}-tablet.png"), full_page=True)
            page.set_viewport_size(DESKTOP)
            page.wait_for_timeout(100)


def sign_in(page: Any, stack: Any, email: str, password: str) -> None:
    """Sign in through the console's own form and wait for the signed-in top bar."""
    page.goto(f"{stack.url}/console/")
    page.fill("#signin-email", email)
    page.fill("#signin-password", password)
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#signed-in")
