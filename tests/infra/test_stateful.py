"""The stateful stack: the table the models describe, a private bucket, queues, pool, sender."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match

from chalicelib.data.models import Item, table_schema
from chalicelib.domain import webhooks
from infra import resources
from infra.stacks import DeploySettings
from tests.drivers.cdk import Synthesized, mentions, only


def test_table_keys_and_indexes_equal_the_models(synthesized: Synthesized) -> None:
    table = only(synthesized.data, "AWS::DynamoDB::Table")["Properties"]
    models = table_schema()

    def by_type(keys: list[dict[str, str]]) -> list[dict[str, str]]:
        return sorted(keys, key=lambda k: k["KeyType"])

    assert by_type(table["KeySchema"]) == models["key_schema"]
    assert (
        sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"])
        == models["attribute_definitions"]
    )
    assert {
        index["IndexName"]: by_type(index["KeySchema"]) for index in table["GlobalSecondaryIndexes"]
    } == models["global_secondary_indexes"]
    projections = {
        index["index_name"]: index["projection"]
        for index in Item._get_schema()["global_secondary_indexes"]
    }
    assert {
        index["IndexName"]: index["Projection"] for index in table["GlobalSecondaryIndexes"]
    } == projections


def test_table_is_on_demand_recoverable_expiring_and_retained(synthesized: Synthesized) -> None:
    synthesized.data.has_resource(
        "AWS::DynamoDB::Table",
        {
            "Properties": Match.object_like(
                {
                    "BillingMode": "PAY_PER_REQUEST",
                    "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                    "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
                }
            ),
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )


def test_media_bucket_is_private_encrypted_and_expires_raw_chunks(
    synthesized: Synthesized,
) -> None:
    bucket = synthesized.data.find_resources("AWS::S3::Bucket")[_media_bucket_id(synthesized)]
    assert bucket["DeletionPolicy"] == "Retain"
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    rules = {rule["Prefix"]: rule for rule in properties["LifecycleConfiguration"]["Rules"]}
    assert rules["raw/"]["ExpirationInDays"] == resources.RAW_EXPIRY_DAYS
    assert rules["raw/"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert rules["media/"]["ExpirationInDays"] == DeploySettings.media_retention_days
    assert rules["media/"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    # the device check's upload probes are gone a day later
    assert rules["probes/"]["ExpirationInDays"] == resources.PROBE_EXPIRY_DAYS == 1
    # logo images nobody finalised (their bytes never checked) are gone a day later
    assert rules["logo-uploads/"]["ExpirationInDays"] == resources.LOGO_UPLOAD_EXPIRY_DAYS == 1


def _media_bucket_id(synthesized: Synthesized) -> str:
    (logical_id,) = [
        name
        for name in synthesized.data.find_resources("AWS::S3::Bucket")
        if name.startswith("MediaBucket")
    ]
    return logical_id


def test_media_bucket_refuses_plain_http(synthesized: Synthesized) -> None:
    synthesized.data.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": _media_bucket_id(synthesized)},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def _queue(synthesized: Synthesized, logical_prefix: str) -> dict[str, Any]:
    found = [
        queue["Properties"]
        for logical_id, queue in synthesized.data.find_resources("AWS::SQS::Queue").items()
        if logical_id.startswith(logical_prefix)
    ]
    assert len(found) == 1, logical_prefix
    return found[0]


def test_uploads_queue_outlasts_the_worker_and_dead_letters_after_three_receives(
    synthesized: Synthesized,
) -> None:
    uploads = _queue(synthesized, "UploadQueuesUploads")
    assert uploads["VisibilityTimeout"] >= 900
    assert uploads["RedrivePolicy"]["maxReceiveCount"] == 3
    assert mentions(uploads["RedrivePolicy"]["deadLetterTargetArn"], "UploadQueuesDeadLetters")
    assert uploads["SqsManagedSseEnabled"] is True


def test_webhook_events_dead_letter_after_the_last_delivery_attempt(
    synthesized: Synthesized,
) -> None:
    deliveries = _queue(synthesized, "WebhookQueuesDeliveries")
    assert deliveries["QueueName"] == "oneway-prod-webhooks"
    assert deliveries["RedrivePolicy"]["maxReceiveCount"] == webhooks.MAX_ATTEMPTS
    assert mentions(deliveries["RedrivePolicy"]["deadLetterTargetArn"], "WebhookQueuesDeadLetters")
    # At least the delivery function's 30 s timeout, or SQS refuses the event source.
    assert deliveries["VisibilityTimeout"] >= 30


def test_only_finished_raw_uploads_notify_the_queue(synthesized: Synthesized) -> None:
    notifications = only(synthesized.data, "Custom::S3BucketNotifications")["Properties"]
    (queue_config,) = notifications["NotificationConfiguration"]["QueueConfigurations"]
    assert queue_config["Events"] == ["s3:ObjectCreated:*"]
    rules = {r["Name"]: r["Value"] for r in queue_config["Filter"]["Key"]["FilterRules"]}
    assert rules == {"prefix": "raw/", "suffix": "/manifest.json"}


def test_user_pool_mirrors_the_local_one(synthesized: Synthesized) -> None:
    pool = only(synthesized.data, "AWS::Cognito::UserPool")
    properties = pool["Properties"]
    assert pool["DeletionPolicy"] == "Retain"
    assert properties["UsernameAttributes"] == ["email"]
    assert properties["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert properties["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert {
        "Name": "company_id",
        "AttributeDataType": "String",
        "Mutable": False,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
    } in properties["Schema"]
    groups = synthesized.data.find_resources("AWS::Cognito::UserPoolGroup")
    assert sorted(g["Properties"]["GroupName"] for g in groups.values()) == ["admin", "reviewer"]


def test_console_client_reads_but_cannot_write_the_company(synthesized: Synthesized) -> None:
    client = only(synthesized.data, "AWS::Cognito::UserPoolClient")["Properties"]
    assert sorted(client["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
    ]
    assert client["GenerateSecret"] is False
    assert "custom:company_id" in client["ReadAttributes"]
    assert "custom:company_id" not in client["WriteAttributes"]
    assert "AllowedOAuthFlows" not in client


def test_sender_identity_is_created_for_the_configured_address(synthesized: Synthesized) -> None:
    synthesized.data.has_resource_properties(
        "AWS::SES::EmailIdentity", {"EmailIdentity": "hiring@example.com"}
    )


def test_an_already_verified_sender_is_used_not_created(synthesized: Synthesized) -> None:
    synthesized.data_with_verified_sender.resource_count_is("AWS::SES::EmailIdentity", 0)
