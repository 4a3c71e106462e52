"""One attempt never stores more than its answer's bound, whatever the candidate sends.

Grants are judged as real S3 judges a POST (`tests.drivers.s3_policy`: moto stores any POST),
and the worker runs in-process against moto with the real pinned ffmpeg.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.data.media_layout import AttemptLocation
from chalicelib.domain.invitations import find_by_token
from tests.drivers.api import Candidate, Http, consenting_candidate, create
from tests.drivers.media import Clip, generate
from tests.drivers.s3_policy import attack_keys, post_chunk, storable
from tests.drivers.worker import answer_of, keys_under, queued_event, run_worker

MAX_WINDOWS = 200  # far more than any answer's bound needs: the loop below always ends
STEP = 30  # chunk numbers per window


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two VP8/Opus WebM recordings as MediaRecorder writes them: 3 s, and 5 s of another."""
    folder = tmp_path_factory.mktemp("rec")
    return (
        generate(Clip(video="vp8", audio="opus"), folder / "a.webm"),
        generate(Clip(video="vp8", audio="opus", seconds=5.0), folder / "b.webm"),
    )


def invited(http: Http, admin: dict, question: dict[str, Any]) -> Candidate:
    token = admin["tokens"]["id_token"]
    interview = create(http, token, questions=[question])
    return consenting_candidate(http, token, interview["interview_id"])


VIDEO_MINUTE = {"text": "Tell us.", "think_seconds": 0, "max_answer_seconds": 60, "retakes": 0}


def location_of(candidate: Candidate, question_id: str, attempt: int) -> AttemptLocation:
    invitation = find_by_token(candidate.token)
    return AttemptLocation(
        invitation.company_id,
        invitation.interview_id,
        invitation.invitation_id,
        question_id,
        attempt,
    )


def grant_path(question_id: str, attempt: int, first_chunk: int | str) -> str:
    return f"/questions/{question_id}/attempts/{attempt}/grant?first_chunk={first_chunk}"


def send(view: dict, data: bytes, parts: int) -> int:
    """The browser's POSTs of `data` in `parts` chunks; returns how many chunks were sent."""
    size = -(-len(data) // parts)
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    for index, piece in enumerate(pieces):
        key = view["chunk_key_template"].format(index=index)
        assert post_chunk(view, key, piece) == 204
    return len(pieces)


def finalise(candidate: Candidate, question_id: str, attempt: int, chunks: int) -> dict:
    status, body = candidate.call(
        "POST", f"/questions/{question_id}/attempts/{attempt}/finalise", {"chunks": chunks}
    )
    assert status == 200, body
    return body


def sent_and_finalised(
    candidate: Candidate, question_id: str, data: bytes, parts: int
) -> tuple[dict, int, int]:
    """An attempt started, sent in `parts` chunks and finalised: its grant, number, chunks."""
    status, started = candidate.start(question_id)
    assert status == 201, started
    view, attempt = started["upload"], started["attempt"]
    chunks = send(view, data, parts)
    finalise(candidate, question_id, attempt, chunks)
    return view, attempt, chunks


def test_every_grant_one_attempt_can_get_stores_no_more_than_its_bound(
    http: Http, admin: dict
) -> None:
    # GIVEN a one-minute video answer, started
    sam = invited(http, admin, VIDEO_MINUTE)
    q1 = sam.question(1)
    status, started = sam.start(q1)
    assert status == 201, started
    attempt, first = started["attempt"], started["upload"]
    bound = first["max_total_bytes"]
    assert 60 * 1_000_000 < bound < 66 * 1024 * 1024

    # WHEN the candidate asks for a grant again and again, window after window
    views, refused, window = [first], None, first.get("end_chunk", STEP)
    for _ in range(MAX_WINDOWS):
        status, renewed = sam.call("POST", grant_path(q1, attempt, window))
        if status != 200:
            refused = (status, renewed)
            break
        views.append(renewed["upload"])
        window = renewed["upload"].get("end_chunk", window + STEP)
    # THEN the grants stop at the answer's bound, in plain words
    assert refused is not None, "grants kept coming"
    assert refused[0] == 422
    assert "longer than the question allows" in refused[1]["message"]
    assert window == first["max_chunks"]
    for beyond in (window, window + 1, 99999):
        assert sam.call("POST", grant_path(q1, attempt, beyond))[0] == 422
    assert sam.call("POST", grant_path(q1, attempt, "-1"))[0] == 422
    assert sam.call("POST", grant_path(q1, attempt, "x"))[0] == 422

    # AND with all of them together, what S3 would store for this attempt stays within it:
    # only its own chunk numbers, each at most its share (40 extra 50 MB chunks are refused)
    location = location_of(sam, q1, attempt)
    sizes = [50 * 1024 * 1024, first["max_chunk_bytes"] + 1, first["max_chunk_bytes"]]
    stored = storable(views, attack_keys(location, window + 40), sizes)
    assert sorted(stored) == [location.chunk_key(index) for index in range(window)]
    assert sum(stored.values()) <= bound


def test_no_grant_is_issued_for_a_finalised_attempt(
    http: Http, admin: dict, recordings: tuple[Path, Path]
) -> None:
    # GIVEN an answer sent and finalised
    sam = invited(http, admin, VIDEO_MINUTE)
    q1 = sam.question(1)
    key = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
    status, started = sam.call(
        "POST", f"/questions/{q1}/attempts", {"mime_type": "video/webm", "client_attempt_id": key}
    )
    assert status == 201, started
    attempt = started["attempt"]
    chunks = send(started["upload"], recordings[0].read_bytes(), 4)
    finalise(sam, q1, attempt, chunks)

    # WHEN it asks for any window again, or repeats its start, before and after processing
    # THEN nothing is granted
    for window in (0, 30):
        assert sam.call("POST", grant_path(q1, attempt, window))[0] == 409
    repeated = sam.call(
        "POST", f"/questions/{q1}/attempts", {"mime_type": "video/webm", "client_attempt_id": key}
    )
    assert repeated[0] == 409
    assert run_worker(queued_event()) == {"batchItemFailures": []}
    assert answer_of(sam, {"question_id": q1, "attempt": attempt}).status == "ready"
    assert sam.call("POST", grant_path(q1, attempt, 0))[0] == 409


def test_a_chunk_replaced_after_finalise_never_reaches_the_answer(
    http: Http, admin: dict, recordings: tuple[Path, Path]
) -> None:
    # GIVEN a 3 s answer sent as one chunk and finalised: its size was checked then
    sam = invited(http, admin, VIDEO_MINUTE)
    q1 = sam.question(1)
    view, attempt, _ = sent_and_finalised(sam, q1, recordings[0].read_bytes(), 1)

    # WHEN the still-live grant replaces chunk 0 with another, larger (5 s) recording
    replacement = recordings[1].read_bytes()
    first_key = view["chunk_key_template"].format(index=0)
    assert post_chunk(view, first_key, replacement) == 204
    run_worker(queued_event())

    # THEN the worker does not use it: the answer fails in plain words, nothing is stored
    answer = answer_of(sam, {"question_id": q1, "attempt": attempt})
    assert (answer.status, answer.error_reason) == ("failed", "changed_chunk")
    shown = sam.session()["questions"][0]["answer"]
    assert shown["status"] == "failed"
    assert "changed after it was sent" in shown["error_message"]
    assert answer.media_key is None
    assert keys_under("media/") == []
    assert keys_under(view["key_prefix"]) == []


def test_chunks_written_after_finalise_are_ignored_and_deleted(
    http: Http, admin: dict, recordings: tuple[Path, Path]
) -> None:
    # GIVEN an answer of four chunks, finalised
    sam = invited(http, admin, VIDEO_MINUTE)
    q1 = sam.question(1)
    view, attempt, chunks = sent_and_finalised(sam, q1, recordings[0].read_bytes(), 4)

    # WHEN the still-live grant adds more chunks behind it (another recording, and noise)
    extra = recordings[1].read_bytes()
    for index in range(chunks, chunks + 6):
        key = view["chunk_key_template"].format(index=index)
        assert post_chunk(view, key, extra if index == chunks else os.urandom(200_000)) == 204
    assert run_worker(queued_event()) == {"batchItemFailures": []}

    # THEN the answer is made of exactly the recorded chunks, and the rest is deleted
    answer = answer_of(sam, {"question_id": q1, "attempt": attempt})
    assert answer.status == "ready"
    assert answer.chunk_count == chunks
    assert abs(float(answer.duration_seconds) - 3.0) <= 0.2
    assert keys_under(view["key_prefix"]) == []


def test_the_worker_never_reads_more_than_the_answers_bound(http: Http, admin: dict) -> None:
    # GIVEN an audio answer finalised before sizes were recorded on answers, whose first
    # chunk was then replaced by more bytes than the whole answer may hold
    sam = invited(
        http,
        admin,
        {"text": "Hi?", "answer_type": "audio", "think_seconds": 0, "max_answer_seconds": 10},
    )
    q1 = sam.question(1)
    _, started = sam.start(q1, "audio/webm")
    view, attempt = started["upload"], started["attempt"]
    for index in range(2):
        key = view["chunk_key_template"].format(index=index)
        assert post_chunk(view, key, os.urandom(1000)) == 204
    finalise(sam, q1, attempt, 2)
    answer = answer_of(sam, {"question_id": q1, "attempt": attempt})
    client("dynamodb").update_item(
        TableName=os.environ["TABLE_NAME"],
        Key={"pk": {"S": answer.pk}, "sk": {"S": answer.sk}},
        UpdateExpression="REMOVE chunk_sizes, chunk_etags",
    )
    client("s3").put_object(
        Bucket=os.environ["MEDIA_BUCKET"],
        Key=view["chunk_key_template"].format(index=0),
        Body=b"\0" * (view["max_total_bytes"] + 1),
    )

    # WHEN the worker processes it
    run_worker(queued_event())

    # THEN it refuses the answer as too large instead of reading it all
    answer = answer_of(sam, {"question_id": q1, "attempt": attempt})
    assert (answer.status, answer.error_reason) == ("failed", "too_large")
    assert "larger than the question allows" in answer.error_message
    assert keys_under(view["key_prefix"]) == []
