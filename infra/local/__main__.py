"""The whole product on one machine, no AWS account: `python -m infra.local` (`make dev`).

A moto server stands in for S3, SQS, DynamoDB, SES and Cognito; the API and the static
sites share one origin (`/api/*` is the Chalice app, as CloudFront routes it in AWS); a
poller hands S3 upload events from SQS to the media worker's handler, and a timer runs the
reminder sweep, because moto fires neither S3→Lambda nor schedules.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default=os.environ.get("ONEWAY_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ONEWAY_PORT", "8000")))
    parser.add_argument(
        "--moto-port", type=int, default=int(os.environ.get("ONEWAY_MOTO_PORT", "5005"))
    )
    parser.add_argument(
        "--sweep-seconds", type=float, default=float(os.environ.get("ONEWAY_SWEEP_SECONDS", "60"))
    )
    parser.add_argument("--state-file", type=Path, help="write URLs and the demo login as JSON")
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    fault = parser.add_argument_group(
        "fault injection (bench/faults.py; also ONEWAY_FAULT_* variables)"
    )
    fault.add_argument(
        "--fault-duplicate-rate", type=float, help="share of upload messages sent twice"
    )
    fault.add_argument("--fault-kill-rate", type=float, help="share of worker jobs killed midway")
    fault.add_argument("--fault-ledger", type=Path, help="JSON-lines record of jobs and faults")
    fault.add_argument("--fault-seed", type=int)
    fault.add_argument("--worker-processes", type=int, help="media worker child processes")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from infra.local.faults import FaultOptions
    from infra.local.stack import LocalStack, PortBusy

    fault_env = {
        name: str(value)
        for name, value in {
            "ONEWAY_FAULT_DUPLICATE_RATE": args.fault_duplicate_rate,
            "ONEWAY_FAULT_KILL_RATE": args.fault_kill_rate,
            "ONEWAY_FAULT_LEDGER": args.fault_ledger,
            "ONEWAY_FAULT_SEED": args.fault_seed,
            "ONEWAY_WORKER_PROCESSES": args.worker_processes,
        }.items()
        if value is not None
    }

    stack = LocalStack(
        host=args.host,
        port=args.port,
        moto_port=args.moto_port,
        sweep_seconds=args.sweep_seconds,
        verbose=args.verbose,
        faults=FaultOptions.from_env({**os.environ, **fault_env}),
    )
    started = time.perf_counter()
    try:
        stack.start()
    except PortBusy as busy:
        return int(busy.code or 2)
    except BaseException:
        stack.stop()
        raise
    print(stack.banner(), flush=True)
    print(f"Ready in {time.perf_counter() - started:.1f} s", flush=True)
    if args.state_file:
        state = {
            "site_url": stack.site_url,
            "moto_url": stack.moto_url,
            **stack.demo,
            "settings": stack.settings,
        }
        # Written whole then renamed, so a reader never sees half a file.
        partial = args.state_file.with_suffix(".partial")
        partial.write_text(json.dumps(state, indent=2))
        partial.replace(args.state_file)

    done = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: done.set())
    done.wait()
    print("Stopping…", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
