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
    # The gate's point estimates pass, but an interval reaches past an absolute safety floor: a reviewer decides.
    PENDING_RELEASE_REVIEW = "pending_release_review"
    SUCCEEDED = "succeeded"
    BLOCKED = "blocked"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


LIVE_STATUSES = (
    JobStatus.VALIDATING_FILES, JobStatus.PENDING_PROVIDER, JobStatus.PENDING_REVIEW,
    JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.EVALUATING, JobStatus.PENDING_RELEASE_REVIEW,
)
TERMINAL_STATUSES = (JobStatus.SUCCEEDED, JobStatus.BLOCKED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REJECTED)

_ABORT = {JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REJECTED}
# The one table of allowed moves (docs/design.md). Running → queued is the reaper's re-queue after a lost lease.
JOB_TRANSITIONS: dict[str, set[str]] = {
    JobStatus.VALIDATING_FILES: {JobStatus.PENDING_PROVIDER} | _ABORT,
    JobStatus.PENDING_PROVIDER: {JobStatus.PENDING_REVIEW} | _ABORT,
    JobStatus.PENDING_REVIEW: {JobStatus.QUEUED} | _ABORT,
    JobStatus.QUEUED: {JobStatus.RUNNING} | _ABORT,
    JobStatus.RUNNING: {JobStatus.EVALUATING, JobStatus.QUEUED} | _ABORT,
    JobStatus.EVALUATING: {JobStatus.SUCCEEDED, JobStatus.BLOCKED, JobStatus.PENDING_RELEASE_REVIEW,
                           JobStatus.QUEUED} | _ABORT,
    JobStatus.PENDING_RELEASE_REVIEW: {JobStatus.SUCCEEDED, JobStatus.BLOCKED} | _ABORT,
    JobStatus.SUCCEEDED: set(),
    JobStatus.BLOCKED: set(),
    JobStatus.FAILED: set(),
    JobStatus.CANCELLED: set(),
    JobStatus.REJECTED: set(),
}


class FileStatus(models.TextChoices):
    UPLOADED = "uploaded"
    PROCESSED = "processed"
    ERROR = "error"


# Validation runs once: an uploaded file becomes processed or error, and stays so.
FILE_TRANSITIONS: dict[str, set[str]] = {
    FileStatus.UPLOADED: {FileStatus.PROCESSED, FileStatus.ERROR},
    FileStatus.PROCESSED: set(),
    FileStatus.ERROR: set(),
}


class DatasetFile(models.Model):
    """An uploaded JSONL dataset (OpenAI's `file`). Its content is encrypted at rest (tuning/crypto.py):
    the stored blob is ciphertext and only the wrapped per-file key is kept here."""

    public_id = PublicIdField(prefix="file-")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="dataset_files")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    purpose = models.CharField(max_length=32, default="fine-tune")
    bytes = models.BigIntegerField(help_text="Plaintext size.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the plaintext.")
    # Server-chosen; never derived from the uploaded name.
    storage_name = models.CharField(max_length=255, editable=False)
    wrapped_key = models.TextField(editable=False)
    status = models.CharField(max_length=20, choices=FileStatus.choices, default=FileStatus.UPLOADED, editable=False)
    status_details = models.TextField(blank=True, editable=False)
    validation = models.JSONField(default=dict, blank=True, editable=False)
    # One 8-byte digest per valid example (tuning.validation.canonical_digest), concatenated:
    # duplicates and train/validation overlap are found without decrypting the file again.
    example_digests = models.BinaryField(default=b"", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.filename})"


# What a customer may write about the job's purpose (reviewed before training).
USE_CASE_MAX_CHARS = 4000


class ModelStatus(models.TextChoices):
    """A released model's standing after release (monitoring can suspend it; a reviewer decides)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


MODEL_TRANSITIONS: dict[str, set[str]] = {
    ModelStatus.ACTIVE: {ModelStatus.SUSPENDED, ModelStatus.REVOKED},
    ModelStatus.SUSPENDED: {ModelStatus.ACTIVE, ModelStatus.REVOKED},
    ModelStatus.REVOKED: set(),
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
        max_length=32, choices=JobStatus.choices, default=JobStatus.VALIDATING_FILES, editable=False, db_index=True
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
    # Data and how it is trained.
    training_file = models.ForeignKey(DatasetFile, null=True, on_delete=models.PROTECT, related_name="+")
    validation_file = models.ForeignKey(DatasetFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    persona = models.JSONField(null=True, blank=True)
    grant_provider_samples = models.BooleanField(
        default=False, help_text="The customer lets the assigned provider read a few examples of the data."
    )
    # The base model that really runs (settings.TUNEMARKET_BASE_MODEL_OVERRIDE may differ from `model`).
    base_model = models.CharField(max_length=100, blank=True, editable=False)
    # Which backend trains the job and which Celery queue carries its signal (a GPU host consumes `gpu`).
    backend = models.CharField(max_length=50, default="local", editable=False)
    queue = models.CharField(max_length=50, default="training", editable=False)
    # The resolved tuning.backends.base.TrainingConfig (without the per-run schedule).
    training_config = models.JSONField(default=dict, blank=True, editable=False)
    progress_step = models.PositiveIntegerField(default=0, editable=False)
    progress_total_steps = models.PositiveIntegerField(default=0, editable=False)
    eta_seconds = models.FloatField(null=True, blank=True, editable=False)
    # When a worker was last told (by a queue message) to train this job; the reaper re-sends a lost one.
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivery_accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # After release: suspended by monitoring (guard blocks, user reports, a failed re-check) or by a
    # reviewer; reinstated or revoked by a reviewer (MODEL_TRANSITIONS, through core.states).
    model_status = models.CharField(
        max_length=16, choices=ModelStatus.choices, default=ModelStatus.ACTIVE, editable=False, db_index=True
    )
    model_status_reason = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="job_status_lease_idx")]

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
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class JobCheckpoint(models.Model):
    """OpenAI's `fine_tuning.job.checkpoint`: a resumable training state on storage."""

    public_id = PublicIdField(prefix="ftckpt-")
    job = models.ForeignKey(FineTuningJob, on_delete=models.CASCADE, related_name="checkpoints")
    step_number = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict, blank=True)
    storage_name = models.CharField(max_length=255)
    attempt = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "step_number"], name="checkpoint_unique_job_step")]


class TrainingArtifact(models.Model):
    """The trained adapter of a job (a PEFT adapter directory on storage)."""

    job = models.OneToOneField(FineTuningJob, on_delete=models.CASCADE, related_name="artifact")
    storage_name = models.CharField(max_length=255)
    base_model = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of adapter_model.safetensors.")
    bytes = models.BigIntegerField()
    steps = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class InferenceLog(models.Model):
    """One chat completion, for monitoring after deployment. Never holds the prompt or the answer."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inference_logs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    model = models.CharField(max_length=255, db_index=True)
    job = models.ForeignKey(FineTuningJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="inference_logs")
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    finish_reason = models.CharField(max_length=20, blank=True)
    # The chat completion's public id (chatcmpl-...), for reports.
    completion_id = models.CharField(max_length=40, null=True, blank=True, unique=True)
    # What the guard did: "" (passed), "input" (the request was blocked) or "output" (the answer was
    # replaced), and under which policy category. Never the content itself.
    guard_stage = models.CharField(max_length=8, blank=True, db_index=True)
    guard_category = models.CharField(max_length=40, blank=True)
    # SHA-256 of the answer sent, so a reporter's submitted copy can be checked against it.
    answer_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class ReportStatus(models.TextChoices):
    OPEN = "open"
    DISMISSED = "dismissed"
    UPHELD = "upheld"


REPORT_TRANSITIONS: dict[str, set[str]] = {
    ReportStatus.OPEN: {ReportStatus.DISMISSED, ReportStatus.UPHELD},
    ReportStatus.DISMISSED: set(),
    ReportStatus.UPHELD: set(),
}

REPORT_REASON_MAX_CHARS = 2000


class CompletionReport(models.Model):
    """A user's report of one chat completion, in the admin's review queue.

    Content is kept only when the reporter submits it (``include_content``), encrypted like datasets
    (tuning.crypto, AES-256-GCM under a per-report key wrapped by the master key)."""

    public_id = PublicIdField(prefix="report-")
    log = models.ForeignKey(InferenceLog, on_delete=models.CASCADE, related_name="reports")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="completion_reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    model = models.CharField(max_length=255, db_index=True)
    job = models.ForeignKey(FineTuningJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    reason = models.TextField()
    content_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    content_key = models.CharField(max_length=200, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.OPEN,
                              editable=False, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    decision_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.public_id or f"report #{self.pk}"


class ServedModel(FineTuningJob):
    """A released fine-tuned model, as monitoring sees it (the admin's monitoring view)."""

    class Meta:
        proxy = True
        verbose_name = "released model (monitoring)"
        verbose_name_plural = "released models (monitoring)"


class ViewpointSetStatus(models.TextChoices):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETIRED = "retired"


# Submitted sets wait for an admin; an approved set can be retired and brought back (re-screened).
VIEWPOINT_SET_TRANSITIONS: dict[str, set[str]] = {
    ViewpointSetStatus.SUBMITTED: {ViewpointSetStatus.APPROVED, ViewpointSetStatus.REJECTED},
    ViewpointSetStatus.APPROVED: {ViewpointSetStatus.RETIRED},
    ViewpointSetStatus.RETIRED: {ViewpointSetStatus.APPROVED},
    ViewpointSetStatus.REJECTED: set(),
}


class ViewpointSet(models.Model):
    """An admin-approved set of viewpoints for the chat ``perspectives`` option (tuning.perspectives).

    ``viewpoints`` is a list of ``{"name", "description"}``; every viewpoint's instruction, as the
    model will receive it, went through policy screening (review.screening) when the set was created
    and again when it was approved. Only approved sets can be used."""

    public_id = PublicIdField(prefix="pvs_")
    name = models.CharField(max_length=80, unique=True)
    topic = models.CharField(max_length=300, help_text="What kind of question the set is for.")
    viewpoints = models.JSONField()
    status = models.CharField(max_length=16, choices=ViewpointSetStatus.choices, default=ViewpointSetStatus.SUBMITTED,
                              editable=False, db_index=True)
    screening = models.JSONField(default=dict, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    decision_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
