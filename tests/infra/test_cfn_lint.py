"""CloudFormation's rules as cfn-lint knows them, and CDK's own checks: nothing to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

from tests.drivers.cdk import Synthesized


def _errors(template: Path) -> list[str]:
    matches = lint_file(template, config=ManualArgs(regions=["us-east-1", "eu-west-1"]))
    return [f"{m.rule.id} {m.message} ({m.path})" for m in matches if m.rule.id.startswith("E")]


@pytest.mark.parametrize("stack", ["data", "app"])
def test_template_has_no_cfn_lint_errors(synthesized: Synthesized, stack: str) -> None:
    template = synthesized.data_file if stack == "data" else synthesized.app_file
    assert _errors(template) == []


def test_cdk_reports_no_warnings_or_errors(synthesized: Synthesized) -> None:
    assert synthesized.annotations == []
