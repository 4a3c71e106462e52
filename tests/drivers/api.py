"""Driving the API in-process through the Chalice test client (integration tests).

JSON calls, sign-up and the mail moto recorded, then the steps many tests take: an interview
created, a candidate answering with their link, a team reviewing.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.domain.auth import Role
from chalicelib.domain.identity import create_recruiter

PASSWORD = "correct horse battery"


class Http:
    """JSON in, JSON out, over the Chalice test client."""

    def __init__(self, test_client: Any) -> None:
        self._client = test_client

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: str | None = None,
    ) -> tuple[int, Any]:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"headers": all_headers}
        if payload is not None:
            kwargs["body"] = payload
        response = getattr(self._client.http, method.lower())(path, **kwargs)
        text = response.body.decode() if response.body else ""
        return response.status_code, json.loads(text) if text else None


def sign_up(http: Http, email: str = "ada@acme.example.com", company: str = "Acme") -> dict:
    status, body = http.call(
        "POST",
        "/auth/signup",
        {"company_name": company, "name": "Ada Admin", "email": email, "password": PASSWORD},
    )
    assert status == 200, body
    return body


def sent_emails() -> list[dict[str, Any]]:
    """What moto's SES recorded (the in-process equivalent of /moto-api/data.json)."""
    from moto.backends import get_backend

    backend = get_backend("ses")["123456789012"]["us-east-1"]
    return [
        {"to": m.destinations["ToAddresses"], "subject": m.subject, "body": m.body}
        for m in backend.sent_messages
    ]


INTERVIEW = {
    "title": "Support Specialist",
    "role_description": "Help customers.",
    "intro": "Welcome!",
    "outro": "Thanks!",
    "support_contact": "hiring@acme.example.com",
    "questions": [
        {
            "text": "Tell us about yourself.",
            "think_seconds": 30,
            "max_answer_seconds": 60,
            "retakes": 1,
        },
        {"text": "A hard customer?", "answer_type": "audio", "max_answer_seconds": 90},
        {"text": "Your tools?", "answer_type": "text", "max_answer_seconds": 60, "retakes": 3},
    ],
    "deadline_days": 5,
    "rubric": [{"name": "Clarity", "anchors": ["1", "2", "3", "4", "5"]}],
}

LINK = re.compile(r"/candidate/#token=([A-Za-z0-9_-]+)")


def create(http: Http, token: str, **changes: Any) -> dict:
    status, body = http.call("POST", "/interviews", {**INTERVIEW, **changes}, token=token)
    assert status == 201, body
    return body


def links_sent_to(address: str) -> list[str]:
    return [LINK.search(e["body"]).group(1) for e in sent_emails() if e["to"] == [address]]


def session(http: Http, token: str) -> tuple[int, Any]:
    return http.call("GET", "/candidate/session", headers={"X-Invitation-Token": token})


MIME = "video/webm;codecs=vp8,opus"


class Candidate:
    """One candidate's calls, with their token."""

    def __init__(self, http: Http, token: str) -> None:
        self.http = http
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return self.http.call(
            method, f"/candidate{path}", body, headers={"X-Invitation-Token": self.token}
        )

    def session(self) -> dict:
        status, body = self.call("GET", "/session")
        assert status == 200, body
        return body

    def question(self, position: int) -> str:
        return self.session()["questions"][position - 1]["question_id"]

    def start(self, question_id: str, mime: str = MIME) -> tuple[int, Any]:
        return self.call("POST", f"/questions/{question_id}/attempts", {"mime_type": mime})

    def upload(self, grant: dict, count: int, size: int = 64) -> None:
        """Put chunks where the browser's POSTs put them (the policy is tested on its own)."""
        s3 = client("s3")
        bucket = os.environ["MEDIA_BUCKET"]
        for index in range(count):
            key = grant["chunk_key_template"].format(index=index)
            s3.put_object(Bucket=bucket, Key=key, Body=b"x" * size)

    def record(self, question_id: str, chunks: int = 3) -> dict:
        status, started = self.start(question_id)
        assert status == 201, started
        self.upload(started["upload"], chunks)
        status, answer = self.call(
            "POST",
            f"/questions/{question_id}/attempts/{started['attempt']}/finalise",
            {"chunks": chunks},
        )
        assert status == 200, answer
        return answer


class Team:
    """A company with an interview, an admin, a reviewer and a few candidates."""

    def __init__(self, http: Http, admin: dict) -> None:
        self.http = http
        self.company_id = admin["company"]["company_id"]
        self.admin = admin["tokens"]["id_token"]
        self.interview = create(http, self.admin)
        self.interview_id = self.interview["interview_id"]
        self.criteria = [c["criterion_id"] for c in self.interview["rubric"]]
        self.questions = [q["question_id"] for q in self.interview["questions"]]
        create_recruiter(
            self.company_id, "rey@acme.example.com", "Rey Reviewer", Role.REVIEWER, PASSWORD
        )
        self.reviewer = self.sign_in("rey@acme.example.com")

    def sign_in(self, email: str) -> str:
        status, body = self.http.call(
            "POST", "/auth/signin", {"email": email, "password": PASSWORD}
        )
        assert status == 200, body
        return body["id_token"]

    def invite(self, *names: str) -> list[str]:
        candidates = [
            {"name": n, "email": f"{n.lower().replace(' ', '.')}@example.com"} for n in names
        ]
        self.http.call(
            "POST",
            f"/interviews/{self.interview_id}/invitations",
            {"candidates": candidates},
            token=self.admin,
        )
        rows = self.pipeline(self.admin)["candidates"]
        by_email = {r["candidate_email"]: r["invitation_id"] for r in rows}
        return [by_email[c["email"]] for c in candidates]

    def complete(self, name: str) -> Candidate:
        candidate = Candidate(self.http, links_sent_to(f"{name.lower()}@example.com")[0])
        candidate.call("POST", "/consent", {"accepted": True})
        candidate.record(candidate.question(1))
        candidate.record(candidate.question(2))
        candidate.call("PUT", f"/questions/{candidate.question(3)}/text", {"text": "Lists"})
        assert candidate.call("POST", "/complete")[0] == 200
        return candidate

    def pipeline(self, token: str, query: str = "") -> dict:
        status, body = self.http.call(
            "GET", f"/interviews/{self.interview_id}/pipeline{query}", token=token
        )
        assert status == 200, body
        return body

    def detail(self, token: str, invitation_id: str) -> tuple[int, Any]:
        return self.http.call("GET", f"/invitations/{invitation_id}", token=token)

    def review(self, token: str, invitation_id: str, score: int, **extra: Any) -> tuple[int, Any]:
        scores = {self.questions[0]: {self.criteria[0]: score}}
        return self.http.call(
            "PUT", f"/invitations/{invitation_id}/review", {"scores": scores, **extra}, token=token
        )


# --- the jobs queue (bulk invitations, exports) ---------------------------------------------


class Clock:
    """A Lambda context whose remaining time the test decides: `left_ms` per call, in turn."""

    def __init__(self, *left_ms: int) -> None:
        self._left = list(left_ms)

    def get_remaining_time_in_millis(self) -> int:
        return self._left.pop(0) if len(self._left) > 1 else self._left[0]


def queued_jobs() -> list[dict[str, Any]]:
    """Receive the jobs queue's waiting messages (each stays hidden until its visibility ends)."""
    url = os.environ["JOBS_QUEUE_URL"]
    found: list[dict[str, Any]] = []
    while (
        batch := client("sqs")
        .receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])
        .get("Messages", [])
    ):
        found.extend(batch)
    return found


def run_job_message(message: dict[str, Any], context: Any = None) -> None:
    """What Lambda does with one jobs-queue message: call `app.job_runner`, delete on success."""
    import app as app_module
    from infra.local.pollers import lambda_context, sqs_record

    url = os.environ["JOBS_QUEUE_URL"]
    arn = f"arn:aws:sqs:us-east-1:123456789012:{url.rsplit('/', 1)[1]}"
    event = {"Records": [sqs_record(message, arn)]}
    app_module.job_runner(event, context or lambda_context("job-runner", 300))
    client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def run_jobs(context: Any = None, max_runs: int = 50) -> int:
    """Run queued jobs until the queue is empty (a run may queue its job again); returns runs."""
    runs = 0
    while runs < max_runs and (messages := queued_jobs()):
        for message in messages:
            run_job_message(message, context)
            runs += 1
    return runs


def job(http: Http, token: str, job_id: str) -> dict:
    status, body = http.call("GET", f"/jobs/{job_id}", token=token)
    assert status == 200, body
    return body


def consenting_candidate(
    http: Http, token: str, interview_id: str, email: str = "sam@example.com", **fields: Any
) -> Candidate:
    """A candidate invited through the API (as "Sam", plus `fields`) who gave consent."""
    status, report = http.call(
        "POST",
        f"/interviews/{interview_id}/invitations",
        {"candidates": [{"name": "Sam", "email": email, **fields}]},
        token=token,
    )
    assert status == 200, report
    candidate = Candidate(http, links_sent_to(email)[-1])
    assert candidate.call("POST", "/consent", {"accepted": True})[0] == 200
    return candidate
