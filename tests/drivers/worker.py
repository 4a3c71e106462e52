"""Driving the media worker in-process: chunks into moto's S3, the queued event, the handler."""

from __future__ import annotations

import os
from pathlib import Path

from chalice.local import LambdaContext

from chalicelib.adapters.aws import client
from chalicelib.data.models import Answer
from infra.local.pollers import sqs_record
from media_worker import handler as worker
from tests.drivers.api import MIME, Candidate


def upload_in_chunks(
    candidate: Candidate, question: int, data: bytes, parts: int = 4, mime: str = MIME
) -> dict:
    """Start an attempt (declaring `mime`, as the browser's recorder reports it), store the
    bytes as `parts` chunks, finalise; returns the grant."""
    question_id = candidate.question(question)
    status, started = candidate.start(question_id, mime)
    assert status == 201, started
    size = -(-len(data) // parts)
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    s3 = client("s3")
    for index, piece in enumerate(pieces):
        s3.put_object(
            Bucket=os.environ["MEDIA_BUCKET"],
            Key=started["upload"]["chunk_key_template"].format(index=index),
            Body=piece,
        )
    status, body = candidate.call(
        "POST",
        f"/questions/{question_id}/attempts/{started['attempt']}/finalise",
        {"chunks": len(pieces)},
    )
    assert status == 200, body
    return {"question_id": question_id, "attempt": started["attempt"], **started["upload"]}


def queued_event(receive_count: int = 1) -> dict:
    """The uploads queue's messages as Lambda's SQS event source delivers them."""
    sqs = client("sqs")
    messages = sqs.receive_message(
        QueueUrl=os.environ["UPLOADS_QUEUE_URL"], MaxNumberOfMessages=10
    ).get("Messages", [])
    assert messages, "S3 did not notify the uploads queue"
    records = [sqs_record(m, "arn:aws:sqs:us-east-1:123456789012:test-uploads") for m in messages]
    for record in records:
        record["attributes"] = {"ApproximateReceiveCount": str(receive_count)}
    return {"Records": records}


def run_worker(event: dict) -> dict:
    return worker.handler(event, LambdaContext("media-worker", 3008))


def answer_of(candidate: Candidate, grant: dict) -> Answer:
    from chalicelib.domain.invitations import find_by_token

    invitation = find_by_token(candidate.token)
    return Answer.get(
        *Answer.key(
            invitation.company_id, invitation.invitation_id, grant["question_id"], grant["attempt"]
        )
    )


def keys_under(prefix: str) -> list[str]:
    listed = client("s3").list_objects_v2(Bucket=os.environ["MEDIA_BUCKET"], Prefix=prefix)
    return [item["Key"] for item in listed.get("Contents", [])]


def fetch(key: str, to: Path) -> Path:
    client("s3").download_file(os.environ["MEDIA_BUCKET"], key, str(to))
    return to
