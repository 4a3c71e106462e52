"""Company logos: uploaded from the console, checked by their bytes, served without sign-in.

The browser POSTs the image straight to S3 under a staging key (`media_layout.logo_upload_key`)
with a policy that fixes the key, the one content type it announced (PNG, JPEG or WebP: SVG is
refused, it can carry scripts) and at most 512 KB. Finalising reads the first bytes: only a
real PNG, JPEG or WebP is copied to `logos/` (with the type its bytes say) and becomes the
company's logo; anything else is deleted and refused with a 422 naming the problem.

The bucket stays private. The company's `logo_url` names the public logo route
(`/api/logos/<company>/<logo>` on the site's origin), which answers with a redirect to a
short-lived presigned GET: a stable URL that invitations snapshot and emails carry, while the
object itself is never public. A replaced logo's object is kept, so a candidate invited under
the old one still sees it.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from botocore.exceptions import ClientError

from chalicelib.adapters import uploads
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data import media_layout
from chalicelib.data.models import Company, new_id
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.observability import logger

MAX_BYTES = 512 * 1024
TYPES = ("image/png", "image/jpeg", "image/webp")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
MISSING_CODES = ("404", "NoSuchKey", "NotFound", "403", "AccessDenied")
# How long a browser may reuse the redirect: well within the presigned GET's own life.
REDIRECT_MAX_AGE = 60


@dataclass(frozen=True)
class LogoUpload:
    """Where the browser POSTs the logo, and the id to finalise it with."""

    logo_id: str
    grant: uploads.ObjectGrant


def _refuse(field: str, problem: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": field, "problem": problem, "message": message}])


def start_upload(company_id: str, content_type: str, size_bytes: int) -> LogoUpload:
    """A presigned POST for one logo image, after checking the type and size announced."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "image/svg+xml":
        raise _refuse(
            "content_type",
            "unsupported",
            "SVG logos are not accepted: an SVG file can carry scripts. "
            "Choose a PNG, JPEG or WebP image.",
        )
    if kind not in TYPES:
        raise _refuse(
            "content_type", "unsupported", "Choose a PNG, JPEG or WebP image for the logo."
        )
    if size_bytes > MAX_BYTES:
        raise _refuse("size_bytes", "too_large", _too_large(size_bytes))
    logo_id = new_id()
    key = media_layout.logo_upload_key(company_id, logo_id)
    return LogoUpload(logo_id, uploads.image_grant(key, kind, MAX_BYTES))


def _too_large(size: int) -> str:
    return (
        f"This image is {(size + 1023) // 1024} KB; a logo may be at most "
        f"{MAX_BYTES // 1024} KB. Choose a smaller image."
    )


def image_type(head: bytes) -> str | None:
    """The image type the file's first bytes say (its magic number), or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def finalise(company_id: str, logo_id: str) -> Company:
    """Check the uploaded image's bytes, then make it the company's logo (retry-safe)."""
    if not _ID.match(logo_id):
        raise NotFound("This logo upload was not found.")
    s3, bucket = client("s3"), get_settings().media_bucket
    staged = media_layout.logo_upload_key(company_id, logo_id)
    final = media_layout.logo_key(company_id, logo_id)
    company = Company.get(*Company.key(company_id))
    if company.logo_key == final:
        return company  # a retried finalise: already the logo
    try:
        head = s3.get_object(Bucket=bucket, Key=staged, Range="bytes=0-31")
    except ClientError as error:
        # Without s3:ListBucket on this prefix, S3 answers a missing key with 403, not 404.
        if error.response.get("Error", {}).get("Code") in MISSING_CODES:
            raise _refuse(
                "logo_id", "missing", "The logo did not reach us. Please choose it again."
            ) from None
        raise
    size = _total_size(head)
    kind = image_type(head["Body"].read())
    problem = None
    if size > MAX_BYTES:
        problem = _refuse("logo_id", "too_large", _too_large(size))
    elif kind is None:
        problem = _refuse(
            "logo_id",
            "not_an_image",
            "This file is not a PNG, JPEG or WebP image. Choose a logo image in one of "
            "these formats.",
        )
    if problem is not None:
        s3.delete_object(Bucket=bucket, Key=staged)
        raise problem
    s3.copy_object(
        Bucket=bucket,
        Key=final,
        CopySource={"Bucket": bucket, "Key": staged},
        ContentType=kind,
        ContentDisposition="inline",
        MetadataDirective="REPLACE",
    )
    with contextlib.suppress(ClientError):
        s3.delete_object(Bucket=bucket, Key=staged)
    url = f"{get_settings().public_site_url.rstrip('/')}/api/logos/{company_id}/{logo_id}"
    company.update(
        actions=[Company.logo_key.set(final), Company.logo_url.set(url)],
        condition=Company.pk.exists(),
    )
    logger.info("logo stored", extra={"logo_id": logo_id, "content_type": kind, "bytes": size})
    return company


def _total_size(head: dict) -> int:
    """The whole object's size from a ranged GET (`Content-Range: bytes 0-31/<size>`)."""
    content_range = head.get("ContentRange") or ""
    if "/" in content_range:
        with contextlib.suppress(ValueError):
            return int(content_range.rsplit("/", 1)[1])
    return int(head.get("ContentLength", 0))


def remove(company_id: str) -> Company:
    """No logo any more; its object stays for invitations that show it."""
    company = Company.get(*Company.key(company_id))
    company.update(
        actions=[Company.logo_key.remove(), Company.logo_url.remove()],
        condition=Company.pk.exists(),
    )
    return company


def public_url(company_id: str, logo_id: str) -> str:
    """A short-lived presigned GET of a checked logo (only `logos/` keys are ever served)."""
    if not (_ID.match(company_id) and _ID.match(logo_id)):
        raise NotFound("Logo not found.")
    url = uploads.playback_url(media_layout.logo_key(company_id, logo_id))
    if url is None:
        raise NotFound("Logo not found.")
    return url
