"""Fault bench: many candidates record and upload at once while the network and the worker fail.

Starts the real local stack (`python -m infra.local`, free loopback ports) with its upload
poller's fault injection on, and a TCP proxy in front of its S3 (moto) that every presigned
chunk POST goes through. Then most candidates answer through the same HTTP calls the site
makes (session, consent, attempt → grant, a presigned POST per ~1 s chunk of a real
recording made once with the pinned ffmpeg, finalise, complete; retrying as
`static_site/candidate/uploader.js` does) and a few in headless Chromium on the real site.

Faults: the proxy drops 20% of chunk POSTs mid-body (the client sees the connection reset)
and delays 30% of the others by 0.2 to 2 s; 10% of upload-queue messages are delivered twice;
the worker is killed mid-job (with its ffmpeg) for 5% of jobs, and the message comes back
after the retry delay; 5% of candidates reload mid-recording (chunks after the cut never
come, the reopened page sends what was recorded and finalises a truncated recording, which
the worker salvages); 2% abandon an attempt before its first chunk, open the link again and
record. What the worker did to each answer is counted from the poller's ledger (ready
transitions, transcodes that lost a race, kills), not from the product's own account.

Prints, per fault kind and in total: answers expected, ready, salvaged (cut short), failed
with reason, lost, processed twice, stuck after the run, and the time until every answer
settled; and the local stack's peak RSS. Targets: 0 lost, 0 processed twice, 0 stuck.
Everything is on 127.0.0.1; every loop is bounded in count and by one global deadline.

    .venv/bin/python bench/faults.py                    # 200 candidates
    .venv/bin/python bench/faults.py --candidates 1000  # about 15 minutes on two cores
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.drivers.chromium import launch_options  # noqa: E402
from tests.drivers.local_stack import post_chunk  # noqa: E402

CHUNK_SECONDS = 1.0  # the site asks MediaRecorder for a chunk every second
RECORD_SECONDS = 4
HTTP_TIMEOUT = 120.0  # browsers wait minutes for an answer; a slow local stack is not a drop
MAX_CHUNK_TRIES = 12
MAX_API_TRIES = 8
MAX_BACKOFF = 30.0
SETTLE_POLL_SECONDS = 3.0
# Opening the link releases an empty attempt only once it is 10 s old (candidates.RELEASE_AFTER).
ABANDON_RETURN_SECONDS = 12.0
RETRY_SECONDS_OF_STACK = 5  # the local poller's retry delay after a failed or killed job

FAULT_KINDS = (
    "chunk POST dropped",
    "chunk POST delayed",
    "message delivered twice",
    "worker killed mid-job",
    "reload mid-recording",
    "abandoned before 1st chunk",
    "browser (Chromium)",
    "no fault",
)


def stop_if_past(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise TimeoutError("the bench's global deadline passed")


# --- media: real recordings, cut into ~1 s byte chunks as MediaRecorder hands them out -------


@dataclass(frozen=True)
class Recording:
    name: str
    mime_type: str
    data: bytes

    def chunks(self) -> list[bytes]:
        size = math.ceil(len(self.data) / RECORD_SECONDS)
        return [self.data[i : i + size] for i in range(0, len(self.data), size)]


def make_recordings(folder: Path) -> list[Recording]:
    """What Chrome (VP8 or VP9 + Opus in WebM) and Safari (fragmented H.264/AAC MP4) record.

    Written to a pipe, as a recorder streams them: no duration or cues in the header, one
    keyframe a second.
    """
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    sources = [
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size=320x240:rate=15:duration={RECORD_SECONDS}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:sample_rate=48000:duration={RECORD_SECONDS}",
    ]
    webm_audio = ["-c:a", "libopus", "-b:a", "48k", "-f", "webm"]
    kinds = {
        "vp8-opus.webm": (
            "video/webm;codecs=vp8,opus",
            ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"],
            webm_audio,
        ),
        "vp9-opus.webm": (
            "video/webm;codecs=vp9,opus",
            ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"],
            webm_audio,
        ),
        "h264-aac.mp4": (
            "video/mp4;codecs=avc1,mp4a",
            ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
            [
                "-c:a",
                "aac",
                "-b:a",
                "64k",
                "-movflags",
                "frag_keyframe+empty_moov+default_base_moof",
                "-f",
                "mp4",
            ],
        ),
    }
    recordings = []
    for name, (mime, video, audio) in kinds.items():
        out = folder / name
        quiet = ["-hide_banner", "-nostdin", "-v", "error"]
        with out.open("wb") as sink:
            subprocess.run(
                [ffmpeg, *quiet, *sources, *video, "-g", "15", *audio, "pipe:1"],
                stdout=sink,
                check=True,
                timeout=120,
            )
        recordings.append(Recording(name, mime, out.read_bytes()))
    return recordings


# --- the S3 proxy: drops and delays chunk POSTs ---------------------------------------------

KEY_FIELD = re.compile(rb'name="key"\r\n\r\n([^\r\n]+)')


class FaultProxy:
    """A loopback TCP proxy in front of moto's S3 that fails browser chunk POSTs.

    One request per connection (it asks the server to close after answering), so each
    multipart POST can be judged on its own: dropped mid-body (half the body is forwarded,
    then both sides are reset), delayed, or passed. Everything else passes untouched.
    """

    def __init__(self, upstream_port: int, drop_rate: float, delay_rate: float, seed: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.drop_rate, self.delay_rate = drop_rate, delay_rate
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.by_attempt: dict[str, Counter[str]] = defaultdict(Counter)
        self.totals: Counter[str] = Counter()
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=256)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._accept, name="s3-proxy", daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        self.listener.close()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _count(self, key: bytes | None, what: str) -> None:
        attempt = key.decode(errors="replace").rsplit("/", 1)[0] + "/" if key else "?"
        with self.lock:
            self.by_attempt[attempt][what] += 1
            self.totals[what] += 1

    @staticmethod
    def _read_head(client: socket.socket) -> tuple[bytes, bytes, bytes, dict[bytes, bytes]]:
        """(request head asking the server to close after answering, body so far, method,
        headers); empty when the client went away first."""
        data = b""
        while b"\r\n\r\n" not in data:
            more = client.recv(65536)
            if not more or len(data) > 65536:
                return b"", b"", b"", {}
            data += more
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        headers = {}
        kept = [lines[0]]
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
            if name.strip().lower() not in (b"connection", b"keep-alive"):
                kept.append(line)
        head = b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n"
        return head, body, lines[0].split(b" ", 1)[0], headers

    @staticmethod
    def _read_body(client: socket.socket, body: bytes, length: int) -> bytes:
        while len(body) < length:
            more = client.recv(65536)
            if not more:
                break
            body += more
        return body

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(60)
        upstream = None
        try:
            head, body, method, headers = self._read_head(client)
            if not head:
                return
            length = int(headers.get(b"content-length", b"0") or 0)
            content_type = headers.get(b"content-type", b"")
            chunk_post = method == b"POST" and content_type.startswith(b"multipart/form-data")
            upstream = socket.create_connection(self.upstream, timeout=60)
            if chunk_post:
                with self.lock:
                    roll, delay = self.rng.random(), self.rng.uniform(0.2, 2.0)
                if roll < self.drop_rate:
                    # Forward half the body, then reset both sides: a connection lost mid-upload.
                    body = self._read_body(client, body, length // 2)
                    upstream.sendall(head + body[: length // 2])
                    self._count(self._key(body), "dropped")
                    self._reset(client)
                    return
                body = self._read_body(client, body, length)
                if roll < self.drop_rate + self.delay_rate:
                    self._count(self._key(body), "delayed")
                    time.sleep(delay)
                else:
                    self._count(self._key(body), "passed")
            upstream.sendall(head + body)
            self._pump(client, upstream)
        except OSError:
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    sock.close()

    @staticmethod
    def _key(body: bytes) -> bytes | None:
        found = KEY_FIELD.search(body)
        return found.group(1) if found else None

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Copy both ways until the server has answered and closed (bounded by timeouts)."""
        sockets = [client, upstream]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            readable, _, _ = select.select(sockets, [], [], 5)
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    if sock is upstream:
                        return
                    sockets.remove(client)
                    continue
                (upstream if sock is client else client).sendall(data)


# --- the local stack ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    state: dict[str, Any]
    log: Path
    ledger: Path

    @property
    def url(self) -> str:
        return self.state["site_url"]


def start_stack(work: Path, proxy_port: int, moto_port: int, args: argparse.Namespace) -> Stack:
    port = free_port()
    state_file, log, ledger = work / "state.json", work / "stack.log", work / "ledger.jsonl"
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        # Every S3 call of the stack goes through the proxy, so the presigned URLs the
        # candidates get point at it; only multipart chunk POSTs are ever failed.
        "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{proxy_port}",
    }
    command = [
        sys.executable,
        "-m",
        "infra.local",
        *("--port", str(port), "--moto-port", str(moto_port), "--state-file", str(state_file)),
        *("--sweep-seconds", "15", "--worker-processes", str(args.workers)),
        *("--fault-duplicate-rate", str(args.duplicate_rate)),
        *("--fault-kill-rate", str(args.kill_rate)),
        *("--fault-ledger", str(ledger), "--fault-seed", str(args.seed)),
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env
    )
    deadline = time.monotonic() + 180
    while not state_file.exists():
        if process.poll() is not None:
            raise SystemExit(f"the local stack exited early:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the local stack was not ready in 180 s")
        time.sleep(0.2)
    return Stack(process, json.loads(state_file.read_text()), log, ledger)


def stop_stack(stack: Stack) -> None:
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGINT)
        try:
            stack.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            stack.process.kill()
            stack.process.wait(timeout=10)


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo and len(found) < 256:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def _status_kb(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler:
    """The local stack's resident memory: its own peak, and the peak of it plus its workers."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_tree_kb = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="rss", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stopping.wait(1.0):
            total = sum(_status_kb(pid, "VmRSS") for pid in _tree(self.pid))
            self.peak_tree_kb = max(self.peak_tree_kb, total)

    def stack_peak_kb(self) -> int:
        return _status_kb(self.pid, "VmHWM")


# --- HTTP as the site does it ----------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, body: Any, what: str = "") -> None:
        super().__init__(f"{what} → {status}: {body}")
        self.status, self.body = status, body


def request(
    url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    call = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    call.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(call, timeout=HTTP_TIMEOUT) as reply:  # noqa: S310
            text = reply.read().decode()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        body = json.loads(text) if text.startswith("{") else text
        raise ApiError(error.code, body, f"{method} {url.split('/api', 1)[-1]}") from None


def backoff(failures: int, rng: random.Random) -> float:
    """uploader.js's backoff: 0.5 s doubling, capped at 30 s, with jitter."""
    return min(MAX_BACKOFF, 0.5 * 2 ** min(failures, 10)) * (0.5 + rng.random() / 2)


@dataclass
class Candidate:
    number: int
    email: str
    token: str = ""
    reload: bool = False
    abandon: bool = False
    browser: bool = False
    recording: Recording | None = None
    attempts: list[str] = field(default_factory=list)  # raw prefixes of its attempts
    chunk_failures: int = 0
    api_retries: Counter[str] = field(default_factory=Counter)
    error: str = ""
    note: str = ""
    completed: bool = False
    cut_after: int | None = None


class CandidateClient:
    """One candidate answering every video question through the site's HTTP calls."""

    def __init__(self, site: str, who: Candidate, deadline: float, seed: int) -> None:
        self.site, self.who, self.deadline = site, who, deadline
        self.rng = random.Random(seed)

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """An API call, retried on network errors, 5xx and 429 as the site does."""
        headers = {"X-Invitation-Token": self.who.token}
        for failures in range(MAX_API_TRIES):
            stop_if_past(self.deadline)
            try:
                return request(f"{self.site}/api/candidate{path}", method, body, headers)
            except ApiError as error:
                if error.status != 429 and error.status < 500:
                    raise
                reason = f"{method} {path.split('/')[1]} {error.status}"
            except OSError as error:
                reason = f"{method} {path.split('/')[1]} {type(error).__name__}"
            self.who.api_retries[reason] += 1
            time.sleep(backoff(failures, self.rng))
        raise RuntimeError(f"{method} {path} kept failing")

    def upload(self, grant: dict[str, Any], index: int, data: bytes, attempt_path: str) -> dict:
        """One chunk, retried with backoff; a fresh grant when S3 refuses the policy."""
        if str(index) not in grant.get("chunks", {}):
            grant = self.window(attempt_path, index)
        for failures in range(MAX_CHUNK_TRIES):
            stop_if_past(self.deadline)
            try:
                post_chunk(grant, index, data, timeout=HTTP_TIMEOUT)
                return grant
            except urllib.error.HTTPError as error:
                error.read()
                if error.code in (400, 403):
                    grant = self.window(attempt_path, index)
            except OSError:
                pass  # reset mid-body, refused, timed out: try again
            self.who.chunk_failures += 1
            time.sleep(backoff(failures, self.rng))
        raise RuntimeError(f"chunk {index} could not be uploaded")

    def window(self, attempt_path: str, index: int) -> dict[str, Any]:
        """A fresh grant for the window of chunk numbers that holds chunk `index`."""
        return self.api("POST", f"{attempt_path}/grant?first_chunk={index}")["upload"]

    def finalise(self, grant: dict, attempt_path: str, chunks: list[bytes]) -> None:
        """Finalise; a 409 naming missing chunks sends them again (bounded rounds)."""
        for _ in range(5):
            try:
                self.api("POST", f"{attempt_path}/finalise", {"chunks": len(chunks)})
                return
            except ApiError as error:
                if error.status != 409:
                    raise
                details = error.body.get("details", []) if isinstance(error.body, dict) else []
                missing = [i for d in details for i in d.get("missing", [])]
                if not missing:
                    return  # already saved
                for index in missing:
                    grant = self.upload(grant, index, chunks[index], attempt_path)
        raise RuntimeError("finalise kept naming missing chunks")

    def record(self, grant: dict, chunks: list[bytes], attempt_path: str, started: float) -> dict:
        """Chunks as the recorder hands them out: one a second, each sent when it is ready."""
        for index, chunk in enumerate(chunks):
            ready_at = started + (index + 1) * CHUNK_SECONDS
            time.sleep(max(0.0, min(ready_at - time.monotonic(), CHUNK_SECONDS)))
            grant = self.upload(grant, index, chunk, attempt_path)
        return grant

    def run(self) -> None:
        who = self.who
        assert who.recording is not None
        session = self.api("GET", "/session")
        self.api("POST", "/consent", {"accepted": True})
        chunks = who.recording.chunks()
        for question in session["questions"]:
            if question["answer_type"] != "video":
                continue
            path = f"/questions/{question['question_id']}/attempts"
            if who.abandon:
                # The tab dies before the first chunk; the candidate opens the link again.
                abandoned = self.api("POST", path, {"mime_type": who.recording.mime_type})
                who.attempts.append(abandoned["upload"]["key_prefix"])
                time.sleep(ABANDON_RETURN_SECONDS)
                reopened = self.api("GET", "/session")
                seen = next(
                    q for q in reopened["questions"] if q["question_id"] == question["question_id"]
                )
                who.note = (
                    f"reopened: attempts_left {seen['attempts_left']}, answer {seen['answer']}"
                )
            started = self.api("POST", path, {"mime_type": who.recording.mime_type})
            who.attempts.append(started["upload"]["key_prefix"])
            attempt_path = f"{path}/{started['attempt']}"
            grant = started["upload"]
            began = time.monotonic()
            if who.reload:
                # Reload after `cut` chunks were recorded; the last of them was still in the
                # browser's store, not yet sent. The reopened page sends it and finalises.
                cut = self.rng.randint(2, len(chunks) - 1)
                who.cut_after = cut
                self.record(grant, chunks[: cut - 1], attempt_path, began)
                self.api("GET", "/session")
                grant = self.window(attempt_path, cut - 1)
                grant = self.upload(grant, cut - 1, chunks[cut - 1], attempt_path)
                self.finalise(grant, attempt_path, chunks[:cut])
            else:
                grant = self.record(grant, chunks, attempt_path, began)
                self.finalise(grant, attempt_path, chunks)
        self.api("POST", "/complete")
        who.completed = True


def run_candidate(site: str, who: Candidate, deadline: float, seed: int) -> None:
    try:
        CandidateClient(site, who, deadline, seed).run()
    except Exception as error:  # the bench reports it beside the figures
        who.error = f"{type(error).__name__}: {error}"[:300]


def run_browser(site: str, who: Candidate, browser: Any, deadline: float) -> None:
    """The real site in headless Chromium with a fake camera: record 3 s, save, complete."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    remaining_ms = lambda: max(1000, int((deadline - time.monotonic()) * 1000))  # noqa: E731
    try:
        page.goto(f"{site}/candidate/#token={who.token}", timeout=remaining_ms())
        page.wait_for_selector("[data-view=landing]", timeout=60_000)
        page.check("#consent")
        page.click("[data-action=begin]")
        page.click("[data-action=devices-ok]:not([disabled])", timeout=60_000)
        page.click("[data-action=skip-practice]", timeout=60_000)
        page.click("[data-action=start]", timeout=60_000)
        page.wait_for_selector("[data-action=stop]", timeout=60_000)
        page.wait_for_timeout(3000)
        page.click("[data-action=stop]")
        page.wait_for_selector("[data-action=next]:not([disabled])", timeout=remaining_ms())
        who.chunk_failures = int(
            page.evaluate(
                "() => [...window.onewayCandidate.uploads.values()]"
                ".reduce((n, u) => n + u.retries, 0)"
            )
        )
        page.click("[data-action=next]")
        page.click("[data-view=finish] [data-action=complete]", timeout=60_000)
        page.wait_for_selector("[data-view=done]", timeout=60_000)
        who.completed = True
    except Exception as error:  # reported beside the figures
        who.error = f"browser: {type(error).__name__}: {str(error).splitlines()[0]}"[:300]
    finally:
        context.close()


# --- setting up: an interview, invitations, their links ---------------------------------------


def admin_token(stack: Stack) -> str:
    body = {"email": stack.state["email"], "password": stack.state["password"]}
    return request(f"{stack.url}/api/auth/signin", "POST", body)["id_token"]


def set_up(stack: Stack, candidates: list[Candidate]) -> tuple[str, str]:
    """The bench interview (one video question, no retakes) and every candidate's link."""
    auth = {"Authorization": f"Bearer {admin_token(stack)}"}
    interview = request(
        f"{stack.url}/api/interviews",
        "POST",
        {
            "title": "Fault bench",
            "questions": [
                {
                    "text": "Tell us about a hard problem you solved.",
                    "think_seconds": 0,
                    "max_answer_seconds": 60,
                    "retakes": 0,
                }
            ],
        },
        auth,
    )
    interview_id = interview["interview_id"]
    for start in range(0, len(candidates), 25):  # a direct invite takes up to 25
        batch = candidates[start : start + 25]
        report = request(
            f"{stack.url}/api/interviews/{interview_id}/invitations",
            "POST",
            {"candidates": [{"name": f"Bench {c.number}", "email": c.email} for c in batch]},
            auth,
        )
        if report["summary"]["invited"] != len(batch):
            raise SystemExit(f"inviting failed: {report['summary']}")
    outbox = request(f"{stack.url}/dev/outbox.json")
    links = {}
    for message in outbox:
        found = [link for link in message["links"] if "/candidate/#token=" in link]
        if found:
            links[message["to"][0]] = found[0].split("#token=", 1)[1]
    for who in candidates:
        who.token = links[who.email]
    return interview_id, interview["questions"][0]["question_id"]


# --- what became of every answer ----------------------------------------------------------------


def moto(stack: Stack, service: str) -> Any:
    """A boto3 client straight to the stack's moto (not through the proxy): the bench's eyes."""
    import boto3

    return boto3.client(
        service,
        endpoint_url=stack.state["moto_url"],
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto's placeholder credentials
    )


def answers_in_table(stack: Stack, interview_id: str) -> list[dict[str, Any]]:
    """Every attempt of the bench interview, read straight from the table."""
    found = []
    pages = (
        moto(stack, "dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=stack.state["settings"]["TABLE_NAME"],
            FilterExpression="begins_with(sk, :answer) AND interview_id = :interview",
            ExpressionAttributeValues={
                ":answer": {"S": "ANSWER#"},
                ":interview": {"S": interview_id},
            },
        )
    )
    for page in pages:
        for item in page["Items"]:
            found.append({name: next(iter(value.values())) for name, value in item.items()})
    return found


def token_invitations(stack: Stack, candidates: list[Candidate]) -> dict[str, str]:
    """Each link token's invitation id, found the way the product does (the token's hash)."""
    from chalicelib.domain.links import hash_token

    by_hash = {}
    pages = (
        moto(stack, "dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=stack.state["settings"]["TABLE_NAME"],
            FilterExpression="attribute_exists(token_hash)",
            ProjectionExpression="token_hash, invitation_id",
        )
    )
    for page in pages:
        for item in page["Items"]:
            by_hash[item["token_hash"]["S"]] = item["invitation_id"]["S"]
    return {who.token: by_hash.get(hash_token(who.token), "") for who in candidates}


def queue_depths(stack: Stack) -> str:
    """Upload messages still waiting or in flight (a backlog, not stuck), and dead letters."""
    sqs, settings = moto(stack, "sqs"), stack.state["settings"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    queue = sqs.get_queue_attributes(QueueUrl=settings["UPLOADS_QUEUE_URL"], AttributeNames=names)
    dlq = sqs.get_queue_attributes(QueueUrl=settings["UPLOADS_DLQ_URL"], AttributeNames=names)
    waiting, in_flight = (int(queue["Attributes"][name]) for name in names)
    dead = sum(int(dlq["Attributes"][name]) for name in names)
    return f"upload queue {waiting} waiting, {in_flight} in flight; dead letters {dead}"


def latest_attempts(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each candidate's latest attempt at the question, by invitation id."""
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        current = latest.get(item["invitation_id"])
        if current is None or int(item["attempt"]) > int(current["attempt"]):
            latest[item["invitation_id"]] = item
    return latest


def attempt_prefix(item: dict[str, Any]) -> str:
    return (
        f"raw/{item['company_id']}/{item['interview_id']}/{item['invitation_id']}/"
        f"{item['question_id']}/{int(item['attempt']):03d}/"
    )


def wait_settled(stack: Stack, interview_id: str, deadline: float) -> list[dict[str, Any]]:
    """Poll (bounded by the deadline) until no answer is still uploaded or processing."""
    while True:
        items = answers_in_table(stack, interview_id)
        pending = [
            a for a in latest_attempts(items).values() if a["status"] in ("uploaded", "processing")
        ]
        # An attempt never finalised stays `recording` for good: that one is lost, not late.
        if not pending or time.monotonic() + SETTLE_POLL_SECONDS > deadline:
            return items
        time.sleep(SETTLE_POLL_SECONDS)


@dataclass
class Ledger:
    """What the stack's poller recorded: worker jobs per attempt, duplicated attempts."""

    jobs: dict[str, list[dict[str, Any]]]
    duplicated: set[str]

    @classmethod
    def read(cls, path: Path) -> Ledger:
        jobs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        duplicated: set[str] = set()
        lines = path.read_text().splitlines() if path.exists() else []
        for entry in (json.loads(line) for line in lines if line.strip()):
            prefix = entry.get("key", "").rsplit("/", 1)[0] + "/"
            if entry["event"] == "job":
                jobs[prefix].append(entry)
            elif entry["event"] == "duplicated":
                duplicated.add(prefix)
        return cls(jobs, duplicated)

    def all_jobs(self) -> list[dict[str, Any]]:
        return [job for jobs in self.jobs.values() for job in jobs]


@dataclass
class Row:
    expected: int = 0
    ready: int = 0
    salvaged: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    lost: int = 0
    twice: int = 0
    stuck: int = 0
    unfinished: int = 0
    settled_at: float = 0.0

    def add(
        self, answer: dict[str, Any] | None, twice: bool, settled_at: float, *, cut_off: bool
    ) -> None:
        """Count one answer; `cut_off`: its candidate was stopped by the bench's deadline."""
        status = answer["status"] if answer else "missing"
        self.expected += 1
        self.twice += twice
        if status == "ready" and answer and answer.get("cut_short") is True:
            self.salvaged += 1
        elif status == "ready":
            self.ready += 1
        elif status == "failed" and answer:
            self.failed[answer.get("error_reason") or "?"] += 1
        elif status in ("uploaded", "processing"):
            self.stuck += 1
        elif cut_off:
            self.unfinished += 1  # the bench ran out of time, not the product
        else:
            self.lost += 1  # never finalised, or no answer at all
        self.settled_at = max(self.settled_at, settled_at)


def fault_kinds(
    who: Candidate, prefixes: set[str], final: str, ledger: Ledger, proxy: FaultProxy
) -> set[str]:
    """The faults one answer went through, on any of its attempts."""
    kinds = set()
    if any(proxy.by_attempt.get(p, {}).get("dropped") for p in prefixes):
        kinds.add("chunk POST dropped")
    if any(proxy.by_attempt.get(p, {}).get("delayed") for p in prefixes):
        kinds.add("chunk POST delayed")
    if final in ledger.duplicated:
        kinds.add("message delivered twice")
    if any(job["outcome"] == "killed" for job in ledger.jobs.get(final, [])):
        kinds.add("worker killed mid-job")
    if who.reload:
        kinds.add("reload mid-recording")
    if who.abandon:
        kinds.add("abandoned before 1st chunk")
    if who.browser:
        kinds.add("browser (Chromium)")
    return (kinds or {"no fault"}) | {"total"}


def processed_twice(jobs: list[dict[str, Any]]) -> bool:
    """Marked ready more than once, or transcoded by a second live worker that lost the race.

    A job killed part-way does not count: its work is lost, not doubled.
    """
    logged = [message for job in jobs for message, _ in job["logged"]]
    return logged.count("answer ready") > 1 or "answer moved on meanwhile" in logged


def tally(
    candidates: list[Candidate],
    *,
    items: list[dict[str, Any]],
    by_token: dict[str, str],
    ledger: Ledger,
    proxy: FaultProxy,
    recording_began: float,
) -> tuple[dict[str, Row], list[str]]:
    """One row per fault kind (an answer counts in each kind it met) and the total."""
    latest = latest_attempts(items)
    prefixes_of: dict[str, set[str]] = defaultdict(set)
    for item in items:
        prefixes_of[item["invitation_id"]].add(attempt_prefix(item))
    rows = {kind: Row() for kind in (*FAULT_KINDS, "total")}
    doubled = []
    for who in candidates:
        invitation_id = by_token.get(who.token, "")
        answer = latest.get(invitation_id)
        final = attempt_prefix(answer) if answer else ""
        jobs = ledger.jobs.get(final, [])
        twice = processed_twice(jobs)
        if twice:
            doubled.append(f"{final}: {[(j['outcome'], j['logged']) for j in jobs]}")
        settled_at = 0.0
        if answer and answer["status"] in ("ready", "failed"):
            settled_at = datetime.fromisoformat(answer["updated_at"]).timestamp() - recording_began
        for kind in fault_kinds(who, prefixes_of[invitation_id], final, ledger, proxy):
            rows[kind].add(answer, twice, settled_at, cut_off=who.error.startswith("Timeout"))
    return rows, doubled


def print_table(rows: dict[str, Row]) -> None:
    print()
    print(
        f"{'fault kind':28} {'expected':>8} {'ready':>6} {'salvaged':>8} {'failed':>6} "
        f"{'lost':>5} {'twice':>5} {'stuck':>5} {'unfinished':>10} {'settled after':>13}"
        "  failure reasons"
    )
    for kind, row in rows.items():
        if not row.expected and kind != "total":
            continue
        reasons = ", ".join(f"{r} {n}" for r, n in row.failed.most_common()) or "-"
        print(
            f"{kind:28} {row.expected:>8} {row.ready:>6} {row.salvaged:>8} "
            f"{sum(row.failed.values()):>6} {row.lost:>5} {row.twice:>5} {row.stuck:>5} "
            f"{row.unfinished:>10} {row.settled_at:>12.0f}s  {reasons}"
        )


def print_injected(
    candidates: list[Candidate], ledger: Ledger, proxy: FaultProxy, queues: str
) -> None:
    jobs = ledger.all_jobs()
    planned = [job for job in jobs if job.get("kill_planned")]
    killed = sum(job["outcome"] == "killed" for job in planned)
    outcomes = Counter(job["outcome"] for job in jobs)
    api_retries = sum((c.api_retries for c in candidates), Counter())
    print()
    print(
        f"faults injected: chunk POSTs dropped {proxy.totals['dropped']}, delayed "
        f"{proxy.totals['delayed']}, passed {proxy.totals['passed']}; messages duplicated "
        f"{len(ledger.duplicated)}; workers killed mid-job {killed} (of {len(planned)} planned, "
        f"the rest finished first); reloads {sum(c.reload for c in candidates)}; "
        f"abandoned attempts {sum(c.abandon for c in candidates)}"
    )
    print(
        f"worker jobs {len(jobs)} ({', '.join(f'{k} {v}' for k, v in outcomes.items())}); "
        f"{queues}; client retries: chunk POSTs "
        f"{sum(c.chunk_failures for c in candidates)}, API calls "
        f"{sum(api_retries.values())} {dict(api_retries.most_common(4)) or ''}"
    )
    for who in [c for c in candidates if c.error][:10]:
        print(f"  candidate {who.number} ({'browser' if who.browser else 'http'}): {who.error}")
        if who.note:
            print(f"    {who.note}")


def assign_faults(
    candidates: list[Candidate], args: argparse.Namespace, rng: random.Random
) -> tuple[list[Candidate], list[Candidate]]:
    """The first `--browsers` use Chromium; of the rest, exact shares reload or abandon."""
    browsers, by_http = candidates[: args.browsers], candidates[args.browsers :]
    for who in browsers:
        who.browser = True
    for who in rng.sample(by_http, round(args.reload_rate * len(by_http))):
        who.reload = True
    steady = [c for c in by_http if not c.reload]
    for who in rng.sample(steady, round(args.abandon_rate * len(by_http))):
        who.abandon = True
    return browsers, by_http


def run_browsers(site: str, browsers: list[Candidate], deadline: float) -> None:
    if not browsers:
        return
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options())
            try:
                for who in browsers:
                    run_browser(site, who, browser, deadline)
            finally:
                browser.close()
    except Exception as error:  # reported beside the figures
        for who in browsers:
            who.error = who.error or f"browser: {type(error).__name__}: {error}"[:300]


def record_all(
    stack: Stack,
    browsers: list[Candidate],
    by_http: list[Candidate],
    args: argparse.Namespace,
    deadline: float,
) -> int:
    """Every candidate at once (bounded threads), Chromium beside them; returns unfinished."""
    seeds = random.Random(args.seed + 1)
    chromium = threading.Thread(
        target=run_browsers, args=(stack.url, browsers, deadline), name="chromium", daemon=True
    )
    chromium.start()
    with ThreadPoolExecutor(max_workers=args.concurrency, thread_name_prefix="candidate") as pool:
        futures = [
            pool.submit(run_candidate, stack.url, who, deadline, seeds.getrandbits(32))
            for who in by_http
        ]
        _, unfinished = wait(futures, timeout=max(1.0, deadline - time.monotonic()))
    chromium.join(timeout=max(1.0, deadline - time.monotonic()))
    return len(unfinished) + chromium.is_alive()


def bench(
    args: argparse.Namespace,
    *,
    stack: Stack,
    proxy: FaultProxy,
    sampler: RssSampler,
    recordings: list[Recording],
    deadline: float,
) -> int:
    tag = uuid.uuid4().hex[:6]
    candidates = [
        Candidate(n, f"bench-{tag}-{n}@example.com", recording=recordings[n % len(recordings)])
        for n in range(args.candidates)
    ]
    browsers, by_http = assign_faults(candidates, args, random.Random(args.seed))
    began = time.monotonic()
    interview_id, _ = set_up(stack, candidates)
    print(
        f"local stack up; {len(candidates)} candidates invited in {time.monotonic() - began:.0f} s"
        f" ({len(browsers)} in Chromium, {sum(c.reload for c in candidates)} reload, "
        f"{sum(c.abandon for c in candidates)} abandon)",
        flush=True,
    )
    recording_began, began = time.time(), time.monotonic()
    unfinished = record_all(stack, browsers, by_http, args, deadline)
    print(
        f"candidates done in {time.monotonic() - began:.0f} s "
        f"({sum(c.completed for c in candidates)} completed, "
        f"{sum(bool(c.error) for c in candidates)} with an error, {unfinished} unfinished)",
        flush=True,
    )
    items = wait_settled(stack, interview_id, deadline)
    waited = time.monotonic() - began
    ledger = Ledger.read(stack.ledger)
    rows, doubled = tally(
        candidates,
        items=items,
        by_token=token_invitations(stack, candidates),
        ledger=ledger,
        proxy=proxy,
        recording_began=recording_began,
    )
    print_table(rows)
    print_injected(candidates, ledger, proxy, queue_depths(stack))
    for line in doubled[:10]:
        print(f"  processed twice: {line}")
    total = rows["total"]
    clean = not (total.lost or total.twice or total.stuck or total.unfinished)
    print()
    print(
        f"answers: {total.expected} expected, {total.ready} ready, {total.salvaged} salvaged, "
        f"{sum(total.failed.values())} failed; lost {total.lost} (target 0), processed twice "
        f"{total.twice} (target 0), stuck {total.stuck} (target 0); not recorded before the "
        f"bench's deadline {total.unfinished}; every answer settled {total.settled_at:.0f} s "
        f"after recording began (waited {waited:.0f} s)"
    )
    print(
        f"local stack peak RSS: {sampler.stack_peak_kb() / 1024:.0f} MB (server process), "
        f"{sampler.peak_tree_kb / 1024:.0f} MB with its worker processes (sampled each second); "
        f"{os.cpu_count()} CPUs shared with whatever else runs, so times are noisy"
    )
    return 0 if clean else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--browsers", type=int, default=3, help="of them, in headless Chromium")
    parser.add_argument("--concurrency", type=int, default=24, help="candidates at once")
    parser.add_argument("--workers", type=int, default=2, help="media worker processes")
    parser.add_argument("--drop-rate", type=float, default=0.20)
    parser.add_argument("--delay-rate", type=float, default=0.30)
    parser.add_argument("--duplicate-rate", type=float, default=0.10)
    parser.add_argument("--kill-rate", type=float, default=0.05)
    parser.add_argument("--reload-rate", type=float, default=0.05)
    parser.add_argument("--abandon-rate", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--deadline", type=float, help="seconds for the whole run (default 600 + 1.2/candidate)"
    )
    parser.add_argument("--work", type=Path, help="keep the stack's log and ledger here")
    args = parser.parse_args(argv)
    run_started = time.monotonic()
    deadline = run_started + (args.deadline or 600 + 1.2 * args.candidates)

    with tempfile.TemporaryDirectory(prefix="oneway-faults-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        recordings = make_recordings(work)
        print(
            "recordings: "
            + ", ".join(
                f"{r.name} {len(r.data) / 1e3:.0f} kB in {len(r.chunks())} chunks"
                for r in recordings
            ),
            flush=True,
        )
        moto_port = free_port()
        proxy = FaultProxy(moto_port, args.drop_rate, args.delay_rate, args.seed)
        proxy.start()
        stack = start_stack(work, proxy.port, moto_port, args)
        sampler = RssSampler(stack.process.pid)
        try:
            code = bench(
                args,
                stack=stack,
                proxy=proxy,
                sampler=sampler,
                recordings=recordings,
                deadline=deadline,
            )
        finally:
            sampler.stopping.set()
            stop_stack(stack)
            proxy.stop()
        print(
            f"whole run {time.monotonic() - run_started:.0f} s "
            f"(deadline {deadline - run_started:.0f} s)"
        )
        return code


if __name__ == "__main__":
    raise SystemExit(main())
