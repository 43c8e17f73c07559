"""Greedy and sampled generation with the chat template, for the backend's chat completions."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from tuning.backends.base import ChatCompletion
from tuning.backends.chat import end_of_turn_token


# --- inference -------------------------------------------------------------------------


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
    with torch.random.fork_rng(devices=[]), torch.inference_mode():
        if seed is not None:
            torch.manual_seed(seed)
        output = model.generate(input_ids, **kwargs)
    new_tokens = output[0, input_ids.shape[1] :].tolist()
    stopped = bool(new_tokens) and new_tokens[-1] == eot_id
    text = tokenizer.decode(new_tokens[:-1] if stopped else new_tokens, skip_special_tokens=True)
    return ChatCompletion(
        text=text,
        prompt_tokens=int(input_ids.shape[1]),
        completion_tokens=len(new_tokens),
        finish_reason="stop" if stopped else "length",
    )
