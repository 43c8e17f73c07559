"""Chat completions with base and fine-tuned models, and adapter downloads.

Each process keeps one backend object per backend name, so the backend's bounded cache of
loaded models (base + merged adapter; tuning.backends.models.ModelCache, two entries by default)
survives between requests.
"""
from __future__ import annotations

import secrets
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from core.errors import DomainError, NotAllowed, NotFound
from evaluation.services import model_is_released
from review import guard

from . import conf, selectors, services, tokens
from .models import FineTuningJob, ModelStatus

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

    Another organisation's model does not exist for the caller (404, checked first, so nothing leaks);
    the owner is refused a model that did not pass (or no longer passes) the release gate (403
    ``model_blocked``) and a suspended or revoked one (403 ``model_suspended`` / ``model_revoked``).
    """
    if model_id in selectors.base_model_ids():
        return None
    job = selectors.model_job(model_id)
    # Ownership first: another organisation's model does not exist for the caller, blocked or not.
    if job is None or user.organization is None or job.organization_id != user.organization.pk:
        raise NotFound(f"The model '{model_id}' does not exist or you do not have access to it.", param=param, code="model_not_found")
    if not model_is_released(job):
        raise NotAllowed(
            f"The model '{model_id}' is blocked: it did not pass the release gate and cannot be used or downloaded.",
            param=param, code="model_blocked",
        )
    if job.model_status != ModelStatus.ACTIVE:
        raise NotAllowed(
            f"The model '{model_id}' is {job.model_status}: {job.model_status_reason}",
            param=param, code=f"model_{job.model_status}",
        )
    return job


def new_completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)


@dataclass
class _Call:
    """One chat completion, prepared: which model runs, with which messages."""

    user: Any
    model_id: str
    job: FineTuningJob | None
    specialist: Any  # a specialists.SpecialistModel when the call names one (metered per organisation)
    backend: Any
    base_model: str
    adapter: Any
    request_messages: list[dict[str, str]]  # what the caller sent (the guard screens these)
    chat: list[dict[str, str]]  # with the model's own system prompt, as it learnt
    prompt_tokens: int
    max_tokens: int
    temperature: float
    seed: int | None
    # A calibrated model's fitted calibration (calibration.json beside its adapter) and the caution level asked for.
    calibration: dict[str, Any] | None = None
    caution: str | None = None
    id: str = field(default_factory=new_completion_id)
    started: float = field(default_factory=time.monotonic)


CALIBRATION_FILE = "calibration.json"
CAUTION_LEVELS = ("cautious", "balanced", "proactive")


def not_sure_text(confidence: float, threshold: float) -> str:
    return (f"I'm not sure enough to answer that: my confidence is {confidence:.0%}, below the {threshold:.0%} this "
            "caution level needs. Please check with a reliable source, or ask with a less cautious level.")


def model_calibration(job: FineTuningJob | None) -> dict[str, Any] | None:
    """The fitted calibration a released calibration model keeps beside its adapter, or None."""
    import json

    if job is None or (job.method or {}).get("type") != "calibration":
        return None
    path = selectors.job_artifact_path(job) / CALIBRATION_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def _check_caution(job: FineTuningJob | None, caution: str | None, *, stream: bool) -> dict[str, Any] | None:
    """The model's calibration, after checking the request's caution level against it (400s change nothing)."""
    calibration = model_calibration(job)
    if caution is None:
        return calibration
    if not isinstance(caution, str) or caution not in CAUTION_LEVELS:
        raise DomainError(f"caution must be one of {', '.join(CAUTION_LEVELS)} (from the most cautious to the most "
                          "proactive).", param="caution", code="invalid_caution")
    if calibration is None:
        raise DomainError("caution applies only to a model tuned with the calibration technique; this model has no "
                          "fitted calibration.", param="caution", code="caution_not_available")
    if stream:
        raise DomainError("caution needs the whole answer before it can abstain; ask without stream.",
                          param="caution", code="caution_not_streamable")
    return calibration


def _prepare(*, user, model_id: str, messages, max_tokens: int, temperature: float, seed: int | None,
             caution: str | None = None, stream: bool = False) -> _Call:
    specialist = None
    from specialists.services import is_specialist_id, specialist_for_chat

    if is_specialist_id(model_id):
        # A licensed specialist model answers with its provider's released adapter, through the same guard.
        specialist, job = specialist_for_chat(user=user, model_id=model_id)
    else:
        job = resolve_model(user=user, model_id=model_id)
    calibration = _check_caution(job, caution, stream=stream)
    if job is None:
        backend = backend_for(str(conf.get("TUNEMARKET_TRAINING_BACKEND")))
        base_model, adapter, system_prompt = conf.training_base_model(model_id), None, None
    else:
        backend = backend_for(job.backend)
        base_model, adapter = job.base_model, selectors.job_artifact_path(job)
        system_prompt = (job.training_config or {}).get("system_prompt")
    request_messages = [{"role": m["role"], "content": m["content"]} for m in messages]
    chat = list(request_messages)
    if system_prompt and chat[0]["role"] != "system":
        # The model learnt with this system prompt (the recipe's and the persona's); answer with it too.
        chat = [{"role": "system", "content": system_prompt}, *chat]
    prompt_tokens = tokens.count_prompt_tokens(base_model, chat)
    if prompt_tokens + max_tokens > CONTEXT_TOKENS:
        raise DomainError(
            f"The messages hold {prompt_tokens} tokens; with max_tokens={max_tokens} that exceeds the "
            f"{CONTEXT_TOKENS}-token context.", param="messages", code="context_length_exceeded",
        )
    return _Call(user=user, model_id=model_id, job=job, specialist=specialist, backend=backend, base_model=base_model, adapter=adapter,
                 request_messages=request_messages, chat=chat, prompt_tokens=prompt_tokens, max_tokens=max_tokens,
                 temperature=temperature, seed=seed, calibration=calibration, caution=caution)


def _calibrate(call: _Call, model, tokenizer, result) -> tuple[str, dict[str, Any]]:
    """The answer's confidence under the fitted temperature, and the answer or a 'not sure' in its place."""
    import math

    fitted = call.calibration or {}
    level = call.caution or fitted.get("default_caution", "cautious")
    threshold = float(fitted["levels"][level]["threshold"])
    temperature = float(fitted["temperature"])
    answer = result.token_ids if result.token_ids is not None else result.text
    (mean_logprob,) = call.backend.answer_mean_logprobs(model, tokenizer, call.chat, answer, [temperature])
    confidence = min(1.0, math.exp(mean_logprob))
    abstained = confidence < threshold
    info = {"confidence": round(confidence, 6), "caution": level, "threshold": threshold, "abstained": abstained,
            "temperature": temperature}
    return (not_sure_text(confidence, threshold) if abstained else result.text), info


def _finish(call: _Call, *, text: str, finish_reason: str, prompt_tokens: int, completion_tokens: int,
            verdict: guard.GuardVerdict | None, calibration: dict[str, Any] | None = None) -> dict[str, Any]:
    blocked = verdict is not None and verdict.blocked
    services.inference_log_record(
        user=call.user, model=call.model_id, job=call.job, prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens, latency_ms=int((time.monotonic() - call.started) * 1000),
        finish_reason=finish_reason, completion_id=call.id, guard_stage=verdict.stage if blocked else "",
        guard_category=verdict.category if blocked else "", answer=text,
    )
    if call.specialist is not None:
        from specialists.services import specialist_usage_record

        specialist_usage_record(specialist=call.specialist, organization=call.user.organization,
                                prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, intervened=blocked)
    return {
        "id": call.id, "text": text, "finish_reason": finish_reason, "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens, "content_filter": verdict.public() if blocked else None,
        "calibration": calibration,
    }


def chat_completion(
    *, user, model_id: str, messages: list[dict[str, str]], max_tokens: int, temperature: float, seed: int | None,
    caution: str | None = None,
) -> dict[str, Any]:
    """Answer a chat through the guard (review/guard.py): every model, every interface, no exceptions.

    A harmful request is answered with a refusal and never reaches the model; a harmful answer is
    replaced by one. Either way ``finish_reason`` is ``content_filter`` and ``content_filter`` names the
    stage and the policy category.

    A calibrated model (the calibration technique) also reports the answer's confidence, and abstains
    with a 'not sure' answer when it is below the threshold of the caution level (``caution``; by default
    the cautious level the customer's target risk chose)."""
    call = _prepare(user=user, model_id=model_id, messages=messages, max_tokens=max_tokens,
                    temperature=temperature, seed=seed, caution=caution)
    screened = guard.screen_input(call.request_messages)
    if screened.blocked:
        return _finish(call, text=guard.refusal_text(screened), finish_reason="content_filter",
                       prompt_tokens=call.prompt_tokens, completion_tokens=0, verdict=screened)
    model, tokenizer = call.backend.load_for_inference(call.base_model, call.adapter)
    result = call.backend.generate(model, tokenizer, call.chat, max_new_tokens=max_tokens, temperature=temperature,
                                   seed=seed)
    answer = guard.screen_output(call.request_messages, result.text, suspicion=screened.suspicion)
    if answer.blocked:
        return _finish(call, text=guard.refusal_text(answer), finish_reason="content_filter",
                       prompt_tokens=result.prompt_tokens, completion_tokens=result.completion_tokens, verdict=answer)
    text, calibration = result.text, None
    if call.calibration is not None:
        text, calibration = _calibrate(call, model, tokenizer, result)
    return _finish(call, text=text, finish_reason=result.finish_reason, prompt_tokens=result.prompt_tokens,
                   completion_tokens=result.completion_tokens, verdict=None, calibration=calibration)


def chat_completion_perspectives(
    *, user, model_id: str, messages: list[dict[str, str]], max_tokens: int, temperature: float, seed: int | None,
    perspectives: str,
) -> dict[str, Any]:
    """A chat answered from each viewpoint of an approved set, then a synthesis (tuning.perspectives).

    The guard screens the request once and every generated part; one harmful part replaces the whole
    answer with a refusal (``content_filter``). ``max_tokens`` bounds each part. The result carries
    ``perspectives``: the set, one section per viewpoint and the synthesis."""
    from . import perspectives as persp

    call = _prepare(user=user, model_id=model_id, messages=messages, max_tokens=max_tokens,
                    temperature=temperature, seed=seed)
    question = next((m["content"] for m in reversed(call.request_messages) if m["role"] == "user"), "")
    viewpoint_set = selectors.viewpoint_set_for_chat(value=perspectives, question=question)
    screened = guard.screen_input(call.request_messages)
    if screened.blocked:
        return _finish(call, text=guard.refusal_text(screened), finish_reason="content_filter",
                       prompt_tokens=call.prompt_tokens, completion_tokens=0, verdict=screened)
    model, tokenizer = call.backend.load_for_inference(call.base_model, call.adapter)
    own = [m for m in call.chat if m["role"] == "system"][:1]
    turns = [m for m in call.request_messages if m["role"] != "system"]
    prompt_tokens = completion_tokens = 0
    finish = "stop"

    def part(instruction: str, chat_turns: list[dict[str, str]]):
        nonlocal prompt_tokens, completion_tokens, finish
        system = "\n\n".join([m["content"] for m in own] + [instruction])
        result = call.backend.generate(model, tokenizer, [{"role": "system", "content": system}, *chat_turns],
                                       max_new_tokens=max_tokens, temperature=temperature, seed=seed)
        prompt_tokens += result.prompt_tokens
        completion_tokens += result.completion_tokens
        if result.finish_reason == "length":
            finish = "length"
        answer = guard.screen_output(call.request_messages, result.text, suspicion=screened.suspicion)
        return result.text.strip(), answer

    sections: list[tuple[str, str]] = []
    for viewpoint in viewpoint_set.viewpoints:
        text, answer = part(persp.viewpoint_instruction(viewpoint), turns)
        if answer.blocked:
            return _finish(call, text=guard.refusal_text(answer), finish_reason="content_filter",
                           prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, verdict=answer)
        sections.append((viewpoint["name"], text))
    synthesis, answer = part(persp.SYNTHESIS_INSTRUCTION,
                             [{"role": "user", "content": persp.synthesis_message(question, sections)}])
    if answer.blocked:
        return _finish(call, text=guard.refusal_text(answer), finish_reason="content_filter",
                       prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, verdict=answer)
    out = _finish(call, text=persp.render(sections, synthesis), finish_reason=finish, prompt_tokens=prompt_tokens,
                  completion_tokens=completion_tokens, verdict=None)
    out["perspectives"] = {
        "set": viewpoint_set.public_id, "name": viewpoint_set.name, "chosen": perspectives == persp.AUTO,
        "sections": [{"viewpoint": name, "content": text} for name, text in sections],
        "synthesis": synthesis,
    }
    return out


def chat_completion_stream(
    *, user, model_id: str, messages: list[dict[str, str]], max_tokens: int, temperature: float, seed: int | None,
    caution: str | None = None,
) -> tuple[str, Iterator[tuple[str, Any]]]:
    """``(completion id, events)``: ``("delta", text)`` items, then one ``("done", result)``.

    Resolving the model and the input guard run before this returns, so a refused call is an
    ordinary error response, not a broken stream. The answer is screened as it streams
    (``guard.StreamGuard`` holds back a window), so harmful text is never sent. A stream cannot abstain
    (its text is sent as it comes): asking for a caution level with ``stream`` is a 400."""
    call = _prepare(user=user, model_id=model_id, messages=messages, max_tokens=max_tokens,
                    temperature=temperature, seed=seed, caution=caution, stream=True)
    screened = guard.screen_input(call.request_messages)

    def events() -> Iterator[tuple[str, Any]]:
        if screened.blocked:
            text = guard.refusal_text(screened)
            yield "delta", text
            yield "done", _finish(call, text=text, finish_reason="content_filter", prompt_tokens=call.prompt_tokens,
                                  completion_tokens=0, verdict=screened)
            return
        model, tokenizer = call.backend.load_for_inference(call.base_model, call.adapter)
        watcher = guard.StreamGuard(call.request_messages, suspicion=screened.suspicion)
        sent: list[str] = []
        result = None
        for item in call.backend.generate_stream(model, tokenizer, call.chat, max_new_tokens=max_tokens,
                                                 temperature=temperature, seed=seed):
            if isinstance(item, str):
                out = watcher.feed(item)
                if out:
                    sent.append(out)
                    yield "delta", out
                if watcher.verdict.blocked:
                    break
            else:
                result = item
        if not watcher.verdict.blocked:
            rest = watcher.finish()
            if rest:
                sent.append(rest)
                yield "delta", rest
        completion_tokens = result.completion_tokens if result is not None else tokens.count_text_tokens(
            call.base_model, watcher.text)
        if watcher.verdict.blocked:
            # What was sent stays sent (it was screened); the rest is withheld and the stream ends here.
            notice = " " + guard.refusal_text(watcher.verdict)
            yield "delta", notice
            yield "done", _finish(call, text="".join(sent) + notice, finish_reason="content_filter",
                                  prompt_tokens=call.prompt_tokens, completion_tokens=completion_tokens,
                                  verdict=watcher.verdict)
            return
        yield "done", _finish(call, text="".join(sent), finish_reason=result.finish_reason if result else "stop",
                              prompt_tokens=call.prompt_tokens, completion_tokens=completion_tokens, verdict=None)

    return call.id, events()


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
