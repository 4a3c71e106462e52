"""Integration tests: the Chalice app and the worker handler against moto in-process.

moto starts before any client is created; each test gets freshly provisioned resources
(the same `infra.local.provisioning` code the local stack uses) and its own settings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from moto import mock_aws
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT_ID
from moto.utilities.utils import load_resource

from chalicelib.adapters.aws import client, reset_clients
from chalicelib.config import reset_settings
from chalicelib.domain.auth import reset_jwks_cache
from infra.local import provisioning
from tests.drivers.api import Http, sign_up

SENDER = "interviews@example.com"


@pytest.fixture(scope="session")
def jwks_url() -> Iterator[str]:
    """moto's Cognito public keys, served over real HTTP as Cognito serves its JWKS."""
    keys = json.dumps(load_resource("cognitoidp/resources/jwks-public.json")).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(keys)))
            self.end_headers()
            self.wfile.write(keys)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/pool/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture(scope="session")
def _deployment(jwks_url: str) -> Iterator[dict[str, str]]:
    """One moto deployment for the session, provisioned once by the local stack's code."""
    with mock_aws():
        reset_clients()
        yield provisioning.provision_all(
            provisioning.Names(prefix="test"), "http://127.0.0.1:8000", SENDER, jwks_url
        )
        reset_clients()


def _empty(settings: dict[str, str]) -> None:
    """Give the next test an empty deployment: no items, users, objects, messages or mail."""
    from chalicelib.data.models import Item

    if Item.exists():
        Item.delete_table()
    provisioning.create_table()
    cognito = client("cognito-idp")
    pool = settings["COGNITO_USER_POOL_ID"]
    for user in cognito.list_users(UserPoolId=pool)["Users"]:
        cognito.admin_delete_user(UserPoolId=pool, Username=user["Username"])
    s3 = client("s3")
    for item in s3.list_objects_v2(Bucket=settings["MEDIA_BUCKET"]).get("Contents", []):
        s3.delete_object(Bucket=settings["MEDIA_BUCKET"], Key=item["Key"])
    sqs = client("sqs")
    queues = [settings["UPLOADS_QUEUE_URL"], settings["UPLOADS_DLQ_URL"]]
    queues += [settings["WEBHOOKS_QUEUE_URL"], settings["WEBHOOKS_DLQ_URL"]]
    queues += [settings["JOBS_QUEUE_URL"], settings["JOBS_DLQ_URL"]]
    for queue in queues:
        # SQS allows one purge a minute; receiving and deleting has no such limit.
        while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in batch:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    get_backend("ses")[ACCOUNT_ID]["us-east-1"].sent_messages.clear()


@pytest.fixture
def aws(_deployment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """An empty, provisioned deployment on moto; yields its settings as environment variables."""
    for key, value in _deployment.items():
        monkeypatch.setenv(key, value)
    reset_settings()
    reset_jwks_cache()
    _empty(_deployment)
    yield _deployment
    reset_settings()


@pytest.fixture
def api(aws: dict[str, str]) -> Iterator[Any]:
    """Chalice's test client: real routes, real middleware, no network."""
    from chalice.test import Client

    import app as app_module

    with Client(app_module.app, stage_name="dev") as test_client:
        yield test_client


@pytest.fixture
def http(api: Any) -> Http:
    return Http(api)


@pytest.fixture
def admin(http: Http) -> dict:
    """A freshly signed-up company and its admin's tokens."""
    return sign_up(http)
