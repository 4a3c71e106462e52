"""Real media for tests: clips made with the pinned ffmpeg, and readers that check what the
worker produced (or what a cut recording still holds) independently of the code under test.

Clips are tiny (320x240, 3 s) so media tests stay fast on two cores. WebM is written to a
pipe, as MediaRecorder does, so its header carries no duration.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import itertools
import os
import struct
import subprocess
import threading
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import av

from media_worker.transcode import ffmpeg_exe

SECONDS = 3
SMALL = "320x240"

VIDEO_CODECS = {
    "vp8": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k"],
    "vp9": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k"],
    "h264": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
}
AUDIO_CODECS = {"opus": ["-c:a", "libopus", "-b:a", "48k"], "aac": ["-c:a", "aac", "-b:a", "64k"]}


@dataclass(frozen=True)
class Clip:
    """How to generate a test clip: which streams, codecs, size and container."""

    video: str | None = "vp8"
    audio: str | None = "opus"
    size: str = SMALL
    rate: int = 15
    seconds: float = SECONDS
    muxer: str = "webm"
    movflags: str = ""
    extra: tuple[str, ...] = ()  # more output options, e.g. a keyframe interval


def generate(clip: Clip, out: Path) -> Path:
    """Encode lavfi test sources (testsrc2 picture, sine tone) into `out`."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y"]
    if clip.video:
        source = f"testsrc2=size={clip.size}:rate={clip.rate}:duration={clip.seconds}"
        cmd += ["-f", "lavfi", "-i", source]
    if clip.audio:
        tone = f"sine=frequency=440:sample_rate=48000:duration={clip.seconds}"
        cmd += ["-f", "lavfi", "-i", tone]
    if clip.video:
        cmd += VIDEO_CODECS[clip.video]
    if clip.audio:
        cmd += AUDIO_CODECS[clip.audio]
    if clip.movflags:
        cmd += ["-movflags", clip.movflags]
    cmd += clip.extra
    cmd += ["-f", clip.muxer]
    if clip.muxer in ("webm", "ogg"):
        # A pipe can't seek back to write the duration: the same header MediaRecorder writes.
        with out.open("wb") as sink:
            subprocess.run([*cmd, "pipe:1"], stdout=sink, check=True)
    else:
        subprocess.run([*cmd, str(out)], check=True)
    return out


# -- reading what was produced --------------------------------------------------------------


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order (`moov` before `mdat` means faststart)."""
    boxes = []
    with path.open("rb") as f:
        while header := f.read(8):
            size, kind = struct.unpack(">I4s", header)
            boxes.append(kind.decode("latin-1"))
            if size == 0:  # the box runs to the end of the file
                break
            if size == 1:  # 64-bit size follows the type
                size = struct.unpack(">Q", f.read(8))[0]
                f.seek(size - 16, 1)
            else:
                f.seek(size - 8, 1)
    return boxes


def video_pix_fmt(path: Path) -> str:
    with av.open(str(path)) as container:
        return container.streams.video[0].codec_context.pix_fmt


def image_size(path: Path) -> tuple[str, int, int]:
    """Codec name and size of the first picture in an image file, by decoding it."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frame = next(container.decode(stream))
        return stream.codec_context.name, frame.width, frame.height


def video_payload_digest(path: Path) -> str:
    """SHA-256 over the video packets' bytes: equal digests mean the stream was copied."""
    digest = hashlib.sha256()
    with av.open(str(path)) as container:
        for packet in container.demux(container.streams.video[0]):
            if packet.size:
                digest.update(bytes(packet))
    return digest.hexdigest()


# -- what a cut recording still holds, read from the whole recording ----------------------


@dataclass(frozen=True)
class Packet:
    """One packet of the whole recording: which stream, where its bytes end, its time span."""

    kind: str
    ends_at_byte: int
    start_s: float
    end_s: float
    keyframe: bool


@dataclass(frozen=True)
class Recording:
    """A whole recording, its bytes and its packets, to cut and compare the answer with."""

    path: Path
    answer_type: str
    data: bytes
    packets: tuple[Packet, ...]

    def kept_until(self, cut: int) -> float | None:
        """Seconds of complete data before `cut`, or None when nothing the answer needs
        is complete (no whole keyframe for a video answer, no whole audio packet)."""
        start = min(p.start_s for p in self.packets)
        kinds = ("video", "audio") if self.answer_type == "video" else ("audio",)
        ends = []
        for kind in kinds:
            whole = list(_contiguous_prefix(self.packets, kind, cut))
            if not whole or (kind == "video" and not any(p.keyframe for p in whole)):
                return None
            ends.append(max(p.end_s for p in whole))
        return max(ends) - start

    def first_second_complete_at(self) -> int:
        """The byte offset by which the first second of every stream the answer needs is
        complete: a cut at or after it must give an answer."""
        start = min(p.start_s for p in self.packets)
        kinds = ("video", "audio") if self.answer_type == "video" else ("audio",)
        return max(
            p.ends_at_byte for p in self.packets if p.kind in kinds and p.start_s < start + 1.0
        )


def _contiguous_prefix(packets: tuple[Packet, ...], kind: str, cut: int) -> Iterator[Packet]:
    """A stream's packets in time order, up to the first one not entirely before `cut`."""
    for packet in sorted((p for p in packets if p.kind == kind), key=lambda p: p.start_s):
        if packet.ends_at_byte > cut:
            return
        yield packet


def read_packets(path: Path) -> tuple[Packet, ...]:
    """Every packet with the byte offset its payload ends at, located by its own bytes."""
    data = path.read_bytes()
    packets = []
    with av.open(str(path)) as container:
        for packet in container.demux():
            if packet.pts is None or packet.size == 0:
                continue
            payload = bytes(packet)
            at = data.find(payload, max(packet.pos, 0), packet.pos + packet.size + 64)
            assert at >= 0, "packet payload not found where the demuxer says it is"
            packets.append(
                Packet(
                    packet.stream.type,
                    at + packet.size,
                    float(packet.pts * packet.time_base),
                    float((packet.pts + (packet.duration or 0)) * packet.time_base),
                    packet.is_keyframe,
                )
            )
    return tuple(packets)


# -- recordings in the shapes browsers upload ------------------------------------------------

BrowserShape = Literal[
    "mp4_h264_aac", "mp4_h264_opus", "webm_h264_opus", "webm_vp9_opus", "webm_vp8_opus"
]
BROWSER_SHAPES: tuple[BrowserShape, ...] = get_args(BrowserShape)
FPS = 30
#: The candidate site's recording bitrate at 720p (1 Mbit/s video).
VIDEO_KBPS = 1000
_SHAPE_CODECS: dict[str, list[str]] = {
    # What MediaRecorder produces: H.264 from Chrome (OpenH264/hardware, constrained
    # baseline, no B-frames) and Safari, a keyframe every second (ultrafast keeps this fast).
    "h264": ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    "vp9": [
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
        "-pix_fmt", "yuv420p",
    ],
    "vp8": ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "16", "-threads", "2"],
}  # fmt: skip
_FRAGMENTED = "+frag_keyframe+empty_moov+default_base_moof"


def webcam_scene(size: tuple[int, int], seconds: float, fps: int = FPS) -> list[str]:
    """lavfi inputs for a talking-head-like scene: a slowly shifting background, a moving
    region, sensor-like temporal grain, and a beeping tone (48 kHz, as browsers capture)."""
    width, height = size
    head_w, head_h = max(2, width * 3 // 10 // 2 * 2), max(2, height * 6 // 10 // 2 * 2)
    graph = (
        f"gradients=s={width}x{height}:r={fps}:d={seconds}:speed=0.005,format=yuv420p[bg];"
        f"testsrc2=s={head_w}x{head_h}:r={fps}:d={seconds}[head];"
        f"[bg][head]overlay=x='(W-w)/2+W/20*sin(t/2)':y='(H-h)/3+H/60*sin(t*1.3)':shortest=1,"
        "noise=alls=3:allf=t[out0]"
    )
    tone = f"sine=frequency=220:beep_factor=2:sample_rate=48000:duration={seconds}"
    return ["-f", "lavfi", "-i", graph, "-f", "lavfi", "-i", tone, "-shortest"]


def browser_recording(
    shape: BrowserShape,
    seconds: float,
    out_dir: Path,
    size: tuple[int, int] = (1280, 720),
    rotation: int = 0,
    *,
    video_kbps: int | None = None,
) -> Path:
    """A recording shaped as a browser's MediaRecorder uploads it, made with the pinned ffmpeg.

    - `mp4_h264_aac`: fragmented MP4 (`ftyp`, an empty `moov`, then one `moof`+`mdat` per
      second), as Safari and Chrome/Edge >= 126 record `video/mp4;codecs=avc1,mp4a.40.2`.
    - `mp4_h264_opus`: the same with Opus sound, as Chrome records MP4 where it has no AAC
      encoder (Linux: `video/mp4;codecs=avc1,opus`).
    - `webm_h264_opus`: Matroska with H.264 + Opus and DocType "webm", as Chrome records
      `video/webm;codecs=h264,opus`.
    - `webm_vp9_opus` / `webm_vp8_opus`: what Chrome, Edge and Firefox record by default.

    Every shape is written to a pipe, as MediaRecorder writes: no duration or index in the
    header. `rotation` (degrees counter-clockwise, MP4 only) is the display matrix a phone
    held upright writes: the frames stay `size`, players turn them. Files are cached in
    `out_dir` under a name made of the parameters, so asking twice costs nothing.
    """
    if shape not in BROWSER_SHAPES:
        raise ValueError(f"unknown browser shape {shape!r}")
    if rotation % 90 or (rotation and not shape.startswith("mp4")):
        raise ValueError("rotation is a multiple of 90 degrees, written only into MP4")
    container, video, audio = shape.split("_")
    width, height = size
    if video_kbps is None:
        video_kbps = max(100, VIDEO_KBPS * width * height // (1280 * 720))
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"{shape}-{seconds:g}s-{width}x{height}-r{rotation % 360}-{video_kbps}k.{container}"
    out = out_dir / name
    if out.exists():
        return out
    partial = out_dir / f".{name}.{os.getpid()}.part"
    encode = [
        *_SHAPE_CODECS[video], "-b:v", f"{video_kbps}k", "-g", str(FPS),
        *AUDIO_CODECS[audio], "-ac", "1",
    ]  # fmt: skip
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y"]
    cmd += [*webcam_scene(size, seconds), *encode]
    if container == "mp4":
        cmd += ["-movflags", _FRAGMENTED, "-f", "mp4"]
    else:
        cmd += ["-f", "matroska" if video == "h264" else "webm"]
    with partial.open("wb") as sink:
        subprocess.run([*cmd, "pipe:1"], stdout=sink, check=True)
    if rotation % 360:
        _set_display_rotation(partial, rotation % 360)
    if video == "h264" and container == "webm":
        partial.write_bytes(_webm_doctype(partial.read_bytes()))
    partial.rename(out)
    return out


def _set_display_rotation(path: Path, degrees: int) -> None:
    """Write a display matrix into the MP4 (a stream copy, kept fragmented and piped)."""
    rotated = path.with_name(path.name + ".rot")
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y"]
    cmd += ["-display_rotation:v:0", str(degrees), "-i", str(path), "-c", "copy"]
    cmd += ["-movflags", _FRAGMENTED, "-f", "mp4", "pipe:1"]
    with rotated.open("wb") as sink:
        subprocess.run(cmd, stdout=sink, check=True)
    rotated.replace(path)


def _webm_doctype(data: bytes) -> bytes:
    """The same Matroska file with DocType "webm", as Chrome labels its H.264 recordings
    (ffmpeg's webm muxer refuses H.264, its matroska muxer writes DocType "matroska")."""
    assert data[:4] == b"\x1a\x45\xdf\xa3", "not EBML"
    size, length = _vint(data, 4)
    body_start, body_end = 4 + length, 4 + length + size
    children, at = [], body_start
    while at < body_end:
        element_id = data[at : at + (9 - data[at].bit_length())]
        at += len(element_id)
        value_size, length = _vint(data, at)
        value = data[at + length : at + length + value_size]
        at += length + value_size
        if element_id == b"\x42\x82":  # DocType
            value = b"webm"
        children.append(element_id + bytes([0x80 | len(value)]) + value)
    body = b"".join(children)
    assert len(body) < 127
    return data[:4] + bytes([0x80 | len(body)]) + body + data[body_end:]


def _vint(data: bytes, at: int) -> tuple[int, int]:
    """An EBML size: (value, bytes it took)."""
    length = 9 - data[at].bit_length()
    value = data[at] & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, length


def split_chunks(path: Path, seconds_per_chunk: float = 1.0) -> list[bytes]:
    """The recording as the byte pieces a MediaRecorder timeslice of `seconds_per_chunk`
    hands over: only the first carries the header, joined in order they are the file.

    MP4 is cut where a fragment (`moof`) starts; WebM where Chromium cuts its blobs, just
    after the ID byte of the first SimpleBlock of the next slice (so a recording that
    stops after any chunk ends inside an element, as a reload leaves it).
    """
    data = path.read_bytes()
    starts = _cut_points(path, data)
    origin = min(at for _, at in starts) if starts else 0.0
    cuts, slice_index = [], 1
    for offset, at in sorted(starts):
        if at - origin >= slice_index * seconds_per_chunk - 1e-6 and offset > (cuts or [0])[-1]:
            cuts.append(offset)
            slice_index = int((at - origin + 1e-6) // seconds_per_chunk) + 1
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges) if b > a]


def _cut_points(path: Path, data: bytes) -> list[tuple[int, float]]:
    """(byte offset, media time) where a slice may start: each MP4 fragment, each WebM block
    (+1: Chromium's blobs end just after the next block's ID byte)."""
    with av.open(str(path)) as container:
        packets = [
            (packet.pos, float(packet.pts * packet.time_base))
            for packet in container.demux()
            if packet.pts is not None and packet.pos is not None and packet.pos >= 0
        ]
    if data[:4] == b"\x1a\x45\xdf\xa3":
        blocks = ((_simple_block_start(data, pos), at) for pos, at in packets)
        return [(start + 1, at) for start, at in blocks if start is not None]
    fragments = [offset for kind, offset in _boxes(data) if kind == b"moof"]
    points = []
    for first, following in itertools.pairwise([*fragments, len(data)]):
        times = [at for pos, at in packets if first < pos < following]
        if times:
            points.append((first, min(times)))
    return points


def _simple_block_start(data: bytes, payload: int) -> int | None:
    """Where the SimpleBlock whose payload starts at `payload` begins (its 0xA3 ID byte);
    None for a block inside a BlockGroup (ffmpeg writes one for a track's last packet)."""
    for start in range(payload - 2, max(payload - 10, -1), -1):
        if data[start] == 0xA3 and start + 1 + _vint(data, start + 1)[1] == payload:
            return start
    return None


def _boxes(data: bytes) -> list[tuple[bytes, int]]:
    """Top-level MP4 boxes: (type, offset)."""
    boxes, at = [], 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        if size == 1:
            size = struct.unpack(">Q", data[at + 8 : at + 16])[0]
        boxes.append((kind, at))
        if size < 8:
            break
        at += size
    return boxes


def video_payloads(path: Path) -> list[bytes]:
    """The video packets' bytes in file order: a copy's are the upload's, or a prefix of them."""
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.video[0]) if p.size]


def video_nal_units(path: Path) -> list[bytes]:
    """The H.264 NAL units of every video packet, framing aside: Chrome's Matroska holds
    Annex B (start codes), MP4 holds length-prefixed units, and a copy between them keeps
    every unit's bytes while changing how they are framed."""
    units = []
    with av.open(str(path)) as container:
        for packet in container.demux(container.streams.video[0]):
            if packet.size:
                units += _length_prefixed(bytes(packet)) or _annex_b(bytes(packet))
    return units


def _length_prefixed(data: bytes) -> list[bytes] | None:
    units, at = [], 0
    while at + 4 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        if size == 0 or at + 4 + size > len(data):
            return None
        units.append(data[at + 4 : at + 4 + size])
        at += 4 + size
    return units if at == len(data) else None


def _annex_b(data: bytes) -> list[bytes]:
    pieces = data.split(b"\x00\x00\x01")
    return [piece.rstrip(b"\x00") for piece in pieces[1:] if piece.rstrip(b"\x00")]


def played_size(path: Path) -> tuple[int, int]:
    """Width and height as a player shows them: the first decoded picture, turned by the
    stream's display matrix (a phone's rotation)."""
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
    if frame.rotation % 180:
        return frame.height, frame.width
    return frame.width, frame.height


def header_duration(path: Path) -> float:
    """The duration an MP4's header (`mvhd`) announces: what a player shows before playing."""
    with av.open(str(path)) as container:
        assert container.duration is not None, "no duration in the header"
        return container.duration / 1_000_000


# -- recordings made by Chromium's own MediaRecorder -----------------------------------------

_RECORD_JS = """async ([type, ms]) => {
  const stream = await navigator.mediaDevices.getUserMedia(
    {video: {width: 640, height: 360}, audio: true});
  const recorder = new MediaRecorder(stream, {mimeType: type, videoKeyFrameIntervalDuration: 1000});
  const parts = [];
  recorder.ondataavailable = (event) => parts.push(event.data);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(1000);
  await new Promise((resolve) => setTimeout(resolve, ms));
  recorder.stop();
  await stopped;
  stream.getTracks().forEach((track) => track.stop());
  const chunks = [];
  for (const part of parts) {
    const bytes = new Uint8Array(await part.arrayBuffer());
    let text = "";
    for (let i = 0; i < bytes.length; i += 8192) {
      text += String.fromCharCode(...bytes.subarray(i, i + 8192));
    }
    chunks.push(btoa(text));
  }
  return {mime: recorder.mimeType, chunks};
}"""


@dataclass(frozen=True)
class ChromiumRecording:
    """What Chromium's MediaRecorder handed over for one MIME type, 1 s timeslices."""

    requested: str
    mime: str  # what the recorder says it recorded
    chunks: tuple[bytes, ...]


def record_in_chromium(mime_types: list[str], seconds: float) -> dict[str, ChromiumRecording]:
    """Record the fake camera and microphone with each MIME type this Chromium supports
    (the others are left out), in 1 s timeslices, as the candidate page records.

    In a thread of its own: Playwright's sync API refuses to start in a thread that already
    runs one, as the e2e tests' session-wide browser does when the whole suite runs."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_record_in_chromium, mime_types, seconds).result()


def _record_in_chromium(mime_types: list[str], seconds: float) -> dict[str, ChromiumRecording]:
    from playwright.sync_api import sync_playwright  # only the tests that record need it

    from tests.drivers.chromium import launch_options

    # getUserMedia needs a secure context: a page from a loopback address is one.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EmptyPage)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    recordings = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options())
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            for mime in mime_types:
                if not page.evaluate("(type) => MediaRecorder.isTypeSupported(type)", mime):
                    continue
                made = page.evaluate(_RECORD_JS, [mime, int(seconds * 1000)])
                chunks = tuple(base64.b64decode(chunk) for chunk in made["chunks"])
                recordings[mime] = ChromiumRecording(mime, made["mime"], chunks)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return recordings


class _EmptyPage(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<!doctype html><title>recorder</title>")

    def log_message(self, *args: object) -> None:
        del args


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real one-colour PNG, as an image editor would save it (for logo uploads)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
