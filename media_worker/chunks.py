"""The recorded chunks of an answer or a question video: fetched exactly as finalise saw them.

Both kinds of upload arrive the same way (1 s chunks by presigned POST, then a manifest), so
the worker fetches and clears them in one way: each chunk by the ETag and size finalise
recorded, in parallel (latency dominates), never more bytes than the upload's bound.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.data.media_layout import chunk_name

MISSING_CHUNK_MESSAGE = "Part of your recording did not reach us. Please record this answer again."
CHANGED_CHUNK_MESSAGE = (
    "Part of your recording changed after it was sent. Please record this answer again."
)
TOO_LARGE_MESSAGE = "This recording is larger than the question allows. Please record it again."
_READ_BYTES = 1024 * 1024
_FETCH_THREADS = 8


@lru_cache(maxsize=1)
def s3() -> Any:
    """Created on first use so tests' moto mocks and the local endpoint apply."""
    return boto3.session.Session().client(
        "s3", config=Config(signature_version="s3v4", retries={"mode": "standard"})
    )


class ChunkRefused(Exception):
    """A chunk that is not what finalise recorded, or more than the upload's bound."""

    def __init__(self, key: str, reason: str, candidate_message: str) -> None:
        super().__init__(key)
        self.key, self.reason, self.candidate_message = key, reason, candidate_message


def missing(key: str) -> ChunkRefused:
    return ChunkRefused(key, "missing_chunk", MISSING_CHUNK_MESSAGE)


def changed(key: str) -> ChunkRefused:
    return ChunkRefused(key, "changed_chunk", CHANGED_CHUNK_MESSAGE)


def too_large(key: str) -> ChunkRefused:
    return ChunkRefused(key, "too_large", TOO_LARGE_MESSAGE)


class _Budget:
    """Bytes still allowed for this upload, shared by the parallel downloads."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            self.left -= size
            return self.left >= 0


def fetch(
    bucket: str,
    keys: Sequence[str],
    workdir: Path,
    max_total_bytes: int,
    *,
    sizes: Sequence[int] | None = None,
    etags: Sequence[str] | None = None,
) -> list[Path]:
    """Download `keys` in order into `workdir`. With `sizes` and `etags` (what finalise
    recorded) each chunk must still be that object: one replaced afterwards is refused rather
    than slip in. Without them (answers finalised before they were recorded) the chunks are
    held to `max_total_bytes` as they stream in."""
    budget = _Budget(max_total_bytes)

    def one(index: int) -> Path:
        key = keys[index]
        path = workdir / chunk_name(index)
        request = {"Bucket": bucket, "Key": key}
        if etags is not None:
            request["IfMatch"] = f'"{etags[index]}"'
        try:
            reply = s3().get_object(**request)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("404", "NoSuchKey"):
                raise missing(key) from None
            if code in ("412", "PreconditionFailed"):
                raise changed(key) from None
            raise
        body = reply["Body"]
        try:
            length = int(reply.get("ContentLength", -1))
            if sizes is not None and length != sizes[index]:
                raise changed(key)
            if not budget.take(max(length, 0)):
                raise too_large(key)
            _stream(body, path, key, length)
        finally:
            body.close()
        return path

    with ThreadPoolExecutor(max_workers=_FETCH_THREADS) as pool:
        return list(pool.map(one, range(len(keys))))


def _stream(body: Any, path: Path, key: str, length: int) -> None:
    """Write a chunk's body to disk, never more bytes than its stated length."""
    written = 0
    with path.open("wb") as out:
        while block := body.read(_READ_BYTES):
            written += len(block)
            if written > length:
                raise changed(key)
            out.write(block)
    if written != length:
        raise changed(key)


def delete_prefix(bucket: str, prefix: str) -> None:
    """Every object under `prefix`: raw chunks and manifest once the result is stored or
    failed (a lifecycle expiry is the backstop)."""
    paginator = s3().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if objects:
            s3().delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
