"""Tracing is wrapped around handlers only where it is turned on."""

import pytest

from chalicelib import observability


def handler(event: dict, context: object) -> str:
    return "done"


def test_with_tracing_off_the_handler_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    assert observability.trace_handler(handler) is handler


def test_with_tracing_on_the_handler_runs_inside_the_tracer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    wrapped = observability.trace_handler(handler)
    assert wrapped is not handler
    assert wrapped({}, None) == "done"
