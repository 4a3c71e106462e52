"""Every candidate page in every language: complete catalogues and no English left in the code.

The candidate site, the apply page and the "your data" page take every word from
`static_site/shared/i18n/<lang>.json` through `t()`. These tests fail on a key missing from a
language, a message left in English, a placeholder lost in translation, a plural without the
forms its language needs, a key the code asks for that no catalogue has, and an English
sentence written straight into the pages' code instead of coming from a catalogue.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "static_site" / "shared" / "i18n"
LANGUAGES = ("en", "es", "fr", "de", "pt", "ar")
# The plural forms (Intl.PluralRules categories) each language's sentences need.
PLURAL_FORMS = {
    "en": {"one", "other"},
    "es": {"one", "other"},
    "fr": {"one", "other"},
    "de": {"one", "other"},
    "pt": {"one", "other"},
    "ar": {"zero", "one", "two", "few", "many", "other"},
}
# Optional forms a language may add (large round numbers in the Romance languages).
OPTIONAL_FORMS = {"es": {"many"}, "fr": {"many"}, "pt": {"many"}}
# Messages that may read the same as in English: nothing here yet; add a key only for a
# brand name, "OK" or a message made of placeholders alone.
SAME_AS_ENGLISH: set[tuple[str, str]] = set()
# The code that shows candidate pages (the console has its own, English-only, site).
PAGE_CODE = [
    *sorted((ROOT / "static_site" / "candidate").glob("*.js")),
    *sorted((ROOT / "static_site" / "apply").glob("*.js")),
    ROOT / "static_site" / "shared" / "i18n.js",
    ROOT / "static_site" / "shared" / "brand.js",
]
PAGE_HTML = [
    ROOT / "static_site" / "candidate" / "index.html",
    ROOT / "static_site" / "apply" / "index.html",
]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalogue(lang: str) -> dict:
    return json.loads((CATALOGUES / f"{lang}.json").read_text(encoding="utf-8"))


def forms(value: str | dict) -> dict[str, str]:
    return value if isinstance(value, dict) else {"": value}


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_every_language_has_exactly_the_english_keys(lang: str) -> None:
    english, other = set(catalogue("en")), set(catalogue(lang))
    assert sorted(english - other) == [], f"{lang} misses these keys"
    assert sorted(other - english) == [], f"{lang} has keys English does not"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plurals_have_every_form_their_language_needs_and_nothing_else_is_plural(
    lang: str,
) -> None:
    english = catalogue("en")
    for key, value in catalogue(lang).items():
        plural = isinstance(english.get(key), dict)
        if not plural:
            assert isinstance(value, str), f"{lang} {key} should be a plain message"
            continue
        assert isinstance(value, dict), f"{lang} {key} needs plural forms"
        needed, optional = PLURAL_FORMS[lang], OPTIONAL_FORMS.get(lang, set())
        assert needed <= set(value) <= needed | optional, f"{lang} {key}: {sorted(value)}"


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_no_message_is_left_in_english(lang: str) -> None:
    english = catalogue("en")
    english_texts = {text for value in english.values() for text in forms(value).values()}
    left = [
        (key, text)
        for key, value in catalogue(lang).items()
        for text in forms(value).values()
        if text in english_texts and (lang, key) not in SAME_AS_ENGLISH
    ]
    assert left == [], f"{lang} messages still in English"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_the_english_message(lang: str) -> None:
    english = catalogue("en")
    for key, value in catalogue(lang).items():
        wanted = set(PLACEHOLDER.findall(forms(english[key]).get("other", english[key])))
        for form, text in forms(value).items():
            found = set(PLACEHOLDER.findall(text))
            # A plural form may say its number in words ("one question", "سؤالان").
            if form and form != "other":
                found, expected = found - {"count"}, wanted - {"count"}
            else:
                expected = wanted
            assert found == expected, f"{lang} {key} [{form or 'text'}]: {text!r}"


def _source(path: Path) -> str:
    """The code without its comments (strings that contain // are kept whole)."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$|(?<=[;,{}()\s])//[^\"'`\n]*$", "", text)


def test_every_key_the_pages_ask_for_is_in_the_catalogues() -> None:
    english = catalogue("en")
    asked: set[str] = set()
    prefixes: set[str] = set()
    for path in PAGE_CODE:
        code = _source(path)
        asked |= set(re.findall(r"\b(?:t|rich)\(\s*\"([\w.]+)\"", code))
        asked |= set(re.findall(r"\b(?:say|explain)\(\s*\"([\w.]+)\"", code))
        prefixes |= set(re.findall(r"\bt\(\s*`([\w.]+)\.\$\{", code))
    for path in PAGE_HTML:
        asked |= set(re.findall(r'data-i18n="([\w.]+)"', path.read_text(encoding="utf-8")))
    assert sorted(asked - set(english)) == []
    for prefix in prefixes:
        assert any(key.startswith(prefix + ".") for key in english), prefix


SENTENCE = r"[A-Za-z][a-z']*(?: [A-Za-z][a-z',.]*){2,}"
# Where a candidate reads text: element children, text, labels, announcements, dialogs, errors.
SINKS = [
    re.compile(r"\.textContent\s*=\s*(\"[^\"]+\"|'[^']+'|`[^`]+`)"),
    re.compile(r"\bannounce\(\s*(\"[^\"]+\"|'[^']+'|`[^`]+`)"),
    re.compile(r"\"aria-label\"\s*:\s*(\"[^\"]+\"|`[^`]+`)"),
    re.compile(r"\b(?:text|alt|title|placeholder)\s*:\s*(\"[^\"]+\"|`[^`]+`)"),
    re.compile(r"\bh\(\s*\"\w+\"\s*,\s*(?:\{[^{}]*\}|null)\s*,\s*(\"[^\"]+\"|`[^`]+`)"),
    re.compile(r"\b(?:confirm|alert|prompt)\(\s*(\"[^\"]+\"|`[^`]+`)"),
    re.compile(r"\bnew Error\(\s*(\"[^\"]+\"|`[^`]+`)"),
    # Any literal reading like a sentence (three words or more), wherever it goes.
    re.compile(rf"(\"{SENTENCE}[^\"]*\"|`{SENTENCE}[^`]*`)"),
]
# Modules whose English reaches a candidate only when the page is in English: upload and
# storage failures become `upload.message`, which question.js shows as it is in English and
# replaces with t("upload.failed") in every other language.
ENGLISH_ONLY_MESSAGES = {"uploader.js", "chunk-store.js"}
# network.js: the probe's own failure, never shown (the page says t("network.unknown")).
NOT_SHOWN = {"`S3 answered ${response.status}`"}
# Functions in page folders that serve the recruiter console (English-only), not candidates.
CONSOLE_ONLY = {"media.js": "deviceErrorMessage"}


def _without(code: str, function: str) -> str:
    """`code` without the body of `function` (a console-only helper in a shared module)."""
    start = re.search(rf"(?:export function {function}\(|\n  {function}\()", code)
    if not start:
        return code
    depth, i = 0, code.index("{", start.end())
    for j in range(i, len(code)):
        depth += {"{": 1, "}": -1}.get(code[j], 0)
        if depth == 0:
            return code[: start.start()] + code[j + 1 :]
    return code


def test_no_english_sentence_is_written_into_the_candidate_pages_code() -> None:
    found = []
    for path in PAGE_CODE:
        if path.name in ENGLISH_ONLY_MESSAGES:
            continue
        code = _source(path)
        if path.name in CONSOLE_ONLY:
            code = _without(code, CONSOLE_ONLY[path.name])
        for sink in SINKS:
            for match in sink.finditer(code):
                literal = match.group(1)
                words = re.sub(r"\$\{[^}]*\}", "", literal.strip("\"'`"))
                if not re.search(r"[A-Za-z]{2,}", words) or literal in NOT_SHOWN:
                    continue
                found.append(f"{path.relative_to(ROOT)}: {literal}")
    assert sorted(set(found)) == []
