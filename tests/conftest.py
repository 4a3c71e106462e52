"""Every test runs with fake AWS credentials and a fixed region, never a real account."""

import os

import pytest

# The shared drivers assert as they go (a sign-up that fails says why); let pytest explain them.
pytest.register_assert_rewrite("tests.drivers")

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "oneway",
        "POWERTOOLS_METRICS_NAMESPACE": "Oneway",
    }
)
for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(name, None)
