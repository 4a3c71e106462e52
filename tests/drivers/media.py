"""Real media for tests: clips made with the pinned ffmpeg, and readers that check what the
worker produced (or what a cut recording still holds) independently of the code under test.

Clips are tiny (320x240, 3 s) so media tests stay fast on two cores. WebM is written to a
pipe, as MediaRecorder does, so its header carries no duration.
"""

from __future__ import annotations

import hashlib
import struct
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
