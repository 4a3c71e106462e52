"""Nothing public, and every data permission names the resource it is for."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from tests.drivers.cdk import Synthesized, as_list, mentions, policy_statements

FULL_BLOCK = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}
# Actions that read or change the product's data (configuration actions are not data).
DATA_ACTIONS = (
    "dynamodb:",
    "sqs:",
    "ses:",
    "cognito-idp:",
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:List",
    "s3:Abort",
    "s3:*",
)
# How each stateful resource appears in the stateless stack (cross-stack exports).
TABLE = "InterviewsTable"
BUCKET = "MediaBucket"
QUEUE = "UploadQueuesUploads"
WEBHOOKS = "WebhookQueuesDeliveries"
JOBS = "JobQueuesJobs"
POOL = "RecruitersPool"
SENDER = ":identity/"
SECRETS = "SecretsKey"


def templates(synthesized: Synthesized) -> list[Template]:
    return [synthesized.data, synthesized.app]


def test_every_bucket_blocks_all_public_access(synthesized: Synthesized) -> None:
    for template in templates(synthesized):
        for logical_id, bucket in template.find_resources("AWS::S3::Bucket").items():
            block = bucket["Properties"].get("PublicAccessBlockConfiguration")
            assert block == FULL_BLOCK, logical_id


def test_no_resource_policy_allows_everyone(synthesized: Synthesized) -> None:
    policy_types = ("AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy")
    for template in templates(synthesized):
        for policy_type in policy_types:
            for logical_id, policy in template.find_resources(policy_type).items():
                for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                    if statement["Effect"] == "Allow":
                        assert statement.get("Principal") not in ("*", {"AWS": "*"}), logical_id


def _is_data_action(action: str) -> bool:
    return action == "*" or action.startswith(DATA_ACTIONS)


def _is_wildcard(resource: Any) -> bool:
    return isinstance(resource, str) and (resource == "*" or resource.endswith(":::*"))


def test_data_actions_never_apply_to_every_resource(synthesized: Synthesized) -> None:
    for template in templates(synthesized):
        for logical_id, statement in policy_statements(template):
            actions = as_list(statement["Action"])
            if any(_is_data_action(action) for action in actions):
                for resource in as_list(statement["Resource"]):
                    assert not _is_wildcard(resource), (logical_id, actions)


def _role_statements(synthesized: Synthesized, role_prefix: str) -> list[dict[str, Any]]:
    found = [
        statement
        for logical_id, statement in policy_statements(synthesized.app)
        if logical_id.startswith(role_prefix)
    ]
    assert found, role_prefix
    return found


def _grants(statements: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Action → the resources it is allowed on."""
    granted: dict[str, list[Any]] = {}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted.setdefault(action, []).extend(as_list(statement["Resource"]))
    return granted


@pytest.mark.parametrize(
    ("role", "targets"),
    [
        (
            "ApiApiRole",
            {
                "dynamodb": [TABLE],
                "s3": [BUCKET],
                "sqs": [QUEUE, WEBHOOKS, JOBS],
                "ses": [SENDER],
                "cognito-idp": [POOL],
                "kms": [SECRETS],
            },
        ),
        (
            "ApiSweepRole",
            {
                "dynamodb": [TABLE],
                "s3": [BUCKET],
                "sqs": [WEBHOOKS],
                "ses": [SENDER],
                "kms": [SECRETS],
            },
        ),
        ("ApiWebhookRole", {"dynamodb": [TABLE], "sqs": [WEBHOOKS], "kms": [SECRETS]}),
        (
            "ApiJobRole",
            {
                "dynamodb": [TABLE],
                "s3": [BUCKET],
                "sqs": [JOBS, WEBHOOKS],
                "ses": [SENDER],
                "kms": [SECRETS],
            },
        ),
        ("MediaWorkerRole", {"dynamodb": [TABLE], "s3": [BUCKET], "sqs": [QUEUE, WEBHOOKS]}),
    ],
)
def test_function_roles_reach_only_their_own_resources(
    synthesized: Synthesized, role: str, targets: dict[str, list[str]]
) -> None:
    grants = _grants(_role_statements(synthesized, role))
    services = {action.split(":")[0] for action in grants} - {"logs"}
    assert services == set(targets), role
    for action, resources in grants.items():
        service = action.split(":")[0]
        if service == "logs":
            assert all(mentions(r, ":log-group:/aws/lambda/oneway-prod-") for r in resources)
            continue
        for resource in resources:
            assert mentions(resource, *targets[service]), (role, action, resource)


def test_api_may_do_exactly_the_cognito_and_email_work_it_needs(synthesized: Synthesized) -> None:
    grants = _grants(_role_statements(synthesized, "ApiApiRole"))
    assert {a for a in grants if a.startswith("cognito-idp:")} == {
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
    }
    assert {a for a in grants if a.startswith("ses:")} == {"ses:SendEmail", "ses:SendRawEmail"}
    assert {a for a in grants if a.startswith("s3:")} == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:ListBucket",
    }
    assert {a for a in grants if a.startswith("sqs:")} == {"sqs:SendMessage"}


def test_the_job_function_writes_export_files_and_nothing_else_in_s3(
    synthesized: Synthesized,
) -> None:
    grants = _grants(_role_statements(synthesized, "ApiJobRole"))
    assert {a for a in grants if a.startswith("s3:")} == {"s3:PutObject"}
    (resource,) = grants["s3:PutObject"]
    assert mentions(resource, "/exports/*")


@pytest.mark.parametrize(
    ("role", "prefixes"),
    [
        ("ApiApiRole", ["raw/*", "media/*", "question-videos/*"]),
        ("ApiSweepRole", ["raw/*", "media/*"]),
        ("MediaWorkerRole", ["raw/*"]),
    ],
)
def test_listing_reaches_only_upload_and_media_prefixes(
    synthesized: Synthesized, role: str, prefixes: list[str]
) -> None:
    (listing,) = [
        s for s in _role_statements(synthesized, role) if "s3:ListBucket" in as_list(s["Action"])
    ]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": prefixes}}
    assert mentions(listing["Resource"], BUCKET)
