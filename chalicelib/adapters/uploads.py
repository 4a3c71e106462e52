"""Browser uploads straight to S3: presigned POST grants, chunk checks, the worker's manifest.

A recording is uploaded while it is made, as numbered chunks under its attempt's prefix. One
POST policy with a `starts-with` key condition serves every chunk of the attempt; it fixes the
prefix, the content type family and a size range, and expires within 15 minutes (moto does
not enforce policies, so the tests decode and check the policy itself). Finalising writes a
manifest next to the chunks; the manifest, not the chunks, is what wakes the media worker.
Key shapes come from `chalicelib.data.media_layout`; the grant hands the browser its
chunk-key template so the candidate site builds no key itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data.media_layout import AttemptLocation
from chalicelib.data.models import utcnow

# Generous upper bounds on what a browser records per second, so a long answer never hits the
# size limit while a runaway upload still does: 8 Mbit/s for video, 512 kbit/s for audio.
BYTES_PER_SECOND = {"video": 1_000_000, "audio": 64_000}
SLACK_BYTES = 5 * 1024 * 1024
MAX_CHUNK_BYTES = 50 * 1024 * 1024
MAX_QUESTION_VIDEO_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Grant:
    """A presigned POST for every chunk of one attempt (the browser names each chunk)."""

    url: str
    fields: dict[str, str]
    key_prefix: str
    chunk_key_template: str
    max_chunk_bytes: int
    max_total_bytes: int
    expires_at: str


def content_type_family(mime_type: str) -> str:
    return mime_type.split("/", 1)[0].strip().lower()


def max_total_bytes(answer_type: str, max_seconds: float) -> int:
    return int(BYTES_PER_SECOND[answer_type] * max_seconds) + SLACK_BYTES


def grant(location: AttemptLocation, mime_type: str, answer_type: str, max_seconds: float) -> Grant:
    """A presigned POST for every chunk of one attempt, and the template naming each chunk."""
    settings = get_settings()
    total = max_total_bytes(answer_type, max_seconds)
    per_chunk = min(total, MAX_CHUNK_BYTES)
    content_type = mime_type.split(";", 1)[0].strip().lower()
    family = content_type_family(content_type)
    ttl = settings.upload_url_ttl_seconds
    # Keys must start with `<prefix>chunk-`: the browser can add chunks but never write the
    # manifest or anything else beside them (boto3 turns `${filename}` into `starts-with`).
    post = client("s3").generate_presigned_post(
        Bucket=settings.media_bucket,
        Key=location.chunk_prefix + "${filename}",
        Fields={"Content-Type": content_type},
        Conditions=[
            ["starts-with", "$Content-Type", f"{family}/"],
            ["content-length-range", 1, per_chunk],
        ],
        ExpiresIn=ttl,
    )
    fields = dict(post["fields"])
    fields.pop("key", None)  # the browser sets key = chunk_key_template with its index
    return Grant(
        url=post["url"],
        fields=fields,
        key_prefix=location.raw_prefix,
        chunk_key_template=location.chunk_key_template,
        max_chunk_bytes=per_chunk,
        max_total_bytes=total,
        expires_at=(utcnow() + timedelta(seconds=ttl)).isoformat(),
    )


@dataclass(frozen=True)
class QuestionVideoGrant:
    """A presigned POST for one question video; its fields include the key."""

    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: str


def question_video_grant(key: str, content_type: str) -> QuestionVideoGrant:
    """A presigned POST for one recruiter-recorded question video at exactly `key`.

    The policy fixes the key, the `video/` content type family and at most 200 MB, and expires
    within 15 minutes. Keys (`media_layout.question_video_key`) live outside `raw/`, so no
    worker wakes up: the video is played as uploaded.
    """
    settings = get_settings()
    ttl = settings.upload_url_ttl_seconds
    post = client("s3").generate_presigned_post(
        Bucket=settings.media_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[
            ["starts-with", "$Content-Type", "video/"],
            ["content-length-range", 1, MAX_QUESTION_VIDEO_BYTES],
        ],
        ExpiresIn=ttl,
    )
    return QuestionVideoGrant(
        url=post["url"],
        fields=dict(post["fields"]),  # includes `key`; the browser adds the file last
        max_bytes=MAX_QUESTION_VIDEO_BYTES,
        expires_at=(utcnow() + timedelta(seconds=ttl)).isoformat(),
    )


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


def stored_chunks(location: AttemptLocation) -> dict[int, int]:
    """Chunk index → size for every chunk object of the attempt."""
    settings = get_settings()
    found: dict[int, int] = {}
    paginator = client("s3").get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=settings.media_bucket, Prefix=location.chunk_prefix):
        for item in page.get("Contents", []):
            index = location.chunk_index(item["Key"])
            if index is not None:
                found[index] = int(item["Size"])
    return found


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
