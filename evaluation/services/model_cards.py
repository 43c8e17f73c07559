"""Model cards: built from the job, the review and the evaluation run, signed, and stored."""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import NotFound
from tuning.models import FineTuningJob, JobStatus

from .. import cards, signing
from ..models import EvaluationRun, ModelCard, RequestReview
from .releases import run_is_released


# --- model cards ----------------------------------------------------------------------------------


def _loss_points(job: FineTuningJob) -> list[dict]:
    from .. import selectors

    return selectors.job_loss_curve(job)


def _review_section(job: FineTuningJob) -> dict | None:
    from review.reasons import public_reasons

    review = RequestReview.objects.filter(job=job).first()
    if review is None:
        return None
    decisions = review.decisions.select_related("reviewer").order_by("created_at", "id")
    return {
        "id": review.public_id,
        "outcome": review.outcome,
        "status": review.status,
        "high_risk": review.high_risk,
        "approvals_required": review.approvals_required,
        "policy_version": review.policy_version,
        # The card is the customer's: category and a general reason only (reviewers see the rest).
        "reasons": public_reasons(review.reasons),
        "decisions": [{"decision": d.decision, "reviewer": (d.reviewer.public_id if d.reviewer else "automatic screening"),
                       "reason": d.reason, "at": d.created_at.isoformat()} for d in decisions],
    }


def _datasets(job: FineTuningJob) -> dict[str, dict]:
    out = {}
    for name, f in (("training", job.training_file), ("validation", job.validation_file)):
        if f is not None:
            out[name] = {"id": f.public_id, "sha256": f.sha256, "bytes": f.bytes,
                         "stats": (f.validation or {}).get("stats", {})}
    if job.validation_file is None and job.training_file is not None:
        out["validation"] = {"id": None, "sha256": job.training_file.sha256,
                             "held_out_from": job.training_file.public_id,
                             "stats": {"note": "a seeded share of the training file, held out from training"}}
    return out


def model_card_build(*, job: FineTuningJob, run: EvaluationRun) -> dict[str, Any]:
    """The card's content (without its signature)."""
    from tuning.backends.models import BASE_MODELS

    job = FineTuningJob.objects.select_related("listing", "provider", "organization", "training_file",
                                               "validation_file").get(pk=job.pk)
    artifact = getattr(job, "artifact", None)
    cfg = job.training_config or {}
    runs_as = run.base_model
    spec = BASE_MODELS.get(runs_as)
    summary = cards.summarise_report(run.report)
    card: dict[str, Any] = {
        "object": "model.card",
        "format": cards.DOCUMENT_FORMAT,
        "model": job.fine_tuned_model or None,
        "job": job.public_id,
        "status": ("released" if run_is_released(run) else
                   "pending_release_review" if job.status == JobStatus.PENDING_RELEASE_REVIEW else "blocked"),
        "organization": {"id": job.organization.public_id, "name": job.organization.name},
        "provider": {"id": job.provider.public_id, "name": job.provider.name},
        "listing": {"id": job.listing.public_id, "title": job.listing.title, "domain": job.listing.domain,
                    "techniques": list(job.listing.techniques or [])},
        "use_case": job.use_case,
        "base_model": {"name": job.model, "runs_as": runs_as, "sha256": run.base_model_sha256,
                       "license": spec.license if spec else None,
                       "description": spec.description if spec else None},
        "method": {
            "type": (job.method or {}).get("type"),
            "hyperparameters": job.hyperparameters,
            "lora": {"r": cfg.get("lora_r"), "alpha": cfg.get("lora_alpha"), "dropout": cfg.get("lora_dropout"),
                     "target_modules": cfg.get("lora_target_modules")},
            "training_config": {k: v for k, v in cfg.items() if k != "system_prompt"},
            "system_prompt": cfg.get("system_prompt"),
            "seed": job.seed,
        },
        "persona": job.persona,
        "datasets": _datasets(job),
        "training": {
            "trained_tokens": job.trained_tokens,
            "steps": artifact.steps if artifact else None,
            "metrics": artifact.metrics if artifact else {},
            "loss_curve": _loss_points(job),
        },
        "artifact": {"sha256": run.adapter_sha256},
        "review": _review_section(job),
        "evaluation": {
            "run": run.public_id,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "suites": summary["suites"],
            "suite_config": summary["config"],
            "timings_seconds": summary["timings"],
            "refusal_detector": cards.detector_summary(),
        },
        "gate": {"passed": bool(run.passed), "outcome": run.outcome or ("released" if run.passed else "blocked"),
                 "reasons": list(run.gate_reasons), "checks": list(run.gate_checks),
                 "thresholds": dict(run.gate_thresholds),
                 "release_review": ({k: v for k, v in run.release_decision.items() if k != "reviewer_id"}
                                    if run.release_decision else None)},
    }
    calibration = cards.calibration_section(summary["suites"])
    if calibration:
        card["calibration"] = calibration
    card["limitations"] = cards.limitations(card)
    return card


@transaction.atomic
def model_card_issue(*, job: FineTuningJob, run: EvaluationRun) -> ModelCard:
    """Build, sign and store the card of an evaluated job (replacing an older one)."""
    from tuning import selectors as tuning_selectors

    card = model_card_build(job=job, run=run)
    try:
        artifact_files = signing.directory_hashes(tuning_selectors.job_artifact_path(job))
    except (NotFound, OSError):
        artifact_files = {}
    document = cards.signed_document(card, artifact_files=artifact_files, signed_at=timezone.now().isoformat())
    model_card, _ = ModelCard.objects.update_or_create(
        job=job,
        defaults={"evaluation_run": run, "document": document.decode("utf-8"),
                  "card_sha256": signing.sha256_hex(signing.canonical_json(card)), "key_id": signing.key_id()},
    )
    return model_card
