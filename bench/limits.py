"""Every bench's bounds: a watchdog that stops a run that outlives its time or memory."""

from __future__ import annotations

import os
import sys
import threading
import time


def rss_mb() -> float:
    """This process's current resident set size, from /proc (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def watchdog(max_seconds: float, max_rss_mb: float) -> None:
    """Stop the run, in words, once it outlives `max_seconds` or outgrows `max_rss_mb`.

    A bench that hangs or leaks must end on its own, on a machine others share."""

    def watch() -> None:
        deadline = time.monotonic() + max_seconds
        while True:
            time.sleep(0.5)
            if time.monotonic() > deadline:
                reason = f"ran past {max_seconds:.0f} s"
            elif (current := rss_mb()) > max_rss_mb:
                reason = f"RSS reached {current:.0f} MB (limit {max_rss_mb:.0f} MB)"
            else:
                continue
            print(f"\nbench stopped: {reason}", file=sys.stderr, flush=True)
            os._exit(3)

    threading.Thread(target=watch, name="watchdog", daemon=True).start()
