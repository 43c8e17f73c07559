"""Target task: how well the model answers held-out examples of the customer's own task.

- per-token negative log-likelihood (NLL) of the reference assistant answers, token-weighted,
  with the same loss mask as training (tuning.backends.chat: assistant content and its
  end-of-turn token);
- token accuracy: the share of those tokens that are the model's top-1 prediction;
- exact match and token F1 (SQuAD-style normalisation) of greedy answers, for examples whose
  reference answer is short enough to generate cheaply.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass
from typing import Any

SHORT_ANSWER_MAX_WORDS = 16
SHORT_ANSWER_MAX_TOKENS = 32


@dataclass(frozen=True)
class TargetExample:
    index: int
    input_ids: tuple[int, ...]
    loss_mask: tuple[bool, ...]
    # For exact match: the prompt up to the last assistant turn, and that turn's text.
    prompt_ids: tuple[int, ...] | None
    reference: str | None


def _as_supervised(example: Any) -> dict | None:
    """Supervised examples as they are; preference examples as prompt + preferred answer."""
    if not isinstance(example, dict):
        return None
    if "messages" in example:
        return example
    # A domain evaluation row may be {"prompt", "completion" | "answer" | "response" | "ideal"};
    # a prompt without a reference answer cannot be scored by likelihood.
    prompt = example.get("prompt")
    reference = next((example[k] for k in ("completion", "answer", "response", "ideal")
                      if isinstance(example.get(k), str) and example[k].strip()), None)
    if isinstance(prompt, str) and prompt.strip() and reference is not None:
        return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": reference}]}
    prompt = example.get("input")
    preferred = example.get("preferred_output")
    if isinstance(prompt, dict) and isinstance(prompt.get("messages"), list) and isinstance(preferred, list) and preferred:
        return {"messages": [*prompt["messages"], {"role": "assistant", "content": preferred[0].get("content", "")}]}
    return None


def prepare_examples(
    tokenizer: Any, examples: list[dict], *, max_seq_len: int, system_prompt: str | None, limit: int | None
) -> tuple[list[TargetExample], int]:
    """Encode up to ``limit`` examples; returns them and how many were skipped as unusable."""
    from tuning.backends.base import TrainingError
    from tuning.backends.chat import encode_supervised_example

    out: list[TargetExample] = []
    skipped = 0
    for i, raw in enumerate(examples):
        if limit is not None and len(out) >= limit:
            break
        example = _as_supervised(raw)
        if example is None:
            skipped += 1
            continue
        try:
            enc = encode_supervised_example(
                tokenizer, example, max_seq_len=max_seq_len, system_prompt=system_prompt, index=i
            )
        except (TrainingError, ValueError):
            skipped += 1
            continue
        prompt_ids, reference = _short_answer_prompt(tokenizer, example["messages"], system_prompt)
        out.append(TargetExample(i, enc.input_ids, enc.loss_mask, prompt_ids, reference))
    return out, skipped


def _short_answer_prompt(tokenizer: Any, messages: list[dict], system_prompt: str | None):
    if not messages or messages[-1].get("role") != "assistant":
        return None, None
    reference = str(messages[-1].get("content", ""))
    if not reference.strip() or len(reference.split()) > SHORT_ANSWER_MAX_WORDS:
        return None, None
    if len(tokenizer(reference, add_special_tokens=False)["input_ids"]) > SHORT_ANSWER_MAX_TOKENS:
        return None, None
    chat = [{"role": m["role"], "content": m["content"]} for m in messages[:-1]]
    if system_prompt and (not chat or chat[0]["role"] != "system"):
        chat = [{"role": "system", "content": system_prompt}, *chat]
    ids = tokenizer.apply_chat_template(chat, add_generation_prompt=True, tokenize=True, return_dict=True)["input_ids"]
    return tuple(ids), reference


_ARTICLES = re.compile(r"\b(a|an|the)\b", re.IGNORECASE)
_PUNCT = set(string.punctuation)


def normalize_answer(text: str) -> str:
    text = text.lower()
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str, reference: str) -> float:
    return 1.0 if normalize_answer(prediction) == normalize_answer(reference) else 0.0


def token_f1(prediction: str, reference: str) -> float:
    pred, ref = normalize_answer(prediction).split(), normalize_answer(reference).split()
    if not pred or not ref:
        return 1.0 if pred == ref else 0.0
    common = Counter(pred) & Counter(ref)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)
