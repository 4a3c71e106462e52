"""The stateful stack: what holds data and must outlive any redeploy of the code.

Table, media bucket, upload and webhook queues, recruiters' user pool and the SES sender.
The same rules as the local stack (`infra/local/provisioning.py`), with the numbers both
read from `infra/resources.py`: the table from the models, a private encrypted bucket whose
`raw/` manifests notify a queue with a dead-letter queue, a user pool whose company attribute
users cannot write. Data resources are retained when the stack is deleted: removing a
deployment never deletes candidates' recordings by accident.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.data import media_layout
from chalicelib.data.models import table_schema
from infra import resources
from infra.stacks.roles import grant_table_data
from infra.stacks.settings import DeploySettings

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
TTL_ATTRIBUTE = "expires_at"
# The worker may run for 15 minutes; SQS must not hand the message to another worker first.
UPLOAD_VISIBILITY = cdk.Duration.seconds(resources.UPLOAD_VISIBILITY_SECONDS)
# Long enough to look into an incident reported weeks later; short, as the logs name
# candidates' IP addresses (docs/compliance.md).
ACCESS_LOG_DAYS = 90


class InterviewTable(Construct):
    """The single table, its keys and indexes taken from the PynamoDB models."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        schema = table_schema()
        types = {
            a["AttributeName"]: _ATTRIBUTE_TYPES[a["AttributeType"]]
            for a in schema["attribute_definitions"]
        }
        hash_key, range_key = _keys(schema["key_schema"], types)
        self.index_names = tuple(sorted(schema["global_secondary_indexes"]))
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=hash_key,
            sort_key=range_key,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        for name, key_schema in sorted(schema["global_secondary_indexes"].items()):
            index_hash, index_range = _keys(key_schema, types)
            # Every index in the models projects ALL attributes (AllProjection).
            self.table.add_global_secondary_index(
                index_name=name,
                partition_key=index_hash,
                sort_key=index_range,
                projection_type=dynamodb.ProjectionType.ALL,
            )


def _keys(
    key_schema: list[dict[str, str]], types: dict[str, dynamodb.AttributeType]
) -> tuple[dynamodb.Attribute, dynamodb.Attribute | None]:
    by_type = {k["KeyType"]: k["AttributeName"] for k in key_schema}
    hash_key = dynamodb.Attribute(name=by_type["HASH"], type=types[by_type["HASH"]])
    range_name = by_type.get("RANGE")
    range_key = dynamodb.Attribute(name=range_name, type=types[range_name]) if range_name else None
    return hash_key, range_key


class AccessLogs(Construct):
    """Who read or wrote what: S3 server access logs and CloudFront's logs, for a while.

    One bucket per deployment, kept when the stacks are deleted (an investigation may start
    after a teardown) and emptied by age: the logs hold candidates' IP addresses, so they
    are kept `ACCESS_LOG_DAYS`, no longer. CloudFront's standard logs are written with an
    ACL, so ACLs stay enabled; the bucket owner still owns every object.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=cdk.Duration.days(ACCESS_LOG_DAYS),
                )
            ],
        )
        # S3 delivers server access logs as this service, for this account's buckets only.
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[self.bucket.arn_for_objects(f"{S3_ACCESS_LOG_PREFIX}*")],
                conditions={"StringEquals": {"aws:SourceAccount": cdk.Aws.ACCOUNT_ID}},
            )
        )


S3_ACCESS_LOG_PREFIX = "s3/"


def private_bucket(scope: Construct, construct_id: str, **options: Any) -> s3.Bucket:
    """A bucket nobody outside reaches: public access blocked, encrypted at rest, TLS only."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        **options,
    )


def log_access(bucket: s3.Bucket, logs: s3.IBucket, name: str) -> None:
    """Turn on `bucket`'s server access logs, delivered to `logs` under `s3/<name>/`.

    Declared on the bucket resource itself: CDK's `server_access_logs_bucket` would also
    edit the log bucket's policy, which a bucket in the other stack must not do (the data
    stack would then refer back to the app stack). The log bucket's policy above already
    admits every bucket of this account.
    """
    cfn_bucket = bucket.node.default_child
    if not isinstance(cfn_bucket, s3.CfnBucket):
        raise TypeError(f"{bucket.node.path} has no CfnBucket to log")
    cfn_bucket.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
        destination_bucket_name=logs.bucket_name,
        log_file_prefix=f"{S3_ACCESS_LOG_PREFIX}{name}/",
    )


class MediaBucket(Construct):
    """Recordings: private, encrypted, TLS only; raw chunks expire once they are no use.

    CORS is not declared here: it names the site's origin, and the site (CloudFront) is
    created by the stateless stack, which applies the rule (see `MediaCors`).
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, retention_days: int, logs: s3.IBucket
    ) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Bucket",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            lifecycle_rules=[
                # Raw chunks are deleted once transcoded; expiry is the backstop.
                s3.LifecycleRule(
                    id="expire-raw-uploads",
                    prefix=media_layout.RAW_ROOT,
                    expiration=cdk.Duration.days(resources.RAW_EXPIRY_DAYS),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                ),
                # Company exports written by a job: fetched within days, or not at all.
                s3.LifecycleRule(
                    id="expire-exports",
                    prefix=resources.EXPORT_PREFIX,
                    expiration=cdk.Duration.days(resources.EXPORT_EXPIRY_DAYS),
                ),
                # The device check's upload probes: never answers, no use after the check.
                s3.LifecycleRule(
                    id="expire-network-probes",
                    prefix=resources.PROBE_PREFIX,
                    expiration=cdk.Duration.days(resources.PROBE_EXPIRY_DAYS),
                ),
                # Logo uploads the API never checked (a checked logo is copied to `logos/`).
                s3.LifecycleRule(
                    id="expire-unchecked-logos",
                    prefix=resources.LOGO_UPLOAD_PREFIX,
                    expiration=cdk.Duration.days(resources.LOGO_UPLOAD_EXPIRY_DAYS),
                ),
                s3.LifecycleRule(
                    id="expire-media-after-retention",
                    prefix=media_layout.MEDIA_ROOT,
                    expiration=cdk.Duration.days(retention_days),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                ),
            ],
        )
        log_access(self.bucket, logs, "media")


class UploadQueues(Construct):
    """The worker's queue of finished uploads and the dead-letter queue behind it."""

    def __init__(self, scope: Construct, construct_id: str, *, bucket: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.dlq = sqs.Queue(
            self,
            "DeadLetters",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            "Uploads",
            visibility_timeout=UPLOAD_VISIBILITY,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dlq, max_receive_count=resources.MAX_RECEIVES_BEFORE_DLQ
            ),
        )
        # Chunks arrive while recording; only the manifest written at finalise means an
        # attempt is whole, so only it wakes the worker.
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(
                prefix=resources.UPLOAD_EVENT_PREFIX, suffix=resources.UPLOAD_EVENT_SUFFIX
            ),
        )


class WorkQueues(Construct):
    """A queue of work for one function and the dead-letter queue where failed work rests.

    A message stays invisible longer than its function's timeout (and any lease it holds),
    so a redelivery finds a dead run's work free again; after the last try SQS moves it to
    the DLQ, kept 14 days for an operator. Webhook deliveries retry with their own back-off;
    bulk invitations and exports resume from what their job item recorded.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        queue_id: str,
        visibility_seconds: int,
        max_receives: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dlq = sqs.Queue(
            self,
            "DeadLetters",
            queue_name=f"{name}-dlq",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            queue_id,
            queue_name=name,
            visibility_timeout=cdk.Duration.seconds(visibility_seconds),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dlq, max_receive_count=max_receives),
        )


class RecruiterPool(Construct):
    """Recruiters' accounts: email sign-in, admin-created only, a company id they cannot edit."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str) -> None:
        super().__init__(scope, construct_id)
        self.pool = cognito.UserPool(
            self,
            "Pool",
            user_pool_name=name,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            self_sign_up_enabled=False,
            password_policy=cognito.PasswordPolicy(
                min_length=resources.PASSWORD_MIN_LENGTH,
                require_lowercase=False,
                require_uppercase=False,
                require_digits=False,
                require_symbols=False,
            ),
            custom_attributes={
                "company_id": cognito.StringAttribute(min_len=1, max_len=64, mutable=False)
            },
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.LITE,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        for group in ("admin", "reviewer"):
            cognito.CfnUserPoolGroup(
                self,
                f"{group.capitalize()}Group",
                user_pool_id=self.pool.user_pool_id,
                group_name=group,
            )
        self.client = self.pool.add_client(
            "Console",
            user_pool_client_name="console",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True),
            # The console signs in through the API with a password; no hosted UI, no OAuth.
            disable_o_auth=True,
            # The company id decides the tenant: users may read it, never write it.
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, fullname=True)
            .with_custom_attributes("company_id"),
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
            prevent_user_existence_errors=True,
            id_token_validity=cdk.Duration.minutes(60),
            access_token_validity=cdk.Duration.minutes(60),
            refresh_token_validity=cdk.Duration.days(30),
        )


class SenderIdentity(Construct):
    """The address the product sends from; SES mails it a link to confirm on first deploy."""

    def __init__(self, scope: Construct, construct_id: str, *, email: str, create: bool) -> None:
        super().__init__(scope, construct_id)
        if create:
            ses.EmailIdentity(self, "Identity", identity=ses.Identity.email(email))
        stack = cdk.Stack.of(self)
        domain = email.rsplit("@", 1)[1]
        # SES authorises a send against the address's identity, or its domain's when only
        # the domain is verified; both ARNs are this one sender, nothing wider.
        self.identity_arns = [
            stack.format_arn(service="ses", resource="identity", resource_name=name)
            for name in (email, domain)
        ]


class StatefulStack(cdk.Stack):
    """Data and identities: deployed first, rarely changed, retained on delete."""

    def __init__(
        self, scope: Construct, construct_id: str, *, settings: DeploySettings, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        interviews = InterviewTable(self, "Interviews")
        self.table = interviews.table
        self.table_indexes = interviews.index_names
        self.access_logs = AccessLogs(self, "AccessLogs").bucket
        self.media_bucket = MediaBucket(
            self,
            "Media",
            retention_days=settings.media_retention_days,
            logs=self.access_logs,
        ).bucket
        queues = UploadQueues(self, "UploadQueues", bucket=self.media_bucket)
        self.uploads_queue = queues.queue
        self.uploads_dlq = queues.dlq
        self.webhooks_queue = WorkQueues(
            self,
            "WebhookQueues",
            name=f"{settings.prefix}-webhooks",
            queue_id="Deliveries",
            visibility_seconds=resources.WEBHOOK_VISIBILITY_SECONDS,
            max_receives=resources.WEBHOOK_MAX_RECEIVES,
        ).queue
        jobs = WorkQueues(
            self,
            "JobQueues",
            name=f"{settings.prefix}-jobs",
            queue_id="Jobs",
            visibility_seconds=resources.JOB_VISIBILITY_SECONDS,
            max_receives=resources.JOB_MAX_RECEIVES,
        )
        self.jobs_queue = jobs.queue
        self.jobs_dlq = jobs.dlq
        recruiters = RecruiterPool(self, "Recruiters", name=f"{settings.prefix}-recruiters")
        self.user_pool = recruiters.pool
        self.user_pool_client = recruiters.client
        self.sender = SenderIdentity(
            self, "Sender", email=settings.sender_email, create=settings.create_sender_identity
        )
        # Seals stored secrets (webhook signing secrets: `chalicelib/adapters/secrets.py`).
        self.secrets_key = kms.Key(
            self,
            "SecretsKey",
            description=f"{settings.prefix}: secrets stored in the table",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )

    def grant_table(self, role: iam.IRole) -> None:
        """Read and write the table and query each of its indexes, named one by one."""
        grant_table_data(role, self.table, self.table_indexes)
