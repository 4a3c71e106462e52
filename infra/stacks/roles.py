"""Execution roles for the product's functions: each starts with its own logs and no more."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct


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
