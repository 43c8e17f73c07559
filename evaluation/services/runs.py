"""Evaluation runs and the release gate: evaluate the trained adapter against its base model, settle
the verdict (released, blocked or sent to a release reviewer), and answer whether a model is released."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.states import transition
from tuning.models import FineTuningJob, JobStatus

from .. import conf, gate
from ..models import EVALUATION_TRANSITIONS, EvaluationRun, EvaluationStatus, RunKind
from .model_cards import model_card_issue
from .releases import _adapter_sha256, latest_completed_run

logger = logging.getLogger(__name__)


def _domain_examples(listing) -> list[dict] | None:
    """The provider's domain evaluation set, when the marketplace offers one for the listing."""
    from marketplace.selectors import listing_domain_eval_examples

    examples = listing_domain_eval_examples(listing)
    return list(examples) if examples else None


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

    from ..tasks import evaluation_run_task

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


def _supersede_running(job: FineTuningJob) -> None:
    for stale in EvaluationRun.objects.select_for_update().filter(job=job, status=EvaluationStatus.RUNNING):
        transition(stale, to=EvaluationStatus.FAILED, allowed=EVALUATION_TRANSITIONS, entity="evaluation run",
                   reason="Superseded: the worker stopped before finishing.",
                   updates={"error": "Superseded: the worker stopped before finishing.", "finished_at": timezone.now()})


CALIBRATION_FILE = "calibration.json"


def calibration_save(adapter_dir, suite: dict) -> None:
    """The fitted calibration beside the adapter (calibration.json): chat completions read it, the download
    zip carries it and the card records it. Written whatever the verdict: a blocked model is never served."""
    import json
    from pathlib import Path

    from ..suites.confidence import fitted_calibration

    path = Path(adapter_dir) / CALIBRATION_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(fitted_calibration(suite), indent=1, sort_keys=True))
    tmp.replace(path)


def _measure(job: FineTuningJob, run: EvaluationRun) -> tuple[dict, gate.GateVerdict]:
    """Run every suite on base and tuned and apply the gate; a failure marks the run failed and raises."""
    from tuning import selectors as tuning_selectors
    from tuning.backends.models import model_file_sha256

    from ..suites import usage
    from ..suites.runner import EvaluationInputs, evaluate_base_and_tuned, load_base_and_tuned

    try:
        adapter_dir = tuning_selectors.job_artifact_path(job)
        run.base_model_sha256 = model_file_sha256(run.base_model)
        run.adapter_sha256 = _adapter_sha256(adapter_dir)
        EvaluationRun.objects.filter(pk=run.pk).update(base_model_sha256=run.base_model_sha256,
                                                       adapter_sha256=run.adapter_sha256)
        training_examples = tuning_selectors.job_training_examples(job)
        calibration_spec = (job.method or {}).get("calibration") or {}
        inputs = EvaluationInputs(
            calibration_items=tuning_selectors.job_calibration_items(job),
            calibration_target_risk=float(calibration_spec.get("target_risk", 0.05)),
            calibration_seed=int(job.seed or 0),
            validation_examples=tuning_selectors.job_validation_examples(job),
            domain_examples=_domain_examples(job.listing),
            system_prompt=(job.training_config or {}).get("system_prompt") or None,
            training_system_prompts=usage.system_prompts(training_examples),
            user_template=usage.user_template(training_examples),
        )
        model, tokenizer = load_base_and_tuned(run.base_model, adapter_dir)
        report = evaluate_base_and_tuned(model, tokenizer, inputs, conf.suite_config(), progress=_progress(job),
                                         on_phase=_phase_recorder(run))
        del model
        if "calibration" in report["suites"]:
            calibration_save(adapter_dir, report["suites"]["calibration"])
        return report, gate.gate_verdict(report)
    except Exception as exc:
        logger.exception("Evaluation of %s failed", job.public_id)
        with transaction.atomic():
            failed = EvaluationRun.objects.select_for_update().get(pk=run.pk)
            if failed.status == EvaluationStatus.RUNNING:
                error = f"{type(exc).__name__}: {exc}"[:2000]
                transition(failed, to=EvaluationStatus.FAILED, allowed=EVALUATION_TRANSITIONS, entity="evaluation run",
                           reason=error, updates={"error": error, "finished_at": timezone.now()})
        raise


def evaluation_run(*, job: FineTuningJob) -> EvaluationRun:
    """Evaluate a job in `evaluating` against its base model and settle it through the gate.

    Idempotent per training attempt: a completed run is returned as it is. The model work runs
    outside any transaction; the verdict, the job's new status and the card are written in one.
    """
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
        _supersede_running(job)
        run = EvaluationRun.objects.create(job=job, attempt=job.attempt, base_model=base_model,
                                           suite_config=config.to_dict(), safety_fingerprint=conf.safety_fingerprint())
    report, verdict = _measure(job, run)
    return _evaluation_settle(run=run, report=report, verdict=verdict)


def _run_complete(run: EvaluationRun, *, report: dict, verdict: gate.GateVerdict, reason: str) -> None:
    """A running evaluation becomes completed with the gate's verdict (release and re-check runs alike)."""
    transition(run, to=EvaluationStatus.COMPLETED, allowed=EVALUATION_TRANSITIONS, entity="evaluation run",
               reason=reason, updates={
                   "report": report, "finished_at": run.finished_at, "passed": verdict.passed,
                   "outcome": verdict.outcome, "gate_reasons": verdict.reasons,
                   "gate_checks": verdict.checks_as_dicts(), "gate_thresholds": dict(gate.THRESHOLDS)})


@transaction.atomic
def _evaluation_settle(*, run: EvaluationRun, report: dict, verdict: gate.GateVerdict) -> EvaluationRun:
    from tuning import services as tuning_services

    job = FineTuningJob.objects.select_for_update().get(pk=run.job_id)
    run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
    run.report = report
    run.finished_at = timezone.now()
    if job.status != JobStatus.EVALUATING or job.attempt != run.attempt or run.status != EvaluationStatus.RUNNING:
        # Cancelled, re-queued or superseded meanwhile: keep the figures, decide nothing.
        if run.status == EvaluationStatus.ABANDONED:
            run.save(update_fields=["report", "finished_at"])
        else:
            transition(run, to=EvaluationStatus.ABANDONED, allowed=EVALUATION_TRANSITIONS, entity="evaluation run",
                       reason=f"The job is {job.status} (attempt {job.attempt}); the verdict is not applied.",
                       updates={"report": report, "finished_at": run.finished_at})
        return run
    _run_complete(run, report=report, verdict=verdict, reason=f"The gate's verdict: {verdict.outcome}.")
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


# --- re-checks after a safety change -------------------------------------------------------------
def evaluation_rechecks_due() -> list[FineTuningJob]:
    """Released models (not revoked) whose latest completed evaluation ran under other safety sources or
    suites than today's (conf.safety_fingerprint)."""
    from tuning.models import ModelStatus

    fingerprint = conf.safety_fingerprint()
    jobs = (FineTuningJob.objects.filter(status=JobStatus.SUCCEEDED).exclude(fine_tuned_model="")
            .exclude(model_status=ModelStatus.REVOKED))
    latest: dict[int, str] = {}
    for job_id, value in (EvaluationRun.objects.filter(job__in=jobs, status=EvaluationStatus.COMPLETED)
                          .order_by("job_id", "-finished_at", "-id").values_list("job_id", "safety_fingerprint")):
        latest.setdefault(job_id, value)
    return [job for job in jobs if job.pk in latest and latest[job.pk] != fingerprint]


def evaluation_rechecks_queue() -> list[str]:
    """Queue a background re-check (the training queue) of every released model that is due."""
    from .. import tasks

    due = evaluation_rechecks_due()
    for job in due:
        transaction.on_commit(lambda pk=job.pk: tasks.evaluation_recheck_task.delay(pk))
    return [job.public_id for job in due]


def evaluation_recheck(*, job: FineTuningJob) -> EvaluationRun:
    """Re-evaluate a released model with today's suites, gate and platform base sources.

    Idempotent: a model already checked under today's fingerprint returns that run. A model that no
    longer passes is suspended at once (its latest run decides model_is_released, so it is also
    refused), and its owner and provider are told why by mail."""
    from tuning import services as tuning_services
    from tuning.models import ModelStatus

    job = FineTuningJob.objects.select_related("listing", "organization").get(pk=job.pk)
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(f"Job {job.public_id} is {job.status}: only released models are re-checked.",
                       code="job_not_released")
    fingerprint = conf.safety_fingerprint()
    latest = latest_completed_run(job)
    if latest is not None and latest.safety_fingerprint == fingerprint:
        return latest
    with transaction.atomic():
        _supersede_running(job)
        run = EvaluationRun.objects.create(job=job, attempt=job.attempt, base_model=job.base_model or job.model,
                                           suite_config=conf.suite_config().to_dict(), kind=RunKind.RECHECK,
                                           safety_fingerprint=fingerprint)
    report, verdict = _measure(job, run)
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
        run.finished_at = timezone.now()
        _run_complete(run, report=report, verdict=verdict,
                      reason=f"Re-check after a safety change: {verdict.outcome}.")
        audit_record(action=f"evaluation.recheck_{'passed' if verdict.passed else 'failed'}",
                     organization=job.organization, target=run, job=job.public_id, reasons=verdict.reasons)
        job.refresh_from_db()
        if not verdict.passed and job.model_status == ModelStatus.ACTIVE:
            reasons = "; ".join(verdict.reasons) or verdict.outcome
            tuning_services.model_suspend(job=job, actor=None, reason=(
                f"Re-checked after the safety suites, the guard or the platform base changed, the model no "
                f"longer passes the release gate: {reasons}"))
    return run
