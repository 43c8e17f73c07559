"""Chat completions with base and fine-tuned models, and adapter downloads.

Each process keeps one backend object per backend name, so the backend's bounded cache of
loaded models (base + merged adapter; tuning.backends.models.ModelCache, two entries by default)
survives between requests.
"""
from __future__ import annotations

import tempfile
import threading
import time
import zipfile
from typing import Any

from core.errors import DomainError, NotAllowed, NotFound

from evaluation.services import model_is_released

from . import conf, selectors, services
from .models import FineTuningJob

_backends: dict[str, Any] = {}
_lock = threading.Lock()
CONTEXT_TOKENS = 8192


def backend_for(name: str):
    with _lock:
        if name not in _backends:
            from tuning.backends.base import get_backend

            _backends[name] = get_backend(name)
        return _backends[name]


def resolve_model(*, user, model_id: str, param: str = "model") -> FineTuningJob | None:
    """None for a base model; the job for a fine-tuned one the caller may use.

    A model that did not pass (or no longer passes) the release gate is refused to everyone (403);
    another organisation's model does not exist for the caller (404).
    """
    if model_id in selectors.base_model_ids():
        return None
    job = selectors.model_job(model_id)
    if job is None:
        raise NotFound(f"The model '{model_id}' does not exist or you do not have access to it.", param=param, code="model_not_found")
    if not model_is_released(job):
        raise NotAllowed(
            f"The model '{model_id}' is blocked: it did not pass the release gate and cannot be used or downloaded.",
            param=param, code="model_blocked",
        )
    if user.organization is None or job.organization_id != user.organization.pk:
        raise NotFound(f"The model '{model_id}' does not exist or you do not have access to it.", param=param, code="model_not_found")
    return job


def chat_completion(
    *, user, model_id: str, messages: list[dict[str, str]], max_tokens: int, temperature: float, seed: int | None,
) -> dict[str, Any]:
    job = resolve_model(user=user, model_id=model_id)
    if job is None:
        backend = backend_for(str(conf.get("TUNEMARKET_TRAINING_BACKEND")))
        base_model, adapter, system_prompt = conf.training_base_model(model_id), None, None
    else:
        backend = backend_for(job.backend)
        base_model, adapter = job.base_model, selectors.job_artifact_path(job)
        system_prompt = (job.training_config or {}).get("system_prompt")
    chat = [{"role": m["role"], "content": m["content"]} for m in messages]
    if system_prompt and chat[0]["role"] != "system":
        # The model learnt with this system prompt (the recipe's and the persona's); answer with it too.
        chat = [{"role": "system", "content": system_prompt}, *chat]
    from . import tokens

    prompt_tokens = tokens.count_prompt_tokens(base_model, chat)
    if prompt_tokens + max_tokens > CONTEXT_TOKENS:
        raise DomainError(
            f"The messages hold {prompt_tokens} tokens; with max_tokens={max_tokens} that exceeds the "
            f"{CONTEXT_TOKENS}-token context.", param="messages", code="context_length_exceeded",
        )
    started = time.monotonic()
    model, tokenizer = backend.load_for_inference(base_model, adapter)
    result = backend.generate(model, tokenizer, chat, max_new_tokens=max_tokens, temperature=temperature, seed=seed)
    latency_ms = int((time.monotonic() - started) * 1000)
    services.inference_log_record(
        user=user, model=model_id, job=job, prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens, latency_ms=latency_ms, finish_reason=result.finish_reason,
    )
    return {
        "text": result.text, "finish_reason": result.finish_reason, "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
    }


def adapter_archive(job: FineTuningJob):
    """The adapter directory as a zip in a temporary file (spooled: small adapters stay in memory)."""
    directory = selectors.job_artifact_path(job)
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.iterdir()):
            if path.is_file():
                archive.write(path, arcname=path.name)
    spool.seek(0)
    return spool
