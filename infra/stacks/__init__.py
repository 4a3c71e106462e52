"""Production stacks: stateful (data, identities) and stateless (code, edge, alarms)."""

from __future__ import annotations

import aws_cdk as cdk

from infra.stacks.settings import DeployConfigError, DeploySettings
from infra.stacks.stateful import StatefulStack
from infra.stacks.stateless import StatelessStack

CROSS_STACK_REFERENCES = "@aws-cdk/core:defaultCrossStackReferences"

__all__ = ["DeployConfigError", "DeploySettings", "StatefulStack", "StatelessStack", "build"]


def build(
    app: cdk.App, settings: DeploySettings, env: cdk.Environment | None = None
) -> tuple[StatefulStack, StatelessStack]:
    """Both stacks of one deployment, named after its stage."""
    # Strong references (exports): CloudFormation refuses to delete the data stack while the
    # app stack still uses it. Said explicitly, CDK would otherwise warn on every synth.
    if app.node.try_get_context(CROSS_STACK_REFERENCES) is None:
        app.node.set_context(CROSS_STACK_REFERENCES, "strong")
    data = StatefulStack(
        app,
        f"{settings.prefix}-data",
        settings=settings,
        env=env,
        description="oneway: table, media bucket, upload queues, recruiters' pool, sender",
    )
    code = StatelessStack(
        app,
        f"{settings.prefix}-app",
        settings=settings,
        data=data,
        env=env,
        description="oneway: API, reminder sweep, media worker, site and alarms",
    )
    code.add_stack_dependency(data)
    cdk.Tags.of(app).add("app", "oneway")
    cdk.Tags.of(app).add("stage", settings.stage)
    return data, code
