"""Real media for the media tests, generated once per session with the pinned ffmpeg.

Clips are tiny (320x240, 3 s) so the whole folder stays fast on two cores. WebM is written
to a pipe, as MediaRecorder does, so its header carries no duration.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.drivers.media import Clip, generate


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def vp8_webm(media_dir: Path) -> Path:
    return generate(Clip(video="vp8"), media_dir / "vp8_opus.webm")


@pytest.fixture(scope="session")
def vp9_webm(media_dir: Path) -> Path:
    return generate(Clip(video="vp9"), media_dir / "vp9_opus.webm")


@pytest.fixture(scope="session")
def h264_mp4(media_dir: Path) -> Path:
    return generate(Clip(video="h264", audio="aac", muxer="mp4"), media_dir / "h264_aac.mp4")


@pytest.fixture(scope="session")
def fragmented_h264_mp4(media_dir: Path) -> Path:
    """Fragmented MP4, the layout Safari's MediaRecorder writes."""
    clip = Clip(video="h264", audio="aac", muxer="mp4", movflags="+frag_keyframe+empty_moov")
    return generate(clip, media_dir / "h264_aac_fragmented.mp4")


@pytest.fixture(scope="session")
def opus_webm(media_dir: Path) -> Path:
    return generate(Clip(video=None), media_dir / "opus.webm")


@pytest.fixture(scope="session")
def opus_ogg(media_dir: Path) -> Path:
    return generate(Clip(video=None, muxer="ogg"), media_dir / "opus.ogg")


@pytest.fixture(scope="session")
def silent_webm(media_dir: Path) -> Path:
    return generate(Clip(audio=None), media_dir / "vp8_silent.webm")


@pytest.fixture(scope="session")
def full_hd_webm(media_dir: Path) -> Path:
    clip = Clip(size="1920x1080", rate=10, seconds=1)
    return generate(clip, media_dir / "vp8_1080p.webm")


@pytest.fixture(scope="session")
def portrait_full_hd_webm(media_dir: Path) -> Path:
    clip = Clip(size="1080x1920", rate=10, seconds=1)
    return generate(clip, media_dir / "vp8_1080x1920.webm")


@pytest.fixture(scope="session")
def odd_size_webm(media_dir: Path) -> Path:
    return generate(Clip(size="321x241", seconds=1), media_dir / "vp8_321x241.webm")


@pytest.fixture(scope="session")
def truncated_webm(media_dir: Path, vp8_webm: Path) -> Path:
    data = vp8_webm.read_bytes()
    out = media_dir / "truncated.webm"
    out.write_bytes(data[: len(data) * 6 // 10])
    return out


@pytest.fixture(scope="session")
def truncated_mp4(media_dir: Path, h264_mp4: Path) -> Path:
    """ffmpeg writes the index (moov) last by default, so cutting the tail loses it."""
    data = h264_mp4.read_bytes()
    out = media_dir / "truncated.mp4"
    out.write_bytes(data[: len(data) * 6 // 10])
    return out


@pytest.fixture(scope="session")
def garbled_mp4(media_dir: Path, h264_mp4: Path) -> Path:
    """Intact container, 2 KB of noise in the middle of the H.264 data."""
    data = bytearray(h264_mp4.read_bytes())
    noise = random.Random(7).randbytes(2000)
    middle = len(data) // 2
    data[middle : middle + len(noise)] = noise
    out = media_dir / "garbled.mp4"
    out.write_bytes(bytes(data))
    return out


@pytest.fixture(scope="session")
def random_bytes(media_dir: Path) -> Path:
    out = media_dir / "random.webm"
    out.write_bytes(random.Random(42).randbytes(100_000))
    return out


@pytest.fixture(scope="session")
def text_named_webm(media_dir: Path) -> Path:
    out = media_dir / "notes.webm"
    out.write_text("Dear hiring team, please find my answer attached.\n" * 200)
    return out


@pytest.fixture(scope="session")
def empty_upload(media_dir: Path) -> Path:
    out = media_dir / "empty.webm"
    out.write_bytes(b"")
    return out
