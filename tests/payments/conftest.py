"""Fixtures for payments: our OWN localstripe process and a recorder for the webhooks it sends.

- `localstripe_url` (session): starts localstripe on a free port, separate from the shared one on
  8420, so these tests never reset or read other engineers' data. It is the real localstripe server;
  the only change is that it does not persist its store to /tmp/localstripe.pickle, a file the shared
  process also writes (see tests/payments/localstripe_server.py).
- `stripe_webhooks` (session): a tiny threaded HTTP server registered with that localstripe as a signed
  webhook target. It only records what localstripe POSTs (raw body + Stripe-Signature); the test then
  hands those exact bytes to POST /v1/stripe/webhook with the Django test client, in its own thread and
  transaction. That keeps tests on the fast `db` fixture; the concurrency test uses `transactional_db`.
- Tests marked `@pytest.mark.stripe` get STRIPE_API_BASE / STRIPE_WEBHOOK_SECRET pointed at these and
  the licence plans synced into Stripe with `manage.py stripe_sync_plans`.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

WEBHOOK_SECRET = "whsec_tm_payments_tests"
API_KEY = "sk_test_tm_payments"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    req = urllib.request.Request(url + "/v1/customers?limit=1", headers={"Authorization": f"Bearer {API_KEY}"})
    try:
        with urllib.request.urlopen(req, timeout=1) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    with run_localstripe(tmp_path_factory.mktemp("localstripe") / "localstripe.log") as url:
        yield url


@contextmanager
def run_localstripe(log: Path):
    """A fresh localstripe (empty store) on a free port, stopped on exit; yields its URL."""
    port = _free_port()
    server = Path(__file__).with_name("localstripe_server.py")
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, str(server), "--from-scratch", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if _answers(url):
                break
            if proc.poll() is not None:
                raise RuntimeError(f"localstripe exited: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        else:
            raise RuntimeError(f"localstripe did not start on {url}: {log.read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Delivery:
    body: bytes
    signature: str
    event: dict

    @property
    def type(self) -> str:
        return self.event["type"]

    @property
    def object_id(self) -> str:
        return self.event["data"]["object"].get("id") or ""


@dataclass
class WebhookRecorder:
    deliveries: list[Delivery] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def add(self, delivery: Delivery) -> None:
        with self.cond:
            self.deliveries.append(delivery)
            self.cond.notify_all()

    def wait_for(self, type_: str, object_id: str, *, timeout: float = 15) -> Delivery:
        """The first delivery of `type_` about `object_id` (localstripe sends each about 1 s after the fact)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for d in self.deliveries:
                    if d.type == type_ and d.object_id == object_id:
                        return d
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(d.type, d.object_id) for d in self.deliveries[-10:]]
                    raise AssertionError(f"no {type_} webhook for {object_id} within {timeout}s; last seen {seen}")
                self.cond.wait(left)

    def about(self, object_id: str) -> list[Delivery]:
        with self.cond:
            return [d for d in self.deliveries if d.object_id == object_id]


@pytest.fixture(scope="session")
def stripe_webhooks(localstripe_url):
    recorder = WebhookRecorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            recorder.add(Delivery(body=body, signature=self.headers.get("Stripe-Signature", ""),
                                  event=json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    target = f"http://127.0.0.1:{httpd.server_address[1]}/"
    body = urllib.parse.urlencode({"url": target, "secret": WEBHOOK_SECRET}).encode()
    urllib.request.urlopen(f"{localstripe_url}/_config/webhooks/tm_payments_tests", data=body, timeout=5).close()
    yield recorder
    httpd.shutdown()
    httpd.server_close()


_synced: set[str] = set()


@pytest.fixture(autouse=True)
def _stripe_settings(request, settings):
    """For @pytest.mark.stripe tests: our localstripe, our webhook secret, the plans synced once."""
    if request.node.get_closest_marker("stripe") is None:
        return
    url = request.getfixturevalue("localstripe_url")
    request.getfixturevalue("stripe_webhooks")
    settings.STRIPE_API_BASE = url
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    if url not in _synced:
        call_command("stripe_sync_plans", stdout=open(os.devnull, "w"))
        _synced.add(url)


def deliver(delivery: Delivery, client: Client | None = None):
    """Hand a recorded localstripe delivery, byte for byte, to our webhook endpoint."""
    client = client or Client()
    return client.post("/v1/stripe/webhook", data=delivery.body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=delivery.signature)


@pytest.fixture
def webhook(django_capture_on_commit_callbacks):
    """deliver(d) that also runs the on-commit task (eager Celery), as a real commit would."""

    def _deliver(delivery: Delivery):
        with django_capture_on_commit_callbacks(execute=True):
            return deliver(delivery)

    return _deliver
