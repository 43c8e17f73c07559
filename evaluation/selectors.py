"""Reads for review, evaluation and model cards, with constant query counts.

``job_review_out`` and ``job_evaluation_out`` are the `review` and `evaluation` fields of the job
object (tuning calls them). Each costs one query per job (the review row; the runs);
for lists, select_related("request_review") and prefetch_related("evaluation_runs") make them
query-free.
"""
from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from core.errors import NotFound
from tuning.models import FineTuningJob, JobStatus
from tuning.selectors import jobs_visible_to

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
    from review.reasons import public_reasons

    review = _review_of(job)
    if review is None:
        if job.status == JobStatus.PENDING_REVIEW:
            return {"status": "screening", "outcome": None, "reasons": [], "approvals_required": 0, "approvals": 0}
        return None
    # The customer sees the category and a general reason only: matched text, example indices and
    # scores would tell an attacker what to remove. Reviewers see them in the admin.
    reasons = public_reasons(review.reasons)
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
        if run.outcome == "human_review" and not run.release_decision:
            return "pending_release_review"
        return "passed" if run.passed or run.release_decision.get("decision") == "approve" else "blocked"
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
    if job.status == JobStatus.EVALUATING:
        p = _run_progress(job, run)
        out["progress"] = {k: p[k] for k in ("phase", "percent", "eta_seconds")}
    return out


def job_loss_curve(job: FineTuningJob) -> list[dict[str, Any]]:
    """Training and validation loss by step, from the job's metric events and checkpoints. Two queries."""
    from tuning.models import JobCheckpoint, JobEvent

    points = [e.data for e in JobEvent.objects.filter(job=job, type="metrics").order_by("created_at", "id")]
    points += [c.metrics for c in JobCheckpoint.objects.filter(job=job).order_by("created_at", "id")]
    return cards.loss_curve(points)


# The share of an evaluation's time each phase takes with the default suites: seconds measured for
# SmolLM2-135M-Instruct on the 2-core demo machine (`make demo`, 2026-11-26; the short-answer generation of
# the target suite did not run there and is estimated). Only the proportions matter: the ETA extrapolates
# the time spent so far by the weighted share done, so it needs no earlier run and corrects itself as it goes.
PHASE_WEIGHTS = {
    "target_nll": 3.3, "target_generation": 3.0, "domain_nll": 3.3, "domain_generation": 3.0,
    "core": 31.7, "safety_loglikelihood": 91.0, "safety_generation": 29.4,
}


def _run_progress(job: FineTuningJob, run: EvaluationRun | None) -> dict[str, Any]:
    """{suites, current, phase, done, total, percent, eta_seconds} of a running evaluation. No query."""
    has_domain = bool(job.listing.domain_eval_rows)
    suites = ["target", *(["domain"] if has_domain else []), "core", "safety"]
    phases = [p for p in PHASE_WEIGHTS if p.split("_", 1)[0] in suites]
    state = (run.progress or {}) if run is not None and run.status == EvaluationStatus.RUNNING else {}
    phase = state.get("phase") if state.get("phase") in phases else None
    share = 0.0
    if phase:
        k = phases.index(phase)
        share = sum(PHASE_WEIGHTS[p] for p in phases[:k]) + PHASE_WEIGHTS[phase] * float(state["phases"].get(phase, 0.0))
        share /= sum(PHASE_WEIGHTS[p] for p in phases)
    current = phase.split("_", 1)[0] if phase else None
    eta = None
    if run is not None and share >= 0.02:
        elapsed = (timezone.now() - run.started_at).total_seconds()
        eta = round(max(0.0, elapsed * (1.0 - share) / share), 1)
    return {"suites": suites, "current": current, "phase": phase,
            "done": suites.index(current) if current else 0, "total": len(suites),
            "percent": round(100.0 * share, 1), "eta_seconds": eta}


def evaluation_progress(job: FineTuningJob) -> dict[str, Any] | None:
    """How far the evaluation of a job in `evaluating` is, with an ETA; None in any other status."""
    if job.status != JobStatus.EVALUATING:
        return None
    return _run_progress(job, _latest_run(job))


def _visible_jobs(user: User):
    return jobs_visible_to(user.organization)


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
        out["gate"] = {"passed": bool(run.passed), "outcome": run.outcome or ("released" if run.passed else "blocked"),
                       "reasons": list(run.gate_reasons), "checks": list(run.gate_checks),
                       "thresholds": dict(run.gate_thresholds),
                       "release_review": ({k: v for k, v in run.release_decision.items() if k != "reviewer_id"}
                                          if run.release_decision else None)}
        out["harm_judge"] = summary["suites"].get("safety", {}).get("judge")
        ref = job.fine_tuned_model or job.public_id
        out["model_card"] = {"json": f"/v1/models/{ref}/card", "markdown": f"/v1/models/{ref}/card?format=md",
                             "html": f"/models/{ref}/card"}
    if run.error:
        out["error"] = run.error
    return out


def public_base_models() -> list[str]:
    from tuning import conf as tuning_conf

    return list(tuning_conf.get("TUNEMARKET_PUBLIC_BASE_MODELS"))


def platform_parent(model_id: str) -> str:
    """The parent whose platform base really serves a public base model id (the tiny one in tests)."""
    from tuning import conf as tuning_conf

    return tuning_conf.get("TUNEMARKET_BASE_MODEL_OVERRIDE") or model_id


def model_card_get(*, user: User, model_id: str) -> ModelCard:
    """The card of a fine-tuned model (by model id, or by job id) of the caller's organisation."""
    jobs = _visible_jobs(user)
    jobs = jobs.filter(public_id=model_id) if model_id.startswith("ftjob-") else jobs.filter(fine_tuned_model=model_id)
    card = (ModelCard.objects.filter(job__in=jobs.values("pk"))
            .select_related("job", "evaluation_run").first()) if model_id else None
    if card is None:
        raise NotFound(f"No model card for '{model_id}'.", param="model_id", code="model_card_not_found")
    return card


# --- transparency -----------------------------------------------------------------------------------
HEADLINE_KEYS = ("name", "label", "passed", "base", "tuned", "delta", "limit", "outcome")


def transparency_report() -> dict[str, Any]:
    """Every model that was released, with no private data: base, technique, domain, provider, the gate's
    verdict with its headline figures, the card's hash and the current status; and aggregate counts.

    No customer name, use case, data or conversation appears. A constant number of queries."""
    from django.db.models import Count, Q

    from tuning.models import InferenceLog, ModelStatus

    jobs = list(FineTuningJob.objects.filter(status=JobStatus.SUCCEEDED).exclude(fine_tuned_model="")
                .select_related("listing", "provider").order_by("-finished_at", "-id"))
    runs: dict[int, EvaluationRun] = {}
    for run in (EvaluationRun.objects.filter(job__in=jobs, status=EvaluationStatus.COMPLETED)
                .only("job_id", "passed", "outcome", "gate_checks", "kind", "finished_at")
                .order_by("job_id", "-finished_at", "-id")):
        runs.setdefault(run.job_id, run)
    card_hashes = dict(ModelCard.objects.filter(job__in=jobs).values_list("job_id", "card_sha256"))
    models = []
    for job in jobs:
        run = runs.get(job.pk)
        if run is None:
            continue
        models.append({
            # The job's opaque id, not the model id (which carries the customer organisation's slug).
            "id": job.public_id,
            "base_model": job.model,
            "technique": (job.method or {}).get("type", "supervised"),
            "domain": job.listing.domain,
            "provider": job.provider.name,
            "released_at": int(job.finished_at.timestamp()) if job.finished_at else None,
            "gate": {"passed": bool(run.passed), "outcome": run.outcome, "last_checked": run.kind,
                     "checks": [{k: c.get(k) for k in HEADLINE_KEYS if k in c} for c in run.gate_checks or []]},
            "card_sha256": card_hashes.get(job.pk),
            "status": job.model_status,
        })
    blocked_models = FineTuningJob.objects.filter(status=JobStatus.BLOCKED).count()
    guard = InferenceLog.objects.aggregate(
        requests=Count("id"), blocked_inputs=Count("id", filter=Q(guard_stage="input")),
        blocked_outputs=Count("id", filter=Q(guard_stage="output")))
    return {
        "object": "transparency_report",
        "generated_at": int(timezone.now().timestamp()),
        "models": models,
        "totals": {
            "released": len(models),
            "active": sum(m["status"] == ModelStatus.ACTIVE for m in models),
            "suspended": sum(m["status"] == ModelStatus.SUSPENDED for m in models),
            "revoked": sum(m["status"] == ModelStatus.REVOKED for m in models),
            "blocked_by_gate": blocked_models,
            "chat_requests": guard["requests"],
            "guard_blocked_inputs": guard["blocked_inputs"],
            "guard_blocked_outputs": guard["blocked_outputs"],
        },
    }
