"""The accessibility gate: axe-core (pinned in tests/a11y/package.json) on a page in Chromium.

Every page state an e2e test visits goes through `assert_accessible` (via `Shots.take` or
`screenshot`), so a critical or serious WCAG violation fails the test that showed the page.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from tests.drivers.local_stack import ROOT

A11Y_DIR = ROOT / "tests" / "a11y"
AXE_JS = A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js"
# What a user of assistive technology is blocked by; "moderate"/"minor" are reported by axe
# but left to review rather than failing a test.
BLOCKING = ("critical", "serious")
# WCAG 2.x A/AA plus axe's best practices that have a WCAG footing.
RUN_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@cache
def axe_source() -> str:
    """axe-core's browser build, installed from the lock file on first use if need be."""
    if not AXE_JS.exists():
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"],
            cwd=A11Y_DIR,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert AXE_JS.exists(), (
            "axe-core is missing: run `make a11y` (npm ci in tests/a11y) — "
            f"npm said: {result.stderr[-800:]}"
        )
    return AXE_JS.read_text(encoding="utf-8")


def is_chromium(page: Any) -> bool:
    """The gate runs in Chromium only: the WebKit run proves the engine, not the markup twice."""
    try:
        return page.context.browser.browser_type.name == "chromium"
    except AttributeError:
        return False


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's critical and serious violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(
        """async (runOnly) => {
            const result = await window.axe.run(document, {
                runOnly: {type: 'tag', values: runOnly},
                resultTypes: ['violations'],
            });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map((n) => n.target.join(' ')),
                summary: v.nodes.slice(0, 3).map((n) => n.failureSummary || ''),
            }));
        }""",
        RUN_ONLY,
    )
    return [v for v in found if v["impact"] in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        targets = ", ".join(v["targets"][:6]) + (" …" if len(v["targets"]) > 6 else "")
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — on {targets}")
        lines.extend(f"    {s.splitlines()[-1].strip()}" for s in v["summary"][:1] if s)
    return "\n".join(lines)


def assert_accessible(page: Any, state: str) -> None:
    """Fail with a readable list when axe finds a critical or serious violation (Chromium)."""
    if not is_chromium(page):
        return
    found = violations(page)
    assert not found, f"axe-core: {len(found)} blocking violation(s) on {state!r}:\n" + describe(
        found
    )


def screenshot(page: Any, path: Path, *, full_page: bool = True) -> None:
    """Check the page state with axe, then keep its picture (for tests not using `Shots`)."""
    assert_accessible(page, path.stem)
    page.screenshot(path=str(path), full_page=full_page)
