"""Turn one raw browser recording into playable media: join, scan, judge, transcode, poster.

Pure media code: no AWS, no logging framework. The worker's handler fetches the upload, calls
`join_chunks` / `transcode`, stores what comes back and maps `MediaRejected` to a failed answer
whose reason the candidate sees. Scanning uses PyAV (structured metadata, no text scraping);
the heavy lifting is the pinned ffmpeg CLI, run as a subprocess so a crash in a codec can
never take the Lambda's Python process down with it.

A recording cut off by a reload, a crash or a closed lid ends inside a container element.
`judge` (the one rule deciding keep, salvage or reject) salvages it: every complete packet
before the cut becomes the answer, marked `cut_short` with where it ended. Only an upload
with nothing to play is rejected.

Untrusted input is opened only with the demuxers browsers record into (Matroska/WebM,
MP4/MOV, Ogg) and only from local files: ffmpeg's probing would otherwise accept almost
anything (random bytes open as a "bin" video) and playlist demuxers can read other files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import itertools
import os
import re
import resource
import shutil
import struct
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import av

Reason = Literal[
    "empty", "not_media", "corrupt", "interrupted", "no_video_stream", "no_audio_stream", "too_long"
]
#: How an upload becomes the stored answer, chosen from its probe (see `choose_path`).
ProcessingPath = Literal["copy", "copy_video", "transcode"]

#: Demuxers allowed to read an upload (ffmpeg matches each comma-separated name against the
#: demuxer's names, so "matroska" admits "matroska,webm" and "mov" admits "mov,mp4,m4a,...").
ALLOWED_DEMUXERS = "matroska,mov,ogg"
MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
#: How accepted containers start: EBML (Matroska/WebM), Ogg pages, or an MP4 box type at 4.
CONTAINER_MAGIC = (b"\x1a\x45\xdf\xa3", b"OggS")
MP4_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"free", b"wide"})

#: H.264 pixel formats stored as they come: 4:2:0 8-bit, what every player decodes
#: (`yuvj420p` is the same with full-range levels, as some phones and Safari record).
COPYABLE_PIX_FMTS = frozenset({"yuv420p", "yuvj420p"})

#: Output video fits inside 720p: the short side is at most 720 (landscape 1280x720,
#: portrait phones 720x1280), aspect kept, never upscaled.
MAX_SHORT_SIDE = 720

#: x264 settings chosen with bench/transcode.py (30 s webcam-like 720p VP9 upload at the
#: site's 1 Mbit/s, SSIM vs the upload, CPU seconds on 2 threads). `superfast` with x264's
#: macroblock tree put back (`superfast` drops it; it is what keeps a static webcam scene's
#: grain cheap) at CRF 26: 11.8 CPU-s, 947 kbit/s, SSIM 0.9860, against `veryfast` CRF 26's
#: 18.4 CPU-s, 909 kbit/s, 0.9863: 36% less CPU for 4% more bytes and the same picture.
#: Plain `superfast` is as fast but doubles the bytes (1915 kbit/s at CRF 26, 1539 at 28);
#: `ultrafast` halves the CPU again but triples them; `faster` costs 50% more than
#: `veryfast` for nothing visible. CRF 26 stays the knee (28 saves ~16% of bits for
#: ~0.0007 of SSIM, 24 costs ~20% more for ~0.0007).
X264_PRESET = "superfast"
X264_PARAMS = "mbtree=1:rc-lookahead=10"
X264_CRF = 26
AUDIO_BITRATE = "96k"

#: Lambda grants one vCPU per 1769 MB of memory. More ffmpeg threads than vCPUs can't go
#: faster; they only cost memory (x264's frame threads: ~150 vs ~128 MB at 720p in the bench)
#: and time-slicing. Total CPU seconds barely depend on the thread count (bench: within ~10%).
LAMBDA_MB_PER_VCPU = 1769

#: What ffmpeg says when a copied picture's decoding timestamp is not after the previous one.
_DTS_CLASH = re.compile(
    r"\[vost#\d+:\d+/copy @ [^\]]*\] Non-monotonic DTS; previous: (-?\d+), current: (-?\d+)"
)


def _repeated_picture_stamp(detail: str) -> bool:
    """Did ffmpeg stop on a copied picture that repeats the previous one's timestamp? Only a
    repeat: sound, or time running backwards (what a damaged file shows), is not excused."""
    found = _DTS_CLASH.search(detail)
    return found is not None and found.group(1) == found.group(2)


CANDIDATE_MESSAGES: dict[str, str] = {
    "empty": "Your recording reached us empty. Please record this answer again.",
    "not_media": (
        "We couldn't read your recording as audio or video. Please record this answer again."
    ),
    "corrupt": (
        "Your recording was damaged before it reached us, so we couldn't play it. "
        "Please record this answer again."
    ),
    "interrupted": (
        "Your recording stopped before any of it could be saved. Please record this answer again."
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
class ProbeFacts:
    """Everything `scan` learned about an upload, before anything is decided about it.

    `cut_short`: the bytes stop inside a container element (a recording cut off by a reload,
    a crash or a closed lid). `info` describes the complete packets only; None when no
    demuxer could read the header (`open_error` says why).
    """

    size_bytes: int
    signature: bool
    cut_short: bool
    info: MediaInfo | None = None
    open_error: str | None = None
    declares_video: bool = False
    declares_audio: bool = False
    packets: int = 0
    demux_error: str | None = None
    readable_bytes: int | None = None  # read only this many bytes (None: all of them)


@dataclass(frozen=True)
class Verdict:
    """What becomes of an upload: `keep` it whole, `salvage` what came before the cut (which
    ended at `cut_at_s` into the recording), or `reject` it for `reason`."""

    action: Literal["keep", "salvage", "reject"]
    reason: Reason | None = None
    detail: str = ""
    candidate_message: str = ""
    cut_at_s: float | None = None

    @classmethod
    def reject(cls, reason: Reason, detail: str, *, candidate_message: str = "") -> Verdict:
        return cls("reject", reason, detail, candidate_message or CANDIDATE_MESSAGES[reason])

    def raise_if_rejected(self) -> None:
        if self.action == "reject" and self.reason is not None:
            raise MediaRejected(self.reason, self.detail, candidate_message=self.candidate_message)


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
    path: ProcessingPath
    cut_short: bool = False
    cut_at_s: float | None = None
    ffmpeg_cpu_s: float = 0.0  # CPU seconds of the ffmpeg runs (conversion and poster)

    @property
    def remuxed(self) -> bool:
        """Nothing was encoded: every stream was copied as the browser recorded it."""
        return self.path == "copy"


def ffmpeg_exe() -> str:
    """The ffmpeg binary: `FFMPEG_BINARY` (set by the container image), else the pinned wheel's."""
    if binary := os.environ.get("FFMPEG_BINARY"):
        return binary
    import imageio_ffmpeg  # noqa: PLC0415 - only outside the image, which sets FFMPEG_BINARY

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
        written = out.tell()
    return written - drop_repeated_mp4_headers(Path(out_path))


# Top-level MP4 boxes that WebKitGTK's recorder (GStreamer's MP4 muxer) writes twice in a row:
# its file type at the start and, at stop, the last fragment's header before one `mdat`.
_REPEATED_HEADERS = (b"ftyp", b"moof")


def drop_repeated_mp4_headers(path: Path) -> int:
    """Remove the first of two back-to-back `ftyp` or `moof` boxes; returns the bytes removed.

    A fragment header must be followed by its media data: the first of two headers in a row
    points at data that is not there, so ffmpeg reads it as garbage AAC with timestamps that
    run backwards and refuses a whole answer recorded in Safari's engine. Only box headers
    are read; the file is rewritten (streamed) only when there is something to drop, and a
    box cut off at the end (an interrupted recording) is kept as it is.
    """
    size = path.stat().st_size
    boxes: list[tuple[bytes, int, int]] = []
    with path.open("rb") as f:
        while f.tell() + 8 <= size:
            start = f.tell()
            box_size, kind = struct.unpack(">I4s", f.read(8))
            if box_size == 1 and start + 16 <= size:
                box_size = struct.unpack(">Q", f.read(8))[0]
            if box_size < 8 or start + box_size > size:
                break  # to the end of the file, a cut or damage: nothing after it is a box
            boxes.append((kind, start, box_size))
            f.seek(start + box_size)
    if not boxes or boxes[0][0] != b"ftyp":
        return 0
    drop = [
        (start, box_size)
        for (kind, start, box_size), following in itertools.pairwise(boxes)
        if kind in _REPEATED_HEADERS and following[0] == kind
    ]
    if not drop:
        return 0
    fixed = path.with_name(path.name + ".fixed")
    with path.open("rb") as src, fixed.open("wb") as out:
        position = 0
        for start, box_size in drop:
            _copy_range(src, out, position, start - position)
            position = start + box_size
        _copy_range(src, out, position, size - position)
    fixed.replace(path)
    return sum(box_size for _, box_size in drop)


def _copy_range(src: BinaryIO, out: BinaryIO, start: int, length: int) -> None:
    src.seek(start)
    while length > 0:
        block = src.read(min(length, 1 << 20))
        if not block:
            return
        out.write(block)
        length -= len(block)


def scan(path: Path) -> ProbeFacts:
    """Learn what an upload holds without judging it: its container's shape, whether its bytes
    stop inside a container element (a cut recording), and its complete packets.

    Every packet is demuxed (cheap: nothing is decoded) because MediaRecorder's WebM carries
    no duration in its header, and because a header's duration is the uploader's claim while
    packet timestamps are what the player will actually play. In a cut file the packet the cut
    went through is left out (the demuxer drops or flags it): only complete packets count.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        return ProbeFacts(size_bytes=0, signature=False, cut_short=False)
    signature = _has_container_signature(path)
    whole = whole_until(path) if signature else None
    try:
        with _opened(path) as container:
            return _facts(container, size, signature, whole is not None)
    except av.FFmpegError as exc:
        error = str(exc)
    if whole:
        # The element the cut went through (a fragment's header, say) can stop the demuxer
        # from opening the file at all: read only what precedes it.
        with contextlib.suppress(av.FFmpegError), _opened(path, whole) as container:
            return _facts(container, size, signature, True, readable_bytes=whole)
    return ProbeFacts(size, signature, whole is not None, open_error=error)


def _codec_facts(video: Any, audio: Any) -> dict[str, Any]:
    """What `MediaInfo` says of the chosen video and audio streams' codecs (None if absent)."""
    v = video.codec_context if video is not None else None
    a = audio.codec_context if audio is not None else None
    return {
        "video_codec": v.name if v is not None else None,
        "audio_codec": a.name if a is not None else None,
        "width": v.width if v is not None else None,
        "height": v.height if v is not None else None,
        "pix_fmt": v.pix_fmt if v is not None else None,
        "audio_channels": a.channels if a is not None else None,
    }


def _facts(
    container: av.container.InputContainer,
    size: int,
    signature: bool,
    cut: bool,
    readable_bytes: int | None = None,
) -> ProbeFacts:
    video = next((s for s in container.streams.video if not _is_cover_art(s)), None)
    audio = next(iter(container.streams.audio), None)
    chosen = [s for s in (video, audio) if s is not None]
    span = _packet_span(container, chosen, (readable_bytes or size) if cut else None)
    info = MediaInfo(
        container=container.format.name,
        duration_s=round(max(0.0, span.end - span.start), 3) if span.counts else 0.0,
        # In a cut file a picture counts only from a complete keyframe: nothing decodes
        # before one.
        has_video=video is not None
        and (span.keyframes if cut else span.counts).get(video.index, 0) > 0,
        has_audio=audio is not None and span.counts.get(audio.index, 0) > 0,
        **_codec_facts(video, audio),
    )
    return ProbeFacts(
        size,
        signature,
        cut,
        info=_only_present(info),
        declares_video=video is not None,
        declares_audio=audio is not None,
        packets=sum(span.counts.values()),
        demux_error=span.error,
        readable_bytes=readable_bytes,
    )


def _only_present(info: MediaInfo) -> MediaInfo:
    """Codec facts only for the streams that hold packets (a declared, empty track says
    nothing about what the player will get)."""
    video = {} if info.has_video else {"video_codec": None, "width": None, "height": None}
    audio = {} if info.has_audio else {"audio_codec": None, "audio_channels": None}
    if not info.has_video:
        video["pix_fmt"] = None
    return dataclasses.replace(info, **video, **audio)


@dataclass
class _Span:
    """What the demuxer walk saw: time span, packets and keyframes per stream, any error."""

    start: float = float("inf")
    end: float = float("-inf")
    counts: dict[int, int] = field(default_factory=dict)
    keyframes: dict[int, int] = field(default_factory=dict)
    error: str | None = None


def _complete(packet: av.Packet, file_size: int | None) -> bool:
    """Was this packet read whole? Only asked of a cut file (`file_size` set): the demuxer
    hands the packet the cut went through over short and flagged corrupt, or past the end."""
    if file_size is None:
        return True
    if packet.is_corrupt:
        return False
    return packet.pos is None or packet.pos < 0 or packet.pos + packet.size <= file_size


def _packet_span(
    container: av.container.InputContainer,
    streams: list[av.stream.Stream],
    cut_file_size: int | None,
) -> _Span:
    """First timestamp, last timestamp + duration (seconds), packet and keyframe counts per
    stream, over the complete packets; a demuxing error ends the walk and is noted."""
    span = _Span()
    if not streams:
        return span
    try:
        for packet in container.demux(streams):
            if packet.pts is None or packet.time_base is None:
                continue  # the flush packet demux() yields at the end of each stream
            if not _complete(packet, cut_file_size):
                break  # the cut: nothing after it is whole either
            index = packet.stream_index
            span.counts[index] = span.counts.get(index, 0) + 1
            if packet.is_keyframe:
                span.keyframes[index] = span.keyframes.get(index, 0) + 1
            span.start = min(span.start, float(packet.pts * packet.time_base))
            span.end = max(
                span.end, float((packet.pts + (packet.duration or 0)) * packet.time_base)
            )
    except av.FFmpegError as exc:
        span.error = str(exc)
    return span


def _is_cover_art(stream: av.stream.Stream) -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _has_container_signature(path: Path) -> bool:
    """Does the file start like a container we accept? Then a failed open means damage."""
    with path.open("rb") as f:
        head = f.read(8)
    return head.startswith(CONTAINER_MAGIC) or head[4:8] in MP4_FIRST_BOXES


def ends_inside_element(path: Path) -> bool:
    """Do the file's bytes stop inside a container element, as a recording cut off by a
    reload, a crash or a closed lid does? Read from the container's own structure (element
    and box sizes), so it is exact whatever a demuxer chooses to log. A file that ends on an
    element boundary is whole as far as anyone can tell, and reads as not cut. (Chromium's
    MediaRecorder ends every blob it hands over just after the ID byte of the next
    SimpleBlock, so what a reload leaves of its recording always reads as cut.)"""
    return whole_until(path) is not None


def whole_until(path: Path) -> int | None:
    """Where the element the bytes stop inside begins (everything before it is whole), or
    None when they don't stop inside one. See `ends_inside_element`."""
    path = Path(path)
    with path.open("rb") as f:
        head = f.read(8)
        size = path.stat().st_size
        f.seek(0)
        if head.startswith(b"\x1a\x45\xdf\xa3"):
            return _ebml_cut(f, size)
        if head.startswith(b"OggS"):
            return _ogg_cut(f, size)
        return _mp4_cut(f, size)


#: The EBML IDs a WebM walk may meet at the levels it reads (EBML header, Segment, the
#: Segment's children, a Cluster's children, Void and CRC-32). Anything else is damage.
_EBML_SEGMENT, _EBML_CLUSTER = 0x18538067, 0x1F43B675
_EBML_KNOWN = frozenset(
    {
        0x1A45DFA3, _EBML_SEGMENT,  # EBML header, Segment
        0x114D9B74, 0x1549A966, 0x1654AE6B, _EBML_CLUSTER,  # SeekHead, Info, Tracks, Cluster
        0x1C53BB6B, 0x1043A770, 0x1254C367, 0x1941A469,  # Cues, Chapters, Tags, Attachments
        0xE7, 0xA7, 0xAB, 0xA3, 0xA0, 0xAF, 0x5854,  # Cluster: Timecode..SimpleBlock..
        0xEC, 0xBF,  # Void, CRC-32
    }
)  # fmt: skip


class _Cut(Exception):
    """The bytes ended inside an element's header or body."""


def _read_vint(f: BinaryIO, keep_marker: bool) -> tuple[int, bool] | None:
    """One EBML variable-length integer: (value, all value bits set = "unknown size");
    None for a byte that can't start one (damage); `_Cut` when the bytes end inside it."""
    first = f.read(1)
    if not first:
        raise _Cut
    length = 9 - first[0].bit_length()
    if length > 8:
        return None
    rest = f.read(length - 1)
    if len(rest) < length - 1:
        raise _Cut
    value = first[0] if keep_marker else first[0] & (0xFF >> length)
    for byte in rest:
        value = (value << 8) | byte
    return value, not keep_marker and value == (1 << (7 * length)) - 1


def _ebml_cut(f: BinaryIO, size: int) -> int | None:
    """Walk the EBML header, the Segment, its children and (when their size is unknown, as
    MediaRecorder writes them) the Clusters' children: a declared size running past the end
    of the bytes, or a known-size Segment longer than the file, is a cut."""
    declared_end, start = 0, 0
    try:
        while f.tell() < size:
            start = f.tell()
            element = _read_vint(f, keep_marker=True)
            if element is None or element[0] not in _EBML_KNOWN:
                return None
            length = _read_vint(f, keep_marker=False)
            if length is None:
                return None
            (element_id, _), (value, unknown), body = element, length, f.tell()
            if element_id == _EBML_SEGMENT:
                declared_end = 0 if unknown else body + value
                continue  # read its children
            if element_id == _EBML_CLUSTER and unknown:
                continue  # its children follow until the next Cluster
            if unknown:
                return None  # only Segments and Clusters may leave their size open
            if body + value > size:
                return start
            f.seek(body + value)
    except _Cut:
        return start
    return size if declared_end > size else None


def _ogg_cut(f: BinaryIO, size: int) -> int | None:
    """Walk Ogg pages (27-byte header, segment table, body); one running past the end is a cut."""
    while f.tell() < size:
        start = f.tell()
        header = f.read(27)
        if len(header) < 27:
            return start
        if not header.startswith(b"OggS"):
            return None  # damage, not a cut
        table = f.read(header[26])
        if len(table) < header[26]:
            return start
        body = sum(table)
        if f.tell() + body > size:
            return start
        f.seek(f.tell() + body)
    return None


def _mp4_cut(f: BinaryIO, size: int) -> int | None:
    """Walk top-level MP4 boxes (moov, moof, mdat...); one running past the end is a cut."""
    while f.tell() < size:
        start = f.tell()
        header = f.read(8)
        if len(header) < 8:
            return start
        box_size = struct.unpack(">I", header[:4])[0]
        if box_size == 0:
            return None  # "runs to the end of the file"
        header_size = 8
        if box_size == 1:
            large = f.read(8)
            if len(large) < 8:
                return start
            box_size, header_size = struct.unpack(">Q", large)[0], 16
        if box_size < header_size:
            return None  # damage, not a cut
        if start + box_size > size:
            return start
        f.seek(start + box_size)
    return None


class _Prefix(io.RawIOBase):
    """The first `limit` bytes of a file, as a file: what a demuxer reads when the element a
    cut went through (a fragment's header, say) would stop it from opening at all."""

    def __init__(self, path: Path, limit: int) -> None:
        super().__init__()
        self._file = Path(path).open("rb")  # noqa: SIM115 - closed with this object
        self._limit = limit

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        room = max(0, self._limit - self._file.tell())
        view = memoryview(buffer)[: min(len(buffer), room)]
        return self._file.readinto(view)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            offset, whence = self._limit + offset, io.SEEK_SET
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


@contextlib.contextmanager
def _opened(path: Path, limit: int | None = None) -> Iterator[av.container.InputContainer]:
    """An upload opened with only the demuxers browsers record into; `limit`: reading only
    that many of its bytes."""
    options = {"format_whitelist": ALLOWED_DEMUXERS, "protocol_whitelist": "file"}
    with contextlib.ExitStack() as stack:
        source: Any = f"file:{path}"
        if limit is not None:
            source = stack.enter_context(_Prefix(path, limit))
        yield stack.enter_context(
            av.open(source, container_options=options, metadata_errors="replace")
        )


def judge(
    facts: ProbeFacts,
    answer_type: str | None = None,
    max_seconds: float | None = None,
    grace_s: float = 2.0,
) -> Verdict:
    """The one rule that decides what becomes of an upload: keep it, salvage it, reject it.

    - Nothing to play (0 bytes, not a container we accept, a header no demuxer reads, no
      complete packet) is rejected; so is a file damaged anywhere but at a cut.
    - A recording cut off by a reload, a crash or a closed lid is salvaged: every complete
      packet up to the cut becomes the answer, and the answer says where it ended.
    - With an answer type: a video answer needs a picture and sound, an audio answer sound
      (a silent answer is useless to a recruiter, and telling the candidate now lets them
      fix their microphone); a stream the header declares but the cut left empty is an
      interruption, not a broken microphone. Longer than the question allows (+`grace_s`
      for the browser stopping a little after the timer) is rejected.
    """
    if answer_type not in (None, "video", "audio"):
        raise ValueError(f"answer_type must be 'video' or 'audio', not {answer_type!r}")
    if max_seconds is not None and max_seconds <= 0:
        raise ValueError(f"max_seconds must be positive, not {max_seconds!r}")
    rejected = _nothing_to_play(facts) or _unfit(facts, answer_type, max_seconds, grace_s)
    if rejected is not None:
        return rejected
    if facts.cut_short:
        return Verdict("salvage", cut_at_s=_described(facts).duration_s)
    return Verdict("keep")


def _nothing_to_play(facts: ProbeFacts) -> Verdict | None:
    """Empty, not media, unreadable, damaged before any cut, or cut before any packet: the
    first rule that holds, in this order."""
    unreadable = facts.open_error is not None or facts.info is None
    container = facts.info.container if facts.info is not None else "the upload"
    rules: tuple[tuple[bool, Reason, str], ...] = (
        (facts.size_bytes == 0, "empty", "0-byte upload"),
        (unreadable and facts.signature, "corrupt", f"unreadable: {facts.open_error}"),
        (unreadable, "not_media", f"unreadable: {facts.open_error}"),
        (
            not (facts.declares_video or facts.declares_audio) and facts.cut_short,
            "interrupted",
            "cut before the header declared any audio or video",
        ),
        (
            not (facts.declares_video or facts.declares_audio),
            "not_media",
            f"{container} holds no audio or video",
        ),
        (
            facts.demux_error is not None and not facts.cut_short,
            "corrupt",
            f"demuxing failed: {facts.demux_error}",
        ),
        (
            facts.packets == 0 and facts.cut_short,
            "interrupted",
            "cut before the first complete packet",
        ),
        (facts.packets == 0, "empty", "streams are declared but hold no packets"),
    )
    return next((Verdict.reject(reason, why) for holds, reason, why in rules if holds), None)


def _unfit(
    facts: ProbeFacts, answer_type: str | None, max_seconds: float | None, grace_s: float
) -> Verdict | None:
    """A stream the answer needs is missing, or the answer is longer than allowed."""
    info = _described(facts)
    if answer_type == "video" and not info.has_video:
        if facts.cut_short and facts.declares_video:
            return Verdict.reject("interrupted", "cut before the first complete picture")
        return Verdict.reject("no_video_stream", f"{info.container} has no video packets")
    if answer_type is not None and not info.has_audio:
        if facts.cut_short and facts.declares_audio:
            return Verdict.reject("interrupted", "cut before the first complete sound")
        return Verdict.reject("no_audio_stream", f"{info.container} has no audio packets")
    if max_seconds is not None and info.duration_s > max_seconds + grace_s:
        return Verdict.reject(
            "too_long",
            f"{info.duration_s:.1f}s > {max_seconds:g}s + {grace_s:g}s grace",
            candidate_message=(
                f"Your answer is {_spoken(info.duration_s)} long but this question allows "
                f"{_spoken(max_seconds)}. Please record a shorter answer."
            ),
        )
    return None


def _described(facts: ProbeFacts) -> MediaInfo:
    """The description of an upload `judge` did not reject for lacking one."""
    if facts.info is None:
        raise TranscodeError("an upload without a readable header was not rejected")
    return facts.info


def probe(path: Path) -> MediaInfo:
    """Describe an upload, or raise `MediaRejected` for empty, non-media or unreadable files."""
    facts = scan(path)
    judge(facts).raise_if_rejected()
    return _described(facts)


def check(info: MediaInfo, answer_type: str, max_seconds: float, grace_s: float = 2.0) -> None:
    """Reject what can't be a valid answer to this question (see `judge`): `info` of a
    whole, readable upload, judged only on its streams and length."""
    facts = ProbeFacts(
        size_bytes=1,
        signature=True,
        cut_short=False,
        info=info,
        declares_video=True,
        declares_audio=True,
        packets=1,
    )
    judge(facts, answer_type, max_seconds, grace_s).raise_if_rejected()


def _spoken(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    parts = [f"{minutes} minute{'s' * (minutes != 1)}"] if minutes else []
    if secs or not parts:
        parts.append(f"{secs} second{'s' * (secs != 1)}")
    return " ".join(parts)


def video_fit_for_copy(info: MediaInfo) -> bool:
    """H.264 that already meets the output rules (4:2:0 8-bit, within 720p), so every stored
    answer plays the same way whatever the browser: Safari's, and Chrome's and Edge's when
    they record H.264 (MP4 or Matroska)."""
    return (
        info.video_codec == "h264"
        and info.pix_fmt in COPYABLE_PIX_FMTS
        and min(info.width or 0, info.height or 0) <= MAX_SHORT_SIDE
    )


def choose_path(info: MediaInfo, answer_type: str) -> ProcessingPath:
    """How an upload becomes the stored answer, from its probe alone.

    - `copy`: H.264 fit for copy + AAC (Safari, Chrome/Edge >= 126 recording MP4), or AAC for
      an audio answer: the streams are copied into MP4 as they are (hundreds of times
      realtime), nothing decoded.
    - `copy_video`: H.264 fit for copy with other sound (Chrome's `video/webm;codecs=h264,
      opus`): the picture is copied, only the sound is encoded to AAC (cheap).
    - `transcode`: anything else (VP8, VP9, AV1, 10-bit or 4:2:2 or larger-than-720p
      H.264, audio that isn't AAC): the full x264 encode.

    The container does not matter: MP4 and Matroska both hold H.264 and AAC the same way.
    """
    audio_copyable = info.audio_codec == "aac"
    if answer_type == "audio":
        return "copy" if audio_copyable else "transcode"
    if not video_fit_for_copy(info):
        return "transcode"
    return "copy" if audio_copyable else "copy_video"


def transcode(src: Path, workdir: Path, answer_type: str, max_seconds: float) -> TranscodeResult:
    """Scan, judge and convert an upload into the stored answer (plus a poster for video).

    Video becomes MP4 H.264 (yuv420p, within 720p) + AAC, audio becomes AAC in .m4a; both
    with the index first (+faststart) so playback starts before the download ends. The
    path (copy, copy the video, full transcode) is chosen from the probe (`choose_path`).
    Damage is found by `scan`'s demuxer walk and `judge`, never by decoding the whole
    upload: a recording cut off mid-way is salvaged (its complete packets are first copied
    into a whole file, which then takes the same path as any other upload), damage before
    the cut is rejected. Raises `MediaRejected` for uploads the candidate must re-record,
    `TranscodeError` otherwise.
    """
    children_before = _children_cpu_s()
    src, workdir = Path(src), Path(workdir)
    facts = scan(src)
    verdict = judge(facts, answer_type, max_seconds)
    verdict.raise_if_rejected()
    workdir.mkdir(parents=True, exist_ok=True)
    is_video = answer_type == "video"
    output = workdir / ("answer.mp4" if is_video else "answer.m4a")
    if output.resolve() == src.resolve():
        raise ValueError(f"the upload must not live at the output path {output}")
    info = _described(facts)
    if verdict.action == "salvage":
        src, info = _salvage(src, workdir, facts)
    path = choose_path(info, answer_type)
    timeout = 60 + 5 * info.duration_s
    args = ffmpeg_args(src, output, info, answer_type, path)
    try:
        _ffmpeg(args, timeout=timeout, blame_input=True)
    except MediaRejected as rejected:
        if path == "transcode" or not _repeated_picture_stamp(rejected.detail):
            raise
        # A browser's recorder now and then stamps two pictures with the same millisecond
        # (seen in Chromium's Matroska H.264). A copy keeps the stamps and MP4 refuses the
        # second under -xerror; without it ffmpeg moves that picture on by one tick, which
        # nobody can see. The upload's structure was already walked whole by `scan`.
        _ffmpeg(args, timeout=timeout, blame_input=True, strict=False)
    if verdict.action == "salvage":
        src.unlink()  # our own copy of the complete packets: the work directory's space is tight
    produced = _probe_own(output)
    poster = None
    if is_video:
        poster = _poster(
            output, workdir / "poster.jpg", produced.duration_s, copied=path != "transcode"
        )
    width, height = produced.width, produced.height
    if path != "transcode" and is_video and width and height and mp4_rotation(output) % 180:
        # A copied phone video keeps its rotation; players turn it, so report it as played.
        width, height = height, width
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
        path=path,
        cut_short=verdict.action == "salvage",
        cut_at_s=verdict.cut_at_s,
        ffmpeg_cpu_s=round(_children_cpu_s() - children_before, 3),
    )


def _children_cpu_s() -> float:
    """CPU seconds of this process's finished children (our ffmpeg runs, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _salvage(src: Path, workdir: Path, facts: ProbeFacts) -> tuple[Path, MediaInfo]:
    """Copy the complete packets before the cut into a whole file (same container family,
    so an H.264/AAC MP4 can still be copied rather than re-encoded) and describe it.

    The packets are the ones `scan` counted: the same demuxer walk, stopped at the same place.
    """
    family = _described(facts).container == MP4_FAMILY
    salvaged = workdir / ("salvaged.mp4" if family else "salvaged.mkv")
    if salvaged.resolve() == src.resolve():
        raise ValueError(f"the upload must not live at {salvaged}")
    with (
        _opened(src, facts.readable_bytes) as source,
        av.open(str(salvaged), "w", format="mp4" if family else "matroska") as out,
    ):
        video = next((s for s in source.streams.video if not _is_cover_art(s)), None)
        audio = next(iter(source.streams.audio), None)
        chosen = [s for s in (video, audio) if s is not None]
        copies = {s.index: out.add_stream_from_template(s) for s in chosen}
        try:
            for packet in source.demux(chosen):
                if packet.pts is None or packet.time_base is None:
                    continue
                if not _complete(packet, facts.readable_bytes or facts.size_bytes):
                    break
                packet.stream = copies[packet.stream_index]
                out.mux(packet)
        except av.FFmpegError:
            pass  # where `scan` stopped too: the cut
    kept = scan(salvaged)
    if kept.info is None or kept.cut_short or judge(kept).action != "keep":
        raise TranscodeError(f"salvaging the complete packets gave an unusable file: {kept}")
    return salvaged, kept.info


def ffmpeg_args(
    src: Path, output: Path, info: MediaInfo, answer_type: str, path: ProcessingPath
) -> list[str]:
    """The ffmpeg arguments (after the binary and log flags) that turn `src` into `output`
    along `path`; public so the bench times exactly the worker's ffmpeg run."""
    return [*_input_args(src), *_output_args(info, answer_type, path), f"file:{output}"]


def _input_args(src: Path) -> list[str]:
    threads = str(ffmpeg_threads())
    return [
        "-filter_threads", threads,
        "-format_whitelist", ALLOWED_DEMUXERS,
        "-protocol_whitelist", "file",
        "-threads", threads,
        "-i", f"file:{src}",
    ]  # fmt: skip


def _output_args(info: MediaInfo, answer_type: str, path: ProcessingPath) -> list[str]:
    """ffmpeg output options; metadata is dropped (phones put the location in there), the
    display matrix (a phone's rotation) is not metadata and stays with a copied picture."""
    maps = _stream_maps(answer_type)
    muxer = ["-f", "ipod" if answer_type == "audio" else "mp4"]
    common = ["-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", *muxer]
    if path == "copy":
        return [*maps, "-c", "copy", *common]
    # async=1 pads gaps in the browser's audio timestamps so speech stays in sync.
    audio = ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-af", "aresample=async=1"]
    if (info.audio_channels or 0) > 2:
        audio += ["-ac", "2"]
    if answer_type == "audio":
        return [*maps, *audio, *common]
    if path == "copy_video":
        return [*maps, "-c:v", "copy", *audio, *common]
    video = [
        "-vf", _fit_720p(),
        "-c:v", "libx264", "-preset", X264_PRESET, "-x264-params", X264_PARAMS,
        "-crf", str(X264_CRF),
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
    """Describe our own output from its index: an MP4 ffmpeg just wrote has an exact header,
    so no packet walk (which would cost as much again as the upload's scan, most of a copy's
    time). Unreadable, or lacking what it should hold: the fault is ours, not the
    candidate's."""
    try:
        with av.open(f"file:{output}") as container:
            video = next((s for s in container.streams.video if s.frames), None)
            audio = next((s for s in container.streams.audio if s.frames), None)
            info = MediaInfo(
                container=container.format.name,
                duration_s=round((container.duration or 0) / 1_000_000, 3),
                has_video=video is not None,
                has_audio=audio is not None,
                **_codec_facts(video, audio),
            )
    except av.FFmpegError as exc:
        raise TranscodeError(f"ffmpeg produced an unreadable {output.name}: {exc}") from exc
    if info.duration_s <= 0 or not (info.has_video or info.has_audio):
        raise TranscodeError(f"ffmpeg produced an empty {output.name}: {info}")
    return info


def mp4_rotation(video: Path) -> int:
    """Degrees the first video track's display matrix turns the picture (0, 90, 180, 270),
    read from the MP4's track header (`moov/trak/tkhd`), so nothing is decoded."""
    with Path(video).open("rb") as f:
        moov = _child_box(f, b"moov", 0, Path(video).stat().st_size)
        if moov is None:
            return 0
        at, end = moov
        while (trak := _child_box(f, b"trak", at, end)) is not None:
            if _is_video_track(f, *trak):
                tkhd = _child_box(f, b"tkhd", *trak)
                return _matrix_rotation(f, tkhd[0]) if tkhd else 0
            at = trak[1]
    return 0


def _child_box(f: BinaryIO, kind: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The first box of `kind` among the boxes in [start, end): (body start, box end)."""
    at = start
    while at + 8 <= end:
        f.seek(at)
        size, found = struct.unpack(">I4s", f.read(8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", f.read(8))[0], 16
        elif size == 0:
            size = end - at
        if size < header:
            return None
        if found == kind:
            return at + header, min(at + size, end)
        at += size
    return None


def _is_video_track(f: BinaryIO, start: int, end: int) -> bool:
    mdia = _child_box(f, b"mdia", start, end)
    hdlr = _child_box(f, b"hdlr", *mdia) if mdia else None
    if hdlr is None:
        return False
    f.seek(hdlr[0] + 8)  # version/flags, pre_defined
    return f.read(4) == b"vide"


def _matrix_rotation(f: BinaryIO, tkhd_body: int) -> int:
    """The quarter turn a tkhd's matrix {a b u; c d v; x y w} applies (a, b, c, d 16.16)."""
    f.seek(tkhd_body)
    version = f.read(1)[0]
    f.seek(tkhd_body + (52 if version == 1 else 40))
    a, b, _u, c, d = struct.unpack(">5i", f.read(20))
    if abs(a) >= abs(b):
        return 0 if a >= 0 and d >= 0 else 180
    return 90 if b < 0 < c else 270


def _poster(video: Path, poster: Path, duration_s: float, *, copied: bool = False) -> Path:
    """A JPEG frame ~1 s in (past the camera's first dark frames), or the first frame of a
    short clip; taken from the output so it matches what the reviewer plays.

    A `copied` picture is the browser's own and this is the first time any of it is
    decoded: a damaged frame there is concealed, as the reviewer's player will conceal it
    (the answer is not failed for it); only no picture at all is the upload's fault.
    """
    at = "1" if duration_s >= 2.0 else "0"
    poster.unlink(missing_ok=True)
    _ffmpeg(
        [
            "-ss", at, "-i", f"file:{video}",
            "-map", "0:v:0", "-frames:v", "1", "-q:v", "3", "-update", "1",
            "-f", "image2", f"file:{poster}",
        ],
        timeout=60,
        blame_input=copied,
        strict=not copied,
    )  # fmt: skip
    if not poster.is_file() or poster.stat().st_size == 0:
        if copied:
            raise MediaRejected("corrupt", f"no picture decodes from the copied {video.name}")
        raise TranscodeError(f"ffmpeg wrote no poster frame from {video.name}")
    return poster


def _ffmpeg(args: list[str], *, timeout: float, blame_input: bool, strict: bool = True) -> None:
    """Run ffmpeg; any error it reports about an upload makes the upload `corrupt`.

    A recording that was cut off never reaches it as it came: `transcode` hands over a whole
    file of the complete packets before the cut, so an error here is damage, not the cut.

    `-xerror` stops at the first decoding error (exit code non-zero), but demuxers that
    resynchronise after damage (a truncated or garbled WebM) only log an error and exit 0,
    so any line at `-v error` counts as a failure too. Not `strict`: errors ffmpeg recovers
    from (a damaged frame it conceals) are tolerated, only a failed run counts.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y"]
    if strict:
        cmd.append("-xerror")
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
    if done.returncode == 0 and (not errors or not strict):
        return
    detail = f"ffmpeg exit {done.returncode}: {errors[-2000:]}"
    if blame_input:
        raise MediaRejected("corrupt", detail)
    raise TranscodeError(detail)
