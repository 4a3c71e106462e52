"""A 1,000-row CSV invite on the local stack: time to the 202, and until the job has mailed all.

Starts its own local stack (moto server, the jobs queue polled as Lambda would), posts the CSV
to `POST /interviews/{id}/invitation-jobs`, then polls `GET /jobs/{id}` as the console does
and prints each figure beside its target: the answer well inside API Gateway's 29 s, every
row invited and mailed exactly once, and how long the job took (no target: it runs off the
request, in bounded runs of `jobs.ROWS_PER_RUN` rows).

    .venv/bin/python bench/bulk_invite.py               # 1,000 rows
    .venv/bin/python bench/bulk_invite.py --rows 200
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.drivers.candidate_site import admin_token  # noqa: E402
from tests.drivers.local_stack import (  # noqa: E402
    RunningStack,
    call,
    free_port,
    outbox,
    start_stack,
    stop_stack,
)

ANSWER_TARGET_SECONDS = 29.0  # API Gateway's integration timeout
JOB_LIMIT_SECONDS = 1800  # the bench gives up after this


def measure(stack: RunningStack, rows: int) -> dict[str, float]:
    token = admin_token(stack)
    status, interview = call(
        stack,
        "POST",
        "/api/interviews",
        {"title": "Bulk invite bench", "questions": [{"text": "Why us?"}]},
        token=token,
    )
    assert status == 201, interview
    unique = free_port()
    csv_text = "\n".join(
        ["name,email"] + [f"Bench {n},bench-{unique}-{n}@example.com" for n in range(rows)]
    )
    began = time.monotonic()
    status, started = call(
        stack,
        "POST",
        f"/api/interviews/{interview['interview_id']}/invitation-jobs",
        {"csv": csv_text},
        token=token,
    )
    answered = time.monotonic() - began
    assert status == 202, started
    job: dict = started
    while job["status"] not in ("done", "failed"):
        if time.monotonic() - began > JOB_LIMIT_SECONDS:
            raise SystemExit(f"the job did not finish in {JOB_LIMIT_SECONDS} s: {job}")
        time.sleep(2)
        try:
            status, polled = call(stack, "GET", f"/api/jobs/{started['job_id']}", token=token)
        except TimeoutError:
            continue  # the local stack serialises DynamoDB requests: the job's come first
        assert status == 200, polled
        job = polled
    finished = time.monotonic() - began
    mailed = [m for m in outbox(stack) if m["to"][0].startswith(f"bench-{unique}-")]
    return {
        "answered": answered,
        "finished": finished,
        "invited": job["report"]["summary"]["invited"],
        "mailed": len(mailed),
        "distinct": len({m["to"][0] for m in mailed}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory(prefix="bulk-invite-") as tmp:
        stack = start_stack(Path(tmp), free_port(), free_port())
        try:
            figures = measure(stack, rows)
        finally:
            stop_stack(stack)
    answered_ok = figures["answered"] < ANSWER_TARGET_SECONDS
    all_once = figures["invited"] == figures["mailed"] == figures["distinct"] == rows
    print(f"rows                          {rows}")
    print(
        f"202 answered in               {figures['answered']:6.2f} s   "
        f"target < {ANSWER_TARGET_SECONDS:.0f} s   {'ok' if answered_ok else 'MISSED'}"
    )
    print(
        f"invited / mailed / addresses  {figures['invited']} / {figures['mailed']} / "
        f"{figures['distinct']}   target {rows} each   {'ok' if all_once else 'MISSED'}"
    )
    print(
        f"job done after                {figures['finished']:6.1f} s   "
        f"({figures['finished'] / rows * 1000:.0f} ms a row, off the request)"
    )
    if not (answered_ok and all_once):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
