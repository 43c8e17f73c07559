"""One row per chat completion served (no content is kept)."""
from __future__ import annotations

from accounts.models import User

from ..models import FineTuningJob, InferenceLog


# --- inference ------------------------------------------------------------------------------------
def inference_log_record(
    *, user: User, model: str, job: FineTuningJob | None, prompt_tokens: int, completion_tokens: int, latency_ms: int,
    finish_reason: str,
) -> InferenceLog:
    return InferenceLog.objects.create(
        organization=user.organization, user=user, model=model, job=job, prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens, latency_ms=latency_ms, finish_reason=finish_reason,
    )
