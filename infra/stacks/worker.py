"""The media worker: the container Lambda that turns finished uploads into playable media."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.data import media_layout
from infra import resources
from infra.stacks.roles import function_role, grant_table_data

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = "media_worker/Dockerfile"
# The image is built from the repository root; only what the Dockerfile copies is sent to
# Docker (and staged into the cloud assembly), not the virtualenv or the test artifacts.
BUILD_CONTEXT = [
    "*",
    "!chalicelib",
    "!media_worker",
    "**/__pycache__",
    "**/*.pyc",
]
# 3008 MB buys ~1.7 vCPU: ffmpeg's thread plus the chunk downloads and uploads beside it. A
# long answer's transcode stays inside Lambda's 15-minute ceiling, which the uploads queue's
# visibility timeout outlasts.
MEMORY_MB = 3008
TIMEOUT = cdk.Duration.seconds(resources.WORKER_TIMEOUT_SECONDS)
# Raw chunks, the joined recording and the MP4 sit in /tmp together.
SCRATCH = cdk.Size.gibibytes(2)
# One upload per invocation: a batch shares one 15-minute timeout, and a slow transcode
# should not hold back the next candidate's answer. Partial batch responses stay on, so a
# larger batch would still only retry the records that failed.
BATCH_SIZE = 1


class MediaWorker(Construct):
    """Consumes the uploads queue; reads raw chunks, writes media, updates the answer."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function_name: str,
        table: dynamodb.ITable,
        table_indexes: Sequence[str],
        bucket: s3.IBucket,
        queue: sqs.IQueue,
        webhooks_queue: sqs.IQueue,
        concurrency: int,
    ) -> None:
        super().__init__(scope, construct_id)
        role = function_role(self, "Role", function_name)
        self.function = lambda_.DockerImageFunction(
            self,
            "Function",
            function_name=function_name,
            description="Transcodes recorded answers to MP4 and a poster",
            code=lambda_.DockerImageCode.from_image_asset(
                str(ROOT),
                file=DOCKERFILE,
                platform=ecr_assets.Platform.LINUX_AMD64,
                exclude=BUILD_CONTEXT,
                ignore_mode=cdk.IgnoreMode.DOCKER,
            ),
            architecture=lambda_.Architecture.X86_64,
            memory_size=MEMORY_MB,
            timeout=TIMEOUT,
            ephemeral_storage_size=SCRATCH,
            # Caps what a burst of uploads can cost and leaves the API its concurrency.
            reserved_concurrent_executions=concurrency,
            role=role,
            log_group=logs.LogGroup(
                self,
                "Logs",
                log_group_name=f"/aws/lambda/{function_name}",
                retention=logs.RetentionDays.ONE_MONTH,
                removal_policy=cdk.RemovalPolicy.DESTROY,
            ),
            # The worker reports `answer.failed` to webhooks itself, hence their queue.
            environment={
                "TABLE_NAME": table.table_name,
                "MEDIA_BUCKET": bucket.bucket_name,
                "WEBHOOKS_QUEUE_URL": webhooks_queue.queue_url,
            },
        )
        self.function.add_event_source(
            event_sources.SqsEventSource(
                queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                # Pollers never take more messages than the reserved concurrency can run:
                # throttled messages would count receives and drift into the DLQ.
                max_concurrency=concurrency,
            )
        )
        grant_table_data(role, table, table_indexes)
        webhooks_queue.grant_send_messages(role)
        # It reads and deletes raw uploads and writes playable media (answers' and question
        # videos'): it can neither change a recording nor read stored videos or exports.
        raw = bucket.arn_for_objects(f"{media_layout.RAW_ROOT}*")
        media = bucket.arn_for_objects(f"{media_layout.MEDIA_ROOT}*")
        question_videos = bucket.arn_for_objects(f"{media_layout.QUESTION_VIDEO_ROOT}*")
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:GetObject", "s3:DeleteObject"], resources=[raw])
        )
        role.add_to_policy(
            iam.PolicyStatement(
                # Abort: a failed multipart upload of a large MP4 cleans up after itself.
                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[media, question_videos],
            )
        )
        # Once an answer is stored, the attempt's raw chunks are listed and deleted.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{media_layout.RAW_ROOT}*"]}},
            )
        )
