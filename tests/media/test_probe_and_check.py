"""probe(), check(), join_chunks() and ffmpeg settings: what the worker learns before encoding."""

from __future__ import annotations

import os
from pathlib import Path

import av
import pytest

from media_worker.transcode import (
    MediaInfo,
    MediaRejected,
    check,
    ffmpeg_exe,
    ffmpeg_threads,
    join_chunks,
    probe,
)
from tests.drivers.media import SECONDS


def split_bytes(source: Path, pieces: int, into: Path) -> list[Path]:
    """Cut a file into byte pieces the way a MediaRecorder timeslice does."""
    data = source.read_bytes()
    step = -(-len(data) // pieces)
    into.mkdir()
    chunks = []
    for index in range(pieces):
        chunk = into / f"{index:05d}"
        chunk.write_bytes(data[index * step : (index + 1) * step])
        chunks.append(chunk)
    return chunks


def test_webm_without_header_duration_gets_its_duration_from_packets(vp8_webm: Path) -> None:
    # GIVEN a WebM written to a pipe, so (like MediaRecorder's) its header has no duration
    with av.open(str(vp8_webm)) as container:
        assert container.duration is None

    # WHEN it is probed
    info = probe(vp8_webm)

    # THEN the duration comes from the last packets' timestamps
    assert info.duration_s == pytest.approx(SECONDS, abs=0.1)
    assert (info.container, info.video_codec, info.audio_codec) == ("matroska,webm", "vp8", "opus")
    assert (info.has_video, info.has_audio, info.width, info.height) == (True, True, 320, 240)


def test_audio_only_ogg_is_described_without_video(opus_ogg: Path) -> None:
    info = probe(opus_ogg)

    assert (info.container, info.has_video, info.audio_codec) == ("ogg", False, "opus")
    assert info.duration_s == pytest.approx(SECONDS, abs=0.1)


def test_chunks_joined_in_order_equal_the_original_recording(
    vp9_webm: Path, tmp_path: Path
) -> None:
    # GIVEN a recording uploaded as 7 byte chunks (only the first has the WebM header)
    chunks = split_bytes(vp9_webm, 7, tmp_path / "chunks")

    # WHEN they are joined
    joined = tmp_path / "joined.webm"
    written = join_chunks(chunks, joined)

    # THEN the result is byte-for-byte the original, and probes as such
    assert written == vp9_webm.stat().st_size
    assert joined.read_bytes() == vp9_webm.read_bytes()
    assert probe(joined) == probe(vp9_webm)


@pytest.mark.parametrize("pieces", [0, 3], ids=["no chunks", "three empty chunks"])
def test_joining_nothing_is_rejected_as_empty(pieces: int, tmp_path: Path) -> None:
    chunks = []
    for index in range(pieces):
        chunk = tmp_path / f"chunk-{index}"
        chunk.write_bytes(b"")
        chunks.append(chunk)

    joined = tmp_path / "joined.webm"
    assert join_chunks(chunks, joined) == 0

    with pytest.raises(MediaRejected) as rejected:
        probe(joined)
    assert rejected.value.reason == "empty"


def test_only_the_first_chunk_is_not_enough_for_a_full_answer(
    vp8_webm: Path, tmp_path: Path
) -> None:
    # GIVEN only the header chunk of a recording arrived
    chunks = split_bytes(vp8_webm, 5, tmp_path / "chunks")

    # THEN it still probes (the stream is continuous), but is much shorter than recorded
    assert probe(chunks[0]).duration_s < SECONDS - 1


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("empty_upload", "empty"),
        ("random_bytes", "not_media"),
        ("text_named_webm", "not_media"),
        ("truncated_mp4", "corrupt"),
    ],
)
def test_probe_rejects_what_cannot_be_opened(
    fixture: str, reason: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(MediaRejected) as rejected:
        probe(request.getfixturevalue(fixture))

    assert rejected.value.reason == reason


def info(*, video: bool = True, audio: bool = True, seconds: float = 30.0) -> MediaInfo:
    return MediaInfo(
        container="matroska,webm",
        duration_s=seconds,
        has_video=video,
        has_audio=audio,
        video_codec="vp8" if video else None,
        audio_codec="opus" if audio else None,
        width=640 if video else None,
        height=480 if video else None,
    )


def test_answer_within_limit_plus_grace_passes() -> None:
    check(info(seconds=61.9), "video", max_seconds=60)
    check(info(video=False, seconds=10), "audio", max_seconds=60)


def test_answer_past_limit_plus_grace_is_too_long_and_says_the_limit() -> None:
    with pytest.raises(MediaRejected) as rejected:
        check(info(seconds=150), "video", max_seconds=120)

    assert rejected.value.reason == "too_long"
    assert "2 minutes 30 seconds" in rejected.value.candidate_message
    assert "allows 2 minutes" in rejected.value.candidate_message


def test_video_answer_needs_a_picture_and_sound() -> None:
    with pytest.raises(MediaRejected, match="no_video_stream"):
        check(info(video=False), "video", max_seconds=60)
    with pytest.raises(MediaRejected, match="no_audio_stream") as rejected:
        check(info(audio=False), "video", max_seconds=60)
    assert "microphone" in rejected.value.candidate_message


def test_audio_answer_needs_sound() -> None:
    with pytest.raises(MediaRejected, match="no_audio_stream"):
        check(info(audio=False), "audio", max_seconds=60)


def test_unknown_answer_type_or_missing_limit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="answer_type"):
        check(info(), "text", max_seconds=60)
    with pytest.raises(ValueError, match="max_seconds"):
        check(info(), "video", max_seconds=0)


def test_every_rejection_tells_the_candidate_what_to_do() -> None:
    for reason in ("empty", "not_media", "corrupt", "no_video_stream", "no_audio_stream"):
        message = MediaRejected(reason).candidate_message
        assert "record" in message
        assert "ffmpeg" not in message


def test_ffmpeg_binary_comes_from_the_environment_when_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FFMPEG_BINARY", "/opt/ffmpeg/bin/ffmpeg")
    assert ffmpeg_exe() == "/opt/ffmpeg/bin/ffmpeg"

    monkeypatch.delenv("FFMPEG_BINARY")
    assert Path(ffmpeg_exe()).is_file()


@pytest.mark.parametrize(
    ("memory_mb", "threads"), [("1024", 1), ("1769", 1), ("2600", 1), ("3008", 2), ("3538", 2)]
)
def test_ffmpeg_threads_follow_the_vcpus_lambda_grants_for_its_memory(
    memory_mb: str, threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FFMPEG_THREADS", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory_mb)

    assert ffmpeg_threads() == min(threads, len(os.sched_getaffinity(0)))


def test_ffmpeg_threads_can_be_set_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FFMPEG_THREADS", "3")
    assert ffmpeg_threads() == 3
