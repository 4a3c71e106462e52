"""transcode(): every browser format becomes the one stored shape, bad uploads are rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from media_worker.transcode import MediaRejected, TranscodeResult, probe, transcode
from tests.drivers.media import (
    SECONDS,
    image_size,
    top_level_boxes,
    video_payload_digest,
    video_pix_fmt,
)

LIMIT_S = 60.0


def assert_stored_video(result: TranscodeResult, source: Path) -> None:
    """The stored-answer contract, checked by reading the output back."""
    produced = probe(result.output_path)
    assert (produced.video_codec, produced.audio_codec) == ("h264", "aac")
    assert (result.video_codec, result.audio_codec) == ("h264", "aac")
    assert video_pix_fmt(result.output_path) == "yuv420p"
    assert result.content_type == "video/mp4"
    assert result.duration_s == pytest.approx(probe(source).duration_s, abs=0.2)
    assert result.output_bytes == result.output_path.stat().st_size > 0
    boxes = top_level_boxes(result.output_path)
    assert boxes.index("moov") < boxes.index("mdat"), f"not faststart: {boxes}"
    assert result.poster_path is not None
    assert result.poster_path.read_bytes()[:2] == b"\xff\xd8"  # JPEG start-of-image
    assert image_size(result.poster_path) == ("mjpeg", result.width, result.height)


@pytest.mark.parametrize("fixture", ["vp8_webm", "vp9_webm"])
def test_chrome_webm_becomes_faststart_h264_aac_mp4_with_poster(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # GIVEN a WebM as Chrome/Firefox record it (VP8 or VP9 + Opus, no duration in header)
    source: Path = request.getfixturevalue(fixture)

    # WHEN the worker transcodes it as a video answer
    result = transcode(source, tmp_path, "video", LIMIT_S)

    # THEN it is re-encoded into the stored shape, same size, same length
    assert_stored_video(result, source)
    assert result.remuxed is False
    assert (result.width, result.height) == (320, 240)


@pytest.mark.parametrize("fixture", ["h264_mp4", "fragmented_h264_mp4"])
def test_h264_aac_mp4_is_remuxed_not_reencoded(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # GIVEN an MP4 already in H.264/AAC within 720p (Safari records fragmented MP4)
    source: Path = request.getfixturevalue(fixture)

    # WHEN it is transcoded
    result = transcode(source, tmp_path, "video", LIMIT_S)

    # THEN the streams are copied: the video packets are byte-identical to the upload's
    assert result.remuxed is True
    assert video_payload_digest(result.output_path) == video_payload_digest(source)
    assert_stored_video(result, source)


def test_full_hd_input_is_scaled_to_720p_keeping_aspect(full_hd_webm: Path, tmp_path: Path) -> None:
    result = transcode(full_hd_webm, tmp_path, "video", LIMIT_S)

    assert (result.width, result.height) == (1280, 720)
    assert_stored_video(result, full_hd_webm)


def test_portrait_full_hd_keeps_portrait_with_a_720_short_side(
    portrait_full_hd_webm: Path, tmp_path: Path
) -> None:
    # GIVEN a phone held upright: 1080x1920
    result = transcode(portrait_full_hd_webm, tmp_path, "video", LIMIT_S)

    # THEN "within 720p" applies to the short side, so it is not shrunk to a 405x720 sliver
    assert (result.width, result.height) == (720, 1280)


def test_small_input_is_never_upscaled_and_odd_sizes_become_even(
    odd_size_webm: Path, tmp_path: Path
) -> None:
    result = transcode(odd_size_webm, tmp_path, "video", LIMIT_S)

    assert result.height == 240
    assert result.width is not None
    assert result.width % 2 == 0
    assert result.width <= 321


@pytest.mark.parametrize("fixture", ["opus_webm", "opus_ogg"])
def test_opus_audio_answer_becomes_aac_m4a_without_poster(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # GIVEN an audio-only recording (Chrome records WebM, Firefox Ogg)
    source: Path = request.getfixturevalue(fixture)

    # WHEN it is transcoded as an audio answer
    result = transcode(source, tmp_path, "audio", LIMIT_S)

    # THEN it is AAC in a faststart .m4a and there is no poster
    assert result.output_path.suffix == ".m4a"
    assert result.content_type == "audio/mp4"
    assert (result.video_codec, result.audio_codec) == (None, "aac")
    assert result.poster_path is None
    assert result.remuxed is False
    assert result.duration_s == pytest.approx(probe(source).duration_s, abs=0.2)
    boxes = top_level_boxes(result.output_path)
    assert boxes.index("moov") < boxes.index("mdat")


def test_video_upload_for_an_audio_answer_keeps_only_the_sound(
    vp8_webm: Path, tmp_path: Path
) -> None:
    result = transcode(vp8_webm, tmp_path, "audio", LIMIT_S)

    produced = probe(result.output_path)
    assert (produced.has_video, produced.audio_codec) == (False, "aac")


def test_webm_cut_mid_cluster_is_salvaged_up_to_the_cut(
    truncated_webm: Path, tmp_path: Path
) -> None:
    # GIVEN a WebM cut off mid-cluster (a reload or a crash while recording): it opens and
    # probes, only reading it to the end fails
    # WHEN it is transcoded
    result = transcode(truncated_webm, tmp_path, "video", LIMIT_S)

    # THEN what came before the cut is the answer, in the stored shape, and says it was cut
    assert (result.cut_short, result.cut_at_s is not None) == (True, True)
    assert 1.0 < result.duration_s < SECONDS - 0.5
    assert result.cut_at_s == pytest.approx(result.duration_s, abs=0.2)
    produced = probe(result.output_path)
    assert (produced.video_codec, produced.audio_codec) == ("h264", "aac")
    assert video_pix_fmt(result.output_path) == "yuv420p"
    boxes = top_level_boxes(result.output_path)
    assert boxes.index("moov") < boxes.index("mdat")


def test_a_whole_recording_is_not_called_cut_short(vp8_webm: Path, tmp_path: Path) -> None:
    result = transcode(vp8_webm, tmp_path, "video", LIMIT_S)

    assert (result.cut_short, result.cut_at_s) == (False, None)


def test_truncated_mp4_is_rejected_as_corrupt(truncated_mp4: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaRejected) as rejected:
        transcode(truncated_mp4, tmp_path, "video", LIMIT_S)

    assert rejected.value.reason == "corrupt"


def test_damaged_h264_is_caught_even_when_it_would_only_be_copied(
    garbled_mp4: Path, tmp_path: Path
) -> None:
    # GIVEN a remuxable MP4 whose H.264 data is damaged inside an intact container
    # WHEN it is transcoded (copy path, which alone would never look inside the stream)
    with pytest.raises(MediaRejected) as rejected:
        transcode(garbled_mp4, tmp_path, "video", LIMIT_S)

    # THEN the copy's own read of the stream's framing (NAL unit sizes) rejects it
    assert rejected.value.reason == "corrupt"


def test_over_long_answer_is_rejected_before_any_encoding(vp8_webm: Path, tmp_path: Path) -> None:
    # GIVEN a 3 s answer to a question that allows 0.5 s (+2 s grace)
    with pytest.raises(MediaRejected) as rejected:
        transcode(vp8_webm, tmp_path / "work", "video", 0.5)

    # THEN it is rejected and nothing was produced
    assert rejected.value.reason == "too_long"
    assert not (tmp_path / "work").exists()


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("random_bytes", "not_media"),
        ("text_named_webm", "not_media"),
        ("empty_upload", "empty"),
        ("opus_webm", "no_video_stream"),
        ("silent_webm", "no_audio_stream"),
    ],
)
def test_unusable_upload_for_a_video_answer_is_rejected_with_its_reason(
    fixture: str, reason: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with pytest.raises(MediaRejected) as rejected:
        transcode(request.getfixturevalue(fixture), tmp_path, "video", LIMIT_S)

    assert rejected.value.reason == reason
    assert rejected.value.candidate_message


def test_transcoding_twice_overwrites_the_first_result(vp8_webm: Path, tmp_path: Path) -> None:
    # GIVEN S3 delivered the same upload event twice to a warm worker
    first = transcode(vp8_webm, tmp_path, "video", LIMIT_S)
    second = transcode(vp8_webm, tmp_path, "video", LIMIT_S)

    assert second.output_path == first.output_path
    assert second.output_bytes == second.output_path.stat().st_size
