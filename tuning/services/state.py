"""The job's state machine and its event log: `job_transition` is the only way a job's status changes."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict
from core.states import transition

from ..models import JOB_TRANSITIONS, TERMINAL_STATUSES, FineTuningJob, JobEvent, JobStatus


class StaleAttempt(Conflict):
    """A worker wrote for an attempt that is no longer the job's current one."""

    code = "stale_attempt"


# --- the state machine ----------------------------------------------------------------------------
@transaction.atomic
def job_transition(
    *, job: FineTuningJob, to: str, actor: User | None = None, message: str = "", error: dict | None = None,
    data: dict | None = None, expect_attempt: int | None = None, updates: dict | None = None,
) -> FineTuningJob:
    """Move a job along the ALLOWED table, writing a `fine_tuning.job.event` for the change.

    `expect_attempt` fences the move on the worker's attempt number (StaleAttempt otherwise);
    `updates` are other fields written in the same save.
    """
    job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
    if expect_attempt is not None and job.attempt != expect_attempt:
        raise StaleAttempt(f"Attempt {expect_attempt} of {job.public_id} was superseded by attempt {job.attempt}.")
    from_status = job.status
    fields: dict[str, Any] = {}
    now = timezone.now()
    if to == JobStatus.RUNNING and job.started_at is None:
        fields["started_at"] = now
    if to in TERMINAL_STATUSES:
        fields.update(finished_at=now, lease_owner="", lease_expires_at=None, eta_seconds=None, estimated_finish=None)
    if error is not None:
        fields["error"] = error
    fields.update(updates or {})
    transition(job, to=to, allowed=JOB_TRANSITIONS, entity="fine-tuning job", actor=actor, reason=message,
               updates=fields)
    JobEvent.objects.create(
        job=job, level=JobEvent.Level.ERROR if to == JobStatus.FAILED else JobEvent.Level.INFO,
        message=message or f"Status changed from {from_status} to {to}.", type="status",
        actor=actor, from_status=from_status, to_status=to, data=data or {},
    )
    return job


def job_event(*, job: FineTuningJob, message: str, level: str = JobEvent.Level.INFO, type: str = "message",
              data: dict | None = None, actor: User | None = None) -> JobEvent:
    return JobEvent.objects.create(job=job, level=level, type=type, message=message, data=data or {}, actor=actor)


def _error(code: str, message: str, param: str | None = None) -> dict:
    return {"code": code, "message": message, "param": param}
