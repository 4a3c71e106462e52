"""The local stack's one origin: `/api/*` is the Chalice app, the rest the static sites.

As CloudFront routes it in AWS (`infra/stacks/site.py`); `/dev/outbox` adds what only a
developer needs, the email the product sent, read back from moto.
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]
STATIC_ROOT = ROOT / "static_site"
API_PREFIX = "/api"
LINK = re.compile(r"https?://[^\s\"'<>]+")


def make_handler(stack: LocalStack) -> type:
    """Chalice's local request handler, with the site's routing in front of it."""
    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, LocalGateway

    import app as app_module

    config = Config.create(
        chalice_stage="dev", app_name="oneway", lambda_timeout=30, lambda_memory_size=512
    )
    gateway = LocalGateway(app_module.app, config)
    # Chalice keeps the request being handled in one attribute of the app (`current_request`),
    # as Lambda runs one request per container at a time; handled in parallel threads, one
    # request can read another's headers and body (a candidate's token). So API requests
    # take turns (`stack.serial`), like one warm container.
    api_turn: Any = threading.Lock() if stack.serial else contextlib.nullcontext()

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
                with api_turn:
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


def sent_mail(region: str) -> list[dict[str, Any]]:
    """Sent email as moto recorded it, with the links found in each message.

    Read from the SES backend of the moto server this process runs, not from
    `/moto-api/data.json`: that serialises every service's state (slow on a busy stack) and
    moto fails it outright once any object was stored in a multipart upload, which the worker
    does for every answer of more than a few megabytes.
    """
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    messages = []
    for message in list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages):
        body = getattr(message, "body", None) or getattr(message, "raw_data", "") or ""
        text = body if isinstance(body, str) else json.dumps(body)
        destinations = getattr(message, "destinations", None) or {}
        to = destinations.get("ToAddresses", []) if isinstance(destinations, dict) else destinations
        messages.append(
            {
                "id": getattr(message, "id", ""),
                "from": getattr(message, "source", ""),
                "to": list(to),
                "subject": getattr(message, "subject", ""),
                "text": text,
                "links": list(dict.fromkeys(LINK.findall(html.unescape(text)))),
            }
        )
    return messages


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
