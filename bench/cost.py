"""Cost bench: what an interview (5 questions x 2 minutes) costs on AWS, run on the local stack.

Runs the real local stack (moto, the Chalice API, the upload poller feeding the real media
worker) in this process and plays a whole interview through it over HTTP, as the console and
the candidate site do: the recruiter signs in, creates a 5-question interview and invites a
candidate; the candidate opens the link, consents, and for each question opens it, starts
an attempt, POSTs ~1 s chunks of a real recording to S3 with the presigned grants, and
finalises; the worker makes the playable media; the recruiter reviews (pipeline, candidate
page, scores); then N reviewers play every answer (`--views`). One interview per worker
path, each with recordings in the shape browsers upload (tests/drivers/media.py):
- copy:       fragmented MP4, H.264 + AAC (Safari, Chrome/Edge >= 126);
- copy_video: WebM, H.264 + Opus (Chrome's `video/webm;codecs=h264,opus`);
- transcode:  WebM, VP9 + Opus at 720p (Firefox, older Chrome).

Counted from the run, not assumed: every API request and its time; every DynamoDB call with
the request units its items cost (bench/cost_meter.py); every S3 request (the browser's
chunk POSTs, the API's and the worker's calls, the players' GETs) and SQS request; the
emails moto's SES recorded; the worker's billed duration (its wall time per invocation,
since Lambda bills duration, not CPU) and its CPU seconds, with ffmpeg's threads set by the
deployed memory size (read from infra/stacks); the bytes the media and posters hold in S3,
and the raw chunks' bytes for as long as they lived. Prices come from
chalicelib/domain/costs.py only.

Target: <= $0.01 per interview for processing, requests and a month's storage; playback
(the bytes and GETs of `--views` full reviews) is shown separately. Timing figures are
printed with the load average: wall time under load inflates the processing cost.

    .venv/bin/python bench/cost.py               # 5 x 120 s, three paths (~5-8 minutes)
    .venv/bin/python bench/cost.py --quick       # 5 x 20 s
    .venv/bin/python bench/cost.py --paths copy,transcode --views 5 --region eu-west-1
"""

from __future__ import annotations

import argparse
import ast
import html
import json
import os
import re
import resource
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")  # no EMF lines among the figures

from bench.cost_meter import WORKER_BUSY, Meter, Tally, uncounted  # noqa: E402
from bench.limits import watchdog  # noqa: E402
from infra.local.provisioning import REGION  # noqa: E402
from infra.resources import PROBE_EXPIRY_DAYS, PROBE_PREFIX  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "media"
TARGET_USD = 0.01
MONTH_DAYS = 30
GB = 1024**3
PATHS = {
    "copy": ("mp4_h264_aac", "video/mp4;codecs=avc1.42E01F,mp4a.40.2"),
    "copy_video": ("webm_h264_opus", "video/webm;codecs=h264,opus"),
    "transcode": ("webm_vp9_opus", "video/webm;codecs=vp9,opus"),
}
TOKEN_IN_LINK = re.compile(r"#token=([A-Za-z0-9_-]+)")
SETTLE_SECONDS = 600.0  # the longest wait for one answer's worker run


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}/{fifteen:.2f}"


# --- what is deployed -----------------------------------------------------------------------


def deployed_keyword(source: Path, keyword: str) -> int:
    """The value a CDK construct passes as `keyword=` in `source` (a literal or a module
    constant), so the bench prices the size that is actually deployed."""
    tree = ast.parse(source.read_text())
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == keyword:
            if isinstance(node.value, ast.Constant):
                return int(node.value.value)
            if isinstance(node.value, ast.Name) and node.value.id in constants:
                return int(constants[node.value.id])
    raise LookupError(f"no {keyword}= in {source}")


def api_memory_mb() -> int:
    """The API function's memory in the `prod` stage of .chalice/config.json."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return int(
        config["stages"].get("prod", {}).get("lambda_memory_size") or config["lambda_memory_size"]
    )


# --- the worker's invocations ---------------------------------------------------------------


@dataclass
class Invocation:
    wall_seconds: float
    cpu_seconds: float
    records: int
    loadavg: tuple[float, float, float]


class WorkerClock:
    """Times each call of the media worker's Lambda handler, as Lambda bills it (wall time),
    and its CPU: the handler thread's own and its ffmpeg children's."""

    def __init__(self) -> None:
        self.invocations: list[Invocation] = []
        self._lock = threading.Lock()

    def install(self) -> None:
        from media_worker import handler as module

        original = module.handler

        def timed(event: dict[str, Any], context: Any) -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            WORKER_BUSY.set()
            try:
                return original(event, context)
            finally:
                WORKER_BUSY.clear()
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                child_cpu = (after.ru_utime - children.ru_utime) + (
                    after.ru_stime - children.ru_stime
                )
                with self._lock:
                    self.invocations.append(
                        Invocation(
                            time.perf_counter() - started,
                            time.thread_time() - cpu + child_cpu,
                            len(event.get("Records", [])),
                            os.getloadavg(),
                        )
                    )

        module.handler = timed  # the local poller looks it up on every batch

    def take(self) -> list[Invocation]:
        with self._lock:
            taken, self.invocations = self.invocations, []
        return taken


# --- the run --------------------------------------------------------------------------------


@dataclass
class PathRun:
    """What one interview on one worker path used, phase by phase."""

    path: str
    shape: str
    media_seconds: float
    recording_bytes: int = 0
    api: dict[str, list[float]] = field(default_factory=dict)  # phase -> request seconds
    tallies: dict[str, Tally] = field(default_factory=dict)  # phase -> all sources
    worker_tally: Tally = field(default_factory=Tally)
    emails: dict[str, int] = field(default_factory=dict)
    invocations: list[Invocation] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    media_bytes: int = 0
    poster_bytes: int = 0
    media_objects: int = 0
    raw_left_bytes: int = 0
    raw_byte_seconds: float = 0.0
    probe_bytes: int = 0  # the device check's uploads, kept until a lifecycle rule expires them
    playback_bytes: int = 0
    playback_gets: int = 0
    settle_seconds: list[float] = field(default_factory=list)
    retention_days: int = 0


class Client:
    """The console's and the candidate site's HTTP calls, timed and counted by phase."""

    def __init__(self, site_url: str, meter: Meter) -> None:
        self.stack = SimpleNamespace(url=site_url)  # what tests.drivers.local_stack.call reads
        self.meter = meter
        self.phase = "setup"
        self.seconds: dict[str, list[float]] = {}

    def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        invitation: str | None = None,
        expect: tuple[int, ...] = (200, 201, 204),
    ) -> Any:
        from tests.drivers.local_stack import call

        started = time.perf_counter()
        status, reply = call(
            self.stack, method, f"/api{path}", body, token=token, invitation_token=invitation
        )
        self.seconds.setdefault(self.phase, []).append(time.perf_counter() - started)
        if status not in expect:
            raise RuntimeError(f"{method} {path} answered {status}: {reply}")
        return reply

    def post_chunk(self, grant: dict[str, Any], index: int, data: bytes) -> None:
        from tests.drivers.local_stack import post_chunk

        assert post_chunk(grant, index, data, timeout=60) == 204
        self.meter.count_external("browser", "s3", "PostObject")

    def play(self, url: str) -> int:
        """A player fetching a whole object through its presigned GET; returns its bytes."""
        size = 0
        with urllib.request.urlopen(url, timeout=60) as reply:  # noqa: S310 - loopback moto
            while block := reply.read(1 << 20):
                size += len(block)
        self.meter.count_external("browser", "s3", "GetObject")
        return size


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.meter = Meter()
        if args.trace_dynamodb:
            self.meter.trace = []
        self.clock = WorkerClock()
        self.stack: Any = None

    # -- AWS state, read without being counted ------------------------------------------------

    def s3_objects(self, prefix: str) -> dict[str, int]:
        from chalicelib.adapters.aws import client

        found: dict[str, int] = {}
        with uncounted():
            pages = client("s3").get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                found.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
        return found

    def items(self) -> list[dict[str, Any]]:
        """The whole (small, local) table, to watch answers settle; never counted."""
        reader, found, start = self.meter.reader(), [], None
        with uncounted():
            while True:
                page = reader.scan(
                    TableName=self.table, **({"ExclusiveStartKey": start} if start else {})
                )
                found += page["Items"]
                if not (start := page.get("LastEvaluatedKey")):
                    return found

    def sent_mail(self) -> list[Any]:
        """SES's sent messages, read from the moto backend this process runs.

        Not through `/moto-api/data.json`: once the worker has
        stored media in a multipart upload, moto fails to serialise its S3 state there.
        """
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)

    def emails_sent(self) -> int:
        """Emails as SES bills them: one per recipient of each message."""
        total = 0
        for message in self.sent_mail():
            to = message.destinations
            total += sum(len(v) for v in to.values()) if isinstance(to, dict) else len(to or [1])
        return total

    def take(self, run: PathRun, phase: str) -> None:
        """Book what was counted since the last take under `phase`."""
        tallies = self.meter.take()
        total = Tally()
        for source, tally in tallies.items():
            if source == "worker":
                run.worker_tally.add(tally)
            total.add(tally)
        run.tallies[phase] = total
        emails = self.emails_sent()
        run.emails[phase] = emails - self._emails
        self._emails = emails

    # -- the stack ------------------------------------------------------------------------

    def start(self) -> None:
        from infra.local.stack import LocalStack
        from tests.drivers.local_stack import free_port

        self.worker_mb = deployed_keyword(ROOT / "infra" / "stacks" / "worker.py", "memory_size")
        self.worker_batch = deployed_keyword(ROOT / "infra" / "stacks" / "worker.py", "batch_size")
        self.api_mb = api_memory_mb()
        # ffmpeg's threads follow the vCPUs the deployed memory buys (media_worker.transcode).
        os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(self.worker_mb)
        self.meter.install()
        self.clock.install()
        self.stack = LocalStack(port=free_port(), moto_port=free_port(), sweep_seconds=24 * 3600.0)
        self.stack.start()
        self.table = self.stack.settings["TABLE_NAME"]
        self.bucket = self.stack.settings["MEDIA_BUCKET"]
        self.meter.describe_table(self.table)
        self.client = Client(self.stack.site_url, self.meter)
        self._emails = self.emails_sent()
        self.meter.take()  # provisioning and the demo seed are not an interview
        if self.meter.trace is not None:
            self.meter.trace.clear()

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()

    # -- one interview ----------------------------------------------------------------------

    def interview(self, path: str, chunks: list[bytes], seconds: float) -> PathRun:
        shape, mime = PATHS[path]
        run = PathRun(path, shape, seconds * self.args.questions, sum(map(len, chunks)))
        api, state = self.client, self.stack.demo
        self.meter.take()
        self.clock.take()
        media_before = self.s3_objects("media/")

        # The recruiter: sign in, create the interview, invite one candidate.
        api.phase = "recruiter"
        token = api.api(
            "POST", "/auth/signin", {"email": state["email"], "password": state["password"]}
        )["id_token"]
        questions = [
            {
                "text": f"Question {n + 1}: tell us about a project you are proud of.",
                "max_answer_seconds": max(10, int(seconds) + 10),
                "think_seconds": 30,
                "retakes": 1,
            }
            for n in range(self.args.questions)
        ]
        interview = api.api(
            "POST",
            "/interviews",
            {
                "title": f"Cost bench, {path}",
                "questions": questions,
                "rubric": [{"name": "Clarity", "anchors": ["1", "2", "3", "4", "5"]}],
            },
            token=token,
        )
        email = f"cost-{path.replace('_', '-')}-{int(time.time())}@example.com"
        api.api(
            "POST",
            f"/interviews/{interview['interview_id']}/invitations",
            {"candidates": [{"name": "Casey Cost", "email": email}]},
            token=token,
        )
        self.take(run, "recruiter")
        [message] = [
            m
            for m in self.sent_mail()
            if email in getattr(m, "destinations", {}).get("ToAddresses", [])
        ]
        candidate = TOKEN_IN_LINK.search(html.unescape(str(message.body))).group(1)

        # The candidate: open, consent, then each question as the site records it.
        api.phase = "candidate"
        session = api.api("GET", "/candidate/session", invitation=candidate)
        api.api("POST", "/candidate/consent", {"accepted": True}, invitation=candidate)
        self.network_check(candidate)
        question_ids = {q["question_id"] for q in session["questions"]}
        for question in session["questions"]:
            qid = question["question_id"]
            api.api("POST", f"/candidate/questions/{qid}/open", invitation=candidate)
            started = api.api(
                "POST",
                f"/candidate/questions/{qid}/attempts",
                {"mime_type": mime},
                invitation=candidate,
            )
            attempt_path = f"/candidate/questions/{qid}/attempts/{started['attempt']}"
            grant, posted = started["upload"], []
            for index, chunk in enumerate(chunks):
                if str(index) not in grant.get("chunks", {str(index): None}):
                    grant = api.api(
                        "POST", f"{attempt_path}/grant?first_chunk={index}", invitation=candidate
                    )["upload"]
                api.post_chunk(grant, index, chunk)
                posted.append((time.monotonic(), len(chunk)))
            finalised_at = time.monotonic()
            api.api(
                "POST", f"{attempt_path}/finalise", {"chunks": len(chunks)}, invitation=candidate
            )
            settled_at = self.wait_settled(qid, int(started["attempt"]))
            run.settle_seconds.append(settled_at - finalised_at)
            print(
                f"  answer {len(run.settle_seconds)}/{len(session['questions'])} ready "
                f"{settled_at - finalised_at:.1f} s after finalise - {load()}",
                flush=True,
            )
            # A chunk is stored from its POST until the worker deletes it (checked below).
            run.raw_byte_seconds += sum(size * (settled_at - at) for at, size in posted)
        api.api("POST", "/candidate/complete", invitation=candidate)
        self.take(run, "candidate")
        run.invocations = self.clock.take()
        run.raw_left_bytes = sum(self.s3_objects("raw/").values())
        probes = self.s3_objects(PROBE_PREFIX)
        run.probe_bytes = sum(probes.values())
        self.forget(list(probes))

        # The recruiter's review: sign in, the pipeline, the candidate's page, scores.
        api.phase = "review"
        token = api.api(
            "POST", "/auth/signin", {"email": state["email"], "password": state["password"]}
        )["id_token"]
        pipeline = api.api("GET", f"/interviews/{interview['interview_id']}/pipeline", token=token)
        [row] = [r for r in pipeline["candidates"] if r["candidate_email"] == email]
        invitation_id = row["invitation_id"]
        detail = api.api("GET", f"/invitations/{invitation_id}", token=token)
        criterion = interview["rubric"][0]["criterion_id"]
        api.api(
            "PUT",
            f"/invitations/{invitation_id}/review",
            {"scores": {qid: {criterion: 4} for qid in question_ids}},
            token=token,
        )
        self.take(run, "review")
        run.answers = [
            {
                k: a.get(k)
                for k in ("status", "duration_seconds", "processing_path", "worker_seconds")
            }
            for a in self.answer_items(question_ids)
        ]
        run.retention_days = self.retention_days()

        # N reviewers play every answer through the page's presigned links.
        api.phase = "views"
        for _ in range(self.args.views):
            page = api.api("GET", f"/invitations/{invitation_id}", token=token)
            for answer in page.get("answers", detail.get("answers", [])):
                for key in ("video_url", "poster_url"):
                    if answer.get(key):
                        run.playback_bytes += api.play(answer[key])
                        run.playback_gets += 1
        self.take(run, "views")
        run.api = {
            phase: api.seconds.pop(phase, [])
            for phase in ("recruiter", "candidate", "review", "views")
        }

        # What stays stored: this interview's media and posters.
        added = {k: v for k, v in self.s3_objects("media/").items() if k not in media_before}
        run.media_objects = len(added)
        run.poster_bytes = sum(v for k, v in added.items() if k.endswith((".jpg", ".jpeg")))
        run.media_bytes = sum(added.values()) - run.poster_bytes
        self.forget(list(added))
        return run

    def network_check(self, candidate: str) -> None:
        """The device check's uplink test as static_site/candidate/network.js runs it: a
        ~96 KB probe, then one of at most 480 KB, each its own presigned POST."""
        for size in (96 * 1024, 480 * 1024):
            grant = self.client.api(
                "POST", "/candidate/network-check", invitation=candidate, expect=(200, 201, 404)
            )
            if not isinstance(grant, dict) or "fields" not in grant:
                return  # an API without the uplink test: nothing to count
            fields = dict(grant["fields"])
            fields.setdefault("Content-Type", "application/octet-stream")
            upload = {"url": grant["url"], "fields": fields, "chunk_key_template": fields["key"]}
            self.client.post_chunk(upload, 0, os.urandom(min(size, int(grant["max_bytes"]))))

    def answer_items(self, question_ids: set[str]) -> list[dict[str, Any]]:
        """This interview's answers as stored, in plain values."""
        found = []
        for item in self.items():
            if (
                item.get("question_id", {}).get("S") in question_ids
                and "attempt" in item
                and "status" in item
            ):
                found.append({k: next(iter(v.values())) for k, v in item.items()})
        return found

    def wait_settled(self, question_id: str, attempt: int) -> float:
        """Wait (reading the table uncounted) until the worker has made the answer ready."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            for answer in self.answer_items({question_id}):
                if int(answer["attempt"]) == attempt and answer["status"] in ("ready", "failed"):
                    if answer["status"] != "ready":
                        raise RuntimeError(f"answer failed: {answer.get('error_reason')}")
                    return time.monotonic()
            time.sleep(0.25)
        raise TimeoutError(f"answer {question_id}/{attempt} not ready in {SETTLE_SECONDS:.0f} s")

    def retention_days(self) -> int:
        """The demo company's retention setting (what its recordings are kept for)."""
        for item in self.items():
            if "retention_days" in item:
                return int(item["retention_days"]["N"])
        from chalicelib.data.models import Company

        return int(Company.retention_days.default)

    def forget(self, keys: list[str]) -> None:
        """Delete what a path stored once it is measured, so moto's memory stays bounded."""
        from chalicelib.adapters.aws import client

        with uncounted():
            for start in range(0, len(keys), 1000):
                batch = [{"Key": k} for k in keys[start : start + 1000]]
                client("s3").delete_objects(Bucket=self.bucket, Delete={"Objects": batch})


# --- pricing and the report -----------------------------------------------------------------


def consumption(bench: Bench, run: PathRun) -> tuple[Any, Any, Any, Any]:
    """(interview for a month's storage, the same for the configured retention, playback,
    the interview with the worker billed at its CPU floor: CPU seconds over the vCPUs its
    memory buys, what an uncontended machine would approach)."""
    from chalicelib.domain.costs import Consumption

    phases = ("recruiter", "candidate", "review")
    tally = Tally()
    for phase in phases:
        tally.add(run.tallies[phase])
    # S3 sends one SQS message per finalised attempt (its manifest's event); the worker's
    # poller received each of them.
    notifications = run.worker_tally.sqs_messages_received
    stored = (run.media_bytes + run.poster_bytes) / GB
    raw_months = run.raw_byte_seconds / GB / (MONTH_DAYS * 86400)
    raw_months += run.probe_bytes / GB * PROBE_EXPIRY_DAYS / MONTH_DAYS
    month = Consumption(
        worker_seconds=sum(i.wall_seconds for i in run.invocations),
        worker_memory_mb=bench.worker_mb,
        worker_invocations=sum(-(-i.records // bench.worker_batch) for i in run.invocations),
        api_requests=sum(len(run.api[p]) for p in phases),
        api_seconds=sum(sum(run.api[p]) for p in phases),
        api_memory_mb=bench.api_mb,
        dynamodb_read_units=tally.read_units,
        dynamodb_write_units=tally.write_units,
        s3_puts=tally.s3_puts,
        s3_gets=tally.s3_gets,
        sqs_requests=tally.sqs_requests + notifications,
        emails=sum(run.emails[p] for p in phases),
        stored_gb_months=stored + raw_months,
    )
    retained = replace(
        month, stored_gb_months=stored * run.retention_days / MONTH_DAYS + raw_months
    )
    views = run.tallies["views"]
    playback = Consumption(
        api_requests=len(run.api["views"]),
        api_seconds=sum(run.api["views"]),
        api_memory_mb=bench.api_mb,
        dynamodb_read_units=views.read_units,
        dynamodb_write_units=views.write_units,
        s3_gets=views.s3_gets,
        egress_bytes=run.playback_bytes,
    )
    floor = replace(
        month, worker_seconds=sum(i.cpu_seconds for i in run.invocations) / vcpus(bench)
    )
    return month, retained, playback, floor


def vcpus(bench: Bench) -> float:
    """The vCPUs the worker can keep busy: its ffmpeg threads, capped by what memory buys."""
    from media_worker.transcode import LAMBDA_MB_PER_VCPU, ffmpeg_threads

    return min(float(ffmpeg_threads()), bench.worker_mb / LAMBDA_MB_PER_VCPU)


def usd(value: float) -> str:
    return f"${value:.5f}"


def report(bench: Bench, runs: list[PathRun], args: argparse.Namespace) -> bool:
    from chalicelib.domain.costs import estimate, prices_for

    prices = prices_for(args.region)
    archs = ("x86_64", "arm64")
    print(
        f"\n== measured per interview ({args.questions} questions x {args.seconds:g} s); "
        f"worker {bench.worker_mb} MB (infra/stacks/worker.py), API {bench.api_mb} MB "
        f"(.chalice/config.json prod) =="
    )
    for run in runs:
        wall = sum(i.wall_seconds for i in run.invocations)
        cpu = sum(i.cpu_seconds for i in run.invocations)
        loads = [i.loadavg[0] for i in run.invocations] or [0.0]
        tally = Tally()
        for phase in ("recruiter", "candidate", "review"):
            tally.add(run.tallies[phase])
        paths = sorted(
            {str(a.get("processing_path")) for a in run.answers if a.get("processing_path")}
        )
        stored_ws = [float(a["worker_seconds"]) for a in run.answers if a.get("worker_seconds")]
        print(
            f"\n[{run.path}] {run.shape}, {run.media_seconds:g} s of media, "
            f"{run.recording_bytes / 1e6:.1f} MB recorded per answer"
        )
        print(
            f"  worker: {len(run.invocations)} invocations, billed {wall:.1f} s (the handler's "
            f"wall time, {wall / run.media_seconds:.3f}x realtime), {cpu:.1f} CPU s (handler "
            f"thread + ffmpeg, {cpu / run.media_seconds:.3f} per media s); "
            f"load during runs {min(loads):.2f}-{max(loads):.2f} ({load()} now)"
        )
        print(
            f"  answers: {[a['status'] for a in run.answers]}; path(s) the worker reported: "
            f"{paths or 'not recorded on the answer'}; worker_seconds on answers (download to "
            f"stored): {f'{sum(stored_ws):.1f} s' if stored_ws else 'not recorded'}; "
            f"finalise->ready {min(run.settle_seconds):.1f}-{max(run.settle_seconds):.1f} s"
        )
        if paths and paths != [run.path]:
            print(f"  WARNING: a {run.shape} upload should take the {run.path} path, not {paths}")
        requests = {p: len(run.api[p]) for p in ("recruiter", "candidate", "review")}
        print(
            f"  API requests: {sum(requests.values())} {requests}, "
            f"{sum(sum(run.api[p]) for p in requests):.2f} s"
        )
        print(
            f"  DynamoDB: {tally.count('dynamodb')} calls, {tally.read_units:g} RRU, "
            f"{tally.write_units:g} WRU (worker: {run.worker_tally.count('dynamodb')} calls, "
            f"{run.worker_tally.read_units:g} RRU, {run.worker_tally.write_units:g} WRU)"
        )
        phases = ", ".join(
            f"{phase} {run.tallies[phase].read_units:g}/{run.tallies[phase].write_units:g}"
            for phase in ("recruiter", "candidate", "review")
        )
        operations = ", ".join(
            f"{op} {units:g}" for op, units in tally.units_by_operation.most_common()
        )
        print(f"    RRU/WRU by phase: {phases}; units by operation: {operations}")
        print(
            f"  S3: {tally.s3_puts} PUT-class ({tally.count('s3', 'PostObject')} browser "
            "POSTs: chunks, uplink probes), "
            f"{tally.s3_gets} GET-class; SQS: {tally.sqs_requests} requests + "
            f"{run.worker_tally.sqs_messages_received} S3 notifications "
            f"({tally.sqs_empty_receives} idle polls not counted); emails: "
            f"{sum(run.emails[p] for p in ('recruiter', 'candidate', 'review'))}; Cognito: "
            f"{tally.count('cognito-idp')} calls (priced per monthly active user, not here)"
        )
        print(
            f"  stored: media {run.media_bytes / 1e6:.2f} MB + posters "
            f"{run.poster_bytes / 1e3:.0f} KB in {run.media_objects} objects; raw chunks "
            f"{run.raw_byte_seconds / 1e6 / 3600:.3f} MB-hours, uplink probes "
            f"{run.probe_bytes / 1e3:.0f} KB for {PROBE_EXPIRY_DAYS} day(s) "
            f"until deleted ({run.raw_left_bytes} bytes left under raw/); retention "
            f"{run.retention_days} days"
        )
        print(
            f"  playback: {args.views} full reviews = {run.playback_gets} presigned GETs, "
            f"{run.playback_bytes / 1e6:.2f} MB, {len(run.api['views'])} page loads"
        )

    print(f"\n== estimated AWS cost per interview, {prices.region} prices of {prices.as_of} ==")
    header = f"{'component':12}" + "".join(
        f"{run.path + ' ' + arch:>22}" for run in runs for arch in archs
    )
    print(header)
    estimates = {}
    for run in runs:
        measured = consumption(bench, run)
        for arch in archs:
            estimates[(run.path, arch)] = tuple(estimate(c, prices, arch) for c in measured)
    first = estimates[(runs[0].path, archs[0])][0]
    for component, _ in first.lines:
        print(
            f"{component:12}"
            + "".join(
                f"{usd(estimates[(r.path, a)][0].line(component)):>22}" for r in runs for a in archs
            )
        )
    ok = True
    print(
        f"{'total':12}"
        + "".join(f"{usd(estimates[(r.path, a)][0].total_usd):>22}" for r in runs for a in archs)
    )
    verdicts = []
    for r in runs:
        for a in archs:
            total = estimates[(r.path, a)][0].total_usd
            ok &= total <= TARGET_USD
            verdicts.append("ok" if total <= TARGET_USD else "OVER")
    print(f"{'target':12}" + "".join(f"{'<= $0.01 ' + v:>22}" for v in verdicts))
    print(
        f"{'cpu floor':12}"
        + "".join(f"{usd(estimates[(r.path, a)][3].total_usd):>22}" for r in runs for a in archs)
        + f"   (total with the worker billed CPU s / {vcpus(bench):.2f} vCPUs: an idle machine)"
    )
    print(
        f"{'retention':12}"
        + "".join(f"{usd(estimates[(r.path, a)][1].total_usd):>22}" for r in runs for a in archs)
        + f"   (storage kept {runs[0].retention_days} days, the configured retention)"
    )
    print(
        f"{'+' + str(args.views) + ' reviews':12}"
        + "".join(f"{usd(estimates[(r.path, a)][2].total_usd):>22}" for r in runs for a in archs)
        + "   (playback: egress + GETs + page loads)"
    )
    print(
        "\n'playback' in the interview's table holds only the worker's S3 GETs of the chunks;\n"
        f"{args.views} full reviews add the row '+{args.views} reviews' (every answer played once "
        "per "
        "reviewer, bytes out to the internet at the first tier, no CloudFront free tier).\n"
        "arm64: the same billed duration priced at arm64's GB-second rate. This is an assumption,\n"
        "not a measurement: the worker image is built for x86_64 (infra/stacks/worker.py), and\n"
        "x264/libvpx on Graviton run slower per core than on x86 with AVX2, so a real arm64\n"
        "transcode may take longer and save less than the 20% price gap; the copy paths do\n"
        "almost no encoding and would save about that gap.\n"
        "Not per interview (and not counted): the reminder sweep's schedule, the event source\n"
        "mappings' idle polls of the queues, Cognito's monthly active users, DynamoDB storage."
    )
    print_constants(bench, runs)
    return ok


def print_constants(bench: Bench, runs: list[PathRun]) -> None:
    """The figures `costs.per_month` multiplies by a month's counts, named as in costs.py.

    Its per-interview constants cover what its usage counters do not count: the candidate's
    and the reviewer's requests and every DynamoDB unit (the worker's included); the
    recruiter's setup (sign-in, interview, invitation) is printed beside them.
    """
    print("\n== constants for chalicelib/domain/costs.py (measured per completed interview) ==")
    first = runs[0]
    scope = ("candidate", "review")
    tally = Tally()
    for phase in scope:
        tally.add(first.tallies[phase])
    seconds = [s for phase in scope for s in first.api[phase]]
    runs_made = len(first.invocations) or 1
    browser_posts = sum(first.tallies[p].count("s3", "PostObject") for p in scope)
    answers_viewed = max(1, bench.args.views * bench.args.questions)
    setup = first.tallies["recruiter"]
    print(
        f"# from the {first.path} interview; the API and DynamoDB figures are the same flow on "
        f"every path ({load()}: request seconds grow with the load)"
    )
    print(f"API_REQUESTS_PER_INTERVIEW = {len(seconds)}")
    print(f"API_SECONDS_PER_REQUEST = {sum(seconds) / max(1, len(seconds)):.3f}")
    print(f"DYNAMODB_READ_UNITS_PER_INTERVIEW = {tally.read_units:.1f}")
    print(f"DYNAMODB_WRITE_UNITS_PER_INTERVIEW = {tally.write_units:.1f}")
    emails = sum(n for phase, n in first.emails.items() if phase != "views")
    print(f"REQUEST_EMAILS_PER_INTERVIEW = {emails}")
    print(
        "SQS_REQUESTS_PER_RUN = "
        f"{(tally.sqs_requests + first.worker_tally.sqs_messages_received) / runs_made:g}"
    )
    print(f"S3_PUTS_PER_RUN = {(tally.s3_puts - browser_posts) / runs_made:g}")
    print(
        f"S3_GETS_PER_VIEW = {first.playback_gets / answers_viewed:g}  # one whole GET per object"
    )
    print(
        f"# recruiter setup, once per interview and invitation: {len(first.api['recruiter'])} "
        f"requests, {setup.read_units:g} RRU, {setup.write_units:g} WRU"
    )
    for run in runs:
        minutes = run.media_seconds / 60
        recorded = sum(float(a.get("worker_seconds") or 0) for a in run.answers)
        billed = sum(i.wall_seconds for i in run.invocations)
        print(f"# {run.path} path ({run.shape})")
        print(f"WORKER_SECONDS_PER_MEDIA_MINUTE = {billed / minutes:.2f}")
        if recorded:
            # Lambda bills the whole invocation; the answer records download-to-stored.
            print(f"INVOCATION_SECONDS_PER_RECORDED_WORKER_SECOND = {billed / recorded:.3f}")
        print(
            f"STORED_BYTES_PER_MEDIA_MINUTE = {(run.media_bytes + run.poster_bytes) / minutes:.0f}"
        )


def recording_chunks(path: str, seconds: float) -> list[bytes]:
    """One recording in the path's browser shape, cut as MediaRecorder hands it over."""
    from tests.drivers.media import browser_recording, split_chunks

    shape = PATHS[path][0]
    recording = browser_recording(shape, seconds, CACHE)
    return split_chunks(recording, 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 questions x 20 s")
    parser.add_argument(
        "--paths", default=",".join(PATHS), help="comma-separated: " + ",".join(PATHS)
    )
    parser.add_argument("--views", type=int, default=3, help="full reviews played (default 3)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=None, help="answer length (120; 20 quick)")
    parser.add_argument(
        "--trace-dynamodb", action="store_true", help="list every priced DynamoDB call"
    )
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    parser.add_argument("--max-rss-mb", type=float, default=3072.0)
    args = parser.parse_args()
    args.seconds = args.seconds or (20.0 if args.quick else 120.0)
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = [p for p in paths if p not in PATHS]
    if unknown:
        parser.error(f"unknown path(s) {unknown}; choose from {list(PATHS)}")
    watchdog(args.max_seconds, args.max_rss_mb)
    began = time.perf_counter()

    print(
        f"making recordings ({', '.join(PATHS[p][0] for p in paths)}, {args.seconds:g} s, "
        f"720p) - {load()}"
    )
    for path in paths:
        recording_chunks(path, args.seconds)  # cached in bench/.cache/media

    bench = Bench(args)
    runs = []
    try:
        bench.start()
        for path in paths:
            chunks = recording_chunks(path, args.seconds)
            print(
                f"interview on the {path} path: {len(chunks)} chunks per answer - {load()}",
                flush=True,
            )
            runs.append(bench.interview(path, chunks, args.seconds))
            del chunks
    finally:
        bench.stop()
    if bench.meter.trace is not None:
        print("\n== priced DynamoDB calls (source, operation, RRU, WRU, sort keys) ==")
        for row in bench.meter.trace:
            print("  ", *row)
    ok = report(bench, runs, args)
    print(
        f"\nwhole run {time.perf_counter() - began:.0f} s (limit {args.max_seconds:.0f} s); "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; {load()}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
