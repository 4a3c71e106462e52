"""The page cursor: DynamoDB's last evaluated key, opaque to clients, checked on the way back.

A client gets `next_cursor` with a page and passes it back for the next one. The cursor is
url-safe base64 of the key's string attributes, so clients cannot depend on its contents. On
the way back it must decode to exactly the key attributes the query uses, with the query's
own partition: a cursor edited to name another company's partition is refused (400), never
used as a start key.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from chalicelib.domain.errors import BadRequest

MAX_LENGTH = 2048
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")

StartKey = dict[str, dict[str, str]]


def encode(last_evaluated_key: Mapping[str, Any] | None) -> str | None:
    """The cursor for the page after the one that ended at `last_evaluated_key` (None: no more)."""
    if not last_evaluated_key:
        return None
    plain = {name: value["S"] for name, value in sorted(last_evaluated_key.items())}
    raw = json.dumps(plain, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(
    cursor: str | None,
    *,
    attributes: Iterable[str],
    fixed: Mapping[str, str] | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> StartKey | None:
    """The start key a cursor stands for, or None for the first page.

    `attributes` are the key attributes of the queried table or index (all required, no
    others); `fixed` the values the query itself pins (its partition); `prefixes` the start
    each other attribute must have. Anything else is a 400 naming the cursor.
    """
    if not cursor:
        return None
    names = set(attributes)
    plain = _plain(cursor)
    if set(plain) != names or not all(isinstance(v, str) and v for v in plain.values()):
        raise _bad("it does not name this list's keys")
    for name, value in (fixed or {}).items():
        if plain[name] != value:
            raise _bad("it belongs to a different list")
    for name, prefix in (prefixes or {}).items():
        if not plain[name].startswith(prefix):
            raise _bad("it belongs to a different list")
    return {name: {"S": value} for name, value in plain.items()}


def _plain(cursor: str) -> dict[str, Any]:
    if len(cursor) > MAX_LENGTH or not _ALPHABET.fullmatch(cursor):
        raise _bad("it is not a cursor this service issued")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = json.loads(raw)
    except (binascii.Error, ValueError):
        raise _bad("it is not a cursor this service issued") from None
    if not isinstance(plain, dict):
        raise _bad("it is not a cursor this service issued")
    return plain


def _bad(problem: str) -> BadRequest:
    return BadRequest(
        "The cursor is not valid: pass back the next_cursor of the previous page unchanged.",
        details=[{"field": "cursor", "problem": "invalid", "message": problem}],
    )
