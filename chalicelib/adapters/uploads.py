"""Browser uploads straight to S3: presigned POST grants, chunk checks, the worker's manifest.

A recording is uploaded while it is made, as numbered chunks under its attempt's prefix. A
grant covers a window of chunk numbers with one POST policy per chunk: each pins the exact
key (a `starts-with` prefix would admit any number of keys), the content type family and a
size limit, and expires within 15 minutes. Only chunk numbers below the answer's bound are
ever signed, each at most `max_chunk_bytes`, so one attempt never stores more than
`max_total_bytes` however often it asks (moto does not enforce policies: the tests decode
each policy and evaluate it as S3 does). The browser asks for the next window ahead of time
as recording goes on. Finalising records every chunk's size and ETag on the answer and writes
a manifest next to the chunks; the manifest, not the chunks, wakes the media worker, which
fetches exactly what finalise recorded. Key shapes come from `chalicelib.data.media_layout`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data.media_layout import (
    MAX_CHUNK_BYTES,
    AttemptLocation,
    QuestionVideoLocation,
    UploadBound,
    upload_bound,
)
from chalicelib.data.models import utcnow

__all__ = ["MAX_CHUNK_BYTES", "UploadBound", "upload_bound"]

# Where chunks are uploaded: an answer's attempt or a recruiter's question video.
ChunkedLocation = AttemptLocation | QuestionVideoLocation

# Chunk numbers per grant: half a minute of recording, about 60 KB of policies.
WINDOW_CHUNKS = 30
# The form fields that differ from chunk to chunk; the rest are the grant's `fields`.
_PER_CHUNK_FIELDS = ("key", "policy", "x-amz-signature")


class BeyondBound(ValueError):
    """A window that starts at or past the last chunk number the answer's bound allows."""


@dataclass(frozen=True)
class Grant:
    """Presigned POSTs for a window of an attempt's chunk numbers, first_chunk..end_chunk-1.

    `fields` are common to every chunk; `chunks[n]` adds chunk n's key, policy and signature.
    """

    url: str
    fields: dict[str, str]
    chunks: dict[int, dict[str, str]]
    key_prefix: str
    chunk_key_template: str
    first_chunk: int
    end_chunk: int
    max_chunks: int
    max_chunk_bytes: int
    max_total_bytes: int
    expires_at: str


def content_type_family(mime_type: str) -> str:
    return mime_type.split("/", 1)[0].strip().lower()


def max_total_bytes(answer_type: str, max_seconds: float) -> int:
    return upload_bound(answer_type, max_seconds).max_total_bytes


def grant(
    location: AttemptLocation,
    mime_type: str,
    answer_type: str,
    max_seconds: float,
    first_chunk: int = 0,
) -> Grant:
    """Presigned POSTs for the window of chunk numbers starting at `first_chunk`.

    Raises BeyondBound when the answer's bound allows no chunk numbered `first_chunk`.
    """
    return chunk_grant(location, mime_type, upload_bound(answer_type, max_seconds), first_chunk)


def chunk_grant(
    location: ChunkedLocation,
    mime_type: str,
    bound: UploadBound,
    first_chunk: int = 0,
) -> Grant:
    """`grant` for any chunked upload (an answer's attempt, a question video) and its bound."""
    settings = get_settings()
    if not 0 <= first_chunk < bound.max_chunks:
        raise BeyondBound(f"chunk {first_chunk} is beyond {bound.max_chunks} chunks")
    end_chunk = min(first_chunk + WINDOW_CHUNKS, bound.max_chunks)
    content_type = mime_type.split(";", 1)[0].strip().lower()
    family = content_type_family(content_type)
    ttl = settings.upload_url_ttl_seconds
    s3 = client("s3")
    url, signed = "", {}
    for index in range(first_chunk, end_chunk):
        # One exact key per policy: the browser can write these chunks and nothing else,
        # not the manifest, not a chunk past the bound, not any other name under the prefix.
        post = s3.generate_presigned_post(
            Bucket=settings.media_bucket,
            Key=location.chunk_key(index),
            Fields={"Content-Type": content_type},
            Conditions=[
                ["starts-with", "$Content-Type", f"{family}/"],
                ["content-length-range", 1, bound.max_chunk_bytes],
            ],
            ExpiresIn=ttl,
        )
        url, signed[index] = post["url"], dict(post["fields"])
    common, chunks = _split_fields(signed)
    return Grant(
        url=url,
        fields=common,
        chunks=chunks,
        key_prefix=location.raw_prefix,
        chunk_key_template=location.chunk_key_template,
        first_chunk=first_chunk,
        end_chunk=end_chunk,
        max_chunks=bound.max_chunks,
        max_chunk_bytes=bound.max_chunk_bytes,
        max_total_bytes=bound.max_total_bytes,
        expires_at=(utcnow() + timedelta(seconds=ttl)).isoformat(),
    )


def _split_fields(
    signed: dict[int, dict[str, str]],
) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """The form fields every chunk shares, and each chunk's own (its key, policy, signature,
    and a date when signing crossed a second)."""
    first = next(iter(signed.values()))
    common = {
        name: value
        for name, value in first.items()
        if name not in _PER_CHUNK_FIELDS
        and all(fields.get(name) == value for fields in signed.values())
    }
    chunks = {
        index: {name: value for name, value in fields.items() if name not in common}
        for index, fields in signed.items()
    }
    return common, chunks


@dataclass(frozen=True)
class ObjectGrant:
    """A presigned POST for one object at exactly its key; its fields include the key."""

    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: str


def _object_grant(
    key: str, content_type: str, type_condition: list | dict, max_bytes: int, ttl: int
) -> ObjectGrant:
    """One object at exactly `key`, 1..`max_bytes` bytes, with the given type condition."""
    post = client("s3").generate_presigned_post(
        Bucket=get_settings().media_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[type_condition, ["content-length-range", 1, max_bytes]],
        ExpiresIn=ttl,
    )
    return ObjectGrant(
        url=post["url"],
        fields=dict(post["fields"]),  # includes `key`; the browser adds the file last
        max_bytes=max_bytes,
        expires_at=(utcnow() + timedelta(seconds=ttl)).isoformat(),
    )


def image_grant(key: str, content_type: str, max_bytes: int) -> ObjectGrant:
    """A presigned POST for exactly `key`: this one content type, 1..`max_bytes` bytes, and
    expiring within the upload TTL (a company logo, checked again once it arrived)."""
    ttl = get_settings().upload_url_ttl_seconds
    return _object_grant(key, content_type, {"Content-Type": content_type}, max_bytes, ttl)


PROBE_CONTENT_TYPE = "application/octet-stream"


def probe_grant(key: str, max_bytes: int, ttl_seconds: int) -> ObjectGrant:
    """A presigned POST for exactly `key`, at most `max_bytes` of opaque bytes, briefly valid.

    The device check POSTs random bytes with it to time the candidate's uplink; the key lives
    under `probes/` (no worker wakes, a lifecycle rule deletes it a day later).
    """
    condition = {"Content-Type": PROBE_CONTENT_TYPE}
    return _object_grant(key, PROBE_CONTENT_TYPE, condition, max_bytes, ttl_seconds)


def object_exists(key: str) -> bool:
    try:
        client("s3").head_object(Bucket=get_settings().media_bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def playback_url(key: str | None) -> str | None:
    """A short-lived presigned GET for a private media object (None for no object)."""
    if not key:
        return None
    settings = get_settings()
    return client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": settings.media_bucket, "Key": key},
        ExpiresIn=settings.playback_url_ttl_seconds,
    )


@dataclass(frozen=True)
class StoredChunk:
    """One chunk object as S3 lists it: what finalise records for the worker to fetch."""

    index: int
    size: int
    etag: str


def chunk_objects(location: ChunkedLocation) -> dict[int, StoredChunk]:
    """Chunk index → size and ETag for every chunk object of the attempt."""
    settings = get_settings()
    found: dict[int, StoredChunk] = {}
    paginator = client("s3").get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=settings.media_bucket, Prefix=location.chunk_prefix):
        for item in page.get("Contents", []):
            index = location.chunk_index(item["Key"])
            if index is not None:
                found[index] = StoredChunk(index, int(item["Size"]), item["ETag"].strip('"'))
    return found


def stored_chunks(location: ChunkedLocation) -> dict[int, int]:
    """Chunk index → size for every chunk object of the attempt."""
    return {index: chunk.size for index, chunk in chunk_objects(location).items()}


def leading_chunks(location: ChunkedLocation, count: int) -> list[StoredChunk]:
    """Chunks 0..count-1 as stored now, up to the first missing one."""
    stored = chunk_objects(location)
    parts: list[StoredChunk] = []
    while len(parts) < count and len(parts) in stored:
        parts.append(stored[len(parts)])
    return parts


def write_manifest(location: AttemptLocation, chunks: int) -> str:
    """The object whose arrival tells the media worker an attempt is complete.

    Its key is the signal and its body is kept minimal on purpose: the worker locates the
    attempt from the key and reads what to expect (chunk count, answer type, length limit) from
    the answer item, which only the API writes, under a condition. The manifest could carry
    the same facts, but a second copy would be a second source of truth to keep in step; the
    body only records what finalise checked, for an operator looking at the bucket.
    """
    key = location.manifest_key
    body = {"question_id": location.question_id, "attempt": location.attempt, "chunks": chunks}
    client("s3").put_object(
        Bucket=get_settings().media_bucket,
        Key=key,
        Body=json.dumps(body).encode(),
        ContentType="application/json",
    )
    return key
