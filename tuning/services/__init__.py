"""Writes for dataset files and fine-tuning jobs, by sub-domain:

- `state`: `job_transition` (the only way a job's status changes) and `job_event`;
- `datasets`: `file_*`;
- `jobs`: creation, the provider's answer, review and gate outcomes, cancel, delivery (the orchestrator);
- `worker`: the training worker's fenced writes and the reaper;
- `monitoring`: a row per chat completion, user reports, and a released model's suspension.

`grep -rn "^def " tuning/services/` lists every action.
"""
from .state import (
    StaleAttempt,
    job_event,
    job_transition,
)
from .datasets import (
    file_content_read,
    file_delete,
    file_samples_read,
    file_upload,
    file_validate,
)
from .jobs import (
    TooManyRejections,
    fine_tuned_model_id,
    job_accept_delivery,
    job_cancel,
    job_create,
    job_create_allowed,
    job_estimate,
    job_evaluation_failed,
    job_evaluation_finished,
    job_provider_accept,
    job_provider_decline,
    job_review_decided,
    job_system_prompt,
    job_training_split,
    jobs_end_for_unavailable_provider,
)
from .worker import (
    job_claim,
    job_heartbeat,
    job_note,
    job_reap_expired_leases,
    job_record_checkpoint,
    job_record_progress,
    job_resend_unclaimed,
    job_resend_unscreened,
    job_training_failed,
    job_training_finished,
)
from .monitoring import (
    completion_report_content,
    completion_report_create,
    completion_report_dismiss,
    completion_report_uphold,
    inference_log_record,
    model_reinstate,
    model_revoke,
    model_suspend,
    model_watch,
    model_window,
)
from .perspectives import (
    viewpoint_set_approve,
    viewpoint_set_create,
    viewpoint_set_reject,
    viewpoint_set_retire,
)

__all__ = [
    "StaleAttempt",
    "job_event",
    "job_transition",
    "file_content_read",
    "file_delete",
    "file_samples_read",
    "file_upload",
    "file_validate",
    "TooManyRejections",
    "fine_tuned_model_id",
    "job_accept_delivery",
    "job_cancel",
    "job_create",
    "job_create_allowed",
    "job_estimate",
    "job_evaluation_failed",
    "job_evaluation_finished",
    "job_provider_accept",
    "job_provider_decline",
    "job_review_decided",
    "job_system_prompt",
    "job_training_split",
    "jobs_end_for_unavailable_provider",
    "job_claim",
    "job_heartbeat",
    "job_note",
    "job_reap_expired_leases",
    "job_record_checkpoint",
    "job_record_progress",
    "job_resend_unclaimed",
    "job_resend_unscreened",
    "job_training_failed",
    "job_training_finished",
    "completion_report_content",
    "completion_report_create",
    "completion_report_dismiss",
    "completion_report_uphold",
    "inference_log_record",
    "model_reinstate",
    "model_revoke",
    "model_suspend",
    "model_watch",
    "model_window",
    "viewpoint_set_approve",
    "viewpoint_set_create",
    "viewpoint_set_reject",
    "viewpoint_set_retire",
]
