"""Greedy and sampled generation with the chat template, for the backend's chat completions."""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import torch

from tuning.backends.base import ChatCompletion
from tuning.backends.chat import end_of_turn_token


# --- inference -------------------------------------------------------------------------


def _prepare(tokenizer, messages, max_new_tokens, temperature, system_prompt=None):
    chat = [{"role": m["role"], "content": m["content"]} for m in messages]
    if system_prompt and (not chat or chat[0]["role"] != "system"):
        chat = [{"role": "system", "content": system_prompt}, *chat]
    prompt_ids = tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=True, return_dict=True)[
        "input_ids"
    ]
    input_ids = torch.tensor([list(prompt_ids)], dtype=torch.long)
    eot_id = tokenizer.convert_tokens_to_ids(end_of_turn_token(tokenizer))
    sampling = temperature > 0
    kwargs: dict[str, Any] = {
        "max_new_tokens": max_new_tokens,
        "do_sample": sampling,
        "eos_token_id": eot_id,
        "pad_token_id": tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eot_id,
        "attention_mask": torch.ones_like(input_ids),
    }
    if sampling:
        kwargs.update(temperature=float(temperature), top_k=0, top_p=1.0)
    else:
        kwargs.update(temperature=None, top_k=None, top_p=None)
    return input_ids, eot_id, kwargs


def _completion(tokenizer, input_ids, new_tokens: list[int], eot_id: int) -> ChatCompletion:
    stopped = bool(new_tokens) and new_tokens[-1] == eot_id
    body = new_tokens[:-1] if stopped else new_tokens
    text = tokenizer.decode(body, skip_special_tokens=True)
    return ChatCompletion(
        text=text,
        prompt_tokens=int(input_ids.shape[1]),
        completion_tokens=len(new_tokens),
        finish_reason="stop" if stopped else "length",
        token_ids=list(body),
    )


def generate(
    model: Any,
    tokenizer: Any,
    messages: Sequence[dict[str, Any]],
    max_new_tokens: int = 64,
    temperature: float = 0.0,
    *,
    seed: int | None = None,
    system_prompt: str | None = None,
) -> ChatCompletion:
    """Answer a chat with the model's chat template. temperature 0 is greedy."""
    input_ids, eot_id, kwargs = _prepare(tokenizer, messages, max_new_tokens, temperature, system_prompt)
    with torch.random.fork_rng(devices=[]), torch.inference_mode():
        if seed is not None:
            torch.manual_seed(seed)
        output = model.generate(input_ids, **kwargs)
    return _completion(tokenizer, input_ids, output[0, input_ids.shape[1]:].tolist(), eot_id)


class _TokenQueue:
    """A transformers streamer that hands each new token id to the consuming thread."""

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._cond = threading.Condition()
        self._prompt_seen = False

    def put(self, value: torch.Tensor) -> None:
        if not self._prompt_seen:  # generate() first puts the prompt
            self._prompt_seen = True
            return
        with self._cond:
            self._items.extend(int(t) for t in value.reshape(-1).tolist())
            self._cond.notify()

    def end(self) -> None:
        with self._cond:
            self._items.append(None)
            self._cond.notify()

    def __iter__(self) -> Iterator[int]:
        while True:
            with self._cond:
                while not self._items:
                    self._cond.wait()
                items, self._items = self._items, []
            for item in items:
                if item is None:
                    return
                yield item


def generate_stream(
    model: Any,
    tokenizer: Any,
    messages: Sequence[dict[str, Any]],
    max_new_tokens: int = 64,
    temperature: float = 0.0,
    *,
    seed: int | None = None,
) -> Iterator[str | ChatCompletion]:
    """As ``generate``, but yields text deltas as tokens arrive, then the ChatCompletion.

    The same greedy or seeded decoding as ``generate`` (one ``model.generate`` call in a thread, with a
    streamer), so the streamed text equals the non-streamed answer. Stopping early (the consumer
    closes the generator) lets the thread finish its current call; nothing more is sent."""
    input_ids, eot_id, kwargs = _prepare(tokenizer, messages, max_new_tokens, temperature)
    queue = _TokenQueue()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with torch.random.fork_rng(devices=[]), torch.inference_mode():
                if seed is not None:
                    torch.manual_seed(seed)
                model.generate(input_ids, streamer=queue, **kwargs)
        except BaseException as exc:  # re-raised in the consumer
            failure.append(exc)
            queue.end()

    thread = threading.Thread(target=run, name="generate-stream", daemon=True)
    thread.start()
    new_tokens: list[int] = []
    text_so_far = ""
    for token in queue:
        new_tokens.append(token)
        body = new_tokens[:-1] if token == eot_id else new_tokens
        text = tokenizer.decode(body, skip_special_tokens=True)
        # A token may end mid-character ("\ufffd"): wait for the next one before sending it.
        if text.endswith("\ufffd"):
            continue
        if len(text) > len(text_so_far) and text.startswith(text_so_far):
            yield text[len(text_so_far):]
            text_so_far = text
    thread.join()
    if failure:
        raise failure[0]
    final = _completion(tokenizer, input_ids, new_tokens, eot_id)
    if len(final.text) > len(text_so_far) and final.text.startswith(text_so_far):
        yield final.text[len(text_so_far):]
    yield final


# --- answer confidence (the calibration technique) -----------------------------------------------


def answer_mean_logprobs(
    model: Any,
    tokenizer: Any,
    messages: Sequence[dict[str, Any]],
    answer: str | Sequence[int],
    temperatures: Sequence[float],
    *,
    system_prompt: str | None = None,
) -> list[float]:
    """The mean log-probability of ``answer``'s tokens (its text, or the token ids generated) after the
    chat, for each temperature.

    One teacher-forced forward pass: each answer token's distribution is softmax(logits / T) over the
    whole vocabulary. ``exp`` of the result is the answer's confidence before (T = 1) or after
    temperature scaling; calibration (evaluation/suites/confidence.py) and chat completions
    (tuning/inference.py) both call this, so the confidence a chat reports is the one that was fitted.
    An empty answer is scored as the end-of-turn token alone."""
    chat = [{"role": m["role"], "content": m["content"]} for m in messages]
    if system_prompt and (not chat or chat[0]["role"] != "system"):
        chat = [{"role": "system", "content": system_prompt}, *chat]
    prompt_ids = list(tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=True,
                                                    return_dict=True)["input_ids"])
    if isinstance(answer, str):
        answer_ids = list(tokenizer(answer, add_special_tokens=False)["input_ids"]) if answer.strip() else []
    else:
        answer_ids = [int(t) for t in answer]
    if not answer_ids:
        answer_ids = [tokenizer.convert_tokens_to_ids(end_of_turn_token(tokenizer))]
    ids = torch.tensor([prompt_ids + answer_ids], dtype=torch.long)
    with torch.inference_mode():
        logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0].float()
    rows = logits[len(prompt_ids) - 1 : len(prompt_ids) - 1 + len(answer_ids)]
    target = torch.tensor(answer_ids, dtype=torch.long)
    out = []
    for t in temperatures:
        lp = torch.log_softmax(rows / float(t), dim=-1).gather(1, target[:, None])[:, 0]
        out.append(float(lp.mean()))
    return out
