"""The training worker's writes: claim, heartbeat, progress, checkpoints, finish, fail, and the reaper.

Every write is fenced on the worker's attempt number: a worker whose lease was taken over writes
nothing (0 rows) and stops."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.hashing import file_sha256 as _sha256_file
from payments import services as payments

from .. import conf
from ..models import FineTuningJob, JobCheckpoint, JobEvent, JobStatus, TrainingArtifact
from .notices import job_notify
from .state import _error, job_event, job_transition


def _enqueue_training(job: FineTuningJob, *, at=None) -> None:
    from ..tasks import job_run_task

    # The row is the truth; this message only tells a worker on the job's queue to go and look.
    FineTuningJob.objects.filter(pk=job.pk).update(enqueued_at=at or timezone.now())
    job_run_task.apply_async_on_commit(kwargs={"job_id": job.pk}, queue=job.queue)


# --- the pipeline: claim, heartbeat, progress, checkpoints, finish ------------------------------------
def _lease() -> timedelta:
    return timedelta(seconds=float(conf.get("TUNEMARKET_JOB_LEASE_SECONDS")))


def _max_attempts() -> int:
    return int(conf.get("JOB_MAX_ATTEMPTS"))


@transaction.atomic
def job_claim(*, job_id: int, worker: str) -> FineTuningJob | None:
    """Claim a job for `worker` with a fenced update, or None when it is not claimable.

    Claimable: queued, or running with an expired lease, with attempts left. The UPDATE
    decides (one claimer wins; the row lock serialises racers); then the status moves through
    job_transition in the same transaction, so every change still has its event.
    """
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_expires_at__lt=now)
    rows = (
        FineTuningJob.objects.filter(pk=job_id, attempt__lt=_max_attempts()).filter(claimable)
        .update(attempt=F("attempt") + 1, lease_owner=worker[:200], lease_expires_at=now + _lease(), heartbeat_at=now)
    )
    if rows != 1:
        return None
    job = FineTuningJob.objects.select_for_update().get(pk=job_id)
    if job.status == JobStatus.RUNNING:
        job = job_transition(
            job=job, to=JobStatus.QUEUED, expect_attempt=job.attempt,
            message=f"The previous worker's lease expired; attempt {job.attempt} takes the job over.",
        )
    return job_transition(
        job=job, to=JobStatus.RUNNING, expect_attempt=job.attempt,
        message=f"Attempt {job.attempt} of {_max_attempts()} started on {worker}.",
        data={"attempt": job.attempt, "worker": worker, "backend": job.backend, "queue": job.queue},
    )


def _fenced(job_id: int, attempt: int):
    return FineTuningJob.objects.filter(pk=job_id, attempt=attempt, status=JobStatus.RUNNING)


def job_heartbeat(*, job_id: int, attempt: int) -> bool:
    """Extend the lease; False when this attempt no longer owns the job."""
    now = timezone.now()
    return _fenced(job_id, attempt).update(lease_expires_at=now + _lease(), heartbeat_at=now) == 1


@transaction.atomic
def job_record_progress(
    *, job_id: int, attempt: int, step: int, total_steps: int, metrics: dict[str, float], eta_seconds: float | None,
    event: bool = True,
) -> bool:
    now = timezone.now()
    fields: dict[str, Any] = {
        "progress_step": step, "progress_total_steps": total_steps, "lease_expires_at": now + _lease(),
        "heartbeat_at": now, "eta_seconds": eta_seconds,
        "estimated_finish": now + timedelta(seconds=eta_seconds) if eta_seconds is not None else None,
    }
    if "trained_tokens" in metrics:
        fields["trained_tokens"] = int(metrics["trained_tokens"])
    if _fenced(job_id, attempt).update(**fields) != 1:
        return False
    if event:
        shown = {k: round(float(v), 6) for k, v in metrics.items() if isinstance(v, (int, float))}
        loss = shown.get("train_loss")
        JobEvent.objects.create(
            job_id=job_id, type="metrics",
            message=f"Step {step}/{total_steps}: training loss={loss:.4f}" if loss is not None else f"Step {step}/{total_steps}",
            data={"step": step, "total_steps": total_steps, **shown},
        )
    return True


@transaction.atomic
def job_record_checkpoint(*, job_id: int, attempt: int, step: int, storage_name: str, metrics: dict[str, float]) -> JobCheckpoint | None:
    job = _fenced(job_id, attempt).select_for_update().first()
    if job is None:
        return None
    clean = {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
    checkpoint, _ = JobCheckpoint.objects.update_or_create(
        job=job, step_number=step, defaults={"metrics": {"step": step, **clean}, "storage_name": storage_name, "attempt": attempt},
    )
    job_event(job=job, message=f"Checkpoint saved at step {step}.", data={"step": step, "checkpoint": checkpoint.public_id})
    return checkpoint


def job_note(*, job_id: int, attempt: int, message: str, level: str = JobEvent.Level.INFO, data: dict | None = None) -> bool:
    """An event from the worker, written only while this attempt still owns the job."""
    with transaction.atomic():
        job = FineTuningJob.objects.select_for_update().filter(pk=job_id, attempt=attempt).first()
        if job is None:
            return False
        job_event(job=job, message=message, level=level, data=data)
        return True


@transaction.atomic
def job_training_finished(
    *, job_id: int, attempt: int, steps: int, total_steps: int, trained_tokens: int, metrics: dict[str, float],
    artifact_storage_name: str, artifact_dir: Path, early_stopped: bool = False,
) -> FineTuningJob | None:
    """Record the adapter, move the job to evaluating and queue its evaluation (fenced)."""
    job = _fenced(job_id, attempt).select_for_update().first()
    if job is None:
        return None
    weights = Path(artifact_dir) / "adapter_model.safetensors"
    clean = {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))}
    TrainingArtifact.objects.update_or_create(
        job=job, defaults={
            "storage_name": artifact_storage_name, "base_model": job.base_model, "sha256": _sha256_file(weights),
            "bytes": sum(p.stat().st_size for p in Path(artifact_dir).iterdir() if p.is_file()),
            "steps": steps, "metrics": clean,
        },
    )
    note = " (stopped early: validation loss stopped improving)" if early_stopped else ""
    job = job_transition(
        job=job, to=JobStatus.EVALUATING, expect_attempt=attempt,
        message=f"Training finished after {steps} of {total_steps} steps, {trained_tokens} trained tokens{note}; evaluating.",
        data={"steps": steps, "trained_tokens": trained_tokens, "metrics": clean},
        updates={
            "trained_tokens": trained_tokens, "progress_step": total_steps if not early_stopped else steps,
            "progress_total_steps": total_steps, "eta_seconds": 0.0, "estimated_finish": None,
            "lease_owner": "", "lease_expires_at": None,
        },
    )
    job_notify("training_finished", job=job, qualifier=str(attempt),
               summary=f"{steps} of {total_steps} steps, {trained_tokens} trained tokens{note}.")
    if conf.get("TUNEMARKET_AUTO_EVALUATE"):
        from evaluation.tasks import evaluation_run_task

        evaluation_run_task.delay_on_commit(job_id=job.pk)
    return job


@transaction.atomic
def job_training_failed(*, job_id: int, attempt: int, error: dict, retryable: bool) -> FineTuningJob | None:
    """A failed attempt: retried while attempts remain (if retryable), else the job fails."""
    job = _fenced(job_id, attempt).select_for_update().first()
    if job is None:
        return None
    limit = _max_attempts()
    if retryable and job.attempt < limit:
        job = job_transition(
            job=job, to=JobStatus.QUEUED, expect_attempt=attempt,
            message=f"Attempt {attempt} of {limit} failed: {error['message']} Retrying.",
            data={"attempt": attempt, "error": error}, updates={"lease_owner": "", "lease_expires_at": None},
        )
        _enqueue_training(job)
        return job
    if retryable:
        error = {**error, "message": f"Training failed {attempt} times (the limit is {limit}); last error: {error['message']}"}
    job = job_transition(job=job, to=JobStatus.FAILED, expect_attempt=attempt, error=error, message=error["message"])
    payments.job_payment_release(job=job, reason="training failed")
    return job


def job_reap_expired_leases(*, now=None) -> dict[str, list[str]]:
    """Re-queue running jobs whose worker stopped heartbeating; fail them after JOB_MAX_ATTEMPTS."""
    now = now or timezone.now()
    limit = _max_attempts()
    done: dict[str, list[str]] = {"requeued": [], "failed": []}
    candidates = list(
        FineTuningJob.objects.filter(status=JobStatus.RUNNING, lease_expires_at__lt=now).values_list("pk", flat=True)[:200]
    )
    for pk in candidates:
        with transaction.atomic():
            job = FineTuningJob.objects.select_for_update().filter(
                pk=pk, status=JobStatus.RUNNING, lease_expires_at__lt=now,
            ).first()
            if job is None:
                continue
            owner, step = job.lease_owner or "unknown worker", job.progress_step
            if job.attempt >= limit:
                message = (
                    f"Training stopped responding {job.attempt} times (the limit is {limit}); the last worker, "
                    f"{owner}, went silent at step {step}. The job has failed and its payment is released."
                )
                job = job_transition(
                    job=job, to=JobStatus.FAILED, error=_error("max_attempts_exceeded", message), message=message,
                    data={"attempt": job.attempt, "worker": owner, "step": step},
                )
                payments.job_payment_release(job=job, reason="training failed after the attempt limit")
                done["failed"].append(job.public_id)
            else:
                job = job_transition(
                    job=job, to=JobStatus.QUEUED,
                    message=f"Worker {owner} stopped heartbeating at step {step} (lease expired); re-queued for attempt {job.attempt + 1}.",
                    data={"attempt": job.attempt, "worker": owner, "step": step},
                    updates={"lease_owner": "", "lease_expires_at": None},
                )
                _enqueue_training(job)
                done["requeued"].append(job.public_id)
    return done


def job_resend_unclaimed(*, now=None) -> list[str]:
    """Send the training message again for queued jobs that no worker claimed in
    TUNEMARKET_QUEUED_RESEND_SECONDS. Claims are fenced, so a duplicate message finds nothing to do."""
    now = now or timezone.now()
    seconds = int(conf.get("TUNEMARKET_QUEUED_RESEND_SECONDS"))
    cutoff = now - timedelta(seconds=seconds)
    stale = Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True)
    resent = []
    for pk in FineTuningJob.objects.filter(stale, status=JobStatus.QUEUED).values_list("pk", flat=True)[:200]:
        with transaction.atomic():
            job = FineTuningJob.objects.select_for_update().filter(stale, pk=pk, status=JobStatus.QUEUED).first()
            if job is None:
                continue
            job_event(job=job, level=JobEvent.Level.WARN, data={"waited_seconds": seconds},
                      message=f"No worker picked the job up within {seconds // 60} minutes; its queue message was "
                              "sent again (a busy queue or a lost message).")
            _enqueue_training(job, at=now)
            resent.append(job.public_id)
    return resent


def job_resend_unscreened(*, now=None) -> list[str]:
    """Queue the automated screening again for jobs that entered `pending_review` TUNEMARKET_QUEUED_RESEND_SECONDS
    ago and have no request review yet: the message was lost, or a worker took it and was killed. (Redis hands an
    unacknowledged message back only after the broker's visibility timeout, which is longer than the longest
    training job: hours, while the job waits. bench/load_fault found such a job after a SIGKILL.) The screening
    task returns at once for a job that already has a review, so a duplicate does nothing; a job is re-sent at
    most once per period."""
    from django.db.models import Exists, Max, OuterRef

    from evaluation.models import RequestReview
    from evaluation.tasks import review_screen_task

    now = now or timezone.now()
    seconds = int(conf.get("TUNEMARKET_QUEUED_RESEND_SECONDS"))
    cutoff = now - timedelta(seconds=seconds)
    stale = (FineTuningJob.objects.filter(status=JobStatus.PENDING_REVIEW)
             .annotate(reviewed=Exists(RequestReview.objects.filter(job=OuterRef("pk"))),
                       since=Max("events__created_at", filter=Q(events__to_status=JobStatus.PENDING_REVIEW)),
                       resent=Max("events__created_at", filter=Q(events__type="screening_resent")))
             .filter(Q(resent__isnull=True) | Q(resent__lt=cutoff), reviewed=False, since__lt=cutoff))
    out = []
    for job in stale[:200]:
        with transaction.atomic():
            job_event(job=job, level=JobEvent.Level.WARN, type="screening_resent", data={"waited_seconds": seconds},
                      message=f"The automated review had not started within {seconds // 60} minutes; it was queued "
                              "again (a busy queue or a lost message).")
            review_screen_task.delay_on_commit(job_id=job.pk)
        out.append(job.public_id)
    return out
