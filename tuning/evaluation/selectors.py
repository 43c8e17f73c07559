"""Reads for review, evaluation and model cards, with constant query counts.

``job_review_out`` and ``job_evaluation_out`` are the `review` and `evaluation` fields of the job
object (tuning calls them). Each costs one query per job (the review row; the runs);
for lists, select_related("request_review") and prefetch_related("evaluation_runs") make them
query-free.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.errors import NotFound
from tuning.models import FineTuningJob, JobStatus

from . import cards
from .models import EvaluationRun, EvaluationStatus, ModelCard, RequestReview

# Metrics shown in the job object's short `evaluation` summary: (name, suite, metric).
SUMMARY_METRICS = (
    ("target_nll", "target", "nll"),
    ("core_accuracy", "core", "accuracy"),
    ("refusal_rate", "safety", "refusal_probability"),
    ("over_refusal_rate", "safety", "over_refusal_probability"),
    ("generated_refusal_rate", "safety", "generated_refusal_rate"),
)


def _review_of(job: FineTuningJob) -> RequestReview | None:
    try:
        return job.request_review
    except RequestReview.DoesNotExist:
        return None


def job_review_out(job: FineTuningJob) -> dict | None:
    """{status, outcome, reasons, approvals_required, approvals} or None before screening."""
    from tuning.review.policy import CATEGORY_BY_ID

    review = _review_of(job)
    if review is None:
        if job.status == JobStatus.PENDING_REVIEW:
            return {"status": "screening", "outcome": None, "reasons": [], "approvals_required": 0, "approvals": 0}
        return None
    reasons = []
    for r in review.reasons:
        category = CATEGORY_BY_ID.get(r.get("category"))
        reasons.append({
            "category": r.get("category"),
            "title": category.title if category else r.get("category"),
            "outcome": r.get("outcome"),
            "explanation": r.get("explanation"),
            "location": r.get("location"),
            "score": r.get("score"),
            "matched": r.get("matched") or "",
        })
    return {
        "id": review.public_id,
        "status": review.status,
        "outcome": review.outcome,
        "high_risk": review.high_risk,
        "reasons": reasons,
        "approvals_required": review.approvals_required,
        "approvals": review.approvals,
        "decided_at": int(review.decided_at.timestamp()) if review.decided_at else None,
    }


def _latest_run(job: FineTuningJob) -> EvaluationRun | None:
    runs = list(job.evaluation_runs.all())  # uses a prefetch when there is one
    runs.sort(key=lambda r: (r.started_at, r.pk), reverse=True)
    completed = [r for r in runs if r.status == EvaluationStatus.COMPLETED]
    if job.status == JobStatus.EVALUATING:
        current = [r for r in runs if r.attempt == job.attempt]
        return current[0] if current else None
    return completed[0] if completed else (runs[0] if runs else None)


def _status(job: FineTuningJob, run: EvaluationRun | None) -> str:
    if run is None:
        return "pending" if job.status == JobStatus.EVALUATING else "not_started"
    if run.status == EvaluationStatus.COMPLETED:
        return "passed" if run.passed else "blocked"
    return run.status


def job_evaluation_out(job: FineTuningJob) -> dict | None:
    """The job object's `evaluation` field: status, verdict and headline figures, or None."""
    run = _latest_run(job)
    if run is None and job.status != JobStatus.EVALUATING:
        return None
    out: dict[str, Any] = {"status": _status(job, run), "passed": None, "reasons": [], "metrics": {}}
    if run is not None:
        out["id"] = run.public_id
        if run.status == EvaluationStatus.COMPLETED:
            out["passed"] = bool(run.passed)
            out["reasons"] = list(run.gate_reasons)
            suites = run.report.get("suites", {})
            for name, suite, metric in SUMMARY_METRICS:
                m = suites.get(suite, {}).get("metrics", {}).get(metric)
                if m:
                    out["metrics"][name] = {k: m.get(k) for k in ("base", "tuned", "delta", "delta_ci")}
        elif run.error:
            out["error"] = run.error
    return out


def job_loss_curve(job: FineTuningJob) -> list[dict[str, Any]]:
    """Training and validation loss by step, from the job's metric events and checkpoints. Two queries."""
    from tuning.models import JobCheckpoint, JobEvent

    points = [e.data for e in JobEvent.objects.filter(job=job, type="metrics").order_by("created_at", "id")]
    points += [c.metrics for c in JobCheckpoint.objects.filter(job=job).order_by("created_at", "id")]
    return cards.loss_curve(points)


def _suite_seconds(timings: dict[str, float]) -> dict[str, float]:
    """Per-suite seconds from a report's timings (keys like `core`, `safety_generation`, `target_nll`)."""
    out: dict[str, float] = {}
    for key, seconds in timings.items():
        if key == "total" or not isinstance(seconds, (int, float)):
            continue
        suite = key.split("_", 1)[0]
        out[suite] = out.get(suite, 0.0) + float(seconds)
    return out


def evaluation_progress(job: FineTuningJob) -> dict[str, Any] | None:
    """Where a job in `evaluating` is: the suites, the one running now, and an ETA.

    The ETA comes from the most recent completed evaluation of the same base model with the same suite
    settings (the suites' sizes are fixed, so their durations repeat on a host); without one there is no ETA.
    """
    if job.status != JobStatus.EVALUATING:
        return None
    from tuning.models import JobEvent

    started = list(JobEvent.objects.filter(job=job, message__startswith="Evaluating: ", created_at__gte=job.started_at)
                   .order_by("created_at", "id").values_list("data", "created_at")) if job.started_at else []
    names = [d.get("suite") for d, _ in started if isinstance(d, dict) and d.get("suite")]
    has_domain = "domain" in names or bool(job.listing.domain_eval_rows)
    suites = ["target", *(["domain"] if has_domain else []), "core", "safety"]
    current = names[-1] if names else None
    done = suites.index(current) if current in suites else 0
    out: dict[str, Any] = {"suites": suites, "current": current, "done": done, "total": len(suites),
                           "percent": round(100.0 * done / len(suites), 1), "eta_seconds": None}
    previous = (EvaluationRun.objects.filter(status=EvaluationStatus.COMPLETED, base_model=job.base_model)
                .exclude(job=job).order_by("-finished_at").values_list("report", flat=True).first())
    if previous and current:
        seconds = _suite_seconds(previous.get("timings", {}))
        remaining = sum(seconds.get(name, 0.0) for name in suites[done:])
        elapsed = (timezone.now() - started[-1][1]).total_seconds()
        out["eta_seconds"] = round(max(0.0, remaining - elapsed), 1)
    return out


def _visible_jobs(user: User):
    org = user.organization
    if org is None:
        return FineTuningJob.objects.none()
    return FineTuningJob.objects.filter(Q(organization=org) | Q(provider=org))


def job_for_evaluation(*, user: User, job_id: str) -> FineTuningJob:
    """A job of the caller's organisation (as customer or provider); anything else is a 404."""
    job = (_visible_jobs(user).filter(public_id=job_id)
           .select_related("organization").prefetch_related("evaluation_runs").first())
    if job is None:
        raise NotFound(f"No fine-tuning job with id '{job_id}'.", param="job_id")
    return job


def job_evaluation_detail_out(job: FineTuningJob) -> dict[str, Any]:
    """GET /v1/fine_tuning/jobs/{id}/evaluation: the latest run with every suite and the gate."""
    run = _latest_run(job)
    out: dict[str, Any] = {
        "object": "fine_tuning.job.evaluation",
        "job": job.public_id,
        "model": job.fine_tuned_model or None,
        "status": _status(job, run),
        "passed": None,
        "gate": None,
        "suites": {},
        "model_card": None,
    }
    if run is None:
        return out
    summary = cards.summarise_report(run.report) if run.report else {"suites": {}, "config": run.suite_config, "timings": {}}
    out.update({
        "id": run.public_id,
        "base_model": run.base_model,
        "base_model_sha256": run.base_model_sha256 or None,
        "adapter_sha256": run.adapter_sha256 or None,
        "started_at": int(run.started_at.timestamp()),
        "finished_at": int(run.finished_at.timestamp()) if run.finished_at else None,
        "suites": summary["suites"],
        "suite_config": summary["config"] or run.suite_config,
        "timings_seconds": summary["timings"],
    })
    if run.status == EvaluationStatus.COMPLETED:
        out["passed"] = bool(run.passed)
        out["gate"] = {"passed": bool(run.passed), "reasons": list(run.gate_reasons), "checks": list(run.gate_checks),
                       "thresholds": dict(run.gate_thresholds)}
        ref = job.fine_tuned_model or job.public_id
        out["model_card"] = {"json": f"/v1/models/{ref}/card", "markdown": f"/v1/models/{ref}/card?format=md",
                             "html": f"/models/{ref}/card"}
    if run.error:
        out["error"] = run.error
    return out


def model_card_get(*, user: User, model_id: str) -> ModelCard:
    """The card of a fine-tuned model (by model id, or by job id) of the caller's organisation."""
    jobs = _visible_jobs(user)
    jobs = jobs.filter(public_id=model_id) if model_id.startswith("ftjob-") else jobs.filter(fine_tuned_model=model_id)
    card = (ModelCard.objects.filter(job__in=jobs.values("pk"))
            .select_related("job", "evaluation_run").first()) if model_id else None
    if card is None:
        raise NotFound(f"No model card for '{model_id}'.", param="model_id", code="model_card_not_found")
    return card
