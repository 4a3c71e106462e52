"""Fault injection for the local stack's upload poller: duplicated messages, killed workers.

Off unless asked for (`--fault-*` options or `ONEWAY_FAULT_*` variables; `bench/faults.py`
turns it on). With it on, the media worker runs in child processes, one SQS record per job,
as separate Lambda containers would: a job picked to die is killed (its whole process group,
ffmpeg included) part-way through, its message stays unacknowledged and comes back after the
retry delay with a higher receive count; a message picked to be duplicated is sent to the
queue a second time, as S3 and SQS may each deliver an event more than once. Every job and
every injected fault is written to a JSON-lines ledger, so a bench can count what happened
to each answer (ready transitions, transcodes that lost the race, kills) without trusting the
product's own account.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import queue
import random
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from infra.local.pollers import batches, lambda_context, sqs_record

if TYPE_CHECKING:
    from infra.local.stack import LocalStack

# What the worker logs that the ledger keeps (the rest of its log stays in the stack's output).
LEDGER_MESSAGES = (
    "answer ready",
    "answer moved on meanwhile",
    "already handled",
    "upload rejected",
    "chunk missing",
)


@dataclass(frozen=True)
class FaultOptions:
    """Which faults to inject and how the worker runs while they are."""

    duplicate_rate: float = 0.0  # share of upload messages delivered a second time
    kill_rate: float = 0.0  # share of first deliveries whose worker is killed mid-job
    worker_processes: int = 2  # media worker child processes (concurrent jobs)
    ledger: Path | None = None  # JSON lines: jobs, kills, duplicates
    seed: int | None = None
    job_timeout: float = 300.0  # a job running longer is killed as a hung container would be

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> FaultOptions | None:
        """The options the `ONEWAY_FAULT_*` variables ask for; None when none is set."""
        env = dict(os.environ if env is None else env)
        names = {
            "ONEWAY_FAULT_DUPLICATE_RATE",
            "ONEWAY_FAULT_KILL_RATE",
            "ONEWAY_FAULT_LEDGER",
            "ONEWAY_WORKER_PROCESSES",
        }
        if not names & env.keys():
            return None
        return cls(
            duplicate_rate=float(env.get("ONEWAY_FAULT_DUPLICATE_RATE", "0")),
            kill_rate=float(env.get("ONEWAY_FAULT_KILL_RATE", "0")),
            worker_processes=int(env.get("ONEWAY_WORKER_PROCESSES", "2")),
            ledger=Path(env["ONEWAY_FAULT_LEDGER"]) if env.get("ONEWAY_FAULT_LEDGER") else None,
            seed=int(env["ONEWAY_FAULT_SEED"]) if env.get("ONEWAY_FAULT_SEED") else None,
        )


class Ledger:
    """Append-only JSON lines, one per event, flushed as written (a reader may tail it)."""

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8") if path else None

    def write(self, event: str, **fields: Any) -> None:
        if self._file is None:
            return
        line = json.dumps({"t": time.time(), "event": event, **fields})
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            with self._lock:
                self._file.close()


def manifest_key(message: dict[str, Any]) -> str:
    """The S3 key an upload message announces, decoded ("" for S3's test event and the like)."""
    try:
        records = json.loads(message["Body"]).get("Records", [])
        return unquote_plus(records[0]["s3"]["object"]["key"]) if records else ""
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def _child_main(conn: Connection, tmp_root: str) -> None:
    """A media worker container: runs each SQS record it is sent through the Lambda handler.

    Its own process group, so a kill takes its ffmpeg with it; what the worker logs that the
    ledger keeps is sent to the parent the moment it is logged, so a kill loses none of it.
    """
    import logging

    os.setpgrp()
    tempfile.tempdir = tmp_root
    from media_worker import handler as worker

    class Forward(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message in LEDGER_MESSAGES:
                conn.send(("log", message, getattr(record, "reason", None)))

    logging.getLogger("oneway-media").addHandler(Forward(level=logging.INFO))
    context = lambda_context("media-worker")
    while True:
        record = conn.recv()
        if record is None:
            return
        try:
            result = worker.handler({"Records": [record]}, context)
        except Exception as error:  # reported to the parent as a failed job
            conn.send(("error", repr(error)))
        else:
            conn.send(("done", result))


class Child:
    """One worker process and the pipe to it."""

    def __init__(self, tmp_root: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_end = context.Pipe()
        self.process = context.Process(
            target=_child_main, args=(child_end, tmp_root), name="media-worker", daemon=True
        )
        self.process.start()
        child_end.close()

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.process.kill()
        self.process.join(timeout=10)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()


class TypicalJob:
    """A running median of how long a real job (one that transcoded) takes, to aim kills."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seconds: list[float] = []

    def add(self, seconds: float) -> None:
        with self._lock:
            self._seconds = [*self._seconds[-49:], seconds]

    @property
    def seconds(self) -> float:
        with self._lock:
            ordered = sorted(self._seconds)
        return ordered[len(ordered) // 2] if ordered else 1.0


@dataclass
class Workers:
    """What the worker slots share: the stack, the options, the job queue and the ledger."""

    stack: LocalStack
    options: FaultOptions
    jobs: queue.Queue[dict[str, Any]]
    ledger: Ledger
    typical: TypicalJob
    tmp_root: str


def _run_jobs(workers: Workers, rng: random.Random) -> None:
    """One worker slot: take a message, run it in the child, kill the child when planned."""
    from chalicelib.adapters.aws import client
    from infra.local.provisioning import queue_arn_of

    stack, options, ledger = workers.stack, workers.options, workers.ledger
    sqs = client("sqs")
    queue_url = stack.settings["UPLOADS_QUEUE_URL"]
    queue_arn = queue_arn_of(queue_url)
    child = Child(workers.tmp_root)
    try:
        while not stack.stopping.is_set():
            try:
                message = workers.jobs.get(timeout=0.5)
            except queue.Empty:
                continue
            key = manifest_key(message)
            receive_count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
            kill_after = None
            if receive_count == 1 and rng.random() < options.kill_rate:
                kill_after = rng.uniform(0.1, 0.6) * workers.typical.seconds
            started = time.monotonic()
            try:
                child.conn.send(sqs_record(message, queue_arn))
            except OSError:  # the child died between jobs: a fresh container takes the job
                child.kill()
                child = Child(workers.tmp_root)
                started = time.monotonic()
                child.conn.send(sqs_record(message, queue_arn))
            outcome, result, logged = _await_job(child, started, kill_after, options.job_timeout)
            seconds = round(time.monotonic() - started, 3)
            ledger.write(
                "job",
                key=key,
                message_id=message["MessageId"],
                receive_count=receive_count,
                outcome=outcome,
                seconds=seconds,
                logged=logged,
                kill_planned=kill_after is not None,
            )
            failed = outcome != "done" or bool((result or {}).get("batchItemFailures"))
            if outcome == "done" and any(
                m in ("answer ready", "upload rejected") for m, _ in logged
            ):
                workers.typical.add(seconds)
            if failed:
                # As Lambda: the message is not deleted; it comes back after the retry delay.
                sqs.change_message_visibility(
                    QueueUrl=queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=stack.retry_seconds,
                )
            else:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            if outcome != "done":
                child.kill()
                child = Child(workers.tmp_root)
            stack.worker_batches += 1
    finally:
        child.stop()


def _await_job(
    child: Child, started: float, kill_after: float | None, timeout: float
) -> tuple[str, Any, list[tuple[str, Any]]]:
    """Wait for the child's answer, killing it at `kill_after` seconds (or the timeout)."""
    logged: list[tuple[str, Any]] = []
    kill_at = started + (kill_after if kill_after is not None else timeout)
    outcome, result = "killed" if kill_after is not None else "timed out", None
    while True:
        if not child.conn.poll(max(0.0, kill_at - time.monotonic())):
            child.kill()
            break
        try:
            kind, *payload = child.conn.recv()
        except (EOFError, OSError):
            outcome = "crashed"
            break
        if kind == "log":
            logged.append((payload[0], payload[1]))
        else:
            outcome, result = ("done", payload[0]) if kind == "done" else ("error", payload[0])
            return outcome, result, logged
    # What the child logged before it died is still in the pipe.
    while True:
        try:
            if not child.conn.poll(0):
                break
            kind, *payload = child.conn.recv()
        except (EOFError, OSError):
            break
        if kind == "log":
            logged.append((payload[0], payload[1]))
    return outcome, result, logged


def poll_uploads(stack: LocalStack) -> None:
    """The upload poller with faults: worker child processes, kills and duplicate messages."""
    from chalicelib.adapters.aws import client

    options = stack.faults
    if options is None:
        raise RuntimeError("the fault poller runs only with fault options")
    sqs = client("sqs")
    queue_url = stack.settings["UPLOADS_QUEUE_URL"]
    rng = random.Random(options.seed)  # noqa: S311 - picks faults, guards nothing
    workers = Workers(
        stack=stack,
        options=options,
        jobs=queue.Queue(maxsize=options.worker_processes),
        ledger=Ledger(options.ledger),
        typical=TypicalJob(),
        tmp_root=tempfile.mkdtemp(prefix="oneway-worker-"),
    )
    slots = [
        threading.Thread(
            target=_run_jobs,
            args=(workers, random.Random(rng.random())),  # noqa: S311 - as above
            name=f"media-worker-{n}",
            daemon=True,
        )
        for n in range(options.worker_processes)
    ]
    for slot in slots:
        slot.start()
    copies: set[str] = set()  # injected duplicates are not duplicated again
    try:
        for messages in batches(stack, queue_url, options.worker_processes):
            for message in messages:
                first = message.get("Attributes", {}).get("ApproximateReceiveCount") == "1"
                copy = message["MessageId"] in copies
                if first and not copy and rng.random() < options.duplicate_rate:
                    delay = rng.randint(0, 3)
                    sent = sqs.send_message(
                        QueueUrl=queue_url, MessageBody=message["Body"], DelaySeconds=delay
                    )
                    copies.add(sent["MessageId"])
                    workers.ledger.write(
                        "duplicated",
                        key=manifest_key(message),
                        message_id=message["MessageId"],
                        copy_id=sent["MessageId"],
                        delay_seconds=delay,
                    )
                # Waits while every slot is busy: never holds more messages than it can run.
                while not stack.stopping.is_set():
                    try:
                        workers.jobs.put(message, timeout=0.5)
                        break
                    except queue.Full:
                        continue
    finally:
        for slot in slots:
            slot.join(timeout=15)
        workers.ledger.close()
        shutil.rmtree(workers.tmp_root, ignore_errors=True)
