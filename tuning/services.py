"""Writes for dataset files and fine-tuning jobs. `job_transition` is the only way a job's status changes.

`grep -n "^def " tuning/services.py` lists every action. The pipeline's writes (claim, heartbeat,
progress, checkpoint, finish, fail) are fenced on the worker's attempt number: a worker whose
lease was taken over writes nothing (0 rows) and stops.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import OrganizationKind, User
from accounts.services import agreement_require_current, audit_record, provider_require_approved
from core.errors import Conflict, DomainError, NotAllowed, NotFound
from core.states import check_transition

from . import conf, files, planning, seams
from .models import (
    JOB_TRANSITIONS,
    LIVE_STATUSES,
    TERMINAL_STATUSES,
    DatasetFile,
    FileStatus,
    FineTuningJob,
    InferenceLog,
    JobCheckpoint,
    JobEvent,
    JobStatus,
    TrainingArtifact,
)
from .validation import DIGEST_BYTES, Limits, validate_jsonl

logger = logging.getLogger(__name__)


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
        job.eta_seconds, job.estimated_finish = None, None
        fields += ["finished_at", "lease_owner", "lease_expires_at", "eta_seconds", "estimated_finish"]
    if error is not None:
        job.error = error
        fields.append("error")
    for name, value in (updates or {}).items():
        setattr(job, name, value)
        if name not in fields:
            fields.append(name)
    job.save(update_fields=fields)
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


# --- files ----------------------------------------------------------------------------------------
def _limits() -> Limits:
    return Limits(
        min_examples=int(conf.get("TUNEMARKET_DATASET_MIN_EXAMPLES")),
        max_lines=int(conf.get("TUNEMARKET_DATASET_MAX_LINES")),
        max_line_bytes=int(conf.get("TUNEMARKET_DATASET_MAX_LINE_BYTES")),
        max_example_tokens=int(conf.get("TUNEMARKET_DATASET_MAX_EXAMPLE_TOKENS")),
        max_total_tokens=int(conf.get("TUNEMARKET_DATASET_MAX_TOTAL_TOKENS")),
        max_errors=int(conf.get("TUNEMARKET_DATASET_MAX_ERRORS")),
    )


_FILENAME_SAFE = re.compile(r"[^\w.\- ]+")


def _clean_filename(name: str) -> str:
    name = Path(name or "").name.strip() or "dataset.jsonl"
    return _FILENAME_SAFE.sub("_", name)[:200]


def file_upload(*, user: User, upload: files.EncryptedUpload, purpose: str, ip_address: str | None = None) -> DatasetFile:
    """Store an encrypted upload and validate it (here when small, else in a task)."""
    org = user.organization
    if org is None:
        raise NotAllowed("This user belongs to no organisation.", code="no_organization")
    if purpose != "fine-tune":
        raise DomainError("purpose must be 'fine-tune'.", param="purpose", code="invalid_purpose")
    storage_name = files.store_upload(upload, org.public_id)
    try:
        with transaction.atomic():
            dataset = DatasetFile.objects.create(
                organization=org, created_by=user, filename=_clean_filename(upload.name), purpose=purpose,
                bytes=upload.plaintext_bytes, sha256=upload.sha256, storage_name=storage_name,
                wrapped_key=upload.wrapped_key,
            )
            audit_record(
                action="dataset.uploaded", actor=user, organization=org, target=dataset, ip_address=ip_address,
                bytes=upload.plaintext_bytes,
            )
            if upload.plaintext_bytes > int(conf.get("TUNEMARKET_FILE_SYNC_VALIDATION_MAX_BYTES")):
                from .tasks import file_validate_task

                file_validate_task.delay_on_commit(file_id=dataset.pk)
    except BaseException:
        files.delete_blob(storage_name)
        raise
    if dataset.bytes <= int(conf.get("TUNEMARKET_FILE_SYNC_VALIDATION_MAX_BYTES")):
        dataset = file_validate(file=dataset)
    return dataset


def file_validate(*, file: DatasetFile) -> DatasetFile:
    """Validate a stored file (streamed, decrypted chunk by chunk) and record the report."""
    if file.status != FileStatus.UPLOADED:
        return file
    from . import tokens
    from .crypto import DecryptionError

    try:
        report = validate_jsonl(files.file_chunks(file), count_tokens=tokens.counter(), limits=_limits())
    except DecryptionError as exc:
        logger.error("dataset %s cannot be decrypted: %s", file.public_id, exc)
        report = None
    with transaction.atomic():
        file = DatasetFile.objects.select_for_update().get(pk=file.pk)
        if file.status != FileStatus.UPLOADED:
            return file
        if report is None:
            file.status = FileStatus.ERROR
            file.status_details = "The stored file could not be decrypted."
            file.validation = {"error_count": 1, "errors": [], "warnings": [], "stats": {}, "format": None}
        else:
            file.status = FileStatus.PROCESSED if report.ok else FileStatus.ERROR
            file.status_details = report.summary()
            file.validation = report.as_dict()
            file.example_digests = b"".join(report.digests) if report.ok else b""
        file.save(update_fields=["status", "status_details", "validation", "example_digests"])
    return file


def _file_in_live_job(file: DatasetFile) -> FineTuningJob | None:
    return (
        FineTuningJob.objects.filter(Q(training_file=file) | Q(validation_file=file), status__in=LIVE_STATUSES)
        .only("public_id").first()
    )


@transaction.atomic
def file_delete(*, file: DatasetFile, actor: User, ip_address: str | None = None) -> DatasetFile:
    file = DatasetFile.objects.select_for_update().get(pk=file.pk)
    if actor.organization is None or actor.organization.pk != file.organization_id:
        raise NotFound(f"No file with id '{file.public_id}'.", param="file_id")
    if file.deleted_at is not None:
        raise NotFound(f"No file with id '{file.public_id}'.", param="file_id")
    job = _file_in_live_job(file)
    if job is not None:
        raise Conflict(
            f"File {file.public_id} is used by job {job.public_id}, which is still in progress; cancel it first.",
            param="file_id", code="file_in_use",
        )
    file.deleted_at = timezone.now()
    file.save(update_fields=["deleted_at"])
    audit_record(action="dataset.deleted", actor=actor, organization=file.organization, target=file, ip_address=ip_address)
    transaction.on_commit(lambda name=file.storage_name: files.delete_blob(name))
    return file


def file_content_read(*, file: DatasetFile, actor: User, ip_address: str | None = None):
    """The decrypted content, for the owning organisation only; every read is audited."""
    if actor.organization is None or actor.organization.pk != file.organization_id:
        raise NotAllowed("Only the organisation that owns a dataset may read its content.", code="dataset_private")
    audit_record(
        action="dataset.content_read", actor=actor, organization=file.organization, target=file, ip_address=ip_address,
    )
    return files.file_chunks(file)


def file_samples_read(*, file: DatasetFile, actor: User, limit: int = 5, ip_address: str | None = None) -> list[dict]:
    """A few examples: for the owner, or for a provider the customer granted samples to (audited)."""
    org = actor.organization
    owner = org is not None and org.pk == file.organization_id
    granted = org is not None and FineTuningJob.objects.filter(
        Q(training_file=file) | Q(validation_file=file), provider=org, grant_provider_samples=True,
    ).exists()
    if not (owner or granted):
        raise NotAllowed(
            "The customer has not granted access to samples of this dataset.", code="samples_not_granted"
        )
    if file.status != FileStatus.PROCESSED:
        raise Conflict(f"File {file.public_id} has no valid examples to sample.", code="file_not_processed")
    audit_record(
        action="dataset.samples_read", actor=actor, organization=file.organization, target=file,
        ip_address=ip_address, limit=limit, as_provider=not owner,
    )
    return files.file_examples(file)[:limit]


# --- jobs: creation and the marketplace steps ----------------------------------------------------------
_SUFFIX = re.compile(r"^[A-Za-z0-9_\-]{0,40}$")


def _resolve_listing(listing):
    from marketplace.models import Listing, ListingStatus

    if isinstance(listing, Listing):
        if listing.status != ListingStatus.PUBLISHED:
            raise NotFound(f"No published listing with id '{listing.public_id}'.", param="listing")
        return listing
    found = Listing.objects.select_related("provider").filter(public_id=str(listing or ""), status=ListingStatus.PUBLISHED).first()
    if found is None:
        raise NotFound(f"No published listing with id '{listing}'.", param="listing", code="listing_not_found")
    return found


def _resolve_file(value, *, org, param: str, method: str) -> DatasetFile:
    if isinstance(value, DatasetFile):
        file = value
        public_id = value.public_id
    else:
        public_id = str(value or "")
        file = DatasetFile.objects.filter(public_id=public_id).first()
    if file is None or file.organization_id != org.pk or file.deleted_at is not None:
        raise DomainError(f"File {public_id or '(none)'} does not exist.", param=param, code="invalid_file")
    if file.purpose != "fine-tune":
        raise DomainError(f"File {public_id} was not uploaded for fine-tuning.", param=param, code="invalid_file")
    if file.status != FileStatus.PROCESSED:
        detail = f": {file.status_details}" if file.status_details else ""
        raise DomainError(
            f"File {public_id} cannot be used for training: its status is '{file.status}'{detail}",
            param=param, code="invalid_file",
        )
    wanted = "preference" if method == planning.DPO else "chat"
    if file.validation.get("format") != wanted:
        raise DomainError(
            f"File {public_id} holds {file.validation.get('format')} examples but method '{method}' needs {wanted} examples.",
            param=param, code="invalid_file",
        )
    return file


def _digests(file: DatasetFile) -> set[bytes]:
    raw = bytes(file.example_digests or b"")
    return {raw[i : i + DIGEST_BYTES] for i in range(0, len(raw), DIGEST_BYTES)}


def _check_metadata(metadata) -> dict:
    if metadata in (None, {}):
        return {}
    if not isinstance(metadata, dict) or len(metadata) > 16:
        raise DomainError("metadata must be an object with at most 16 keys.", param="metadata", code="invalid_metadata")
    for key, value in metadata.items():
        if not isinstance(key, str) or len(key) > 64 or not isinstance(value, str) or len(value) > 512:
            raise DomainError(
                "metadata keys must be strings of at most 64 characters and values strings of at most 512.",
                param="metadata", code="invalid_metadata",
            )
    return dict(metadata)


def _backend_and_queue(listing) -> tuple[str, str]:
    recipe = listing.recipe if isinstance(listing.recipe, dict) else {}
    if recipe.get("accelerator") == "gpu":
        return str(conf.get("TUNEMARKET_GPU_TRAINING_BACKEND")), str(conf.get("TUNEMARKET_GPU_QUEUE"))
    return str(conf.get("TUNEMARKET_TRAINING_BACKEND")), conf.training_queue()


def job_training_split(job: FineTuningJob) -> tuple[int, int]:
    """(training examples, validation examples) counts, from the files' statistics."""
    n = int(job.training_file.validation.get("stats", {}).get("examples", 0))
    if job.validation_file_id:
        return n, int(job.validation_file.validation.get("stats", {}).get("examples", 0))
    held = planning.holdout_count(n)
    return n - held, held


def job_estimate(job: FineTuningJob) -> planning.Estimate:
    stats = job.training_file.validation.get("stats", {})
    n_all = max(1, int(stats.get("examples", 0)))
    tokens_all = int(stats.get("tokens", {}).get("total", 0))
    n_train, n_val = job_training_split(job)
    if job.validation_file_id:
        train_tokens = tokens_all
        val_tokens = int(job.validation_file.validation.get("stats", {}).get("tokens", {}).get("total", 0))
    else:
        train_tokens = round(tokens_all * n_train / n_all)
        val_tokens = tokens_all - train_tokens
    cfg = job.training_config
    return planning.estimate(
        backend=job.backend, base_model=job.base_model, train_examples=n_train, train_tokens=train_tokens,
        val_tokens=val_tokens, n_epochs=int(cfg.get("n_epochs", 1)), batch_size=int(cfg.get("batch_size", 1)),
    )


def job_system_prompt(job: FineTuningJob) -> str | None:
    """The job's composed system prompt (recipe, persona) exactly as training, evaluation and inference
    use it, and as screening sees it (built by tuning.review.prompts.compose_system_prompt)."""
    return (job.training_config or {}).get("system_prompt") or None


class TooManyRejections(DomainError):
    status_code = 429
    type = "rate_limit_error"
    code = "too_many_rejected_requests"


def _rejections_recent(org) -> int:
    # The review rows are the record of what screening rejected, so the count needs no cache to drift.
    from tuning.evaluation.models import RequestReview
    from tuning.review import policy

    since = timezone.now() - timedelta(seconds=policy.REJECTION_WINDOW_SECONDS)
    return RequestReview.objects.filter(job__organization=org, outcome="reject", created_at__gte=since).count()


def job_create_allowed(*, organization) -> None:
    """Screening is not an oracle: after REJECTION_LIMIT_PER_HOUR rejected requests in the last hour, an
    organisation waits before it orders again (429 rate_limit_error), so it cannot probe the screen by
    resubmitting variations until one passes."""
    from tuning.review import policy

    rejected = _rejections_recent(organization)
    if rejected >= policy.REJECTION_LIMIT_PER_HOUR:
        minutes = policy.REJECTION_WINDOW_SECONDS // 60
        raise TooManyRejections(
            f"{rejected} of this organisation's requests were rejected by screening in the last {minutes} minutes. "
            f"Please wait before submitting another request, or appeal a rejection if you believe it is wrong.",
        )


@transaction.atomic
def job_create(
    *, user: User, listing, training_file, validation_file=None, model: str, use_case: str, method: dict | None = None,
    hyperparameters: dict | None = None, suffix: str = "", seed: int | None = None, metadata: dict | None = None,
    persona: dict | None = None, grant_provider_samples: bool = False,
) -> FineTuningJob:
    """Order a fine-tuning job from a listing. Checks the terms, the licence gate and the files,
    authorises the payment, and leaves the job waiting for the provider (pending_provider)."""
    org = user.organization
    if org is None or org.kind != OrganizationKind.CUSTOMER:
        raise NotAllowed("Only customer organisations can order fine-tuning jobs.", code="not_a_customer")
    agreement_require_current(user=user)
    job_create_allowed(organization=org)
    listing = _resolve_listing(listing)
    if not isinstance(use_case, str) or not use_case.strip():
        raise DomainError("use_case is required: say what the tuned model is for.", param="use_case", code="missing_use_case")
    if len(use_case) > 4000:
        raise DomainError("use_case must be at most 4000 characters.", param="use_case", code="invalid_use_case")
    public_models = list(conf.get("TUNEMARKET_PUBLIC_BASE_MODELS"))
    if model not in public_models:
        raise DomainError(
            f"Model '{model}' cannot be fine-tuned here; choose one of {', '.join(public_models)}.",
            param="model", code="model_not_available",
        )
    if listing.base_models and model not in listing.base_models:
        raise DomainError(
            f"This listing tunes {', '.join(listing.base_models)}, not {model}.", param="model", code="model_not_offered",
        )
    kind, requested = planning.parse_method(method, hyperparameters)
    if kind not in (listing.techniques or []):
        raise DomainError(
            f"This listing does not offer the '{kind}' method; it offers {', '.join(listing.techniques or [])}.",
            param="method.type", code="method_not_offered",
        )
    train_file = _resolve_file(training_file, org=org, param="training_file", method=kind)
    val_file = None
    if validation_file:
        val_file = _resolve_file(validation_file, org=org, param="validation_file", method=kind)
        if val_file.pk == train_file.pk:
            raise DomainError(
                "validation_file must differ from training_file.", param="validation_file", code="invalid_file",
            )
    if not isinstance(suffix, str) or not _SUFFIX.match(suffix or ""):
        raise DomainError(
            "suffix may hold up to 40 letters, digits, '-' and '_'.", param="suffix", code="invalid_suffix",
        )
    if seed is None:
        seed = secrets.randbelow(2**31)
    elif isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise DomainError("seed must be an integer between 0 and 2147483647.", param="seed", code="invalid_seed")
    metadata = _check_metadata(metadata)

    recipe = listing.recipe if isinstance(listing.recipe, dict) else {}
    if persona:
        if "persona" not in (listing.techniques or []):
            raise DomainError("This listing does not offer persona settings.", param="persona", code="method_not_offered")
        from tuning.review.persona import validate_persona

        checked = validate_persona(persona)
        if not checked.ok:
            issue = checked.errors[0]
            raise DomainError(issue.message, param=f"persona.{issue.key}" if issue.key else "persona", code=f"persona_{issue.code}")
        persona = checked.settings
    # The one composed prompt: training, evaluation and inference read it from the config, and
    # screening is given this same stored string (job_system_prompt).
    from tuning.review.prompts import compose_system_prompt

    system_prompt = compose_system_prompt(recipe_prompt=recipe.get("system_prompt"), persona=persona or None)

    stats = train_file.validation.get("stats", {})
    n_examples = int(stats.get("examples", 0))
    n_train = n_examples if val_file else n_examples - planning.holdout_count(n_examples)
    resolved = planning.resolve(kind, requested, recipe, n_train)
    base_model = conf.training_base_model(model)
    backend, queue = _backend_and_queue(listing)
    config = planning.training_config(
        base_model=base_model, method=kind, hyperparameters=resolved, recipe=recipe, seed=seed, system_prompt=system_prompt,
    )

    job = FineTuningJob.objects.create(
        organization=org, created_by=user, listing=listing, provider=listing.provider, model=model,
        use_case=use_case.strip(), method={"type": kind}, hyperparameters=resolved, suffix=suffix or "", seed=seed,
        metadata=metadata, training_file=train_file, validation_file=val_file, persona=persona or None,
        grant_provider_samples=bool(grant_provider_samples), base_model=base_model, backend=backend, queue=queue,
        training_config=config,
    )
    estimate = job_estimate(job)
    seams.license_gate_check(organization=org, listing=listing, training_tokens=estimate.total_tokens)
    # The job takes its quota now (payments gives it back if the job ends before training starts).
    seams.license_usage_record(organization=org, job=job, training_tokens=estimate.total_tokens)
    JobEvent.objects.create(job=job, message=f"Created fine-tuning job: {job.public_id}", data={"estimate": estimate.as_dict()})
    if val_file is not None:
        overlap = len(_digests(train_file) & _digests(val_file))
        if overlap:
            job_event(
                job=job, level=JobEvent.Level.WARN,
                message=f"{overlap} examples of the validation file also appear in the training file; "
                "validation metrics will look better than they are.",
                data={"overlap_examples": overlap},
            )
    job = job_transition(
        job=job, to=JobStatus.PENDING_PROVIDER, actor=user,
        message=f"Files validated ({n_examples} examples); waiting for the provider to accept the job.",
    )
    audit_record(
        action="fine_tuning_job.created", actor=user, organization=org, target=job, listing=listing.public_id,
        training_file=train_file.public_id,
    )
    # Last, so nothing after it can roll the job back and leave a hold on the card; a declined card
    # raises 402 and rolls everything above back: no job.
    seams.job_payment_authorize(job=job)
    return job


def _require_provider(job: FineTuningJob, actor: User) -> None:
    org = actor.organization
    provider_require_approved(organization=org)
    if org is None or org.pk != job.provider_id:
        raise NotFound(f"No job with id '{job.public_id}'.", param="job_id")


@transaction.atomic
def job_provider_accept(*, job: FineTuningJob, actor: User) -> FineTuningJob:
    _require_provider(job, actor)
    job = job_transition(
        job=job, to=JobStatus.PENDING_REVIEW, actor=actor, message="The provider accepted the job; screening the request.",
    )
    task = seams.evaluation_task("review_screen_task")
    if task is not None:
        task.delay_on_commit(job_id=job.pk)
    else:
        job_event(job=job, message="Automatic screening is not installed here; a reviewer will decide.")
    audit_record(action="fine_tuning_job.provider_accepted", actor=actor, organization=actor.organization, target=job)
    return job


@transaction.atomic
def job_provider_decline(*, job: FineTuningJob, actor: User, reason: str) -> FineTuningJob:
    _require_provider(job, actor)
    if not (reason or "").strip():
        raise DomainError("A reason is required to decline a job.", param="reason", code="reason_required")
    job = job_transition(
        job=job, to=JobStatus.REJECTED, actor=actor, message=f"The provider declined the job: {reason.strip()}",
        error=_error("declined_by_provider", reason.strip()),
    )
    seams.job_payment_release(job=job, reason=f"declined by provider: {reason.strip()}")
    audit_record(action="fine_tuning_job.provider_declined", actor=actor, organization=actor.organization, target=job, reason=reason)
    return job


def _enqueue_training(job: FineTuningJob, *, at=None) -> None:
    from .tasks import job_run_task

    # The row is the truth; this message only tells a worker on the job's queue to go and look.
    FineTuningJob.objects.filter(pk=job.pk).update(enqueued_at=at or timezone.now())
    job_run_task.apply_async_on_commit(kwargs={"job_id": job.pk}, queue=job.queue)


@transaction.atomic
def job_review_decided(*, job: FineTuningJob, approved: bool, actor: User | None = None, reason: str = "") -> FineTuningJob:
    if approved:
        job = job_transition(
            job=job, to=JobStatus.QUEUED, actor=actor,
            message="The request passed review; queued for training." + (f" {reason}" if reason else ""),
        )
        _enqueue_training(job)
        return job
    job = job_transition(
        job=job, to=JobStatus.REJECTED, actor=actor, message=f"The request was rejected in review: {reason}".strip(),
        error=_error("rejected_in_review", reason or "The request did not pass review."),
    )
    seams.job_payment_release(job=job, reason=f"rejected in review: {reason}")
    return job


@transaction.atomic
def job_cancel(*, job: FineTuningJob, actor: User, reason: str = "") -> FineTuningJob:
    """Cancel a live job. A running worker notices before its next training step."""
    org = actor.organization
    if not actor.is_staff and (org is None or org.pk != job.organization_id):
        raise NotFound(f"No job with id '{job.public_id}'.", param="job_id")
    job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
    if job.status not in LIVE_STATUSES:
        raise Conflict(f"Job {job.public_id} is already {job.status}.", code="job_not_cancellable")
    job = job_transition(
        job=job, to=JobStatus.CANCELLED, actor=actor,
        message="Job cancelled" + (f": {reason}" if reason else "."),
    )
    seams.job_payment_release(job=job, reason="cancelled by " + ("an administrator" if actor.is_staff else "the customer"))
    audit_record(action="fine_tuning_job.cancelled", actor=actor, organization=job.organization, target=job, reason=reason)
    return job


@transaction.atomic
def job_accept_delivery(*, job: FineTuningJob, actor: User) -> FineTuningJob:
    """The customer accepts a delivered (succeeded, released) model: the payment is captured once."""
    org = actor.organization
    if org is None or org.pk != job.organization_id:
        raise NotFound(f"No job with id '{job.public_id}'.", param="job_id")
    job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(f"Only a succeeded job can be accepted; this one is {job.status}.", code="job_not_succeeded")
    if not seams.model_is_released(job):
        raise NotAllowed("This model did not pass the release gate and cannot be delivered.", code="model_blocked")
    seams.job_payment_capture(job=job)
    if job.delivery_accepted_at is None:
        job.delivery_accepted_at = timezone.now()
        job.save(update_fields=["delivery_accepted_at"])
        job_event(job=job, message="The customer accepted delivery.", actor=actor)
        audit_record(action="fine_tuning_job.delivery_accepted", actor=actor, organization=org, target=job)
    return job


def fine_tuned_model_id(job: FineTuningJob) -> str:
    return f"ft:{job.model}:{job.organization.slug}:{job.suffix}:{job.public_id.removeprefix('ftjob-')}"


@transaction.atomic
def job_evaluation_finished(*, job: FineTuningJob, passed: bool, reasons: list[str], review: bool = False,
                            actor: User | None = None) -> FineTuningJob:
    """Evaluation's verdict: succeeded (the model id is set), blocked (the payment is released), or, with
    ``review``, pending release review (a reviewer decides; the payment stays held).

    The id is set on blocked jobs too, so the model can be named (and refused with 403) and its
    card can explain why it was blocked.
    """
    job = FineTuningJob.objects.select_related("organization").select_for_update(of=("self",)).get(pk=job.pk)
    updates = {"fine_tuned_model": fine_tuned_model_id(job)}
    text = "; ".join(reasons or [])
    if review and not passed:
        return job_transition(
            job=job, to=JobStatus.PENDING_RELEASE_REVIEW, updates=updates,
            message=f"The model meets every safety floor on its estimates, but not with certainty; a reviewer "
                    f"decides before release: {text}", data={"reasons": reasons or []},
        )
    if passed:
        job = job_transition(
            job=job, to=JobStatus.SUCCEEDED, updates=updates, actor=actor,
            message="The model passed evaluation and is released: " + updates["fine_tuned_model"],
            data={"reasons": reasons or []},
        )
        return job
    job = job_transition(
        job=job, to=JobStatus.BLOCKED, updates=updates, actor=actor,
        message=f"The model was blocked by the release gate: {text}",
        error=_error("blocked_by_release_gate", text or "The model did not pass evaluation."), data={"reasons": reasons or []},
    )
    seams.job_payment_release(job=job, reason=f"blocked by the release gate: {text}")
    return job


@transaction.atomic
def job_evaluation_failed(*, job: FineTuningJob, message: str) -> FineTuningJob | None:
    """Evaluation could not run (not a verdict): the job fails with a clear error and the hold is released.

    The model is never released without a completed evaluation, so nothing here can bypass the gate.
    """
    job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.EVALUATING:
        return None
    job = job_transition(
        job=job, to=JobStatus.FAILED, message=f"Evaluation failed: {message}",
        error=_error("evaluation_failed", f"The evaluation could not run: {message}"),
    )
    seams.job_payment_release(job=job, reason="evaluation failed")
    return job


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


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
    if conf.get("TUNEMARKET_AUTO_EVALUATE"):
        task = seams.evaluation_task("evaluation_run_task")
        if task is not None:
            task.delay_on_commit(job_id=job.pk)
        else:
            job_event(job=job, message="Automatic evaluation is not installed here; the job waits in evaluating.")
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
    seams.job_payment_release(job=job, reason="training failed")
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
                seams.job_payment_release(job=job, reason="training failed after the attempt limit")
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


# --- inference ------------------------------------------------------------------------------------
def inference_log_record(
    *, user: User, model: str, job: FineTuningJob | None, prompt_tokens: int, completion_tokens: int, latency_ms: int,
    finish_reason: str,
) -> InferenceLog:
    return InferenceLog.objects.create(
        organization=user.organization, user=user, model=model, job=job, prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens, latency_ms=latency_ms, finish_reason=finish_reason,
    )
