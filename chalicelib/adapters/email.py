"""Transactional email: Jinja2 templates rendered to HTML and text, sent through SES.

Templates autoescape HTML, so a candidate or company name can never inject markup; the
text part is rendered from its own template, not stripped from the HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.observability import logger

TEMPLATES = Path(__file__).parent / "templates" / "email"

# A support contact is an email address (it becomes the Reply-To) or an https URL (shown as a
# link), or empty. Nothing that could add a header or a second address: no spaces, commas,
# angle brackets or quotes. The API publishes and enforces this same pattern.
_EMAIL = (
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.[A-Za-z]{2,63}"
)
_HTTPS_URL = r"https://[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?(?:[/?#][^\s<>\"]{0,180})?"
SUPPORT_CONTACT_PATTERN = f"^(?:{_EMAIL}|{_HTTPS_URL})?$"


@lru_cache(maxsize=1)
def _environment() -> Any:
    # jinja2 costs ~0.25 s to import: only the requests that send an email pay for it.
    from jinja2 import (  # noqa: PLC0415
        Environment,
        FileSystemLoader,
        StrictUndefined,
        select_autoescape,
    )

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    html: str
    text: str


def render(template: str, to: str, **context: Any) -> Email:
    """Render `<template>.subject.txt`, `.html` and `.txt` with the same context."""
    env = _environment()
    subject = env.get_template(f"{template}.subject.txt").render(**context).strip()
    html = env.get_template(f"{template}.html").render(**context)
    text = env.get_template(f"{template}.txt").render(**context)
    return Email(to=to, subject=" ".join(subject.split()), html=html, text=text)


def contact_kind(value: str | None) -> str | None:
    """What a support contact is: "email", "url", or None (empty, or neither)."""
    if not value:
        return None
    if re.fullmatch(_EMAIL, value):
        return "email"
    if re.fullmatch(_HTTPS_URL, value):
        return "url"
    return None


def send(email: Email, reply_to: str | None = None) -> str:
    """Send through SES; returns the SES message id.

    `reply_to` (a support contact) becomes the Reply-To only when it is an email address:
    a URL, or anything stored before contacts were checked, is left out of the headers.
    """
    settings = get_settings()
    kwargs: dict[str, Any] = {}
    if contact_kind(reply_to) == "email":
        kwargs["ReplyToAddresses"] = [reply_to]
    elif reply_to:
        logger.info("support contact is not an address: no Reply-To")
    result = client("ses").send_email(
        Source=settings.sender_email,
        Destination={"ToAddresses": [email.to]},
        Message={
            "Subject": {"Data": email.subject, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": email.text, "Charset": "UTF-8"},
                "Html": {"Data": email.html, "Charset": "UTF-8"},
            },
        },
        **kwargs,
    )
    logger.info("email sent", extra={"message_id": result["MessageId"], "subject": email.subject})
    return result["MessageId"]
