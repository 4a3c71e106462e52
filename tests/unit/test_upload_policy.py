"""The presigned POST policy itself: S3 enforces it in AWS, moto does not, so we read it."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters import uploads
from chalicelib.adapters.aws import reset_clients
from chalicelib.api.candidate_views import upload_grant
from chalicelib.config import reset_settings
from chalicelib.data.media_layout import AttemptLocation
from tests.drivers.config import VALID

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


def _policy(grant: uploads.Grant) -> dict:
    return json.loads(base64.b64decode(grant.fields["policy"]))


def _conditions(policy: dict) -> list:
    return policy["conditions"]


def test_the_policy_pins_bucket_key_prefix_type_family_and_size() -> None:
    grant = uploads.grant(LOCATION, "video/webm;codecs=vp9,opus", "video", 120)
    conditions = _conditions(_policy(grant))
    assert {"bucket": "media-bucket"} in conditions
    assert ["starts-with", "$key", PREFIX + "chunk-"] in conditions
    assert ["starts-with", "$Content-Type", "video/"] in conditions
    assert ["content-length-range", 1, grant.max_chunk_bytes] in conditions
    assert grant.fields["Content-Type"] == "video/webm"
    assert "key" not in grant.fields  # each chunk names itself under the prefix


def test_the_grant_tells_the_browser_every_chunks_key_and_the_policy_admits_them() -> None:
    grant = uploads.grant(LOCATION, "video/webm", "video", 120)
    assert grant.key_prefix == PREFIX
    assert upload_grant(grant)["chunk_key_template"] == PREFIX + "chunk-{index:05d}"
    conditions = _conditions(_policy(grant))
    (condition,) = [
        c for c in conditions if isinstance(c, list) and c[:2] == ["starts-with", "$key"]
    ]
    for index in (0, 1, 12345):
        key = grant.chunk_key_template.format(index=index)
        assert key == LOCATION.chunk_key(index)
        assert key.startswith(condition[2])
    assert not LOCATION.manifest_key.startswith(condition[2])


def test_the_policy_expires_within_fifteen_minutes() -> None:
    grant = uploads.grant(LOCATION, "video/webm", "video", 60)
    expiration = datetime.fromisoformat(_policy(grant)["expiration"].replace("Z", "+00:00"))
    now = datetime.now(UTC)
    assert now < expiration <= now + timedelta(minutes=15, seconds=5)


def test_the_grant_is_signed_with_sigv4() -> None:
    grant = uploads.grant(LOCATION, "video/webm", "video", 60)
    assert grant.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert grant.fields["x-amz-signature"]


def test_audio_answers_are_limited_to_audio_types_and_smaller_sizes() -> None:
    audio = uploads.grant(LOCATION, "audio/webm;codecs=opus", "audio", 120)
    video = uploads.grant(LOCATION, "video/webm", "video", 120)
    assert ["starts-with", "$Content-Type", "audio/"] in _conditions(_policy(audio))
    assert audio.max_total_bytes < video.max_total_bytes


def test_the_size_bound_grows_with_the_questions_maximum_length() -> None:
    short = uploads.max_total_bytes("video", 30)
    long = uploads.max_total_bytes("video", 300)
    assert short < long
    # 5 minutes of 8 Mbit/s video fits; a gigabyte does not.
    assert 300 * 1_000_000 < long < 1024**3
    grant = uploads.grant(LOCATION, "video/webm", "video", 300)
    assert grant.max_chunk_bytes <= uploads.MAX_CHUNK_BYTES
