"""The production CDK app: `python infra/cdk_app.py` synthesizes both stacks into cdk.out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Read the deployment's settings, build both stacks, write the cloud assembly."""
    sys.path.insert(0, str(ROOT))
    # Chalice's packager needs a region even offline; under `cdk deploy` it is the target's.
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("CDK_DEFAULT_REGION", "us-east-1"))

    import aws_cdk as cdk

    from infra import nag
    from infra.stacks import DeployConfigError, DeploySettings, build

    app = cdk.App(outdir=os.environ.get("CDK_OUTDIR", str(ROOT / "cdk.out")))
    try:
        settings = DeploySettings.load(app.node.try_get_context, os.environ)
    except DeployConfigError as error:
        sys.exit(f"oneway deploy settings: {error}")
    env = cdk.Environment(
        account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")
    )
    # AWS Solutions checks: an unaccepted finding is an error, and CDK deploys no stack
    # with errors (infra/nag.py lists what is accepted and why).
    nag.check(*build(app, settings, env))
    assembly = app.synth()
    # Run alone (`make synth`), the app must fail by itself: only the CDK CLI reads errors.
    errors = nag.errors(assembly)
    if errors:
        sys.exit("oneway deployment checks failed (see infra/nag.py):\n" + "\n".join(errors))


if __name__ == "__main__":
    main()
