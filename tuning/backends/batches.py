"""Training data as tensors: encoded examples, length-bucketed epoch batches, collation with a shared
prefix, and the SFT and DPO losses on a batch (the local backend's loop calls these)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from tuning.backends.base import Example, TrainingConfig
from tuning.backends.chat import (
    EncodedChat,
    EncodedPair,
    encode_preference_example,
    encode_supervised_example,
)

BUCKET_WINDOW_BATCHES = 16


# --- data ------------------------------------------------------------------------------


def encode_examples(
    tokenizer: Any, config: TrainingConfig, examples: Sequence[Example]
) -> list[EncodedChat] | list[EncodedPair]:
    encode = encode_supervised_example if config.method == "supervised" else encode_preference_example
    return [
        encode(tokenizer, example, max_seq_len=config.max_seq_len, system_prompt=config.system_prompt, index=i)
        for i, example in enumerate(examples)
    ]


def epoch_batches(lengths: Sequence[int], batch_size: int, seed: int, epoch: int) -> list[list[int]]:
    """The micro-batches of one epoch, as lists of example indices.

    Shuffled from ``(seed, epoch)`` alone, so a resumed run sees the same order. Within a
    window of BUCKET_WINDOW_BATCHES batches the examples are sorted by length, then the
    batches themselves are shuffled.
    """
    rng = np.random.default_rng([seed, epoch])
    perm = [int(i) for i in rng.permutation(len(lengths))]
    window = batch_size * BUCKET_WINDOW_BATCHES
    batches: list[list[int]] = []
    for w in range(0, len(perm), window):
        chunk = sorted(perm[w : w + window], key=lambda i: lengths[i])
        batches.extend(chunk[b : b + batch_size] for b in range(0, len(chunk), batch_size))
    order = rng.permutation(len(batches))
    return [batches[int(i)] for i in order]


@dataclass
class Batch:
    # The tokens every sequence of the batch starts with ([1, P]), run once; or None.
    prefix_ids: torch.Tensor | None
    # What follows the shared prefix, right-padded: [B, T - P].
    input_ids: torch.Tensor
    # [B, T] (prefix included) when something is padded, else None.
    attention_mask: torch.Tensor | None
    # Flat indices into the [B * (T - P)] hidden states of positions that predict a target.
    predict_at: torch.Tensor
    targets: torch.Tensor
    # Which sequence of the batch each target belongs to (for per-sequence sums).
    sequence_of: torch.Tensor
    n_sequences: int

    @property
    def n_targets(self) -> int:
        return int(self.targets.numel())

    def to(self, device: torch.device) -> Batch:
        """The batch on ``device`` (collation builds it on the CPU); itself when it is already there."""
        if self.input_ids.device == device:
            return self

        def move(t: torch.Tensor | None) -> torch.Tensor | None:
            return None if t is None else t.to(device, non_blocking=True)

        return Batch(
            prefix_ids=move(self.prefix_ids), input_ids=move(self.input_ids),
            attention_mask=move(self.attention_mask), predict_at=move(self.predict_at),
            targets=move(self.targets), sequence_of=move(self.sequence_of), n_sequences=self.n_sequences,
        )


# A shared prefix shorter than this is not worth a second decoder call.
MIN_SHARED_PREFIX = 8


def _shared_prefix_length(chats: Sequence[EncodedChat]) -> int:
    """Tokens all chats start with, stopping before the first position that predicts a target."""
    first = chats[0].input_ids
    limit = min(min(c.loss_mask.index(True) for c in chats) - 1, min(c.n_tokens for c in chats) - 1)
    length = 0
    while length < limit and all(c.input_ids[length] == first[length] for c in chats):
        length += 1
    return length


def collate(chats: Sequence[EncodedChat], pad_id: int, *, share_prefix: bool = False) -> Batch:
    """Pad a batch, and with ``share_prefix`` split off the tokens all its chats start with
    (typically the system prompt) so the decoder computes them once, not once per chat.

    Sharing does not change the result: under causal attention a prefix's keys and values
    do not depend on what follows it. It is only offered when nothing random (LoRA
    dropout) would have treated the copies differently.
    """
    prefix = _shared_prefix_length(chats) if share_prefix and len(chats) > 1 else 0
    if prefix < MIN_SHARED_PREFIX:
        prefix = 0
    width = max(c.n_tokens for c in chats)
    ids = torch.full((len(chats), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(chats), width), dtype=torch.long)
    suffix_width = width - prefix
    predict_at, targets, sequence_of = [], [], []
    for b, chat in enumerate(chats):
        ids[b, : chat.n_tokens] = torch.tensor(chat.input_ids, dtype=torch.long)
        attention[b, : chat.n_tokens] = 1
        for t, trained in enumerate(chat.loss_mask):
            if trained:
                predict_at.append(b * suffix_width + t - 1 - prefix)
                targets.append(chat.input_ids[t])
                sequence_of.append(b)
    padded = bool((attention == 0).any())
    return Batch(
        prefix_ids=ids[:1, :prefix] if prefix else None,
        input_ids=ids[:, prefix:],
        attention_mask=attention if padded else None,
        predict_at=torch.tensor(predict_at, dtype=torch.long),
        targets=torch.tensor(targets, dtype=torch.long),
        sequence_of=torch.tensor(sequence_of, dtype=torch.long),
        n_sequences=len(chats),
    )


def target_logits(model: Any, batch: Batch) -> torch.Tensor:
    """Logits at the positions that predict a target only: ``[n_targets, vocab]``.

    Same values as ``model(input_ids).logits`` at those positions: the decoder runs on
    the whole batch (its shared prefix once), and the LM head on the rows that carry loss.
    """
    core = model.get_base_model() if hasattr(model, "get_base_model") else model
    decoder = core.get_decoder()
    if batch.prefix_ids is None:
        hidden = decoder(input_ids=batch.input_ids, attention_mask=batch.attention_mask, use_cache=False)
    else:
        from transformers import DynamicCache

        # The prefix's keys and values, computed once with their autograd graph, then
        # repeated for every sequence; gradients flow back through the repeat.
        cache = DynamicCache(config=core.config)
        decoder(input_ids=batch.prefix_ids, cache=cache, use_cache=True)
        cache.batch_repeat_interleave(batch.n_sequences)
        hidden = decoder(
            input_ids=batch.input_ids, attention_mask=batch.attention_mask, cache=cache, use_cache=True
        )
    hidden = hidden.last_hidden_state
    rows = hidden.reshape(-1, hidden.shape[-1]).index_select(0, batch.predict_at)
    return core.get_output_embeddings()(rows).float()


def sft_loss_sum(model: Any, batch: Batch) -> tuple[torch.Tensor, int]:
    """Sum of the token cross-entropies, and the number of correct top-1 predictions."""
    logits = target_logits(model, batch)
    loss_sum = F.cross_entropy(logits, batch.targets, reduction="sum")
    correct = int((logits.detach().argmax(-1) == batch.targets).sum())
    return loss_sum, correct


def sequence_logps(model: Any, batch: Batch) -> torch.Tensor:
    """Per-sequence sum of the log-probabilities of its targets: ``[n_sequences]``."""
    logits = target_logits(model, batch)
    token_logps = -F.cross_entropy(logits, batch.targets, reduction="none")
    sums = torch.zeros(batch.n_sequences, dtype=token_logps.dtype, device=token_logps.device)
    return sums.index_add(0, batch.sequence_of, token_logps)


def collate_pairs(pairs: Sequence[EncodedPair], pad_id: int, *, share_prefix: bool = False) -> Batch:
    """Chosen answers first, then rejected ones, in one batch."""
    return collate([p.chosen for p in pairs] + [p.rejected for p in pairs], pad_id, share_prefix=share_prefix)


def dpo_terms(model: Any, batch: Batch, beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-pair DPO losses and reward margins (Rafailov et al. 2023, eq. 7).

    The reference model is the base model: the same weights with the adapter disabled.
    """
    n = batch.n_sequences // 2
    policy = sequence_logps(model, batch)
    with torch.no_grad(), model.disable_adapter():
        reference = sequence_logps(model, batch)
    chosen_reward = beta * (policy[:n] - reference[:n])
    rejected_reward = beta * (policy[n:] - reference[n:])
    margin = chosen_reward - rejected_reward
    return -F.logsigmoid(margin), margin.detach()
