"""Powertools logger, tracer and metrics shared by the API, the worker and the sweeps.

Service name and log level come from POWERTOOLS_* variables; tracing switches itself off
outside Lambda, so local runs and tests need no X-Ray daemon.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Requests that record no business metric are normal; Powertools would warn on each one.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="oneway")
tracer = Tracer(service="oneway")
metrics = Metrics(namespace="Oneway", service="oneway")
