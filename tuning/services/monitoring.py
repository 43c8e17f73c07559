"""After release: a row per chat completion (no content), user reports, and suspension.

Monitoring counts what the guard (review/guard.py) did per model and day; ``model_watch`` suspends a
model at once when its blocked-output rate over the last completions, or its open reports, pass the
configured limits (tuning/conf.py). A reviewer reinstates or revokes it with a reason. Every move of
``FineTuningJob.model_status`` goes through ``core.states.transition`` (MODEL_TRANSITIONS) and is
recorded in ``core.StateChange``; the owner's and the provider's members are told by mail.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import DomainError, NotFound
from core.models import StateChange
from core.states import transition

from .. import conf, crypto
from ..models import (
    MODEL_TRANSITIONS,
    REPORT_REASON_MAX_CHARS,
    REPORT_TRANSITIONS,
    CompletionReport,
    FineTuningJob,
    InferenceLog,
    ModelStatus,
    ReportStatus,
)
from .notices import job_notify

logger = logging.getLogger(__name__)


def answer_sha256(answer: str) -> str:
    return hashlib.sha256(answer.encode("utf-8")).hexdigest()


# --- one row per completion -----------------------------------------------------------------------
def inference_log_record(
    *, user: User, model: str, job: FineTuningJob | None, prompt_tokens: int, completion_tokens: int, latency_ms: int,
    finish_reason: str, completion_id: str | None = None, guard_stage: str = "", guard_category: str = "",
    answer: str = "",
) -> InferenceLog:
    log = InferenceLog.objects.create(
        organization=user.organization, user=user, model=model, job=job, prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens, latency_ms=latency_ms, finish_reason=finish_reason,
        completion_id=completion_id, guard_stage=guard_stage, guard_category=guard_category,
        answer_sha256=answer_sha256(answer) if answer else "",
    )
    if job is not None and guard_stage == "output":
        model_watch(job=job)
    return log


# --- reports --------------------------------------------------------------------------------------
def _encrypt_content(content: dict[str, Any]) -> tuple[bytes, str]:
    key = crypto.new_file_key()
    blob = b"".join(crypto.encrypt_chunks([json.dumps(content, ensure_ascii=False).encode("utf-8")], key))
    return blob, crypto.wrap_key(key)


def completion_report_content(report: CompletionReport) -> dict[str, Any] | None:
    """The content the reporter submitted, decrypted (for the reviewer); None when none was."""
    if not report.content_encrypted:
        return None
    import io

    key = crypto.unwrap_key(report.content_key)
    return json.loads(b"".join(crypto.decrypt_stream(io.BytesIO(bytes(report.content_encrypted)), key)))


def completion_report_create(
    *, user: User, completion_id: str, reason: str, include_content: bool = False,
    content: dict[str, Any] | None = None,
) -> CompletionReport:
    """Report a chat completion the caller's organisation received. Another organisation's is a 404.

    Nothing of the conversation is stored unless ``include_content`` is true; then ``content``
    (``{"answer": ..., "messages": [...]}``, what the reporter chooses to submit) is kept encrypted,
    and its answer must be the one that was sent (checked against the completion's SHA-256).
    """
    log = (InferenceLog.objects.select_related("job")
           .filter(completion_id=completion_id, organization=user.organization).first()
           if user.organization is not None and completion_id else None)
    if log is None:
        raise NotFound(f"The chat completion '{completion_id}' does not exist or you do not have access to it.",
                       param="completion_id", code="completion_not_found")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why you are reporting this completion.", param="reason", code="reason_required")
    if len(reason) > REPORT_REASON_MAX_CHARS:
        raise DomainError(f"The reason must be at most {REPORT_REASON_MAX_CHARS} characters.",
                               param="reason", code="reason_too_long")
    blob, wrapped = None, ""
    if include_content:
        if not isinstance(content, dict) or not isinstance(content.get("answer"), str):
            raise DomainError("With include_content, send content.answer (and optionally content.messages).",
                                   param="content", code="content_required")
        messages = content.get("messages", [])
        if not isinstance(messages, list) or not all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in messages
        ):
            raise DomainError("content.messages must be a list of {role, content} objects.",
                                   param="content.messages", code="invalid_content")
        if not log.answer_sha256 or answer_sha256(content["answer"]) != log.answer_sha256:
            raise DomainError("content.answer is not the answer this completion sent.",
                                   param="content.answer", code="content_mismatch")
        blob, wrapped = _encrypt_content({"answer": content["answer"], "messages": messages})
    with transaction.atomic():
        report = CompletionReport.objects.create(
            log=log, organization=log.organization, reporter=user, model=log.model, job=log.job, reason=reason,
            content_encrypted=blob, content_key=wrapped,
        )
    if log.job is not None:
        model_watch(job=log.job)
    return report


def _report_decide(*, report: CompletionReport, to: str, actor: User, reason: str) -> CompletionReport:
    with transaction.atomic():
        report = CompletionReport.objects.select_for_update().get(pk=report.pk)
        return transition(report, to=to, allowed=REPORT_TRANSITIONS, entity="completion report", actor=actor,
                          reason=reason, updates={"decided_by": actor, "decision_reason": reason})


def completion_report_dismiss(*, report: CompletionReport, actor: User, reason: str) -> CompletionReport:
    return _report_decide(report=report, to=ReportStatus.DISMISSED, actor=actor, reason=reason)


def completion_report_uphold(*, report: CompletionReport, actor: User, reason: str) -> CompletionReport:
    return _report_decide(report=report, to=ReportStatus.UPHELD, actor=actor, reason=reason)


# --- suspension -----------------------------------------------------------------------------------
def model_window(job: FineTuningJob, *, now=None) -> dict[str, Any]:
    """What ``model_watch`` decides on: the last completions' blocked outputs, and recent open reports."""
    now = now or timezone.now()
    size = int(conf.get("TUNEMARKET_MONITOR_WINDOW"))
    recent = list(InferenceLog.objects.filter(job=job).order_by("-created_at", "-id")
                  .values_list("guard_stage", flat=True)[:size])
    since = now - timedelta(days=int(conf.get("TUNEMARKET_MONITOR_REPORT_DAYS")))
    reports = CompletionReport.objects.filter(job=job, created_at__gte=since).exclude(
        status=ReportStatus.DISMISSED).count()
    blocked = sum(1 for stage in recent if stage == "output")
    return {"completions": len(recent), "blocked_outputs": blocked,
            "blocked_output_rate": blocked / len(recent) if recent else 0.0, "reports": reports}


def _suspension_cause(window: dict[str, Any]) -> str:
    limit = float(conf.get("TUNEMARKET_MONITOR_BLOCKED_OUTPUT_RATE"))
    if (window["completions"] >= int(conf.get("TUNEMARKET_MONITOR_MIN_COMPLETIONS"))
            and window["blocked_output_rate"] > limit):
        return (f"{window['blocked_outputs']} of its last {window['completions']} answers were blocked by the guard "
                f"({window['blocked_output_rate']:.0%}, limit {limit:.0%}).")
    if window["reports"] >= int(conf.get("TUNEMARKET_MONITOR_REPORT_LIMIT")):
        return (f"{window['reports']} user reports in the last {conf.get('TUNEMARKET_MONITOR_REPORT_DAYS')} days "
                f"(limit {conf.get('TUNEMARKET_MONITOR_REPORT_LIMIT')}).")
    return ""


def model_watch(*, job: FineTuningJob) -> FineTuningJob:
    """Suspend an active model at once when its window passes a limit (called after each block and report)."""
    if job.model_status != ModelStatus.ACTIVE:
        return job
    cause = _suspension_cause(model_window(job))
    if not cause:
        return job
    return model_suspend(job=job, actor=None, reason=f"Suspended automatically: {cause}")


def _model_move(*, job: FineTuningJob, to: str, actor: User | None, reason: str) -> FineTuningJob:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("A reason is required.", param="reason", code="reason_required")
    with transaction.atomic():
        job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
        transition(job, to=to, allowed=MODEL_TRANSITIONS, entity="model", field="model_status", actor=actor,
                   reason=reason, updates={"model_status_reason": reason})
        detail = ("\nChat completions and downloads answer 403 (model_suspended) until a reviewer "
                  "reinstates or revokes it.\n") if to == ModelStatus.SUSPENDED else ""
        # The move is the event: its history row's id keeps a second suspension a second mail.
        move = StateChange.history(job).filter(field="model_status").latest("id")
        job_notify("model_status", job=job, qualifier=str(move.pk), model=job.fine_tuned_model or job.public_id,
                   status=to, reason=reason, detail=detail)
    return job


def model_suspend(*, job: FineTuningJob, actor: User | None, reason: str) -> FineTuningJob:
    return _model_move(job=job, to=ModelStatus.SUSPENDED, actor=actor, reason=reason)


def model_reinstate(*, job: FineTuningJob, actor: User, reason: str) -> FineTuningJob:
    return _model_move(job=job, to=ModelStatus.ACTIVE, actor=actor, reason=reason)


def model_revoke(*, job: FineTuningJob, actor: User, reason: str) -> FineTuningJob:
    return _model_move(job=job, to=ModelStatus.REVOKED, actor=actor, reason=reason)
