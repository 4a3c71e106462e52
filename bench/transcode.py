"""Media worker bench: time, CPU, memory, size and Lambda cost of turning uploads into answers.

Prints figures, asserts nothing. Inputs are generated once into bench/.cache/media: a
webcam-like synthetic scene (slowly shifting background, a moving "head", sensor-like
temporal noise, a beeping tone) recorded the way browsers do: VP8/Opus and VP9/Opus WebM
written to a pipe (no duration in the header, like MediaRecorder) and fragmented H.264/AAC
MP4 (like Safari).

For each input, in the same run:
- the worker path (fetch chunks, join, probe, check, transcode, poster, store) in a fresh
  Python process, as a Lambda invocation would be, with 1 ffmpeg thread (what a 1769 MB
  Lambda's single vCPU can use) and with 2 (a 3538 MB Lambda's two);
- the worker path on the same recording cut off at 80% of its bytes, mid-cluster or
  mid-fragment as a reload or a crash leaves it: salvaged up to the cut (1 thread);
- floors: plain `ffmpeg -preset ultrafast` and a decode-only pass (`-f null -`);
- plain ffmpeg with exactly the worker's encoder arguments (for MP4 input: what re-encoding
  would cost instead of the worker's remux).
Then Lambda cost per media-minute and an x264 preset x CRF table (time, size, SSIM).

    python bench/transcode.py            # full: 480p/720p x 30/120 s x 3 formats (~25+ min)
    python bench/transcode.py --quick    # 10 s clips, for a quick look (~5 min)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from media_worker import transcode as worker  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "media"
LAMBDA_USD_PER_GB_S = 0.0000166667  # x86, first pricing tier
LAMBDA_MEMORIES_MB = (1769, 3538)  # 1 and 2 vCPUs
FPS = 30
SIZES = {"480p": (640, 480), "720p": (1280, 720)}
# What browsers send: Chrome's MediaRecorder defaults to ~2.5 Mbit/s video.
VIDEO_KBPS = {"480p": 1200, "720p": 2500}
FORMATS = {
    "vp8.webm": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus"],
    "vp9.webm": [
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
        "-c:a", "libopus",
    ],
    "h264.mp4": [
        "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
    ],
}  # fmt: skip
CHUNK_SECONDS = 1.0  # MediaRecorder timeslice the candidate page would use
CUT_AT = 0.8  # where the interrupted-recording row cuts the upload, as a share of its bytes


# ---------------------------------------------------------------- measuring child processes


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    maxrss_mb: float
    stderr: str


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to completion; wall time, and its own rusage via wait4 (per process,
    unlike RUSAGE_CHILDREN, whose peak memory is a max over every child so far)."""
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {stderr[-1500:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stderr)


def ffmpeg(*args: str) -> list[str]:
    return [worker.ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y", *args]


# ---------------------------------------------------------------- inputs


def webcam_scene(size: str, seconds: float) -> list[str]:
    """lavfi inputs for a talking-head-like scene: mostly static, a moving region, grain."""
    width, height = SIZES[size]
    head_w, head_h = width * 3 // 10 // 2 * 2, height * 6 // 10 // 2 * 2
    graph = (
        f"gradients=s={width}x{height}:r={FPS}:d={seconds}:speed=0.005,format=yuv420p[bg];"
        f"testsrc2=s={head_w}x{head_h}:r={FPS}:d={seconds}[head];"
        f"[bg][head]overlay=x='(W-w)/2+W/20*sin(t/2)':y='(H-h)/3+H/60*sin(t*1.3)':shortest=1,"
        "noise=alls=3:allf=t[out0]"
    )
    tone = f"sine=frequency=220:beep_factor=2:sample_rate=48000:duration={seconds}"
    return ["-f", "lavfi", "-i", graph, "-f", "lavfi", "-i", tone, "-shortest"]


def ensure_inputs(sizes: list[str], durations: list[int]) -> list[tuple[Path, float]]:
    """Generate (once) each size at the longest duration in all formats, cut shorter ones."""
    CACHE.mkdir(parents=True, exist_ok=True)
    longest = max(durations)
    inputs = []
    for size in sizes:
        kbps = VIDEO_KBPS[size]
        for fmt, codec_args in FORMATS.items():
            master = CACHE / f"{size}-{longest}s-{fmt}"
            if not master.exists():
                print(f"  generating {master.name} ...", flush=True)
                encode = [*codec_args, "-b:v", f"{kbps}k", "-b:a", "96k"]
                _write(ffmpeg(*webcam_scene(size, longest), *encode), master)
            for seconds in durations:
                clip = CACHE / f"{size}-{seconds}s-{fmt}"
                if not clip.exists():
                    _write(ffmpeg("-i", str(master), "-t", str(seconds), "-c", "copy"), clip)
                inputs.append((clip, float(seconds)))
    return inputs


def _write(cmd: list[str], out: Path) -> None:
    """WebM goes through a pipe, so (like MediaRecorder's) its header carries no duration."""
    partial = out.with_name(out.name + ".part")
    if out.suffix == ".webm":
        with partial.open("wb") as sink:
            subprocess.run([*cmd, "-f", "webm", "pipe:1"], stdout=sink, check=True)
    else:
        fragmented = "+frag_keyframe+empty_moov+default_base_moof"  # as Safari writes it
        subprocess.run([*cmd, "-movflags", fragmented, "-f", "mp4", str(partial)], check=True)
    partial.rename(out)


def split_into_chunks(source: Path, seconds: float, into: Path, keep: float = 1.0) -> list[Path]:
    """Byte pieces of ~CHUNK_SECONDS each, as a MediaRecorder timeslice would upload; with
    `keep` < 1 only that share of the bytes, as an interrupted recording leaves them.

    Streamed, not read whole: Linux carries a parent's peak RSS into every child it execs
    (ru_maxrss survives execve), so a fat bench process would inflate every RSS it reports.
    """
    pieces = max(1, round(seconds / CHUNK_SECONDS))
    step = -(-source.stat().st_size // pieces)
    left = int(source.stat().st_size * keep)
    into.mkdir(parents=True, exist_ok=True)
    chunks = []
    with source.open("rb") as whole:
        for index in range(pieces):
            if left <= 0:
                break
            chunk = into / f"chunk-{index:05d}"
            chunk.write_bytes(whole.read(min(step, left)))
            left -= step
            chunks.append(chunk)
    return chunks


# ---------------------------------------------------------------- the worker path (child)


def fetch_chunks(chunk_dir: Path, workdir: Path) -> list[Path]:
    """HOOK (S3): the handler will download raw/<answer>/chunk-* from the bucket into
    `workdir` here; the bench reads local files (`--source local`, the only source yet)."""
    del workdir
    return sorted(chunk_dir.iterdir())


def store(result: worker.TranscodeResult) -> None:
    """HOOK (S3): the handler will upload the answer and poster to media/<answer>/ here."""
    del result


def worker_run(chunk_dir: Path, workdir: Path, max_seconds: float, report: Path) -> None:
    """One invocation's work, timed from inside a fresh process; writes a JSON report."""
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    chunks = fetch_chunks(chunk_dir, workdir)
    joined = workdir / "upload.bin"
    worker.join_chunks(chunks, joined)
    joined_at = time.perf_counter()
    worker.probe(joined)  # timed alone for the table; transcode() probes again itself
    probed_at = time.perf_counter()
    result = worker.transcode(joined, workdir / "out", "video", max_seconds)
    store(result)
    finished = time.perf_counter()
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)

    def cpu(after: resource.struct_rusage, before: resource.struct_rusage) -> float:
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    report.write_text(
        json.dumps(
            {
                "join_s": joined_at - started,
                "probe_s": probed_at - joined_at,
                "wall_s": (joined_at - started) + (finished - probed_at),
                "cpu_s": cpu(after_self, before_self) + cpu(after_children, before_children),
                "maxrss_self_mb": after_self.ru_maxrss / 1024,
                "maxrss_children_mb": after_children.ru_maxrss / 1024,
                "output_bytes": result.output_bytes,
                "remuxed": result.remuxed,
                "size": f"{result.width}x{result.height}",
                "duration_s": result.duration_s,
                "cut_short": result.cut_short,
            }
        )
    )


def measure_worker(
    source: Path, seconds: float, scratch: Path, threads: int, keep: float = 1.0
) -> dict:
    name = "whole" if keep == 1.0 else f"cut-{keep:g}"
    chunk_dir = scratch / f"chunks-{name}"
    if not chunk_dir.exists():
        split_into_chunks(source, seconds, chunk_dir, keep)
    workdir = scratch / f"work-{name}-{threads}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    report = scratch / f"report-{name}-{threads}.json"
    env = {**os.environ, "FFMPEG_THREADS": str(threads)}
    cmd = [sys.executable, __file__, "--worker-run", str(chunk_dir), str(workdir), str(seconds)]
    measure([*cmd, str(report)], env=env)
    return json.loads(report.read_text())


# ---------------------------------------------------------------- plain ffmpeg beside it


def worker_encode_args(source: Path, out: Path, **overrides: str) -> list[str]:
    """The worker's own re-encode arguments, with e.g. preset/crf swapped in."""
    args = worker.ffmpeg_args(source, out, worker.probe(source), "video", remux=False)
    for option, value in overrides.items():
        args[args.index(f"-{option}") + 1] = value
    return args


def ssim(encoded: Path, reference: Path) -> tuple[float, float]:
    """Mean SSIM over all planes, and in dB, of `encoded` against the decoded upload."""
    inputs = ["-i", str(encoded), "-i", str(reference)]
    run = measure([worker.ffmpeg_exe(), "-nostdin", *inputs, "-lavfi", "ssim", "-f", "null", "-"])
    match = re.search(r"SSIM .* All:([0-9.]+) \(([0-9.]+|inf)\)", run.stderr)
    if not match:
        raise RuntimeError(f"no SSIM in ffmpeg's output: {run.stderr[-500:]}")
    return float(match.group(1)), float(match.group(2))


# ---------------------------------------------------------------- report


def usd_per_media_minute(billed_s: float, memory_mb: int, media_s: float) -> float:
    return billed_s * memory_mb / 1024 * LAMBDA_USD_PER_GB_S / (media_s / 60)


@dataclass(frozen=True)
class Row:
    """One line of the per-file table."""

    label: str
    threads: int
    wall_s: float
    cpu_s: float
    rss: str
    out_bytes: int
    note: str

    def print(self, media_s: float) -> None:
        kbps = f"{self.out_bytes * 8 / media_s / 1000:7.0f}" if self.out_bytes else f"{'-':>7}"
        print(
            f"{self.label:24.24} {self.threads:>3} {self.wall_s:7.2f} {self.cpu_s:7.2f}"
            f" {media_s / self.wall_s:5.1f} {self.rss:>12} {self.out_bytes / 1024:8.0f} {kbps}"
            f"  {self.note}"
        )


HEADER = (
    f"{'':24} {'thr':>3} {'wall s':>7} {'cpu s':>7} {'xRT':>5} {'RSS MB':>12}"
    f" {'out KB':>8} {'kbit/s':>7}  note"
)


def bench_file(source: Path, seconds: float, scratch: Path) -> dict[int, dict]:
    """Print one input's rows; return the worker reports by thread count."""
    print(f"\n{source.name} ({seconds:.0f} s, {source.stat().st_size / 1024:.0f} KB)\n{HEADER}")
    reports = {}
    for threads in (1, 2):
        reports[threads] = report = measure_worker(source, seconds, scratch, threads)
        how = "remux" if report["remuxed"] else f"x264 {worker.X264_PRESET} crf {worker.X264_CRF}"
        note = f"{how} -> {report['size']}; join {report['join_s']:.2f}s"
        note += f", probe {report['probe_s']:.2f}s"
        rss = f"{report['maxrss_self_mb']:.0f}/{report['maxrss_children_mb']:.0f}"
        row = Row("worker (py/ffmpeg RSS)", threads, report["wall_s"], report["cpu_s"], rss,
                  report["output_bytes"], note)  # fmt: skip
        row.print(seconds)
    cut = measure_worker(source, seconds, scratch, 1, keep=CUT_AT)
    # Target: the cut recording becomes an answer (cut_short) holding what came before the
    # cut: about CUT_AT of the media (bytes and seconds are not exactly proportional).
    note = (
        f"{'salvaged' if cut['cut_short'] else 'NOT CUT SHORT'} {cut['duration_s']:.1f} s"
        f" (target ~{seconds * CUT_AT:.0f} s, cut_short); probe {cut['probe_s']:.2f}s"
    )
    rss = f"{cut['maxrss_self_mb']:.0f}/{cut['maxrss_children_mb']:.0f}"
    row = Row(f"worker, cut at {CUT_AT:.0%} bytes", 1, cut["wall_s"], cut["cpu_s"], rss,
              cut["output_bytes"], note)  # fmt: skip
    row.print(max(cut["duration_s"], 0.001))
    out = scratch / "plain.mp4"
    for label, overrides in (("ffmpeg ultrafast", {"preset": "ultrafast"}), ("ffmpeg same", {})):
        run = measure(ffmpeg(*worker_encode_args(source, out, **overrides)))
        note = "floor: fastest x264" if overrides else "the worker's encoder args, no Python"
        row = Row(label, 2, run.wall_s, run.cpu_s, f"{run.maxrss_mb:.0f}", out.stat().st_size, note)
        row.print(seconds)
    maps = ["-map", "0:v:0", "-map", "0:a:0"]
    run = measure(ffmpeg("-threads", "2", "-i", str(source), *maps, "-f", "null", "-"))
    Row("decode only", 2, run.wall_s, run.cpu_s, f"{run.maxrss_mb:.0f}", 0, "floor").print(seconds)
    return reports


def bench_files(inputs: list[tuple[Path, float]], scratch_root: Path) -> None:
    print(
        "\nPer file. worker = fetch+join+probe+check+transcode+poster+store in a fresh Python"
        "\nprocess (probe also timed alone); xRT = media seconds per wall second; RSS = peak"
        "\nresident memory (worker: Python process / largest ffmpeg child)."
    )
    costs = []
    for source, seconds in inputs:
        scratch = scratch_root / source.name
        reports = bench_file(source, seconds, scratch)
        shutil.rmtree(scratch, ignore_errors=True)
        costs.append((source.name, seconds, reports))
    print_costs(costs)


def print_costs(costs: list[tuple[str, float, dict[int, dict]]]) -> None:
    """Lambda GB-seconds per media-minute, from the worker runs' measured times.

    1769 MB buys one vCPU: billed time ~ the 1-thread run's CPU seconds. 3538 MB buys two:
    billed time lies between the 2-thread run's CPU/2 (perfect use of both) and its wall time
    on this 2-core machine (which other load on the machine inflates).
    """
    print(f"\nLambda cost per media-minute at ${LAMBDA_USD_PER_GB_S}/GB-second (x86 price; the")
    print("$0.20/M requests, S3 and SQS are extra and negligible here):")
    print(f"{'input':22} {'1769 MB':>10} {'3538 MB (cpu/2 .. wall)':>26}")
    totals = [0.0, 0.0, 0.0, 0.0]
    for name, seconds, reports in costs:
        one = reports[1]["cpu_s"]
        low, high = reports[2]["cpu_s"] / 2, reports[2]["wall_s"]
        for index, value in enumerate((one, low, high, seconds)):
            totals[index] += value
        print(
            f"{name:22} ${usd_per_media_minute(one, 1769, seconds):9.6f}"
            f"   ${usd_per_media_minute(low, 3538, seconds):.6f} .. "
            f"${usd_per_media_minute(high, 3538, seconds):.6f}"
        )
    one, low, high, seconds = totals
    print(
        f"{'all (' + format(seconds / 60, '.1f') + ' media-min)':22}"
        f" ${usd_per_media_minute(one, 1769, seconds):9.6f}"
        f"   ${usd_per_media_minute(low, 3538, seconds):.6f} .. "
        f"${usd_per_media_minute(high, 3538, seconds):.6f}"
    )


def bench_presets(source: Path, seconds: float, scratch: Path) -> None:
    print(
        f"\nx264 preset x CRF on {source.name} ({seconds:.0f} s, 2 threads): the worker's"
        "\nencode with only -preset/-crf changed; SSIM (all planes) against the decoded upload."
    )
    columns = ("preset", "crf", "wall s", "cpu s", "KB", "kbit/s", "SSIM", "dB")
    print(f"{columns[0]:10} " + " ".join(f"{name:>7}" for name in columns[1:]))
    scratch.mkdir(parents=True, exist_ok=True)
    chosen = (worker.X264_PRESET, str(worker.X264_CRF))
    for preset in ("ultrafast", "veryfast", "faster", "fast"):
        for crf in ("23", "26", "28"):
            out = scratch / f"{preset}-{crf}.mp4"
            run = measure(ffmpeg(*worker_encode_args(source, out, preset=preset, crf=crf)))
            size = out.stat().st_size
            score, decibels = ssim(out, source)
            print(
                f"{preset:10} {crf:>7} {run.wall_s:7.2f} {run.cpu_s:7.2f} {size / 1024:7.0f}"
                f" {size * 8 / seconds / 1000:7.0f} {score:7.4f} {decibels:7.2f}"
                f"{'  <- worker' if (preset, crf) == chosen else ''}"
            )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 s clips only")
    parser.add_argument(
        "--source",
        choices=["local"],
        default="local",
        help="where the worker path fetches chunks from (S3 goes in fetch_chunks/store)",
    )
    parser.add_argument("--worker-run", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_run:
        chunks, workdir, max_s, report = args.worker_run
        worker_run(Path(chunks), Path(workdir), float(max_s), Path(report))
        return

    # The parent's plain-ffmpeg runs use 2 threads; each worker run sets its own.
    os.environ["FFMPEG_THREADS"] = "2"
    durations = [10] if args.quick else [30, 120]
    ffmpeg_version = subprocess.run(
        [worker.ffmpeg_exe(), "-version"], capture_output=True, text=True, check=True
    ).stdout.split("\n")[0]
    print(ffmpeg_version)
    print(f"CPUs usable: {len(os.sched_getaffinity(0))}, load average at start: {load_average()}")
    floor_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS floor: every child reports at least this bench's own peak, {floor_mb:.0f} MB")
    print(
        f"worker: x264 -preset {worker.X264_PRESET} -crf {worker.X264_CRF}, AAC"
        f" {worker.AUDIO_BITRATE}, within 720p, +faststart"
    )
    inputs = ensure_inputs(list(SIZES), durations)
    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as scratch:
        bench_files(inputs, Path(scratch))
        preset_seconds = min(durations)
        preset_input = CACHE / f"720p-{preset_seconds}s-vp8.webm"
        bench_presets(preset_input, float(preset_seconds), Path(scratch) / "presets")
    print(f"\nload average at end: {load_average()}")


if __name__ == "__main__":
    main()
