"""The stateless stack: code and edge, safe to redeploy or replace at any time.

The Chalice API, reminder sweep and webhook delivery, the media worker, the static site
behind CloudFront (which also routes `/api/*` to API Gateway), and the alarms. Every
function reads the stateful stack's resources through environment variables and may touch
only those.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from chalicelib.data import media_layout
from infra.stacks.alarms import Alarms
from infra.stacks.api import API_STAGE, ChaliceApi
from infra.stacks.settings import DeploySettings
from infra.stacks.site import MediaCors, Site
from infra.stacks.stateful import StatefulStack
from infra.stacks.worker import MediaWorker

# What the API does with Cognito: sign-up creates the admin, team management, sign-in.
COGNITO_API_ACTIONS = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:AdminGetUser",
    "cognito-idp:ListUsers",
    "cognito-idp:InitiateAuth",
]
SES_SEND_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail"]
# Presigned POSTs and GETs are signed by the API's role: uploads and playback act as it.
MEDIA_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]


class StatelessStack(cdk.Stack):
    """API, sweep, worker, site and alarms on top of a `StatefulStack`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploySettings,
        data: StatefulStack,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.api = ChaliceApi(
            self,
            "Api",
            stage=settings.stage,
            prefix=settings.prefix,
            environment={
                "STAGE": settings.stage,
                "TABLE_NAME": data.table.table_name,
                "MEDIA_BUCKET": data.media_bucket.bucket_name,
                "UPLOADS_QUEUE_URL": data.uploads_queue.queue_url,
                "COGNITO_USER_POOL_ID": data.user_pool.user_pool_id,
                "COGNITO_CLIENT_ID": data.user_pool_client.user_pool_client_id,
                "SENDER_EMAIL": settings.sender_email,
                "WEBHOOKS_QUEUE_URL": data.webhooks_queue.queue_url,
                "JOBS_QUEUE_URL": data.jobs_queue.queue_url,
                "SECRETS_KEY_ID": data.secrets_key.key_arn,
            },
            webhooks_queue_arn=data.webhooks_queue.queue_arn,
            jobs_queue_arn=data.jobs_queue.queue_arn,
        )
        self.site = Site(
            self,
            "Site",
            api_domain=self.api.rest_api_domain,
            domain=settings.domain,
            certificate_arn=settings.certificate_arn,
            logs=data.access_logs,
        )
        # Links in emails and the apply link point at the site, which fronts this API.
        self.api.set_environment("PUBLIC_SITE_URL", self.site.url)
        MediaCors(self, "MediaCors", bucket=data.media_bucket, origin=self.site.url)
        self._grant_api(data)
        self._grant_sweep(data)
        self._grant_webhook_delivery(data)
        self._grant_job_runner(data)
        self.worker = MediaWorker(
            self,
            "MediaWorker",
            function_name=f"{settings.prefix}-media-worker",
            table=data.table,
            table_indexes=data.table_indexes,
            bucket=data.media_bucket,
            queue=data.uploads_queue,
            webhooks_queue=data.webhooks_queue,
            concurrency=settings.worker_concurrency,
        ).function
        Alarms(
            self,
            "Alarms",
            dead_letters=data.uploads_dlq,
            worker=self.worker,
            api_name=self.api.api_name,
            api_stage=API_STAGE,
            email=settings.alarm_email,
        )
        cdk.CfnOutput(self, "SiteUrl", value=self.site.url, description="Open /console/")
        cdk.CfnOutput(
            self,
            "DistributionDomain",
            value=self.site.distribution.distribution_domain_name,
            description="Point the custom domain's DNS (CNAME or alias) here",
        )

    def _grant_api(self, data: StatefulStack) -> None:
        role = self.api.api_role
        data.grant_table(role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=MEDIA_OBJECT_ACTIONS, resources=[data.media_bucket.arn_for_objects("*")]
            )
        )
        # Finalising lists an attempt's chunks, deleting a candidate lists their media;
        # replacing or removing a question video lists what it stored, to delete it.
        _allow_listing(role, data, [*CANDIDATE_FILES, f"{media_layout.QUESTION_VIDEO_ROOT}*"])
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"],
                resources=[
                    data.uploads_queue.queue_arn,
                    data.webhooks_queue.queue_arn,
                    data.jobs_queue.queue_arn,
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=SES_SEND_ACTIONS, resources=data.sender.identity_arns)
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=COGNITO_API_ACTIONS, resources=[data.user_pool.user_pool_arn]
            )
        )
        # Seals a webhook's secret when it is created or rotated; it never opens one.
        role.add_to_policy(_secrets_statement(data, ["kms:Encrypt"]))
        # Seals a candidate's link when it is made, opens it to email it again (Resend).
        role.add_to_policy(_links_statement(data, ["kms:Encrypt", "kms:Decrypt"]))

    def _grant_sweep(self, data: StatefulStack) -> None:
        """Reminders, expiry, digests and retention: the table, the sender, deleting media."""
        role = self.api.sweep_role
        data.grant_table(role)
        role.add_to_policy(
            iam.PolicyStatement(actions=SES_SEND_ACTIONS, resources=data.sender.identity_arns)
        )
        # Retention deletes candidates' files; question videos and exports are not its to touch.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:DeleteObject"],
                resources=[data.media_bucket.arn_for_objects(p) for p in CANDIDATE_FILES],
            )
        )
        _allow_listing(role, data, CANDIDATE_FILES)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"], resources=[data.webhooks_queue.queue_arn]
            )
        )
        # Reminders carry the candidate's current link (sealed once for older invitations).
        role.add_to_policy(_links_statement(data, ["kms:Decrypt", "kms:Encrypt"]))

    def _grant_webhook_delivery(self, data: StatefulStack) -> None:
        """Reads the endpoint, records the attempt, delays its own retries."""
        role = self.api.webhook_role
        data.grant_table(role)
        data.webhooks_queue.grant_consume_messages(role)
        # Opens the secret it signs with (and seals one stored before secrets were sealed).
        role.add_to_policy(_secrets_statement(data, ["kms:Decrypt", "kms:Encrypt"]))

    def _grant_job_runner(self, data: StatefulStack) -> None:
        """Bulk invitations and exports: the table, the sender, export files, its own queue.

        It sends to its own queue to continue a long job in a new run, and to the webhook
        queue for `invitation.created`; it writes export files and nothing else in S3.
        """
        role = self.api.job_role
        data.grant_table(role)
        data.jobs_queue.grant_consume_messages(role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["sqs:SendMessage"],
                resources=[data.jobs_queue.queue_arn, data.webhooks_queue.queue_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=SES_SEND_ACTIONS, resources=data.sender.identity_arns)
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[data.media_bucket.arn_for_objects(f"{media_layout.EXPORT_ROOT}*")],
            )
        )
        # Bulk invitations seal each new link; an unmailed row emails its link again.
        role.add_to_policy(_links_statement(data, ["kms:Encrypt", "kms:Decrypt"]))


def _secrets_statement(data: StatefulStack, actions: list[str]) -> iam.PolicyStatement:
    """KMS actions on the secrets key, for webhook secrets' encryption context only."""
    return iam.PolicyStatement(
        actions=actions,
        resources=[data.secrets_key.key_arn],
        conditions={"StringEquals": {"kms:EncryptionContext:purpose": "webhook-secret"}},
    )


def _links_statement(data: StatefulStack, actions: list[str]) -> iam.PolicyStatement:
    """KMS actions on the secrets key, for candidates' sealed link tokens only."""
    return iam.PolicyStatement(
        actions=actions,
        resources=[data.secrets_key.key_arn],
        conditions={"StringEquals": {"kms:EncryptionContext:purpose": "candidate-link"}},
    )


# Every candidate file (raw uploads, playable media), never question videos or other keys.
CANDIDATE_FILES = [f"{media_layout.RAW_ROOT}*", f"{media_layout.MEDIA_ROOT}*"]


def _allow_listing(role: iam.Role, data: StatefulStack, prefixes: list[str]) -> None:
    """ListBucket on the media bucket, for keys under these prefixes only."""
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["s3:ListBucket"],
            resources=[data.media_bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": prefixes}},
        )
    )
