"""A complete, valid set of the Lambdas' environment variables, for tests to vary one at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from chalicelib.config import reset_settings

VALID = {
    "AWS_REGION": "eu-west-1",
    "TABLE_NAME": "t",
    "MEDIA_BUCKET": "b",
    "UPLOADS_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/q",
    "COGNITO_USER_POOL_ID": "eu-west-1_abc",
    "COGNITO_CLIENT_ID": "client",
    "PUBLIC_SITE_URL": "https://interviews.example.com/",
    "SENDER_EMAIL": "hiring@example.com",
}


@contextmanager
def valid_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The settings VALID describes, for the length of the block (read afresh after it)."""
    for key, value in VALID.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    try:
        yield
    finally:
        reset_settings()
