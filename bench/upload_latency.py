"""Stop-to-saved latency of the candidate site's chunked upload at 10 Mbit/s, vs one upload at stop.

Starts its own local stack, drives the real recording site in headless Chromium with a fake
camera, throttles the page's network with CDP (`Network.emulateNetworkConditions`), records
answers of several lengths and prints, for each, the time from pressing "Stop" to the page
saying "Saved" next to what a single upload of the whole recording after stopping would need
at the same bandwidth (bytes * 8 / 10 Mbit/s). Target: ≤ 2 s at every length.

    .venv/bin/python bench/upload_latency.py            # 15, 60 and 180 s answers
    .venv/bin/python bench/upload_latency.py --quick    # 5, 15 and 30 s
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.drivers.candidate_site import admin_token, link_for  # noqa: E402
from tests.drivers.chromium import launch_options  # noqa: E402
from tests.drivers.local_stack import RunningStack, call, free_port, start_stack, stop_stack  # noqa: E402

UPLINK_BITS = 10e6
DOWNLINK_BITS = 50e6
LATENCY_MS = 30
TARGET_SECONDS = 2.0


def bench_interview(stack: RunningStack, longest: int) -> str:
    """One video question, no think time, long enough for the longest recording."""
    status, interview = call(
        stack,
        "POST",
        "/api/interviews",
        {
            "title": "Upload latency bench",
            "questions": [
                {
                    "text": "Talk for as long as the bench needs.",
                    "think_seconds": 0,
                    "max_answer_seconds": longest + 30,
                    "retakes": 0,
                }
            ],
        },
        token=admin_token(stack),
    )
    assert status == 201, interview
    return interview["interview_id"]


def new_link(stack: RunningStack, interview_id: str, seconds: int) -> str:
    email = f"bench-{seconds}s-{free_port()}@example.com"
    status, report = call(
        stack,
        "POST",
        f"/api/interviews/{interview_id}/invitations",
        {"candidates": [{"name": f"Bench {seconds}s", "email": email}]},
        token=admin_token(stack),
    )
    assert status == 200, report
    return link_for(stack, email)


def measure(browser: Any, link: str, seconds: int) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": LATENCY_MS,
                "uploadThroughput": UPLINK_BITS / 8,
                "downloadThroughput": DOWNLINK_BITS / 8,
            },
        )
        page.goto(link)
        page.check("#consent")
        page.click("[data-action=begin]")
        page.click("[data-action=devices-ok]:not([disabled])")
        page.click("[data-action=skip-practice]")
        page.click("[data-action=start]")
        page.wait_for_selector("[data-action=stop]")
        page.wait_for_timeout(seconds * 1000)
        page.click("[data-action=stop]")
        page.wait_for_selector("[data-action=next]:not([disabled])", timeout=(seconds + 120) * 1000)
        return page.evaluate(
            """() => {
                const [u] = [...window.onewayCandidate.uploads.values()];
                return {bytes: u.recordedBytes, chunks: u.total, retries: u.retries,
                        stop_to_saved: (u.savedAt - u.stopClickedAt) / 1000};
            }"""
        )
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="record 5, 15 and 30 s answers")
    args = parser.parse_args(argv)
    lengths = [5, 15, 30] if args.quick else [15, 60, 180]

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp), free_port(), free_port())
        try:
            interview_id = bench_interview(stack, max(lengths))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options())
                print(
                    f"Uplink {UPLINK_BITS / 1e6:.0f} Mbit/s, {LATENCY_MS} ms latency, "
                    "fake camera, 1 s chunks uploaded while recording"
                )
                print(
                    f"{'answer':>7} {'recorded':>10} {'chunks':>6} {'stop→saved':>11} "
                    f"{'one upload at stop':>19} {'target':>7}"
                )
                worst = 0.0
                for seconds in lengths:
                    result = measure(browser, new_link(stack, interview_id, seconds), seconds)
                    single = result["bytes"] * 8 / UPLINK_BITS
                    worst = max(worst, result["stop_to_saved"])
                    verdict = "ok" if result["stop_to_saved"] <= TARGET_SECONDS else "MISSED"
                    print(
                        f"{seconds:>6}s {result['bytes'] / 1e6:>8.2f}MB {result['chunks']:>6} "
                        f"{result['stop_to_saved']:>10.2f}s {single:>18.2f}s {verdict:>7}",
                        flush=True,
                    )
                browser.close()
            print(f"Worst stop→saved: {worst:.2f} s (target ≤ {TARGET_SECONDS:.0f} s)")
        finally:
            stop_stack(stack)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
