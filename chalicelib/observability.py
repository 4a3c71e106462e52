"""Powertools logger, tracer and metrics shared by the API, the worker and the sweeps.

Service name and log level come from POWERTOOLS_* variables. Tracing is on only where
X-Ray is: the X-Ray SDK costs a few hundred milliseconds to import, so with
POWERTOOLS_TRACE_DISABLED=true (the default stage setting, the stacks deploy without
active tracing) it is never loaded and cold starts stay short.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics

# Requests that record no business metric are normal; Powertools would warn on each one.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="oneway")
metrics = Metrics(namespace="Oneway", service="oneway")


def tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("true", "1")


@lru_cache(maxsize=1)
def tracer() -> Any:
    """The Powertools tracer, created (and the X-Ray SDK imported) on first use."""
    from aws_lambda_powertools.tracing import Tracer  # noqa: PLC0415 - X-Ray SDK, ~0.2 s

    return Tracer(service="oneway")


def trace_handler(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Lambda handler in an X-Ray segment when tracing is on; otherwise leave it."""
    if not tracing_enabled():
        return handler
    return tracer().capture_lambda_handler(handler)
