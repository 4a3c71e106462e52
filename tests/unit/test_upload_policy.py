"""The presigned POST policy itself: S3 enforces it in AWS, moto does not, so we read it."""

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib.adapters import uploads
from chalicelib.adapters.aws import reset_clients
from chalicelib.api.candidate_views import upload_grant
from chalicelib.config import reset_settings
from chalicelib.data import media_layout
from chalicelib.data.media_layout import AttemptLocation
from tests.drivers.config import VALID
from tests.drivers.s3_policy import attack_keys, s3_accepts, storable

ROOT = Path(__file__).resolve().parents[2]

LOCATION = AttemptLocation("C1", "I1", "V1", "Q1", 2)
PREFIX = "raw/C1/I1/V1/Q1/002/"


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {**VALID, "MEDIA_BUCKET": "media-bucket"}.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    reset_clients()
    yield
    reset_settings()
    reset_clients()


def _policy(grant: uploads.Grant, index: int = 0) -> dict:
    return json.loads(base64.b64decode(grant.chunks[index]["policy"]))


def _conditions(policy: dict) -> list:
    return policy["conditions"]


def test_the_policy_pins_bucket_exact_key_type_family_and_size() -> None:
    grant = uploads.grant(LOCATION, "video/webm;codecs=vp9,opus", "video", 120)
    conditions = _conditions(_policy(grant, 3))
    assert {"bucket": "media-bucket"} in conditions
    assert {"key": PREFIX + "chunk-00003"} in conditions
    assert ["starts-with", "$Content-Type", "video/"] in conditions
    assert ["content-length-range", 1, grant.max_chunk_bytes] in conditions
    assert grant.fields["Content-Type"] == "video/webm"
    assert "key" not in grant.fields  # each chunk's key comes with its own policy


def test_the_grant_tells_the_browser_every_chunks_key_and_the_policy_admits_them() -> None:
    grant = uploads.grant(LOCATION, "video/webm", "video", 120)
    assert grant.key_prefix == PREFIX
    assert upload_grant(grant)["chunk_key_template"] == PREFIX + "chunk-{index:05d}"
    for index in (0, 1, 29):
        key = grant.chunk_key_template.format(index=index)
        assert key == LOCATION.chunk_key(index)
        assert {"key": key} in _conditions(_policy(grant, index))
    assert not any(
        {"key": LOCATION.manifest_key} in _conditions(_policy(grant, index))
        for index in grant.chunks
    )


def test_the_policy_expires_within_fifteen_minutes() -> None:
    grant = uploads.grant(LOCATION, "video/webm", "video", 60)
    expiration = datetime.fromisoformat(_policy(grant)["expiration"].replace("Z", "+00:00"))
    now = datetime.now(UTC)
    assert now < expiration <= now + timedelta(minutes=15, seconds=5)


def test_the_grant_is_signed_with_sigv4() -> None:
    grant = uploads.grant(LOCATION, "video/webm", "video", 60)
    assert grant.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert all(fields["x-amz-signature"] for fields in grant.chunks.values())


def test_audio_answers_are_limited_to_audio_types_and_smaller_sizes() -> None:
    audio = uploads.grant(LOCATION, "audio/webm;codecs=opus", "audio", 120)
    video = uploads.grant(LOCATION, "video/webm", "video", 120)
    assert ["starts-with", "$Content-Type", "audio/"] in _conditions(_policy(audio))
    assert audio.max_chunk_bytes < video.max_chunk_bytes
    assert audio.max_total_bytes < video.max_total_bytes


def test_the_size_bound_grows_with_the_questions_maximum_length() -> None:
    short = uploads.max_total_bytes("video", 30)
    long = uploads.max_total_bytes("video", 300)
    assert short < long
    # 5 minutes of 8 Mbit/s video fits; a gigabyte does not.
    assert 300 * 1_000_000 < long < 1024**3
    grant = uploads.grant(LOCATION, "video/webm", "video", 300)
    assert grant.max_chunk_bytes <= uploads.MAX_CHUNK_BYTES


# --- Evaluating grants as S3 does: what can one attempt store, whatever the candidate sends? ----


def test_forty_extra_50_mb_chunks_are_refused_by_a_grant_bounded_to_65_mb() -> None:
    # GIVEN the grant of a one-minute video answer: at most ~65 MB in all, 70 chunks or fewer
    grant = uploads.grant(LOCATION, "video/webm", "video", 60)
    assert 60 * 1_000_000 < grant.max_total_bytes < 66 * 1024 * 1024
    view = upload_grant(grant)
    # WHEN the candidate POSTs 40 more 50 MB chunks, numbered past any recording of a minute
    extra = [LOCATION.chunk_key(index) for index in range(100, 140)]
    stored = storable([view], extra, [50 * 1024 * 1024, grant.max_chunk_bytes])
    # THEN S3 stores none of them
    assert sum(stored.values()) <= grant.max_total_bytes
    assert stored == {}


def test_every_grant_an_attempt_can_get_stores_at_most_its_bound_in_all() -> None:
    # GIVEN every window the API would grant for one attempt, from every starting number
    bound = uploads.upload_bound("video", 60)
    views = [
        upload_grant(uploads.grant(LOCATION, "video/webm", "video", 60, first))
        for first in range(0, bound.max_chunks, 13)
    ]
    with pytest.raises(uploads.BeyondBound):
        uploads.grant(LOCATION, "video/webm", "video", 60, bound.max_chunks)
    # WHEN a candidate tries every chunk number, other spellings and other keys, small and large
    sizes = [50 * 1024 * 1024, bound.max_chunk_bytes + 1, bound.max_chunk_bytes, 1]
    stored = storable(views, attack_keys(LOCATION, bound.max_chunks + 40), sizes)
    # THEN only the answer's chunk numbers are writable, each within its share of the bound
    assert sorted(stored) == [LOCATION.chunk_key(index) for index in range(bound.max_chunks)]
    assert set(stored.values()) == {bound.max_chunk_bytes}
    assert sum(stored.values()) <= bound.max_total_bytes


def test_a_window_admits_exactly_its_chunks_with_their_own_policies() -> None:
    grant = uploads.grant(LOCATION, "video/webm;codecs=vp9", "video", 120, 30)
    view = upload_grant(grant)
    assert (view["first_chunk"], view["end_chunk"]) == (30, 30 + uploads.WINDOW_CHUNKS)
    assert sorted(map(int, view["chunks"])) == list(range(30, 60))
    content = 100_000
    for index in range(30, 60):
        form = {**view["fields"], **view["chunks"][str(index)]}
        assert form["key"] == grant.chunk_key_template.format(index=index)
        assert s3_accepts(form, content)
        assert not s3_accepts({**form, "key": LOCATION.chunk_key(index + 1)}, content)
        assert not s3_accepts({**form, "Content-Type": "text/html"}, content)
        assert not s3_accepts(form, grant.max_chunk_bytes + 1)
    # one chunk's policy with another chunk's signature is refused too
    mixed = {**view["fields"], **view["chunks"]["30"], "policy": view["chunks"]["31"]["policy"]}
    assert not s3_accepts(mixed, content)


@pytest.mark.parametrize(
    ("answer_type", "seconds"), [("video", 10), ("video", 2400), ("audio", 90)]
)
def test_the_bound_leaves_room_for_the_recording_the_site_makes(
    answer_type: str, seconds: int
) -> None:
    bound = uploads.upload_bound(answer_type, seconds)
    # one chunk a second (the recorder's timeslice) at the site's bitrate, with room to spare
    assert bound.max_chunks >= seconds / media_layout.CHUNK_SECONDS + 10
    site_bytes_per_second = {"video": 1_000_000 / 8, "audio": 64_000 / 8}[answer_type]
    assert bound.max_chunk_bytes >= 4 * site_bytes_per_second * media_layout.CHUNK_SECONDS
    assert bound.max_chunks * bound.max_chunk_bytes <= bound.max_total_bytes
    recorder = (ROOT / "static_site" / "candidate" / "candidate.js").read_text()
    assert f"timeslice: {media_layout.CHUNK_SECONDS * 1000}" in recorder
