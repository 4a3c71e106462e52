"""Browser POSTs judged as S3 judges them: moto stores any POST, real S3 checks its policy.

`s3_accepts` evaluates a presigned POST form the way S3 does (signature, expiration, every
condition, every field named); `post_chunk` stores a chunk in moto only when S3 would have
accepted it, so tests see what a candidate could really write with the grants they got.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
from datetime import UTC, datetime

import boto3

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import AttemptLocation


def _signing_key(secret: str, day: str, region: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _secret_key() -> str:
    """The secret the API signs with now (tests switch credentials between modules)."""
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    if secret:
        return secret
    return boto3.session.Session().get_credentials().get_frozen_credentials().secret_key


@functools.lru_cache(maxsize=4096)
def _verified_policy(policy_b64: str, signature: str, credential: str, secret: str) -> dict | None:
    """The decoded policy when its SigV4 signature is right (signed with these credentials)."""
    _, day, region, _, _ = credential.split("/")
    expected = hmac.new(
        _signing_key(secret, day, region), policy_b64.encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return None
    return json.loads(base64.b64decode(policy_b64))


def _meets(condition: list | dict, values: dict[str, str], size: int) -> bool:
    if isinstance(condition, dict):
        ((name, value),) = condition.items()
        return values.get(name.lower()) == value
    operator, *arguments = condition
    if operator == "content-length-range":
        low, high = arguments
        return low <= size <= high
    field, value = arguments
    actual = values.get(field.lstrip("$").lower())
    if operator == "eq":
        return actual == value
    return operator == "starts-with" and actual is not None and actual.startswith(value)


def _named(condition: list | dict) -> str | None:
    if isinstance(condition, dict):
        return next(iter(condition)).lower()
    return condition[1].lstrip("$").lower() if condition[0] != "content-length-range" else None


def s3_accepts(form: dict[str, str], size: int, bucket: str | None = None) -> bool:
    """Whether S3 would store a browser POST of `size` bytes with these form fields.

    As S3 evaluates a POST policy: the signature over the policy, the expiration, every
    condition met (exact values, `starts-with`, `content-length-range`), and every form
    field (but the policy, signature and file) named by a condition. `bucket`: the one the
    form is POSTed to (the media bucket).
    """
    if not all(form.get(name) for name in ("policy", "x-amz-signature", "key")):
        return False
    policy = _verified_policy(
        form["policy"], form["x-amz-signature"], form["x-amz-credential"], _secret_key()
    )
    if policy is None:
        return False
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    values = {name.lower(): value for name, value in form.items()}
    values["bucket"] = bucket or os.environ["MEDIA_BUCKET"]
    named = {"policy", "x-amz-signature", "file"} | {_named(c) for c in policy["conditions"]}
    return (
        datetime.now(UTC) < expiration
        and all(_meets(condition, values, size) for condition in policy["conditions"])
        and all(name in named for name in values if not name.startswith("x-ignore-"))
    )


def forms_for(view: dict, key: str) -> list[dict[str, str]]:
    """Every form the browser could build for `key` from one grant (as the API sends it):
    the common fields with each chunk's own fields (or none), and the key it wants."""
    own = [dict(fields) for fields in view.get("chunks", {}).values()] or [{}]
    return [{**view["fields"], **fields, "key": key} for fields in own]


def storable(views: list[dict], keys: list[str], sizes: list[int]) -> dict[str, int]:
    """Key → the largest object S3 would store there under any of these grants."""
    stored: dict[str, int] = {}
    for key in keys:
        for size in sorted(sizes, reverse=True):
            if any(s3_accepts(form, size) for view in views for form in forms_for(view, key)):
                stored[key] = size
                break
    return stored


def attack_keys(location: AttemptLocation, up_to: int) -> list[str]:
    """Chunk keys a candidate would try: every number up to `up_to`, other spellings, others."""
    keys = [location.chunk_key(index) for index in range(up_to)]
    keys += [location.chunk_key(0) + "x", location.chunk_key(1) + "0", location.chunk_prefix]
    keys += [location.chunk_prefix + "000001234567", location.manifest_key]
    other = AttemptLocation(
        location.company_id,
        location.interview_id,
        location.invitation_id,
        location.question_id,
        location.attempt % 999 + 1,
    )
    keys += [other.chunk_key(0)]
    return keys


def post_chunk(view: dict, key: str, data: bytes) -> int:
    """POST `data` at `key` with the grant's forms as a browser would: 204 when S3 stores it
    (and moto then holds it), 403 when S3 would refuse every form the grant offers."""
    bucket = os.environ["MEDIA_BUCKET"]
    if not any(s3_accepts(form, len(data), bucket) for form in forms_for(view, key)):
        return 403
    client("s3").put_object(
        Bucket=bucket, Key=key, Body=data, ContentType=view["fields"]["Content-Type"]
    )
    return 204
