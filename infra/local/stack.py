"""The whole product on one machine, no AWS account: `python -m infra.local` (`make dev`).

A moto server stands in for S3, SQS, DynamoDB, SES and Cognito; the API and the static
sites share one origin (`/api/*` is the Chalice app, as CloudFront routes it in AWS); a
poller hands S3 upload events from SQS to the media worker's handler, and a timer runs the
reminder sweep, because moto fires neither S3→Lambda nor schedules.
"""

from __future__ import annotations

import argparse
import errno
import html
import json
import logging
import mimetypes
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
STATIC_ROOT = ROOT / "static_site"
REGION = "us-east-1"
SENDER = "interviews@example.com"
DEMO_EMAIL = "admin@example.com"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - local demo account, printed on start
API_PREFIX = "/api"


class PortBusy(SystemExit):
    pass


def ensure_free(host: str, port: int, what: str, flag: str) -> None:
    """Fail early, in words, when a port is taken (a second `make dev`, say)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: a port left in TIME_WAIT by a stack just stopped is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                print(
                    f"error: port {port} on {host} ({what}) is already in use. Stop whatever "
                    f"holds it (another `make dev`?) or pick another port with {flag}.",
                    file=sys.stderr,
                )
                raise PortBusy(2) from None
            raise


def lambda_context(function_name: str) -> Any:
    from chalice.local import LambdaContext

    return LambdaContext(function_name=function_name, memory_size=1024)


# --- the one origin: API + static sites + dev outbox ---------------------------------------


def make_handler(stack: LocalStack) -> type:
    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, LocalGateway

    import app as app_module

    config = Config.create(
        chalice_stage="dev", app_name="oneway", lambda_timeout=30, lambda_memory_size=512
    )
    gateway = LocalGateway(app_module.app, config)

    class Handler(ChaliceRequestHandler):
        server_version = "oneway-local"

        def __init__(self, request: Any, client_address: Any, server: Any) -> None:
            self.local_gateway = gateway
            super(ChaliceRequestHandler, self).__init__(request, client_address, server)

        def log_message(self, format: str, *args: Any) -> None:
            if stack.verbose:
                super().log_message(format, *args)

        def _generic_handle(self) -> None:
            path = urlsplit(self.path).path
            if path == API_PREFIX or path.startswith(API_PREFIX + "/"):
                self.path = self.path[len(API_PREFIX) :] or "/"
                super()._generic_handle()
            elif path in ("/dev/outbox", "/dev/outbox/"):
                self._send(200, "text/html; charset=utf-8", outbox_page(stack).encode())
            elif path == "/dev/outbox.json":
                self._send(200, "application/json", json.dumps(stack.outbox()).encode())
            elif path == "/":
                self.send_response(302)
                self.send_header("Location", "/console/")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.command in ("GET", "HEAD"):
                self._static(path)
            else:
                self._send(405, "text/plain", b"Method not allowed")

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _static(self, path: str) -> None:
            target = (STATIC_ROOT / path.lstrip("/")).resolve()
            if not target.is_relative_to(STATIC_ROOT):
                self._send(404, "text/plain", b"Not found")
                return
            if target.is_dir():
                if not path.endswith("/"):
                    self.send_response(301)
                    self.send_header("Location", path + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = target / "index.html"
            if not target.is_file():
                self._send(404, "text/plain", b"Not found")
                return
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith("javascript"):
                content_type += "; charset=utf-8"
            self._send(200, content_type, target.read_bytes())

    return Handler


LINK = re.compile(r"https?://[^\s\"'<>]+")


def outbox_page(stack: LocalStack) -> str:
    """Every email the product sent, newest first, with its links clickable."""
    rows = []
    for message in reversed(stack.outbox()):
        links = "".join(
            f'<li><a href="{html.escape(link)}">{html.escape(link)}</a></li>'
            for link in message["links"]
        )
        rows.append(
            "<article>"
            f"<h2>{html.escape(message['subject'])}</h2>"
            f"<p class=meta>To {html.escape(', '.join(message['to']))} · from "
            f"{html.escape(message['from'])}</p>"
            f"<ul>{links}</ul>"
            # The message renders in a sandbox: no scripts, no same-origin access.
            f"<iframe sandbox title='Message body' srcdoc=\"{html.escape(message['text'])}\" "
            "style='width:100%;height:320px;border:1px solid #d0d7de'></iframe>"
            "</article>"
        )
    body = "".join(rows) or "<p>No email sent yet.</p>"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        "<title>Local outbox</title><link rel=stylesheet href='/shared/base.css'></head>"
        f"<body><main class=page><h1>Local outbox</h1><p>{len(rows)} message(s) sent by the "
        f"local stack. Nothing leaves this machine.</p>{body}</main></body></html>"
    )


# --- background loops --------------------------------------------------------------------


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as Lambda's event source mapping delivers it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def batches(stack: LocalStack, queue_url: str, size: int) -> Iterator[list[dict[str, Any]]]:
    """Long-poll a queue until the stack stops, yielding each non-empty batch of messages."""
    from chalicelib.adapters.aws import client

    sqs = client("sqs")
    while not stack.stopping.is_set():
        try:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=size,
                WaitTimeSeconds=1,
                AttributeNames=["All"],
            ).get("Messages", [])
        except Exception:
            if stack.stopping.is_set():
                return  # the moto server is going away at shutdown
            raise
        if messages:
            yield messages


def poll_uploads(stack: LocalStack) -> None:
    """Hand S3 upload events to the media worker, deleting what it processed."""
    from chalicelib.adapters.aws import client
    from infra.provision import queue_arn_of
    from media_worker import handler as worker

    sqs = client("sqs")
    queue_url = stack.settings["UPLOADS_QUEUE_URL"]
    queue_arn = queue_arn_of(queue_url)
    for messages in batches(stack, queue_url, 10):
        event = {"Records": [sqs_record(m, queue_arn) for m in messages]}
        result = worker.handler(event, lambda_context("media-worker"))
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] in failed:
                # Lambda would wait out the visibility timeout; locally retry sooner.
                sqs.change_message_visibility(
                    QueueUrl=queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=stack.retry_seconds,
                )
            else:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        stack.worker_batches += 1


def poll_webhooks(stack: LocalStack) -> None:
    """Hand queued webhook events to the Chalice SQS handler; a failure waits for SQS."""
    import app as app_module
    from chalicelib.adapters.aws import client
    from chalicelib.domain.webhooks import DeliveryFailed
    from infra.provision import queue_arn_of

    sqs = client("sqs")
    queue_url = stack.settings["WEBHOOKS_QUEUE_URL"]
    queue_arn = queue_arn_of(queue_url)
    for messages in batches(stack, queue_url, 1):
        for message in messages:
            event = {"Records": [sqs_record(message, queue_arn)]}
            try:
                app_module.webhook_delivery(event, lambda_context("webhook-delivery"))
            except DeliveryFailed:
                continue  # the handler set the retry's delay; SQS redelivers, then its DLQ
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def run_sweeps(stack: LocalStack) -> None:
    """Fire the scheduled reminder sweep on a timer, through the same Chalice handler."""
    import app as app_module

    while not stack.stopping.wait(stack.sweep_seconds):
        event = {
            "version": "0",
            "id": "local",
            "detail-type": "Scheduled Event",
            "source": "local.timer",
            "account": "123456789012",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": REGION,
            "resources": [],
            "detail": {},
        }
        app_module.reminder_sweep(event, lambda_context("reminder-sweep"))
        stack.sweeps += 1


# --- the stack ---------------------------------------------------------------------------


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 5005
    sweep_seconds: float = 60.0
    retry_seconds: int = 5
    verbose: bool = False
    settings: dict[str, str] = field(default_factory=dict)
    demo: dict[str, str] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)
    worker_batches: int = 0
    sweeps: int = 0

    @property
    def site_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    def start(self) -> None:
        ensure_free(self.host, self.port, "site and API", "--port or ONEWAY_PORT")
        ensure_free(self.host, self.moto_port, "local AWS", "--moto-port or ONEWAY_MOTO_PORT")
        self._start_moto()
        self._provision()
        self._seed()
        self._serve()

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        # moto's werkzeug logs every AWS call; keep the terminal for what a developer needs.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.moto_url,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "POWERTOOLS_SERVICE_NAME": "oneway",
                "POWERTOOLS_METRICS_NAMESPACE": "Oneway",
                "POWERTOOLS_DEV": os.environ.get("POWERTOOLS_DEV", "false"),
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.moto_port, verbose=False)
        self._moto.start()

    def _provision(self) -> None:
        from chalicelib.adapters.aws import reset_clients
        from chalicelib.config import reset_settings
        from infra import provision

        reset_clients()
        self.settings = {
            "STAGE": "local",
            # moto signs like Cognito (the AWS issuer) but serves the keys itself.
            **provision.provision_all(
                provision.Names(),
                self.site_url,
                SENDER,
                jwks_url=f"{self.moto_url}/{{pool_id}}/.well-known/jwks.json",
            ),
        }
        os.environ.update(self.settings)
        reset_settings()

    def _seed(self) -> None:
        """A demo company, its admin, a sample interview and one invited candidate."""
        from chalicelib.domain import identity, interviews, invitations

        signed_up = identity.sign_up("Demo Company", "Dana Admin", DEMO_EMAIL, DEMO_PASSWORD)
        identity.update_company(signed_up["company"]["company_id"], None, "#0b5cad", None)
        company = identity.get_company(signed_up["company"]["company_id"])
        interview = interviews.create_interview(
            company.company_id,
            "Customer Support Specialist",
            [
                {
                    "text": "Tell us about yourself and why this role interests you.",
                    "think_seconds": 30,
                    "max_answer_seconds": 120,
                    "retakes": 2,
                },
                {
                    "text": "Describe a time you turned an unhappy customer around.",
                    "think_seconds": 60,
                    "max_answer_seconds": 180,
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
            created_by=signed_up["recruiter"]["user_id"],
            rubric=[
                {
                    "name": "Communication",
                    "anchors": [
                        "Hard to follow",
                        "Understandable with effort",
                        "Clear",
                        "Clear and engaging",
                        "Exceptionally clear and persuasive",
                    ],
                },
                {
                    "name": "Customer empathy",
                    "anchors": [
                        "No sign of it",
                        "Mentions the customer",
                        "Puts the customer first",
                        "Shows real understanding",
                        "Turns customers into fans",
                    ],
                },
            ],
            role_description="Help our customers succeed, by email and chat.",
            intro="Thanks for your interest! This takes about 15 minutes.",
            outro="Thank you. We will be in touch within a week.",
            support_contact="hiring@example.com",
        )
        interview = interviews.set_apply_link(company.company_id, interview.interview_id, True, 50)
        invitation, token = invitations.create_invitation(
            company, interview, "Sam Candidate", "sam@example.com"
        )
        invitations.send_invitation_email(invitation, token)
        self.demo = {
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "company_id": company.company_id,
            "interview_id": interview.interview_id,
            "candidate_link": invitations.candidate_link(token),
            "apply_link": interviews.interview_view(interview)["apply"]["url"],
        }

    def _serve(self) -> None:
        self._httpd = ThreadingHTTPServer((self.host, self.port), make_handler(self))
        self._httpd.daemon_threads = True
        self._threads = [
            threading.Thread(target=self._httpd.serve_forever, name="site", daemon=True),
            threading.Thread(target=poll_uploads, args=(self,), name="uploads", daemon=True),
            threading.Thread(target=run_sweeps, args=(self,), name="sweeps", daemon=True),
            threading.Thread(target=poll_webhooks, args=(self,), name="webhooks", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def outbox(self) -> list[dict[str, Any]]:
        """Sent email as moto recorded it, with the links found in each message."""
        with urllib.request.urlopen(f"{self.moto_url}/moto-api/data.json", timeout=5) as reply:  # noqa: S310
            data = json.load(reply)
        messages = []
        for message in data.get("ses", {}).get("Message", []):
            body = message.get("body") or ""
            text = body if isinstance(body, str) else json.dumps(body)
            messages.append(
                {
                    "id": message.get("id", ""),
                    "from": message.get("source", ""),
                    "to": message.get("destinations", {}).get("ToAddresses", []),
                    "subject": message.get("subject", ""),
                    "text": text,
                    "links": list(dict.fromkeys(LINK.findall(html.unescape(text)))),
                }
            )
        return messages

    def stop(self) -> None:
        self.stopping.set()
        if hasattr(self, "_httpd"):
            self._httpd.shutdown()
            self._httpd.server_close()
        for thread in getattr(self, "_threads", []):
            thread.join(timeout=5)
        if hasattr(self, "_moto"):
            self._moto.stop()

    def banner(self) -> str:
        return "\n".join(
            [
                "",
                "oneway is running locally (no AWS account involved).",
                f"  Recruiter console  {self.site_url}/console/",
                f"  Demo login         {self.demo['email']} / {self.demo['password']}",
                f"  Candidate link     {self.demo['candidate_link']}",
                f"  Public apply link  {self.demo['apply_link']}",
                f"  Sent email         {self.site_url}/dev/outbox",
                f"  API                {self.site_url}{API_PREFIX}/health",
                f"  Local AWS (moto)   {self.moto_url}",
                "Press Ctrl-C to stop.",
                "",
            ]
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("ONEWAY_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ONEWAY_PORT", "8000")))
    parser.add_argument(
        "--moto-port", type=int, default=int(os.environ.get("ONEWAY_MOTO_PORT", "5005"))
    )
    parser.add_argument(
        "--sweep-seconds", type=float, default=float(os.environ.get("ONEWAY_SWEEP_SECONDS", "60"))
    )
    parser.add_argument("--state-file", type=Path, help="write URLs and the demo login as JSON")
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    stack = LocalStack(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        sweep_seconds=args.sweep_seconds,
        verbose=args.verbose,
    )
    started = time.perf_counter()
    try:
        stack.start()
    except PortBusy as busy:
        return int(busy.code or 2)
    except BaseException:
        stack.stop()
        raise
    print(stack.banner(), flush=True)
    print(f"Ready in {time.perf_counter() - started:.1f} s", flush=True)
    if args.state_file:
        state = {
            "site_url": stack.site_url,
            "moto_url": stack.moto_url,
            **stack.demo,
            "settings": stack.settings,
        }
        # Written whole then renamed, so a reader never sees half a file.
        partial = args.state_file.with_suffix(".partial")
        partial.write_text(json.dumps(state, indent=2))
        partial.replace(args.state_file)

    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    done.wait()
    print("Stopping…", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
