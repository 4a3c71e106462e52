"""Execution roles for the product's functions: each starts with its own logs and no more."""

from __future__ import annotations

from collections.abc import Iterable

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

# What PynamoDB does with the table: items, queries, batches and transactions' condition
# checks, and describing the table. No stream or table-management actions.
TABLE_DATA_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
]


def function_role(scope: Construct, construct_id: str, function_name: str) -> iam.Role:
    """An execution role that may write its own function's logs and nothing else yet."""
    stack = cdk.Stack.of(scope)
    log_group = stack.format_arn(
        service="logs",
        resource="log-group",
        resource_name=f"/aws/lambda/{function_name}:*",
        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
    )
    return iam.Role(
        scope,
        construct_id,
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Runs {function_name}",
        inline_policies={
            "logs": iam.PolicyDocument(
                statements=[
                    iam.PolicyStatement(
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[log_group],
                    )
                ]
            )
        },
    )


def grant_table_data(role: iam.IRole, table: dynamodb.ITable, indexes: Iterable[str]) -> None:
    """Read and write the table's items and query its indexes, each index named.

    CDK's `grant_read_write_data` allows `<table>/index/*`: any index added later, by
    anyone, would be covered without a review. Here every index is in the policy by name.
    """
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=TABLE_DATA_ACTIONS,
            resources=[
                table.table_arn,
                *(f"{table.table_arn}/index/{name}" for name in sorted(indexes)),
            ],
        )
    )
