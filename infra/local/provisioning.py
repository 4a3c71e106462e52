"""Local AWS: a moto server and the product's resources created on it through the AWS APIs.

Production declares the same resources in CDK (`infra/stacks/`); both follow the same rules
(`infra/resources.py`): the table from the models, a private encrypted bucket whose `raw/`
uploads notify a queue with a dead-letter queue, a user pool whose company attribute the
user cannot write. The integration tests and the API bench provision through here too.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.data import media_layout
from chalicelib.data.models import Item
from infra.resources import (
    EXPORT_EXPIRY_DAYS,
    EXPORT_PREFIX,
    JOB_MAX_RECEIVES,
    JOB_VISIBILITY_SECONDS,
    LOGO_UPLOAD_EXPIRY_DAYS,
    LOGO_UPLOAD_PREFIX,
    MAX_RECEIVES_BEFORE_DLQ,
    PASSWORD_MIN_LENGTH,
    PROBE_EXPIRY_DAYS,
    PROBE_PREFIX,
    RAW_EXPIRY_DAYS,
    UPLOAD_EVENT_PREFIX,
    UPLOAD_EVENT_SUFFIX,
    UPLOAD_VISIBILITY_SECONDS,
    WEBHOOK_MAX_RECEIVES,
    WEBHOOK_VISIBILITY_SECONDS,
)

REGION = "us-east-1"


def serial_dynamodb(app: Any) -> Any:
    """WSGI middleware: moto answers one DynamoDB request at a time.

    moto's DynamoDB has no locking: two conditional updates can both pass their condition,
    and a cancelled TransactWriteItems restores the whole table from the copy it took when it
    began, erasing whatever other requests wrote meanwhile (a candidate's consent, say).
    DynamoDB makes each request atomic and isolated; serialising requests gives the same
    guarantee and no more, so races between requests still happen as they would in AWS.
    """
    lock = threading.Lock()

    def serialised(environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return app(environ, start_response)
        with lock:
            return list(app(environ, start_response))  # the whole answer inside the lock

    return serialised


def serial_moto_server() -> type:
    """moto's threaded server with its app wrapped in `serial_dynamodb` (moto 5's entry)."""
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    class SerialMotoServer(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app = serial_dynamodb(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever()

    return SerialMotoServer


def start_moto(host: str, port: int, *, serial: bool = False) -> Any:
    """A moto server standing in for S3, SQS, DynamoDB, SES and Cognito; points boto3 at it.

    `serial`: DynamoDB requests one at a time (`serial_dynamodb`), for concurrent load.
    """
    from moto.server import ThreadedMotoServer

    # moto's werkzeug logs every AWS call; keep the terminal for what a developer needs.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_SERVICE_NAME": "oneway",
            "POWERTOOLS_METRICS_NAMESPACE": "Oneway",
            "POWERTOOLS_DEV": os.environ.get("POWERTOOLS_DEV", "false"),
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    if serial:
        from infra.local import moto_transactions

        moto_transactions.install()  # exact once requests are serialised; linear in the table
    server_class = serial_moto_server() if serial else ThreadedMotoServer
    server = server_class(ip_address=host, port=port, verbose=False)
    server.start()
    return server


@dataclass(frozen=True)
class Names:
    """Resource names for one deployment (a prefix keeps parallel stacks apart)."""

    prefix: str = "oneway-local"

    @property
    def table(self) -> str:
        return f"{self.prefix}-table"

    @property
    def media_bucket(self) -> str:
        return f"{self.prefix}-media"

    @property
    def uploads_queue(self) -> str:
        return f"{self.prefix}-uploads"

    @property
    def uploads_dlq(self) -> str:
        return f"{self.prefix}-uploads-dlq"

    @property
    def webhooks_queue(self) -> str:
        return f"{self.prefix}-webhooks"

    @property
    def webhooks_dlq(self) -> str:
        return f"{self.prefix}-webhooks-dlq"

    @property
    def jobs_queue(self) -> str:
        return f"{self.prefix}-jobs"

    @property
    def jobs_dlq(self) -> str:
        return f"{self.prefix}-jobs-dlq"

    @property
    def user_pool(self) -> str:
        return f"{self.prefix}-recruiters"


def create_table() -> None:
    """The single table, created from the models so its keys and indexes cannot drift."""
    if not Item.exists():
        Item.create_table(wait=True, billing_mode="PAY_PER_REQUEST")


def create_media_bucket(bucket: str, site_origin: str) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    # Browsers POST chunks and GET playback straight from S3, from the site's origin only.
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": [site_origin],
                    "AllowedMethods": ["GET", "HEAD", "POST"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 3000,
                }
            ]
        },
    )
    # Raw chunks are deleted once transcoded; expiry is the backstop.
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-raw-uploads",
                    "Filter": {"Prefix": media_layout.RAW_ROOT},
                    "Status": "Enabled",
                    "Expiration": {"Days": RAW_EXPIRY_DAYS},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                },
                {
                    "ID": "expire-exports",
                    "Filter": {"Prefix": EXPORT_PREFIX},
                    "Status": "Enabled",
                    "Expiration": {"Days": EXPORT_EXPIRY_DAYS},
                },
                {
                    "ID": "expire-network-probes",
                    "Filter": {"Prefix": PROBE_PREFIX},
                    "Status": "Enabled",
                    "Expiration": {"Days": PROBE_EXPIRY_DAYS},
                },
                {
                    "ID": "expire-unchecked-logos",
                    "Filter": {"Prefix": LOGO_UPLOAD_PREFIX},
                    "Status": "Enabled",
                    "Expiration": {"Days": LOGO_UPLOAD_EXPIRY_DAYS},
                },
            ]
        },
    )


def queue_arn_of(queue_url: str) -> str:
    return client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]


def _queue_with_dead_letters(
    name: str, dlq_name: str, visibility_seconds: int, max_receives: int
) -> tuple[str, str]:
    """A queue whose messages move to its DLQ (kept 14 days) after `max_receives` tries."""
    sqs = client("sqs")
    dlq_url = sqs.create_queue(
        QueueName=dlq_name, Attributes={"MessageRetentionPeriod": "1209600"}
    )["QueueUrl"]
    redrive = {"deadLetterTargetArn": queue_arn_of(dlq_url), "maxReceiveCount": str(max_receives)}
    queue_url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_seconds),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    return queue_url, dlq_url


def create_upload_queues(names: Names, bucket: str) -> tuple[str, str]:
    """The uploads queue (S3 events for the worker) and its DLQ; returns both URLs."""
    sqs = client("sqs")
    queue_url, dlq_url = _queue_with_dead_letters(
        names.uploads_queue, names.uploads_dlq, UPLOAD_VISIBILITY_SECONDS, MAX_RECEIVES_BEFORE_DLQ
    )
    queue_arn = queue_arn_of(queue_url)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
    client("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "raw-uploads-to-worker",
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    # Only the manifest written at finalise wakes the worker.
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": "prefix", "Value": UPLOAD_EVENT_PREFIX},
                                {"Name": "suffix", "Value": UPLOAD_EVENT_SUFFIX},
                            ]
                        }
                    },
                }
            ]
        },
    )
    return queue_url, dlq_url


def create_user_pool(name: str) -> tuple[str, str]:
    """The recruiters' pool, its role groups and the console's client; returns their ids."""
    cognito = client("cognito-idp")
    pool_id = cognito.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": PASSWORD_MIN_LENGTH,
                "RequireUppercase": False,
                "RequireLowercase": False,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        },
        Schema=[
            {
                "Name": "company_id",
                "AttributeDataType": "String",
                "Mutable": False,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
            }
        ],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )["UserPool"]["Id"]
    for group in ("admin", "reviewer"):
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="console",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        # The company id decides the tenant: users may read it, never write it.
        ReadAttributes=["email", "name", "custom:company_id"],
        WriteAttributes=["name"],
        PreventUserExistenceErrors="ENABLED",
        IdTokenValidity=60,
        AccessTokenValidity=60,
        RefreshTokenValidity=30,
        TokenValidityUnits={"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "days"},
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def verify_sender(sender_email: str) -> None:
    client("ses").verify_email_identity(EmailAddress=sender_email)


def create_webhook_queues(names: Names) -> tuple[str, str]:
    """The webhook deliveries queue and its DLQ; returns both URLs."""
    return _queue_with_dead_letters(
        names.webhooks_queue, names.webhooks_dlq, WEBHOOK_VISIBILITY_SECONDS, WEBHOOK_MAX_RECEIVES
    )


def create_job_queues(names: Names) -> tuple[str, str]:
    """The jobs queue (bulk invitations, exports) and its DLQ; returns both URLs."""
    return _queue_with_dead_letters(
        names.jobs_queue, names.jobs_dlq, JOB_VISIBILITY_SECONDS, JOB_MAX_RECEIVES
    )


def create_secrets_key(names: Names) -> str:
    """The KMS key that seals stored secrets (webhook signing secrets); returns its id."""
    kms = client("kms")
    key_id: str = kms.create_key(
        Description=f"{names.prefix}: secrets at rest", KeyUsage="ENCRYPT_DECRYPT"
    )["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{names.prefix}-secrets", TargetKeyId=key_id)
    return key_id


def provision_all(names: Names, site_url: str, sender_email: str, jwks_url: str) -> dict[str, str]:
    """Every resource of one deployment; returns the environment the Lambdas would get.

    The local stack, the integration tests and the API bench all provision through here, so
    they run against the same shape of deployment.
    """
    os.environ["TABLE_NAME"] = names.table
    create_table()
    create_media_bucket(names.media_bucket, site_url)
    queue_url, dlq_url = create_upload_queues(names, names.media_bucket)
    pool_id, client_id = create_user_pool(names.user_pool)
    verify_sender(sender_email)
    webhooks_url, webhooks_dlq_url = create_webhook_queues(names)
    secrets_key_id = create_secrets_key(names)
    jobs_url, jobs_dlq_url = create_job_queues(names)
    return {
        "TABLE_NAME": names.table,
        "MEDIA_BUCKET": names.media_bucket,
        "UPLOADS_QUEUE_URL": queue_url,
        "UPLOADS_DLQ_URL": dlq_url,
        "WEBHOOKS_QUEUE_URL": webhooks_url,
        "WEBHOOKS_DLQ_URL": webhooks_dlq_url,
        "JOBS_QUEUE_URL": jobs_url,
        "JOBS_DLQ_URL": jobs_dlq_url,
        "COGNITO_USER_POOL_ID": pool_id,
        "COGNITO_CLIENT_ID": client_id,
        "COGNITO_JWKS_URL": jwks_url.format(pool_id=pool_id),
        "PUBLIC_SITE_URL": site_url,
        "SENDER_EMAIL": sender_email,
        "SECRETS_KEY_ID": secrets_key_id,
    }
