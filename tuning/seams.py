"""Calls into other apps' code, one function per seam, imported at call time.

Payments (marketplace.payments.services) fail closed: without the licence gate or payment
authorisation no job can be created. Releasing a payment or recording usage when the
payments code is absent does nothing, because then nothing was ever authorised.

Evaluation (tuning.evaluation): when its tasks are absent the job waits for a person
(pending_review) or in `evaluating`, and an event says so; `model_is_released` falls back to
"the job succeeded" (job_evaluation_finished only sets succeeded when the gate passed).
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

from core.errors import DomainError

logger = logging.getLogger(__name__)


class ServiceUnavailable(DomainError):
    status_code = 503
    type = "api_error"
    code = "service_unavailable"


def _optional(module: str, name: str):
    """The function `module.name`, or None when that module or function does not exist yet.

    Only the absence of the module itself counts: an ImportError raised inside it is a bug and
    propagates.
    """
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            return None
        raise
    return getattr(mod, name, None)


def _required(module: str, name: str):
    fn = _optional(module, name)
    if fn is None:
        raise ServiceUnavailable(
            "Licensing and payments are not available on this server, so no tuning job can be created.",
        )
    return fn


PAYMENTS = "marketplace.payments.services"


def license_gate_check(*, organization, listing, training_tokens: int) -> None:
    _required(PAYMENTS, "license_gate_check")(organization=organization, listing=listing, training_tokens=training_tokens)


def license_usage_record(*, organization, job, training_tokens: int) -> None:
    fn = _optional(PAYMENTS, "license_usage_record")
    if fn is not None:
        fn(organization=organization, job=job, training_tokens=training_tokens)


def job_payment_authorize(*, job):
    return _required(PAYMENTS, "job_payment_authorize")(job=job)


def job_payment_capture(*, job):
    return _required(PAYMENTS, "job_payment_capture")(job=job)


def job_payment_release(*, job, reason: str):
    fn = _optional(PAYMENTS, "job_payment_release")
    return fn(job=job, reason=reason) if fn is not None else None


def job_payment_out(job) -> dict | None:
    fn = _optional(PAYMENTS, "job_payment_out")
    return fn(job) if fn is not None else None


def job_review_out(job) -> dict | None:
    fn = _optional("tuning.evaluation.selectors", "job_review_out")
    return fn(job) if fn is not None else None


def job_evaluation_out(job) -> dict | None:
    fn = _optional("tuning.evaluation.selectors", "job_evaluation_out")
    return fn(job) if fn is not None else None


def model_is_released(job) -> bool:
    fn = _optional("tuning.evaluation.services", "model_is_released")
    if fn is None:
        from .models import JobStatus

        return job.status == JobStatus.SUCCEEDED
    return bool(fn(job))


def evaluation_resend_lost() -> list[str]:
    """Re-queue evaluations whose message was lost (tuning.evaluation.services), or nothing without evaluation."""
    fn = _optional("tuning.evaluation.services", "evaluation_resend_lost")
    return fn() if fn is not None else []


def evaluation_task(name: str) -> Any | None:
    """tuning.evaluation.tasks.<name> (review_screen_task, evaluation_run_task) or None."""
    return _optional("tuning.evaluation.tasks", name)
