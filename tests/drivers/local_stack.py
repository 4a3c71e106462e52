"""Driving `python -m infra.local` (end-to-end tests and benches): start, stop, call over HTTP.

The stack runs in a subprocess on free ports and writes its URLs and demo login to a state
file; these calls reach it the way a browser or an integrator would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[2]


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
        # The stack gives its loops 8 s in all; the rest is for a machine under load.
        return stack.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        raise


def ok(reply: tuple[int, Any], *expected: int) -> Any:
    """The body of a `call` that answered one of `expected` (200 by default)."""
    status, body = reply
    assert status in (expected or (200,)), body
    return body


def call(
    stack: RunningStack,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
    invitation_token: str | None = None,
) -> tuple[int, Any]:
    """One JSON request to the stack's origin, as a recruiter (`token`) or a candidate."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{stack.url}{path}", data=data, method=method)  # noqa: S310
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if invitation_token:
        request.add_header("X-Invitation-Token", invitation_token)
    try:
        with urllib.request.urlopen(request, timeout=15) as reply:  # noqa: S310
            text = reply.read().decode()
            return reply.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, json.loads(text) if text.startswith("{") else text


def candidate_call(
    stack: RunningStack, token: str, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    """A call to the candidate API (`/api/candidate…`) with the invitation's token."""
    return call(stack, method, f"/api/candidate{path}", body, invitation_token=token)


def outbox(stack: RunningStack) -> list[dict[str, Any]]:
    """Every email the stack sent, in sending order, with the links found in each."""
    with urllib.request.urlopen(f"{stack.url}/dev/outbox.json", timeout=40) as reply:  # noqa: S310
        return json.load(reply)


def moto_client(stack: RunningStack, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=stack.state["moto_url"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def wait_for(predicate: Any, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def invite(stack: RunningStack, email: str) -> str:
    """Invite a fresh candidate to the demo interview; returns their link's token."""
    _, admin = call(
        stack,
        "POST",
        "/api/auth/signin",
        {"email": stack.state["email"], "password": stack.state["password"]},
    )
    status, report = call(
        stack,
        "POST",
        f"/api/interviews/{stack.state['interview_id']}/invitations",
        {"candidates": [{"name": "Pat Upload", "email": email}]},
        token=admin["id_token"],
    )
    assert status == 200, report
    [message] = [m for m in outbox(stack) if m["to"] == [email]]
    link = next(link for link in message["links"] if "#token=" in link)
    return link.split("#token=")[1]


def post_chunk(grant: dict, index: int, data: bytes, timeout: float = 10) -> int:
    """The browser's multipart POST: every policy field, the key, then the file."""
    import uuid

    boundary = uuid.uuid4().hex
    own = grant.get("chunks", {}).get(str(index), {})  # the chunk's own key, policy, signature
    fields = {**grant["fields"], **own, "key": grant["chunk_key_template"].format(index=index)}
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="blob"\r\n'
        f"Content-Type: {grant['fields']['Content-Type']}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(  # noqa: S310
        grant["url"],
        data=body,
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310
        return reply.status


def upload_answer(
    stack: RunningStack, token: str, question_id: str, data: bytes, parts: int
) -> dict[str, Any]:
    """A recorded answer the way the site sends it: an attempt, chunk POSTs, finalise."""
    status, started = candidate_call(
        stack,
        token,
        "POST",
        f"/questions/{question_id}/attempts",
        {"mime_type": "video/webm;codecs=vp8,opus"},
    )
    assert status == 201, started
    size = -(-len(data) // parts)
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    for index, chunk in enumerate(chunks):
        assert post_chunk(started["upload"], index, chunk) == 204  # S3's answer to a POST
    status, answer = candidate_call(
        stack,
        token,
        "POST",
        f"/questions/{question_id}/attempts/{started['attempt']}/finalise",
        {"chunks": len(chunks)},
    )
    assert status == 200, answer
    return answer
