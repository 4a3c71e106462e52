"""Synthesizes the production CDK app once per session, offline: no AWS account, no Docker.

aws-cdk-lib is imported at the top on purpose: without the `infra` extra these tests fail
at collection, they are never skipped.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

# jsii warns on every start that Node 20 is end-of-life; the machines run Node 20 knowingly.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from infra import nag
from infra.stacks import DeploySettings, StatefulStack, build
from infra.stacks.site import Site
from tests.drivers.cdk import Synthesized

SETTINGS = DeploySettings(
    sender_email="hiring@example.com", stage="prod", alarm_email="ops@example.com"
)
CUSTOM_DOMAIN = "interviews.example.com"
CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/abcd-1234"
SYNTH_SECONDS = pytest.StashKey[float]()


@pytest.fixture(scope="session")
def synthesized(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Synthesized:
    outdir = tmp_path_factory.mktemp("cdk.out")
    # Chalice's packager loads the app with the stage's environment variables written into
    # os.environ (CDK tokens here): put the environment back so no later test sees them.
    saved_environment = dict(os.environ)
    try:
        return _synthesize(outdir, pytestconfig)
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)


def _synthesize(outdir: Path, pytestconfig: pytest.Config) -> Synthesized:
    started = time.perf_counter()
    app = cdk.App(outdir=str(outdir))
    data, code = build(app, SETTINGS)
    # The deployment's own checks, as `infra/cdk_app.py` runs them, accepted findings logged.
    nag.check(data, code, log_accepted=True)
    # Variants ride along in the same synth: a sender verified beforehand, a custom domain.
    verified = replace(SETTINGS, stage="verified", create_sender_identity=False)
    verified_data = StatefulStack(app, "oneway-verified-data", settings=verified)
    site_stack = cdk.Stack(app, "custom-domain-site")
    site = Site(
        site_stack,
        "Site",
        api_domain="abc123.execute-api.eu-west-1.amazonaws.com",
        domain=CUSTOM_DOMAIN,
        certificate_arn=CERTIFICATE_ARN,
    )
    assembly = app.synth()
    pytestconfig.stash[SYNTH_SECONDS] = time.perf_counter() - started
    return Synthesized(
        data=Template.from_stack(data),
        app=Template.from_stack(code),
        annotations=[
            f"{message.id}: {message.entry.data}"
            for stack in (data, code)
            for level in ("find_warning", "find_error")
            for message in getattr(Annotations.from_stack(stack), level)("*", Match.any_value())
        ],
        data_file=Path(assembly.get_stack_by_name(data.stack_name).template_full_path),
        app_file=Path(assembly.get_stack_by_name(code.stack_name).template_full_path),
        data_with_verified_sender=Template.from_stack(verified_data),
        site_with_custom_domain=Template.from_stack(site_stack),
        custom_domain_url=site.url,
        nag_accepted=[
            accepted
            for kind, stack in ((nag.DATA, data), (nag.APP, code))
            for accepted in _accepted_findings(kind, stack)
        ],
    )


# cdk-nag's info message for a finding it suppressed: "CdkNagSuppression[<finding>]: <rule> …".
_ACCEPTED_MESSAGE = re.compile(
    r"^CdkNagSuppression(?:\[(?P<finding>.*)\])?: (?P<rule>\S+) was triggered but suppressed"
)


def _accepted_findings(kind: str, stack: cdk.Stack) -> list[tuple[str, str, str, str]]:
    found = []
    prefix = f"/{stack.node.path}/"
    for message in Annotations.from_stack(stack).find_info("*", Match.any_value()):
        matched = _ACCEPTED_MESSAGE.match(str(message.entry.data))
        if matched:
            path = message.id.removeprefix(prefix)
            found.append((kind, path, matched["rule"], matched["finding"] or ""))
    return found


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    seconds = config.stash.get(SYNTH_SECONDS, None)
    if seconds is not None:
        terminalreporter.write_line(f"CDK synth (both stacks and variants): {seconds:.1f}s")
