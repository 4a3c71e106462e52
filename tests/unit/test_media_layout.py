"""An attempt's S3 keys: built in one place, parsed back to the same attempt, nothing else."""

from urllib.parse import quote_plus, unquote_plus

import pytest

from chalicelib.data import media_layout
from chalicelib.data.media_layout import AttemptLocation, parse_manifest_key

LOCATION = AttemptLocation("C1", "I1", "V1", "Q1", 3)


def test_raw_upload_prefix_names_company_interview_invitation_question_and_attempt() -> None:
    assert LOCATION.raw_prefix == "raw/C1/I1/V1/Q1/003/"


def test_chunks_manifest_and_outputs_sit_under_the_attempts_prefixes() -> None:
    assert LOCATION.chunk_key(0) == "raw/C1/I1/V1/Q1/003/chunk-00000"
    assert LOCATION.chunk_key(42) == "raw/C1/I1/V1/Q1/003/chunk-00042"
    assert LOCATION.manifest_key == "raw/C1/I1/V1/Q1/003/manifest.json"
    assert LOCATION.media_prefix == "media/C1/I1/V1/Q1/003/"
    video = LOCATION.output_keys("video")
    assert (video.media, video.poster) == (
        "media/C1/I1/V1/Q1/003/answer.mp4",
        "media/C1/I1/V1/Q1/003/poster.jpg",
    )
    audio = LOCATION.output_keys("audio")
    assert (audio.media, audio.poster) == ("media/C1/I1/V1/Q1/003/answer.m4a", None)


def test_chunk_names_sort_in_recording_order() -> None:
    keys = [LOCATION.chunk_key(index) for index in (10, 2, 1, 0)]
    assert sorted(keys) == [LOCATION.chunk_key(index) for index in (0, 1, 2, 10)]


def test_the_browsers_template_names_the_same_keys_as_the_server() -> None:
    # GIVEN the template a grant hands the browser
    template = LOCATION.chunk_key_template
    assert template == "raw/C1/I1/V1/Q1/003/chunk-{index:05d}"
    # THEN filling it in gives exactly the key the server checks and the worker fetches
    for index in (0, 7, 99999):
        assert template.format(index=index) == LOCATION.chunk_key(index)
        assert LOCATION.chunk_index(template.format(index=index)) == index


def test_chunk_index_ignores_keys_that_are_not_this_attempts_chunks() -> None:
    other = AttemptLocation("C1", "I1", "V1", "Q1", 4)
    assert LOCATION.chunk_index(other.chunk_key(1)) is None
    assert LOCATION.chunk_index(LOCATION.manifest_key) is None
    assert LOCATION.chunk_index(LOCATION.chunk_prefix + "12") is None  # not zero-padded
    assert LOCATION.chunk_index(LOCATION.chunk_prefix + "abcde") is None


@pytest.mark.parametrize(
    "location",
    [
        LOCATION,
        AttemptLocation("01JCOMPANY", "01JINTERVIEW", "01JINVITE", "01JQUESTION", 1),
        AttemptLocation("c", "i", "v", "q 1+&%é", 999),
    ],
)
def test_a_manifest_key_parses_back_to_the_attempt_that_built_it(
    location: AttemptLocation,
) -> None:
    assert parse_manifest_key(location.manifest_key) == location


def test_a_url_encoded_event_key_parses_once_decoded() -> None:
    # GIVEN a question id that S3 event notifications URL-encode (spaces arrive as `+`)
    location = AttemptLocation("c1", "i1", "v1", "q 1+x", 1)
    event_key = quote_plus(location.manifest_key, safe="/")
    assert event_key == "raw/c1/i1/v1/q+1%2Bx/001/manifest.json"
    # WHEN the worker decodes it as its handler does
    # THEN it names the same attempt
    assert parse_manifest_key(unquote_plus(event_key)) == location


@pytest.mark.parametrize(
    "key",
    [
        LOCATION.chunk_key(0),
        LOCATION.raw_prefix,
        LOCATION.output_keys("video").media,
        LOCATION.media_prefix + "manifest.json",
        "media/manifest.json",
        "raw/manifest.json",
        "raw/C1/I1/V1/Q1/3/manifest.json",  # attempt not three digits
        "raw/C1/I1/V1/Q1/003/manifest.json.tmp",
        "raw/C1/I1/V1/extra/Q1/003/manifest.json",
        "raw//I1/V1/Q1/003/manifest.json",
        "question-videos/C1/I1/x.mp4",
    ],
)
def test_keys_that_are_not_manifests_are_ignored(key: str) -> None:
    assert parse_manifest_key(key) is None


def test_no_key_a_browser_may_write_under_its_grant_parses_as_a_manifest() -> None:
    # The POST policy admits any key starting with the chunk prefix, slashes included.
    for tail in ("manifest.json", "/manifest.json", "x/001/manifest.json", "/../manifest.json"):
        assert parse_manifest_key(LOCATION.chunk_prefix + tail) is None


def test_ids_that_would_shift_the_keys_segments_are_refused() -> None:
    with pytest.raises(ValueError, match="no '/'"):
        AttemptLocation("C1", "I1", "V1", "a/b", 1)
    with pytest.raises(ValueError, match="non-empty"):
        AttemptLocation("C1", "", "V1", "Q1", 1)
    with pytest.raises(ValueError, match="three digits"):
        AttemptLocation("C1", "I1", "V1", "Q1", 1000)


def test_a_purge_covers_every_attempt_of_the_invitation_and_nothing_of_its_neighbours() -> None:
    prefixes = media_layout.invitation_prefixes("C1", "I1", "V1")
    covered = [
        LOCATION.chunk_key(0),
        LOCATION.manifest_key,
        LOCATION.output_keys("video").media,
        LOCATION.output_keys("video").poster,
    ]
    assert all(any(key.startswith(p) for p in prefixes) for key in covered)
    neighbour = AttemptLocation("C1", "I1", "V10", "Q1", 3)
    assert not any(neighbour.chunk_key(0).startswith(p) for p in prefixes)
    assert not any(neighbour.media_prefix.startswith(p) for p in prefixes)


def test_older_question_videos_played_as_uploaded_belong_to_one_interview() -> None:
    key = media_layout.question_video_key("C1", "I1", "01JVIDEO", "mp4")
    assert key == "question-videos/C1/I1/01JVIDEO.mp4"
    assert media_layout.is_question_video_of(key, "C1", "I1")
    assert not media_layout.is_question_video_of(key, "C1", "I2")
    assert not media_layout.is_question_video_of(key, "C2", "I1")
    assert not media_layout.is_question_video_of("question-videos/C1/I1/x/y.mp4", "C1", "I1")
    assert media_layout.question_video_poster_key(key) is None


def test_a_question_videos_manifest_wakes_the_worker_and_is_never_taken_for_an_answers() -> None:
    video = media_layout.QuestionVideoLocation("C1", "I1", "V1")
    assert video.chunk_key(7) == "raw/C1/I1/question-videos/V1/chunk-00007"
    assert video.manifest_key == "raw/C1/I1/question-videos/V1/manifest.json"
    # the answers' notification (prefix raw/, suffix /manifest.json) covers it
    assert video.manifest_key.startswith(media_layout.RAW_ROOT)
    assert video.manifest_key.endswith(media_layout.MANIFEST_SUFFIX)
    assert parse_manifest_key(video.manifest_key) is None
    assert media_layout.parse_question_video_manifest_key(video.manifest_key) == video
    assert media_layout.parse_question_video_manifest_key(LOCATION.manifest_key) is None
    for tail in ("manifest.json", "/manifest.json", "x/manifest.json"):
        assert media_layout.parse_question_video_manifest_key(video.chunk_prefix + tail) is None
    assert video.chunk_index(video.chunk_key(12)) == 12
    assert video.chunk_index(LOCATION.chunk_key(12)) is None


def test_a_question_videos_mp4_and_poster_sit_under_its_interview() -> None:
    video = media_layout.QuestionVideoLocation("C1", "I1", "V1")
    outputs = video.output_keys
    assert outputs.media == "question-videos/C1/I1/V1/video.mp4"
    assert outputs.poster == "question-videos/C1/I1/V1/poster.jpg"
    assert media_layout.parse_question_video_key(outputs.media) == video
    assert media_layout.question_video_poster_key(outputs.media) == outputs.poster
    assert media_layout.parse_question_video_key(outputs.poster) is None
    assert media_layout.parse_question_video_key("question-videos/C1/I1/V1.mp4") is None
    # replacing it deletes everything it stored, and nothing of its neighbours
    neighbour = media_layout.QuestionVideoLocation("C1", "I1", "V10")
    for prefix in video.prefixes:
        assert not neighbour.chunk_key(0).startswith(prefix)
        assert not neighbour.output_keys.media.startswith(prefix)
    assert all(
        any(k.startswith(p) for p in video.prefixes)
        for k in (video.chunk_key(0), video.manifest_key, outputs.media, outputs.poster)
    )
    with pytest.raises(ValueError, match="no '/'"):
        media_layout.QuestionVideoLocation("C1", "I1", "a/b")


def test_a_question_videos_chunks_hold_three_minutes_and_never_more_than_200_mb() -> None:
    bound = media_layout.question_video_bound()
    assert bound.max_total_bytes == 200 * 1024 * 1024
    assert bound.max_chunks >= media_layout.QUESTION_VIDEO_MAX_SECONDS
    assert bound.max_chunks * bound.max_chunk_bytes <= bound.max_total_bytes
    assert bound.max_chunk_bytes >= 1_000_000  # a 1 s chunk at 8 Mbit/s fits


@pytest.mark.parametrize("answer_type", ["video", "audio"])
def test_an_attempts_chunks_at_their_largest_never_exceed_its_total_bound(
    answer_type: str,
) -> None:
    for seconds in (0, 1, 10, 59, 60, 61, 120, 600, 2400):
        bound = media_layout.upload_bound(answer_type, seconds)
        assert bound.max_chunks * bound.max_chunk_bytes <= bound.max_total_bytes
        assert bound.max_chunks >= seconds / media_layout.CHUNK_SECONDS
        assert 0 < bound.max_chunk_bytes <= media_layout.MAX_CHUNK_BYTES
