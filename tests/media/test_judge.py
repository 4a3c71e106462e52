"""judge(): the one rule that keeps, salvages or rejects an upload; ends_inside_element():
how a cut recording is told from a whole one, from the container's own structure."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from media_worker.transcode import MediaInfo, ProbeFacts, ends_inside_element, judge, whole_until

INFO = MediaInfo(
    container="matroska,webm",
    duration_s=12.5,
    has_video=True,
    has_audio=True,
    video_codec="vp8",
    audio_codec="opus",
    width=640,
    height=480,
)
WHOLE = ProbeFacts(
    size_bytes=1_000_000,
    signature=True,
    cut_short=False,
    info=INFO,
    declares_video=True,
    declares_audio=True,
    packets=900,
)
CUT = dataclasses.replace(WHOLE, cut_short=True)


def facts(base: ProbeFacts = WHOLE, **info: object) -> ProbeFacts:
    return dataclasses.replace(base, info=dataclasses.replace(INFO, **info))


def test_a_whole_recording_is_kept() -> None:
    verdict = judge(WHOLE, "video", 60)

    assert (verdict.action, verdict.reason, verdict.cut_at_s) == ("keep", None, None)


def test_a_cut_recording_is_salvaged_and_says_where_it_ended() -> None:
    verdict = judge(CUT, "video", 60)

    assert (verdict.action, verdict.cut_at_s) == ("salvage", 12.5)


def test_a_demuxing_error_at_the_cut_is_the_cut_but_elsewhere_it_is_damage() -> None:
    error = "Invalid data found when processing input"
    at_the_cut = judge(dataclasses.replace(CUT, demux_error=error), "video", 60)
    in_the_middle = judge(dataclasses.replace(WHOLE, demux_error=error), "video", 60)

    assert at_the_cut.action == "salvage"
    assert (in_the_middle.action, in_the_middle.reason) == ("reject", "corrupt")


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (ProbeFacts(size_bytes=0, signature=False, cut_short=False), "empty"),
        (ProbeFacts(500, signature=False, cut_short=False, open_error="bad"), "not_media"),
        (ProbeFacts(500, signature=True, cut_short=True, open_error="EOF"), "corrupt"),
        (dataclasses.replace(CUT, declares_video=False, declares_audio=False), "interrupted"),
        (dataclasses.replace(WHOLE, declares_video=False, declares_audio=False), "not_media"),
        (dataclasses.replace(CUT, packets=0), "interrupted"),
        (dataclasses.replace(WHOLE, packets=0), "empty"),
    ],
    ids=[
        "0 bytes",
        "not a container",
        "header unreadable",
        "cut before any track",
        "no audio or video track",
        "cut before any packet",
        "tracks without packets",
    ],
)
def test_an_upload_with_nothing_to_play_is_rejected_with_its_reason(
    upload: ProbeFacts, reason: str
) -> None:
    verdict = judge(upload, "video", 60)

    assert (verdict.action, verdict.reason) == ("reject", reason)
    assert "record" in verdict.candidate_message
    assert "ffmpeg" not in verdict.candidate_message


def test_a_track_the_cut_left_empty_is_an_interruption_not_a_broken_device() -> None:
    # GIVEN the header declares picture and sound, and the cut came before the first sound
    no_sound_yet = judge(facts(CUT, has_audio=False), "video", 60)
    no_picture_yet = judge(facts(CUT, has_video=False), "video", 60)

    # THEN the candidate is not told to check their microphone or camera
    assert (no_sound_yet.reason, no_picture_yet.reason) == ("interrupted", "interrupted")
    assert "microphone" not in no_sound_yet.candidate_message


def test_a_missing_track_in_a_cut_recording_is_still_a_missing_track() -> None:
    # GIVEN a cut recording that never had a microphone track at all
    silent = dataclasses.replace(facts(CUT, has_audio=False), declares_audio=False)

    verdict = judge(silent, "video", 60)

    assert verdict.reason == "no_audio_stream"
    assert "microphone" in verdict.candidate_message


def test_an_audio_answer_needs_only_sound() -> None:
    audio_only = dataclasses.replace(facts(CUT, has_video=False), declares_video=False)

    assert judge(audio_only, "audio", 60).action == "salvage"
    assert judge(audio_only, "video", 60).reason == "no_video_stream"


def test_a_cut_recording_longer_than_allowed_is_still_too_long() -> None:
    verdict = judge(facts(CUT, duration_s=150.0), "video", 120)

    assert (verdict.action, verdict.reason) == ("reject", "too_long")
    assert "2 minutes 30 seconds" in verdict.candidate_message


def test_without_an_answer_type_only_the_media_itself_is_judged() -> None:
    assert judge(facts(WHOLE, has_audio=False)).action == "keep"
    with pytest.raises(ValueError, match="answer_type"):
        judge(WHOLE, "text", 60)


# -- ends_inside_element, on hand-made containers ------------------------------------------

UNKNOWN = b"\x01\xff\xff\xff\xff\xff\xff\xff"  # an EBML size of "unknown", as live WebM has
EBML_HEAD = b"\x1a\x45\xdf\xa3\x84webm"
TIMECODE = b"\xe7\x81\x00"
BLOCK = b"\xa3\x86" + b"\x81\x00\x00\x80ab"  # SimpleBlock: track 1, time 0, keyframe, 2 bytes


def live_webm(blocks: int) -> bytes:
    """EBML header, Segment and Cluster of unknown size, then SimpleBlocks: MediaRecorder's."""
    return (
        EBML_HEAD
        + b"\x18\x53\x80\x67"
        + UNKNOWN
        + b"\x1f\x43\xb6\x75"
        + UNKNOWN
        + TIMECODE
        + BLOCK * blocks
    )


def known_size_webm(blocks: int) -> bytes:
    body = TIMECODE + BLOCK * blocks
    cluster = b"\x1f\x43\xb6\x75" + bytes([0x80 | len(body)]) + body
    return EBML_HEAD + b"\x18\x53\x80\x67" + UNKNOWN + cluster


def mp4(*boxes: tuple[bytes, int]) -> bytes:
    return b"".join(
        (8 + length).to_bytes(4, "big") + kind + b"\x00" * length for kind, length in boxes
    )


def ogg_page(body: int) -> bytes:
    return b"OggS" + b"\x00" * 22 + b"\x01" + bytes([body]) + b"\x00" * body


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "cut"),
    [
        (live_webm(3), False),
        (live_webm(3)[:-3], True),  # inside the last SimpleBlock
        (live_webm(3)[: -len(BLOCK) + 1], True),  # inside a SimpleBlock's size
        (live_webm(3)[: -len(BLOCK)], False),  # on a block boundary: nothing says more was due
        (known_size_webm(3), False),
        (known_size_webm(3)[: -len(BLOCK)], True),  # the Cluster said it held more
        (EBML_HEAD[:6], True),  # inside the EBML header
        (live_webm(1) + b"\x00\x00\x00", False),  # bytes that can't be an element: damage
        (mp4((b"ftyp", 8), (b"moof", 16), (b"mdat", 40)), False),
        (mp4((b"ftyp", 8), (b"moof", 16), (b"mdat", 40))[:-1], True),
        (mp4((b"ftyp", 8), (b"moov", 16))[:20], True),  # inside the index
        (mp4((b"ftyp", 8), (b"moof", 16), (b"mdat", 40))[:44], True),  # inside a box header
        (ogg_page(20) + ogg_page(30), False),
        (ogg_page(20) + ogg_page(30)[:40], True),
    ],
    ids=[
        "live webm, whole",
        "live webm, mid-block",
        "live webm, mid-header",
        "live webm, at a block boundary",
        "known-size clusters, whole",
        "known-size cluster, short",
        "EBML header, short",
        "webm with trailing damage",
        "fragmented mp4, whole",
        "fragmented mp4, mid-mdat",
        "mp4, mid-moov",
        "mp4, mid-box-header",
        "ogg, whole",
        "ogg, mid-page",
    ],
)
def test_a_cut_is_told_from_the_container_structure(data: bytes, cut: bool, tmp_path: Path) -> None:
    assert ends_inside_element(write(tmp_path, data)) is cut


@pytest.mark.parametrize(
    ("data", "whole"),
    [
        (live_webm(3)[:-3], len(live_webm(2))),  # the last SimpleBlock's start
        (known_size_webm(3)[:-2], len(EBML_HEAD) + 12),  # the Cluster's start
        (mp4((b"ftyp", 8), (b"moof", 16), (b"mdat", 40))[:50], 40),  # the mdat's start
        (ogg_page(20) + ogg_page(30)[:40], len(ogg_page(20))),  # the second page's start
        (live_webm(3), None),
    ],
    ids=["live webm", "known-size cluster", "mp4", "ogg", "whole"],
)
def test_a_cut_says_where_the_whole_part_ends(
    data: bytes, whole: int | None, tmp_path: Path
) -> None:
    assert whole_until(write(tmp_path, data)) == whole
