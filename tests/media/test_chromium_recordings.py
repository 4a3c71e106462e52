"""Recordings made by Chromium's own MediaRecorder (fake camera and microphone, 1 s
timeslices, the candidate page's MIME types) take their path and play everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from media_worker.transcode import join_chunks, transcode
from tests.drivers.media import (
    ChromiumRecording,
    header_duration,
    played_size,
    record_in_chromium,
    top_level_boxes,
    video_nal_units,
    video_pix_fmt,
)

SECONDS = 3.0
#: The candidate page's video preferences (static_site/candidate/media.js) and the path each
#: must take; a type this Chromium can't record is reported as skipped, never as passed.
PATHS = {
    "video/mp4;codecs=avc1.42E01E,mp4a.40.2": "copy",
    "video/mp4;codecs=avc1,opus": "copy_video",
    "video/webm;codecs=h264,opus": "copy_video",
    "video/x-matroska;codecs=avc1,opus": "copy_video",
    "video/webm;codecs=vp9,opus": "transcode",
    "video/webm;codecs=vp8,opus": "transcode",
}


@pytest.fixture(scope="module")
def chromium_recordings() -> dict[str, ChromiumRecording]:
    recordings = record_in_chromium(list(PATHS), SECONDS)
    # Every Chromium records VP8/VP9 WebM; one built with H.264 (Chrome, Debian's) records
    # H.264 too: without them this file would test nothing about the copy paths.
    assert "video/webm;codecs=vp9,opus" in recordings
    return recordings


@pytest.mark.parametrize("mime", list(PATHS))
def test_a_chromium_recording_takes_its_path_and_plays_everywhere(
    mime: str, chromium_recordings: dict[str, ChromiumRecording], tmp_path: Path
) -> None:
    if mime not in chromium_recordings:
        pytest.skip(f"this Chromium can't record {mime}")
    recording = chromium_recordings[mime]
    # GIVEN the chunks Chromium handed over, joined as the worker joins them
    pieces = []
    for index, chunk in enumerate(recording.chunks):
        piece = tmp_path / f"chunk-{index:05d}"
        piece.write_bytes(chunk)
        pieces.append(piece)
    joined = tmp_path / "joined"
    join_chunks(pieces, joined)

    # WHEN the worker turns them into the stored answer
    result = transcode(joined, tmp_path / "work", "video", 60.0)

    # THEN the path its codecs allow was taken and the answer plays everywhere, in full
    assert result.path == PATHS[mime], recording.mime
    output = result.output_path
    assert (result.video_codec, result.audio_codec) == ("h264", "aac")
    assert video_pix_fmt(output) in ("yuv420p", "yuvj420p")
    boxes = top_level_boxes(output)
    assert boxes.index("moov") < boxes.index("mdat")
    assert played_size(output) == (result.width, result.height) == (640, 360)
    # MediaRecorder starts and stops a little after the timer: about the recorded length
    assert SECONDS - 0.3 <= header_duration(output) <= SECONDS + 0.5
    assert header_duration(output) == pytest.approx(result.duration_s, abs=0.1)
    # a copy keeps every H.264 unit Chromium encoded, bit for bit (Chromium's Matroska frames
    # them with start codes, MP4 with lengths); a transcode's are new
    copied = video_nal_units(output) == video_nal_units(joined)
    assert copied is (result.path != "transcode")
