"""Log-likelihood scoring with the question's prefix shared across its choices.

lm-evaluation-harness scores a multiple-choice item as one row per choice: the question
is run through the model once per choice. Here each item is one row holding the
question once and every choice after it, like a little tree:

    [ question tokens | choice A tokens | choice B tokens | choice C tokens ]

A custom 4-D attention mask lets each choice see the question and itself (causally) but
never the other choices, and position ids restart after the question for every choice,
so each choice's log-probabilities are those of the plain ``question + choice`` sequence.
The question's tokens are computed once instead of once per choice (about 4x fewer tokens
for four short options), rows are sorted by length and batched up to a token budget,
and the language-model head runs only at the positions that predict a scored token.

Tokenisation follows lm-evaluation-harness exactly (``_encode_pair``): trailing spaces
of the context move to the continuation, the whole ``context + continuation`` string is
tokenised, and the continuation is whatever follows the context's tokens. The shared
prefix is the longest common prefix of the choices' token sequences, so a choice whose
first token merges with the context still scores correctly.

Pure torch + a tokenizer: no Django. The bench uses this module directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


@dataclass(frozen=True)
class ChoiceRequest:
    """One item: a context and its continuations (choices)."""

    context: str
    continuations: tuple[str, ...]


@dataclass(frozen=True)
class ChoiceScores:
    """Per-continuation sums of token log-probabilities, token counts and greedy flags."""

    logprobs: tuple[float, ...]
    n_tokens: tuple[int, ...]
    # True when every continuation token was the model's top-1 prediction.
    is_greedy: tuple[bool, ...]

    @property
    def mean_logprobs(self) -> tuple[float, ...]:
        return tuple(lp / max(n, 1) for lp, n in zip(self.logprobs, self.n_tokens))


@dataclass(frozen=True)
class _Tree:
    index: int
    prefix: tuple[int, ...]
    branches: tuple[tuple[int, ...], ...]
    # For each continuation: the positions (in its whole sequence) of its scored tokens.
    scored: tuple[tuple[int, ...], ...]
    wholes: tuple[tuple[int, ...], ...]

    @property
    def n_tokens(self) -> int:
        return len(self.prefix) + sum(len(b) for b in self.branches)


def _encode(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def encode_pair(tokenizer: Any, context: str, continuation: str) -> tuple[list[int], list[int]]:
    """(context tokens, continuation tokens) as lm-evaluation-harness splits them."""
    n_spaces = len(context) - len(context.rstrip())
    if n_spaces:
        continuation = context[-n_spaces:] + continuation
        context = context[:-n_spaces]
    whole = _encode(tokenizer, context + continuation)
    context_ids = _encode(tokenizer, context)
    return whole[: len(context_ids)], whole[len(context_ids) :]


def _common_prefix(seqs: Sequence[Sequence[int]]) -> int:
    n = min(len(s) for s in seqs)
    for i in range(n):
        first = seqs[0][i]
        if any(s[i] != first for s in seqs[1:]):
            return i
    return n


def build_tree(tokenizer: Any, index: int, request: ChoiceRequest, *, prefix_token_id: int | None = None) -> _Tree:
    wholes, scored = [], []
    for continuation in request.continuations:
        ctx, cont = encode_pair(tokenizer, request.context, continuation)
        if not cont:
            raise ValueError(f"item {index}: continuation {continuation!r} has no tokens of its own")
        if not ctx:
            if prefix_token_id is None:
                raise ValueError(f"item {index}: empty context needs a prefix token")
            ctx = [prefix_token_id]
        whole = tuple(ctx + cont)
        wholes.append(whole)
        scored.append(tuple(range(len(ctx), len(whole))))
    # Every scored token is predicted from the one before it, which must exist.
    shared = min(_common_prefix(wholes), min(len(w) for w in wholes) - 1)
    shared = max(shared, 1)
    prefix = wholes[0][:shared]
    branches = tuple(w[shared:] for w in wholes)
    return _Tree(index, prefix, branches, tuple(scored), tuple(wholes))


@dataclass
class _PackedBatch:
    input_ids: torch.Tensor
    position_ids: torch.Tensor
    mask: torch.Tensor  # [B, 1, T, T] bool, True = may attend
    predict_rows: torch.Tensor  # flat indices into [B*T] of positions whose logits are needed
    targets: torch.Tensor
    # For each target: (item list index, continuation index)
    owners: list[tuple[int, int]]


def _pack(trees: Sequence[_Tree], pad_id: int) -> _PackedBatch:
    # Built in numpy: thousands of tiny torch ops cost more than the forward pass itself.
    width = max(t.n_tokens for t in trees)
    B = len(trees)
    ids = np.full((B, width), pad_id, dtype=np.int64)
    pos = np.zeros((B, width), dtype=np.int64)
    mask = np.zeros((B, 1, width, width), dtype=np.bool_)
    tril = np.tril(np.ones((width, width), dtype=np.bool_))
    predict_rows: list[int] = []
    targets: list[int] = []
    owners: list[tuple[int, int]] = []
    for b, tree in enumerate(trees):
        p = len(tree.prefix)
        ids[b, :p] = tree.prefix
        pos[b, :p] = np.arange(p)
        mask[b, 0, :p, :p] = tril[:p, :p]
        offset = p
        for j, branch in enumerate(tree.branches):
            n = len(branch)
            if n:
                sl = slice(offset, offset + n)
                ids[b, sl] = branch
                pos[b, sl] = np.arange(p, p + n)
                mask[b, 0, sl, :p] = True
                mask[b, 0, sl, sl] = tril[:n, :n]
            for t in tree.scored[j]:
                # Token t of the whole sequence is predicted at whole position t - 1.
                src = t - 1
                col = src if src < p else offset + (src - p)
                predict_rows.append(b * width + col)
                targets.append(tree.wholes[j][t])
                owners.append((b, j))
            offset += n
        # Padding attends to itself only, so no row of the mask is empty (that would give NaNs).
        for k in range(tree.n_tokens, width):
            mask[b, 0, k, k] = True
    return _PackedBatch(
        torch.from_numpy(ids),
        torch.from_numpy(pos),
        torch.from_numpy(mask),
        torch.tensor(predict_rows, dtype=torch.long),
        torch.tensor(targets, dtype=torch.long),
        owners,
    )


def _core(model: Any) -> Any:
    return model.get_base_model() if hasattr(model, "get_base_model") else model


def head_logprobs(core: Any, rows: torch.Tensor, targets: torch.Tensor, *, chunk: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Log-probability of each target and whether it is the top-1 token, from hidden rows.

    The LM head runs in chunks of rows: a [rows, 49152] logits matrix for a whole batch
    would be hundreds of MB and far slower to stream through the cache.
    """
    head = core.get_output_embeddings()
    logps, greedy = [], []
    for start in range(0, rows.shape[0], chunk):
        logits = head(rows[start : start + chunk]).float()
        tgt = targets[start : start + chunk]
        target_logits = logits.gather(1, tgt[:, None])[:, 0]
        logps.append(target_logits - torch.logsumexp(logits, dim=-1))
        greedy.append(logits.argmax(-1) == tgt)
    if not logps:
        return torch.zeros(0), torch.zeros(0, dtype=torch.bool)
    return torch.cat(logps), torch.cat(greedy)


def _logprobs_at(model: Any, batch: _PackedBatch) -> tuple[torch.Tensor, torch.Tensor]:
    core = _core(model)
    hidden = core.get_decoder()(
        input_ids=batch.input_ids,
        position_ids=batch.position_ids,
        attention_mask=batch.mask,
        use_cache=False,
    ).last_hidden_state
    rows = hidden.reshape(-1, hidden.shape[-1]).index_select(0, batch.predict_rows)
    return head_logprobs(core, rows, batch.targets)


def batches_by_budget(lengths: Sequence[int], token_budget: int, max_rows: int) -> list[list[int]]:
    """Indices sorted by length (longest first) and cut into batches of at most
    ``token_budget`` padded tokens and ``max_rows`` rows."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = lengths[current[0]] if current else lengths[i]
        if current and ((len(current) + 1) * width > token_budget or len(current) >= max_rows):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def score_choices(
    model: Any,
    tokenizer: Any,
    requests: Sequence[ChoiceRequest],
    *,
    token_budget: int = 4096,
    max_rows: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> list[ChoiceScores]:
    """Log-likelihood of every continuation of every request, one forward row per request."""
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    prefix_id = tokenizer.eos_token_id
    trees = [build_tree(tokenizer, i, r, prefix_token_id=prefix_id) for i, r in enumerate(requests)]
    sums = [[0.0] * len(t.branches) for t in trees]
    greedy = [[True] * len(t.branches) for t in trees]
    done = 0
    batches = batches_by_budget([t.n_tokens for t in trees], token_budget, max_rows)
    with torch.inference_mode():
        for batch_idx in batches:
            chunk = [trees[i] for i in batch_idx]
            packed = _pack(chunk, pad_id)
            target_logp, is_greedy = _logprobs_at(model, packed)
            for k, (b, j) in enumerate(packed.owners):
                item = chunk[b].index
                sums[item][j] += float(target_logp[k])
                greedy[item][j] = greedy[item][j] and bool(is_greedy[k])
            done += len(chunk)
            if progress:
                progress(done, len(trees))
    return [
        ChoiceScores(tuple(sums[i]), tuple(len(s) for s in t.scored), tuple(greedy[i]))
        for i, t in enumerate(trees)
    ]


def choice_probabilities(logprobs: Sequence[float]) -> list[float]:
    """Softmax over the choices' log-likelihoods: the model's distribution over the options."""
    m = max(logprobs)
    exps = [math.exp(lp - m) for lp in logprobs]
    total = sum(exps)
    return [e / total for e in exps]


# --- per-token NLL of reference answers --------------------------------------------------


@dataclass(frozen=True)
class SequenceScore:
    nll_sum: float
    n_tokens: int
    n_correct: int  # tokens where the reference token was the model's top-1 prediction


def score_sequences(
    model: Any,
    sequences: Sequence[tuple[Sequence[int], Sequence[bool]]],
    *,
    pad_id: int,
    token_budget: int = 4096,
    max_rows: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> list[SequenceScore]:
    """NLL and top-1 accuracy of the masked tokens of each (input_ids, loss_mask) sequence.

    ``loss_mask[t]`` marks token t as a target, predicted from position t - 1 (the
    convention of tuning.backends.chat). Right-padded batches, sorted by length.
    """
    results: list[SequenceScore | None] = [None] * len(sequences)
    done = 0
    batches = batches_by_budget([len(s[0]) for s in sequences], token_budget, max_rows)
    core = _core(model)
    with torch.inference_mode():
        for batch_idx in batches:
            width = max(len(sequences[i][0]) for i in batch_idx)
            ids = torch.full((len(batch_idx), width), pad_id, dtype=torch.long)
            attn = torch.zeros((len(batch_idx), width), dtype=torch.long)
            rows, targets, owner = [], [], []
            for b, i in enumerate(batch_idx):
                seq, mask = sequences[i]
                ids[b, : len(seq)] = torch.tensor(list(seq), dtype=torch.long)
                attn[b, : len(seq)] = 1
                for t, m in enumerate(mask):
                    if m and t > 0:
                        rows.append(b * width + t - 1)
                        targets.append(seq[t])
                        owner.append(b)
            hidden = core.get_decoder()(
                input_ids=ids, attention_mask=attn if bool((attn == 0).any()) else None, use_cache=False
            ).last_hidden_state
            sel = hidden.reshape(-1, hidden.shape[-1]).index_select(0, torch.tensor(rows, dtype=torch.long))
            logp, correct = head_logprobs(core, sel, torch.tensor(targets, dtype=torch.long))
            nll = -logp
            per: dict[int, list[float]] = {}
            for k, b in enumerate(owner):
                acc = per.setdefault(b, [0.0, 0, 0])
                acc[0] += float(nll[k])
                acc[1] += 1
                acc[2] += int(correct[k])
            for b, i in enumerate(batch_idx):
                s, n, c = per.get(b, [0.0, 0, 0])
                results[i] = SequenceScore(s, int(n), int(c))
            done += len(batch_idx)
            if progress:
                progress(done, len(sequences))
    return results  # type: ignore[return-value]  (every index is filled by its batch)


# --- batched greedy generation -------------------------------------------------------------


def generate_greedy(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[Sequence[int]],
    *,
    max_new_tokens: int,
    batch_size: int = 8,
    stop_token_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[list[int]]:
    """Greedy continuations of token-id prompts, left-padded and batched by length."""
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    stop = stop_token_id if stop_token_id is not None else tokenizer.eos_token_id
    out: list[list[int] | None] = [None] * len(prompts)
    order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            width = max(len(prompts[i]) for i in idx)
            ids = torch.full((len(idx), width), pad_id, dtype=torch.long)
            attn = torch.zeros((len(idx), width), dtype=torch.long)
            for b, i in enumerate(idx):
                p = list(prompts[i])
                ids[b, width - len(p) :] = torch.tensor(p, dtype=torch.long)
                attn[b, width - len(p) :] = 1
            gen = model.generate(
                input_ids=ids,
                attention_mask=attn,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                temperature=None,
                top_p=None,
                top_k=None,
                eos_token_id=stop,
                pad_token_id=pad_id,
            )
            for b, i in enumerate(idx):
                new = gen[b, width:].tolist()
                if stop in new:
                    new = new[: new.index(stop)]
                out[i] = new
            if progress:
                progress(min(start + batch_size, len(order)), len(order))
    return [o or [] for o in out]
