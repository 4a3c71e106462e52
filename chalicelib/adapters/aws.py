"""Lazily created, cached boto3 clients.

Created on first use, not at import, so a test's moto mock is active before any client
exists, and warm Lambda invocations reuse the same connection pool. The endpoint comes from
boto3's own `AWS_ENDPOINT_URL` handling, so the local stack only sets environment variables.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_RETRIES = {"max_attempts": 4, "mode": "standard"}


@cache
def client(service: str) -> Any:
    """A shared client for `service`; S3 signs with SigV4 so browsers can use presigned URLs."""
    if service == "s3":
        config = Config(signature_version="s3v4", retries=_RETRIES)
    else:
        config = Config(retries=_RETRIES)
    return boto3.session.Session().client(service, config=config)


def reset_clients() -> None:
    """Forget cached clients (tests and the local stack point them at a new endpoint)."""
    client.cache_clear()
