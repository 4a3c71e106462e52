"""Captions of recorded answers: a WebVTT file beside the recording reaches reviewers' players."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import AttemptLocation, captions_key
from chalicelib.data.models import Answer, invitation_pk
from chalicelib.domain import answer_lifecycle
from tests.drivers.api import Http, Team

VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nHello, I am Ann.\n"


@pytest.fixture
def team(http: Http, admin: dict) -> Team:
    return Team(http, admin)


def make_playable(company_id: str, invitation_id: str) -> str:
    """Do what the media worker does for the candidate's first recorded answer."""
    answer = next(
        a
        for a in Answer.query(invitation_pk(company_id, invitation_id))
        if isinstance(a, Answer) and a.answer_type == "video"
    )
    assert answer_lifecycle.start_processing(answer, False)
    where = AttemptLocation(company_id, answer.interview_id, invitation_id, answer.question_id, 1)
    key = where.output_keys("video").media
    client("s3").put_object(Bucket=os.environ["MEDIA_BUCKET"], Key=key, Body=b"mp4")
    facts = answer_lifecycle.MediaFacts(key, None, 3.0, 640, 480, "h264", "aac", 3)
    assert answer_lifecycle.mark_ready(answer, facts)
    return key


def test_captions_stored_beside_an_answer_are_offered_as_short_lived_links(team: Team) -> None:
    # GIVEN a candidate whose video answer the worker made playable, and another candidate
    [ann, bo] = team.invite("Ann", "Bo")
    team.complete("Ann")
    team.complete("Bo")
    media = make_playable(team.company_id, ann)
    make_playable(team.company_id, bo)
    # WHEN no captions exist yet, THEN every answer says so with an empty list
    _, body = team.detail(team.reviewer, ann)
    assert [a["captions"] for a in body["answers"]] == [[], [], []]

    # WHEN English and Portuguese WebVTT captions are stored beside Ann's recording
    bucket = os.environ["MEDIA_BUCKET"]
    for language in ("pt-BR", "en"):
        client("s3").put_object(
            Bucket=bucket, Key=captions_key(media, language), Body=VTT, ContentType="text/vtt"
        )
    status, body = team.detail(team.reviewer, ann)
    # THEN the recorded answer lists them by language, as presigned links to exactly those files
    assert status == 200
    tracks = body["answers"][0]["captions"]
    assert [t["language"] for t in tracks] == ["en", "pt-BR"]
    for track, language in zip(tracks, ("en", "pt-BR"), strict=True):
        url = urlsplit(track["url"])
        assert url.path.endswith(f"/captions.{language}.vtt")
        assert "X-Amz-Signature=" in url.query
        assert "X-Amz-Expires=" in url.query
    fetched = client("s3").get_object(Bucket=bucket, Key=captions_key(media, "en"))
    assert fetched["Body"].read() == VTT
    # AND the text and unanswered questions have none, nor does another candidate's answer
    assert [a["captions"] for a in body["answers"][1:]] == [[], []]
    _, other = team.detail(team.reviewer, bo)
    assert [a["captions"] for a in other["answers"]] == [[], [], []]


def test_a_captions_language_must_be_a_language_tag() -> None:
    with pytest.raises(ValueError, match="BCP 47"):
        captions_key("media/c/i/n/q/001/answer.mp4", "../../x")
