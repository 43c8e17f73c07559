"""Whether a model is released: the one check inference and downloads make. Nothing overrides it."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.errors import NotFound
from tuning.models import FineTuningJob, JobStatus

from .. import gate, signing
from ..models import EvaluationRun, EvaluationStatus


@lru_cache(maxsize=256)
def _cached_file_sha256(path: str, size: int, mtime_ns: int) -> str:
    return signing.file_sha256(Path(path))


def _adapter_sha256(adapter_dir: Path) -> str:
    weights = Path(adapter_dir) / "adapter_model.safetensors"
    st = weights.stat()
    return _cached_file_sha256(str(weights), st.st_size, st.st_mtime_ns)


def run_is_released(run: EvaluationRun) -> bool:
    """The gate passed, or it asked for review and a reviewer approved the release."""
    return run.passed is True or (run.outcome == gate.REVIEW and run.release_decision.get("decision") == "approve")


def latest_completed_run(job: FineTuningJob) -> EvaluationRun | None:
    return (EvaluationRun.objects.filter(job=job, status=EvaluationStatus.COMPLETED)
            .order_by("-finished_at", "-id").first())


def model_is_released(job: FineTuningJob) -> bool:
    """True only for a succeeded job whose latest evaluation passed the gate, for the very adapter
    that is on disk now. No licence, flag or admin action changes this answer."""
    if job is None or job.status != JobStatus.SUCCEEDED:
        return False
    run = latest_completed_run(job)
    if run is None or not run_is_released(run) or run.attempt != job.attempt:
        return False
    try:
        from tuning import selectors as tuning_selectors

        adapter_dir = tuning_selectors.job_artifact_path(job)
        return bool(run.adapter_sha256) and _adapter_sha256(adapter_dir) == run.adapter_sha256
    except (NotFound, OSError):
        return False
