"""Time to playable: stop→ready of a recorded answer on the local stack, per worker path.

Starts its own local stack (`python -m infra.local`, free loopback ports), creates an
interview (one video question, no think time) and one invitation per row through the API, and
answers as the candidate site does: session, consent, open the question, start an attempt
(the recorder's MIME type), a presigned POST per ~1 s chunk (asking for the next window's
grant when the current one ends), then finalise. The clock starts when finalise answers (the
moment the site says "Saved") and stops when the candidate API reports the answer `ready`
(polled every `--poll-ms`); the moment its media object appeared in S3 is noted too.

Inputs are 720p recordings in the shapes browsers produce (pinned ffmpeg, cached under
bench/.cache/playable): fragmented MP4 H.264/AAC (Safari, Chrome ≥ 126) for the `copy`
path, Matroska H.264/Opus (Chrome's `video/webm;codecs=h264,opus`) for `copy_video`, VP9/Opus
WebM (headless Chromium) for `transcode`. A row fails loudly when the answer's recorded
`processing_path` is not the one its input must take.

Beside each row: plain ffmpeg doing the worker's job on the joined file (the worker's own
`ffmpeg_args`, same threads), and the worker's overhead over it, in wall time and in CPU
seconds (the worker runs in its own process, as in its own Lambda container, so its CPU is
read from /proc; CPU barely moves with the machine's load, wall time does). Then where the
time went, from the worker's `answer ready` log line (`stage_seconds`) and the bench's clock:
the wait before the worker started (S3 event → SQS → poller), chunk downloads, join, the
media step (scan + ffmpeg + checks + poster), upload, DynamoDB writes, raw deletion, and what
the poll adds. Load average beside every row: two shared cores make every figure noisy.

The local stack is faster than AWS only where it cannot be helped: moto sends S3's event to
SQS inside the PUT and the poller's long poll returns as the message lands (AWS: S3 event
delivery typically 0.1 to 1 s, the SQS event source mapping a few tens of ms more, a container
Lambda cold start 1 to 5 s when no warm worker is left), and S3 is on loopback. Those AWS
additions are printed below the table, not hidden in it.

    .venv/bin/python bench/playable.py                 # 15, 60, 180 s x copy, copy_video, transcode
    .venv/bin/python bench/playable.py --quick         # 5, 15, 30 s
    .venv/bin/python bench/playable.py --paths copy --lengths 60 180
    .venv/bin/python bench/playable.py --worker in-process   # worker inside the stack's process
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media_worker import transcode as worker  # noqa: E402
from tests.drivers.candidate_site import (  # noqa: E402
    admin_token,
    create_interview,
    invite,
    s3,
    token_of,
)
from tests.drivers.local_stack import (  # noqa: E402
    RunningStack,
    candidate_call,
    free_port,
    moto_client,
    post_chunk,
    start_stack,
    stop_stack,
)

CACHE = ROOT / "bench" / ".cache" / "playable"
SIZE = (1280, 720)
CHUNK_SECONDS = 1.0  # the site's MediaRecorder timeslice


@dataclass(frozen=True)
class WorkerPath:
    """One worker path: the browser shape that must take it, and its stop→ready target."""

    shape: str
    mime_type: str
    target_s: float | None = None  # absolute, at the longest answer
    target_ratio: float | None = None  # share of the answer's length

    def target(self, seconds: float) -> float:
        return self.target_s if self.target_s is not None else (self.target_ratio or 0) * seconds

    def target_text(self) -> str:
        if self.target_s is not None:
            return f"≤ {self.target_s:g} s"
        return f"≤ {self.target_ratio:g} x len"


PATHS: dict[str, WorkerPath] = {
    "copy": WorkerPath("mp4_h264_aac", "video/mp4;codecs=avc1.42E01F,mp4a.40.2", target_s=2.0),
    "copy_video": WorkerPath("webm_h264_opus", "video/webm;codecs=h264,opus", target_s=4.0),
    "transcode": WorkerPath("webm_vp9_opus", "video/webm;codecs=vp9,opus", target_ratio=0.25),
}
OVERHEAD_TARGET = 0.10


def load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


# ---------------------------------------------------------------- inputs


def recording(shape: str, seconds: int) -> Path:
    """A 720p recording of `shape` at the site's bitrate, made once by the shared driver."""
    from tests.drivers.media import browser_recording

    before = {p.name for p in CACHE.glob("*")} if CACHE.exists() else set()
    path = browser_recording(shape, seconds, CACHE, size=SIZE)
    if path.name not in before:
        print(f"  generated {path.name}", flush=True)
    return path


def byte_chunks(path: Path) -> list[bytes]:
    """The pieces a 1 s MediaRecorder timeslice hands the uploader (shared driver)."""
    from tests.drivers.media import split_chunks

    return split_chunks(path, CHUNK_SECONDS)


# ---------------------------------------------------------------- one answer, as the site does


@dataclass
class Row:
    path: str
    seconds: int
    load_before: str = ""
    load_after: str = ""
    input_mb: float = 0.0
    chunks: int = 0
    finalise_s: float = 0.0  # finalise's own round trip, before "Saved"
    media_s: float | None = None  # Saved → media object listed in S3
    ready_s: float | None = None  # Saved → status ready seen by the candidate API
    status: str = ""
    saved_at: float | None = None  # wall clock (time.time) when finalise answered
    processing_path: str | None = None
    polls: int = 0
    worker_cpu: float | None = None  # the worker process's CPU seconds for this answer
    plain: dict[str, float] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)
    error: str = ""

    @property
    def expected(self) -> WorkerPath:
        return PATHS[self.path]

    def problems(self) -> list[str]:
        found = [self.error] if self.error else []
        if self.status != "ready":
            found.append(f"answer {self.status or 'never settled'}")
        if self.processing_path != self.path:
            found.append(f"took path {self.processing_path!r}, expected {self.path!r}")
        return found


class Candidate:
    """The candidate site's API calls for one invitation."""

    def __init__(self, stack: RunningStack, token: str) -> None:
        self.stack, self.token = stack, token

    def api(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, reply = candidate_call(self.stack, self.token, method, path, body)
        if status != expect:
            raise RuntimeError(f"{method} {path}: {status} {reply}")
        return reply


def invite_all(stack: RunningStack, interview: dict[str, Any], rows: int) -> list[str]:
    """Every row's candidate link, invited before any answer is stored.

    The links are read from the local outbox (moto's state dump), which fails once moto has
    stored a multipart upload (the worker's upload of a media file over 8 MB): ask first.
    """
    interview_id = interview["interview_id"]
    return [
        token_of(invite(stack, f"Bench candidate {n}", interview_id=interview_id)[0])
        for n in range(rows)
    ]


def answer_once(
    stack: RunningStack, token: str, row: Row, chunks: list[bytes], poll_s: float
) -> str:
    """Record, upload, finalise, poll until settled; returns the attempt's raw key prefix."""
    who = Candidate(stack, token)
    session = who.api("GET", "/session")
    who.api("POST", "/consent", {"accepted": True})
    question_id = session["questions"][0]["question_id"]
    who.api("POST", f"/questions/{question_id}/open")
    path = f"/questions/{question_id}/attempts"
    started = who.api("POST", path, {"mime_type": row.expected.mime_type}, expect=201)
    attempt_path = f"{path}/{started['attempt']}"
    grant = started["upload"]
    for index, chunk in enumerate(chunks):
        if str(index) not in grant.get("chunks", {}):
            grant = who.api("POST", f"{attempt_path}/grant?first_chunk={index}")["upload"]
        status = post_chunk(grant, index, chunk, timeout=60)
        if status != 204:
            raise RuntimeError(f"chunk {index}: S3 answered {status}")
    media_prefix = "media/" + grant["key_prefix"].removeprefix("raw/")
    bucket = stack.state["settings"]["MEDIA_BUCKET"]
    storage = s3(stack)

    sent = time.monotonic()
    answer = who.api("POST", f"{attempt_path}/finalise", {"chunks": len(chunks)})
    saved = time.monotonic()
    row.saved_at = time.time()
    row.finalise_s = saved - sent
    deadline = saved + 60 + 2 * row.seconds
    status = (answer or {}).get("status", "")
    while time.monotonic() < deadline:
        if row.media_s is None:
            listed = storage.list_objects_v2(Bucket=bucket, Prefix=media_prefix)
            if any(item["Key"].endswith(".mp4") for item in listed.get("Contents", [])):
                row.media_s = time.monotonic() - saved
        reply = who.api("GET", "/session")
        row.polls += 1
        status = next(
            (q["answer"] or {}).get("status", "")
            for q in reply["questions"]
            if q["question_id"] == question_id
        )
        if status in ("ready", "failed"):
            row.ready_s = time.monotonic() - saved
            break
        time.sleep(poll_s)
    row.status = status or "timed out"
    return grant["key_prefix"]


# ---------------------------------------------------------------- what the worker recorded


def answer_item(stack: RunningStack, key_prefix: str) -> dict[str, Any]:
    """The answer as stored (the worker's `processing_path`), read straight from the table."""
    from boto3.dynamodb.types import TypeDeserializer

    _company, _interview, invitation, question, attempt = key_prefix.strip("/").split("/")[1:]
    table = stack.state["settings"]["TABLE_NAME"]
    dynamodb = moto_client(stack, "dynamodb")
    scan = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="invitation_id = :i AND question_id = :q",
        ExpressionAttributeValues={":i": {"S": invitation}, ":q": {"S": question}},
    )
    items = [item for page in scan for item in page.get("Items", [])]
    deserialise = TypeDeserializer().deserialize
    for item in items:
        found = {name: deserialise(value) for name, value in item.items()}
        if int(found.get("attempt", 0)) == int(attempt):
            return found
    return {}


def worker_log(stack: RunningStack, key_prefix: str) -> dict[str, Any]:
    """The worker's `answer ready` log line for this attempt (JSON, from the stack's output)."""
    media = "media/" + key_prefix.removeprefix("raw/")
    deadline = time.monotonic() + 10  # written after the raw chunks are deleted
    while time.monotonic() < deadline:
        for line in stack.output().splitlines():
            if '"answer ready"' in line and media in line:
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    continue
        time.sleep(0.1)
    return {}


def drop_media(stack: RunningStack, key_prefix: str) -> None:
    """Moto keeps every object in memory: delete this answer's media once measured."""
    bucket = stack.state["settings"]["MEDIA_BUCKET"]
    storage = s3(stack)
    for prefix in (key_prefix, "media/" + key_prefix.removeprefix("raw/")):
        listed = storage.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        if listed:
            objects = [{"Key": item["Key"]} for item in listed]
            storage.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


# ---------------------------------------------------------------- CPU seconds


def worker_pid(stack: RunningStack) -> int | None:
    """The media worker's own process (`--worker process`): the stack's spawned child."""
    children = []
    for task in Path(f"/proc/{stack.process.pid}/task").glob("*"):  # the poller thread spawns it
        try:
            children += (task / "children").read_text().split()
        except OSError:
            continue
    for child in children:
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                return int(child)
        except OSError:
            continue
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """CPU a process and its finished children (the worker's ffmpeg runs) have used.

    Unlike wall time, barely changed by other work on the machine: the fair comparison
    with plain ffmpeg when the load average is high.
    """
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- plain ffmpeg beside it


def plain_ffmpeg(source: Path, path: str, scratch: Path) -> dict[str, float]:
    """The worker's ffmpeg run alone on the joined file, and its scan and poster beside it."""
    out_dir = scratch / f"plain-{uuid.uuid4().hex[:8]}"
    out_dir.mkdir()
    try:
        started = time.perf_counter()
        info = worker.probe(source)
        scanned = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        output = out_dir / "answer.mp4"
        args = worker_args(source, output, info, path)
        command = [worker.ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "error"]
        run = [*command, "-xerror", "-y", *args]  # as the worker's `_ffmpeg` runs it
        subprocess.run(run, check=True, capture_output=True, timeout=900)
        encoded = time.perf_counter()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker._poster(output, out_dir / "poster.jpg", info.duration_s)
        postered = time.perf_counter()
        return {
            "scan": scanned - started,
            "ffmpeg": encoded - scanned,
            "poster": postered - encoded,
            "ffmpeg_cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
        }
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def worker_args(source: Path, output: Path, info: Any, path: str) -> list[str]:
    """The worker's ffmpeg arguments for `path` on this input."""
    return worker.ffmpeg_args(source, output, info, "video", path)


# ---------------------------------------------------------------- the table


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


UNTIL_READY = ("claim", "download", "join", "media", "store", "ready")
HEADER = (
    f"{'path':<10} {'len':>5} {'input':>7} {'final.':>6} {'→media':>7} {'→ready':>7} "
    f"{'→seen':>7} {'x len':>6} {'target':>16} {'ffmpeg':>7} {'worker overhead':>23} "
    f"{'CPU-s worker/ffmpeg':>20} {'path taken':<11} load(1 min)"
)


def worker_ready_s(row: Row) -> float | None:
    """Saved → the worker's `ready` write, on the worker's own clock (no poll in it)."""
    stages = row.stages
    if "wait" not in stages:
        return None
    return stages["wait"] + sum(stages.get(name, 0.0) for name in UNTIL_READY)


def print_row(row: Row) -> None:
    """One answer: stop→ready beside its target, plain ffmpeg and the worker's overhead.

    Judged on `→seen` (when the candidate API first said `ready`), the later of the two.
    """
    expected = row.expected
    seen, ready = row.ready_s, worker_ready_s(row)
    ffmpeg = row.plain.get("ffmpeg")
    target = expected.target(row.seconds)

    def secs(value: float | None, width: int = 6) -> str:
        return f"{value:>{width}.2f}s" if value is not None else f"{'—':>{width + 1}}"

    if seen is not None and ffmpeg:
        extra = seen - ffmpeg
        share = extra / ffmpeg
        overhead = f"{extra:>+6.2f}s {share * 100:>+7.0f}% {verdict(share <= OVERHEAD_TARGET):<6}"
    else:
        overhead = f"{'—':>23}"
    ffmpeg_cpu = row.plain.get("ffmpeg_cpu")
    if row.worker_cpu is not None and ffmpeg_cpu:
        more = (row.worker_cpu / ffmpeg_cpu - 1) * 100
        cpu = f"{row.worker_cpu:>5.1f}/{ffmpeg_cpu:<5.1f} {more:>+6.0f}%"
    else:
        cpu = f"{'—':>20}"
    cells = [
        f"{row.path:<10}",
        f"{row.seconds:>4}s",
        f"{row.input_mb:>5.1f}MB",
        secs(row.finalise_s, 5),
        secs(row.media_s),
        secs(ready),
        secs(seen),
        f"{(seen or 0) / row.seconds:>5.2f}x",
        f"{expected.target_text():>9} {verdict(seen is not None and seen <= target):<6}",
        secs(ffmpeg),
        overhead,
        cpu,
        f"{row.processing_path or '?':<11}",
        f"{row.load_before}→{row.load_after}",
    ]
    print(" ".join(cells), flush=True)
    for problem in row.problems():
        print(f"    !! {row.path} {row.seconds}s: {problem}", flush=True)


def print_breakdown(rows: list[Row], poll_s: float) -> None:
    """Where stop→seen went, per row: the worker's own stage clock and the bench's."""
    names = ["wait", *UNTIL_READY, "seen"]
    print(
        "\nWhere stop→seen went (s). wait: Saved → worker started (S3 event, SQS, poller; "
        "negative = before finalise's answer arrived); claim: load + lease (DynamoDB);\n"
        "download: the chunks from S3; media: scan + ffmpeg + output checks + poster; store: "
        "upload to S3; ready: the answer's write (DynamoDB); seen: until the candidate API's\n"
        f"poll saw it (every {poll_s * 1000:.0f} ms). After ready, off the clock: usage "
        "(DynamoDB) and cleanup (raw chunks deleted). plain: the bench's own scan, ffmpeg and "
        "poster on the joined file."
    )
    print(
        f"{'path':<10} {'len':>5} "
        + " ".join(f"{n:>8}" for n in names)
        + f" {'usage':>6} {'cleanup':>7}  {'plain: scan ffmpeg poster':>26}  media-ffmpeg"
    )
    for row in rows:
        stages, plain = row.stages, row.plain
        cells = [f"{stages[n]:>8.2f}" if n in stages else f"{'—':>8}" for n in names]
        after = [f"{stages[n]:>{w}.2f}" if n in stages else f"{'—':>{w}}" for n, w in
                 (("usage", 6), ("cleanup", 7))]  # fmt: skip
        beside = (
            f"{plain['scan']:>8.2f} {plain['ffmpeg']:>7.2f} {plain['poster']:>6.2f}"
            if plain
            else f"{'—':>23}"
        )
        rest = (
            f"{stages['media'] - plain['ffmpeg']:>+8.2f}"
            if plain and "media" in stages
            else f"{'—':>8}"
        )
        print(
            f"{row.path:<10} {row.seconds:>4}s "
            + " ".join([*cells, *after])
            + f"  {beside}     {rest}"
        )


def stage_split(row: Row, log: dict[str, Any]) -> dict[str, float]:
    """The worker's logged stages, the wait before it started and the poll after `ready`.

    `wait` runs from "Saved" to the worker's start (negative when the manifest's event
    reached the worker before finalise's answer reached the browser); `seen` from the
    worker's `ready` write to the poll that saw it.
    """
    stages = {name: float(value) for name, value in (log.get("stage_seconds") or {}).items()}
    if not stages or row.ready_s is None or row.saved_at is None:
        return stages
    stages["wait"] = float(log["started_at"]) - row.saved_at
    stages["seen"] = row.ready_s - stages["wait"] - sum(stages[n] for n in UNTIL_READY)
    return stages


# ---------------------------------------------------------------- main


def warm_up(stack: RunningStack, token: str, poll_s: float) -> Row:
    """One short answer first: the stack's first job creates its clients and imports."""
    row = Row("copy", 5)
    prefix = answer_once(stack, token, row, byte_chunks(recording("mp4_h264_aac", 5)), poll_s)
    row.stages = stage_split(row, worker_log(stack, prefix))
    drop_media(stack, prefix)
    return row


def run(args: argparse.Namespace) -> list[Row]:
    lengths = args.lengths or ([5, 15, 30] if args.quick else [15, 60, 180])
    paths = args.paths or list(PATHS)
    poll_s = args.poll_ms / 1000
    inputs = {(p, s): recording(PATHS[p].shape, s) for p in paths for s in lengths}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="playable-") as tmp:
        scratch = Path(tmp)
        if args.worker == "process":
            # The worker in its own process, as in its own Lambda container: not sharing a
            # Python interpreter (and its lock) with the local S3, DynamoDB and API it calls.
            os.environ["ONEWAY_WORKER_PROCESSES"] = "1"
        stack = start_stack(scratch, free_port(), free_port())
        try:
            interview = create_interview(
                stack,
                {
                    "title": "Time to playable bench",
                    "questions": [
                        {
                            "text": "Talk for as long as the bench needs.",
                            "answer_type": "video",
                            "think_seconds": 0,
                            "max_answer_seconds": min(600, max(lengths) + 30),
                            "retakes": 0,
                        }
                    ],
                },
            )
            admin_token(stack)  # fail early if the demo login does not work
            tokens = invite_all(stack, interview, 1 + len(paths) * len(lengths))
            cold = warm_up(stack, tokens.pop(), poll_s)
            pid = worker_pid(stack) if args.worker == "process" else None
            print(
                f"720p inputs at the site's 1 Mbit/s, {CHUNK_SECONDS:g} s chunks by presigned "
                f"POST; ffmpeg threads {worker.ffmpeg_threads()}, {os.cpu_count()} CPUs. Clock "
                'from finalise\'s answer ("Saved"): →media = the MP4 listed in S3, →ready = '
                "the worker's ready write (its own clock),\n→seen = the candidate API said "
                "ready (judged against the target); ffmpeg = plain ffmpeg, the worker's "
                f"arguments, on the joined file; overhead = →seen - ffmpeg (target ≤ "
                f"{OVERHEAD_TARGET:.0%}); final. = finalise's round trip"
            )
            print(HEADER)
            for path in paths:
                for seconds in lengths:
                    row = Row(path, seconds)
                    source = inputs[(path, seconds)]
                    chunks = byte_chunks(source)
                    row.input_mb, row.chunks = source.stat().st_size / 1e6, len(chunks)
                    row.load_before = f"{os.getloadavg()[0]:.2f}"
                    try:
                        cpu_before = cpu_seconds(pid)
                        prefix = answer_once(stack, tokens.pop(), row, chunks, poll_s)
                        stored = answer_item(stack, prefix)
                        row.processing_path = stored.get("processing_path")
                        row.stages = stage_split(row, worker_log(stack, prefix))
                        cpu_after = cpu_seconds(pid)
                        if cpu_before is not None and cpu_after is not None:
                            row.worker_cpu = cpu_after - cpu_before
                        drop_media(stack, prefix)
                        del chunks
                        row.plain = plain_ffmpeg(source, path, scratch)
                    except Exception as error:  # the row says so, the others still run
                        row.error = f"{type(error).__name__}: {error}"[:400]
                    row.load_after = f"{os.getloadavg()[0]:.2f}"
                    print_row(row)
                    rows.append(row)
            print_breakdown(rows, poll_s)
            print(
                f"\nFirst answer after the stack started (not in the table: the worker process "
                f"was cold, as a Lambda's first invocation is): {cold.path} {cold.seconds} s, "
                f"stop→seen {cold.ready_s or 0:.2f} s; "
                + ", ".join(f"{name} {value:.2f}" for name, value in cold.stages.items())
            )
        finally:
            try:
                stop_stack(stack)
            except subprocess.TimeoutExpired:
                print("(the local stack took over 20 s to stop and was killed)", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5, 15 and 30 s answers")
    parser.add_argument("--paths", nargs="+", choices=list(PATHS), help="worker paths to time")
    parser.add_argument("--lengths", nargs="+", type=int, help="answer lengths in seconds")
    parser.add_argument("--poll-ms", type=float, default=50, help="candidate API poll interval")
    parser.add_argument(
        "--worker",
        choices=("process", "in-process"),
        default="process",
        help="the media worker in its own process (as a Lambda) or in the stack's",
    )
    args = parser.parse_args(argv)
    if args.lengths and max(args.lengths) > 570:
        parser.error("answers are at most 570 s (a question allows 600 s)")
    started = time.monotonic()
    rows = run(args)
    failed = [row for row in rows if row.problems()]
    print(
        f"\n{len(rows)} rows in {time.monotonic() - started:.0f} s, load {load()}; "
        f"{len(failed)} failed"
    )
    print(AWS_NOTE)
    return 1 if failed else 0


AWS_NOTE = (
    "In AWS, add to every row: S3 → SQS event delivery (typically 0.1 to 1 s), the SQS event "
    "source mapping's hand-off to Lambda (tens of ms), and a container cold start (1 to 5 s) "
    "when no worker is warm; S3 and DynamoDB calls cost ~10 to 30 ms each instead of loopback."
)


if __name__ == "__main__":
    raise SystemExit(main())
