"""Webhooks cannot reach inside: public https targets only, checked again at delivery.

Also: redirects are not followed, the delivery log says no more than a coarse outcome, and
the signing secret is stored sealed with KMS, shown once at creation and at rotation.
"""

from __future__ import annotations

import base64
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.config import reset_settings
from chalicelib.domain import webhooks
from tests.drivers.api import Http, Team, sign_up
from tests.drivers.webhooks import Receiver, drain

REFUSED = (
    "http://hooks.example.com/oneway",
    "https://127.0.0.1/hooks",
    "https://localhost/hooks",
    "https://localhost./hooks",
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/hooks",
    "https://172.16.5.4/hooks",
    "https://192.168.1.1/hooks",
    "https://100.64.0.1/hooks",
    "https://0.0.0.0/hooks",
    "https://224.0.0.1/hooks",
    "https://255.255.255.255/hooks",
    "https://[::1]/hooks",
    "https://[::]/hooks",
    "https://[fe80::1]/hooks",
    "https://[fc00::1]/hooks",
    "https://[ff02::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://[::ffff:a9fe:a9fe]/hooks",
    "https://2130706433/hooks",
    "https://0x7f.1/hooks",
    "https://0177.0.0.1/hooks",
    "https://127.1/hooks",
    "https://admin:pw@93.184.216.34/hooks",
)


def _allow_private(monkeypatch: pytest.MonkeyPatch, allowed: bool) -> None:
    if allowed:
        monkeypatch.setenv("ONEWAY_WEBHOOK_ALLOW_PRIVATE", "1")
    else:
        monkeypatch.delenv("ONEWAY_WEBHOOK_ALLOW_PRIVATE", raising=False)
    reset_settings()


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhooks, "BACKOFF_SECONDS", (0, 0, 0, 0))


@pytest.mark.parametrize("url", REFUSED)
def test_registration_refuses_anything_but_https_to_a_public_host(
    http: Http, admin: dict, url: str
) -> None:
    token = admin["tokens"]["id_token"]
    status, body = http.call(
        "POST", "/webhooks", {"url": url, "events": ["invitation.created"]}, token=token
    )
    assert status == 422, (url, body)
    assert body["error"] == "invalid_input"
    assert body["details"][0]["field"] == "url"
    assert http.call("GET", "/webhooks", token=token)[1] == {"webhooks": []}


def test_a_public_https_endpoint_is_taken_and_its_secret_is_stored_sealed(
    http: Http, admin: dict, aws: dict[str, str]
) -> None:
    token = admin["tokens"]["id_token"]
    hook = _register(http, token, "https://93.184.216.34/hooks")
    secret = hook["secret"]
    assert secret.startswith("whsec_")
    # The table holds no trace of the secret itself
    items = client("dynamodb").scan(TableName=aws["TABLE_NAME"])["Items"]
    (stored,) = [i for i in items if i.get("kind", {}).get("S") == "Webhook"]
    assert secret not in repr(stored)
    assert "secret" not in stored
    # ...only a KMS ciphertext, bound to this company's endpoint
    sealed = base64.b64decode(stored["sealed_secret"]["S"])
    context = {
        "purpose": "webhook-secret",
        "company_id": admin["company"]["company_id"],
        "webhook_id": hook["webhook_id"],
    }
    opened = client("kms").decrypt(CiphertextBlob=sealed, EncryptionContext=context)
    assert opened["Plaintext"].decode() == secret
    with pytest.raises(client("kms").exceptions.InvalidCiphertextException):
        client("kms").decrypt(
            CiphertextBlob=sealed, EncryptionContext={**context, "company_id": "another"}
        )
    # AND it is never listed
    assert "secret" not in http.call("GET", "/webhooks", token=token)[1]["webhooks"][0]


def _register(http: Http, token: str, url: str) -> dict:
    """An endpoint for `invitation.created`, registered (201) by `token`."""
    status, hook = http.call(
        "POST", "/webhooks", {"url": url, "events": ["invitation.created"]}, token=token
    )
    assert status == 201, hook
    return hook


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


def test_delivery_checks_the_address_again_and_never_connects_to_a_private_one(
    api: Any,
    aws: dict[str, str],
    http: Http,
    *,
    admin: dict,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN an endpoint on loopback, registered while loopback was allowed
    _allow_private(monkeypatch, True)
    team = Team(http, admin)
    _register(http, team.admin, receiver.url)
    # WHEN it is no longer allowed and an event is delivered
    _allow_private(monkeypatch, False)
    team.invite("Sam")
    outcomes = drain(api, aws)
    # THEN nothing reached the receiver, and the log says why, coarsely
    assert outcomes == ["retry"] * webhooks.MAX_ATTEMPTS
    assert receiver.received == []
    (delivery,) = http.call("GET", "/webhooks/deliveries", token=team.admin)[1]["deliveries"]
    assert (delivery["status"], delivery["last_error"]) == ("failed", "address not allowed")
    assert delivery["last_status_code"] is None


def test_a_name_that_rebinds_to_loopback_at_delivery_is_not_contacted(
    api: Any,
    aws: dict[str, str],
    http: Http,
    *,
    admin: dict,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a name that is public when registered and loopback afterwards (DNS rebinding)
    real = socket.getaddrinfo
    answers = ["93.184.216.34"]
    port = receiver.server.server_port

    def rebinding(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "rebind.example.com":
            return real(host, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[0], port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    team = Team(http, admin)
    url = f"https://rebind.example.com:{port}/hooks"
    _register(http, team.admin, url)
    # WHEN the name now points at the loopback receiver and an event is delivered
    answers[0] = "127.0.0.1"
    team.invite("Sam")
    drain(api, aws)
    # THEN delivery resolved again, refused the address, and never connected to it
    assert receiver.received == []
    (delivery,) = http.call("GET", "/webhooks/deliveries", token=team.admin)[1]["deliveries"]
    assert delivery["last_error"] == "address not allowed"


class Redirecting:
    """An endpoint answering every POST with a redirect to a second, recording endpoint."""

    def __init__(self, status: int) -> None:
        self.followed: list[str] = []
        self.posts = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/elsewhere":
                    outer.followed.append("POST")
                else:
                    outer.posts += 1
                self.send_response(status)
                self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                outer.followed.append("GET")
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_is_a_failed_delivery_not_a_request_to_its_location(
    api: Any,
    aws: dict[str, str],
    http: Http,
    *,
    admin: dict,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
) -> None:
    _allow_private(monkeypatch, True)
    redirecting = Redirecting(status)
    team = Team(http, admin)
    _register(http, team.admin, redirecting.url)
    team.invite("Sam")
    outcomes = drain(api, aws)
    redirecting.server.shutdown()
    assert outcomes == ["retry"] * webhooks.MAX_ATTEMPTS
    assert redirecting.posts == webhooks.MAX_ATTEMPTS
    assert redirecting.followed == []
    (delivery,) = http.call("GET", "/webhooks/deliveries", token=team.admin)[1]["deliveries"]
    assert delivery["status"] == "failed"
    assert delivery["last_status_code"] == status
    assert delivery["last_error"] == f"HTTP {status} (redirects are not followed)"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_delivery_log_tells_nothing_about_what_answers_where(
    api: Any, aws: dict[str, str], http: Http, admin: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN an endpoint on a port where nothing listens
    _allow_private(monkeypatch, True)
    team = Team(http, admin)
    url = f"http://127.0.0.1:{_closed_port()}/hooks"
    _register(http, team.admin, url)
    team.invite("Sam")
    drain(api, aws)
    # THEN the log says only that the connection failed: no errno, no system text
    (delivery,) = http.call("GET", "/webhooks/deliveries", token=team.admin)[1]["deliveries"]
    assert delivery["last_error"] == "connection failed"
    assert delivery["last_status_code"] is None


def test_rotating_a_secret_shows_the_new_one_once_and_only_it_signs(
    api: Any,
    aws: dict[str, str],
    http: Http,
    *,
    admin: dict,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _allow_private(monkeypatch, True)
    team = Team(http, admin)
    hook = _register(http, team.admin, receiver.url)
    path = f"/webhooks/{hook['webhook_id']}/rotate-secret"
    # Only the company's admins may rotate it
    assert http.call("POST", path, token=team.reviewer)[0] == 403
    other = sign_up(http, email="oz@other.example.com", company="Other")["tokens"]["id_token"]
    assert http.call("POST", path, token=other)[0] == 404
    status, rotated = http.call("POST", path, token=team.admin)
    assert status == 200, rotated
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != hook["secret"]
    assert "secret" not in http.call("GET", "/webhooks", token=team.admin)[1]["webhooks"][0]
    # AND the next delivery is signed with the new secret, not the old one
    team.invite("Sam")
    assert drain(api, aws) == ["delivered"]
    (request,) = receiver.received
    signature = request["headers"][webhooks.SIGNATURE_HEADER]
    assert webhooks.verify(rotated["secret"], signature, request["body"])
    assert not webhooks.verify(hook["secret"], signature, request["body"])


def test_an_endpoint_stored_before_sealing_keeps_working_and_is_sealed_on_use(
    api: Any,
    aws: dict[str, str],
    http: Http,
    *,
    admin: dict,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.data.models import Webhook

    _allow_private(monkeypatch, True)
    team = Team(http, admin)
    # An endpoint as older versions stored it: its secret in plain text
    Webhook(
        *Webhook.key(team.company_id, "OLDHOOK"),
        company_id=team.company_id,
        webhook_id="OLDHOOK",
        url=receiver.url,
        secret="whsec_plain_old_secret",
        events={"invitation.created"},
    ).save()
    team.invite("Sam")
    assert drain(api, aws) == ["delivered"]
    (request,) = receiver.received
    signature = request["headers"][webhooks.SIGNATURE_HEADER]
    assert webhooks.verify("whsec_plain_old_secret", signature, request["body"])
    stored = Webhook.get(*Webhook.key(team.company_id, "OLDHOOK"))
    assert stored.secret is None
    assert stored.sealed_secret


def _self_signed(directory: Any, name: str) -> tuple[str, str]:
    """A certificate for `name` signed by itself, and its key, as PEM files."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@pytest.mark.parametrize("trusted", [True, False])
def test_https_delivery_connects_to_the_checked_address_and_verifies_the_name(
    api: Any,
    aws: dict[str, str],
    http: Http,
    *,
    admin: dict,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    trusted: bool,
) -> None:
    import ssl

    # GIVEN an https receiver for hooks.test on loopback, its certificate trusted or not
    cert, key = _self_signed(tmp_path, "hooks.test")
    receiver = Receiver()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", cert)
    real = socket.getaddrinfo

    def hooks_test(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        if host == "hooks.test":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hooks_test)
    _allow_private(monkeypatch, True)
    team = Team(http, admin)
    url = f"https://hooks.test:{receiver.server.server_port}/hooks"
    _register(http, team.admin, url)
    # WHEN an event is delivered
    team.invite("Sam")
    outcomes = drain(api, aws)
    receiver.server.shutdown()
    (delivery,) = http.call("GET", "/webhooks/deliveries", token=team.admin)[1]["deliveries"]
    if trusted:
        # THEN it arrived over TLS at the address checked, with the name's certificate
        assert outcomes == ["delivered"]
        assert receiver.events() == ["invitation.created"]
        assert delivery["status"] == "delivered"
    else:
        # THEN a certificate that does not verify is a failed delivery, said coarsely
        assert receiver.received == []
        assert delivery["last_error"] == "TLS handshake failed"
