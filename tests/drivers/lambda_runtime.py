"""Invoke a Lambda handler as the runtime does, from a deployment package and nothing else.

Run as `python -I -S lambda_runtime.py REQUEST RESULT` (standard library only): `-I` drops
PYTHONPATH, the user's site-packages and the working directory from the path, `-S` drops
site-packages, so the only third-party code importable is what the request's `path` lists —
the unpacked package, and for a zip Lambda the runtime's boto3. One process is one cold
start; its events are warm invocations of the same handler.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import sysconfig
import time
import traceback
import uuid
from typing import Any


class Context:
    """What the Lambda runtime passes as `context` (Powertools reads these fields)."""

    def __init__(self, function_name: str, memory_mb: int, timeout_s: float) -> None:
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _loaded_from_elsewhere(allowed: list[str]) -> list[str]:
    """Files of loaded modules that are neither the standard library nor the package."""
    roots = [os.path.realpath(p) + os.sep for p in allowed]
    roots += [
        os.path.realpath(sysconfig.get_paths()[name]) + os.sep for name in ("stdlib", "platstdlib")
    ]
    this = os.path.realpath(__file__)
    outside = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and os.path.realpath(path) == this:
            continue
        if path and not any(os.path.realpath(path).startswith(root) for root in roots):
            outside.add(path)
    return sorted(outside)


def main(request_path: str, result_path: str) -> None:
    with open(request_path) as f:
        request: dict[str, Any] = json.load(f)
    sys.path[:0] = request["path"]
    absent = {name: importlib.util.find_spec(name) is None for name in request["absent"]}
    module_name, _, attribute = request["handler"].rpartition(".")
    started = time.monotonic()
    handler = getattr(importlib.import_module(module_name), attribute)
    import_seconds = time.monotonic() - started
    results: list[dict[str, Any]] = []
    for event in request["events"]:
        context = Context(request["function_name"], request["memory_mb"], request["timeout_s"])
        try:
            results.append({"response": handler(event, context)})
        except Exception as error:
            results.append(
                {
                    "error": type(error).__name__,
                    "message": str(error),
                    "traceback": traceback.format_exc(),
                }
            )
    with open(result_path, "w") as f:
        json.dump(
            {
                "results": results,
                "absent": absent,
                "loaded_from_elsewhere": _loaded_from_elsewhere(request["path"]),
                "import_seconds": import_seconds,
                "python": "{}.{}".format(*sys.version_info[:2]),
            },
            f,
            default=str,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
