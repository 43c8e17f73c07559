"""Chat examples to token ids and loss masks.

The loss is on assistant tokens only: each trained assistant turn contributes its
content and its end-of-turn token (``<|im_end|>`` for SmolLM2), never the prompt, the
role header or the newline after the turn. A turn with ``"weight": 0`` is context only.

Masks are computed from character spans of the rendered chat template, mapped to the
tokens of the whole rendered text (a token that overlaps a trained span is trained),
which is what transformers' ``return_assistant_tokens_mask`` does for templates with
``{% generation %}`` markers. Tokenizing the whole text, not pieces of it, keeps the
training tokens identical to what the model sees at inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tuning.backends.base import EmptyLossMask, InvalidExample, TrainingError

ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class EncodedChat:
    input_ids: tuple[int, ...]
    # loss_mask[t] is True when token t is a target (predicted from position t - 1).
    loss_mask: tuple[bool, ...]
    # Assistant turns dropped from the loss because max_seq_len cut off their end.
    truncated_turns: int = 0

    @property
    def n_tokens(self) -> int:
        return len(self.input_ids)

    @property
    def n_trained(self) -> int:
        return sum(self.loss_mask)


@dataclass(frozen=True)
class EncodedPair:
    """A preference example: the same prompt with the preferred and the rejected answer."""

    chosen: EncodedChat
    rejected: EncodedChat

    @property
    def n_tokens(self) -> int:
        return max(self.chosen.n_tokens, self.rejected.n_tokens)

    @property
    def n_trained(self) -> int:
        return self.chosen.n_trained + self.rejected.n_trained


def _check_messages(messages: Any, index: int | None, *, allow_weight: bool = True) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise InvalidExample("'messages' must be a non-empty list", index=index)
    checked = []
    for n, message in enumerate(messages):
        if not isinstance(message, dict):
            raise InvalidExample(f"message {n} must be an object", index=index)
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            raise InvalidExample(f"message {n} has role {role!r}; expected one of {ROLES}", index=index)
        if not isinstance(content, str):
            raise InvalidExample(f"message {n} content must be a string", index=index)
        weight = message.get("weight", 1)
        if "weight" in message:
            if not allow_weight or role != "assistant":
                raise InvalidExample(f"message {n}: only assistant messages may carry a weight", index=index)
            if weight not in (0, 1) or isinstance(weight, bool):
                raise InvalidExample(f"message {n}: weight must be 0 or 1", index=index)
        checked.append({"role": role, "content": content, "weight": int(weight)})
    first_turn = next((m for m in checked if m["role"] != "system"), None)
    if first_turn is None or first_turn["role"] != "user":
        raise InvalidExample("the conversation must start with a user message", index=index)
    return checked


def _render(tokenizer: Any, messages: Sequence[dict[str, Any]], *, add_generation_prompt: bool = False) -> str:
    plain = [{"role": m["role"], "content": m["content"]} for m in messages]
    return tokenizer.apply_chat_template(plain, tokenize=False, add_generation_prompt=add_generation_prompt)


def end_of_turn_token(tokenizer: Any) -> str:
    token = tokenizer.eos_token
    if not token:
        raise TrainingError("the tokenizer has no end-of-turn (eos) token")
    return token


def encode_chat(
    tokenizer: Any,
    messages: Any,
    *,
    max_seq_len: int,
    system_prompt: str | None = None,
    index: int | None = None,
    _checked: list[dict[str, Any]] | None = None,
) -> EncodedChat:
    """Tokenize one chat and mark the tokens that carry loss.

    Raises InvalidExample on a malformed chat and EmptyLossMask when no token would be
    trained or when a trained assistant turn would not learn its end-of-turn token.
    """
    msgs = _checked if _checked is not None else _check_messages(messages, index)
    if system_prompt and msgs[0]["role"] != "system":
        msgs = [{"role": "system", "content": system_prompt, "weight": 1}, *msgs]

    eot = end_of_turn_token(tokenizer)
    eot_id = tokenizer.convert_tokens_to_ids(eot)
    full = _render(tokenizer, msgs)

    # Character spans [start, end) of each trained assistant turn: its content and its
    # end-of-turn marker, found by rendering the conversation up to that turn.
    spans: list[tuple[int, int]] = []
    for i, message in enumerate(msgs):
        if message["role"] != "assistant" or message["weight"] == 0:
            continue
        prompt = _render(tokenizer, msgs[:i], add_generation_prompt=True)
        upto = _render(tokenizer, msgs[: i + 1])
        if not (upto.startswith(prompt) and full.startswith(upto)):
            raise TrainingError(
                "the chat template renders a conversation differently from its prefixes; "
                "assistant turns cannot be located"
            )
        eot_at = upto.rfind(eot, len(prompt))
        if eot_at < 0:
            raise EmptyLossMask(
                f"assistant message {i} does not end with the end-of-turn token {eot!r}; "
                "the model would never learn to stop",
                index=index,
            )
        spans.append((len(prompt), eot_at + len(eot)))

    encoding = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(encoding["input_ids"])
    offsets: list[tuple[int, int]] = [tuple(o) for o in encoding["offset_mapping"]]

    mask = [False] * len(ids)
    truncated_turns = 0
    span_token_ranges = []
    for start, end in spans:
        tokens = [t for t, (a, b) in enumerate(offsets) if a < end and b > start]
        span_token_ranges.append(tokens)
    for tokens in span_token_ranges:
        if not tokens:
            continue
        last = tokens[-1]
        if last >= max_seq_len:
            # The turn's end falls past the cut: learning half an answer without its
            # end-of-turn would teach the model to ramble, so drop the turn.
            truncated_turns += 1
            continue
        if ids[last] != eot_id:
            raise EmptyLossMask(
                f"an assistant turn's last trained token is {tokenizer.convert_ids_to_tokens(ids[last])!r}, "
                f"not the end-of-turn token {eot!r}",
                index=index,
            )
        for t in tokens:
            if t > 0:  # token 0 has no position before it to be predicted from
                mask[t] = True

    ids, mask = ids[:max_seq_len], mask[:max_seq_len]
    if not any(mask):
        reason = (
            f"every assistant turn ends beyond max_seq_len={max_seq_len} tokens"
            if truncated_turns
            else "it has no assistant message with weight 1"
        )
        raise EmptyLossMask(f"nothing to learn from: {reason}", index=index)
    return EncodedChat(tuple(ids), tuple(mask), truncated_turns)


def encode_supervised_example(
    tokenizer: Any, example: Any, *, max_seq_len: int, system_prompt: str | None = None, index: int | None = None
) -> EncodedChat:
    if not isinstance(example, dict) or "messages" not in example:
        raise InvalidExample("a supervised example is an object with 'messages'", index=index)
    return encode_chat(
        tokenizer, example["messages"], max_seq_len=max_seq_len, system_prompt=system_prompt, index=index
    )


def encode_preference_example(
    tokenizer: Any, example: Any, *, max_seq_len: int, system_prompt: str | None = None, index: int | None = None
) -> EncodedPair:
    """OpenAI's preference format: ``input.messages`` plus ``preferred_output`` and
    ``non_preferred_output``, each a list holding one assistant message."""
    if not isinstance(example, dict):
        raise InvalidExample("a preference example must be an object", index=index)
    prompt = example.get("input")
    if not isinstance(prompt, dict) or "messages" not in prompt:
        raise InvalidExample("a preference example needs 'input': {'messages': [...]}", index=index)
    prompt_msgs = _check_messages(prompt["messages"], index, allow_weight=False)
    if prompt_msgs[-1]["role"] != "user":
        raise InvalidExample("the preference prompt must end with a user message", index=index)
    # Earlier assistant turns in the prompt are context, not what is being preferred.
    prompt_msgs = [{**m, "weight": 0} if m["role"] == "assistant" else m for m in prompt_msgs]

    answers = []
    for key in ("preferred_output", "non_preferred_output"):
        output = example.get(key)
        if (
            not isinstance(output, list)
            or len(output) != 1
            or not isinstance(output[0], dict)
            or output[0].get("role") != "assistant"
            or not isinstance(output[0].get("content"), str)
        ):
            raise InvalidExample(f"'{key}' must be a list with one assistant message", index=index)
        answers.append({"role": "assistant", "content": output[0]["content"], "weight": 1})
    if answers[0]["content"] == answers[1]["content"]:
        raise InvalidExample("the preferred and non-preferred outputs are identical", index=index)

    chosen, rejected = (
        encode_chat(
            tokenizer,
            None,
            max_seq_len=max_seq_len,
            system_prompt=system_prompt,
            index=index,
            _checked=[*prompt_msgs, answer],
        )
        for answer in answers
    )
    return EncodedPair(chosen, rejected)
