"""Container Lambda entry point: SQS messages carrying S3 `raw/` upload events.

Each SQS record is processed on its own and failures are reported per record (partial
batch response), so one bad upload never makes SQS redeliver its neighbours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from media_worker.pipeline import logger, process

# Always answer with the failed records, even when all failed: SQS retries exactly those.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@dataclass(frozen=True)
class Upload:
    """One object that landed under `raw/`."""

    bucket: str
    key: str
    size: int


def uploads_in(record: SQSRecord) -> list[Upload]:
    """The S3 objects an SQS message announces; S3's `s3:TestEvent` announces none."""
    body = json.loads(record.body)
    if body.get("Event") == "s3:TestEvent":
        return []
    return [
        Upload(
            bucket=item["s3"]["bucket"]["name"],
            key=unquote_plus(item["s3"]["object"]["key"]),
            size=int(item["s3"]["object"].get("size", 0)),
        )
        for item in body.get("Records", [])
        if item.get("eventName", "").startswith("ObjectCreated")
    ]


def handle_record(record: SQSRecord) -> None:
    """Process every upload the message announces; raising reports this record failed."""
    receive_count = int(record.raw_event.get("attributes", {}).get("ApproximateReceiveCount", 1))
    for upload in uploads_in(record):
        outcome = process(upload.bucket, upload.key, receive_count)
        logger.info(
            "upload handled",
            extra={"key": upload.key, "outcome": outcome, "receive_count": receive_count},
        )


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
