"""Build deployment packages as the deploy does, and run their handlers in isolation (deploy tests).

Dependency directories are cached under `.venv/cache/deploy`, keyed by the requirements'
content and the interpreter, so only the first run downloads; the code is copied afresh
for every session.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".venv" / "cache" / "deploy"
RUNTIME = Path(__file__).with_name("lambda_runtime.py")
REGION = "us-east-1"
TASK_ROOT = "${LAMBDA_TASK_ROOT}"


# --- building -----------------------------------------------------------------------------


def python_version(python: str) -> str:
    """`major.minor` of an interpreter, or "" when it does not run."""
    try:
        done = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def find_python(version: str) -> str | None:
    """An interpreter of `version`: ONEWAY_IMAGE_PYTHON, `python<version>` or pyenv's copy."""
    candidates = [os.environ.get("ONEWAY_IMAGE_PYTHON", ""), f"python{version}"]
    candidates += sorted(
        glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")),
        reverse=True,
    )
    for candidate in filter(None, candidates):
        found = shutil.which(candidate)
        if found and python_version(found) == version:
            return found
    return None


def pip_target(name: str, requirements: Sequence[str], python: str = sys.executable) -> Path:
    """A directory `python -m pip install --target` filled from `requirements`, cached.

    The key covers the arguments, the content of any `-r` file, the interpreter's version and
    the platform, so a changed pin or interpreter builds a new directory.
    """
    digest = hashlib.sha256()
    for arg in requirements:
        digest.update(arg.encode() + b"\0")
        if Path(arg).is_file():
            digest.update(Path(arg).read_bytes())
    digest.update(f"{python_version(python)} {platform.machine()} {sys.platform}".encode())
    done = CACHE / f"{name}-{digest.hexdigest()[:16]}"
    if done.is_dir():
        return done
    CACHE.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=CACHE))
    try:
        built = subprocess.run(
            [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "--target",
                str(scratch / "target"),
                *requirements,
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert built.returncode == 0, f"pip install --target failed:\n{built.stderr[-4000:]}"
        try:
            (scratch / "target").rename(done)
        except OSError:
            if not done.is_dir():  # another session finishing the same build is fine
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return done


def _link_or_copy(source: str, destination: str) -> None:
    """Hard links make a package directory from the cache in a blink; copy across devices."""
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


def link_tree(source: Path, destination: Path) -> None:
    shutil.copytree(source, destination, copy_function=_link_or_copy, symlinks=True)


@dataclass(frozen=True)
class ImageRecipe:
    """What a Lambda container image's Dockerfile puts into the task root."""

    base_image: str
    requirements: Path  # the file `pip install --target ${LAMBDA_TASK_ROOT} -r` reads
    copies: list[tuple[str, str]]  # (source in the repository, path under the task root)
    handler: str


def _instructions(dockerfile: Path) -> Iterator[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            yield keyword.upper(), rest.strip()


def read_dockerfile(dockerfile: Path) -> ImageRecipe:
    """The image's recipe, refusing anything the test could not reproduce.

    Installs must come from one requirements file the image copied in (no package named on
    the command line), and files enter the task root only through COPY lines.
    """
    copies: list[tuple[str, str]] = []
    requirements: Path | None = None
    handler = base_image = ""
    for keyword, rest in _instructions(dockerfile):
        if keyword == "FROM":
            base_image = rest
        elif keyword == "COPY":
            source, destination = shlex.split(rest)
            assert destination.startswith(TASK_ROOT + "/"), f"COPY outside the task root: {rest}"
            copies.append((source, destination.removeprefix(TASK_ROOT + "/")))
        elif keyword == "RUN" and "pip install" in rest:
            command = rest.split("pip install", 1)[1].split("&&", 1)[0]
            words = shlex.split(command.replace(TASK_ROOT, "@"))
            files = []
            while words:
                word = words.pop(0)
                if word == "--target":
                    assert words.pop(0) == "@", "pip must install into the task root"
                elif word == "-r":
                    files.append(words.pop(0).removeprefix("@/"))
                else:
                    assert word == "--no-cache-dir", (
                        f"the Dockerfile's pip install has {word!r}; installs belong in the "
                        "requirements file the image and tests/deploy both read"
                    )
            assert len(files) == 1, f"expected one requirements file, got {files}"
            sources = [src for src, dst in copies if dst == files[0]]
            assert sources, f"{files[0]} is not copied into the image before the install"
            requirements = ROOT / sources[-1]
        elif keyword == "CMD":
            (handler,) = json.loads(rest)
    assert requirements is not None, "the Dockerfile installs no requirements file"
    assert handler, "the Dockerfile names no handler"
    return ImageRecipe(base_image, requirements, copies, handler)


def build_image_root(recipe: ImageRecipe, task_root: Path, python: str) -> Path:
    """The task root the image would hold: its installs, then its COPY lines in order."""
    link_tree(pip_target("worker", ["-r", str(recipe.requirements)], python), task_root)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")  # the CDK's build context drops them
    for source, destination in recipe.copies:
        target = task_root / destination
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, target, ignore=ignore, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / source, target)
    return task_root


# --- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invocation:
    results: list[dict[str, Any]]
    absent: dict[str, bool]
    loaded_from_elsewhere: list[str]
    import_seconds: float
    python: str
    logs: str

    def responses(self) -> list[Any]:
        """Every invocation's return value; fails with the traceback of any that raised."""
        errors = [r["traceback"] for r in self.results if "error" in r]
        assert not errors, "\n".join(errors) + "\n--- logs ---\n" + self.logs[-6000:]
        return [r["response"] for r in self.results]


def lambda_environment(
    moto_url: str, scratch: Path, function_name: str, memory_mb: int, task_root: Path
) -> dict[str, str]:
    """What the Lambda runtime sets, plus the one difference: AWS is the moto server."""
    home = scratch / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "HOME": str(home),  # no ~/.aws of the machine running the tests
        "TMPDIR": str(scratch),
        "LAMBDA_TASK_ROOT": str(task_root),
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_ENDPOINT_URL": moto_url,
    }


def invoke(
    path: Sequence[Path],
    handler: str,
    events: Sequence[dict[str, Any]],
    env: dict[str, str],
    *,
    scratch: Path,
    absent: Sequence[str] = ("pytest", "moto"),
    memory_mb: int = 512,
    timeout_s: float = 120,
    python: str = sys.executable,
) -> Invocation:
    """One cold start of `handler` in `python -I -S`, seeing only `path`; then each event."""
    scratch.mkdir(parents=True, exist_ok=True)
    request = scratch / "request.json"
    result = scratch / "result.json"
    request.write_text(
        json.dumps(
            {
                "path": [str(p) for p in path],
                "handler": handler,
                "events": list(events),
                "absent": list(absent),
                "function_name": env["AWS_LAMBDA_FUNCTION_NAME"],
                "memory_mb": memory_mb,
                "timeout_s": timeout_s,
            }
        )
    )
    done = subprocess.run(
        [python, "-I", "-S", str(RUNTIME), str(request), str(result)],
        env=env,
        cwd=path[0],  # Lambda starts in the task root
        capture_output=True,
        text=True,
        timeout=timeout_s * max(1, len(events)) + 60,
        check=False,
    )
    logs = done.stdout + done.stderr
    assert done.returncode == 0, f"the handler did not load:\n{logs[-6000:]}"
    data = json.loads(result.read_text())
    return Invocation(
        data["results"],
        data["absent"],
        data["loaded_from_elsewhere"],
        data["import_seconds"],
        data["python"],
        logs,
    )


def isolated_python(
    path: Sequence[Path], code: str, env: dict[str, str], python: str = sys.executable
) -> str:
    """Run `code` in `python -I -S` with only `path` importable; returns its stdout."""
    prelude = f"import sys; sys.path[:0] = {[str(p) for p in path]!r}\n"
    done = subprocess.run(
        [python, "-I", "-S", "-c", prelude + code],
        env=env,
        cwd=path[0],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


# --- the test process's side of the moto server --------------------------------------------


@contextmanager
def talking_to(moto_url: str, settings: dict[str, str] | None = None) -> Iterator[None]:
    """Point this process's chalicelib at the moto server, and back afterwards.

    Only inside this block: other test folders run in the same process with in-process moto.
    """
    saved = dict(os.environ)
    os.environ.update({"AWS_ENDPOINT_URL": moto_url, **(settings or {})})
    _forget_connections()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        _forget_connections()


def _forget_connections() -> None:
    """Drop every cached client, so the next one is made for the current environment."""
    from chalicelib.adapters.aws import reset_clients
    from chalicelib.config import reset_settings
    from chalicelib.data import transactions

    reset_clients()
    reset_settings()
    transactions.connection.cache_clear()  # PynamoDB's, for transactions; bound to an endpoint


def provision(moto_url: str, prefix: str) -> dict[str, str]:
    """A deployment on the moto server, by the code the local stack provisions with."""
    from infra.local import provisioning

    with talking_to(moto_url):
        settings = provisioning.provision_all(
            provisioning.Names(prefix=prefix),
            "https://interviews.example.com",
            "interviews@example.com",
            jwks_url=f"{moto_url}/{{pool_id}}/.well-known/jwks.json",
        )
    # The webhook receivers these checks run listen on loopback.
    return {**settings, "ONEWAY_WEBHOOK_ALLOW_PRIVATE": "1"}


def sqs_event(messages: list[dict[str, Any]], queue_url: str) -> dict[str, Any]:
    """Messages as Lambda's SQS event source delivers them."""
    from infra.local.pollers import sqs_record

    name = queue_url.rstrip("/").rsplit("/", 1)[-1]
    arn = f"arn:aws:sqs:{REGION}:123456789012:{name}"
    return {"Records": [sqs_record(message, arn) for message in messages]}


def drain(queue_url: str, expected: int, rounds: int = 10) -> list[dict[str, Any]]:
    """Receive (and delete) what a queue holds, waiting briefly for `expected` messages."""
    from chalicelib.adapters.aws import client

    sqs = client("sqs")
    messages: list[dict[str, Any]] = []
    for _ in range(rounds):
        batch = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0 if len(messages) >= expected else 1,
            AttributeNames=["All"],
        ).get("Messages", [])
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        messages += batch
        if not batch and len(messages) >= expected:
            break
    return messages
