"""Media worker bench: time, CPU, memory, size and Lambda cost of each path an upload takes.

Prints figures beside targets, asserts nothing. Inputs are the shapes browsers upload, made
by `tests.drivers.media.browser_recording` (a webcam-like scene: slowly shifting background,
a moving "head", sensor-like grain, a beeping tone; 720p at the site's 1 Mbit/s) and cached
in bench/.cache/media:

    path        shape (what the browser sends)                         target (2 cores)
    copy        mp4_h264_aac   Safari, Chrome/Edge >= 126 (MP4)         end to end <= 2 s at 180 s *
    copy_video  mp4_h264_opus  Chrome's MP4 without an AAC encoder      end to end <= 4 s at 180 s *
    copy_video  webm_h264_opus Chrome's video/webm;codecs=h264,opus     end to end <= 4 s at 180 s *
    transcode   webm_vp9_opus  Chrome/Edge/Firefox default (VP9)        <= 0.25 x its length
    transcode   webm_vp8_opus  older Chrome, Firefox                    <= 0.25 x its length

    * stop->ready on the local stack is bench/playable.py's; here the worker's own part.

For each input, in the same run:
- the worker's media work (join the 1 s chunks, scan, judge, the path's ffmpeg run, poster)
  in a fresh Python process, as a Lambda invocation would be, with 2 ffmpeg threads (a
  3538 MB Lambda's two vCPUs, the issue's "2 cores") and with 1 (1769 MB's one vCPU);
- plain ffmpeg with exactly the worker's arguments for that path (no Python, no scan, no
  poster) and the worker's overhead over it (target <= 10%);
- for the shortest length, the recording cut off at 80% of its bytes (mid-fragment or
  mid-cluster, as a reload leaves it): salvaged through the same path.
Then Lambda cost per media-minute per path, and an x264 preset x CRF table (time, size,
SSIM against the upload) on the VP9 input, which is how the transcode settings were chosen.

Every figure is printed beside the load average: the 2 cores are shared, and other work on
them slows wall times (CPU seconds are steadier).

    python bench/transcode.py                 # 720p, 30 and 180 s, all shapes (~15+ min)
    python bench/transcode.py --quick         # 720p, 10 s, no preset table (~2 min)
    python bench/transcode.py --presets-only  # only the preset x CRF table (30 s VP9)
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
from tests.drivers.media import browser_recording, split_chunks  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "media"
LAMBDA_USD_PER_GB_S = 0.0000166667  # x86, first pricing tier
SIZE = (1280, 720)
#: Each browser shape and the path the worker should take for it.
SHAPES = {
    "mp4_h264_aac": "copy",
    "mp4_h264_opus": "copy_video",
    "webm_h264_opus": "copy_video",
    "webm_vp9_opus": "transcode",
    "webm_vp8_opus": "transcode",
}
TRANSCODE_TARGET_RATIO = 0.25  # wall seconds per second of answer, 720p, 2 cores
END_TO_END_TARGETS_180S = {"copy": 2.0, "copy_video": 4.0}  # bench/playable.py's, stop->ready
OVERHEAD_TARGET = 0.10  # the worker over plain ffmpeg doing the same job
CUT_AT = 0.8  # where the interrupted-recording row cuts the upload, as a share of its bytes
#: (label, preset, x264-params or None for the preset as it comes)
PRESETS = (
    ("ultrafast", "ultrafast", None),
    ("superfast", "superfast", None),
    ("superfast+mbtree", "superfast", "mbtree=1:rc-lookahead=10"),
    ("veryfast", "veryfast", None),
    ("faster", "faster", None),
)
CRFS = ("24", "26", "28")


def load_average() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


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


def ensure_inputs(durations: list[int], shapes: list[str]) -> list[tuple[str, Path, float]]:
    """Each shape at each length, made once (generation is the slow part, so say so)."""
    inputs = []
    for seconds in durations:
        for shape in shapes:
            started = time.perf_counter()
            path = browser_recording(shape, float(seconds), CACHE, SIZE)  # type: ignore[arg-type]
            if (took := time.perf_counter() - started) > 1:
                print(f"  generated {path.name} in {took:.0f} s", flush=True)
            inputs.append((shape, path, float(seconds)))
    return inputs


def write_chunks(source: Path, into: Path, keep: float = 1.0) -> None:
    """The recording's 1 s timeslice chunks, as the browser uploads them; with `keep` < 1
    only that share of the bytes, as an interrupted recording leaves them."""
    into.mkdir(parents=True, exist_ok=True)
    left = int(source.stat().st_size * keep)
    for index, chunk in enumerate(split_chunks(source)):
        if left <= 0:
            break
        (into / f"chunk-{index:05d}").write_bytes(chunk[:left])
        left -= len(chunk)


# ---------------------------------------------------------------- the worker path (child)


def worker_run(chunk_dir: Path, workdir: Path, max_seconds: float, report: Path) -> None:
    """One invocation's media work, timed from inside a fresh process; writes a JSON report.
    (Downloading the chunks and storing the result are S3 round trips: bench/playable.py.)"""
    before_self = resource.getrusage(resource.RUSAGE_SELF)
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    joined = workdir / "joined"
    worker.join_chunks(sorted(chunk_dir.iterdir()), joined)
    result = worker.transcode(joined, workdir / "out", "video", max_seconds)
    finished = time.perf_counter()
    after_self = resource.getrusage(resource.RUSAGE_SELF)
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)

    def cpu(after: resource.struct_rusage, before: resource.struct_rusage) -> float:
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    report.write_text(
        json.dumps(
            {
                "wall_s": finished - started,
                "cpu_s": cpu(after_self, before_self) + cpu(after_children, before_children),
                "ffmpeg_cpu_s": result.ffmpeg_cpu_s,
                "maxrss_self_mb": after_self.ru_maxrss / 1024,
                "maxrss_children_mb": after_children.ru_maxrss / 1024,
                "output_bytes": result.output_bytes,
                "path": result.path,
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
        write_chunks(source, chunk_dir, keep)
    workdir = scratch / f"work-{name}-{threads}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    report = scratch / f"report-{name}-{threads}.json"
    env = {**os.environ, "FFMPEG_THREADS": str(threads)}
    cmd = [sys.executable, __file__, "--worker-run", str(chunk_dir), str(workdir), str(seconds)]
    measure([*cmd, str(report)], env=env)
    return json.loads(report.read_text())


def plain_ffmpeg(
    source: Path, out: Path, path: str, x264: tuple[str, str | None, str] | None = None
) -> Run:
    """ffmpeg with exactly the worker's arguments for `path` (2 threads); `x264`: (preset,
    x264-params or None for none, crf) swapped in."""
    os.environ["FFMPEG_THREADS"] = "2"
    args = worker.ffmpeg_args(source, out, worker.probe(source), "video", path)  # type: ignore[arg-type]
    if x264 is not None:
        preset, params, crf = x264
        args[args.index("-preset") + 1] = preset
        args[args.index("-crf") + 1] = crf
        at = args.index("-x264-params")
        args[at : at + 2] = ["-x264-params", params] if params else []
    return measure(ffmpeg(*args))


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


HEADER = (
    f"{'shape':15} {'len s':>5} {'path':10} {'run':17} {'thr':>3} {'wall s':>7} {'cpu s':>7}"
    f" {'x len':>6} {'RSS MB':>9} {'kbit/s':>7}  target / note   [load]"
)


def row(
    shape: str, seconds: float, path: str, label: str, threads: int, *, wall: float, cpu: float,
    rss: str, out_bytes: int, note: str,
) -> None:  # fmt: skip
    kbps = f"{out_bytes * 8 / seconds / 1000:7.0f}" if out_bytes else f"{'-':>7}"
    print(
        f"{shape:15} {seconds:5.0f} {path:10} {label:17.17} {threads:>3} {wall:7.2f} {cpu:7.2f}"
        f" {wall / seconds:6.3f} {rss:>9} {kbps}  {note}   [{load_average()}]",
        flush=True,
    )


def target_note(path: str, seconds: float, wall: float) -> str:
    if path == "transcode":
        ok = wall / seconds <= TRANSCODE_TARGET_RATIO
        return f"{'OK' if ok else 'MISS'} <= {TRANSCODE_TARGET_RATIO} x len"
    end_to_end = END_TO_END_TARGETS_180S[path]
    return f"part of <= {end_to_end:g} s end to end at 180 s (bench/playable.py)"


def bench_file(
    shape: str, source: Path, seconds: float, scratch: Path, *, cut: bool, threads_list: list[int]
) -> dict:
    """Print one input's rows; return the worker reports by thread count."""
    expected = SHAPES[shape]
    reports = {}
    for threads in threads_list:
        reports[threads] = report = measure_worker(source, seconds, scratch, threads)
        path = report["path"]
        note = target_note(path, seconds, report["wall_s"]) if threads == 2 else "Lambda 1769 MB"
        if path != expected:
            note = f"EXPECTED {expected}; " + note
        rss = f"{report['maxrss_self_mb']:.0f}/{report['maxrss_children_mb']:.0f}"
        row(shape, seconds, path, "worker (py/ff RSS)", threads, wall=report["wall_s"],
            cpu=report["cpu_s"], rss=rss, out_bytes=report["output_bytes"], note=note)  # fmt: skip
    path = reports[2]["path"]
    out = scratch / "plain.mp4"
    run = plain_ffmpeg(source, out, path)
    overhead = reports[2]["wall_s"] / run.wall_s - 1
    note = (
        f"worker overhead {overhead:+.0%} (target <= {OVERHEAD_TARGET:.0%}:"
        f" {'OK' if overhead <= OVERHEAD_TARGET else 'MISS'}; scan + poster)"
    )
    row(shape, seconds, path, "plain ffmpeg", 2, wall=run.wall_s, cpu=run.cpu_s,
        rss=f"{run.maxrss_mb:.0f}", out_bytes=out.stat().st_size, note=note)  # fmt: skip
    if cut:
        salvaged = measure_worker(source, seconds, scratch, 2, keep=CUT_AT)
        note = (
            f"{'salvaged' if salvaged['cut_short'] else 'NOT CUT SHORT'}"
            f" {salvaged['duration_s']:.1f} s of ~{seconds * CUT_AT:.0f}"
            f"{'' if salvaged['path'] == path else ' via ' + salvaged['path']}"
        )
        rss = f"{salvaged['maxrss_self_mb']:.0f}/{salvaged['maxrss_children_mb']:.0f}"
        row(shape, seconds, salvaged["path"], f"cut at {CUT_AT:.0%} bytes", 2,
            wall=salvaged["wall_s"], cpu=salvaged["cpu_s"], rss=rss,
            out_bytes=salvaged["output_bytes"], note=note)  # fmt: skip
    return reports


def print_costs(costs: list[tuple[str, str, float, dict[int, dict]]]) -> None:
    """Lambda GB-seconds per media-minute, from the worker runs' measured times.

    1769 MB buys one vCPU: billed time ~ the 1-thread run's wall (CPU-bound). 3538 MB buys
    two: its 2-thread wall time on this 2-core machine (inflated by other load on it).
    """
    print(f"\nLambda cost per media-minute at ${LAMBDA_USD_PER_GB_S}/GB-s (x86; worker's media")
    print("work only: S3, SQS, DynamoDB and the download/upload are bench/cost.py's):")
    print(f"{'shape':15} {'len s':>5} {'path':10} {'1769 MB':>10} {'3538 MB':>10}")
    for shape, path, seconds, reports in costs:
        usd = {
            memory: f"${usd_per_media_minute(reports[threads]['wall_s'], memory, seconds):9.6f}"
            if threads in reports
            else f"{'-':>10}"
            for threads, memory in ((1, 1769), (2, 3538))
        }
        print(f"{shape:15} {seconds:5.0f} {path:10} {usd[1769]} {usd[3538]}")


def bench_presets(source: Path, seconds: float, scratch: Path) -> None:
    print(
        f"\nx264 preset x CRF on {source.name} ({seconds:.0f} s, 2 threads): the worker's"
        "\ntranscode with only -preset/-crf changed; SSIM (all planes) against the decoded"
        "\nupload. x len = wall seconds per second of answer (target <= 0.25)."
    )
    columns = ("preset", "crf", "wall s", "cpu s", "x len", "KB", "kbit/s", "SSIM", "dB")
    print(f"{columns[0]:16} " + " ".join(f"{name:>7}" for name in columns[1:]) + "  [load]")
    scratch.mkdir(parents=True, exist_ok=True)
    chosen = (worker.X264_PRESET, worker.X264_PARAMS, str(worker.X264_CRF))
    for label, preset, params in PRESETS:
        for crf in CRFS:
            out = scratch / f"{label}-{crf}.mp4"
            run = plain_ffmpeg(source, out, "transcode", (preset, params, crf))
            size = out.stat().st_size
            score, decibels = ssim(out, source)
            print(
                f"{label:16} {crf:>7} {run.wall_s:7.2f} {run.cpu_s:7.2f}"
                f" {run.wall_s / seconds:7.3f} {size / 1024:7.0f}"
                f" {size * 8 / seconds / 1000:7.0f} {score:7.4f} {decibels:7.2f}"
                f"  [{load_average()}]{'  <- worker' if (preset, params, crf) == chosen else ''}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 s inputs, no preset table")
    parser.add_argument("--seconds", type=int, nargs="+", help="answer lengths (30 180)")
    parser.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    parser.add_argument("--presets-only", action="store_true", help="only the preset table")
    parser.add_argument("--no-presets", action="store_true", help="skip the preset table")
    parser.add_argument(
        "--threads", type=int, nargs="+", choices=[1, 2], default=[2, 1], help="worker runs"
    )
    parser.add_argument("--worker-run", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_run:
        chunks, workdir, max_s, report = args.worker_run
        worker_run(Path(chunks), Path(workdir), float(max_s), Path(report))
        return

    durations = args.seconds or ([10] if args.quick else [30, 180])
    ffmpeg_version = subprocess.run(
        [worker.ffmpeg_exe(), "-version"], capture_output=True, text=True, check=True
    ).stdout.split("\n")[0]
    print(ffmpeg_version)
    print(f"CPUs usable: {len(os.sched_getaffinity(0))}, load average at start: {load_average()}")
    print(
        f"worker transcode: x264 -preset {worker.X264_PRESET} -x264-params {worker.X264_PARAMS}"
        f" -crf {worker.X264_CRF}, AAC"
        f" {worker.AUDIO_BITRATE}, within 720p, +faststart; copy paths: no decode"
    )
    with tempfile.TemporaryDirectory(prefix="bench-transcode-") as scratch:
        if not args.presets_only:
            inputs = ensure_inputs(durations, args.shapes)
            print(
                "\nPer path. worker = join the 1 s chunks + scan + judge + ffmpeg + poster, in a"
                "\nfresh Python process; x len = wall seconds per second of answer; RSS ="
                "\npeak resident memory (worker: Python process / largest ffmpeg child)."
            )
            print(HEADER)
            costs = []
            for shape, source, seconds in inputs:
                work = Path(scratch) / source.name
                cut = seconds == min(durations)
                reports = bench_file(
                    shape, source, seconds, work, cut=cut, threads_list=args.threads
                )
                shutil.rmtree(work, ignore_errors=True)
                costs.append((shape, reports[2]["path"], seconds, reports))
            print_costs(costs)
        if args.presets_only or not (args.quick or args.no_presets):
            (source, seconds) = (browser_recording("webm_vp9_opus", 30.0, CACHE, SIZE), 30.0)
            bench_presets(source, seconds, Path(scratch) / "presets")
    print(f"\nload average at end: {load_average()}")


if __name__ == "__main__":
    main()
