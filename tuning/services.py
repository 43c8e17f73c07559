"""Writes for fine-tuning jobs. `job_transition` is the only way a job's status changes."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.states import check_transition

from .models import JOB_TRANSITIONS, TERMINAL_STATUSES, FineTuningJob, JobEvent, JobStatus


@transaction.atomic
def job_transition(
    *, job: FineTuningJob, to: str, actor: User | None = None, message: str = "", error: dict | None = None,
    data: dict | None = None,
) -> FineTuningJob:
    """Move a job along the ALLOWED table, writing a `fine_tuning.job.event` for the change."""
    job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
    check_transition(entity="fine-tuning job", allowed=JOB_TRANSITIONS, current=job.status, to=to)
    from_status = job.status
    job.status = to
    fields = ["status"]
    now = timezone.now()
    if to == JobStatus.RUNNING and job.started_at is None:
        job.started_at = now
        fields.append("started_at")
    if to in TERMINAL_STATUSES:
        job.finished_at = now
        job.lease_owner, job.lease_expires_at = "", None
        fields += ["finished_at", "lease_owner", "lease_expires_at"]
    if error is not None:
        job.error = error
        fields.append("error")
    job.save(update_fields=fields)
    JobEvent.objects.create(
        job=job, level=JobEvent.Level.ERROR if to == JobStatus.FAILED else JobEvent.Level.INFO,
        message=message or f"Status changed from {from_status} to {to}.", type="status",
        actor=actor, from_status=from_status, to_status=to, data=data or {},
    )
    return job
