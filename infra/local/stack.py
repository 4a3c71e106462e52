"""The local stack's lifecycle: check the ports, start moto, provision, seed, serve, stop."""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from infra.local import faults as fault_injection
from infra.local import pollers, provisioning, server
from infra.local.seed import seed_demo

SENDER = "interviews@example.com"
#: How long stopping waits, in all, for the stack's loops to finish what they are doing.
STOP_SECONDS = 8.0


class PortBusy(SystemExit):
    pass


def ensure_free(host: str, port: int, what: str, flag: str) -> None:
    """Fail early, in words, when a port is taken (a second `make dev`, say)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: a port left in TIME_WAIT by a stack just stopped is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                print(
                    f"error: port {port} on {host} ({what}) is already in use. Stop whatever "
                    f"holds it (another `make dev`?) or pick another port with {flag}.",
                    file=sys.stderr,
                )
                raise PortBusy(2) from None
            raise


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 5005
    sweep_seconds: float = 60.0
    retry_seconds: int = 5
    verbose: bool = False
    # bench/faults.py: worker processes it kills, upload messages it repeats.
    faults: fault_injection.FaultOptions | None = None
    settings: dict[str, str] = field(default_factory=dict)
    demo: dict[str, str] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)
    worker_batches: int = 0
    sweeps: int = 0

    @property
    def serial(self) -> bool:
        """API requests one at a time, DynamoDB requests one at a time, as in AWS.

        Chalice's app holds one request at a time and moto's DynamoDB has no isolation, so
        without this a browser's parallel requests could read each other's headers or erase
        each other's writes (`server.make_handler`, `provisioning.serial_dynamodb`). On unless
        `ONEWAY_SERIAL=0`, which only a measurement of the unserialised stack wants.
        """
        return self.faults is not None or os.environ.get("ONEWAY_SERIAL", "1") != "0"

    @property
    def site_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    def start(self) -> None:
        ensure_free(self.host, self.port, "site and API", "--port or ONEWAY_PORT")
        ensure_free(self.host, self.moto_port, "local AWS", "--moto-port or ONEWAY_MOTO_PORT")
        self._moto = provisioning.start_moto(self.host, self.moto_port, serial=self.serial)
        self._provision()
        self.demo = seed_demo()
        self._serve()

    def _provision(self) -> None:
        from chalicelib.adapters.aws import reset_clients
        from chalicelib.config import reset_settings

        reset_clients()
        self.settings = {
            "STAGE": "local",
            # Redeliveries come after `retry_seconds`, not the queue's visibility timeout: the
            # worker's lease on an answer is as short, so a killed worker's job is taken over.
            "WORKER_LEASE_SECONDS": str(self.retry_seconds),
            # A developer's webhook receiver listens on this machine (http, loopback).
            "ONEWAY_WEBHOOK_ALLOW_PRIVATE": "1",
            # moto signs like Cognito (the AWS issuer) but serves the keys itself.
            **provisioning.provision_all(
                provisioning.Names(),
                self.site_url,
                SENDER,
                jwks_url=f"{self.moto_url}/{{pool_id}}/.well-known/jwks.json",
            ),
        }
        os.environ.update(self.settings)
        reset_settings()

    def _serve(self) -> None:
        self._httpd = ThreadingHTTPServer((self.host, self.port), server.make_handler(self))
        self._httpd.daemon_threads = True
        loops = {
            "uploads": fault_injection.poll_uploads if self.faults else pollers.poll_uploads,
            "sweeps": pollers.run_sweeps,
            "webhooks": pollers.poll_webhooks,
            "jobs": pollers.poll_jobs,
        }
        self._threads = [
            threading.Thread(target=self._httpd.serve_forever, name="site", daemon=True),
            *(
                threading.Thread(target=loop, args=(self,), name=name, daemon=True)
                for name, loop in loops.items()
            ),
        ]
        for thread in self._threads:
            thread.start()

    def outbox(self) -> list[dict[str, Any]]:
        """Sent email as moto recorded it, with the links found in each message."""
        return server.sent_mail(provisioning.REGION)

    def stop(self) -> None:
        self.stopping.set()
        if hasattr(self, "_httpd"):
            self._httpd.shutdown()
            self._httpd.server_close()
        # One deadline for all: a loop caught mid-work (a long transcode, a poll) is a daemon
        # thread and ends with the process; stopping never waits on each in turn.
        deadline = time.monotonic() + STOP_SECONDS
        for thread in getattr(self, "_threads", []):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if hasattr(self, "_moto"):
            self._moto.stop()

    def banner(self) -> str:
        return "\n".join(
            [
                "",
                "oneway is running locally (no AWS account involved).",
                f"  Recruiter console  {self.site_url}/console/",
                f"  Demo login         {self.demo['email']} / {self.demo['password']}",
                f"  Candidate link     {self.demo['candidate_link']}",
                f"  Public apply link  {self.demo['apply_link']}",
                f"  Sent email         {self.site_url}/dev/outbox",
                f"  API                {self.site_url}{server.API_PREFIX}/health",
                f"  Local AWS (moto)   {self.moto_url}",
                "Press Ctrl-C to stop.",
                "",
            ]
        )
