"""A provider re-runs a job with another recipe: a new job, through the same review and gate."""
from __future__ import annotations

from django.db import transaction

from accounts.models import User
from accounts.services import audit_record, provider_require_approved
from core.errors import Conflict, DomainError, NotFound
from tuning.models import FineTuningJob, JobStatus



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
