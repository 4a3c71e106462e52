"""Transactions on the table through PynamoDB's public `Connection`, one per process.

A `TransactWrite` needs a connection; building a fresh one per call would build a new
botocore session and client each time, so the process keeps one, made on first use (after a
test's moto mock has started) with the same region and endpoint as the models.
"""

from __future__ import annotations

import functools

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from chalicelib.data.models import Item


@functools.cache
def connection() -> Connection:
    """The process's table connection for transactions (region and host as the models')."""
    meta = Item.Meta
    return Connection(
        region=meta.region,
        host=meta.host,
        connect_timeout_seconds=meta.connect_timeout_seconds,
        read_timeout_seconds=meta.read_timeout_seconds,
        max_retry_attempts=meta.max_retry_attempts,
        max_pool_connections=meta.max_pool_connections,
        extra_headers=meta.extra_headers,
    )


def transact_write() -> TransactWrite:
    """A write transaction: all its saves, updates and condition checks succeed, or none."""
    return TransactWrite(connection=connection())
