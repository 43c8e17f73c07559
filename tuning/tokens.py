"""Token counts from the base model's own tokenizer (loaded once per process, never the weights)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import conf


@lru_cache(maxsize=4)
def tokenizer_for(base_model: str):
    from tuning.backends.models import load_tokenizer

    return load_tokenizer(base_model)


def _render_len(tokenizer, messages: list[dict[str, Any]]) -> int:
    plain = [{"role": m["role"], "content": m["content"]} for m in messages]
    text = tokenizer.apply_chat_template(plain, tokenize=False)
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def _content_len(tokenizer, text: str) -> int:
    return len(tokenizer(text, add_special_tokens=False)["input_ids"]) + 1  # + the end-of-turn token


def counter(base_model: str | None = None):
    """A tuning.validation.TokenCounter: (tokens of the rendered example, tokens trained on).

    A preference example counts both rendered conversations (prompt + preferred, prompt +
    non-preferred), as DPO trains on both.
    """
    tokenizer = tokenizer_for(base_model or conf.tokenizer_model())

    def count(kind: str, example: dict[str, Any]) -> tuple[int, int]:
        if kind == "calibration":
            # A labelled item is asked as a chat; nothing in it is trained on (it is only scored).
            from .validation import calibration_item, item_messages

            return _render_len(tokenizer, item_messages(calibration_item(example))), 0
        if kind == "chat":
            messages = example["messages"]
            trained = sum(
                _content_len(tokenizer, m["content"])
                for m in messages
                if m["role"] == "assistant" and m.get("weight", 1) == 1
            )
            return _render_len(tokenizer, messages), trained
        prompt = example["input"]["messages"]
        total = trained = 0
        for key in ("preferred_output", "non_preferred_output"):
            answer = example[key][0]["content"]
            total += _render_len(tokenizer, [*prompt, {"role": "assistant", "content": answer}])
            trained += _content_len(tokenizer, answer)
        return total, trained

    return count


def count_prompt_tokens(base_model: str, messages: list[dict[str, Any]]) -> int:
    return _render_len(tokenizer_for(base_model), messages)


def count_text_tokens(base_model: str, text: str) -> int:
    """Tokens of plain text (an answer), without special tokens."""
    return _content_len(tokenizer_for(base_model), text)
