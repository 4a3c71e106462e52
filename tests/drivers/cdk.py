"""Reading synthesized templates: resources by type, policy statements, reference cycles."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Template


@dataclass(frozen=True)
class Synthesized:
    """The two stacks' templates, as assertions and as the files CloudFormation would get."""

    data: Template
    app: Template
    # CDK's warnings and errors on each stack, as "path: message".
    annotations: list[str]
    data_file: Path
    app_file: Path
    # Variants synthesized alongside, in the same cloud assembly.
    data_with_verified_sender: Template
    site_with_custom_domain: Template
    custom_domain_url: str
    # cdk-nag findings accepted in infra/nag.py, as (stack, construct path in it, rule,
    # finding): what each acceptance actually covered in this synth.
    nag_accepted: list[tuple[str, str, str, str]] = field(default_factory=list)


def only(template: Template, resource_type: str) -> dict[str, Any]:
    """The one resource of a type; fails naming what was found otherwise."""
    found = template.find_resources(resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def policy_statements(template: Template) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement of every identity policy: (resource logical id, statement)."""
    for logical_id, policy in template.find_resources("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            yield logical_id, statement
    for logical_id, role in template.find_resources("AWS::IAM::Role").items():
        for inline in role["Properties"].get("Policies", []):
            for statement in inline["PolicyDocument"]["Statement"]:
                yield logical_id, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def mentions(value: Any, *needles: str) -> bool:
    """Whether a (possibly intrinsic) value refers to something whose id contains a needle."""
    text = json.dumps(value)
    return any(needle in text for needle in needles)


def dependency_cycle(template: dict[str, Any]) -> list[str] | None:
    """A cycle of resource references (Ref, GetAtt, Sub, DependsOn), if there is one.

    cfn-lint does not follow references inside a SAM API's definition body, and CloudFormation
    only finds such a cycle at deploy time, so the tests look for one themselves.
    """
    resources = template["Resources"]
    graph = {
        name: {ref for ref in _references(body) if ref in resources and ref != name}
        for name, body in resources.items()
    }
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target, [*path, target])):
                return cycle
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node, [node])):
            return cycle
    return None


_SUB_NAME = re.compile(r"\$\{([^}!.]+)")


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value[0] if isinstance(value, list) else value.split(".")[0]
            elif key == "Fn::Sub":
                text, variables = (value, {}) if isinstance(value, str) else value
                yield from _SUB_NAME.findall(text)
                yield from _references(variables)
            elif key == "DependsOn":
                yield from as_list(value)
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)
