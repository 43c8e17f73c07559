"""Load-and-fault bench: many customers at once against a real server and real workers, with a worker
SIGKILLed twice and Stripe's webhooks duplicated, reordered and replayed; then the invariants, from the
database and from Stripe (localstripe).

    .venv/bin/python bench/load_fault/run.py --customers 50            # about 10 minutes on 2 cores
    .venv/bin/python bench/load_fault/run.py --customers 8 --timeout 240   # a quick check of the plumbing

Everything runs on 127.0.0.1: PostgreSQL (database tm_loadfault, dropped and re-created every run), Redis
DB 7 (flushed every run), the bench's own localstripe on a free port, gunicorn (gthread) on a free port,
two Celery workers (one of them is the victim) and a separate beat (the job reaper). See bench/README.md
("Load and faults") for what each customer does and what each invariant means. Exits 1 when an
invariant fails, 2 when the setup fails.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import hashlib
import hmac
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
PY = str(VENV_BIN / "python")
DB_NAME = "tm_loadfault"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/7"
WEBHOOK_SECRET = "whsec_tm_loadfault"
STRIPE_KEY = "sk_test_tm_loadfault"
PASSWORD = "load-fault-bench-2026"
PROVIDERS = ["wattle@providers.test", "chalk@providers.test", "meridian@providers.test"]
DEMO_PASSWORD = "tunemarket-demo-2026"
FINAL = {"succeeded", "blocked", "failed", "cancelled", "rejected"}
WAITING_ON_A_PERSON = {"pending_provider", "pending_release_review"}
T0 = time.monotonic()


def say(msg: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f}s] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- what the clients saw ------------------------------------------------------------------------
class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.codes: collections.Counter = collections.Counter()
        self.by_route: collections.Counter = collections.Counter()
        self.server_errors: list[str] = []
        self.transport_errors: list[str] = []
        self.notes: collections.Counter = collections.Counter()

    def record(self, method: str, path: str, status: int, body: str = "") -> None:
        route = re.sub(r"(ftjob|file|lic|jpay|ftevent|lst|prov|org)[-_][A-Za-z0-9]+", r"\1-ID", path.split("?")[0])
        with self.lock:
            self.codes[status] += 1
            self.by_route[(method, route, status)] += 1
            if status >= 500:
                self.server_errors.append(f"{method} {path} -> {status}: {body[:300]}")

    def note(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.notes[what] += n


STATS = Stats()


class Api:
    def __init__(self, base: str, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base + "/v1", headers=headers, timeout=180)

    def call(self, method: str, path: str, *, json_body=None, key: str | None = None, files=None, data=None,
             retries: int = 3) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        for attempt in range(retries + 1):
            try:
                r = self.http.request(method, path, json=json_body, headers=headers, files=files, data=data)
            except httpx.TransportError as exc:
                # A connection refused or reset is not an HTTP answer; count it and retry like a client would.
                with STATS.lock:
                    STATS.transport_errors.append(f"{method} {path}: {exc!r}")
                if attempt == retries:
                    raise
                time.sleep(1 + attempt)
                continue
            STATS.record(method, path, r.status_code, r.text if r.status_code >= 500 else "")
            return r
        raise AssertionError("unreachable")


def clicks(api: Api, method: str, path: str, n: int, *, json_body=None, key: str | None = None):
    """n identical requests at once (a user clicking n times), each on its own connection."""
    barrier = threading.Barrier(n)

    def one(_):
        c = Api.__new__(Api)
        c.http = httpx.Client(base_url=api.http.base_url, headers=dict(api.http.headers), timeout=180)
        barrier.wait(timeout=30)
        try:
            return c.call(method, path, json_body=json_body, key=key)
        finally:
            c.http.close()

    with cf.ThreadPoolExecutor(n) as ex:
        return list(ex.map(one, range(n)))


def settle_409s(api: Api, method: str, path: str, responses, *, json_body, key: str, deadline: float):
    """Repeats answered 409 (the first request was still running) are retried with the same key, as
    core/idempotency.py tells the client to; each retry must replay the first answer."""
    out = []
    deadline = max(deadline, time.monotonic() + 120)
    for r in responses:
        while r.status_code == 409 and r.json()["error"].get("code") == "idempotency_request_in_progress" \
                and time.monotonic() < deadline:
            time.sleep(0.5)
            r = api.call(method, path, json_body=json_body, key=key)
        out.append(r)
    return out


# --- Stripe's webhooks: duplicated, reordered and replayed ---------------------------------------------
def sign(body: bytes, secret: str) -> str:
    t = int(time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class WebhookRelay:
    """localstripe posts its signed events here; each is forwarded to the server after a random delay (so
    events overtake each other), half of them twice (a duplicate delivery), and all are kept for the replay."""

    def __init__(self, target: str, rng: random.Random):
        self.target, self.rng = target, rng
        self.events: list[tuple[bytes, str]] = []
        self.lock = threading.Lock()
        self.pool = cf.ThreadPoolExecutor(8)
        self.http = httpx.Client(timeout=60)
        self.pending: list[cf.Future] = []
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                relay.received(body, self.headers.get("Stripe-Signature") or "")
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def received(self, body: bytes, signature: str) -> None:
        with self.lock:
            self.events.append((body, signature))
            copies = 2 if self.rng.random() < 0.5 else 1
            delays = [self.rng.uniform(0, 3) for _ in range(copies)]
        for delay in delays:
            self.pending.append(self.pool.submit(self.deliver, body, signature, delay, "delivery"))

    def deliver(self, body: bytes, signature: str, delay: float, what: str) -> int:
        time.sleep(delay)
        for attempt in range(4):
            try:
                r = self.http.post(self.target, content=body, headers={"Stripe-Signature": signature,
                                                                        "Content-Type": "application/json"})
                break
            except httpx.TransportError:
                time.sleep(1 + attempt)
        else:
            STATS.note(f"webhook {what} not delivered")
            return 0
        STATS.record("POST", "/v1/stripe/webhook", r.status_code, r.text if r.status_code >= 500 else "")
        STATS.note(f"webhook {what} {r.status_code}")
        return r.status_code

    def replay_all(self) -> int:
        """Every event again, re-signed now (Stripe re-signs its retries too), shuffled, twice, 8 at a time."""
        with self.lock:
            events = list(self.events) * 2
        self.rng.shuffle(events)
        futures = [self.pool.submit(self.deliver, body, sign(body, WEBHOOK_SECRET), 0, "replay") for body, _ in events]
        cf.wait(futures)
        return len(events)

    def drain(self) -> None:
        cf.wait(list(self.pending))


# --- processes -----------------------------------------------------------------------------------
class Proc:
    def __init__(self, name: str, args: list[str], env: dict, logdir: Path):
        self.name, self.args, self.env, self.log = name, args, env, logdir / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, ready: str | None = None, timeout: float = 90) -> Proc:
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(self.args, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        out.close()
        if ready:
            deadline = time.monotonic() + timeout
            while ready not in self.log.read_text(errors="replace"):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.3)
        return self

    def kill(self) -> None:
        """SIGKILL the whole process group (a Celery worker's main process and its pool children)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def manage(env: dict, *args: str, until: float) -> str:
    r = subprocess.run([PY, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                       timeout=max(1.0, until - time.monotonic()))
    if r.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
    return r.stdout


def reset_database_and_redis() -> None:
    import psycopg
    import redis

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    redis.Redis.from_url(REDIS_URL).flushdb()


def db_scalar(sql: str):
    import psycopg

    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
        return conn.execute(sql).fetchone()[0]


def celery_messages() -> tuple[set[int], set[int]]:
    """Job ids named by Celery messages in Redis: (waiting in a queue, taken by a worker and not acknowledged)."""
    import ast
    import base64

    import redis

    r = redis.Redis.from_url(REDIS_URL)

    def job_of(raw) -> int | None:
        try:
            message = json.loads(raw)
            headers = message.get("headers") or {}
            kwargs = ast.literal_eval(headers.get("kwargsrepr") or "{}")
            if "job_id" in kwargs:
                return int(kwargs["job_id"])
            body = json.loads(base64.b64decode(message["body"]))
            return int(body[1].get("job_id")) if body[1].get("job_id") else None
        except (ValueError, KeyError, TypeError, SyntaxError, IndexError):
            return None

    waiting = {job_of(m) for q in ("default", "training") for m in r.lrange(q, 0, -1)}
    held = {job_of(json.dumps(json.loads(v)[0])) for v in r.hvals("unacked")}
    return waiting - {None}, held - {None}


def victim_holds_a_lease(victim: Proc) -> str:
    """The job whose lease one of the victim's processes holds (lease_owner is host:pid), or ''."""
    if not victim.proc or victim.proc.poll() is not None:
        return ""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == victim.proc.pid:  # the process group (start_new_session made it the leader)
            pids.add(stat.parent.name)
    owners = db_scalar("SELECT coalesce(json_agg(json_build_array(public_id, lease_owner)), '[]') FROM "
                       "tuning_finetuningjob WHERE status = 'running' AND lease_owner <> ''")
    for public_id, owner in owners:
        if owner.rsplit(":", 1)[-1] in pids:
            return public_id
    return ""


# --- the people ----------------------------------------------------------------------------------------
def training_data(i: int) -> bytes:
    lines = []
    for k in range(12):
        lines.append(json.dumps({"messages": [
            {"role": "user", "content": f"Customer {i}: how do I reset password number {k}?"},
            {"role": "assistant", "content": f"Open settings, choose security and reset password {k}."}]}))
    return ("\n".join(lines) + "\n").encode()


class Customer:
    def __init__(self, i: int, base: str, listings: list[dict], deadline: float, rng: random.Random):
        self.i, self.base, self.listings, self.deadline = i, base, listings, deadline
        self.rng = random.Random(rng.random())
        self.email = f"customer{i}@load.test"
        # Every fifth customer's organisation has the same name as others': a real registration pattern.
        self.org = "Acme Support" if i % 5 == 0 else f"Load Customer {i}"
        self.keyed_jobs: set[str] = set()
        self.careless_jobs: set[str] = set()
        self.licence_ids: set[str] = set()
        self.outcome = "started"

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # noqa: BLE001 - a failed customer is reported, not fatal
            self.outcome = f"error: {exc!r}"[:300]
            STATS.note("customer errors")

    def _run(self) -> None:
        anon = Api(self.base)
        reg = {"email": self.email, "password": PASSWORD, "name": f"Customer {self.i}", "role": "customer",
               "organization": self.org}
        if self.i % 4 == 0:
            # A double-click on "Create account": one account, the other click told it exists.
            codes = sorted(r.status_code for r in clicks(anon, "POST", "/auth/register", 2, json_body=reg))
            STATS.note(f"register double-click {codes}")
        else:
            r = anon.call("POST", "/auth/register", json_body=reg)
            assert r.status_code == 201, r.text
        r = anon.call("POST", "/auth/token", json_body={"email": self.email, "password": PASSWORD})
        assert r.status_code == 201, r.text
        api = Api(self.base, r.json()["token"])
        agreement = api.call("GET", "/agreements/current").json()
        assert api.call("POST", "/agreements/accept", json_body={"version": agreement["version"]}).status_code == 200

        key = f"pm-{uuid.uuid4()}"
        rs = clicks(api, "POST", "/billing/payment_methods", 2, json_body={"payment_method": "pm_card_visa"}, key=key)
        rs = settle_409s(api, "POST", "/billing/payment_methods", rs, json_body={"payment_method": "pm_card_visa"},
                         key=key, deadline=self.deadline)
        assert all(r.status_code in (200, 201) for r in rs), [r.text for r in rs]
        key = f"lic-{uuid.uuid4()}"
        rs = clicks(api, "POST", "/licenses", 3, json_body={"plan": "premium"}, key=key)
        rs = settle_409s(api, "POST", "/licenses", rs, json_body={"plan": "premium"}, key=key, deadline=self.deadline)
        assert all(r.status_code in (200, 201) for r in rs), [r.text for r in rs]
        self.licence_ids = {r.json()["id"] for r in rs}
        while True:
            current = api.call("GET", "/licenses/current")
            if current.status_code == 200 and current.json().get("status") == "active":
                break
            if time.monotonic() > self.deadline:
                self.outcome = "licence not active by the deadline"
                return
            time.sleep(1)

        r = api.call("POST", "/files", files={"file": (f"train-{self.i}.jsonl", training_data(self.i))},
                     data={"purpose": "fine-tune"})
        assert r.status_code == 200 and r.json()["status"] == "processed", r.text
        file_id = r.json()["id"]
        listing = self.listings[self.i % len(self.listings)]
        order = {"model": "SmolLM2-135M-Instruct", "training_file": file_id, "listing": listing["id"], "seed": self.i,
                 "suffix": f"load{self.i}", "hyperparameters": {"n_epochs": 1, "batch_size": 4},
                 "use_case": "Answer our customers' password questions politely and briefly."}
        # Three clicks on "Order" with one Idempotency-Key (what the order form and a careful client send).
        key = f"order-{uuid.uuid4()}"
        rs = clicks(api, "POST", "/fine_tuning/jobs", 3, json_body=order, key=key)
        rs = settle_409s(api, "POST", "/fine_tuning/jobs", rs, json_body=order, key=key, deadline=self.deadline)
        assert all(r.status_code in (200, 201) for r in rs), [r.text for r in rs]
        self.keyed_jobs = {r.json()["id"] for r in rs}
        if self.i % 10 == 3:
            # A careless client double-clicks without a key: two orders, each with its own hold. It notices
            # and cancels the extra one, whose hold must be released.
            rs = clicks(api, "POST", "/fine_tuning/jobs", 2, json_body=order)
            assert all(r.status_code in (200, 201) for r in rs), [r.text for r in rs]
            self.careless_jobs = {r.json()["id"] for r in rs}
            for job_id in self.careless_jobs:
                ck = f"cancel-{uuid.uuid4()}"
                for r in clicks(api, "POST", f"/fine_tuning/jobs/{job_id}/cancel", 2, key=ck):
                    STATS.note(f"cancel extra order {r.status_code}")
        (job_id,) = self.keyed_jobs
        while time.monotonic() < self.deadline:
            job = api.call("GET", f"/fine_tuning/jobs/{job_id}").json()
            if job["status"] in FINAL | {"pending_release_review"}:
                break
            time.sleep(2 + self.rng.random())
        else:
            self.outcome = f"job still {job['status']} at the deadline"
            return
        self.outcome = f"job {job['status']}"
        if job["status"] == "succeeded":
            key = f"accept-{uuid.uuid4()}"
            rs = clicks(api, "POST", f"/fine_tuning/jobs/{job_id}/accept", 2, key=key)
            rs = settle_409s(api, "POST", f"/fine_tuning/jobs/{job_id}/accept", rs, json_body=None, key=key,
                             deadline=self.deadline + 60)
            self.outcome += " + accepted " + ",".join(str(r.status_code) for r in rs)


def provider_loop(base: str, email: str, stop: threading.Event, decisions: collections.Counter) -> None:
    r = Api(base).call("POST", "/auth/token", json_body={"email": email, "password": DEMO_PASSWORD})
    assert r.status_code == 201, r.text
    api = Api(base, r.json()["token"])
    seen: set[str] = set()
    while not stop.is_set():
        inbox = api.call("GET", "/provider/jobs?status=pending_provider&limit=100")
        for job in inbox.json().get("data", []) if inbox.status_code == 200 else []:
            if job["id"] in seen:
                continue
            seen.add(job["id"])
            decline = int(hashlib.sha256(job["id"].encode()).hexdigest(), 16) % 10 == 0
            action = "decline" if decline else "accept"
            body = {"reason": "We are fully booked this week."} if decline else None
            key = f"{action}-{uuid.uuid4()}"
            rs = clicks(api, "POST", f"/provider/jobs/{job['id']}/{action}", 2, json_body=body, key=key)
            for r in rs:
                decisions[f"{action} {r.status_code}"] += 1
        stop.wait(1.0)


# --- the invariants ------------------------------------------------------------------------------------
def check_invariants(customers: list[Customer], relay: WebhookRelay, server_log: Path) -> list[tuple[str, bool, str]]:
    import django

    django.setup()
    import stripe
    from django.db.models import Count, Max, Sum
    from django.utils import timezone

    from evaluation.services import model_is_released
    from payments.models import JobPayment, LedgerEntry, LedgerTransaction, License, LicenseStatusChange, StripeEvent
    from tuning.models import FineTuningJob, JobEvent

    results = []
    now = timezone.now()
    jobs = list(FineTuningJob.objects.select_related("listing"))
    statuses = collections.Counter(j.status for j in jobs)
    last_event = dict(JobEvent.objects.values_list("job_id").annotate(m=Max("created_at")))
    waiting, held = celery_messages()
    stuck, in_queue = [], 0
    for j in jobs:
        if j.status in FINAL or j.status in WAITING_ON_A_PERSON:
            continue
        live_lease = j.lease_expires_at is not None and j.lease_expires_at > now
        recent = max(filter(None, [last_event.get(j.pk), j.heartbeat_at, j.enqueued_at])) > now - timedelta(seconds=120)
        # Waiting its turn: a message for this job is in a queue a live worker reads (not only in the hash of
        # messages a killed worker had taken, which Redis gives back after the visibility timeout: hours).
        queued_message = j.pk in waiting
        in_queue += queued_message and not (live_lease or recent)
        if not (live_lease or recent or queued_message):
            if j.pk in held:
                stuck.append(f"{j.public_id} {j.status}: its only message is held by a killed worker")
                continue
            stuck.append(f"{j.public_id} {j.status} (last activity {max(filter(None, [last_event.get(j.pk), j.heartbeat_at]))})")
    results.append(("every job final, waiting on a person, or progressing", not stuck,
                    f"{len(jobs)} jobs: {dict(sorted(statuses.items()))}; {in_queue} of the live ones waiting in a "
                    "queue for a worker" + (f"; stuck: {stuck[:5]}" if stuck else "")))

    # Holds: exactly one JobPayment per priced job, and exactly one PaymentIntent per job at Stripe.
    stripe.api_key, stripe.api_base = STRIPE_KEY, os.environ["STRIPE_API_BASE"]
    # Job holds carry tm_job metadata; the other PaymentIntents are the licence invoices' own.
    all_intents = list(stripe.PaymentIntent.list(limit=100).auto_paging_iter())
    intents = [pi for pi in all_intents if (pi.get("metadata") or {}).get("tm_job")]
    per_job = collections.Counter((pi.get("metadata") or {}).get("tm_job") for pi in intents)
    payments = {p.job_id: p for p in JobPayment.objects.all()}
    known = {j.public_id for j in jobs}
    problems = []
    for j in jobs:
        p = payments.get(j.pk)
        if j.listing.price_amount > 0 and (p is None or not p.stripe_payment_intent_id or per_job[j.public_id] != 1):
            problems.append(f"{j.public_id}: payment {p and p.status}, {per_job[j.public_id]} intents")
    orphans = [k for k in per_job if k not in known]
    results.append(("exactly one hold per job (database and Stripe)", not problems and not orphans,
                    f"{len(payments)} job payments, {len(intents)} job PaymentIntents at Stripe "
                    f"(+{len(all_intents) - len(intents)} for licence invoices), "
                    f"{dict(collections.Counter(p.status for p in payments.values()))}"
                    + (f"; problems {problems[:5]}" if problems else "") + (f"; orphan intents {orphans[:5]}" if orphans else "")))
    keyed = [c for c in customers if c.keyed_jobs]
    multi = [c.email for c in customers if len(c.keyed_jobs) > 1]
    results.append(("repeated clicks with one Idempotency-Key made one job", not multi,
                    f"{len(keyed)} customers ordered with 3 clicks each; {sum(len(c.careless_jobs) for c in customers)} "
                    "extra jobs from double-clicks without a key (each its own order and hold, then cancelled)"
                    + (f"; more than one job: {multi}" if multi else "")))

    captured = [p for p in payments.values() if p.status in ("captured", "partially_refunded", "refunded")]
    bad = [p.public_id for p in captured if not model_is_released(p.job)]
    pi_by_id = {pi["id"]: pi for pi in intents}
    stripe_side = [pi["id"] for pi in intents if pi["status"] == "succeeded"
                   and not any(p.stripe_payment_intent_id == pi["id"] for p in captured)]
    held_after_end = [p.public_id for p in payments.values() if p.status == "authorized"
                      and p.job.status in ("failed", "cancelled", "rejected", "blocked")]
    not_released_at_stripe = [p.public_id for p in payments.values() if p.status == "released"
                              and pi_by_id.get(p.stripe_payment_intent_id, {}).get("status") != "canceled"]
    results.append(("no payment captured for a model that was not released", not bad and not stripe_side,
                    f"{len(captured)} captured, all for released models" if not (bad or stripe_side)
                    else f"captured for unreleased: {bad}; succeeded at Stripe without a capture: {stripe_side}"))
    results.append(("holds of jobs that ended badly are released (at Stripe too)",
                    not held_after_end and not not_released_at_stripe,
                    f"{sum(p.status == 'released' for p in payments.values())} released"
                    + (f"; still held: {held_after_end}" if held_after_end else "")
                    + (f"; not cancelled at Stripe: {not_released_at_stripe}" if not_released_at_stripe else "")))

    unbalanced = list(LedgerTransaction.objects.annotate(s=Sum("entries__amount")).exclude(s=0).values_list("key", flat=True))
    totals = dict(LedgerEntry.objects.values_list("currency").annotate(s=Sum("amount")))
    customer_side = -(LedgerEntry.objects.filter(account="customer_payments").aggregate(s=Sum("amount"))["s"] or 0)
    net_captured = sum(p.captured_amount - p.refunded_amount for p in captured)
    results.append(("ledger balanced", not unbalanced and all(v == 0 for v in totals.values()) and customer_side == net_captured,
                    f"{LedgerTransaction.objects.count()} transactions, {LedgerEntry.objects.count()} entries, sum per "
                    f"currency {totals or {'usd': 0}}; customer payments {customer_side} = captured {net_captured}"
                    + (f"; unbalanced {unbalanced}" if unbalanced else "")))

    deliveries = sum(v for k, v in STATS.notes.items() if k.startswith(("webhook delivery", "webhook replay")))
    events = StripeEvent.objects.count()
    unprocessed = list(StripeEvent.objects.filter(processed_at__isnull=True).values_list("event_id", "type")[:5])
    twice = list(LicenseStatusChange.objects.exclude(stripe_event_id="").values("license_id", "stripe_event_id")
                 .annotate(n=Count("id")).filter(n__gt=1)[:5])
    results.append(("no Stripe event processed twice, none lost", not twice and not unprocessed
                    and events == len({json.loads(b)["id"] for b, _ in relay.events}),
                    f"{len(relay.events)} events sent by Stripe, {deliveries} deliveries (duplicates, reordering and "
                    f"replays), {events} stored once each, {events - len(unprocessed) if not unprocessed else '?'} processed"
                    + (f"; unprocessed {unprocessed}" if unprocessed else "") + (f"; applied twice {twice}" if twice else "")))
    subs = collections.Counter(s.get("customer") for s in stripe.Subscription.list(limit=100).auto_paging_iter())
    licences = collections.Counter(License.objects.values_list("organization_id", flat=True))
    dup_lic = [k for k, v in licences.items() if v > 1] + [k for k, v in subs.items() if v > 1]
    results.append(("one licence and one subscription per customer despite repeated clicks", not dup_lic,
                    f"{sum(licences.values())} licences, {sum(subs.values())} subscriptions, "
                    f"{dict(collections.Counter(License.objects.values_list('status', flat=True)))}"))

    log_500s = server_log.read_text(errors="replace").count("Internal Server Error")
    fives = sum(v for k, v in STATS.codes.items() if k >= 500)
    results.append(("zero 5xx", fives == 0 and log_500s == 0,
                    f"{sum(STATS.codes.values())} responses: {dict(sorted(STATS.codes.items()))}; server log 500s: {log_500s}"
                    + (f"; first: {STATS.server_errors[:3]}" if STATS.server_errors else "")))
    return results


# --- the run -------------------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds from the customers' start to the invariants (load, faults, replay and drain)")
    ap.add_argument("--setup-timeout", type=float, default=900, help="seconds for the setup (migrate, seed, start)")
    ap.add_argument("--drain", type=float, default=90, help="seconds kept at the end for running jobs to finish")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", action="store_true", help="keep the logs folder")
    args = ap.parse_args()
    if not 1 <= args.customers <= 200 or not 60 <= args.timeout <= 1800 or not 60 <= args.setup_timeout <= 1800:
        ap.error("--customers must be 1..200, --timeout and --setup-timeout 60..1800 (the run is bounded)")
    rng = random.Random(args.seed)
    setup_end = T0 + args.setup_timeout
    var = Path(tempfile.mkdtemp(prefix="tm-loadfault-"))
    logs = var / "log"
    logs.mkdir()
    ls_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{web_port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.load_fault.settings",
           "DATABASE_URL": f"{PG}/{DB_NAME}", "REDIS_URL": REDIS_URL, "CELERY_BROKER_URL": REDIS_URL,
           "STRIPE_API_BASE": f"http://127.0.0.1:{ls_port}", "STRIPE_SECRET_KEY": STRIPE_KEY,
           "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "TUNEMARKET_VAR_DIR": str(var),
           "TUNEMARKET_MEDIA_ROOT": str(var / "media"), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONUNBUFFERED": "1", "TORCH_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
                                           "STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
                                           "TUNEMARKET_VAR_DIR", "TUNEMARKET_MEDIA_ROOT")})
    sys.path.insert(0, str(REPO))
    procs: list[Proc] = []
    try:
        say(f"fresh database {DB_NAME}, Redis {REDIS_URL}, logs in {logs}")
        reset_database_and_redis()
        localstripe = Proc("localstripe", [PY, "tests/payments/localstripe_server.py", "--from-scratch", "--port",
                                           str(ls_port)], env, logs).start()
        procs.append(localstripe)
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{ls_port}/v1/customers", auth=(STRIPE_KEY, ""), timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        say("localstripe up; migrating")
        manage(env, "migrate", "--noinput", "-v", "0", until=setup_end)
        say("migrated; seeding")
        manage(env, "seed_demo", until=setup_end)
        manage(env, "stripe_sync_plans", until=setup_end)
        relay = WebhookRelay(f"{base}/v1/stripe/webhook", rng)
        manage(env, "localstripe_webhook_register", "--url", relay.url, until=setup_end)
        say(f"seeded; localstripe on :{ls_port}; webhooks relayed through {relay.url}")
        web = Proc("web", [str(VENV_BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{web_port}", "-k", "gthread",
                           "--workers", "3", "--threads", "8", "--timeout", "120", "--keep-alive", "30",
                           "--error-logfile", "-"],
                   env, logs).start("Booting worker")
        procs.append(web)
        celery = [str(VENV_BIN / "celery"), "-A", "config"]
        wopts = ["-Q", "training,default", "--concurrency", "1", "--pool", "prefork", "--loglevel", "INFO",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"]
        beat = Proc("beat", celery + ["beat", "-s", str(var / "beat-schedule"), "--loglevel", "INFO"], env, logs).start()
        procs.append(beat)
        # Two training workers (the victim also takes short tasks, so a kill can catch one of those too) and one
        # for the short tasks only (screening, Stripe events, the reaper), as production separates them: with
        # every worker busy training, a queue of short tasks would wait minutes (the first 50-customer run).
        victim = Proc("worker-1", celery + ["worker", *wopts, "-n", "victim@%h"], env, logs).start(" ready.")
        steady = Proc("worker-2", celery + ["worker", *(wopts[:1] + ["training"] + wopts[2:]), "-n", "steady@%h"],
                      env, logs).start(" ready.")
        short = Proc("worker-3", celery + ["worker", *(wopts[:1] + ["default"] + wopts[2:]), "-n", "short@%h"],
                     env, logs).start(" ready.")
        procs += [victim, steady, short]
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        listings = [x for x in httpx.get(f"{base}/v1/listings?limit=100", timeout=30).json()["data"]
                    if x["domain"] != "medical"]
        say(f"server on {base} (gunicorn gthread 3x8), 3 workers + beat; {len(listings)} listings to order from")

        # The bound starts with the customers; the setup above has its own (--setup-timeout).
        load_start = time.monotonic()
        end = load_start + args.timeout
        load_deadline = end - args.drain - 45
        customers = [Customer(i, base, listings, load_deadline, rng) for i in range(args.customers)]
        stop = threading.Event()
        decisions: collections.Counter = collections.Counter()
        providers = [threading.Thread(target=provider_loop, args=(base, e, stop, decisions), daemon=True)
                     for e in PROVIDERS]
        for t in providers:
            t.start()
        say(f"{args.customers} customers start at once: register, token, terms, card, licence, upload, order, accept")
        pool = cf.ThreadPoolExecutor(args.customers)
        futures = [pool.submit(c.run) for c in customers]

        kills = []

        def faults():
            for n in (1, 2):
                # Kill while the victim holds a job's lease (mid-training), or after 90 s of waiting for one.
                give_up = min(load_deadline - 30, time.monotonic() + 90)
                while time.monotonic() < give_up and not victim_holds_a_lease(victim):
                    time.sleep(0.5)
                held = victim_holds_a_lease(victim)
                victim.kill()
                kills.append(f"kill {n}: SIGKILL worker-1 at {time.monotonic() - T0:.0f}s "
                             + (f"while it trained {held}" if held else "(it held no job's lease)"))
                say(kills[-1])
                time.sleep(5)
                victim.start(" ready.")
                say(f"worker-1 restarted ({n})")
                time.sleep(45)

        fault_thread = threading.Thread(target=faults, daemon=True)
        fault_thread.start()
        last = 0.0
        while not all(f.done() for f in futures) and time.monotonic() < load_deadline + 30:
            time.sleep(2)
            if time.monotonic() - last > 30:
                last = time.monotonic()
                outcomes = collections.Counter(c.outcome.split(" + ")[0] for c in customers)
                jobs = db_scalar("SELECT json_object_agg(status, n) FROM (SELECT status, count(*) n FROM "
                                 "tuning_finetuningjob GROUP BY status) s")
                say(f"customers {dict(outcomes)}; jobs {jobs}")
        fault_thread.join(timeout=max(0.0, load_deadline + 30 - time.monotonic()))
        say("replaying every Stripe event twice, re-signed, shuffled")
        relay.drain()
        replayed = relay.replay_all()
        say(f"{replayed} replays sent; draining (at most {args.drain:.0f}s) for running work")
        drain_end = min(end - 20, time.monotonic() + args.drain)
        while time.monotonic() < drain_end:
            busy = db_scalar("SELECT count(*) FROM tuning_finetuningjob WHERE status IN "
                             "('validating_files','pending_review','queued','running','evaluating')")
            pending_events = db_scalar("SELECT count(*) FROM payments_stripeevent WHERE processed_at IS NULL")
            if not busy and not pending_events:
                break
            time.sleep(3)
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)

        say("invariants")
        results = check_invariants(customers, relay, web.log)
        outcomes = collections.Counter(c.outcome for c in customers)
        print("\n== run ==")
        print(f"customers: {args.customers}; setup {load_start - T0:.0f}s; load, faults, replay and drain "
              f"{time.monotonic() - load_start:.0f}s (bound {args.timeout:.0f}s)")
        for k in kills:
            print(f"  {k}")
        print(f"customer outcomes: {dict(outcomes.most_common())}")
        print(f"provider decisions (2 clicks each): {dict(decisions)}")
        print(f"client notes: {dict(sorted(STATS.notes.items()))}")
        if STATS.transport_errors:
            print(f"transport errors (retried): {len(STATS.transport_errors)}; first {STATS.transport_errors[:2]}")
        print("\n== invariants ==")
        for name, ok, detail in results:
            print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
        failed = [n for n, ok, _ in results if not ok]
        print(f"\n{len(results) - len(failed)}/{len(results)} invariants hold" + (f"; FAILED: {failed}" if failed else ""))
        if failed or args.keep:
            print(f"logs kept in {logs}")
        return 1 if failed else 0
    except Exception:
        import traceback

        traceback.print_exc()
        print(f"setup or run failed; logs in {logs}")
        return 2
    finally:
        for p in reversed(procs):
            p.stop()


if __name__ == "__main__":
    sys.exit(main())
