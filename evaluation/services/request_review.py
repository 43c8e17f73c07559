"""The request review before any training: automatic screening, then reviewers' decisions
(two distinct approvals for high-risk requests; one rejection is final)."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.states import transition
from tuning.models import FineTuningJob, JobStatus

from ..models import (
    REVIEW_TRANSITIONS,
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
    from review.screening import screen_request

    job = FineTuningJob.objects.select_related("listing", "organization").get(pk=job.pk)
    existing = RequestReview.objects.filter(job=job).first()
    if existing is not None:
        return existing
    if job.status != JobStatus.PENDING_REVIEW:
        raise Conflict(f"Job {job.public_id} is {job.status}, not waiting for review.", code="job_not_in_review")

    # Decrypting and embedding the data takes seconds: done before any row is locked.
    try:
        examples = tuning_selectors.job_training_examples(job)
        # A calibration job's labelled items are data too: screened as the chats they are asked in.
        from tuning.validation import item_messages

        examples += [{"messages": item_messages(item)} for item in tuning_selectors.job_calibration_items(job) or []]
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
    from review import policy
    from review.reasons import Reason, ScreeningResult

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
    transition(review, to=ReviewStatus.APPROVED, allowed=REVIEW_TRANSITIONS, entity="request review", actor=actor,
               reason=reason, updates={"decided_at": timezone.now()})
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
    transition(review, to=ReviewStatus.REJECTED, allowed=REVIEW_TRANSITIONS, entity="request review", actor=actor,
               reason=reason.strip(), updates={"decided_at": timezone.now()})
    audit_record(action="request_review.rejected_by_reviewer", actor=actor, organization=review.job.organization,
                 target=review, reason=reason)
    tuning_services.job_review_decided(job=review.job, approved=False, actor=actor, reason=reason.strip())
    return review
