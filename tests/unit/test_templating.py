"""The bounded sandbox: company-written templates render within time, work and size, or say why."""

from __future__ import annotations

import time

import pytest

from chalicelib.domain.templating import TemplateProblem, render, unknown_names

CONTEXT = {"candidate_name": "Ann Lee", "company_name": "Acme", "title": "Support"}


def problem(text: str) -> str:
    """Render `text`, expecting a refusal in well under a second; returns its message."""
    started = time.monotonic()
    with pytest.raises(TemplateProblem) as refused:
        render(text, CONTEXT)
    assert time.monotonic() - started < 1.5
    return refused.value.message


def test_an_ordinary_letter_renders_with_loops_filters_and_formats() -> None:
    text = (
        "Hello {{ candidate_name.split()[0] }},\n"
        "{% for word in title.split() %}{{ word|upper }}{% endfor %} at {{ company_name }}. "
        "{{ '%s-%02d' % ('ref', 7) }} {{ '{} of {}'.format(1, 2) }} {{ candidate_name ~ '!' }}"
        "{% for a in range(2) %}{% for b in range(2) %}{{ a * 10 + b }} {% endfor %}{% endfor %}"
    )
    assert render(text, CONTEXT) == (
        "Hello Ann,\nSUPPORT at Acme. ref-07 1 of 2 Ann Lee!0 1 10 11 "
    )
    # a long text within the bounds is not refused for being long
    assert len(render("{{ ('x' * 19000)|indent('  ', true) }}", CONTEXT)) == 19_002


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{{ 1/0 }}", "line 1: division by zero"),
        ("Hi\n{{ 1 // (candidate_name|length - 7) }}", "line 2: division by zero"),
        ("{{ 10**5000 }}", "a number too large"),
        ("{{ 2.5**100000 }}", "a number too large"),
        ("{{ 99999999 * 99999999 * 99999999 }}", "a number too large"),
        ("{% for i in range(10**9) %}x{% endfor %}", "range() was given 1,000,000,000"),
        ("{% for i in range(5000) %}{% endfor %}", "range() may count at most 1,000 items"),
        (
            "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
            "repeats too much work",
        ),
        (
            "{% for a in 'x' * 900 %}{% for b in 'y' * 900 %}{% endfor %}{% endfor %}",
            "repeats too much work",
        ),
        (
            "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
            "{{ m(40) }}",
            "repeats too much work",
        ),
        ('{{ "x" * 10**8 }}', "it builds a text over 20,000 characters"),
        ("{{ [0] * 10**8 }}", "a list over 20,000 items"),
        ("{% set a = 'x' * 15000 %}{{ a ~ a }}", "it builds a text over 20,000"),
        ("{% set a = 'x' * 15000 %}{{ a + a }}", "it builds a text over 20,000"),
        ('{% for i in range(1000) %}{{ "x" * 10000 }}{% endfor %}', "longer than 20,000"),
        ("{{ 'x'.ljust(10**8) }}", "ljust() was given 100,000,000"),
        ("{{ 'x'|center(10**8) }}", "center() was given 100,000,000"),
        ("{{ 'ab'|replace('', 'x' * 15000) }}", "replace(): it builds a text over 20,000"),
        ("{{ ('x' * 15000).replace('x', 'yy') }}", "replace(): it builds a text over 20,000"),
        ("{{ '%099999999d' % 1 }}", "a format width over 20,000"),
        ("{{ '%*d' % (10**8, 1) }}", "'*' widths"),
        ("{{ '{:99999999}'.format(1) }}", "a format width over 20,000"),
        ("{{ '%099999999d'|format(1) }}", "a format width over 20,000"),
        ("{{ 'x'.expandtabs(10) }}", "expandtabs() is not available"),
        ("{{ lipsum(10**4) }}", "'lipsum' is undefined"),
        ("{% include 'other' %}", "'include' is not available"),
        ("{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}", "recursive loops"),
        ("{{ candidate_name.__class__ }}", "unsafe"),
        ("{{ salary }}", "'salary' is undefined"),
        ("{% if %}", "line 1:"),
    ],
)
def test_every_runaway_or_broken_template_is_refused_quickly_in_plain_words(
    text: str, says: str
) -> None:
    assert says in problem(text)


def test_the_output_stops_at_the_callers_bound() -> None:
    with pytest.raises(TemplateProblem, match="longer than 50 characters"):
        render("{{ candidate_name * 10 }}", CONTEXT, output_limit=50)
    assert render("{{ candidate_name * 7 }}", CONTEXT, output_limit=49) == "Ann Lee" * 7


@pytest.mark.parametrize(
    "text",
    [
        "{{ candidate_name.__class__.__mro__ }}",
        "{{ candidate_name.format.__globals__ }}",
        "{{ range.__globals__ }}",
        "{{ dict.__subclasses__() }}",
        "{{ self._TemplateReference__context }}",
        "{{ (candidate_name|attr('__class__')) }}",
        "{{ candidate_name.upper.__self__.__class__ }}",
    ],
)
def test_nothing_reaches_pythons_internals_through_an_attribute(text: str) -> None:
    message = problem(text)
    assert any(word in message.lower() for word in ("unsafe", "undefined", "no filter"))


def test_names_the_template_reads_but_nobody_fills_are_found_in_every_branch() -> None:
    allowed = {"candidate_name", "link"}
    # a name in a branch no sample takes is still found, and only once
    assert unknown_names("{% if false %}{{ salary }}{% endif %}{{ salary }}", allowed) == {"salary"}
    # names the template sets itself, loop variables and our globals are not unknown
    text = "{% set who = candidate_name %}{% for i in range(2) %}{{ who }}{{ i }}{% endfor %}"
    assert unknown_names(text, allowed) == set()
    assert unknown_names("{{ link }}", allowed) == set()


def test_what_the_sandbox_writes_is_text_and_the_html_part_escapes_it() -> None:
    from chalicelib.domain.candidate_mail import decision_letter

    # GIVEN a company template that tries to write markup, and a hostile name
    context = {**CONTEXT, "candidate_name": '<img src=x onerror="alert(1)">'}
    body = render("<b>Hello</b> {{ candidate_name }}\n\n<script>alert(2)</script>", context)
    # WHEN it becomes an email
    message = decision_letter("a@example.com", "en", "Hi", body, booking_url=None)
    # THEN the HTML shows it as text and runs nothing; the text part keeps it readable
    assert "<script>" not in message.html
    assert "<img" not in message.html
    assert "&lt;b&gt;Hello&lt;/b&gt; &lt;img src=x" in message.html
    assert "<b>Hello</b> <img" in message.text
