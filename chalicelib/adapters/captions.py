"""WebVTT captions stored beside recorded answers: which exist, with short-lived links to them."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from chalicelib.adapters import uploads
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.data.media_layout import CAPTIONS_NAME


def captions_of(media_keys: Iterable[str | None]) -> dict[str, list[dict[str, str]]]:
    """media key → its captions `[{language, url}]`, by language; keys without any are left out.

    One listing under the answers' shared folder (one candidate's answers share their
    invitation's), not one request per answer, so a review page costs one S3 call more.
    """
    folders = {key.rsplit("/", 1)[0] + "/": key for key in media_keys if key}
    if not folders:
        return {}
    prefix = posixpath.commonpath(list(folders)) + "/"
    found: dict[str, list[dict[str, str]]] = {}
    pages = client("s3").get_paginator("list_objects_v2")
    for page in pages.paginate(Bucket=get_settings().media_bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            folder, name = item["Key"].rsplit("/", 1)
            match = CAPTIONS_NAME.fullmatch(name)
            media_key = folders.get(folder + "/")
            if match and media_key:
                url = uploads.playback_url(item["Key"])
                found.setdefault(media_key, []).append({"language": match["language"], "url": url})
    return {key: sorted(tracks, key=lambda t: t["language"]) for key, tracks in found.items()}
