"""Turn one raw browser recording into playable media: join, probe, check, transcode, poster.

Pure media code: no AWS, no logging framework. The worker's handler fetches the upload, calls
`join_chunks` / `transcode`, stores what comes back and maps `MediaRejected` to a failed answer
whose reason the candidate sees. Probing uses PyAV (structured metadata, no text scraping);
the heavy lifting is the pinned ffmpeg CLI, run as a subprocess so a crash in a codec can
never take the Lambda's Python process down with it.

Untrusted input is opened only with the demuxers browsers record into (Matroska/WebM,
MP4/MOV, Ogg) and only from local files: ffmpeg's probing would otherwise accept almost
anything (random bytes open as a "bin" video) and playlist demuxers can read other files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import av

Reason = Literal["empty", "not_media", "corrupt", "no_video_stream", "no_audio_stream", "too_long"]

#: Demuxers allowed to read an upload (ffmpeg matches each comma-separated name against the
#: demuxer's names, so "matroska" admits "matroska,webm" and "mov" admits "mov,mp4,m4a,...").
ALLOWED_DEMUXERS = "matroska,mov,ogg"
MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
#: How accepted containers start: EBML (Matroska/WebM), Ogg pages, or an MP4 box type at 4.
CONTAINER_MAGIC = (b"\x1a\x45\xdf\xa3", b"OggS")
MP4_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"wide"})

#: Output video fits inside 720p: the short side is at most 720 (landscape 1280x720,
#: portrait phones 720x1280), aspect kept, never upscaled.
MAX_SHORT_SIDE = 720

#: x264 settings chosen with bench/transcode.py (30 s webcam-like 720p, SSIM vs the upload):
#: `veryfast` CRF 26 gave 755 kbit/s at SSIM 0.9866 for 21 CPU-s; `fast` CRF 28 the same
#: bitrate and SSIM (748 kbit/s, 0.9867) for 41 CPU-s; `faster` is in between on CPU and no
#: better per bit. CRF 23 -> 26 saves 28% of the bits for 0.36 dB of SSIM, 26 -> 28 only 16%
#: for 0.28 dB: 26 is the knee. `ultrafast` halves the CPU but quadruples the bytes.
X264_PRESET = "veryfast"
X264_CRF = 26
AUDIO_BITRATE = "96k"

#: Lambda grants one vCPU per 1769 MB of memory. More ffmpeg threads than vCPUs can't go
#: faster; they only cost memory (x264's frame threads: ~150 vs ~128 MB at 720p in the bench)
#: and time-slicing. Total CPU seconds barely depend on the thread count (bench: within ~10%).
LAMBDA_MB_PER_VCPU = 1769

CANDIDATE_MESSAGES: dict[str, str] = {
    "empty": "Your recording reached us empty. Please record this answer again.",
    "not_media": (
        "We couldn't read your recording as audio or video. Please record this answer again."
    ),
    "corrupt": (
        "Your recording was damaged before it reached us, so we couldn't play it. "
        "Please record this answer again."
    ),
    "no_video_stream": (
        "Your recording has no picture. Check that your camera is on and allowed in your "
        "browser, then record this answer again."
    ),
    "no_audio_stream": (
        "Your recording has no sound. Check that your microphone is connected and allowed in "
        "your browser, then record this answer again."
    ),
    "too_long": "Your answer is longer than this question allows. Please record a shorter one.",
}


class MediaRejected(Exception):
    """The upload can't become a playable answer; the candidate should record it again.

    `reason` is a short code for the answer record and metrics, `candidate_message` is what
    the candidate reads, `detail` is for the logs (ffmpeg's own words, never shown).
    """

    def __init__(self, reason: Reason, detail: str = "", *, candidate_message: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason
        self.detail = detail
        self.candidate_message = candidate_message or CANDIDATE_MESSAGES[reason]


class TranscodeError(RuntimeError):
    """ffmpeg failed on an upload that probed fine, for a reason that isn't the candidate's
    (timeout, our own output unreadable): raise it so the queue retries, then dead-letters."""


@dataclass(frozen=True)
class MediaInfo:
    """What an upload holds, from the container and its packets (nothing decoded)."""

    container: str
    duration_s: float
    has_video: bool
    has_audio: bool
    video_codec: str | None = None
    audio_codec: str | None = None
    width: int | None = None
    height: int | None = None
    pix_fmt: str | None = None
    audio_channels: int | None = None


@dataclass(frozen=True)
class TranscodeResult:
    """The playable file (and poster) in the work directory, described from its own probe."""

    output_path: Path
    poster_path: Path | None
    content_type: str
    duration_s: float
    width: int | None
    height: int | None
    video_codec: str | None
    audio_codec: str | None
    output_bytes: int
    remuxed: bool


def ffmpeg_exe() -> str:
    """The ffmpeg binary: `FFMPEG_BINARY` (set by the container image), else the pinned wheel's."""
    if binary := os.environ.get("FFMPEG_BINARY"):
        return binary
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg_threads() -> int:
    """Threads for ffmpeg: `FFMPEG_THREADS`, else the CPUs we may use, capped on Lambda by the
    vCPUs its memory size pays for (the CPU count Lambda shows can be higher than that)."""
    if configured := os.environ.get("FFMPEG_THREADS"):
        return max(1, int(configured))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    if memory_mb := os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"):
        # Lambda's share is fractional (3008 MB = 1.7 vCPUs): round, so 1.7 runs 2 threads.
        cpus = min(cpus, max(1, round(int(memory_mb) / LAMBDA_MB_PER_VCPU)))
    return cpus


def join_chunks(chunk_paths: Sequence[Path], out_path: Path) -> int:
    """Concatenate MediaRecorder timeslice chunks in order; returns the bytes written.

    A timeslice recording is one continuous stream cut into byte pieces (only the first
    carries the container header), so joining is byte concatenation, streamed so memory
    stays constant whatever the answer's length.
    """
    with Path(out_path).open("wb") as out:
        for chunk in chunk_paths:
            with Path(chunk).open("rb") as piece:
                shutil.copyfileobj(piece, out, 1 << 20)
        return out.tell()


def probe(path: Path) -> MediaInfo:
    """Describe an upload, or raise `MediaRejected` for empty, non-media or unreadable files.

    Every packet is demuxed (cheap: nothing is decoded) because MediaRecorder's WebM carries
    no duration in its header, and because a header's duration is the uploader's claim while
    packet timestamps are what the player will actually play.
    """
    path = Path(path)
    if path.stat().st_size == 0:
        raise MediaRejected("empty", "0-byte upload")
    try:
        container = av.open(
            f"file:{path}",
            container_options={"format_whitelist": ALLOWED_DEMUXERS, "protocol_whitelist": "file"},
            metadata_errors="replace",
        )
    except av.FFmpegError as exc:
        reason: Reason = "corrupt" if _has_container_signature(path) else "not_media"
        raise MediaRejected(reason, str(exc)) from exc
    with container:
        return _describe(container)


def _describe(container: av.container.InputContainer) -> MediaInfo:
    video = next((s for s in container.streams.video if not _is_cover_art(s)), None)
    audio = next(iter(container.streams.audio), None)
    chosen = [s for s in (video, audio) if s is not None]
    if not chosen:
        raise MediaRejected("not_media", f"{container.format.name} holds no audio or video")
    start, end, packets = _packet_span(container, chosen)
    if not packets:
        raise MediaRejected("empty", "streams are declared but hold no packets")
    has_video = video is not None and packets.get(video.index, 0) > 0
    has_audio = audio is not None and packets.get(audio.index, 0) > 0
    return MediaInfo(
        container=container.format.name,
        duration_s=round(max(0.0, end - start), 3),
        has_video=has_video,
        has_audio=has_audio,
        video_codec=video.codec_context.name if has_video else None,
        audio_codec=audio.codec_context.name if has_audio else None,
        width=video.codec_context.width if has_video else None,
        height=video.codec_context.height if has_video else None,
        pix_fmt=video.codec_context.pix_fmt if has_video else None,
        audio_channels=audio.codec_context.channels if has_audio else None,
    )


def _packet_span(
    container: av.container.InputContainer, streams: list[av.stream.Stream]
) -> tuple[float, float, dict[int, int]]:
    """First timestamp, last timestamp + duration (seconds) and packet counts per stream."""
    start, end = float("inf"), float("-inf")
    counts: dict[int, int] = {}
    try:
        for packet in container.demux(streams):
            if packet.pts is None or packet.time_base is None:
                continue  # the flush packet demux() yields at the end of each stream
            counts[packet.stream_index] = counts.get(packet.stream_index, 0) + 1
            start = min(start, float(packet.pts * packet.time_base))
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    except av.FFmpegError as exc:
        raise MediaRejected("corrupt", f"demuxing failed: {exc}") from exc
    return start, end, counts


def _is_cover_art(stream: av.stream.Stream) -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _has_container_signature(path: Path) -> bool:
    """Does the file start like a container we accept? Then a failed open means damage."""
    with path.open("rb") as f:
        head = f.read(8)
    return head.startswith(CONTAINER_MAGIC) or head[4:8] in MP4_FIRST_BOXES


def check(info: MediaInfo, answer_type: str, max_seconds: float, grace_s: float = 2.0) -> None:
    """Reject what can't be a valid answer to this question.

    Both answer types need sound: a silent video answer is as useless to a recruiter as a
    silent audio one, and telling the candidate now lets them fix their microphone.
    `grace_s` absorbs the browser stopping a little after the timer.
    """
    if answer_type not in ("video", "audio"):
        raise ValueError(f"answer_type must be 'video' or 'audio', not {answer_type!r}")
    if max_seconds <= 0:
        raise ValueError(f"max_seconds must be positive, not {max_seconds!r}")
    if answer_type == "video" and not info.has_video:
        raise MediaRejected("no_video_stream", f"{info.container} has no video packets")
    if not info.has_audio:
        raise MediaRejected("no_audio_stream", f"{info.container} has no audio packets")
    if info.duration_s > max_seconds + grace_s:
        raise MediaRejected(
            "too_long",
            f"{info.duration_s:.1f}s > {max_seconds:g}s + {grace_s:g}s grace",
            candidate_message=(
                f"Your answer is {_spoken(info.duration_s)} long but this question allows "
                f"{_spoken(max_seconds)}. Please record a shorter answer."
            ),
        )


def _spoken(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    parts = [f"{minutes} minute{'s' * (minutes != 1)}"] if minutes else []
    if secs or not parts:
        parts.append(f"{secs} second{'s' * (secs != 1)}")
    return " ".join(parts)


def can_remux(info: MediaInfo, answer_type: str) -> bool:
    """Is the upload already what we would produce (Safari's H.264/AAC MP4)? Then copy it.

    Only when it also meets the output rules (4:2:0 8-bit, within 720p), so every stored
    answer plays the same way whatever the browser.
    """
    if info.container != MP4_FAMILY or info.audio_codec not in ("aac", None):
        return False
    if answer_type == "audio":
        return info.audio_codec == "aac"
    return (
        info.video_codec == "h264"
        and info.pix_fmt in ("yuv420p", "yuvj420p")
        and min(info.width or 0, info.height or 0) <= MAX_SHORT_SIDE
    )


def transcode(src: Path, workdir: Path, answer_type: str, max_seconds: float) -> TranscodeResult:
    """Probe, check and convert an upload into the stored answer (plus a poster for video).

    Video becomes MP4 H.264 (yuv420p, within 720p) + AAC, audio becomes AAC in .m4a; both
    with the index first (+faststart) so playback starts before the download ends. Raises
    `MediaRejected` for uploads the candidate must re-record, `TranscodeError` otherwise.
    """
    src, workdir = Path(src), Path(workdir)
    info = probe(src)
    check(info, answer_type, max_seconds)
    workdir.mkdir(parents=True, exist_ok=True)
    is_video = answer_type == "video"
    output = workdir / ("answer.mp4" if is_video else "answer.m4a")
    if output.resolve() == src.resolve():
        raise ValueError(f"the upload must not live at the output path {output}")
    remux = can_remux(info, answer_type)
    timeout = 60 + 5 * info.duration_s
    _ffmpeg(ffmpeg_args(src, output, info, answer_type, remux), timeout=timeout, blame_input=True)
    produced = _probe_own(output)
    poster = _poster(output, workdir / "poster.jpg", produced.duration_s) if is_video else None
    width, height = produced.width, produced.height
    if remux and is_video:
        width, height = _display_size(output)
    return TranscodeResult(
        output_path=output,
        poster_path=poster,
        content_type="video/mp4" if is_video else "audio/mp4",
        duration_s=produced.duration_s,
        width=width,
        height=height,
        video_codec=produced.video_codec,
        audio_codec=produced.audio_codec,
        output_bytes=output.stat().st_size,
        remuxed=remux,
    )


def ffmpeg_args(
    src: Path, output: Path, info: MediaInfo, answer_type: str, remux: bool
) -> list[str]:
    """The ffmpeg arguments (after the binary and log flags) that turn `src` into `output`;
    public so the bench times exactly the worker's encode."""
    args = [*_input_args(src), *_output_args(info, answer_type, remux), f"file:{output}"]
    if remux:
        # Copying never decodes, so damage inside the stream would pass unseen: decode it to
        # a null sink in the same run (one read of the input, a fraction of an encode's CPU).
        args += [*_stream_maps(answer_type), "-f", "null", "-"]
    return args


def _input_args(src: Path) -> list[str]:
    threads = str(ffmpeg_threads())
    return [
        "-filter_threads", threads,
        "-format_whitelist", ALLOWED_DEMUXERS,
        "-protocol_whitelist", "file",
        "-threads", threads,
        "-i", f"file:{src}",
    ]  # fmt: skip


def _output_args(info: MediaInfo, answer_type: str, remux: bool) -> list[str]:
    """ffmpeg output options; metadata is dropped (phones put the location in there)."""
    maps = _stream_maps(answer_type)
    muxer = ["-f", "ipod" if answer_type == "audio" else "mp4"]
    common = ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", *muxer]
    if remux:
        return [*maps, "-c", "copy", *common]
    # async=1 pads gaps in the browser's audio timestamps so speech stays in sync.
    audio = ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-af", "aresample=async=1"]
    if (info.audio_channels or 0) > 2:
        audio += ["-ac", "2"]
    if answer_type == "audio":
        return [*maps, *audio, *common]
    video = [
        "-vf", _fit_720p(),
        "-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(X264_CRF),
        "-pix_fmt", "yuv420p",
        "-threads", str(ffmpeg_threads()),
    ]  # fmt: skip
    return [*maps, *video, *audio, *common]


def _stream_maps(answer_type: str) -> list[str]:
    """The first audio stream, and the first video stream for a video answer."""
    audio = ["-map", "0:a:0"]
    return audio if answer_type == "audio" else ["-map", "0:v:0", *audio]


def _fit_720p() -> str:
    """Scale so the short side is at most 720 (never up), the other side keeps the aspect;
    both even, as 4:2:0 H.264 requires. Evaluated after ffmpeg's autorotate, so a portrait
    phone stays portrait."""
    fixed = f"trunc(min({{side}},{MAX_SHORT_SIDE})/2)*2"
    width = f"if(gte(iw,ih),-2,{fixed.format(side='iw')})"
    height = f"if(gte(iw,ih),{fixed.format(side='ih')},-2)"
    return f"scale=w='{width}':h='{height}'"


def _probe_own(output: Path) -> MediaInfo:
    """Probe our own output; if that fails the fault is ours, not the candidate's."""
    try:
        return probe(output)
    except MediaRejected as exc:
        raise TranscodeError(f"ffmpeg produced an unreadable {output.name}: {exc}") from exc


def _display_size(video: Path) -> tuple[int, int]:
    """Width and height as played: a copied phone video keeps its rotation flag (re-encoded
    ones are rotated by ffmpeg), and only a decoded frame tells PyAV about it."""
    with av.open(f"file:{video}") as container:
        frame = next(container.decode(video=0))
    if frame.rotation % 180:
        return frame.height, frame.width
    return frame.width, frame.height


def _poster(video: Path, poster: Path, duration_s: float) -> Path:
    """A JPEG frame ~1 s in (past the camera's first dark frames), or the first frame of a
    short clip; taken from the output so it matches what the reviewer plays."""
    at = "1" if duration_s >= 2.0 else "0"
    _ffmpeg(
        [
            "-ss", at, "-i", f"file:{video}",
            "-map", "0:v:0", "-frames:v", "1", "-q:v", "3", "-update", "1",
            "-f", "image2", f"file:{poster}",
        ],
        timeout=60,
        blame_input=False,
    )  # fmt: skip
    if not poster.is_file() or poster.stat().st_size == 0:
        raise TranscodeError(f"ffmpeg wrote no poster frame from {video.name}")
    return poster


def _ffmpeg(args: list[str], *, timeout: float, blame_input: bool) -> None:
    """Run ffmpeg; any error it reports about an upload makes the upload `corrupt`.

    `-xerror` stops at the first decoding error (exit code non-zero), but demuxers that
    resynchronise after damage (a truncated or garbled WebM) only log an error and exit 0,
    so any line at `-v error` counts as a failure too.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-xerror", "-y"]
    try:
        done = subprocess.run(
            [*cmd, *args],
            check=False,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise TranscodeError(f"ffmpeg ran longer than {timeout:.0f}s") from exc
    errors = done.stderr.strip()
    if done.returncode == 0 and not errors:
        return
    detail = f"ffmpeg exit {done.returncode}: {errors[-2000:]}"
    if blame_input:
        raise MediaRejected("corrupt", detail)
    raise TranscodeError(detail)
