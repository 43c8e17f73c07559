"""Reads for files, jobs, checkpoints, artifacts and models, scoped by the caller's organisation."""
from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from core.errors import NotFound

from . import conf, files, planning
from .models import DatasetFile, FineTuningJob, JobCheckpoint, JobEvent, JobStatus, ModelStatus


# --- files ------------------------------------------------------------------------------------------
def file_list(*, user: User) -> QuerySet[DatasetFile]:
    return DatasetFile.objects.filter(organization=user.organization, deleted_at__isnull=True).defer("example_digests")


def file_get(*, user: User, file_id: str) -> DatasetFile:
    """The caller's own file, or one that a job assigned to the caller's provider organisation uses
    (the provider sees the statistics and the validation report, never the content)."""
    org = user.organization
    file = DatasetFile.objects.filter(public_id=file_id, deleted_at__isnull=True).defer("example_digests").first()
    if file is None or org is None:
        raise NotFound(f"No file with id '{file_id}'.", param="file_id")
    if file.organization_id != org.pk and not FineTuningJob.objects.filter(
        Q(training_file=file) | Q(validation_file=file), provider=org
    ).exists():
        raise NotFound(f"No file with id '{file_id}'.", param="file_id")
    return file


# --- jobs -------------------------------------------------------------------------------------------
def jobs_visible_to(organization, *, as_customer: bool = True, as_provider: bool = True) -> QuerySet[FineTuningJob]:
    """The one rule for who sees a job: the organisation that ordered it (as customer) and the one that
    runs it (as provider). Every job read goes through here; anything else is a 404 upstream."""
    if organization is None or not (as_customer or as_provider):
        return FineTuningJob.objects.none()
    rule = Q()
    if as_customer:
        rule |= Q(organization=organization)
    if as_provider:
        rule |= Q(provider=organization)
    return FineTuningJob.objects.filter(rule)


def _jobs(visible: QuerySet[FineTuningJob]) -> QuerySet[FineTuningJob]:
    return visible.select_related(
        "organization", "listing", "provider", "training_file", "validation_file"
    ).defer("training_file__example_digests", "validation_file__example_digests")


def job_list(*, user: User) -> QuerySet[FineTuningJob]:
    """The organisation's jobs, with what the job object's review, evaluation and payment fields read
    (evaluation and payments), so a page of jobs costs a constant number of queries."""
    return (_jobs(jobs_visible_to(user.organization, as_provider=False))
            .select_related("request_review", "job_payment").prefetch_related("evaluation_runs"))


def job_get(*, user: User, job_id: str) -> FineTuningJob:
    job = _jobs(jobs_visible_to(user.organization, as_provider=False)).filter(public_id=job_id).first()
    if job is None:
        raise NotFound(f"No fine-tuning job with id '{job_id}'.", param="job_id")
    return job


def job_get_visible(*, user: User, job_id: str) -> FineTuningJob:
    """A job the caller's organisation ordered or runs as provider; anything else is a 404."""
    job = _jobs(jobs_visible_to(user.organization)).filter(public_id=job_id).first()
    if job is None:
        raise NotFound(f"No fine-tuning job with id '{job_id}'.", param="job_id")
    return job


def job_events(*, job: FineTuningJob) -> QuerySet[JobEvent]:
    return JobEvent.objects.filter(job=job)


def job_checkpoints(*, job: FineTuningJob) -> QuerySet[JobCheckpoint]:
    return JobCheckpoint.objects.filter(job=job).select_related("job", "job__organization")


def job_progress(job: FineTuningJob) -> dict[str, Any]:
    total = job.progress_total_steps
    step = job.progress_step
    return {
        "step": step,
        "total_steps": total,
        "percent": round(100.0 * step / total, 1) if total else (100.0 if job.status == JobStatus.SUCCEEDED else 0.0),
        "eta_seconds": None if job.eta_seconds is None else round(job.eta_seconds, 1),
    }


# --- data for training and evaluation ---------------------------------------------------------------
def _holdout_indices(n: int, seed: int) -> set[int]:
    if n < 2:
        return set()
    return set(random.Random(seed).sample(range(n), planning.holdout_count(n)))


def job_training_examples(job: FineTuningJob) -> list[dict]:
    """The decrypted, parsed training examples (without the held-out split when there is no validation file)."""
    examples = files.file_examples(job.training_file)
    if job.validation_file_id:
        return examples
    held = _holdout_indices(len(examples), job.seed)
    return [e for i, e in enumerate(examples) if i not in held]


def job_validation_examples(job: FineTuningJob) -> list[dict]:
    """The validation file's examples, or a seeded 10% (at least one) held out of the training file."""
    if job.validation_file_id:
        return files.file_examples(job.validation_file)
    examples = files.file_examples(job.training_file)
    held = _holdout_indices(len(examples), job.seed)
    return [e for i, e in enumerate(examples) if i in held]


def job_calibration_items(job: FineTuningJob) -> list[dict] | None:
    """A calibration job's labelled items, normalised (tuning.validation.calibration_item); None for
    other methods. The file was validated on upload; the job checked its owner and format."""
    from .validation import calibration_item

    spec = (job.method or {}).get("calibration") or {}
    if (job.method or {}).get("type") != planning.CALIBRATION or not spec.get("items_file"):
        return None
    file = DatasetFile.objects.get(public_id=spec["items_file"], organization_id=job.organization_id)
    return [calibration_item(obj) for obj in files.file_examples(file)]


# --- artifacts --------------------------------------------------------------------------------------
def job_storage_prefix(job: FineTuningJob) -> str:
    return f"jobs/{job.public_id}"


def job_workdir(job: FineTuningJob) -> Path:
    """The job's working directory on storage (MEDIA_ROOT/jobs/<job id>/work): checkpoints and the
    adapter. The local backend needs a filesystem path, so storage must be one with `.path()`."""
    return Path(default_storage.path(f"{job_storage_prefix(job)}/work"))


def storage_name_for(path: Path) -> str:
    return Path(path).resolve().relative_to(Path(default_storage.path("")).resolve()).as_posix()


def job_artifact_path(job: FineTuningJob) -> Path:
    """The trained adapter's directory (PEFT adapter_model.safetensors + adapter_config.json +
    tunemarket.json). Raises NotFound when the job has no adapter yet."""
    artifact = getattr(job, "artifact", None) if job.pk else None
    if artifact is None:
        from .models import TrainingArtifact

        artifact = TrainingArtifact.objects.filter(job_id=job.pk).first()
    if artifact is None:
        raise NotFound(f"Job {job.public_id} has no trained adapter yet.", code="no_artifact")
    return Path(default_storage.path(artifact.storage_name))


# --- models -----------------------------------------------------------------------------------------
def base_model_ids() -> list[str]:
    return list(conf.get("TUNEMARKET_PUBLIC_BASE_MODELS"))


def fine_tuned_models(*, user: User) -> QuerySet[FineTuningJob]:
    """The organisation's usable fine-tuned models: succeeded, active (not suspended or revoked), and
    released by their latest completed evaluation of the current attempt (as
    evaluation.services.model_is_released decides; chat and download also check the adapter's hash)."""
    from evaluation.models import EvaluationRun, EvaluationStatus

    latest = (EvaluationRun.objects.filter(job=OuterRef("pk"), status=EvaluationStatus.COMPLETED)
              .order_by("-finished_at", "-id").values("pk")[:1])
    released = EvaluationRun.objects.filter(pk=OuterRef("latest_run"), attempt=OuterRef("attempt")).filter(
        Q(passed=True) | Q(outcome="human_review", release_decision__decision="approve"))
    return (
        FineTuningJob.objects.filter(organization=user.organization, status=JobStatus.SUCCEEDED,
                                     model_status=ModelStatus.ACTIVE)
        .exclude(fine_tuned_model="").annotate(latest_run=Subquery(latest)).filter(Exists(released))
        .select_related("organization")
    )


def model_job(model_id: str) -> FineTuningJob | None:
    """The job behind a fine-tuned model id, whoever owns it (callers check ownership)."""
    if not model_id.startswith("ft:"):
        return None
    return (
        FineTuningJob.objects.select_related("organization", "artifact")
        .filter(fine_tuned_model=model_id).first()
    )


# --- monitoring -------------------------------------------------------------------------------------
def model_visible(*, user: User, model_id: str) -> FineTuningJob:
    """A fine-tuned model for its owner (customer) or its provider; anyone else gets a 404."""
    job = model_job(model_id)
    if job is None or not jobs_visible_to(user.organization).filter(pk=job.pk).exists():
        raise NotFound(f"The model '{model_id}' does not exist or you do not have access to it.", param="model_id",
                       code="model_not_found")
    return job


def model_monitoring(job: FineTuningJob, *, days: int = 30, today=None) -> dict[str, Any]:
    """Per day for the last ``days`` days: requests, guard blocks by stage and category, user reports.

    Counts only: no content is read. Two queries, whatever the traffic."""
    from .models import CompletionReport, InferenceLog

    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (InferenceLog.objects.filter(job=job, created_at__date__gte=first)
            .annotate(day=TruncDate("created_at")).values("day", "guard_stage", "guard_category")
            .annotate(n=Count("id")))
    reports = (CompletionReport.objects.filter(job=job, created_at__date__gte=first)
               .annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("id")))
    series = {first + timedelta(days=i): {"requests": 0, "blocked_inputs": {}, "blocked_outputs": {}, "reports": 0}
              for i in range(days)}
    for row in rows:
        day = series.get(row["day"])
        if day is None:
            continue
        day["requests"] += row["n"]
        if row["guard_stage"] in ("input", "output"):
            bucket = day["blocked_inputs" if row["guard_stage"] == "input" else "blocked_outputs"]
            bucket[row["guard_category"]] = bucket.get(row["guard_category"], 0) + row["n"]
    for row in reports:
        if row["day"] in series:
            series[row["day"]]["reports"] = row["n"]
    out = [{"date": d.isoformat(), **v} for d, v in sorted(series.items())]
    totals = {
        "requests": sum(d["requests"] for d in out),
        "blocked_inputs": sum(sum(d["blocked_inputs"].values()) for d in out),
        "blocked_outputs": sum(sum(d["blocked_outputs"].values()) for d in out),
        "reports": sum(d["reports"] for d in out),
    }
    return {"days": out, "totals": totals}



def viewpoint_sets_approved() -> QuerySet:
    """The viewpoint sets customers may use (GET /v1/perspective_sets)."""
    from .models import ViewpointSet, ViewpointSetStatus

    return ViewpointSet.objects.filter(status=ViewpointSetStatus.APPROVED).order_by("name", "id")


def viewpoint_set_for_chat(*, value: str, question: str):
    """The approved set a chat's ``perspectives`` names ("auto": the nearest to the question); 404 otherwise."""
    from . import perspectives

    approved = list(viewpoint_sets_approved())
    if value == perspectives.AUTO:
        return perspectives.choose_auto(question, approved)
    for vs in approved:
        if vs.public_id == value:
            return vs
    raise NotFound(f"No approved viewpoint set with id '{value}'.", param="perspectives",
                   code="perspective_set_not_found")
