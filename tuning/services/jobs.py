"""A job's life from the order to delivery: creation (licence gate, payment hold), the provider's answer,
the review's and the release gate's outcomes, cancellation and accepted delivery.

This is the orchestrator of a job: it calls payments, review and evaluation directly."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import OrganizationKind, User
from accounts.services import ProviderNotApproved, agreement_require_current, audit_record, provider_require_approved
from core.errors import Conflict, DomainError, NotAllowed, NotFound
from payments import services as payments

from .. import conf, planning
from ..models import (
    LIVE_STATUSES,
    USE_CASE_MAX_CHARS,
    DatasetFile,
    FileStatus,
    FineTuningJob,
    JobEvent,
    JobStatus,
)
from ..validation import DIGEST_BYTES
from .notices import job_notify, review_reasons, site_url
from .state import _error, job_event, job_transition
from .worker import _enqueue_training


# --- jobs: creation and the marketplace steps ----------------------------------------------------------
_SUFFIX = re.compile(r"^[A-Za-z0-9_\-]{0,40}$")


def _resolve_listing(listing):
    """A published listing of an approved provider; anything else does not exist for ordering (as the
    catalogue answers 404 for a suspended provider's listing)."""
    from marketplace.models import Listing, ListingStatus

    if isinstance(listing, Listing):
        found = listing if listing.status == ListingStatus.PUBLISHED else None
        shown = listing.public_id
    else:
        found = Listing.objects.select_related("provider").filter(public_id=str(listing or ""),
                                                                  status=ListingStatus.PUBLISHED).first()
        shown = listing
    if found is not None:
        try:
            provider_require_approved(organization=found.provider)
        except ProviderNotApproved:
            found = None
    if found is None:
        raise NotFound(f"No published listing with id '{shown}'.", param="listing", code="listing_not_found")
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
    if method == planning.PERSPECTIVES:
        checked = file.validation.get("stats", {}).get("perspectives") or {}
        examples = int(file.validation.get("stats", {}).get("examples", 0))
        if int(checked.get("examples", -1)) != examples:
            issues = checked.get("issues") or []
            where = "; ".join(f"line {i['line']}: {i['message']}" for i in issues[:3])
            raise DomainError(
                f"File {public_id} is not in the perspectives structure (every answer: '## <viewpoint>' sections, "
                f"then '## Synthesis'): {examples - int(checked.get('examples', 0))} of {examples} examples do "
                f"not follow it ({where or 'validated before this check existed; upload it again'}).",
                param=param, code="invalid_file",
            )
    return file


def _resolve_items_file(value, *, org) -> DatasetFile:
    """A calibration job's labelled items: the organisation's own processed file in the calibration format."""
    param = "method.calibration.items_file"
    file = DatasetFile.objects.filter(public_id=str(value)).first()
    if file is None or file.organization_id != org.pk or file.deleted_at is not None:
        raise DomainError(f"File {value} does not exist.", param=param, code="invalid_file")
    if file.purpose != "fine-tune" or file.status != FileStatus.PROCESSED:
        raise DomainError(f"File {value} cannot be used: its status is '{file.status}'.", param=param, code="invalid_file")
    if file.validation.get("format") != "calibration":
        raise DomainError(f"File {value} holds {file.validation.get('format')} examples; calibration needs labelled "
                          "items (docs/calibration.md).", param=param, code="invalid_file")
    n = int(file.validation.get("stats", {}).get("examples", 0))
    if n < planning.CALIBRATION_MIN_ITEMS:
        raise DomainError(f"File {value} has {n} items; calibration needs at least {planning.CALIBRATION_MIN_ITEMS} "
                          "(half to fit, half held out to measure).", param=param, code="too_few_items")
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
    use it, and as screening sees it (built by review.prompts.compose_system_prompt)."""
    return (job.training_config or {}).get("system_prompt") or None


class TooManyRejections(DomainError):
    status_code = 429
    type = "rate_limit_error"
    code = "too_many_rejected_requests"


def _rejections_recent(org) -> int:
    # The review rows are the record of what screening rejected, so the count needs no cache to drift.
    from evaluation.models import RequestReview
    from review import policy

    since = timezone.now() - timedelta(seconds=policy.REJECTION_WINDOW_SECONDS)
    return RequestReview.objects.filter(job__organization=org, outcome="reject", created_at__gte=since).count()


def job_create_allowed(*, organization) -> None:
    """Screening is not an oracle: after REJECTION_LIMIT_PER_HOUR rejected requests in the last hour, an
    organisation waits before it orders again (429 rate_limit_error), so it cannot probe the screen by
    resubmitting variations until one passes."""
    from review import policy

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
    if org is None or org.kind not in (OrganizationKind.CUSTOMER, OrganizationKind.PROVIDER):
        raise NotAllowed("Only customer organisations can order fine-tuning jobs.", code="not_a_customer")
    agreement_require_current(user=user)
    job_create_allowed(organization=org)
    listing = _resolve_listing(listing)
    if org.kind == OrganizationKind.PROVIDER and listing.provider_id != org.pk:
        # A provider orders only its own listings, as its own customer, to build a specialist model
        # (specialists/): the same licence gate, payment, review, training, evaluation and gate as anyone.
        raise NotAllowed("A provider organisation may order only its own listings (to build a specialist model).",
                         param="listing", code="not_a_customer")
    if not isinstance(use_case, str) or not use_case.strip():
        raise DomainError("use_case is required: say what the tuned model is for.", param="use_case", code="missing_use_case")
    if len(use_case) > USE_CASE_MAX_CHARS:
        raise DomainError(f"use_case must be at most {USE_CASE_MAX_CHARS} characters.", param="use_case",
                          code="invalid_use_case")
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
    stored_method: dict = {"type": kind}
    if kind == planning.CALIBRATION:
        items_id, target_risk = planning.parse_calibration(method)
        items_file = _resolve_items_file(items_id, org=org)
        stored_method["calibration"] = {"items_file": items_file.public_id, "target_risk": target_risk}
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
        from review.persona import validate_persona

        checked = validate_persona(persona)
        if not checked.ok:
            issue = checked.errors[0]
            raise DomainError(issue.message, param=f"persona.{issue.key}" if issue.key else "persona", code=f"persona_{issue.code}")
        persona = checked.settings
    # The one composed prompt: training, evaluation and inference read it from the config, and
    # screening is given this same stored string (job_system_prompt).
    from review.prompts import compose_system_prompt

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
        use_case=use_case.strip(), method=stored_method, hyperparameters=resolved, suffix=suffix or "", seed=seed,
        metadata=metadata, training_file=train_file, validation_file=val_file, persona=persona or None,
        grant_provider_samples=bool(grant_provider_samples), base_model=base_model, backend=backend, queue=queue,
        training_config=config,
    )
    estimate = job_estimate(job)
    dataset_bytes = train_file.bytes + (val_file.bytes if val_file is not None else 0)
    payments.license_gate_check(organization=org, listing=listing, training_tokens=estimate.total_tokens,
                                dataset_bytes=dataset_bytes)
    # The job takes its quota now (payments gives it back if the job ends before training starts).
    payments.license_usage_record(organization=org, job=job, training_tokens=estimate.total_tokens)
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
    job_notify("new_request", job=job)
    # Last, so nothing after it can roll the job back and leave a hold on the card; a declined card
    # raises 402 and rolls everything above back: no job (and no mail: it is sent after the commit).
    payments.job_payment_authorize(job=job)
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
    # Imported here: evaluation's services report back through this module (job_review_decided).
    from evaluation.tasks import review_screen_task

    review_screen_task.delay_on_commit(job_id=job.pk)
    audit_record(action="fine_tuning_job.provider_accepted", actor=actor, organization=actor.organization, target=job)
    job_notify("provider_answered", job=job, answer="accepted",
               detail="Next, Tunemarket's safety review screens the request; you will hear its outcome.")
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
    payments.job_payment_release(job=job, reason=f"declined by provider: {reason.strip()}")
    audit_record(action="fine_tuning_job.provider_declined", actor=actor, organization=actor.organization, target=job, reason=reason)
    job_notify("provider_answered", job=job, answer="declined",
               detail=f"Their reason: {reason.strip()}\n\nAny hold on your card is released.")
    return job


@transaction.atomic
def jobs_end_for_unavailable_provider(*, provider, reason: str) -> list[str]:
    """A provider that may no longer work (suspended): its jobs still waiting for its answer end now,
    the card holds are released, and each customer reads why in the job's events. Jobs already past
    the provider's answer run on Tunemarket's own workers and go on."""
    ended = []
    for job in FineTuningJob.objects.select_for_update().filter(provider=provider, status=JobStatus.PENDING_PROVIDER):
        message = f"The provider can no longer take this job ({reason}); the hold on your card is released."
        job = job_transition(job=job, to=JobStatus.CANCELLED, actor=None, message=message,
                             error=_error("provider_unavailable", message))
        payments.job_payment_release(job=job, reason=f"provider unavailable: {reason}")
        ended.append(job.public_id)
    return ended


@transaction.atomic
def job_review_decided(*, job: FineTuningJob, approved: bool, actor: User | None = None, reason: str = "") -> FineTuningJob:
    if approved:
        job = job_transition(
            job=job, to=JobStatus.QUEUED, actor=actor,
            message="The request passed review; queued for training." + (f" {reason}" if reason else ""),
        )
        _enqueue_training(job)
        job_notify("review_decided", job=job, outcome="approved", reasons=review_reasons(job, reason=reason, actor=actor),
                   detail="Training is queued; you will hear when it finishes.")
        return job
    job = job_transition(
        job=job, to=JobStatus.REJECTED, actor=actor, message=f"The request was rejected in review: {reason}".strip(),
        error=_error("rejected_in_review", reason or "The request did not pass review."),
    )
    payments.job_payment_release(job=job, reason=f"rejected in review: {reason}")
    job_notify("review_decided", job=job, outcome="rejected", reasons=review_reasons(job, reason=reason, actor=actor),
               detail="Nothing is trained and any hold on your card is released. If you believe this is wrong, "
                      "you may appeal.")
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
    payments.job_payment_release(job=job, reason="cancelled by " + ("an administrator" if actor.is_staff else "the customer"))
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
    from evaluation.services import model_is_released

    if not model_is_released(job):
        raise NotAllowed("This model did not pass the release gate and cannot be delivered.", code="model_blocked")
    payments.job_payment_capture(job=job)
    if job.delivery_accepted_at is None:
        job.delivery_accepted_at = timezone.now()
        job.save(update_fields=["delivery_accepted_at"])
        job_event(job=job, message="The customer accepted delivery.", actor=actor)
        audit_record(action="fine_tuning_job.delivery_accepted", actor=actor, organization=org, target=job)
        job_notify("delivery_accepted", job=job)
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
    listed = "\n".join(f"- {r}" for r in reasons or []) or "- Every check passed."
    report = site_url(f"/jobs/{job.public_id}/evaluation")
    if review and not passed:
        job = job_transition(
            job=job, to=JobStatus.PENDING_RELEASE_REVIEW, updates=updates,
            message=f"The model meets every safety floor on its estimates, but not with certainty; a reviewer "
                    f"decides before release: {text}", data={"reasons": reasons or []},
        )
        job_notify("gate_verdict", job=job, qualifier=f"{job.status}:{job.attempt}", verdict="sent to human review",
                   reasons=listed, url=report,
                   detail="The model meets every safety floor on its estimates, but not with certainty, so a reviewer "
                          "decides before it is released. You will hear the decision.")
        return job
    if passed:
        job = job_transition(
            job=job, to=JobStatus.SUCCEEDED, updates=updates, actor=actor,
            message="The model passed evaluation and is released: " + updates["fine_tuned_model"],
            data={"reasons": reasons or []},
        )
        job_notify("gate_verdict", job=job, qualifier=f"{job.status}:{job.attempt}", verdict="passed",
                   reasons=listed, url=report, detail=f"The model {job.fine_tuned_model} is released.")
        job_notify("delivery_ready", job=job, qualifier=str(job.attempt))
        return job
    job = job_transition(
        job=job, to=JobStatus.BLOCKED, updates=updates, actor=actor,
        message=f"The model was blocked by the release gate: {text}",
        error=_error("blocked_by_release_gate", text or "The model did not pass evaluation."), data={"reasons": reasons or []},
    )
    payments.job_payment_release(job=job, reason=f"blocked by the release gate: {text}")
    job_notify("gate_verdict", job=job, qualifier=f"{job.status}:{job.attempt}", verdict="blocked", reasons=listed,
               url=report, detail="The model cannot be used or downloaded, and any hold on your card is released.")
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
    payments.job_payment_release(job=job, reason="evaluation failed")
    return job
