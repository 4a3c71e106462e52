"""Helpers for integration tests: JSON calls through the Chalice test client, sent mail."""

from __future__ import annotations

import json
from typing import Any

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
