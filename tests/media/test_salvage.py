"""Recordings cut off mid-way (reload, crash, closed lid) become answers up to the cut.

Each browser format is recorded for 7 s with the pinned ffmpeg and cut at 10 byte offsets
spread over the file, from inside the header to near the end. What the answer should hold
is computed independently of the worker: the packets of the *whole* recording whose bytes
lie entirely before the cut offset (found in the file by their payload), per stream, up to
the first one the cut reaches.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import av
import pytest

from media_worker.transcode import (
    MediaRejected,
    TranscodeResult,
    ffmpeg_exe,
    transcode,
)
from tests.drivers.media import (
    Clip,
    Recording,
    generate,
    image_size,
    read_packets,
    top_level_boxes,
    video_pix_fmt,
)

RECORDED_S = 7
TINY = "160x120"  # the picture's size changes nothing here but the encoding time
LIMIT_S = 60.0
TOLERANCE_S = 1.5
#: 10 cuts: 40 bytes (inside the header), three inside the first second, six spread after.
CUTS = (40, 0.03, 0.08, 0.13, 0.25, 0.4, 0.55, 0.7, 0.85, 0.97)

ONE_SECOND_GOP = ("-g", "15")  # a keyframe (and so a Safari-like fragment) every second
FORMATS = {
    "vp8+opus webm": (
        Clip(video="vp8", size=TINY, seconds=RECORDED_S, extra=ONE_SECOND_GOP),
        "video",
    ),
    "vp9+opus webm": (
        Clip(video="vp9", size=TINY, seconds=RECORDED_S, extra=ONE_SECOND_GOP),
        "video",
    ),
    "opus webm": (Clip(video=None, seconds=RECORDED_S), "audio"),
    "fragmented h264+aac mp4": (
        Clip(
            video="h264",
            audio="aac",
            muxer="mp4",
            size=TINY,
            seconds=RECORDED_S,
            movflags="+frag_keyframe+empty_moov+default_base_moof",
            extra=ONE_SECOND_GOP,
        ),
        "video",
    ),
}


@pytest.fixture(scope="module", params=list(FORMATS))
def recording(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Recording:
    clip, answer_type = FORMATS[request.param]
    suffix = ".mp4" if clip.muxer == "mp4" else ".webm"
    path = generate(clip, tmp_path_factory.mktemp("salvage") / f"recording{suffix}")
    return Recording(path, answer_type, path.read_bytes(), read_packets(path))


def output_span(path: Path) -> float:
    """Seconds the stored file plays, from its packets, after decoding every frame of it."""
    start, end = float("inf"), float("-inf")
    with av.open(str(path)) as container:
        for packet in container.demux():
            if packet.pts is None:
                continue
            start = min(start, float(packet.pts * packet.time_base))
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
            for _frame in packet.decode():
                pass  # raises if the stored answer doesn't decode
    return end - start


def assert_stored_answer(result: TranscodeResult, answer_type: str) -> None:
    """The same stored shape as any answer: H.264 yuv420p/AAC (or AAC .m4a), faststart."""
    with av.open(str(result.output_path)) as container:
        codecs = {stream.type: stream.codec_context.name for stream in container.streams}
    boxes = top_level_boxes(result.output_path)
    assert boxes.index("moov") < boxes.index("mdat"), f"not faststart: {boxes}"
    if answer_type == "audio":
        assert codecs == {"audio": "aac"}
        assert result.output_path.suffix == ".m4a"
        return
    assert codecs == {"video": "h264", "audio": "aac"}
    assert video_pix_fmt(result.output_path) == "yuv420p"
    assert result.poster_path is not None
    assert image_size(result.poster_path) == ("mjpeg", result.width, result.height)


def offset_of(cut: float, recording: Recording) -> int:
    return cut if isinstance(cut, int) else int(len(recording.data) * cut)


@pytest.mark.parametrize("cut", CUTS)
def test_a_recording_cut_anywhere_keeps_everything_before_the_cut(
    recording: Recording, cut: float, tmp_path: Path
) -> None:
    # GIVEN the recording's bytes up to a cut, as a reload or a crash leaves them
    offset = offset_of(cut, recording)
    upload = tmp_path / f"upload{recording.path.suffix}"
    upload.write_bytes(recording.data[:offset])
    kept = recording.kept_until(offset)

    if offset < recording.first_second_complete_at() and kept is None:
        # WHEN the cut came before anything the answer needs was whole, THEN it is rejected,
        # saying why in words the candidate can act on
        with pytest.raises(MediaRejected) as rejected:
            transcode(upload, tmp_path / "work", recording.answer_type, LIMIT_S)
        # 40 bytes into a WebM is inside its EBML header: not readable as media at all. An
        # MP4's 32-byte `ftyp` box is whole by then: a recognisable recording, stopped before
        # any sample. Past the header, nothing was whole yet either way.
        unreadable = isinstance(cut, int) and recording.path.suffix == ".webm"
        assert rejected.value.reason == ("corrupt" if unreadable else "interrupted")
        assert "record this answer again" in rejected.value.candidate_message
        return

    # WHEN the worker transcodes it
    result = transcode(upload, tmp_path / "work", recording.answer_type, LIMIT_S)

    # THEN it is an answer as long as the complete data, marked as cut short there
    assert kept is not None
    assert result.cut_short is True
    assert result.cut_at_s is not None
    assert abs(result.cut_at_s - kept) <= TOLERANCE_S, (result.cut_at_s, kept)
    assert abs(result.duration_s - kept) <= TOLERANCE_S, (result.duration_s, kept)
    assert abs(output_span(result.output_path) - kept) <= TOLERANCE_S
    assert_stored_answer(result, recording.answer_type)


def test_the_cuts_span_the_header_the_first_second_and_the_rest(recording: Recording) -> None:
    """The matrix means what it says: some cuts fall before the first complete second
    (one inside the header), most after it."""
    first_second = recording.first_second_complete_at()
    offsets = [offset_of(cut, recording) for cut in CUTS]
    assert recording.kept_until(offsets[0]) is None
    assert 2 <= sum(offset < first_second for offset in offsets) <= 4
    assert offsets[-1] < len(recording.data)


# -- Chrome's live WebM: Clusters of unknown size ------------------------------------------

CLUSTER_ID = b"\x1f\x43\xb6\x75"
UNKNOWN_SIZE = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def _vint(data: bytes, at: int) -> tuple[int, int]:
    """An EBML size at `at`: (value, its length in bytes)."""
    length = 9 - data[at].bit_length()
    value = data[at] & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, length


def with_open_ended_clusters(webm: bytes) -> bytes:
    """The same recording with every Cluster's size written as "unknown", as Chrome's
    MediaRecorder writes them (ffmpeg writes a pipe's Clusters with their size)."""
    segment = webm.index(b"\x18\x53\x80\x67")
    _, size_length = _vint(webm, segment + 4)
    out, at = [webm[: segment + 4 + size_length]], segment + 4 + size_length
    while at < len(webm):
        id_length = 9 - webm[at].bit_length()
        size, size_length = _vint(webm, at + id_length)
        body = at + id_length + size_length
        if webm[at : at + id_length] == CLUSTER_ID:
            out.append(CLUSTER_ID + UNKNOWN_SIZE)
        else:
            out.append(webm[at:body])
        out.append(webm[body : body + size])
        at = body + size
    return b"".join(out)


@pytest.fixture(scope="module")
def live_recording(vp8_webm: Path, tmp_path_factory: pytest.TempPathFactory) -> Recording:
    path = tmp_path_factory.mktemp("live") / "live.webm"
    path.write_bytes(with_open_ended_clusters(vp8_webm.read_bytes()))
    return Recording(path, "video", path.read_bytes(), read_packets(path))


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_a_live_webm_cut_mid_block_is_salvaged(
    live_recording: Recording, cut: float, tmp_path: Path
) -> None:
    # GIVEN the recording cut one byte before the end of the block found at `cut` of its
    # length (the recording's bytes vary from run to run, and a cut that happens to fall on
    # a block's boundary leaves a file nothing can tell from a whole one)
    offset = offset_of(cut, live_recording)
    offset = min(p.ends_at_byte for p in live_recording.packets if p.ends_at_byte > offset) - 1
    upload = tmp_path / "upload.webm"
    upload.write_bytes(live_recording.data[:offset])
    kept = live_recording.kept_until(offset)
    assert kept is not None

    # WHEN the worker transcodes it
    result = transcode(upload, tmp_path / "work", "video", LIMIT_S)

    # THEN every block before the cut is in the answer, which says it was cut short
    assert result.cut_short is True
    assert abs(result.duration_s - kept) <= TOLERANCE_S
    assert_stored_answer(result, "video")


def test_a_live_webm_is_whole_when_it_ends_on_a_block(
    live_recording: Recording, tmp_path: Path
) -> None:
    # GIVEN the recording, and the same recording ending just after a block mid-way (a
    # browser that hands over whole blocks, stopped there): nothing in the bytes says more
    # was coming, so neither is called cut short, and both keep all they hold
    whole = transcode(live_recording.path, tmp_path / "whole", "video", LIMIT_S)
    ends = sorted(p.ends_at_byte for p in live_recording.packets)
    boundary = ends[len(ends) // 2]
    upload = tmp_path / "upload.webm"
    upload.write_bytes(live_recording.data[:boundary])
    halfway = transcode(upload, tmp_path / "half", "video", LIMIT_S)

    assert (whole.cut_short, halfway.cut_short) == (False, False)
    assert abs(whole.duration_s - live_recording.kept_until(len(live_recording.data))) <= 0.2
    assert abs(halfway.duration_s - live_recording.kept_until(boundary)) <= TOLERANCE_S


@pytest.mark.parametrize("where", [0.25, 0.5, 0.75])
def test_a_live_webm_cut_where_chrome_hands_over_a_blob_keeps_every_block(
    live_recording: Recording, where: float, tmp_path: Path
) -> None:
    # GIVEN what a reload leaves of a Chrome recording: every blob MediaRecorder handed over
    # (observed with Chromium: each ends just after the ID byte of the next SimpleBlock, 0xA3,
    # whose size and data come with the next blob, so the bytes always stop mid-element)
    ends = sorted(p.ends_at_byte for p in live_recording.packets)
    block_end = next(
        end for end in ends[int(len(ends) * where) :] if live_recording.data[end] == 0xA3
    )
    upload = tmp_path / "upload.webm"
    upload.write_bytes(live_recording.data[: block_end + 1])
    kept = live_recording.kept_until(block_end + 1)
    assert kept is not None

    # WHEN the worker transcodes it
    result = transcode(upload, tmp_path / "work", "video", LIMIT_S)

    # THEN every block before the blob's end is in the answer, which says it was cut short
    assert result.cut_short is True
    assert abs(result.duration_s - kept) <= 0.2
    assert_stored_answer(result, "video")


# -- a WebM written to a file: Cues (the index) last, then lost with the tail ---------------


@pytest.fixture(scope="module")
def indexed_webm(vp8_webm: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same recording written where the muxer can seek: Segment size and Cues at the end."""
    out = tmp_path_factory.mktemp("indexed") / "indexed.webm"
    command = [ffmpeg_exe(), "-v", "error", "-y", "-i", str(vp8_webm), "-c", "copy", str(out)]
    subprocess.run(command, check=True)
    return out


def test_a_webm_that_lost_its_index_keeps_every_frame(indexed_webm: Path, tmp_path: Path) -> None:
    # GIVEN the file without its final Cues element: every frame is there, the index is not
    data = indexed_webm.read_bytes()
    cues = data.rindex(b"\x1c\x53\xbb\x6b")
    upload = tmp_path / "upload.webm"
    upload.write_bytes(data[: cues + 6])
    recording = Recording(indexed_webm, "video", data, read_packets(indexed_webm))
    whole = recording.kept_until(len(data))
    assert whole is not None

    # WHEN it is transcoded
    result = transcode(upload, tmp_path / "work", "video", LIMIT_S)

    # THEN nothing of the recording is lost, and the answer says its file was cut
    assert result.cut_short is True
    assert abs(result.duration_s - whole) <= 0.2
    assert_stored_answer(result, "video")


# -- Safari's fragmented MP4 cut inside a fragment's header ---------------------------------


def top_level_box_offsets(data: bytes, kind: bytes) -> list[int]:
    offsets, at = [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        if data[at + 4 : at + 8] == kind:
            offsets.append(at)
        at += size
    return offsets


@pytest.fixture(scope="module")
def fragmented(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    clip, answer_type = FORMATS["fragmented h264+aac mp4"]
    path = generate(clip, tmp_path_factory.mktemp("fragmented") / "recording.mp4")
    return Recording(path, answer_type, path.read_bytes(), read_packets(path))


@pytest.mark.parametrize("fragment", [0, 1, 3])
def test_an_mp4_cut_inside_a_fragment_header_keeps_the_fragments_before_it(
    fragmented: Recording, fragment: int, tmp_path: Path
) -> None:
    # GIVEN Safari's recording cut 30 bytes into a fragment's header (its moof): the demuxer
    # cannot even open such a file whole
    offset = top_level_box_offsets(fragmented.data, b"moof")[fragment] + 30
    upload = tmp_path / "upload.mp4"
    upload.write_bytes(fragmented.data[:offset])
    kept = fragmented.kept_until(offset)

    if fragment == 0:
        # THEN before the first fragment there is nothing to keep
        assert kept is None
        with pytest.raises(MediaRejected) as rejected:
            transcode(upload, tmp_path / "work", "video", LIMIT_S)
        assert rejected.value.reason == "interrupted"
        return

    # THEN the fragments before it are the answer
    result = transcode(upload, tmp_path / "work", "video", LIMIT_S)
    assert kept is not None
    assert kept >= fragment - 0.2  # a fragment holds a second here
    assert result.cut_short is True
    assert abs(result.duration_s - kept) <= 0.2
    assert_stored_answer(result, "video")
