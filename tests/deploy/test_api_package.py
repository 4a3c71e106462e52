"""The API Lambdas, run from the zip `chalice package` builds, against a moto server.

The zip is unpacked and its entry points (as the packaged template names them) run in a
fresh `python -I -S` that sees only the zip's contents and the boto3 the Lambda runtime
provides: a dependency missing from requirements.txt fails here, not in AWS.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from tests.drivers.packages import (
    REGION,
    ROOT,
    drain,
    invoke,
    lambda_environment,
    pip_target,
    provision,
    sqs_event,
    talking_to,
)

pytestmark = pytest.mark.package

STAGE = "prod"  # the stage `make deploy` uses by default (infra/stacks/settings.py)
EMAIL = "robin@example.com"
PASSWORD = "a-long-password-1"
HOOK_URL = "https://hooks.example.com/oneway"


@dataclass(frozen=True)
class Package:
    task_root: Path
    runtime: Path  # what the Lambda runtime adds: boto3
    functions: dict[str, dict[str, Any]]  # logical id -> the template's function properties

    def function(self, event_type: str | None, handler: str | None = None) -> dict[str, Any]:
        """The one function triggered by `event_type` (None: the API handler), by `handler`."""
        if event_type is None:
            return self.functions["APIHandler"]
        (found,) = [
            f
            for f in self.functions.values()
            if any(e["Type"] == event_type for e in f.get("Events", {}).values())
            and handler in (None, f["Handler"])
        ]
        return found


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    out = tmp_path_factory.mktemp("chalice") / "out"
    chalice = shutil.which("chalice", path=str(Path(sys.executable).parent))
    assert chalice, "chalice is not installed beside this interpreter"
    # Chalice's packager drives this interpreter's pip; the Makefile keeps it below 26.3.
    assert Version(version("pip")) < Version("26.3"), "chalice package needs pip < 26.3 (make)"
    built = subprocess.run(
        [chalice, "package", "--stage", STAGE, str(out)],
        cwd=ROOT,
        env={**_clean_env(), "AWS_DEFAULT_REGION": REGION},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    # Chalice only warns when it cannot vendor a dependency; the zip would then lack it.
    assert "Could not install dependencies" not in built.stdout + built.stderr, built.stderr
    task_root = out.parent / "task"
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        archive.extractall(task_root)
    template = json.loads((out / "sam.json").read_text())
    functions = {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    runtime = pip_target("lambda-runtime", [f"boto3=={version('boto3')}"])
    return Package(task_root, runtime, functions)


def _clean_env() -> dict[str, str]:
    """This process's environment without its AWS endpoint or credentials."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}


def api_event(method: str, path: str, body: Any = None, token: str | None = None) -> dict:
    """An API Gateway REST proxy event, as the deployed API delivers a request."""
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Host": "abc123.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "package-test",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "httpMethod": method,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "package-test"},
            "path": f"/api{path}",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "resourcePath": path,
            "stage": "api",
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def scheduled_event(rule: str) -> dict:
    """What EventBridge sends a function on its schedule."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:123456789012:rule/{rule}"],
        "detail": {},
    }


def body_of(response: dict) -> Any:
    return json.loads(response["body"]) if response.get("body") else None


@dataclass(frozen=True)
class Deployed:
    moto_url: str
    settings: dict[str, str]
    package: Package
    scratch: Path

    def run(self, function: dict[str, Any], events: list[dict], name: str) -> list[Any]:
        """One cold start of `function` from the zip, then each event; returns the responses."""
        env = lambda_environment(
            self.moto_url,
            self.scratch / name,
            f"oneway-{STAGE}-{name}",
            int(function.get("MemorySize", 512)),
            self.package.task_root,
        )
        # The template's variables (.chalice/config.json), then the deployment's resources.
        env |= function.get("Environment", {}).get("Variables", {})
        env |= {k: v for k, v in self.settings.items() if not k.endswith("_DLQ_URL")}
        invocation = invoke(
            [self.package.task_root, self.package.runtime],
            function["Handler"],
            events,
            env,
            scratch=self.scratch / name,
            memory_mb=int(function.get("MemorySize", 512)),
            timeout_s=int(function.get("Timeout", 30)),
        )
        assert invocation.absent == {"pytest": True, "moto": True}
        assert invocation.loaded_from_elsewhere == []
        return invocation.responses()


@pytest.fixture(scope="module")
def deployed(moto_url: str, package: Package, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    settings = provision(moto_url, "api-zip")
    return Deployed(moto_url, settings, package, tmp_path_factory.mktemp("api-run"))


def test_the_api_answers_health_and_signs_a_company_up(deployed: Deployed) -> None:
    api = deployed.package.function(None)
    health, signed_up = deployed.run(
        api,
        [
            api_event("GET", "/health"),
            api_event(
                "POST",
                "/auth/signup",
                {
                    "company_name": "Zip Check",
                    "name": "Robin",
                    "email": EMAIL,
                    "password": PASSWORD,
                },
            ),
        ],
        "api-signup",
    )
    assert health["statusCode"] == 200
    assert body_of(health) == {"status": "ok"}
    assert signed_up["statusCode"] == 200, signed_up
    assert body_of(signed_up)["tokens"]["id_token"]


def _signed_up(deployed: Deployed) -> Any:
    """A company and its admin, signed up in this process (the tokens come from Cognito)."""
    from chalicelib.domain import identity

    with talking_to(deployed.moto_url, deployed.settings):
        return identity.sign_up(
            "Zip Sweep", "Sam", f"sam-{uuid.uuid4().hex[:8]}@example.com", PASSWORD
        )


def test_authenticated_routes_verify_a_cognito_token(deployed: Deployed) -> None:
    signed = _signed_up(deployed)
    token = signed.tokens.id_token
    me, anonymous, created = deployed.run(
        deployed.package.function(None),
        [
            api_event("GET", "/me", token=token),
            api_event("GET", "/me"),
            api_event("POST", "/webhooks", {"url": HOOK_URL, "events": ["answer.failed"]}, token),
        ],
        "api-auth",
    )
    assert me["statusCode"] == 200, me
    assert body_of(me)["company"]["company_id"] == signed.company.company_id
    assert anonymous["statusCode"] == 401
    assert body_of(anonymous)["error"]
    assert created["statusCode"] == 201, created
    assert body_of(created)["url"] == HOOK_URL


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A webhook endpoint on loopback; yields its URL and the POSTs it received."""
    received: list[dict[str, Any]] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            headers = {name.lower(): value for name, value in self.headers.items()}
            received.append({"headers": headers, "body": self.rfile.read(length)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hooks/oneway", received
    server.shutdown()


def test_the_sweep_fails_a_stuck_answer_and_the_webhook_function_delivers_it(
    deployed: Deployed, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    from chalicelib.data.models import Answer, utcnow
    from chalicelib.domain import answer_lifecycle, webhooks
    from chalicelib.domain.auth import Principal, Role

    hook_url, received = receiver
    signed = _signed_up(deployed)
    company_id = signed.company.company_id
    with talking_to(deployed.moto_url, deployed.settings):
        recruiter = signed.recruiter
        admin = Principal(company_id, recruiter.user_id, recruiter.email, Role.ADMIN)
        _, secret = webhooks.create(admin, hook_url, ["answer.failed"])
        # An answer a worker took three hours ago and never finished.
        answer = Answer(
            *Answer.key(company_id, "INVITATION1", "QUESTION1", 1),
            company_id=company_id,
            interview_id="INTERVIEW1",
            invitation_id="INVITATION1",
            question_id="QUESTION1",
            attempt=1,
            answer_type="video",
            status="uploaded",
        )
        answer.save()
        assert answer_lifecycle.start_processing(
            answer, redelivery=False, now=utcnow() - timedelta(hours=3)
        )

    sweep = deployed.package.function("Schedule")
    (summary,) = deployed.run(sweep, [scheduled_event("oneway-reminder-sweep")], "sweep")
    assert summary["source"] == "aws.events"
    assert summary["stuck_answers_failed"] == 1

    queue_url = deployed.settings["WEBHOOKS_QUEUE_URL"]
    with talking_to(deployed.moto_url, deployed.settings):
        answer.refresh()
        messages = drain(queue_url, 1)
    assert answer.status == "failed"
    queued = [json.loads(m["Body"]) for m in messages]
    assert [(q["company_id"], q["payload"]["event"]) for q in queued] == [
        (company_id, "answer.failed")
    ]
    assert queued[0]["payload"]["data"]["question_id"] == "QUESTION1"

    # The queue's consumer, from the same zip, POSTs the event to the company's endpoint.
    delivery = deployed.package.function("SQS", "app.webhook_delivery")
    deployed.run(delivery, [sqs_event(messages, queue_url)], "webhook-delivery")
    (post,) = received
    assert post["headers"]["x-oneway-event"] == "answer.failed"
    signature = post["headers"][webhooks.SIGNATURE_HEADER.lower()]
    assert webhooks.verify(secret, signature, post["body"])
    assert json.loads(post["body"])["data"]["question_id"] == "QUESTION1"


def routed(event: dict, resource: str, **parameters: str) -> dict:
    """An API event for a route with path parameters, as API Gateway names its resource."""
    event["resource"] = event["requestContext"]["resourcePath"] = resource
    event["pathParameters"] = parameters
    return event


def test_the_job_function_from_the_zip_invites_a_csv_the_api_queued(deployed: Deployed) -> None:
    signed = _signed_up(deployed)
    token = signed.tokens.id_token
    api = deployed.package.function(None)
    interview = {"title": "Zip Jobs", "questions": [{"text": "Why here?"}]}
    (created,) = deployed.run(api, [api_event("POST", "/interviews", interview, token)], "api-j1")
    interview_id = body_of(created)["interview_id"]
    csv_text = "Ann,ann@example.com\nBroken,not-an-email\nBo,bo@example.com"
    start = routed(
        api_event("POST", f"/interviews/{interview_id}/invitation-jobs", {"csv": csv_text}, token),
        "/interviews/{interview_id}/invitation-jobs",
        interview_id=interview_id,
    )
    (started,) = deployed.run(api, [start], "api-j2")
    assert started["statusCode"] == 202, started
    job_id = body_of(started)["job_id"]

    queue_url = deployed.settings["JOBS_QUEUE_URL"]
    with talking_to(deployed.moto_url, deployed.settings):
        messages = drain(queue_url, 1)
    runner = deployed.package.function("SQS", "app.job_runner")
    assert int(runner["Timeout"]) == 300
    deployed.run(runner, [sqs_event(messages, queue_url)], "job-runner")

    poll = routed(api_event("GET", f"/jobs/{job_id}", token=token), "/jobs/{job_id}", job_id=job_id)
    (status,) = deployed.run(api, [poll], "api-j3")
    job = body_of(status)
    assert job["status"] == "done", job
    assert job["report"]["summary"] == {"invited": 2, "duplicates": 0, "errors": 1}
