"""One training attempt: claim the job, train through the job's backend with callbacks that
heartbeat, report progress and record checkpoints (all fenced on the attempt), then finish.

Nothing here assumes the local backend: the job names its backend and the backend only sees
examples, a config, a work directory and callbacks (tuning.backends.base).
"""
from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from pathlib import Path


from . import conf, selectors, services
from .models import FineTuningJob, JobEvent, JobStatus

logger = logging.getLogger(__name__)


class LeaseLost(Exception):
    """This attempt no longer owns the job (its lease was taken over, or the job failed)."""


class InjectedFault(RuntimeError):
    """Raised by the test-only fault injection (TUNEMARKET_FAULT_CRASH_AT_STEP)."""


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _checkpoint_every(total_steps: int) -> int:
    every = int(conf.get("TUNEMARKET_CHECKPOINT_EVERY_STEPS"))
    return every if every > 0 else max(1, -(-total_steps // 10))


class AttemptCallbacks:
    """The training callbacks of one attempt. Every write is fenced on (job, attempt)."""

    def __init__(self, job: FineTuningJob, attempt: int):
        self.job_id = job.pk
        self.attempt = attempt
        self.workdir_root = None
        self.first_step_seen = False
        self.resumed_from: int | None = None
        self.total_steps = 0
        self.last_heartbeat = time.monotonic()
        lease = float(conf.get("TUNEMARKET_JOB_LEASE_SECONDS"))
        self.heartbeat_every = max(0.5, lease / 4)
        self.delay = float(conf.get("TUNEMARKET_FAULT_STEP_DELAY_SECONDS"))
        self.crash_at = int(conf.get("TUNEMARKET_FAULT_CRASH_AT_STEP"))
        self.crash_mode = str(conf.get("TUNEMARKET_FAULT_CRASH_MODE"))
        # Set by the backend's first heartbeat, once the model is loaded and steps begin.
        self.training_started = threading.Event()

    @contextlib.contextmanager
    def heartbeat_until_training_starts(self):
        """Loading data and the model can take longer than a lease; a thread heartbeats meanwhile
        and stops at the backend's first own heartbeat. From then on only training steps extend
        the lease, so a hung training loop lets its lease expire and the reaper takes over."""
        stop = threading.Event()

        def beat():
            from django.db import connection

            try:
                while not stop.wait(self.heartbeat_every) and not self.training_started.is_set():
                    if not services.job_heartbeat(job_id=self.job_id, attempt=self.attempt):
                        return
            finally:
                connection.close()

        thread = threading.Thread(target=beat, name=f"heartbeat-{self.job_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)

    # -- the hooks -----------------------------------------------------------------------------
    def heartbeat(self) -> None:
        self.training_started.set()
        now = time.monotonic()
        if now - self.last_heartbeat < self.heartbeat_every:
            return
        if not services.job_heartbeat(job_id=self.job_id, attempt=self.attempt):
            raise LeaseLost(f"attempt {self.attempt} lost its lease")
        self.last_heartbeat = now

    def should_stop(self) -> bool:
        # Read once per step: a cancel is honoured before the next step starts.
        row = FineTuningJob.objects.filter(pk=self.job_id).values_list("status", "attempt").first()
        if row is None:
            raise LeaseLost("the job no longer exists")
        status, attempt = row
        if attempt != self.attempt:
            raise LeaseLost(f"attempt {self.attempt} was superseded by attempt {attempt}")
        if status == JobStatus.CANCELLED:
            return True
        if status != JobStatus.RUNNING:
            raise LeaseLost(f"the job is {status}")
        return False

    def on_progress(self, step: int, total_steps: int, metrics: dict, eta_seconds: float | None) -> None:
        self.total_steps = total_steps
        if not self.first_step_seen:
            self.first_step_seen = True
            if step > 1:
                # The backend resumed: its first step after resuming from step N is N + 1.
                self.resumed_from = step - 1
                services.job_note(
                    job_id=self.job_id, attempt=self.attempt,
                    message=f"Attempt {self.attempt} resumed from step {step - 1} (the last checkpoint).",
                    data={"resumed_from_step": step - 1, "attempt": self.attempt},
                )
        every = max(1, total_steps // 100)
        event = step % every == 0 or step == total_steps or step == 1
        if not services.job_record_progress(
            job_id=self.job_id, attempt=self.attempt, step=step, total_steps=total_steps, metrics=metrics,
            eta_seconds=eta_seconds, event=event,
        ):
            raise LeaseLost(f"attempt {self.attempt} lost its lease")
        self.last_heartbeat = time.monotonic()
        self._inject_faults(step)

    def on_metrics(self, step: int, metrics: dict) -> None:
        shown = ", ".join(f"{k}={v:.4f}" for k, v in metrics.items() if isinstance(v, (int, float)))
        services.job_note(
            job_id=self.job_id, attempt=self.attempt, message=f"Step {step}: validation {shown}",
            data={"step": step, **{k: float(v) for k, v in metrics.items()}},
        )

    def on_checkpoint(self, step: int, path: Path, metrics: dict) -> None:
        if services.job_record_checkpoint(
            job_id=self.job_id, attempt=self.attempt, step=step, storage_name=selectors.storage_name_for(path),
            metrics=metrics,
        ) is None:
            raise LeaseLost(f"attempt {self.attempt} lost its lease")

    def _inject_faults(self, step: int) -> None:
        if self.delay:
            time.sleep(self.delay)
        if self.crash_at and step >= self.crash_at:
            if self.crash_mode == "exit":
                logger.error("fault injection: ending the process at step %s", step)
                os._exit(70)
            raise InjectedFault(f"injected crash at step {step}")

    def as_training_callbacks(self):
        from tuning.backends.base import TrainingCallbacks

        return TrainingCallbacks(
            on_progress=self.on_progress, on_metrics=self.on_metrics, on_checkpoint=self.on_checkpoint,
            should_stop=self.should_stop, heartbeat=self.heartbeat,
        )


def job_run(*, job_id: int, worker: str | None = None) -> str:
    """Run one attempt of a job. Returns what happened ("not_claimable", "finished", ...)."""
    worker = worker or worker_identity()
    peek = FineTuningJob.objects.filter(pk=job_id, status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).values("backend").first()
    if peek is None:
        logger.info("job %s is not claimable; nothing to do", job_id)
        return "not_claimable"
    from tuning.backends.base import TrainingConfig, TrainingError, get_backend

    # Load the backend (torch, transformers) before claiming, so the lease is not spent importing.
    try:
        backend = get_backend(peek["backend"])
    except KeyError:
        # This host lacks the job's backend: leave the job queued for a host that has it.
        logger.error("job %s needs backend %r, which this worker does not have", job_id, peek["backend"])
        return "unknown_backend"
    job = services.job_claim(job_id=job_id, worker=worker)
    if job is None:
        logger.info("job %s is not claimable; nothing to do", job_id)
        return "not_claimable"
    attempt = job.attempt
    job = FineTuningJob.objects.select_related("training_file", "validation_file", "organization").get(pk=job.pk)
    callbacks = AttemptCallbacks(job, attempt)

    try:
        with callbacks.heartbeat_until_training_starts():
            train = selectors.job_training_examples(job)
            val = selectors.job_validation_examples(job)
            # About ten checkpoints (and validations) per job, unless configured otherwise.
            cfg = job.training_config
            micro_batches = -(-len(train) // int(cfg.get("batch_size", 1)))
            steps = -(-micro_batches // int(cfg.get("gradient_accumulation_steps", 1))) * int(cfg.get("n_epochs", 1))
            every = _checkpoint_every(steps)
            config = TrainingConfig.from_dict({**cfg, "checkpoint_every_steps": every, "eval_every_steps": every})
            result = backend.train(config, train, val, selectors.job_workdir(job), callbacks.as_training_callbacks())
    except LeaseLost as exc:
        logger.warning("job %s attempt %s stops: %s", job.public_id, attempt, exc)
        return "lease_lost"
    except TrainingError as exc:
        # The data or the settings cannot be trained: retrying would fail the same way.
        services.job_training_failed(
            job_id=job.pk, attempt=attempt, retryable=False,
            error={"code": "training_error", "message": f"Training cannot proceed: {exc}", "param": None},
        )
        return "failed"
    except Exception as exc:  # a crash of this attempt; the next attempt resumes from the last checkpoint
        logger.exception("job %s attempt %s crashed", job.public_id, attempt)
        services.job_training_failed(
            job_id=job.pk, attempt=attempt, retryable=True,
            error={"code": "training_crashed", "message": f"{type(exc).__name__}: {exc}"[:500], "param": None},
        )
        return "crashed"

    if result.status == "cancelled":
        services.job_note(
            job_id=job.pk, attempt=attempt, message=f"Training stopped at step {result.steps} because the job was cancelled.",
            level=JobEvent.Level.WARN, data={"step": result.steps},
        )
        return "cancelled"
    if result.resumed_from_step and callbacks.resumed_from is None:
        services.job_note(
            job_id=job.pk, attempt=attempt,
            message=f"Attempt {attempt} resumed from step {result.resumed_from_step} (the last checkpoint).",
            data={"resumed_from_step": result.resumed_from_step, "attempt": attempt},
        )
    finished = services.job_training_finished(
        job_id=job.pk, attempt=attempt, steps=result.steps, total_steps=result.total_steps,
        trained_tokens=result.trained_tokens, metrics=result.metrics,
        artifact_storage_name=selectors.storage_name_for(result.artifact_path), artifact_dir=result.artifact_path,
        early_stopped=result.status == "early_stopped",
    )
    return "finished" if finished is not None else "lease_lost"
