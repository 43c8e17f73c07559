"""Thin task shells: receive ids, re-read the row, return when the work is done, call one service."""
from __future__ import annotations

from celery import shared_task

from core.errors import Conflict
from tuning.models import FineTuningJob, JobStatus

from . import services
from .models import EvaluationRun, EvaluationStatus, RequestReview


@shared_task(ignore_result=True)
def review_screen_task(job_id: int) -> None:
    """Screen a job that waits in pending_review (queued by tuning.services.job_provider_accept)."""
    job = FineTuningJob.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.PENDING_REVIEW or RequestReview.objects.filter(job_id=job_id).exists():
        return
    try:
        services.review_screen(job=job)
    except Conflict:
        return  # the job moved on (cancelled, or screened by a concurrent delivery)


# Evaluation is long model work, so it runs where training runs (acks_late: a killed worker's
# message goes back to the queue, and the service is idempotent per training attempt).
# (settings.CELERY_TASK_ROUTES sends it to the training queue).
@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def evaluation_run_task(job_id: int) -> None:
    """Evaluate a trained job and settle it through the release gate."""
    job = FineTuningJob.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.EVALUATING:
        return
    if EvaluationRun.objects.filter(job=job, attempt=job.attempt, status=EvaluationStatus.COMPLETED).exists():
        return
    try:
        services.evaluation_run(job=job)
    except Conflict:
        return
    except Exception as exc:  # noqa: BLE001 - any error: the run is recorded failed, the job must not hang
        # A worker killed mid-run never gets here (acks_late re-delivers the message); an evaluation that
        # raised would raise again, so the job fails clearly and the customer's hold is released.
        from tuning.services import job_evaluation_failed

        job_evaluation_failed(job=job, message=f"{type(exc).__name__}: {exc}")


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def evaluation_recheck_task(job_id: int) -> None:
    """Re-evaluate one released model after a safety change (routed to the training queue)."""
    job = FineTuningJob.objects.filter(pk=job_id, status=JobStatus.SUCCEEDED).first()
    if job is None:
        return
    try:
        services.evaluation_recheck(job=job)
    except Conflict:
        return


@shared_task(ignore_result=True)
def evaluation_rechecks_queue_task() -> None:
    """Periodic: queue a re-check of every released model evaluated under other safety sources or suites."""
    services.evaluation_rechecks_queue()
