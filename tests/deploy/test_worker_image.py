"""The media worker, run from exactly what its container image holds, against a moto server.

The task root is built from the Dockerfile's own steps (its requirements file, then its COPY
lines) and the handler runs in a fresh `python -I -S` that can import nothing else: a module
the image lacks fails here, not on the first upload in AWS.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.drivers.media import Clip, generate
from tests.drivers.packages import (
    ROOT,
    Invocation,
    build_image_root,
    drain,
    find_python,
    invoke,
    isolated_python,
    lambda_environment,
    provision,
    python_version,
    read_dockerfile,
    sqs_event,
    talking_to,
)

pytestmark = pytest.mark.package

DOCKERFILE = ROOT / "media_worker" / "Dockerfile"
MIME = "video/webm;codecs=vp8,opus"
HOOK_URL = "https://hooks.example.com/oneway"
# What infra/stacks/worker.py gives the function; the Lambda service adds the AWS_* variables.
WORKER_ENVIRONMENT = ("TABLE_NAME", "MEDIA_BUCKET", "WEBHOOKS_QUEUE_URL")
MEMORY_MB = 3008  # infra/stacks/worker.py


def _requirements(lines: list[str]) -> dict[str, Requirement]:
    """Requirement lines (comments and blanks skipped) by canonical project name."""
    parsed = [Requirement(line.split("#", 1)[0]) for line in lines if line.split("#", 1)[0].strip()]
    return {canonicalize_name(r.name): r for r in parsed}


def test_the_image_pins_what_the_project_is_tested_with() -> None:
    recipe = read_dockerfile(DOCKERFILE)
    assert recipe.requirements == ROOT / "media_worker" / "requirements.txt"
    assert recipe.handler == "media_worker.handler.handler"
    image = _requirements(recipe.requirements.read_text().splitlines())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    tested = _requirements(project["dependencies"] + project["optional-dependencies"]["media"])
    assert {"av", "imageio-ffmpeg", "pynamodb", "aws-lambda-powertools", "boto3"} <= image.keys()
    for name, pinned in image.items():
        (spec,) = pinned.specifier
        assert spec.operator == "==", f"{name} is not pinned in {recipe.requirements.name}"
        if name in tested:  # the same version the tests and the API run
            assert tested[name].specifier.contains(spec.version), (name, str(tested[name]))
    assert "chalice" not in image  # the worker runs without the API's framework


@pytest.fixture(scope="module")
def image_python() -> str:
    """The base image's Python (`lambda/python:3.12` runs 3.12) when this machine has one."""
    base_image = read_dockerfile(DOCKERFILE).base_image
    version = base_image.rsplit(":", 1)[-1]
    assert re.fullmatch(r"3\.\d+", version), f"no Python version in {base_image}"
    if found := find_python(version):
        return found
    here = "{}.{}".format(*sys.version_info[:2])
    warnings.warn(
        f"no Python {version} on this machine (set ONEWAY_IMAGE_PYTHON): the worker's "
        f"package is built and run with Python {here}, the image runs {version}",
        stacklevel=1,
    )
    return sys.executable


@pytest.fixture(scope="module")
def task_root(image_python: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    recipe = read_dockerfile(DOCKERFILE)
    return build_image_root(recipe, tmp_path_factory.mktemp("worker") / "task", image_python)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 3 s VP8/Opus WebM written to a pipe, as MediaRecorder writes it."""
    path = generate(Clip(video="vp8", audio="opus"), tmp_path_factory.mktemp("rec") / "a.webm")
    return path.read_bytes()


@dataclass(frozen=True)
class Run:
    """One batch of finalised answers through the packaged worker, and what it left behind."""

    invocation: Invocation
    answers: dict[str, Any]  # case -> Answer, read after the run
    submitted: Any  # the invitation whose interview was submitted before its answer failed
    webhooks: list[dict[str, Any]]  # webhook queue messages' bodies
    uploads_left: list[dict[str, Any]]


CASES = ("good", "cut", "rejected")
NOT_MEDIA = b"this is not a recording " * 400


def _upload(token: str, question_id: str, data: bytes, bucket: str) -> int:
    """Record one attempt as the site does: start, three chunks, finalise; returns it."""
    from chalicelib.adapters.aws import client
    from chalicelib.domain import candidates

    started = candidates.start_attempt(token, question_id, MIME)
    size = -(-len(data) // 3)
    pieces = [data[i : i + size] for i in range(0, len(data), size)]
    for index, piece in enumerate(pieces):
        key = started.upload.chunk_key_template.format(index=index)
        client("s3").put_object(Bucket=bucket, Key=key, Body=piece)
    candidates.finalise(token, question_id, started.attempt, len(pieces))
    return started.attempt


@pytest.fixture(scope="module")
def run(
    moto_url: str,
    task_root: Path,
    image_python: str,
    recording: bytes,
    tmp_path_factory: pytest.TempPathFactory,
) -> Run:
    from chalicelib.data.models import Answer
    from chalicelib.domain import candidates, identity, interviews, invitations, webhooks
    from chalicelib.domain.auth import Principal, Role

    settings = provision(moto_url, "worker-image")
    bucket = settings["MEDIA_BUCKET"]
    uploads = {
        "good": recording,
        # A reload mid-recording: the upload stops inside a cluster, with no final cues.
        "cut": recording[: len(recording) * 6 // 10],
        "rejected": NOT_MEDIA,
    }
    with talking_to(moto_url, settings):
        signed = identity.sign_up("Image Check", "Pat Admin", "pat@example.com", "long-password-1")
        company_id = signed.company.company_id
        user_id = signed.recruiter.user_id
        company = identity.get_company(company_id)
        admin = Principal(company_id, user_id, "pat@example.com", Role.ADMIN)
        webhooks.create(admin, HOOK_URL, ["answer.failed"])
        question = {"think_seconds": 0, "max_answer_seconds": 60, "retakes": 0}
        interview = interviews.create_interview(
            company_id,
            "Image check",
            [{"text": f"Question {case}", **question} for case in CASES],
            created_by=user_id,
        )
        casey, token = invitations.create_invitation(
            company, interview, "Casey", "casey@example.com"
        )
        candidates.consent(token)
        questions = {
            case: q.question_id
            for case, q in zip(CASES, candidates.open_session(token).questions, strict=True)
        }
        keys = {
            case: (
                casey.invitation_id,
                questions[case],
                _upload(token, questions[case], data, bucket),
            )
            for case, data in uploads.items()
        }
        # Another candidate submits before the worker finds their only answer unusable.
        short = interviews.create_interview(
            company_id, "One question", [{"text": "Only one", **question}], created_by=user_id
        )
        dana, dana_token = invitations.create_invitation(company, short, "Dana", "dana@example.com")
        candidates.consent(dana_token)
        (only,) = candidates.open_session(dana_token).questions
        attempt = _upload(dana_token, only.question_id, NOT_MEDIA, bucket)
        keys["after_submit"] = (dana.invitation_id, only.question_id, attempt)
        assert candidates.complete(dana_token)
        # S3 told the uploads queue about each manifest, as it does in AWS (after its
        # `s3:TestEvent` when the notification was set up, which the worker must skip).
        messages = drain(settings["UPLOADS_QUEUE_URL"], expected=len(keys))
        announced = [m for m in messages if "manifest.json" in m["Body"]]
        assert len(announced) == len(keys)
        event = sqs_event(messages, settings["UPLOADS_QUEUE_URL"])

    scratch = tmp_path_factory.mktemp("worker-run")
    env = lambda_environment(moto_url, scratch, "oneway-media-worker", MEMORY_MB, task_root)
    env |= {name: settings[name] for name in WORKER_ENVIRONMENT}
    # The Dockerfile's build step: the pinned wheel's ffmpeg, with x264, is the image's ffmpeg.
    ffmpeg = isolated_python(
        [task_root],
        "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())",
        env,
        image_python,
    ).strip()
    assert Path(ffmpeg).resolve().is_relative_to(task_root.resolve())
    encoders = subprocess.run(
        [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, text=True, check=True
    )
    assert "libx264" in encoders.stdout
    env["FFMPEG_BINARY"] = ffmpeg
    invocation = invoke(
        [task_root],
        read_dockerfile(DOCKERFILE).handler,
        [event],
        env,
        scratch=scratch / "invoke",
        absent=("chalice", "pytest", "moto"),
        memory_mb=MEMORY_MB,
        timeout_s=300,
        python=image_python,
    )

    with talking_to(moto_url, settings):
        answers = {case: Answer.get(*Answer.key(company_id, *key)) for case, key in keys.items()}
        submitted = invitations.get_invitation(company_id, dana.invitation_id)
        hooks = [json.loads(m["Body"]) for m in drain(settings["WEBHOOKS_QUEUE_URL"], 2)]
        left = drain(settings["UPLOADS_QUEUE_URL"], expected=0, rounds=1)
    return Run(invocation, answers, submitted, hooks, left)


def test_the_worker_runs_from_its_image_alone(run: Run, image_python: str) -> None:
    assert run.invocation.python == python_version(image_python)
    assert run.invocation.absent == {"chalice": True, "pytest": True, "moto": True}
    assert run.invocation.loaded_from_elsewhere == []
    # Every record handled: none handed back to SQS for a retry.
    assert run.invocation.responses() == [{"batchItemFailures": []}]
    assert run.uploads_left == []


def test_a_good_answer_becomes_ready(run: Run) -> None:
    answer = run.answers["good"]
    assert answer.status == "ready", (answer.error_reason, run.invocation.logs[-3000:])
    assert (answer.video_codec, answer.audio_codec) == ("h264", "aac")
    assert abs(answer.duration_seconds - 3.0) <= 0.2
    assert not answer.cut_short
    assert answer.media_key.endswith("answer.mp4")


def test_a_cut_recording_is_salvaged(run: Run) -> None:
    answer = run.answers["cut"]
    assert answer.status == "ready", (answer.error_reason, run.invocation.logs[-3000:])
    assert answer.cut_short is True
    # 60% of a 3 s file: what came before the cut, not the whole and not nothing.
    assert 0.5 <= answer.duration_seconds < 3.0
    assert abs(answer.cut_at_seconds - answer.duration_seconds) <= 0.5
    assert answer.media_key.endswith("answer.mp4")


def test_a_rejected_upload_fails_and_its_webhook_is_queued(run: Run) -> None:
    answer = run.answers["rejected"]
    assert answer.status == "failed"
    assert answer.error_reason == "not_media"
    assert answer.error_message  # the candidate is told why
    failed = {
        hook["payload"]["data"]["question_id"]: hook["payload"]
        for hook in run.webhooks
        if hook["payload"]["event"] == "answer.failed"
    }
    # Only unusable uploads are reported: the salvaged one became an answer.
    assert set(failed) == {answer.question_id, run.answers["after_submit"].question_id}
    data = failed[answer.question_id]["data"]
    assert data["reason"] == "not_media"
    assert (data["invitation_id"], data["attempt"]) == (answer.invitation_id, answer.attempt)


def test_a_failure_after_submit_reopens_that_question(run: Run) -> None:
    answer = run.answers["after_submit"]
    assert (answer.status, answer.error_reason) == ("failed", "not_media")
    invitation = run.submitted
    assert invitation.status == "started"
    assert set(invitation.reopened_questions) == {answer.question_id}
    assert invitation.rerecord_notice_due  # the sweep emails the candidate their link
