"""The usage page in Chromium: each month's estimated AWS cost in dollars, and stored-now.

A candidate's video answer goes through the real upload path and worker on the local stack;
the admin sees the month's cost in dollars, its breakdown, the price list's date and
sources, and what is stored now, which goes down once the candidate is deleted.
Screenshots land in `test-artifacts/screenshots/console-usage/`.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain import costs
from tests.drivers.console import (
    Shots,
    answer_everything,
    link_token,
    mail_to,
    sign_in,
    sign_up,
)
from tests.drivers.local_stack import RunningStack, call, ok

pytestmark = pytest.mark.e2e

DOLLARS = re.compile(r"^\$\d+\.\d{2,4}$")


@pytest.fixture(scope="module")
def shots(screenshots: Path) -> Shots:
    return Shots(screenshots / "console-usage")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.drivers.media import Clip, generate

    return generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("clip") / "a.webm")


def as_shown(usd: float) -> str:
    """Dollars as the page writes them: cents, tenths of a cent below a cent, and a floor."""
    if usd < 0.0001:
        return "< $0.0001"
    shown = f"${usd:.4f}" if usd < 0.01 else f"${usd:.2f}"
    assert DOLLARS.match(shown)
    return shown


def stored_mb(page: Any) -> float:
    text = page.text_content("#usage-stored-now").strip()
    number, unit = text.split()
    return float(number) * (1024 if unit == "GB" else 1)


def test_the_usage_page_shows_dollars_and_stored_now_that_drops_after_a_deletion(
    local_stack: RunningStack, page: Any, shots: Shots, clip: Path
) -> None:
    unique = uuid.uuid4().hex[:8]
    # GIVEN a company whose candidate answered a video question, processed by the worker
    email, password = f"uma.{unique}@example.com", "usage-page-pass-1"
    token = sign_up(local_stack, "Usage & Co", "Uma Admin", email, password)
    interview = {
        "title": "Usage Desk",
        "questions": [{"text": "Tell us about a hard bug.", "answer_type": "video"}],
        "deadline_days": 5,
    }
    created = ok(call(local_stack, "POST", "/api/interviews", interview, token=token), 201)
    path = f"/api/interviews/{created['interview_id']}"
    candidate = f"cal.{unique}@example.com"
    invite = {"candidates": [{"name": "Cal Candidate", "email": candidate}]}
    ok(call(local_stack, "POST", f"{path}/invitations", invite, token=token))
    answer_everything(local_stack, link_token(mail_to(local_stack, candidate)), clip, "")
    [row] = ok(call(local_stack, "GET", f"{path}/pipeline", token=token))["candidates"]

    # WHEN the admin opens the usage page
    sign_in(page, local_stack, email, password)
    page.click('nav a[href="#/usage"]')
    page.wait_for_selector("#usage-table")

    # THEN this month's estimated AWS cost is in dollars, above zero, with its breakdown
    month = ok(call(local_stack, "GET", "/api/company/usage?months=1", token=token))["months"][0]
    assert month["estimated_cost_usd"] > 0
    cost_now = page.text_content("#usage-cost-now").strip()
    assert cost_now == as_shown(month["estimated_cost_usd"])
    last_row = page.locator("#usage-table tbody tr").last
    assert last_row.locator("td.usage-cost").inner_text() == cost_now
    # (the worker's share of one short clip can be a few thousandths of a cent: the page says
    # so rather than round it to $0.0000)
    worker_usd = month["cost_breakdown_usd"]["processing"]
    assert worker_usd > 0
    processing = page.locator('#usage-breakdown tr[data-component="processing"] td').last
    assert processing.inner_text() == as_shown(worker_usd)
    headers = page.locator("#usage-breakdown thead th").all_inner_texts()
    assert headers[0] == "Component"
    # AND what is stored now, and the price list's date with links to its sources
    before = stored_mb(page)
    assert before > 0
    assert page.text_content("#usage-summary").count("Stored now") == 1
    prices = page.locator("#usage-prices")
    assert costs.AS_OF.isoformat() in prices.inner_text()
    links = prices.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert set(links) == set(costs.SOURCES)
    shots.take(page, "usage in dollars")

    # WHEN the candidate is deleted
    ok(call(local_stack, "DELETE", f"/api/invitations/{row['invitation_id']}", token=token), 204)
    page.reload()
    page.wait_for_selector("#usage-table")
    # THEN stored-now drops to nothing left
    assert stored_mb(page) < before
    assert page.text_content("#usage-stored-now").strip() == "0.0 MB"
    shots.take(page, "usage after a deletion")
