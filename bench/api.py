"""API bench: DynamoDB calls and in-process latency per hot route, and the cold import of `app`.

Runs against moto in-process (no network), so latencies are the code's own cost plus moto's,
not DynamoDB's; the call counts are exact. Targets: at most 3 DynamoDB calls per request on
every hot route, plus 1 on recruiter routes for the team-membership check that makes a
removal or a role change apply at once, one Query per pipeline page, no Scan, cold import of
`app` at most 600 ms;
the whole run under 2 GB peak RSS and within `--max-seconds`.

Seeding stays linear: in-process moto deep-copies the whole table for every item of every
TransactWriteItems (for its rollback), so inviting 1000 candidates one transaction each cost
time and memory with the square of the table (13 GB). The bench therefore installs
`infra.local.moto_transactions` (an undo of the touched items instead, the same in one
thread), invites the candidates the measured routes use through
`invitations.create_invitation` (its real transaction) and writes the rest of the table with
BatchWriteItem of the very items `invitations.build_invitation` makes for that transaction.
The measured routes run the real domain code and its real transactions, now at their own cost.

    python bench/api.py [--candidates 1000] [--repeat 30] [--max-seconds 600]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_NAMESPACE": "Oneway",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from bench.limits import watchdog  # noqa: E402

PEAK_RSS_TARGET_MB = 2048
SEED_SECONDS_TARGET = 60.0


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed_candidates(company: Any, interview: Any, count: int, through_domain: int) -> list[str]:
    """Invite `count` candidates: the first `through_domain` as the API does, the rest in batches.

    Returns the link tokens of the ones invited through the domain (the measured routes use
    only those); the batched ones are the same items, making the table its full size.
    """
    from chalicelib.data.models import Interview, Item
    from chalicelib.domain import invitations

    tokens = [
        invitations.create_invitation(company, interview, f"C{n}", f"c{n}@example.com")[1]
        for n in range(min(count, through_domain))
    ]
    bulk = range(len(tokens), count)
    with Item.batch_write() as batch:
        for n in bulk:
            invitation, claim, _ = invitations.build_invitation(
                company, interview, f"C{n}", f"c{n}@example.com"
            )
            batch.save(claim)
            batch.save(invitation)
    if bulk:
        # The counter each transaction would have bumped, in one update.
        Interview(*Interview.key(company.company_id, interview.interview_id)).update(
            actions=[Interview.count_invited.add(len(bulk))]
        )
    return tokens


def cold_import_ms(runs: int = 5) -> list[float]:
    """Import `app` in fresh interpreters, as a Lambda cold start does."""
    code = (
        "import time; t = time.perf_counter(); import app; print((time.perf_counter() - t) * 1000)"
    )
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "0"},
        )
        results.append(float(done.stdout.strip().splitlines()[-1]))
    return results


class DynamoCalls:
    """Counts DynamoDB operations through a botocore event hook on PynamoDB's client."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def attach(self) -> None:
        from chalicelib.data.models import Item
        from chalicelib.data.transactions import connection

        # The models' own client, and the one transactions go through.
        for client in (Item._get_connection().connection.client, connection().client):
            client.meta.events.register("before-call.dynamodb", self)

    def take(self) -> Counter[str]:
        taken, self.calls = self.calls, Counter()
        return taken


def serve_jwks() -> str:
    from moto.utilities.utils import load_resource

    keys = json.dumps(load_resource("cognitoidp/resources/jwks-public.json")).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(keys)))
            self.end_headers()
            self.wfile.write(keys)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/jwks.json"


def measure(name: str, call: Callable[[], Any], counter: DynamoCalls, repeat: int) -> dict:
    call()  # warm: clients, schemas, JWKS
    counter.take()
    times, per_call = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
        per_call.append(counter.take())
    ops = Counter()
    for calls in per_call:
        ops.update(calls)
    counts = [sum(c.values()) for c in per_call]
    times.sort()
    return {
        "route": name,
        "dynamodb_calls": max(counts),
        "operations": {k: round(v / repeat, 2) for k, v in sorted(ops.items())},
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--max-rss-mb", type=float, default=3 * 1024.0)
    args = parser.parse_args()
    watchdog(args.max_seconds, args.max_rss_mb)
    run_started = time.perf_counter()

    imports = cold_import_ms()
    print(
        f"cold import of app: median {statistics.median(imports):.0f} ms "
        f"(runs: {', '.join(f'{t:.0f}' for t in imports)}; target <= 600 ms)"
    )

    from chalice.test import Client
    from moto import mock_aws

    with mock_aws():
        from chalicelib.adapters.aws import reset_clients
        from chalicelib.config import reset_settings
        from infra.local import moto_transactions, provisioning

        # moto copies the whole table for every transaction's rollback; an undo of the
        # items it touches is the same in one thread and keeps each write's cost its own.
        moto_transactions.install()

        reset_clients()
        names = provisioning.Names(prefix="bench")
        os.environ.update(
            provisioning.provision_all(
                names, "http://127.0.0.1:8000", "bench@example.com", serve_jwks()
            )
        )
        reset_settings()

        import app as app_module
        from chalicelib.adapters.aws import client
        from chalicelib.domain import identity, interviews, invitations

        signed_up = identity.sign_up(
            "Bench Co", "Bea Bench", "bea@bench.example.com", "bench passphrase"
        )
        token = signed_up.tokens.id_token
        company = identity.get_company(signed_up.company.company_id)
        interview = interviews.create_interview(
            company.company_id,
            "Bench interview",
            [{"text": "Q1"}, {"text": "Q2"}, {"text": "Q3", "answer_type": "text"}],
            rubric=[{"name": "Clarity", "anchors": ["1", "2", "3", "4", "5"]}],
        )
        started = time.perf_counter()
        # The measured routes use tokens 0 and 1, then two per repeat for grants and finalises.
        tokens = seed_candidates(company, interview, args.candidates, 2 + args.repeat * 2 + 4)
        seed_seconds = time.perf_counter() - started
        print(
            f"seeded {args.candidates} candidates ({len(tokens)} through create_invitation, "
            f"the rest by BatchWriteItem) in {seed_seconds:.1f} s "
            f"(target <= {SEED_SECONDS_TARGET:.0f} s); peak RSS so far {peak_rss_mb():.0f} MB"
        )

        counter = DynamoCalls()
        counter.attach()
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        question_id = interview.questions[0].question_id
        criterion = interview.rubric[0].criterion_id
        s3 = client("s3")

        with Client(app_module.app, stage_name="dev") as api:

            def candidate(
                path: str, method: str = "GET", body: Any = None, who: str = tokens[0]
            ) -> Any:
                headers = {"X-Invitation-Token": who, "Content-Type": "application/json"}
                send = getattr(api.http, method.lower())
                kwargs: dict[str, Any] = {"headers": headers}
                if body is not None:
                    kwargs["body"] = json.dumps(body)
                reply = send(f"/candidate{path}", **kwargs)
                assert reply.status_code < 300, reply.body
                return json.loads(reply.body or b"null")

            for who in tokens[:2]:
                candidate("/session", who=who)
                candidate("/consent", "POST", {"accepted": True}, who=who)

            pool = iter(tokens[2 : 2 + args.repeat * 2 + 4])

            def grant() -> Any:
                who = next(pool)
                candidate("/consent", "POST", {"accepted": True}, who=who)
                counter.take()  # count the grant alone
                return candidate(
                    f"/questions/{question_id}/attempts",
                    "POST",
                    {"mime_type": "video/webm"},
                    who=who,
                )

            finalise_jobs: list[tuple[str, int]] = []

            def prepare_finalise() -> None:
                for _ in range(args.repeat + 1):
                    who = next(pool)
                    candidate("/consent", "POST", {"accepted": True}, who=who)
                    started = candidate(
                        f"/questions/{question_id}/attempts",
                        "POST",
                        {"mime_type": "video/webm"},
                        who=who,
                    )
                    for index in range(3):
                        s3.put_object(
                            Bucket=names.media_bucket,
                            Key=started["upload"]["chunk_key_template"].format(index=index),
                            Body=b"x" * 1024,
                        )
                    finalise_jobs.append((who, started["attempt"]))

            prepare_finalise()

            def finalise() -> Any:
                who, attempt = finalise_jobs.pop()
                return candidate(
                    f"/questions/{question_id}/attempts/{attempt}/finalise",
                    "POST",
                    {"chunks": 3},
                    who=who,
                )

            invitation_id = invitations.find_by_token(tokens[0]).invitation_id
            results = [
                measure(
                    "candidate open (GET /candidate/session)",
                    lambda: candidate("/session"),
                    counter,
                    args.repeat,
                ),
                measure("upload grant (POST …/attempts)", grant, counter, args.repeat),
                measure("finalise (POST …/finalise)", finalise, counter, args.repeat),
                measure(
                    f"pipeline page of 100 of {args.candidates}",
                    lambda: api.http.get(
                        f"/interviews/{interview.interview_id}/pipeline?limit=100", headers=auth
                    ),
                    counter,
                    args.repeat,
                ),
                measure(
                    "candidate detail (GET /invitations/{id})",
                    lambda: api.http.get(f"/invitations/{invitation_id}", headers=auth),
                    counter,
                    args.repeat,
                ),
                measure(
                    "save review (PUT …/review)",
                    lambda: api.http.put(
                        f"/invitations/{invitation_id}/review",
                        headers=auth,
                        body=json.dumps({"scores": {question_id: {criterion: 4}}}),
                    ),
                    counter,
                    args.repeat,
                ),
            ]

    candidate_routes = ("candidate open", "upload grant", "finalise")
    for row in results:
        # Recruiter routes also read the caller's team record on every request (see auth.py).
        row["target"] = 3 if row["route"].startswith(candidate_routes) else 4
    print()
    print(
        f"{'route':45} {'ddb calls':>9} {'target':>6} {'median ms':>10} {'p95 ms':>8}  "
        "operations per request"
    )
    for row in results:
        ops = ", ".join(f"{k} {v:g}" for k, v in row["operations"].items())
        print(
            f"{row['route']:45} {row['dynamodb_calls']:>9} {'<= ' + str(row['target']):>6} "
            f"{row['median_ms']:>10} {row['p95_ms']:>8}  {ops}"
        )
    scans = sum(row["operations"].get("Scan", 0) for row in results)
    print(
        f"\nScan operations: {scans:g}; routes over their DynamoDB call target: "
        f"{[r['route'] for r in results if r['dynamodb_calls'] > r['target']] or 'none'}"
    )
    peak = peak_rss_mb()
    print(
        f"seeding {args.candidates} candidates: {seed_seconds:.1f} s "
        f"(target <= {SEED_SECONDS_TARGET:.0f} s); peak RSS {peak:.0f} MB "
        f"(target < {PEAK_RSS_TARGET_MB} MB); whole run {time.perf_counter() - run_started:.0f} s "
        f"(limit {args.max_seconds:.0f} s)"
    )
    return 0 if peak < PEAK_RSS_TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
