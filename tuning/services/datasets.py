"""Dataset files: upload (encrypted), validation, deletion and reads, each one audited."""
from __future__ import annotations

import logging
import re
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import ProviderNotApproved, audit_record, provider_require_approved
from core.errors import Conflict, DomainError, NotAllowed, NotFound
from core.states import transition

from .. import conf, files
from ..models import FILE_TRANSITIONS, LIVE_STATUSES, DatasetFile, FileStatus, FineTuningJob, JobStatus
from ..validation import Limits, validate_jsonl

logger = logging.getLogger(__name__)


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
                from ..tasks import file_validate_task

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
    from .. import tokens
    from ..crypto import DecryptionError

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
            to, updates = FileStatus.ERROR, {
                "status_details": "The stored file could not be decrypted.",
                "validation": {"error_count": 1, "errors": [], "warnings": [], "stats": {}, "format": None},
            }
        else:
            to = FileStatus.PROCESSED if report.ok else FileStatus.ERROR
            updates = {"status_details": report.summary(), "validation": report.as_dict(),
                       "example_digests": b"".join(report.digests) if report.ok else b""}
        transition(file, to=to, allowed=FILE_TRANSITIONS, entity="dataset file", reason=updates["status_details"],
                   updates=updates)
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
    """A few examples: for the owner, or for an approved provider the customer granted samples to, while
    that job still waits for the provider's answer (the grant ends when the job moves on). Audited."""
    org = actor.organization
    owner = org is not None and org.pk == file.organization_id
    granted = not owner and org is not None and FineTuningJob.objects.filter(
        Q(training_file=file) | Q(validation_file=file), provider=org, grant_provider_samples=True,
        status=JobStatus.PENDING_PROVIDER,
    ).exists()
    if granted:
        try:
            provider_require_approved(organization=org)
        except ProviderNotApproved:
            granted = False
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
