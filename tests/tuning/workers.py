"""Real Celery worker processes for the worker and fault tests (PostgreSQL + Redis only).

    celery -A config worker -Q training,default --concurrency N --pool prefork -B

with DATABASE_URL pointing at pytest-django's test database (test_<name>), the same Redis broker
as the test process, CELERY_TASK_ALWAYS_EAGER=0, and tests/tuning/worker_settings.py (the test
settings plus short leases and fault injection).
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
CELERY = REPO / ".venv" / "bin" / "celery"


def requires_real_services():
    """Skip unless the suite runs on PostgreSQL with a Redis broker (not the embedded default)."""
    from config.celery import app

    if connection.vendor != "postgresql" or not str(app.conf.broker_url or "").startswith("redis"):
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)")


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    def __init__(self, tmp_path: Path, *, concurrency: int = 1, env: dict[str, str] | None = None):
        from config.celery import app

        self.dir = tmp_path / f"worker-{uuid.uuid4().hex[:8]}"
        self.dir.mkdir(parents=True)
        self.log = self.dir / "worker.log"
        self.concurrency = concurrency
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.tuning.worker_settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": str(app.conf.broker_url),
            "REDIS_URL": os.environ.get("REDIS_URL", str(app.conf.broker_url)),
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "TUNEMARKET_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Worker:
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [str(CELERY), "-A", "config", "worker", "-Q", "training,default", "--concurrency", str(self.concurrency),
             "--pool", "prefork", "-B", "-s", str(self.dir / "beat-schedule"), "--loglevel", "INFO",
             "-n", f"tm-test-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.tail()}")
            if " ready." in self.log.read_text(errors="replace"):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout}s:\n{self.tail()}")

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:] if self.log.exists() else ""

    def kill_all(self) -> None:
        """SIGKILL the whole worker: the main process, its pool children and beat."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            # The tests have read what they need; nothing is left to finish or to hand back.
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def wait_for(predicate, *, timeout: float, interval: float = 0.2, worker: Worker | None = None, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}\n" + (worker.tail() if worker else ""))
