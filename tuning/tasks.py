"""Thin task shells: they receive ids, re-read the row, and return at once when there is nothing to do.

`job_run_task` runs on the `training` queue (settings.CELERY_TASK_ROUTES; a job's own queue is
passed when it is sent, so a GPU host can consume `gpu`). It is acks_late with
reject_on_worker_lost (config/celery.py): a worker killed mid-training hands the message back,
and the redelivered message finds the job still leased and returns, leaving the job to the
reaper, which re-queues it once the lease expires. The row, not the message, decides.
"""
from celery import shared_task

from evaluation.services import evaluation_resend_lost

from . import pipeline, services
from .models import DatasetFile, FileStatus


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def job_run_task(job_id: int) -> str:
    return pipeline.job_run(job_id=job_id)


@shared_task(ignore_result=True)
def reap_expired_leases() -> dict:
    return {**services.job_reap_expired_leases(), "resent": services.job_resend_unclaimed(),
            "screenings_resent": services.job_resend_unscreened(), "evaluations_resent": evaluation_resend_lost()}


@shared_task(ignore_result=True)
def file_validate_task(file_id: int) -> None:
    file = DatasetFile.objects.filter(pk=file_id, status=FileStatus.UPLOADED, deleted_at__isnull=True).first()
    if file is not None:
        services.file_validate(file=file)
