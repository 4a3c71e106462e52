"""Driving the candidate site (browser tests and the upload bench): invites, outbox, S3."""

from __future__ import annotations

import time
import uuid
from typing import Any

import boto3

from chalicelib.data.media_layout import RAW_ROOT
from tests.drivers.local_stack import RunningStack, call, outbox


def admin_token(stack: RunningStack) -> str:
    status, tokens = call(
        stack,
        "POST",
        "/api/auth/signin",
        {"email": stack.state["email"], "password": stack.state["password"]},
    )
    assert status == 200, tokens
    return tokens["id_token"]


def link_for(stack: RunningStack, email: str, timeout: float = 15) -> str:
    """The candidate link in the newest email sent to `email`, read from the local outbox."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(outbox(stack)):
            if message["to"] == [email]:
                links = [link for link in message["links"] if "/candidate/#token=" in link]
                if links:
                    return links[0]
        time.sleep(0.3)
    raise AssertionError(f"no invitation email to {email} in the outbox")


def create_interview(stack: RunningStack, body: dict[str, Any]) -> dict[str, Any]:
    """A new interview of the demo company, through the recruiter API."""
    status, interview = call(stack, "POST", "/api/interviews", body, token=admin_token(stack))
    assert status == 201, interview
    return interview


def invite(
    stack: RunningStack,
    name: str = "Casey Candidate",
    *,
    interview_id: str | None = None,
    email: str | None = None,
) -> tuple[str, str]:
    """A fresh invitation by the recruiter API → (link, email); the seeded interview by default."""
    email = email or f"cand-{uuid.uuid4().hex[:10]}@example.com"
    status, report = call(
        stack,
        "POST",
        f"/api/interviews/{interview_id or stack.state['interview_id']}/invitations",
        {"candidates": [{"name": name, "email": email}]},
        token=admin_token(stack),
    )
    assert status == 200, report
    assert report["summary"]["invited"] == 1, report
    return link_for(stack, email), email


def token_of(link: str) -> str:
    return link.split("#token=", 1)[1]


def session(stack: RunningStack, link: str) -> dict[str, Any]:
    status, body = call(stack, "GET", "/api/candidate/session", invitation_token=token_of(link))
    assert status == 200, body
    return body


def s3(stack: RunningStack) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=stack.state["moto_url"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def raw_objects(stack: RunningStack, question_id: str, attempt: int) -> dict[str, int]:
    """Every object stored for one attempt (chunks and manifest): name → size."""
    bucket = stack.state["settings"]["MEDIA_BUCKET"]
    found: dict[str, int] = {}
    for page in s3(stack).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=RAW_ROOT):
        for item in page.get("Contents", []):
            parts = item["Key"].split("/")
            if parts[-3:-1] == [question_id, f"{attempt:03d}"]:
                found[parts[-1]] = item["Size"]
    return found


def wait_until(predicate: Any, timeout: float = 30, every: float = 0.3) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("condition not met in time")
