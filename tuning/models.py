"""Fine-tuning jobs: the database row is the truth, a Celery message is only a signal."""
from django.conf import settings
from django.db import models

from accounts.models import Organization
from core.ids import PublicIdField


class JobStatus(models.TextChoices):
    VALIDATING_FILES = "validating_files"
    PENDING_PROVIDER = "pending_provider"
    PENDING_REVIEW = "pending_review"
    QUEUED = "queued"
    RUNNING = "running"
    EVALUATING = "evaluating"
    SUCCEEDED = "succeeded"
    BLOCKED = "blocked"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


LIVE_STATUSES = (
    JobStatus.VALIDATING_FILES, JobStatus.PENDING_PROVIDER, JobStatus.PENDING_REVIEW,
    JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.EVALUATING,
)
TERMINAL_STATUSES = (JobStatus.SUCCEEDED, JobStatus.BLOCKED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REJECTED)

_ABORT = {JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REJECTED}
# The one table of allowed moves (DESIGN.md). Running → queued is the reaper's re-queue after a lost lease.
JOB_TRANSITIONS: dict[str, set[str]] = {
    JobStatus.VALIDATING_FILES: {JobStatus.PENDING_PROVIDER} | _ABORT,
    JobStatus.PENDING_PROVIDER: {JobStatus.PENDING_REVIEW} | _ABORT,
    JobStatus.PENDING_REVIEW: {JobStatus.QUEUED} | _ABORT,
    JobStatus.QUEUED: {JobStatus.RUNNING} | _ABORT,
    JobStatus.RUNNING: {JobStatus.EVALUATING, JobStatus.QUEUED} | _ABORT,
    JobStatus.EVALUATING: {JobStatus.SUCCEEDED, JobStatus.BLOCKED, JobStatus.QUEUED} | _ABORT,
    JobStatus.SUCCEEDED: set(),
    JobStatus.BLOCKED: set(),
    JobStatus.FAILED: set(),
    JobStatus.CANCELLED: set(),
    JobStatus.REJECTED: set(),
}


class FineTuningJob(models.Model):
    public_id = PublicIdField(prefix="ftjob-")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="fine_tuning_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey("marketplace.Listing", on_delete=models.PROTECT, related_name="jobs")
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="provider_jobs")
    model = models.CharField(max_length=100)
    use_case = models.TextField()
    method = models.JSONField(default=dict)
    hyperparameters = models.JSONField(default=dict)
    suffix = models.CharField(max_length=64, blank=True)
    seed = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=JobStatus.choices, default=JobStatus.VALIDATING_FILES, editable=False, db_index=True
    )
    error = models.JSONField(null=True, blank=True, editable=False)
    fine_tuned_model = models.CharField(max_length=255, blank=True, editable=False)
    trained_tokens = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    estimated_finish = models.DateTimeField(null=True, blank=True, editable=False)
    # Claiming: a worker owns the job while its lease lasts; `attempt` fences stale workers out.
    attempt = models.PositiveIntegerField(default=0, editable=False)
    lease_owner = models.CharField(max_length=200, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.public_id or f"job #{self.pk}"


class JobEvent(models.Model):
    """OpenAI's `fine_tuning.job.event`; every status change writes one."""

    class Level(models.TextChoices):
        INFO = "info"
        WARN = "warn"
        ERROR = "error"

    public_id = PublicIdField(prefix="ftevent-")
    job = models.ForeignKey(FineTuningJob, on_delete=models.CASCADE, related_name="events")
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    type = models.CharField(max_length=20, default="message")
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
