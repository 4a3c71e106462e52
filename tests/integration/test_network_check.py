"""The device check's upload test, and the recording types the site may choose, through the API.

Grants are judged as real S3 judges a POST (`tests.drivers.s3_policy`: moto stores any POST).
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import AttemptLocation
from chalicelib.data.repositories import candidates
from chalicelib.domain.invitations import find_by_token
from chalicelib.domain.network_check import PROBE_MAX_BYTES, PROBES_PER_INVITATION
from tests.drivers.api import Candidate, Http, consenting_candidate, create
from tests.drivers.s3_policy import s3_accepts

QUESTION = {"text": "Tell us.", "think_seconds": 0, "max_answer_seconds": 60, "retakes": 0}


def candidate_of(http: Http, admin: dict, email: str = "sam@example.com") -> Candidate:
    token = admin["tokens"]["id_token"]
    interview = create(http, token, questions=[QUESTION])
    return consenting_candidate(http, token, interview["interview_id"], email=email)


def probe_grant(candidate: Candidate) -> dict:
    status, grant = candidate.call("POST", "/network-check")
    assert status == 201, grant
    return grant


def form(grant: dict, **changes: str) -> dict[str, str]:
    return {**grant["fields"], **changes}


def test_a_network_check_grant_stores_one_bounded_probe_for_a_minute_and_nothing_else(
    http: Http, admin: dict
) -> None:
    # GIVEN a candidate with their link
    sam = candidate_of(http, admin)
    invitation = find_by_token(sam.token)
    # WHEN the device check asks for an upload test
    grant = probe_grant(sam)
    key = grant["fields"]["key"]
    # THEN it names one fresh key under the invitation's probes, outside `raw/`
    assert key.startswith(f"probes/{invitation.company_id}/{invitation.invitation_id}/")
    assert probe_grant(sam)["fields"]["key"] != key
    # AND its policy expires within a minute
    policy = json.loads(base64.b64decode(grant["fields"]["policy"]))
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert expires <= datetime.now(UTC) + timedelta(seconds=61)
    # AND S3 would store a few hundred KB there, and nothing larger than 512 KB
    assert grant["max_bytes"] == PROBE_MAX_BYTES == 512 * 1024
    assert s3_accepts(form(grant), 350 * 1024)
    assert s3_accepts(form(grant), PROBE_MAX_BYTES)
    assert not s3_accepts(form(grant), PROBE_MAX_BYTES + 1)
    # AND nowhere else: not an answer's chunk, not its manifest, not another probe name
    chunk = AttemptLocation(
        invitation.company_id, invitation.interview_id, invitation.invitation_id, "q", 1
    )
    for other in (chunk.chunk_key(0), chunk.manifest_key, key + "x", "probes/other"):
        assert not s3_accepts(form(grant, key=other), 1024), other
    # AND only as opaque bytes: a video content type is refused
    assert not s3_accepts(form(grant, **{"Content-Type": "video/webm"}), 1024)


def test_a_probe_is_never_an_answer_and_wakes_no_worker(http: Http, admin: dict) -> None:
    # GIVEN a candidate who ran the upload test
    sam = candidate_of(http, admin)
    grant = probe_grant(sam)
    bucket = os.environ["MEDIA_BUCKET"]
    assert s3_accepts(form(grant), 300 * 1024)
    client("s3").put_object(
        Bucket=bucket,
        Key=grant["fields"]["key"],
        Body=os.urandom(300 * 1024),
        ContentType=grant["fields"]["Content-Type"],
    )
    # THEN their session shows no answer and the worker's queue stays empty
    session = sam.session()
    assert session["progress"]["answered"] == 0
    assert all(q["answer"] is None for q in session["questions"])
    queued = client("sqs").receive_message(QueueUrl=os.environ["UPLOADS_QUEUE_URL"])
    assert queued.get("Messages", []) == []


def test_a_link_gets_only_so_many_network_checks_then_a_429(http: Http, admin: dict) -> None:
    # GIVEN a candidate who already tested their connection as often as the limit allows
    sam = candidate_of(http, admin)
    for _ in range(PROBES_PER_INVITATION.count):
        probe_grant(sam)
    # WHEN they ask once more THEN 429 in plain words, and another candidate is unaffected
    status, body = sam.call("POST", "/network-check")
    assert status == 429, body
    assert "record your answers without the test" in body["message"]
    kim = candidate_of(http, admin, email="kim@example.com")
    probe_grant(kim)


def test_an_unknown_link_gets_no_network_check(http: Http) -> None:
    status, body = http.call(
        "POST", "/candidate/network-check", headers={"X-Invitation-Token": "not-a-link"}
    )
    assert status == 401, body


def test_the_media_bucket_expires_probes_after_a_day(aws: dict[str, str]) -> None:
    rules = client("s3").get_bucket_lifecycle_configuration(Bucket=aws["MEDIA_BUCKET"])["Rules"]
    probes = [rule for rule in rules if rule["Filter"].get("Prefix") == "probes/"]
    assert [(rule["Status"], rule["Expiration"]["Days"]) for rule in probes] == [("Enabled", 1)]


# What the candidate site asks for, in its order of preference (static_site/candidate/media.js).
SITE_TYPES = [
    ("video/mp4;codecs=avc1.42E01E,mp4a.40.2", "video/mp4"),
    ("video/mp4;codecs=avc1,mp4a.40.2", "video/mp4"),
    ("video/webm;codecs=h264,opus", "video/webm"),
    ("video/webm;codecs=avc1,opus", "video/webm"),
    ("video/x-matroska;codecs=avc1,opus", "video/x-matroska"),
    ("video/webm;codecs=vp9,opus", "video/webm"),
    ("video/webm;codecs=vp8,opus", "video/webm"),
    ("video/webm", "video/webm"),
    ("video/mp4", "video/mp4"),
]


@pytest.mark.parametrize(("mime_type", "content_type"), SITE_TYPES)
def test_every_type_the_site_records_is_accepted_and_uploaded_with_its_content_type(
    http: Http, admin: dict, mime_type: str, content_type: str
) -> None:
    # GIVEN a candidate whose browser records `mime_type`
    sam = candidate_of(http, admin)
    q1 = sam.question(1)
    # WHEN they start a recording with it
    status, started = sam.start(q1, mime_type)
    # THEN the attempt opens, and its chunks go to S3 with the container's content type
    assert status == 201, started
    view = started["upload"]
    assert view["fields"]["Content-Type"] == content_type
    key = view["chunk_key_template"].format(index=0)
    assert s3_accepts({**view["fields"], **view["chunks"]["0"], "key": key}, 200_000)
    client("s3").put_object(
        Bucket=os.environ["MEDIA_BUCKET"], Key=key, Body=b"x" * 1000, ContentType=content_type
    )
    # AND finalising hands it to the worker with the type the browser named
    status, answer = sam.call(
        "POST", f"/questions/{q1}/attempts/{started['attempt']}/finalise", {"chunks": 1}
    )
    assert status == 200, answer
    assert answer["status"] == "uploaded"
    invitation = find_by_token(sam.token)
    stored = candidates.answers(invitation.company_id, invitation.invitation_id)
    assert [answer.mime_type for answer in stored] == [mime_type]
