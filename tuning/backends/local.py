"""The local backend: LoRA with transformers + PEFT and a bare PyTorch loop, on the CPU.

Why not the HF Trainer: on this 2-core machine TRL's SFTTrainer trains about 71 tokens
a second (DESIGN.md). This loop computes the same loss (the mean over assistant tokens
of the cross-entropy) faster by:

- applying the LM head only at the positions that predict a trained token: the hidden
  states come from the decoder and ``lm_head`` runs on those rows only, so the
  ``[batch, seq, 49152]`` logits of the prompt tokens are never built;
- running the tokens all sequences of a batch start with (the system prompt) through the
  decoder once, and repeating their keys and values for the batch (exact under causal
  attention; off when LoRA dropout would draw a different mask for each copy);
- batching examples of similar length (sorted within a shuffled window), so almost no
  compute goes to padding, and dropping the attention mask when a batch has none;
- no gradient checkpointing, and evaluation under ``torch.inference_mode``.

bench/train_vs_trl.py measures it against TRL side by side and checks that both give the
same step-1 loss on the same batch.

Training is deterministic for a seed: the data order of every epoch comes from
``(seed, epoch)``, and checkpoints carry the adapter, the optimizer, the scheduler, the
RNG states and the position in the data, so a run resumed after a crash ends with the
same adapter as one that never stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from tuning.backends.base import (
    ChatCompletion,
    Example,
    IncompatibleCheckpoint,
    InvalidExample,
    InvalidTrainingConfig,
    TrainingBackend,
    TrainingCallbacks,
    TrainingConfig,
    TrainingResult,
    register_backend,
)
from tuning.backends.chat import (
    EncodedChat,
    EncodedPair,
    encode_preference_example,
    encode_supervised_example,
    end_of_turn_token,
)
from tuning.backends.models import (
    BASE_MODELS,
    ModelCache,
    load_model_and_tokenizer,
    load_tokenizer,
    model_file_sha256,
)

CHECKPOINT_FORMAT = 1
ADAPTER_DIR = "adapter"
ARTIFACT_META = "tunemarket.json"
# Batches are sorted by length within windows of this many batches: enough to cut
# padding to a few percent, small enough that each epoch's order stays well mixed.
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
    sums = torch.zeros(batch.n_sequences, dtype=token_logps.dtype)
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


# --- checkpoints -----------------------------------------------------------------------


@dataclass
class LoopState:
    step: int = 0
    epoch: int = 0
    # Index of the next micro-batch within the epoch's order.
    batch_in_epoch: int = 0
    trained_tokens: int = 0
    best_valid_loss: float | None = None
    evals_without_improvement: int = 0
    early_stopped: bool = False
    metrics: dict[str, float] = field(default_factory=dict)


def _rng_states() -> dict[str, Any]:
    np_state = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "python": random.getstate(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
    }


def _restore_rng_states(states: dict[str, Any]) -> None:
    torch.set_rng_state(states["torch"])
    random.setstate(_as_tuples(states["python"]))
    kind, keys, pos, has_gauss, cached = states["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))


def _as_tuples(value: Any) -> Any:
    return tuple(_as_tuples(v) for v in value) if isinstance(value, (list, tuple)) else value


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def checkpoint_dirs(workdir: Path) -> list[Path]:
    """Complete checkpoints in ``workdir``, oldest first."""
    root = Path(workdir) / "checkpoints"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.name.startswith("step-") and (p / "state.json").is_file()]
    return sorted(found, key=lambda p: int(p.name.split("-")[1]))


def _adapter_state(model: Any) -> dict[str, torch.Tensor]:
    from peft import get_peft_model_state_dict

    return {k: v.detach().clone().contiguous() for k, v in get_peft_model_state_dict(model).items()}


def _write_checkpoint(
    workdir: Path,
    model: Any,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    state: LoopState,
    identity: dict[str, Any],
) -> Path:
    from safetensors.torch import save_file

    root = Path(workdir) / "checkpoints"
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"step-{state.step:06d}"
    tmp = root / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_file(_adapter_state(model), str(tmp / "adapter_model.safetensors"))
    torch.save(
        {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": _rng_states()},
        tmp / "trainer_state.pt",
    )
    # state.json is written last: a directory without it is not a checkpoint.
    (tmp / "state.json").write_text(
        json.dumps({"format": CHECKPOINT_FORMAT, "state": state.__dict__, **identity}, indent=1, sort_keys=True)
    )
    if final.exists():
        shutil.rmtree(final)
    os.rename(tmp, final)
    return final


def _read_checkpoint(
    path: Path, model: Any, optimizer: torch.optim.Optimizer, scheduler: Any, identity: dict[str, Any]
) -> LoopState:
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    saved = json.loads((path / "state.json").read_text())
    for key, value in identity.items():
        if saved.get(key) != value:
            raise IncompatibleCheckpoint(
                f"checkpoint {path} was written for a different {key.replace('_', ' ')}; "
                "use a fresh work directory for a different job"
            )
    set_peft_model_state_dict(model, load_file(str(path / "adapter_model.safetensors")))
    trainer_state = torch.load(path / "trainer_state.pt", weights_only=True)
    optimizer.load_state_dict(trainer_state["optimizer"])
    scheduler.load_state_dict(trainer_state["scheduler"])
    _restore_rng_states(trainer_state["rng"])
    return LoopState(**saved["state"])


def _data_fingerprint(encoded: Sequence[EncodedChat | EncodedPair]) -> str:
    digest = hashlib.sha256()
    for item in encoded:
        chats = (item.chosen, item.rejected) if isinstance(item, EncodedPair) else (item,)
        for chat in chats:
            digest.update(np.asarray(chat.input_ids, dtype=np.int64).tobytes())
            digest.update(np.asarray(chat.loss_mask, dtype=np.bool_).tobytes())
        digest.update(b"|")
    return digest.hexdigest()


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


# --- the backend -----------------------------------------------------------------------


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class LocalBackend(TrainingBackend):
    name = "local"

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        num_threads: int | None = None,
        inference_cache_size: int = 2,
        share_prefix: bool = True,
        safety_mix: bool = True,
    ):
        self.cache_dir = cache_dir
        self.num_threads = num_threads
        # Run a prefix common to a whole batch (the system prompt) through the decoder once.
        self.share_prefix = share_prefix
        # The platform's safety examples mixed into every training set (tuning/platform_base/dataset.py).
        # Not a training setting: no recipe, job or request reaches it; only the mix-ablation bench
        # builds a backend without it, to measure what the mix costs and saves.
        self.safety_mix = safety_mix
        self.inference_cache = ModelCache(max_entries=inference_cache_size)

    # -- preparing ----------------------------------------------------------------------

    @staticmethod
    def _check_base_model(config: TrainingConfig) -> None:
        if config.base_model not in BASE_MODELS:
            raise InvalidTrainingConfig(
                f"base model {config.base_model!r} is not available; choose one of {sorted(BASE_MODELS)}"
            )

    def with_safety_mix(self, config: TrainingConfig, train_examples: Sequence[Example]) -> tuple[list[Example], dict]:
        """The job's examples followed by the platform's safety sample, and the record of that sample."""
        if not self.safety_mix:
            return list(train_examples), {"n": 0, "disabled": "ablation bench only"}
        from tuning.platform_base.dataset import safety_mix

        extra, record = safety_mix(len(train_examples), method=config.method, seed=config.seed)
        return [*train_examples, *extra], record

    def prepare(
        self, config: TrainingConfig, train_examples: Sequence[Example], val_examples: Sequence[Example] = ()
    ) -> dict[str, Any]:
        self._check_base_model(config)
        tokenizer = load_tokenizer(config.base_model, cache_dir=self.cache_dir)
        if not train_examples:
            raise InvalidExample("the training file has no examples")
        train_examples, mix = self.with_safety_mix(config, train_examples)
        train = encode_examples(tokenizer, config, train_examples)
        val = encode_examples(tokenizer, config, val_examples)
        if not train:
            raise InvalidExample("the training file has no examples")
        steps_per_epoch = self._steps_per_epoch(len(train), config)
        return {
            "n_examples": len(train),
            "n_val_examples": len(val),
            "trained_tokens_per_epoch": sum(e.n_trained for e in train),
            "total_tokens_per_epoch": sum(self._total_tokens(e) for e in train),
            "steps_per_epoch": steps_per_epoch,
            "total_steps": steps_per_epoch * config.n_epochs,
            "truncated_examples": sum(self._truncated(e) for e in train),
            "safety_examples": mix["n"],
        }

    @staticmethod
    def _total_tokens(item: EncodedChat | EncodedPair) -> int:
        if isinstance(item, EncodedPair):
            return item.chosen.n_tokens + item.rejected.n_tokens
        return item.n_tokens

    @staticmethod
    def _truncated(item: EncodedChat | EncodedPair) -> bool:
        if isinstance(item, EncodedPair):
            return bool(item.chosen.truncated_turns or item.rejected.truncated_turns)
        return bool(item.truncated_turns)

    @staticmethod
    def _steps_per_epoch(n_examples: int, config: TrainingConfig) -> int:
        micro_batches = math.ceil(n_examples / config.batch_size)
        return math.ceil(micro_batches / config.gradient_accumulation_steps)

    # -- the model ----------------------------------------------------------------------

    def _set_threads(self) -> None:
        torch.set_num_threads(self.num_threads or _cpu_count())

    @staticmethod
    def _lora_config(config: TrainingConfig):
        from peft import LoraConfig, TaskType

        return LoraConfig(
            task_type=TaskType.CAUSAL_LM,
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=list(config.lora_target_modules),
            bias="none",
        )

    def build_peft_model(self, config: TrainingConfig) -> tuple[Any, Any]:
        """The base model with a freshly initialised adapter (seeded by ``config.seed``)."""
        from peft import get_peft_model

        self._check_base_model(config)
        model, tokenizer = load_model_and_tokenizer(config.base_model, cache_dir=self.cache_dir)
        seed_everything(config.seed)
        try:
            peft_model = get_peft_model(model, self._lora_config(config))
        except ValueError as exc:  # e.g. a target module the architecture lacks
            raise InvalidTrainingConfig(f"LoRA settings do not fit {config.base_model}: {exc}") from exc
        return peft_model, tokenizer

    # -- training -----------------------------------------------------------------------

    def train(
        self,
        config: TrainingConfig,
        train_examples: Sequence[Example],
        val_examples: Sequence[Example],
        workdir: Path,
        callbacks: TrainingCallbacks | None = None,
    ) -> TrainingResult:
        from transformers import get_linear_schedule_with_warmup

        started = time.monotonic()
        callbacks = callbacks or TrainingCallbacks()
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        self._set_threads()

        model, tokenizer = self.build_peft_model(config)
        if not train_examples:
            raise InvalidExample("the training file has no examples")
        train_examples, mix = self.with_safety_mix(config, train_examples)
        train = encode_examples(tokenizer, config, train_examples)
        val = encode_examples(tokenizer, config, val_examples)
        pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        lengths = [item.n_tokens for item in train]

        steps_per_epoch = self._steps_per_epoch(len(train), config)
        total_steps = steps_per_epoch * config.n_epochs
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(
            params, lr=config.effective_learning_rate, betas=(0.9, 0.999), eps=1e-8, weight_decay=config.weight_decay
        )
        scheduler = get_linear_schedule_with_warmup(
            optimizer, math.ceil(config.warmup_ratio * total_steps), total_steps
        )
        identity = {
            "config": config.fingerprint(),
            "training_data": _data_fingerprint(train),
            "validation_data": _data_fingerprint(val),
        }

        state = LoopState()
        resumed_from_step = None
        existing = checkpoint_dirs(workdir)
        if existing:
            state = _read_checkpoint(existing[-1], model, optimizer, scheduler, identity)
            resumed_from_step = state.step
        checkpoints = list(existing)

        model.train()
        session_start, session_first_step = time.monotonic(), state.step
        order = epoch_batches(lengths, config.batch_size, config.seed, state.epoch)

        while state.step < total_steps and not state.early_stopped:
            callbacks.heartbeat()
            if callbacks.should_stop():
                return TrainingResult(
                    status="cancelled",
                    steps=state.step,
                    total_steps=total_steps,
                    trained_tokens=state.trained_tokens,
                    metrics=dict(state.metrics),
                    artifact_path=None,
                    resumed_from_step=resumed_from_step,
                    checkpoints=checkpoints,
                    wall_seconds=time.monotonic() - started,
                )

            step_batches = order[state.batch_in_epoch : state.batch_in_epoch + config.gradient_accumulation_steps]
            step_started = time.monotonic()
            step_metrics, step_tokens = self._optimizer_step(
                model, config, train, step_batches, params, optimizer, pad_id
            )
            scheduler.step()
            step_seconds = time.monotonic() - step_started
            state.step += 1
            state.trained_tokens += step_tokens
            state.batch_in_epoch += len(step_batches)
            if state.batch_in_epoch >= len(order):
                state.epoch += 1
                state.batch_in_epoch = 0
                if state.step < total_steps:
                    order = epoch_batches(lengths, config.batch_size, config.seed, state.epoch)

            elapsed = time.monotonic() - session_start
            done_here = state.step - session_first_step
            eta = elapsed / done_here * (total_steps - state.step)
            state.metrics.update(step_metrics)
            state.metrics.update(
                {
                    "learning_rate": scheduler.get_last_lr()[0],
                    "epoch": state.epoch + state.batch_in_epoch / len(order),
                    "trained_tokens": float(state.trained_tokens),
                }
            )

            last_step = state.step == total_steps
            if val and ((config.eval_every_steps and state.step % config.eval_every_steps == 0) or last_step):
                valid = self.evaluate(model, config, val, pad_id, heartbeat=callbacks.heartbeat)
                model.train()
                state.metrics.update(valid)
                callbacks.on_metrics(state.step, dict(valid))
                self._early_stopping(config, state, valid["valid_loss"])

            if (
                (config.checkpoint_every_steps and state.step % config.checkpoint_every_steps == 0)
                or last_step
                or state.early_stopped
            ):
                path = _write_checkpoint(workdir, model, optimizer, scheduler, state, identity)
                checkpoints.append(path)
                callbacks.on_checkpoint(state.step, path, dict(state.metrics))

            progress = {**state.metrics, "tokens_per_second": step_tokens / max(step_seconds, 1e-9)}
            callbacks.on_progress(state.step, total_steps, progress, eta)

        artifact = self.save_artifact(model, workdir / "artifact", config, metrics=state.metrics, safety_mix=mix)
        return TrainingResult(
            status="early_stopped" if state.early_stopped else "succeeded",
            steps=state.step,
            total_steps=total_steps,
            trained_tokens=state.trained_tokens,
            metrics=dict(state.metrics),
            artifact_path=artifact,
            resumed_from_step=resumed_from_step,
            checkpoints=checkpoints,
            wall_seconds=time.monotonic() - started,
        )

    def _optimizer_step(
        self,
        model: Any,
        config: TrainingConfig,
        data: Sequence[EncodedChat | EncodedPair],
        step_batches: Sequence[Sequence[int]],
        params: list[torch.nn.Parameter],
        optimizer: torch.optim.Optimizer,
        pad_id: int,
    ) -> tuple[dict[str, float], int]:
        """One optimizer step over its micro-batches: its metrics and trained tokens.

        The loss is normalised over the whole step (tokens for SFT, pairs for DPO), as HF's
        Trainer does with ``num_items_in_batch``, so accumulation does not change the math."""
        items = [[data[i] for i in batch] for batch in step_batches]
        trained_tokens = sum(item.n_trained for batch in items for item in batch)
        metrics: dict[str, float] = {}
        # With LoRA dropout each copy of a shared prefix would draw its own mask.
        share = config.lora_dropout == 0 and self.share_prefix
        if config.method == "supervised":
            loss_total, correct = 0.0, 0
            for batch_items in items:
                batch = collate(batch_items, pad_id, share_prefix=share)
                loss_sum, n_correct = sft_loss_sum(model, batch)
                (loss_sum / trained_tokens).backward()
                loss_total += float(loss_sum.detach())
                correct += n_correct
            metrics["train_loss"] = loss_total / trained_tokens
            metrics["train_mean_token_accuracy"] = correct / trained_tokens
        else:
            n_pairs = sum(len(batch) for batch in items)
            loss_total, margin_total, wins = 0.0, 0.0, 0
            for batch_items in items:
                batch = collate_pairs(batch_items, pad_id, share_prefix=share)
                losses, margins = dpo_terms(model, batch, config.dpo_beta)
                (losses.sum() / n_pairs).backward()
                loss_total += float(losses.detach().sum())
                margin_total += float(margins.sum())
                wins += int((margins > 0).sum())
            metrics["train_loss"] = loss_total / n_pairs
            metrics["train_reward_margin"] = margin_total / n_pairs
            metrics["train_reward_accuracy"] = wins / n_pairs
        if config.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, config.max_grad_norm)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return metrics, trained_tokens

    @staticmethod
    def _early_stopping(config: TrainingConfig, state: LoopState, valid_loss: float) -> None:
        if state.best_valid_loss is None or valid_loss < state.best_valid_loss - config.early_stopping_min_delta:
            state.best_valid_loss = valid_loss
            state.evals_without_improvement = 0
        else:
            state.evals_without_improvement += 1
            if config.early_stopping_patience and state.evals_without_improvement >= config.early_stopping_patience:
                state.early_stopped = True

    def evaluate(
        self,
        model: Any,
        config: TrainingConfig,
        data: Sequence[EncodedChat | EncodedPair],
        pad_id: int,
        *,
        heartbeat=None,
    ) -> dict[str, float]:
        """Validation metrics over all of ``data``, token-weighted for SFT."""
        model.eval()
        order = sorted(range(len(data)), key=lambda i: data[i].n_tokens)
        size = config.batch_size * 2
        loss_total, correct, count, margin_total = 0.0, 0, 0, 0.0
        with torch.inference_mode():
            for b in range(0, len(order), size):
                chunk = [data[i] for i in order[b : b + size]]
                if config.method == "supervised":
                    batch = collate(chunk, pad_id, share_prefix=self.share_prefix)
                    loss_sum, n_correct = sft_loss_sum(model, batch)
                    loss_total += float(loss_sum)
                    correct += n_correct
                    count += batch.n_targets
                else:
                    losses, margins = dpo_terms(model, collate_pairs(chunk, pad_id, share_prefix=self.share_prefix), config.dpo_beta)
                    loss_total += float(losses.sum())
                    margin_total += float(margins.sum())
                    correct += int((margins > 0).sum())
                    count += len(chunk)
                if heartbeat:
                    heartbeat()
        if config.method == "supervised":
            return {"valid_loss": loss_total / count, "valid_mean_token_accuracy": correct / count}
        return {
            "valid_loss": loss_total / count,
            "valid_reward_accuracy": correct / count,
            "valid_reward_margin": margin_total / count,
        }

    # -- artifacts and inference --------------------------------------------------------

    def save_artifact(
        self, model: Any, path: Path, config: TrainingConfig, *, metrics: dict[str, float] | None = None,
        safety_mix: dict[str, Any] | None = None,
    ) -> Path:
        """Write the adapter as PEFT's ``adapter_model.safetensors`` + ``adapter_config.json``,
        with ``tunemarket.json`` saying which base model (and file hash) it belongs to."""
        path = Path(path)
        tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        model.save_pretrained(tmp, safe_serialization=True)
        meta = {
            "base_model": config.base_model,
            "base_model_sha256": model_file_sha256(config.base_model),
            "method": config.method,
            "config": config.to_dict(),
            "metrics": metrics or {},
            "safety_mix": safety_mix or {},
        }
        (tmp / ARTIFACT_META).write_text(json.dumps(meta, indent=1, sort_keys=True))
        if path.exists():
            shutil.rmtree(path)
        os.rename(tmp, path)
        return path

    @staticmethod
    def artifact_metadata(path: Path) -> dict[str, Any]:
        """What ``save_artifact`` recorded: base model and its hash, method, config
        (including the system prompt to serve with), final metrics."""
        return json.loads((Path(path) / ARTIFACT_META).read_text())

    def load_for_inference(self, base_model: str, adapter_path: Path | None = None) -> tuple[Any, Any]:
        """``(model, tokenizer)`` with the adapter merged into the weights, cached per process."""
        key: tuple[Any, ...] = (base_model, None)
        if adapter_path is not None:
            adapter_file = Path(adapter_path) / "adapter_model.safetensors"
            if not adapter_file.is_file():
                raise FileNotFoundError(f"no adapter at {adapter_path}")
            meta_file = Path(adapter_path) / ARTIFACT_META
            if meta_file.is_file():
                trained_on = json.loads(meta_file.read_text()).get("base_model")
                if trained_on and trained_on != base_model:
                    raise ValueError(f"adapter {adapter_path} was trained on {trained_on}, not {base_model}")
            key = (base_model, str(Path(adapter_path).resolve()), adapter_file.stat().st_mtime_ns)

        def load() -> tuple[Any, Any]:
            from peft import PeftModel

            model, tokenizer = load_model_and_tokenizer(base_model, cache_dir=self.cache_dir)
            if adapter_path is not None:
                model = PeftModel.from_pretrained(model, str(adapter_path)).merge_and_unload()
            model.eval()
            return model, tokenizer

        return self.inference_cache.get_or_load(key, load)

    def generate(
        self,
        model: Any,
        tokenizer: Any,
        messages: Sequence[dict[str, Any]],
        *,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> ChatCompletion:
        return generate(model, tokenizer, messages, max_new_tokens, temperature, seed=seed)


register_backend("local", LocalBackend)
