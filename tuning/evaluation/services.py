"""Writes for request review, evaluation, the release gate and model cards.

- ``review_screen`` runs the screening engine (tuning.review) on a job waiting in pending_review
  and settles it (approve/reject through tuning.services.job_review_decided) or leaves it to
  reviewers; ``review_approve`` / ``review_reject`` are the reviewers' decisions. A high-risk
  request needs two distinct reviewers.
- ``evaluation_run`` scores the base and the tuned model on every suite, applies the release
  gate (gate.py), reports the verdict through tuning.services.job_evaluation_finished and issues
  the signed model card.
- ``model_is_released`` is the one check inference and downloads make. Nothing overrides it.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record, provider_require_approved
from core.errors import Conflict, DomainError, NotAllowed, NotFound
from tuning.models import FineTuningJob, JobStatus

from . import cards, conf, gate, signing
from .models import (
    EvaluationRun,
    EvaluationStatus,
    ModelCard,
    RequestReview,
    ReviewDecision,
    ReviewDecisionKind,
    ReviewStatus,
    ScreeningOutcome,
)

logger = logging.getLogger(__name__)

REVIEW_PERMISSION = "evaluation.change_requestreview"
MAX_REASON_TEXT = 1500


# --- request review -------------------------------------------------------------------------------


def _technique(job: FineTuningJob) -> str:
    kind = (job.method or {}).get("type")
    if kind:
        return str(kind)
    techniques = job.listing.techniques or []
    return str(techniques[0]) if techniques else "supervised"


def _summary(reasons: list[dict], outcome: str) -> str:
    relevant = [r for r in reasons if r.get("outcome") == outcome] or reasons
    text = "; ".join(f"{r.get('category')}: {r.get('explanation')}" for r in relevant)
    return text[:MAX_REASON_TEXT] or "No policy category matched."


def _dataset_evidence(job: FineTuningJob) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("training_file", "validation_file"):
        f = getattr(job, name, None)
        if f is not None:
            out[name] = {"id": f.public_id, "filename": f.filename, "bytes": f.bytes, "sha256": f.sha256,
                         "stats": (f.validation or {}).get("stats", {})}
    return out


def review_screen(*, job: FineTuningJob) -> RequestReview:
    """Screen a job waiting in pending_review; idempotent (a job is screened once)."""
    from tuning import selectors as tuning_selectors
    from tuning import services as tuning_services
    from tuning.review.screening import screen_request

    job = FineTuningJob.objects.select_related("listing", "organization").get(pk=job.pk)
    existing = RequestReview.objects.filter(job=job).first()
    if existing is not None:
        return existing
    if job.status != JobStatus.PENDING_REVIEW:
        raise Conflict(f"Job {job.public_id} is {job.status}, not waiting for review.", code="job_not_in_review")

    # Decrypting and embedding the data takes seconds: done before any row is locked.
    try:
        examples = tuning_selectors.job_training_examples(job)
        result = screen_request(
            use_case=job.use_case,
            domain=job.listing.domain,
            technique=_technique(job),
            organization_verified=job.organization.is_verified,
            examples=examples,
            persona=job.persona,
            system_prompt=tuning_services.job_system_prompt(job),
        )
    except Exception as exc:  # fail closed: a person reviews what the machine could not
        logger.exception("Screening of %s could not run", job.public_id)
        result = _screening_failed(job, exc)
    reasons = [r.to_dict() for r in result.reasons]
    evidence = {
        "use_case": job.use_case,
        "domain": job.listing.domain,
        "technique": _technique(job),
        "organization_verified": job.organization.is_verified,
        "organization_verification_category": job.organization.verification_category,
        "persona": job.persona,
        "examples_total": result.examples_total,
        "examples_embedded": result.examples_embedded,
        "examples_rule_checked": result.examples_rule_checked,
        "sampled": result.sampled,
        "semantic_screened": result.semantic_screened,
        "notes": list(result.notes),
        "datasets": _dataset_evidence(job),
        # The composed system prompt screening saw: the string training and inference use.
        "system_prompt": result.system_prompt,
        "high_risk_sources": list(getattr(result, "high_risk_sources", [])),
    }
    return _review_record(job=job, result=result, reasons=reasons, evidence=evidence)


def _screening_failed(job: FineTuningJob, exc: Exception):
    from tuning.review import policy
    from tuning.review.screening import Reason, ScreeningResult

    high_risk = (job.listing.domain or "").lower() in policy.HIGH_RISK_DOMAINS
    return ScreeningResult(
        outcome=policy.Outcome.NEEDS_HUMAN_REVIEW,
        reasons=[Reason(category="screening_incomplete", outcome=policy.Outcome.NEEDS_HUMAN_REVIEW, source="request",
                        detector="check",
                        explanation=f"Automatic screening could not run ({type(exc).__name__}); a human must review.")],
        scores={}, high_risk=high_risk,
        required_approvals=policy.HIGH_RISK_REQUIRED_APPROVALS if high_risk else policy.REVIEW_REQUIRED_APPROVALS,
        semantic_screened=False, notes=[f"Screening error: {exc}"[:500]],
    )


@transaction.atomic
def _review_record(*, job: FineTuningJob, result, reasons: list[dict], evidence: dict) -> RequestReview:
    from tuning import services as tuning_services

    job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
    existing = RequestReview.objects.filter(job=job).first()
    if existing is not None:
        return existing
    if job.status != JobStatus.PENDING_REVIEW:
        raise Conflict(f"Job {job.public_id} is {job.status}, not waiting for review.", code="job_not_in_review")
    outcome = result.outcome.value
    now = timezone.now()
    review = RequestReview.objects.create(
        job=job,
        outcome=outcome,
        status={
            ScreeningOutcome.APPROVE: ReviewStatus.APPROVED,
            ScreeningOutcome.REJECT: ReviewStatus.REJECTED,
        }.get(outcome, ReviewStatus.PENDING),
        high_risk=result.high_risk,
        approvals_required=result.required_approvals,
        reasons=reasons,
        scores={k: round(float(v), 4) for k, v in result.scores.items()},
        evidence=evidence,
        policy_version=result.policy_version,
        decided_at=None if outcome == ScreeningOutcome.NEEDS_HUMAN_REVIEW else now,
    )
    summary = _summary(reasons, outcome)
    if outcome == ScreeningOutcome.APPROVE:
        ReviewDecision.objects.create(review=review, decision=ReviewDecisionKind.AUTO_APPROVE,
                                      reason="Automatic screening matched no policy category.")
        tuning_services.job_review_decided(job=job, approved=True, reason="Automatic screening matched no policy category.")
    elif outcome == ScreeningOutcome.REJECT:
        ReviewDecision.objects.create(review=review, decision=ReviewDecisionKind.AUTO_REJECT, reason=summary)
        tuning_services.job_review_decided(job=job, approved=False, reason=summary)
    else:
        ReviewDecision.objects.create(review=review, decision=ReviewDecisionKind.AUTO_REFER, reason=summary)
        who = "two distinct reviewers" if review.approvals_required >= 2 else "a reviewer"
        tuning_services.job_event(
            job=job, message=f"The request needs human review ({who} must approve): {summary}",
            data={"review": review.public_id, "approvals_required": review.approvals_required},
        )
    audit_record(action=f"request_review.{outcome}", organization=job.organization, target=review,
                 job=job.public_id, categories=sorted({r["category"] for r in reasons}))
    return review


def _require_reviewer(*, review: RequestReview, actor: User) -> None:
    if actor is None or not actor.is_active or not actor.is_staff or not actor.has_perm(REVIEW_PERMISSION):
        raise NotAllowed("Only reviewers may decide on tuning requests.", code="not_a_reviewer")
    org = actor.organization
    if org is not None and org.pk in (review.job.organization_id, review.job.provider_id):
        raise NotAllowed("You belong to the customer or the provider of this request; another reviewer must decide.",
                         code="conflict_of_interest")


def _locked_pending(review: RequestReview) -> RequestReview:
    review = RequestReview.objects.select_for_update().select_related("job").get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise Conflict(f"This request was already {review.status}; its decision is final.", code="review_decided")
    if review.job.status != JobStatus.PENDING_REVIEW:
        raise Conflict(f"Job {review.job.public_id} is {review.job.status}, no longer waiting for review.",
                       code="job_not_in_review")
    return review


def review_approvals(review: RequestReview) -> int:
    """Distinct reviewers who approved."""
    return (ReviewDecision.objects.filter(review=review, decision=ReviewDecisionKind.APPROVE, reviewer__isnull=False)
            .values("reviewer").distinct().count())


@transaction.atomic
def review_approve(*, review: RequestReview, actor: User, reason: str = "") -> RequestReview:
    """A reviewer approves. The job is queued once enough distinct reviewers have approved."""
    from tuning import services as tuning_services

    review = _locked_pending(review)
    _require_reviewer(review=review, actor=actor)
    if ReviewDecision.objects.filter(review=review, reviewer=actor, decision=ReviewDecisionKind.APPROVE).exists():
        raise Conflict("You have already approved this request; a different reviewer must give the next approval.",
                       code="duplicate_approval")
    ReviewDecision.objects.create(review=review, reviewer=actor, decision=ReviewDecisionKind.APPROVE,
                                  reason=(reason or "").strip())
    approvals = review_approvals(review)
    review.approvals = approvals
    review.save(update_fields=["approvals"])
    required = max(review.approvals_required, 1)
    audit_record(action="request_review.approved_by_reviewer", actor=actor, organization=review.job.organization,
                 target=review, approvals=approvals, required=required, reason=reason)
    if approvals < required:
        tuning_services.job_event(
            job=review.job, actor=actor,
            message=f"Approved by {approvals} of {required} reviewers; another reviewer must approve.",
            data={"review": review.public_id, "approvals": approvals, "approvals_required": required},
        )
        return review
    review.status = ReviewStatus.APPROVED
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_at"])
    tuning_services.job_review_decided(
        job=review.job, approved=True, actor=actor,
        reason=f"Approved by {approvals} reviewer{'s' if approvals != 1 else ''}." + (f" {reason.strip()}" if reason else ""),
    )
    return review


@transaction.atomic
def review_reject(*, review: RequestReview, actor: User, reason: str) -> RequestReview:
    """A reviewer rejects: one rejection is final and the job is rejected (payment released)."""
    from tuning import services as tuning_services

    if not (reason or "").strip():
        raise DomainError("A reason is required to reject a request; the customer sees it.", param="reason",
                          code="reason_required")
    review = _locked_pending(review)
    _require_reviewer(review=review, actor=actor)
    ReviewDecision.objects.create(review=review, reviewer=actor, decision=ReviewDecisionKind.REJECT, reason=reason.strip())
    review.status = ReviewStatus.REJECTED
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_at"])
    audit_record(action="request_review.rejected_by_reviewer", actor=actor, organization=review.job.organization,
                 target=review, reason=reason)
    tuning_services.job_review_decided(job=review.job, approved=False, actor=actor, reason=reason.strip())
    return review


# --- evaluation and the release gate ----------------------------------------------------------------


def _domain_examples(listing) -> list[dict] | None:
    """The provider's domain evaluation set, when the marketplace offers one for the listing."""
    try:
        from marketplace import selectors as market_selectors
    except ImportError:
        return None
    fn = getattr(market_selectors, "listing_domain_eval_examples", None)
    if fn is None:
        return None
    examples = fn(listing)
    return list(examples) if examples else None


@lru_cache(maxsize=256)
def _cached_file_sha256(path: str, size: int, mtime_ns: int) -> str:
    return signing.file_sha256(Path(path))


def _adapter_sha256(adapter_dir: Path) -> str:
    weights = Path(adapter_dir) / "adapter_model.safetensors"
    st = weights.stat()
    return _cached_file_sha256(str(weights), st.st_size, st.st_mtime_ns)


def _progress(job: FineTuningJob):
    from tuning import services as tuning_services

    def note(suite: str) -> None:
        tuning_services.job_event(job=job, message=f"Evaluating: {suite} suite (base and tuned model).",
                                  data={"suite": suite})

    return note


def evaluation_resend_lost(*, now=None) -> list[str]:
    """Queue the evaluation again for jobs that entered `evaluating` TUNEMARKET_QUEUED_RESEND_SECONDS ago and
    have no evaluation run for their attempt (the message was lost before a worker took it). A worker that
    dies mid-run needs no help: the task is acks_late, so the broker hands its message to another worker."""
    from datetime import timedelta

    from django.db.models import Exists, Max, OuterRef

    from tuning import conf as tuning_conf
    from tuning import services as tuning_services
    from tuning.models import JobEvent

    from .tasks import evaluation_run_task

    now = now or timezone.now()
    seconds = int(tuning_conf.get("TUNEMARKET_QUEUED_RESEND_SECONDS"))
    runs = EvaluationRun.objects.filter(job=OuterRef("pk"), attempt=OuterRef("attempt"))
    stale = (FineTuningJob.objects.filter(status=JobStatus.EVALUATING).annotate(
        has_run=Exists(runs),
        since=Max("events__created_at", filter=Q(events__to_status=JobStatus.EVALUATING)),
        resent=Max("events__created_at", filter=Q(events__type="evaluation_resent")),
    ).filter(Q(resent__isnull=True) | Q(resent__lt=now - timedelta(seconds=seconds)),
             has_run=False, since__lt=now - timedelta(seconds=seconds)))
    out = []
    for job in stale[:200]:
        with transaction.atomic():
            tuning_services.job_event(
                job=job, type="evaluation_resent", level=JobEvent.Level.WARN, data={"waited_seconds": seconds},
                message=f"No worker started the evaluation within {seconds // 60} minutes; it was queued again.")
            evaluation_run_task.delay_on_commit(job_id=job.pk)
        out.append(job.public_id)
    return out


PROGRESS_WRITE_SECONDS = 2.0


def _phase_recorder(run: EvaluationRun):
    """A listener for the runner's phases that stores how far the run is, at most every two seconds
    (and at every phase's start and end), for the job page and the API's `evaluation.progress`."""
    import time

    state: dict[str, Any] = {"phases": {}, "phase": "", "last": 0.0}

    def record(phase: str, fraction: float) -> None:
        state["phases"][phase] = round(fraction, 4)
        state["phase"] = phase
        now = time.monotonic()
        if fraction in (0.0, 1.0) or now - state["last"] >= PROGRESS_WRITE_SECONDS:
            state["last"] = now
            EvaluationRun.objects.filter(pk=run.pk).update(
                progress={"phases": dict(state["phases"]), "phase": phase})

    return record


def evaluation_run(*, job: FineTuningJob) -> EvaluationRun:
    """Evaluate a job in `evaluating` against its base model and settle it through the gate.

    Idempotent per training attempt: a completed run is returned as it is. The model work runs
    outside any transaction; the verdict, the job's new status and the card are written in one.
    """
    from tuning import selectors as tuning_selectors
    from tuning.backends.models import model_file_sha256

    from .suites import usage
    from .suites.runner import EvaluationInputs, evaluate_base_and_tuned, load_base_and_tuned

    job = FineTuningJob.objects.select_related("listing", "organization").get(pk=job.pk)
    done = EvaluationRun.objects.filter(job=job, attempt=job.attempt, status=EvaluationStatus.COMPLETED).first()
    if done is not None:
        return done
    if job.status != JobStatus.EVALUATING:
        raise Conflict(f"Job {job.public_id} is {job.status}, not evaluating.", code="job_not_evaluating")
    config = conf.suite_config()
    base_model = job.base_model or job.model
    with transaction.atomic():
        # A run left `running` by a worker that died is superseded by this one.
        EvaluationRun.objects.filter(job=job, status=EvaluationStatus.RUNNING).update(
            status=EvaluationStatus.FAILED, error="Superseded: the worker stopped before finishing.",
            finished_at=timezone.now())
        run = EvaluationRun.objects.create(job=job, attempt=job.attempt, base_model=base_model,
                                           suite_config=config.to_dict())
    try:
        adapter_dir = tuning_selectors.job_artifact_path(job)
        run.base_model_sha256 = model_file_sha256(base_model)
        run.adapter_sha256 = _adapter_sha256(adapter_dir)
        EvaluationRun.objects.filter(pk=run.pk).update(base_model_sha256=run.base_model_sha256,
                                                       adapter_sha256=run.adapter_sha256)
        training_examples = tuning_selectors.job_training_examples(job)
        inputs = EvaluationInputs(
            validation_examples=tuning_selectors.job_validation_examples(job),
            domain_examples=_domain_examples(job.listing),
            system_prompt=(job.training_config or {}).get("system_prompt") or None,
            training_system_prompts=usage.system_prompts(training_examples),
            user_template=usage.user_template(training_examples),
        )
        model, tokenizer = load_base_and_tuned(base_model, adapter_dir)
        report = evaluate_base_and_tuned(model, tokenizer, inputs, config, progress=_progress(job),
                                         on_phase=_phase_recorder(run))
        del model
        verdict = gate.gate_verdict(report)
    except Exception as exc:
        logger.exception("Evaluation of %s failed", job.public_id)
        EvaluationRun.objects.filter(pk=run.pk).update(
            status=EvaluationStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now())
        raise
    return _evaluation_settle(run=run, report=report, verdict=verdict)


@transaction.atomic
def _evaluation_settle(*, run: EvaluationRun, report: dict, verdict: gate.GateVerdict) -> EvaluationRun:
    from tuning import services as tuning_services

    job = FineTuningJob.objects.select_for_update().get(pk=run.job_id)
    run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
    run.report = report
    run.finished_at = timezone.now()
    if job.status != JobStatus.EVALUATING or job.attempt != run.attempt or run.status != EvaluationStatus.RUNNING:
        # Cancelled, re-queued or superseded meanwhile: keep the figures, decide nothing.
        run.status = EvaluationStatus.ABANDONED
        run.save(update_fields=["report", "finished_at", "status"])
        return run
    run.status = EvaluationStatus.COMPLETED
    run.passed = verdict.passed
    run.outcome = verdict.outcome
    run.gate_reasons = verdict.reasons
    run.gate_checks = verdict.checks_as_dicts()
    run.gate_thresholds = dict(gate.THRESHOLDS)
    run.save()
    job = tuning_services.job_evaluation_finished(job=job, passed=verdict.passed, reasons=verdict.reasons,
                                                  review=verdict.outcome == gate.REVIEW)
    model_card_issue(job=job, run=run)
    action = {gate.PASSED: "passed", gate.REVIEW: "sent_to_review"}.get(verdict.outcome, "blocked")
    audit_record(action=f"evaluation.gate_{action}", organization=job.organization,
                 target=run, job=job.public_id, reasons=verdict.reasons)
    return run


def _release_review_open(run: EvaluationRun) -> tuple[FineTuningJob, EvaluationRun]:
    job = FineTuningJob.objects.select_for_update().get(pk=run.job_id)
    run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
    if job.status != JobStatus.PENDING_RELEASE_REVIEW or run.outcome != gate.REVIEW or run.attempt != job.attempt:
        raise Conflict(f"{run.public_id} is not waiting for a release review (the job is {job.status}).",
                       code="not_pending_release_review")
    if run.release_decision:
        raise Conflict(f"{run.public_id} already has a release decision.", code="release_already_decided")
    return job, run


def _release_decision_record(run: EvaluationRun, *, actor: User, decision: str, reason: str) -> None:
    if not (actor and actor.is_staff):
        raise NotAllowed("Only a reviewer may decide a release review.")
    if not reason.strip():
        raise DomainError("A release decision needs a reason.", param="reason", code="reason_required")
    run.release_decision = {"decision": decision, "reviewer": actor.email, "reviewer_id": actor.pk,
                            "reason": reason.strip(), "at": timezone.now().isoformat()}
    run.save(update_fields=["release_decision"])


@transaction.atomic
def release_review_approve(*, run: EvaluationRun, actor: User, reason: str) -> EvaluationRun:
    """A reviewer releases a model the gate sent to human review (every point estimate passed; only an
    interval reached past a floor). A blocked model can never be approved: it never reaches review."""
    from tuning import services as tuning_services

    job, run = _release_review_open(run)
    _release_decision_record(run, actor=actor, decision="approve", reason=reason)
    job = tuning_services.job_evaluation_finished(job=job, passed=True, actor=actor,
                                                  reasons=[f"Released after human review by {actor.email}: {reason}"])
    model_card_issue(job=job, run=run)
    audit_record(action="evaluation.release_approved", actor=actor, organization=job.organization, target=run,
                 job=job.public_id, reason=reason)
    return run


@transaction.atomic
def release_review_block(*, run: EvaluationRun, actor: User, reason: str) -> EvaluationRun:
    """A reviewer blocks a model the gate sent to human review; the payment hold is released."""
    from tuning import services as tuning_services

    job, run = _release_review_open(run)
    _release_decision_record(run, actor=actor, decision="block", reason=reason)
    job = tuning_services.job_evaluation_finished(job=job, passed=False, actor=actor,
                                                  reasons=[f"Blocked after human review by {actor.email}: {reason}",
                                                           *run.gate_reasons])
    model_card_issue(job=job, run=run)
    audit_record(action="evaluation.release_blocked", actor=actor, organization=job.organization, target=run,
                 job=job.public_id, reason=reason)
    return run


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


def job_rerun_with_recipe(*, job: FineTuningJob, actor: User, hyperparameters: dict | None = None) -> FineTuningJob:
    """The provider re-runs a blocked job with a changed recipe: a new job (a new attempt) on the same
    data, use case, persona and seed, ordered for the same customer, then accepted by the provider.

    It goes through everything a new order does (terms, licence, payment authorisation, request
    review, training, evaluation, the gate); the blocked job stays blocked. To change the LoRA
    settings, the provider edits the listing's recipe first; ``hyperparameters`` replace the job's.
    """
    from tuning import services as tuning_services

    org = actor.organization
    provider_require_approved(organization=org)
    if org is None or org.pk != job.provider_id:
        raise NotFound(f"No job with id '{job.public_id}'.", param="job_id")
    job = FineTuningJob.objects.select_related("listing", "training_file", "validation_file").get(pk=job.pk)
    if job.status != JobStatus.BLOCKED:
        raise Conflict(f"Only a job blocked by the release gate can be re-run; this one is {job.status}.",
                       code="job_not_blocked")
    new_hp = dict(hyperparameters if hyperparameters is not None else job.hyperparameters)
    lora = _recipe_lora(job)
    if new_hp == dict(job.hyperparameters) and lora["now"] == lora["then"]:
        raise DomainError("Change the recipe (hyperparameters or the listing's LoRA settings) before re-running; "
                          "the same recipe would train the same model.", param="hyperparameters",
                          code="recipe_unchanged")
    metadata = {**(job.metadata or {}), "rerun_of": job.public_id}
    with transaction.atomic():
        new = tuning_services.job_create(
            user=job.created_by, listing=job.listing, training_file=job.training_file,
            validation_file=job.validation_file, model=job.model, use_case=job.use_case, method=job.method,
            hyperparameters=new_hp, suffix=job.suffix, seed=job.seed, metadata=metadata, persona=job.persona,
            grant_provider_samples=job.grant_provider_samples,
        )
        tuning_services.job_event(job=job, actor=actor, message=f"The provider re-ran this job as {new.public_id}.",
                                  data={"rerun": new.public_id, "hyperparameters": new_hp})
        new = tuning_services.job_provider_accept(job=new, actor=actor)
        audit_record(action="fine_tuning_job.rerun", actor=actor, organization=org, target=new, blocked=job.public_id)
    return new


def _recipe_lora(job: FineTuningJob) -> dict:
    """The LoRA settings the listing's recipe gives now, next to those the job trained with."""
    lora = (job.listing.recipe or {}).get("lora") or {}
    cfg = job.training_config or {}
    now = {"r": lora.get("r", cfg.get("lora_r")), "alpha": lora.get("alpha", cfg.get("lora_alpha")),
           "target_modules": list(lora.get("target_modules") or cfg.get("lora_target_modules") or [])}
    then = {"r": cfg.get("lora_r"), "alpha": cfg.get("lora_alpha"), "target_modules": list(cfg.get("lora_target_modules") or [])}
    return {"now": now, "then": then}


# --- model cards ----------------------------------------------------------------------------------


def _loss_points(job: FineTuningJob) -> list[dict]:
    from . import selectors

    return selectors.job_loss_curve(job)


def _review_section(job: FineTuningJob) -> dict | None:
    from tuning.review.screening import public_reasons

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
