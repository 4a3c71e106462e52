"""The fuzz run's own local stack, and the real callers and ids it fuzzes with.

Its own stack, not the e2e one: the fuzzer archives, revokes and deletes what it finds, and
the browser tests must not meet what it leaves behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.drivers.local_stack import (
    RunningStack,
    call,
    candidate_call,
    free_port,
    invite,
    outbox,
    start_stack,
    stop_stack,
)


@dataclass
class Callers:
    """Who the fuzzer calls as, and ids of things that exist so it reaches past the 404s."""

    admin: str
    reviewer: str
    candidate: str
    share: str
    ids: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def fuzz_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    stack = start_stack(tmp_path_factory.mktemp("fuzz-stack"), free_port(), free_port())
    yield stack
    if stack.process.poll() is None:
        stop_stack(stack)


@pytest.fixture(scope="session")
def callers(fuzz_stack: RunningStack) -> Callers:
    """The demo admin, a reviewer, an invited candidate who has started, and a share link."""
    state = fuzz_stack.state
    status, signed_in = call(
        fuzz_stack,
        "POST",
        "/api/auth/signin",
        {"email": state["email"], "password": state["password"]},
    )
    assert status == 200, signed_in
    admin = signed_in["id_token"]
    interview_id = state["interview_id"]
    candidate = invite(fuzz_stack, "fuzz.candidate@example.com")
    status, session = candidate_call(fuzz_stack, candidate, "GET", "/session")
    assert status == 200, session
    question_id = session["questions"][0]["question_id"]
    status, consent = candidate_call(fuzz_stack, candidate, "POST", "/consent", {"accepted": True})
    assert status == 200, consent
    # Opening the question first, where the server records when each question was opened.
    candidate_call(fuzz_stack, candidate, "POST", f"/questions/{question_id}/open")
    status, started = candidate_call(
        fuzz_stack,
        candidate,
        "POST",
        f"/questions/{question_id}/attempts",
        {"mime_type": "video/webm"},
    )
    assert status == 201, started
    status, listed = call(
        fuzz_stack, "GET", f"/api/interviews/{interview_id}/invitations", token=admin
    )
    assert status == 200, listed
    [invitation_id] = [
        i["invitation_id"]
        for i in listed["invitations"]
        if i["candidate_email"] == "fuzz.candidate@example.com"
    ]
    status, share = call(
        fuzz_stack, "POST", f"/api/invitations/{invitation_id}/shares", {}, token=admin
    )
    assert status == 201, share
    member = {"email": "fuzz.reviewer@example.com", "name": "Riley Reviewer", "role": "reviewer"}
    status, added = call(fuzz_stack, "POST", "/api/team", member, token=admin)
    assert status == 201, added
    reviewer = _first_sign_in(fuzz_stack, member["email"])
    ids = {
        "interview_id": interview_id,
        "invitation_id": invitation_id,
        "question_id": question_id,
        "attempt": str(started["attempt"]),
        "share_id": share["share_id"],
        "code": state["apply_link"].split("#code=")[1],
        "user_id": added["user_id"],
    }
    return Callers(admin, reviewer, candidate, share["url"].split("#token=")[1], ids)


def _first_sign_in(stack: RunningStack, email: str) -> str:
    """A new colleague signs in with the emailed temporary password and picks their own."""
    [mail] = [m for m in outbox(stack) if m["to"] == [email]]
    temporary = re.search(r"Temporary password:\s*(?:<code>)?([^\s<]+)", mail["text"])
    assert temporary, mail["text"]
    status, challenge = call(
        stack, "POST", "/api/auth/signin", {"email": email, "password": temporary.group(1)}
    )
    assert status == 200, challenge
    assert challenge.get("session"), challenge
    status, tokens = call(
        stack,
        "POST",
        "/api/auth/new-password",
        {"email": email, "session": challenge["session"], "new_password": "fuzzing-reviewer-2026"},
    )
    assert status == 200, tokens
    return tokens["id_token"]
