"""What each browser uploads takes the cheapest path that still stores the one playable shape.

Inputs are made by the pinned ffmpeg in the shapes MediaRecorder writes (fragmented MP4 in
1 s fragments, Matroska/WebM written to a pipe), cut into 1 s timeslice chunks and joined as
the worker joins them. Every output is read back independently of the worker's own probe.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from media_worker.transcode import (
    MediaRejected,
    TranscodeResult,
    ffmpeg_exe,
    join_chunks,
    transcode,
)
from tests.drivers.media import (
    BROWSER_SHAPES,
    BrowserShape,
    Clip,
    browser_recording,
    generate,
    header_duration,
    image_size,
    played_size,
    split_chunks,
    top_level_boxes,
    video_payloads,
    video_pix_fmt,
)

LIMIT_S = 60.0
SECONDS = 3.0
SIZE = (320, 240)
#: Which path each browser shape takes, and who sends it.
EXPECTED_PATH = {
    "mp4_h264_aac": "copy",  # Safari, Chrome/Edge >= 126: video/mp4;codecs=avc1,mp4a.40.2
    "mp4_h264_opus": "copy_video",  # Chrome without an AAC encoder: video/mp4;codecs=avc1,opus
    "webm_h264_opus": "copy_video",  # Chrome: video/webm;codecs=h264,opus
    "webm_vp9_opus": "transcode",  # Chrome, Edge, Firefox: video/webm;codecs=vp9,opus
    "webm_vp8_opus": "transcode",  # older Chrome, Firefox: video/webm;codecs=vp8,opus
}
#: One frame at the recordings' 30 fps, or the 0.1 s the issue allows, whichever is larger.
DURATION_TOLERANCE_S = 0.1


@pytest.fixture(scope="module")
def recordings(media_dir: Path) -> Path:
    return media_dir / "browser"


def uploaded(
    shape: BrowserShape, recordings: Path, tmp_path: Path, keep_chunks: float | None = None
) -> tuple[Path, Path]:
    """(the whole recording, what the worker joins from its 1 s chunks); `keep_chunks`:
    only that many chunks arrived (2.5 = two, and half of the third: a cut recording)."""
    recording = browser_recording(shape, SECONDS, recordings, SIZE)
    chunks = split_chunks(recording)
    if keep_chunks is not None:
        whole = int(keep_chunks)
        part = chunks[whole][: int(len(chunks[whole]) * (keep_chunks - whole))]
        chunks = [*chunks[:whole], part]
    pieces = []
    for index, chunk in enumerate(chunks):
        piece = tmp_path / f"chunk-{index:05d}"
        piece.write_bytes(chunk)
        pieces.append(piece)
    joined = tmp_path / "joined"
    join_chunks(pieces, joined)
    return recording, joined


def assert_plays_everywhere(result: TranscodeResult, seconds: float) -> None:
    """H.264 4:2:0 + AAC, index first, as long as the recording, with a matching poster."""
    output = result.output_path
    assert result.content_type == "video/mp4"
    assert (result.video_codec, result.audio_codec) == ("h264", "aac")
    assert video_pix_fmt(output) in ("yuv420p", "yuvj420p")
    boxes = top_level_boxes(output)
    assert boxes.index("moov") < boxes.index("mdat"), f"not faststart: {boxes}"
    assert header_duration(output) == pytest.approx(seconds, abs=DURATION_TOLERANCE_S)
    assert result.duration_s == pytest.approx(seconds, abs=DURATION_TOLERANCE_S)
    assert result.poster_path is not None
    assert image_size(result.poster_path) == ("mjpeg", result.width, result.height)


@pytest.mark.parametrize("shape", BROWSER_SHAPES)
def test_each_browser_recording_takes_its_path_and_plays_everywhere(
    shape: BrowserShape, recordings: Path, tmp_path: Path
) -> None:
    # GIVEN a 3 s recording as a browser uploads it, in 1 s chunks joined by the worker
    recording, joined = uploaded(shape, recordings, tmp_path)

    # WHEN the worker turns it into the stored answer
    result = transcode(joined, tmp_path / "work", "video", LIMIT_S)

    # THEN it took the path its codecs allow, and plays everywhere at its full length
    assert result.path == EXPECTED_PATH[shape]
    assert_plays_everywhere(result, SECONDS)
    assert (result.width, result.height) == played_size(result.output_path) == SIZE
    assert result.cut_short is False
    copied = video_payloads(result.output_path) == video_payloads(recording)
    # a copy's picture is the browser's, bit for bit; a transcode's is new
    assert copied is (result.path in ("copy", "copy_video"))


@pytest.mark.parametrize("shape", BROWSER_SHAPES)
def test_a_cut_off_recording_is_salvaged_through_the_same_path(
    shape: BrowserShape, recordings: Path, tmp_path: Path
) -> None:
    # GIVEN the page reloaded while the third second was uploading: two chunks and half of one
    recording, joined = uploaded(shape, recordings, tmp_path, keep_chunks=2.5)

    # WHEN the worker processes what arrived
    result = transcode(joined, tmp_path / "work", "video", LIMIT_S)

    # THEN what came before the cut is the answer, made the same way as a whole one
    assert result.path == EXPECTED_PATH[shape]
    assert result.cut_short is True
    assert 2.0 - DURATION_TOLERANCE_S <= result.duration_s < SECONDS
    assert result.cut_at_s == pytest.approx(result.duration_s, abs=DURATION_TOLERANCE_S)
    assert_plays_everywhere(result, result.duration_s)
    if result.path != "transcode":
        kept = video_payloads(result.output_path)
        assert kept == video_payloads(recording)[: len(kept)]


def test_a_phone_held_upright_stays_portrait_when_copied(recordings: Path, tmp_path: Path) -> None:
    # GIVEN an iPhone recording: landscape frames with a display matrix turning them 90 degrees
    recording = browser_recording("mp4_h264_aac", SECONDS, recordings, SIZE, rotation=90)
    assert played_size(recording) == (240, 320)

    # WHEN it is copied into the stored answer
    result = transcode(recording, tmp_path, "video", LIMIT_S)

    # THEN it still plays upright, is reported as played, and its poster is upright too
    assert result.path == "copy"
    assert played_size(result.output_path) == (result.width, result.height) == (240, 320)
    assert video_payloads(result.output_path) == video_payloads(recording)
    assert_plays_everywhere(result, SECONDS)


def test_a_cut_off_phone_recording_is_salvaged_upright(recordings: Path, tmp_path: Path) -> None:
    # GIVEN an iPhone recording held upright, cut off inside its third fragment
    recording = browser_recording("mp4_h264_aac", SECONDS, recordings, SIZE, rotation=90)
    chunks = split_chunks(recording)
    upload = tmp_path / "cut.mp4"
    upload.write_bytes(b"".join(chunks[:2]) + chunks[2][: len(chunks[2]) // 2])

    # WHEN what arrived is stored
    result = transcode(upload, tmp_path / "work", "video", LIMIT_S)

    # THEN the salvaged copy still plays upright
    assert (result.path, result.cut_short) == ("copy", True)
    assert played_size(result.output_path) == (result.width, result.height) == (240, 320)


def test_a_rotated_phone_video_too_large_to_copy_is_turned_upright_when_transcoded(
    recordings: Path, tmp_path: Path
) -> None:
    # GIVEN a 1080p phone recording held upright (frames 1920x1080, turned 90 degrees)
    recording = browser_recording("mp4_h264_aac", 1.0, recordings, (1920, 1080), rotation=90)

    # WHEN it is stored: too large to copy
    result = transcode(recording, tmp_path, "video", LIMIT_S)

    # THEN the frames themselves are portrait within 720p, with nothing left to turn
    assert result.path == "transcode"
    assert played_size(result.output_path) == (result.width, result.height) == (720, 1280)
    assert_plays_everywhere(result, 1.0)


@pytest.mark.parametrize(("pix_fmt", "why"), [("yuv420p10le", "10-bit"), ("yuv422p", "4:2:2")])
def test_h264_that_not_every_player_decodes_is_transcoded(
    pix_fmt: str, why: str, media_dir: Path, tmp_path: Path
) -> None:
    # GIVEN H.264 + AAC in MP4 that Safari or a phone can't be trusted to play (10-bit, 4:2:2)
    clip = Clip(video="h264", audio="aac", muxer="mp4", seconds=1, extra=("-pix_fmt", pix_fmt))
    source = generate(clip, media_dir / f"h264_{pix_fmt}.mp4")

    # WHEN it is stored
    result = transcode(source, tmp_path, "video", LIMIT_S)

    # THEN it is re-encoded to 8-bit 4:2:0
    assert result.path == "transcode", why
    assert video_pix_fmt(result.output_path) == "yuv420p"
    assert_plays_everywhere(result, 1.0)


def test_aac_audio_answer_is_copied_into_m4a(media_dir: Path, tmp_path: Path) -> None:
    # GIVEN Safari's audio-only recording: AAC in fragmented MP4
    clip = Clip(video=None, audio="aac", muxer="mp4", movflags="+frag_keyframe+empty_moov")
    source = generate(clip, media_dir / "aac_fragmented.m4a")

    # WHEN it is stored as an audio answer
    result = transcode(source, tmp_path, "audio", LIMIT_S)

    # THEN the sound is copied into a faststart .m4a, nothing encoded
    assert result.path == "copy"
    assert (result.output_path.suffix, result.content_type) == (".m4a", "audio/mp4")
    assert (result.video_codec, result.audio_codec) == (None, "aac")
    assert header_duration(result.output_path) == pytest.approx(3.0, abs=DURATION_TOLERANCE_S)
    boxes = top_level_boxes(result.output_path)
    assert boxes.index("moov") < boxes.index("mdat")


def test_opus_audio_answer_is_encoded_to_aac(opus_webm: Path, tmp_path: Path) -> None:
    result = transcode(opus_webm, tmp_path, "audio", LIMIT_S)

    assert result.path == "transcode"
    assert (result.video_codec, result.audio_codec) == (None, "aac")


def test_the_time_ffmpeg_spent_is_reported(recordings: Path, tmp_path: Path) -> None:
    # GIVEN a recording that needs the full encode
    _, joined = uploaded("webm_vp8_opus", recordings, tmp_path)

    # WHEN it is stored
    result = transcode(joined, tmp_path / "work", "video", LIMIT_S)

    # THEN the CPU seconds of its ffmpeg runs are known (what the usage page bills from)
    assert 0 < result.ffmpeg_cpu_s < 60


def damaged(recording: Path, tmp_path: Path, after_first_second: int) -> Path:
    """The recording with 64 bytes of noise this far past where its second second begins
    (0 + 200: inside a fragment's or a cluster's structure; + 2000: inside a picture)."""
    data = bytearray(recording.read_bytes())
    at = len(split_chunks(recording)[0]) + after_first_second
    data[at : at + 64] = bytes(range(64))
    out = tmp_path / f"damaged-{after_first_second}-{recording.name}"
    out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("shape", ["mp4_h264_aac", "webm_h264_opus"])
def test_damaged_structure_in_a_copied_recording_is_caught_without_decoding_it(
    shape: BrowserShape, recordings: Path, tmp_path: Path
) -> None:
    # GIVEN a recording that would be copied, with noise inside its container structure
    # (a fragment's sample table, a cluster's element sizes): damage, not a cut
    recording = browser_recording(shape, SECONDS, recordings, SIZE)
    upload = damaged(recording, tmp_path, 200)

    # WHEN it is stored
    with pytest.raises(MediaRejected) as rejected:
        transcode(upload, tmp_path / "work", "video", LIMIT_S)

    # THEN reading the container (no picture decoded) rejects it: the candidate records again
    assert rejected.value.reason == "corrupt"


def test_a_damaged_picture_inside_a_copied_recording_still_gives_a_playable_answer(
    recordings: Path, tmp_path: Path
) -> None:
    # GIVEN Safari's recording with noise inside the picture the poster is taken from (1 s)
    recording = browser_recording("mp4_h264_aac", SECONDS, recordings, SIZE)
    upload = damaged(recording, tmp_path, 2000)

    # WHEN it is stored
    result = transcode(upload, tmp_path / "work", "video", LIMIT_S)

    # THEN it is copied whole, as a player shows it (concealing the damaged frame), poster too
    assert result.path == "copy"
    assert_plays_everywhere(result, SECONDS)


def test_two_pictures_stamped_the_same_millisecond_are_still_copied(
    recordings: Path, tmp_path: Path
) -> None:
    """Chromium's Matroska H.264 now and then repeats a picture's timestamp; MP4 refuses
    that, and the answer must not be lost for it."""
    # GIVEN Chrome's H.264 + Opus recording in which the 11th picture repeats the 10th's time
    recording = browser_recording("webm_h264_opus", SECONDS, recordings, SIZE)
    clashing = tmp_path / "upload.webm"
    subprocess.run(
        [
            ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", str(recording),
            "-map", "0", "-c", "copy",
            "-bsf:v", "setts=ts='if(eq(N\\,10)\\,PREV_OUTPTS\\,PTS)'",
            "-f", "matroska", str(clashing),
        ],
        check=True,
    )  # fmt: skip
    # WHEN the worker makes the answer
    result = transcode(clashing, tmp_path, "video", LIMIT_S)
    # THEN the picture is still copied, and the answer plays everywhere at its full length
    assert result.path == "copy_video"
    assert_plays_everywhere(result, SECONDS)
