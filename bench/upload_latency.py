"""Stop-to-saved latency of the candidate site's chunked upload on 10, 2 and 1 Mbit/s uplinks.

Starts its own local stack, drives the real recording site in headless Chromium with a fake
camera, throttles the page's network with CDP (`Network.emulateNetworkConditions`) from the
device check on (so its connection test measures the throttled uplink and picks the
recording bitrate), records answers of several lengths and prints, for each uplink and
length, the time from pressing "Stop" to the page saying "Saved" (and the part of it spent in
the finalise call, after the last chunk was in S3), the bitrate the site chose,
next to what a single upload of the whole recording after stopping would need at the same
bandwidth (bytes * 8 / uplink). Target: ≤ 2 s at every length on every uplink. The load
average is printed beside each figure (the machine is shared).

    .venv/bin/python bench/upload_latency.py                    # 15, 60, 180 s on 10, 2, 1 Mbit/s
    .venv/bin/python bench/upload_latency.py --quick            # 5, 15 and 30 s
    .venv/bin/python bench/upload_latency.py --lengths 180 --uplinks 10,1
    .venv/bin/python bench/upload_latency.py --uplinks 1,0.5    # other uplinks, in Mbit/s
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.drivers.candidate_site import admin_token, link_for  # noqa: E402
from tests.drivers.chromium import launch_options  # noqa: E402
from tests.drivers.local_stack import RunningStack, call, free_port, start_stack, stop_stack  # noqa: E402

UPLINKS_MBIT = (10.0, 2.0, 1.0)
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


def measure(browser: Any, link: str, seconds: int, uplink_bits: float) -> dict[str, Any]:
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
                "uploadThroughput": uplink_bits / 8,
                "downloadThroughput": DOWNLINK_BITS / 8,
            },
        )
        page.goto(link)
        page.check("#consent")
        page.click("[data-action=begin]")
        # The device check's connection test sets the bitrate the answer is recorded at.
        network = page.wait_for_selector(
            "[data-network]:not([data-network=checking])", timeout=60_000
        )
        verdict = network.get_attribute("data-network")
        measured = float(network.get_attribute("data-uplink-bits") or 0)
        page.click("[data-action=devices-ok]:not([disabled])")
        page.click("[data-action=skip-practice]")
        page.click("[data-action=start]")
        page.wait_for_selector("[data-action=stop]")
        page.wait_for_timeout(seconds * 1000)
        page.click("[data-action=stop]")
        page.wait_for_selector("[data-action=next]:not([disabled])", timeout=(seconds + 300) * 1000)
        result = page.evaluate(
            """() => {
                const [u] = [...window.onewayCandidate.uploads.values()];
                return {bytes: u.recordedBytes, chunks: u.total, retries: u.retries,
                        backlog: u.backlogAtStop, mime: u.mimeType,
                        video_bits: u.bitrate && u.bitrate.video,
                        stop_to_saved: (u.savedAt - u.stopClickedAt) / 1000,
                        finalise: (u.savedAt - u.finaliseStartedAt) / 1000};
            }"""
        )
        return {**result, "verdict": verdict, "measured": measured}
    finally:
        context.close()


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="record 5, 15 and 30 s answers")
    parser.add_argument(
        "--lengths", type=int, nargs="+", help="answer lengths in seconds (default 15 60 180)"
    )
    parser.add_argument(
        "--uplinks",
        default=",".join(f"{u:g}" for u in UPLINKS_MBIT),
        help="comma-separated uplinks in Mbit/s (default: 10,2,1)",
    )
    args = parser.parse_args(argv)
    lengths = args.lengths or ([5, 15, 30] if args.quick else [15, 60, 180])
    uplinks = [float(u) * 1e6 for u in args.uplinks.split(",") if u.strip()]

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(tmp), free_port(), free_port())
        try:
            interview_id = bench_interview(stack, max(lengths))
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch_options())
                print(
                    f"{LATENCY_MS} ms latency, fake camera, 1 s chunks uploaded while recording; "
                    "the bitrate follows the device check's connection test"
                )
                print(
                    f"{'uplink':>7} {'answer':>7} {'measured':>9} {'verdict':>8} {'video':>9} "
                    f"{'recorded':>9} {'backlog':>8} {'stop→saved':>11} {'(finalise)':>10} "
                    f"{'one upload':>11} "
                    f"{'target':>7} {'load 1/5m':>10}  type"
                )
                worst: dict[float, float] = {}
                for uplink in uplinks:
                    for seconds in lengths:
                        link = new_link(stack, interview_id, seconds)
                        result = measure(browser, link, seconds, uplink)
                        single = result["bytes"] * 8 / uplink
                        saved = result["stop_to_saved"]
                        worst[uplink] = max(worst.get(uplink, 0.0), saved)
                        verdict = "ok" if saved <= TARGET_SECONDS else "MISSED"
                        video = result["video_bits"] or 0
                        print(
                            f"{uplink / 1e6:>5g}Mb {seconds:>6}s "
                            f"{result['measured'] / 1e6:>6.2f}Mb {result['verdict']:>8} "
                            f"{video / 1e3:>6.0f}kb {result['bytes'] / 1e6:>7.2f}MB "
                            f"{(result['backlog'] or 0) / 1e3:>6.0f}KB {saved:>10.2f}s "
                            f"{result['finalise']:>9.2f}s "
                            f"{single:>10.2f}s {verdict:>7} {load():>10}  {result['mime']}",
                            flush=True,
                        )
                browser.close()
            for uplink, seconds in worst.items():
                print(
                    f"Worst stop→saved at {uplink / 1e6:g} Mbit/s: {seconds:.2f} s "
                    f"(target ≤ {TARGET_SECONDS:.0f} s)"
                )
        finally:
            stop_stack(stack)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
