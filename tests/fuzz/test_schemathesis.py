"""Schemathesis over `docs/openapi.json` against the local stack: no input gets a 5xx.

Every operation of the published document is called with inputs schemathesis draws from it,
both ones the schema allows (positive) and ones it refuses (negative), as a real caller of
each kind (an admin's and a reviewer's token, the candidate's link token, a share token),
with path ids that exist and ids the fuzzer makes up. Asserted: the promise the API makes to every
input, a 2xx or a 4xx and never a server error; and an input the document refuses is refused
(schemathesis' negative-data check), never answered with a 2xx.

Bounded for `make test` (a few examples per operation, a time budget, a fixed seed);
`make fuzz` runs it with more examples, more time and fresh random inputs:
FUZZ_EXAMPLES (per operation, mode and kind of id), FUZZ_SECONDS, FUZZ_RANDOM=1, FUZZ_SEED.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.drivers.local_stack import ROOT, RunningStack

DOCUMENT = ROOT / "docs" / "openapi.json"
REPORT = ROOT / "test-artifacts" / "fuzz-report.json"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
SECONDS = float(os.environ.get("FUZZ_SECONDS", "45"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"
# A random run names its seed in the report, so any finding can be replayed (FUZZ_SEED=...).
SEED = int(os.environ.get("FUZZ_SEED") or random.getrandbits(64)) if RANDOM else 0

# Run last and in this order, so the operations before them still find the candidate's link
# (a new link replaces it), the interview, the invitation and the share.
_LAST = [
    "POST /candidate/complete",
    "POST /candidate/deletion-request",
    "POST /invitations/{invitation_id}/resend",
    "POST /invitations/{invitation_id}/new-link",
    "POST /invitations/{invitation_id}/revoke",
    "POST /interviews/{interview_id}/archive",
]
_PATH_PARAM = re.compile(r"{(\w+)}")


class _OutOfTime(Exception):
    """Raised inside hypothesis' loop to stop drawing once an operation's time is up."""


@dataclass
class Run:
    """What the fuzzer sent and what came back."""

    examples: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    by_operation: dict[str, dict[int, int]] = field(default_factory=dict)
    server_errors: list[dict[str, Any]] = field(default_factory=list)
    accepted_invalid: list[dict[str, Any]] = field(default_factory=list)

    def record(self, label: str, case: Any, status: int | None, answer: str) -> None:
        self.examples += 1
        kind = "no answer" if status is None else f"{status // 100}xx"
        self.statuses[kind] = self.statuses.get(kind, 0) + 1
        seen = self.by_operation.setdefault(label, {})
        seen[status or 0] = seen.get(status or 0, 0) + 1
        if status is None or status >= 500:
            self.server_errors.append(
                {
                    "operation": label,
                    "status": status,
                    "path": case.formatted_path,
                    "query": case.query,
                    "body": _short(case.body),
                    "answer": answer[:300],
                }
            )


def _short(body: Any) -> Any:
    text = json.dumps(body, default=str) if body is not None else None
    return text if text is None or len(text) <= 600 else text[:600] + "…"


def _headers(operation: Any, callers: Any) -> list[dict[str, str]]:
    """The real callers each operation's security asks for (schemathesis' own are replaced):
    the admin, and for routes any recruiter may call, a reviewer too."""
    raw = operation.definition.raw
    schemes = {name for need in raw.get("security", []) for name in need}
    headers = {"Content-Type": "application/json"}
    if "invitationToken" in schemes:
        headers["X-Invitation-Token"] = callers.candidate
    if "shareToken" in schemes:
        headers["X-Share-Token"] = callers.share
    if "bearer" not in schemes:
        return [headers]
    tokens = [callers.admin] + ([callers.reviewer] if raw["x-oneway-access"] == "recruiter" else [])
    return [{**headers, "Authorization": f"Bearer {token}"} for token in tokens]


def _headers_negated(case: Any) -> bool:
    """Whether schemathesis made this case invalid in its headers (auth), which the real
    caller's headers replace: what is left of the case may be perfectly valid."""
    from schemathesis.core.parameters import ParameterLocation

    components = case.meta.components if case.meta else {}
    info = components.get(ParameterLocation.HEADER)
    return info is not None and info.mode.is_negative


def _fuzz(
    operation: Any,
    strategy: Any,
    *,
    base_url: str,
    headers: dict[str, str],
    run: Run,
    until: float,
) -> None:
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.specs.openapi.checks import negative_data_rejection

    label = f"{operation.method.upper()} {operation.path}"

    def examples(case: Any) -> None:
        if time.monotonic() > until and label in run.seconds:  # each is called once at least
            raise _OutOfTime
        started = time.monotonic()
        try:
            response = case.call(base_url=base_url, headers=headers, timeout=20)
        except Exception as error:  # a dropped connection or a timeout is a server failure too
            run.record(label, case, None, repr(error))
            return
        finally:
            run.seconds[label] = run.seconds.get(label, 0.0) + time.monotonic() - started
        run.record(label, case, response.status_code, response.text)
        if _headers_negated(case):  # the invalid part was the headers, which were replaced
            return
        try:  # reported beside the figures: an input the document refuses that got a 2xx
            case.validate_response(response, checks=[negative_data_rejection])
        except (AssertionError, BaseExceptionGroup) as failure:  # one failure, or a group
            run.accepted_invalid.append(
                {
                    "operation": label,
                    "path": case.formatted_path,
                    "query": case.query,
                    "body": _short(case.body),
                    "why": str(failure)[:300],
                }
            )

    test = given(case=strategy)(examples)
    if RANDOM:  # the run's own seed; otherwise the same inputs every time
        test = seed(SEED)(test)
    test = settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )(test)
    try:
        test()
    except Unsatisfiable:  # nothing to make wrong: an operation with no parameters or body
        return
    except _OutOfTime:  # this operation's share of the budget is spent
        return


def _order(operation: Any) -> int:
    label = f"{operation.method.upper()} {operation.path}"
    if label in _LAST:
        return 1 + _LAST.index(label)
    return len(_LAST) + 1 if operation.method.upper() == "DELETE" else 0


@pytest.mark.e2e
@pytest.mark.fuzz
def test_no_input_from_the_published_schema_gets_a_server_error(
    fuzz_stack: RunningStack, callers: Any
) -> None:
    import schemathesis
    from schemathesis.generation.modes import GenerationMode

    schema = schemathesis.openapi.from_path(str(DOCUMENT))
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=_order)
    base_url = f"{fuzz_stack.url}/api"
    run, started = Run(), time.monotonic()
    deadline = started + SECONDS
    for index, operation in enumerate(operations):
        # An equal share of what is left of the budget, so every operation gets its turn.
        until = time.monotonic() + (deadline - time.monotonic()) / (len(operations) - index)
        names = _PATH_PARAM.findall(operation.path)
        known = {name: callers.ids[name] for name in names if name in callers.ids}
        for headers in _headers(operation, callers):
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for fixed in [known, None] if known else [None]:
                    strategy = operation.as_strategy(mode, path_parameters=fixed)
                    _fuzz(
                        operation,
                        strategy,
                        base_url=base_url,
                        headers=headers,
                        run=run,
                        until=until,
                    )
    elapsed = time.monotonic() - started
    figures = {
        "operations": len(operations),
        "examples": run.examples,
        "seconds": round(elapsed, 1),
        "statuses": dict(sorted(run.statuses.items())),
        "server_errors": len(run.server_errors),
        "invalid_inputs_accepted": len(run.accepted_invalid),
        "seconds_in_requests": round(sum(run.seconds.values()), 1),
        "slowest": [
            (label, round(seconds, 1))
            for label, seconds in sorted(run.seconds.items(), key=lambda item: -item[1])[:3]
        ],
        "examples_per_operation_and_mode": EXAMPLES,
        "random": RANDOM,
        "seed": SEED,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {
                **figures,
                "findings": run.server_errors,
                "accepted_invalid": run.accepted_invalid,
                "statuses_by_operation": run.by_operation,
            },
            indent=2,
        )
    )
    print("fuzz:", json.dumps(figures))  # the figures `make fuzz` shows
    called = {f"{op.method.upper()} {op.path}" for op in operations}
    assert set(run.seconds) == called, figures  # every operation was called at least once
    logged = [
        line
        for line in fuzz_stack.output().splitlines()
        if "Traceback" in line or "unhandled" in line
    ]
    assert not run.server_errors, (
        f"{len(run.server_errors)} server errors (see {REPORT}): "
        f"{json.dumps(run.server_errors[:10], indent=1)}\nstack log: {logged[:10]}"
    )
    # And what the document refuses, the API refuses too (a 4xx, not a 2xx)
    assert not run.accepted_invalid, json.dumps(run.accepted_invalid[:10], indent=1)


def test_the_fuzzer_reads_the_published_document() -> None:
    """The document schemathesis loads is the checked-in one, with every operation in it."""
    import schemathesis

    schema = schemathesis.openapi.from_path(str(DOCUMENT))
    operations = [result.ok() for result in schema.get_all_operations()]
    published = json.loads(Path(DOCUMENT).read_text())["paths"]
    assert len(operations) == sum(len(methods) for methods in published.values())
