"""`make dev`'s stack, as a developer meets it: one origin, real Cognito tokens, a real outbox."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from chalicelib.data.media_layout import AttemptLocation
from tests.drivers.a11y import assert_accessible, screenshot
from tests.drivers.local_stack import (
    ROOT,
    RunningStack,
    call,
    candidate_call,
    free_port,
    invite,
    moto_client,
    start_stack,
    stop_stack,
    upload_answer,
    wait_for,
)

pytestmark = pytest.mark.e2e


def test_the_api_and_the_sites_share_one_origin(local_stack: RunningStack) -> None:
    assert call(local_stack, "GET", "/api/health") == (200, {"status": "ok"})
    with urllib.request.urlopen(f"{local_stack.url}/") as reply:  # noqa: S310 - follows to /console/
        assert reply.url.endswith("/console/")
        assert "Sign in" in reply.read().decode()
    with urllib.request.urlopen(f"{local_stack.url}/shared/api.js") as reply:  # noqa: S310
        assert reply.headers["Content-Type"].startswith("text/javascript")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{local_stack.url}/../pyproject.toml")  # noqa: S310
    assert missing.value.code == 404


def test_sign_up_sign_in_and_call_the_api_with_the_local_cognitos_token(
    local_stack: RunningStack,
) -> None:
    # GIVEN a company signs up over HTTP
    status, signed_up = call(
        local_stack,
        "POST",
        "/api/auth/signup",
        {
            "company_name": "Smoke Test Ltd",
            "name": "Sid Smoke",
            "email": "sid@smoke.example.com",
            "password": "smoke-test-password",
        },
    )
    assert status == 200, signed_up
    # WHEN its admin signs in again and calls an authenticated route
    status, tokens = call(
        local_stack,
        "POST",
        "/api/auth/signin",
        {"email": "sid@smoke.example.com", "password": "smoke-test-password"},
    )
    assert status == 200
    status, me = call(local_stack, "GET", "/api/me", token=tokens["id_token"])
    # THEN the token from the local Cognito is accepted and names the company
    assert status == 200
    assert me["company"]["name"] == "Smoke Test Ltd"
    assert me["recruiter"]["role"] == "admin"
    # AND a tampered token is refused
    header, payload, signature = tokens["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "==="))
    claims["cognito:groups"] = ["admin", "superuser"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    status, refused = call(local_stack, "GET", "/api/me", token=f"{header}.{forged}.{signature}")
    assert status == 401
    assert refused["error"] == "unauthenticated"
    assert call(local_stack, "GET", "/api/me")[0] == 401


def test_a_reviewer_is_refused_admin_routes_with_403(local_stack: RunningStack) -> None:
    # GIVEN a reviewer added to the demo company through the local Cognito
    cognito = moto_client(local_stack, "cognito-idp")
    pool = local_stack.state["settings"]["COGNITO_USER_POOL_ID"]
    email = "rey@example.com"
    company_id = local_stack.state["company_id"]
    user = cognito.admin_create_user(
        UserPoolId=pool,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "custom:company_id", "Value": company_id}],
    )["User"]
    # ...and on the team, as `POST /team` records them (access lasts while they are on it)
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    moto_client(local_stack, "dynamodb").put_item(
        TableName=local_stack.state["settings"]["TABLE_NAME"],
        Item={
            "pk": {"S": f"C#{company_id}"},
            "sk": {"S": f"RECRUITER#{sub}"},
            "kind": {"S": "Recruiter"},
            "created_at": {"S": "2026-01-01T00:00:00.000000+0000"},
            "company_id": {"S": company_id},
            "user_id": {"S": sub},
            "email": {"S": email},
            "name": {"S": "Rey Reviewer"},
            "role": {"S": "reviewer"},
        },
    )
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=email, Password="reviewer-password", Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="reviewer")
    status, tokens = call(
        local_stack, "POST", "/api/auth/signin", {"email": email, "password": "reviewer-password"}
    )
    assert status == 200
    # WHEN they call an admin route THEN 403, and the demo admin still can
    status, body = call(local_stack, "GET", "/api/team", token=tokens["id_token"])
    assert status == 403
    assert body["message"] == "Only a company admin can do this."
    _, admin = call(
        local_stack,
        "POST",
        "/api/auth/signin",
        {"email": local_stack.state["email"], "password": local_stack.state["password"]},
    )
    assert call(local_stack, "GET", "/api/team", token=admin["id_token"])[0] == 200


def test_the_seeded_invitation_email_is_in_the_outbox_and_its_link_opens(
    local_stack: RunningStack,
) -> None:
    with urllib.request.urlopen(f"{local_stack.url}/dev/outbox.json") as reply:  # noqa: S310
        outbox = json.load(reply)
    [invite] = [m for m in outbox if m["to"] == ["sam@example.com"]]
    assert local_stack.state["candidate_link"] in invite["links"]
    token = local_stack.state["candidate_link"].split("#token=")[1]
    request = urllib.request.Request(  # noqa: S310
        f"{local_stack.url}/api/candidate/session", headers={"X-Invitation-Token": token}
    )
    with urllib.request.urlopen(request) as reply:  # noqa: S310
        assert json.load(reply)["invitation"]["candidate_name"] == "Sam Candidate"


def test_uploads_reach_the_worker_and_the_sweep_runs_on_its_timer(
    local_stack: RunningStack,
) -> None:
    # GIVEN an attempt's manifest lands under raw/ in the local bucket
    s3 = moto_client(local_stack, "s3")
    key = AttemptLocation("c", "i", "v", "q 1", 1).manifest_key
    s3.put_object(Bucket=local_stack.state["settings"]["MEDIA_BUCKET"], Key=key, Body=b"chunk")
    # THEN the S3 → SQS → poller path hands it to the worker's handler, key decoded
    assert wait_for(lambda: f'"key":"{key}"' in local_stack.output()), local_stack.output()
    # AND the reminder sweep fires on its timer through the Chalice handler
    assert wait_for(lambda: '"message":"reminder sweep"' in local_stack.output())


def test_an_answer_uploaded_in_chunks_turns_ready_through_the_local_worker(
    local_stack: RunningStack, tmp_path: Path
) -> None:
    from tests.drivers.media import Clip, generate

    # GIVEN a candidate with a fresh link who consents
    token = invite(local_stack, "pat.upload@example.com")
    assert candidate_call(local_stack, token, "POST", "/consent", {"accepted": True})[0] == 200
    _, session = candidate_call(local_stack, token, "GET", "/session")
    question_id = session["questions"][0]["question_id"]
    # WHEN a real recording is POSTed in chunks with the grant, and finalised
    data = generate(Clip(video="vp8", audio="opus"), tmp_path / "answer.webm").read_bytes()
    upload_answer(local_stack, token, question_id, data, parts=3)

    # THEN the S3 → SQS → worker path turns it into a ready answer
    def ready() -> bool:
        _, now = candidate_call(local_stack, token, "GET", "/session")
        return now["questions"][0]["answer"]["status"] == "ready"

    assert wait_for(ready, timeout=60), local_stack.output()[-3000:]


def test_the_console_signs_in_the_demo_admin_in_chromium(
    local_stack: RunningStack, page: Any, screenshots: Path
) -> None:
    page.goto(f"{local_stack.url}/console/")
    screenshot(page, screenshots / "console-sign-in.png", full_page=False)
    page.fill("#signin-email", local_stack.state["email"])
    page.fill("#signin-password", "not the password")
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#signin [data-error]:has-text('not right')")
    assert_accessible(page, "console sign-in with an error")
    page.fill("#signin-password", local_stack.state["password"])
    page.click("#signin button[type=submit]")
    page.wait_for_selector("#signed-in:not([hidden])")
    assert page.text_content('[data-field="company"]') == "Demo Company"
    assert page.text_content('[data-field="role"]') == "admin"
    screenshot(page, screenshots / "console-signed-in.png", full_page=False)


def test_the_dev_outbox_page_lists_sent_mail_in_chromium(
    local_stack: RunningStack, page: Any, screenshots: Path
) -> None:
    page.goto(f"{local_stack.url}/dev/outbox")
    link = page.locator(f'a[href="{local_stack.state["candidate_link"]}"]')
    assert link.count() == 1
    screenshot(page, screenshots / "dev-outbox.png", full_page=False)


def test_the_outbox_keeps_working_once_media_was_stored_in_a_multipart_upload(
    local_stack: RunningStack,
) -> None:
    """The worker stores every answer of more than a few megabytes in parts; moto's own state
    dump fails from then on, so the outbox must not depend on it."""
    s3 = moto_client(local_stack, "s3")
    bucket = local_stack.state["settings"]["MEDIA_BUCKET"]
    key = "media/outbox-check/answer.mp4"
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key)
    part = s3.upload_part(
        Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=b"\0" * 1024
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key=key,
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    try:
        invite(local_stack, "olga.outbox@example.com")
        with urllib.request.urlopen(f"{local_stack.url}/dev/outbox.json") as reply:  # noqa: S310
            outbox = json.load(reply)
        assert [m["to"] for m in outbox if m["to"] == ["olga.outbox@example.com"]] == [
            ["olga.outbox@example.com"]
        ]
    finally:
        s3.delete_object(Bucket=bucket, Key=key)


def test_a_candidate_applies_through_the_public_link_in_chromium(
    local_stack: RunningStack, page: Any, screenshots: Path
) -> None:
    page.goto(local_stack.state["apply_link"])
    page.wait_for_selector("#apply:not([hidden])")
    assert page.text_content("#title") == "Customer Support Specialist"
    page.fill("#apply-name", "<b>Ada</b> Applicant")
    page.fill("#apply-email", "not an email")
    page.click("#apply button[type=submit]")
    page.wait_for_selector("#apply [data-error]:has-text('email')")
    assert_accessible(page, "apply form with an error")
    page.fill("#apply-email", "ada.applicant@example.com")
    page.click("#apply button[type=submit]")
    page.wait_for_selector("#status:has-text('Check your email')")
    screenshot(page, screenshots / "apply-sent.png", full_page=False)
    with urllib.request.urlopen(f"{local_stack.url}/dev/outbox.json") as reply:  # noqa: S310
        outbox = json.load(reply)
    [invite] = [m for m in outbox if m["to"] == ["ada.applicant@example.com"]]
    assert "&lt;b&gt;Ada&lt;/b&gt; Applicant" in invite["text"]
    assert any("/candidate/#token=" in link for link in invite["links"])


def test_a_candidate_downloads_their_data_and_asks_for_deletion_in_chromium(
    local_stack: RunningStack, page: Any, screenshots: Path
) -> None:
    token = invite(local_stack, "pia.privacy@example.com")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{local_stack.url}/candidate/#token={token}&view=privacy")
    page.click("[data-action=download-data]")
    link = page.wait_for_selector("[data-download=ready]")
    assert_accessible(page, "candidate privacy page, download ready")
    href = link.get_attribute("href")
    data = page.evaluate("(url) => fetch(url).then((r) => r.json())", href)
    assert data["candidate"]["email"] == "pia.privacy@example.com"
    page.click("[data-action=request-deletion]")
    page.wait_for_selector("[data-view=privacy] [role=status]:has-text('will be deleted by')")
    screenshot(page, screenshots / "candidate-privacy.png", full_page=False)


def test_a_busy_port_is_named_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    # GIVEN a running stack
    port, moto_port = free_port(), free_port()
    stack = start_stack(tmp_path, port, moto_port)
    # WHEN a second one asks for the same port
    second = subprocess.run(
        [sys.executable, "-m", "infra.local", "--port", str(port), "--moto-port", str(free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # THEN it says which port is busy and how to choose another
    assert second.returncode == 2
    assert f"port {port} on 127.0.0.1 (site and API) is already in use" in second.stderr
    assert "--port or ONEWAY_PORT" in second.stderr
    # AND Ctrl-C stops the first cleanly and frees both ports
    assert stop_stack(stack) == 0
    assert "Stopped." in stack.output()
    for number in (port, moto_port):
        with socket.socket() as probe:
            # Listening sockets are gone; connections may linger in TIME_WAIT, which a
            # server (SO_REUSEADDR) may bind over.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", number))
            probe.listen()
