"""The event sources moto lacks: S3→SQS→worker, the webhook and jobs queues, the sweep.

moto fires neither SQS→Lambda event source mappings nor EventBridge schedules, so these
loops call the same handlers Lambda would, with the events Lambda would build.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from infra.local.provisioning import REGION

if TYPE_CHECKING:
    from infra.local.stack import LocalStack


def lambda_context(function_name: str, timeout_seconds: int = 30) -> Any:
    """A context whose remaining time counts down from the function's timeout, as Lambda's."""
    from chalice.local import LambdaContext

    return LambdaContext(
        function_name=function_name, memory_size=1024, max_runtime_ms=timeout_seconds * 1000
    )


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """An SQS message as Lambda's event source mapping delivers it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def batches(stack: LocalStack, queue_url: str, size: int) -> Iterator[list[dict[str, Any]]]:
    """Long-poll a queue until the stack stops, yielding each non-empty batch of messages."""
    from chalicelib.adapters.aws import client

    sqs = client("sqs")
    while not stack.stopping.is_set():
        try:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=size,
                WaitTimeSeconds=1,
                AttributeNames=["All"],
            ).get("Messages", [])
        except Exception:
            if stack.stopping.is_set():
                return  # the moto server is going away at shutdown
            raise
        if messages:
            yield messages


def poll_uploads(stack: LocalStack) -> None:
    """Hand S3 upload events to the media worker, deleting what it processed."""
    from chalicelib.adapters.aws import client
    from infra.local.provisioning import queue_arn_of
    from media_worker import handler as worker

    sqs = client("sqs")
    queue_url = stack.settings["UPLOADS_QUEUE_URL"]
    queue_arn = queue_arn_of(queue_url)
    for messages in batches(stack, queue_url, 10):
        event = {"Records": [sqs_record(m, queue_arn) for m in messages]}
        result = worker.handler(event, lambda_context("media-worker"))
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] in failed:
                # Lambda would wait out the visibility timeout; locally retry sooner.
                sqs.change_message_visibility(
                    QueueUrl=queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=stack.retry_seconds,
                )
            else:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        stack.worker_batches += 1


def poll_webhooks(stack: LocalStack) -> None:
    """Hand queued webhook events to the Chalice SQS handler; a failure waits for SQS."""
    import app as app_module
    from chalicelib.adapters.aws import client
    from chalicelib.domain.webhooks import DeliveryFailed
    from infra.local.provisioning import queue_arn_of

    sqs = client("sqs")
    queue_url = stack.settings["WEBHOOKS_QUEUE_URL"]
    queue_arn = queue_arn_of(queue_url)
    for messages in batches(stack, queue_url, 1):
        for message in messages:
            event = {"Records": [sqs_record(message, queue_arn)]}
            try:
                app_module.webhook_delivery(event, lambda_context("webhook-delivery"))
            except DeliveryFailed:
                continue  # the handler set the retry's delay; SQS redelivers, then its DLQ
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def poll_jobs(stack: LocalStack) -> None:
    """Hand queued jobs (bulk invitations, exports) to the Chalice SQS handler.

    A run that raised is left on the queue, as Lambda leaves it, but comes back after
    `retry_seconds` rather than the deployed visibility timeout.
    """
    import app as app_module
    from chalicelib.adapters.aws import client
    from chalicelib.domain import jobs
    from chalicelib.observability import logger
    from infra.local.provisioning import queue_arn_of

    sqs = client("sqs")
    queue_url = stack.settings["JOBS_QUEUE_URL"]
    queue_arn = queue_arn_of(queue_url)
    for messages in batches(stack, queue_url, 1):
        for message in messages:
            event = {"Records": [sqs_record(message, queue_arn)]}
            try:
                app_module.job_runner(event, lambda_context("job-runner", jobs.TIMEOUT_SECONDS))
            except Exception:
                logger.exception("job run failed", extra={"message_id": message["MessageId"]})
                sqs.change_message_visibility(
                    QueueUrl=queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=stack.retry_seconds,
                )
                continue
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def run_sweeps(stack: LocalStack) -> None:
    """Fire the scheduled reminder sweep on a timer, through the same Chalice handler."""
    import app as app_module

    while not stack.stopping.wait(stack.sweep_seconds):
        event = {
            "version": "0",
            "id": "local",
            "detail-type": "Scheduled Event",
            "source": "local.timer",
            "account": "123456789012",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": REGION,
            "resources": [],
            "detail": {},
        }
        app_module.reminder_sweep(event, lambda_context("reminder-sweep"))
        stack.sweeps += 1
