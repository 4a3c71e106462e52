"""Transactional email: Jinja2 templates and message catalogues rendered to HTML and text.

Templates autoescape HTML, so a candidate or company name can never inject markup; the
text part is rendered from its own template, not stripped from the HTML. Every email a
candidate reads is a `letter`: blocks of text from the catalogue of their language
(`templates/email/i18n/<lang>.json`), laid out by one template, right to left where the
language is written so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.observability import logger

TEMPLATES = Path(__file__).parent / "templates" / "email"
CATALOGUES = TEMPLATES / "i18n"
FALLBACK_LANGUAGE = "en"

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


# --- message catalogues ------------------------------------------------------------------

# `{{ name }}` in a catalogue message: the same spelling company templates use.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """The languages with a catalogue, English first."""
    found = sorted(path.stem for path in CATALOGUES.glob("*.json"))
    return (FALLBACK_LANGUAGE, *(lang for lang in found if lang != FALLBACK_LANGUAGE))


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@lru_cache(maxsize=8)
def catalogue(lang: str) -> dict[str, Any]:
    """Every message of `lang`, keyed `section.name` (English for a language we lack)."""
    path = CATALOGUES / f"{lang if lang in languages() else FALLBACK_LANGUAGE}.json"
    return _flatten(json.loads(path.read_text(encoding="utf-8")))


def fill(message: str, values: Mapping[str, Any]) -> str:
    """`message` with each `{{ name }}` replaced by `values[name]` (KeyError when missing)."""
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), message)


def fill_html(message: str, values: Mapping[str, Any]) -> Any:
    """`fill` for HTML: the message and each value escaped (a value already Markup is kept)."""
    from markupsafe import Markup, escape  # noqa: PLC0415

    escaped = str(escape(message))
    # Safe: the message and every value are escaped (a Markup value was escaped when built).
    return Markup(PLACEHOLDER.sub(lambda match: str(escape(values[match.group(1)])), escaped))  # noqa: S704


def plural_category(lang: str, count: int) -> str:
    """CLDR's plural category of a whole number in `lang` (which catalogue form to use)."""
    if lang == "ar":
        rest = count % 100
        if count in (0, 1, 2):
            return ("zero", "one", "two")[count]
        if 3 <= rest <= 10:
            return "few"
        return "many" if 11 <= rest <= 99 else "other"
    if lang in ("fr", "pt"):
        return "one" if count in (0, 1) else "other"
    return "one" if count == 1 else "other"


class Words:
    """The catalogue of one language, as the letters use it."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in languages() else FALLBACK_LANGUAGE
        self.messages = catalogue(self.lang)

    @property
    def direction(self) -> str:
        return str(self.messages.get("dir", "ltr"))

    def raw(self, key: str) -> Any:
        """A message as written (a language missing it borrows English's)."""
        if key in self.messages:
            return self.messages[key]
        return catalogue(FALLBACK_LANGUAGE)[key]

    def __call__(self, key: str, **values: Any) -> str:
        return fill(self.raw(key), values)

    def plural(self, key: str, count: int, **values: Any) -> str:
        """`key.<category>` for `count`, falling back to `key.other`."""
        category = plural_category(self.lang, count)
        form = f"{key}.{category}"
        if form not in self.messages and form not in catalogue(FALLBACK_LANGUAGE):
            form = f"{key}.other"
        return self(form, count=self.digits(count), **values)

    def digits(self, value: Any) -> str:
        """Western digits in `value` written in the language's own (Arabic-Indic in `ar`)."""
        own = str(self.raw("digits"))
        return str(value).translate(str.maketrans("0123456789", own))

    def listing(self, items: list[str]) -> str:
        """`a, b and c` in the language."""
        if len(items) <= 1:
            return "".join(items)
        return str(self.raw("list.comma")).join(items[:-1]) + str(self.raw("list.and")) + items[-1]


# --- letters: what candidates read --------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One paragraph of a letter: text, a list, or the big button to a link."""

    text: str = ""
    items: tuple[str, ...] = ()
    link: str = ""  # with `button`: the call to action; alone: made clickable in `text`
    button: str = ""


@dataclass(frozen=True)
class Footer:
    """The small print under a candidate's letter: personal link, contact, their data."""

    personal: bool = True
    support_contact: str | None = None
    privacy_link: str | None = None


def blocks_of(text: str, link: str = "", button: str = "") -> list[Block]:
    """A plain-text body as blocks: paragraphs split on blank lines; a paragraph that is
    only `link` becomes the button (the company's wording puts it where it wants)."""
    blocks = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip()):
        if link and paragraph.strip() == link and button:
            blocks.append(Block(link=link, button=button))
        elif paragraph.strip():
            blocks.append(Block(text=paragraph.strip("\n"), link=link))
    return blocks


def _html_text(text: str, links: tuple[str, ...]) -> Any:
    """Escaped text with line breaks kept and every known link clickable."""
    from markupsafe import Markup, escape  # noqa: PLC0415

    html = str(escape(text)).replace("\n", "<br>\n")
    for url in links:
        if url:
            safe = str(escape(url))
            html = html.replace(safe, f'<a href="{safe}">{safe}</a>')
    return Markup(html)  # noqa: S704 - built from escaped text and escaped links only


def letter(to: str, lang: str, subject: str, blocks: list[Block], footer: Footer | None) -> Email:
    """A candidate's email in `lang`: `blocks` laid out by `letter.html` / `letter.txt`."""
    from markupsafe import Markup, escape  # noqa: PLC0415

    words = Words(lang)
    links = tuple(sorted({b.link for b in blocks if b.link}, key=len))[::-1]
    contact_html = contact_text = ""
    if footer and footer.support_contact:
        contact = footer.support_contact
        kind = contact_kind(contact)
        target = f"mailto:{contact}" if kind == "email" else contact if kind == "url" else ""
        shown = Markup('<a href="{}">{}</a>').format(target, contact) if target else escape(contact)
        contact_html = fill_html(words.raw("letter.contact"), {"contact": shown})
        contact_text = words("letter.contact", contact=contact)
    context = {
        "lang": words.lang,
        "dir": words.direction,
        "blocks": blocks,
        "html_text": lambda text: _html_text(text, links),
        "footer": footer,
        "words": words,
        "contact_html": contact_html,
        "contact_text": contact_text,
    }
    env = _environment()
    html = env.get_template("letter.html").render(**context)
    text = env.get_template("letter.txt").render(**context)
    return Email(to=to, subject=" ".join(subject.split()), html=html, text=text)
