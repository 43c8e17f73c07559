"""The local backend: LoRA with transformers + PEFT and a bare PyTorch loop, on the CPU or one GPU.

The device comes from ``tuning/backends/device.py`` (CUDA when present, else the CPU;
``TUNEMARKET_DEVICE`` overrides), with the forward pass under bf16 autocast on CUDA. On the
CPU nothing changes: fp32, no autocast, the same numbers as before.

Why not the HF Trainer: on this 2-core machine TRL's SFTTrainer trains about 71 tokens
a second (docs/design.md). This loop computes the same loss (the mean over assistant tokens
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
same adapter as one that never stopped."""
from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import torch

from tuning.backends.base import (
    ChatCompletion,
    Example,
    InvalidExample,
    InvalidTrainingConfig,
    TrainingBackend,
    TrainingCallbacks,
    TrainingConfig,
    TrainingResult,
    register_backend,
)
from tuning.backends.chat import EncodedChat, EncodedPair
from tuning.backends.models import (
    BASE_MODELS,
    ModelCache,
    load_model_and_tokenizer,
    load_tokenizer,
    model_file_sha256,
)

from .batches import collate, collate_pairs, dpo_terms, encode_examples, epoch_batches, sft_loss_sum
from .checkpoints import (
    LoopState,
    _data_fingerprint,
    _read_checkpoint,
    _write_checkpoint,
    checkpoint_dirs,
    seed_everything,
)
from .device import autocast, model_device, pick_device
from .generation import answer_mean_logprobs, generate, generate_stream

ARTIFACT_META = "tunemarket.json"


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
        device: str | None = None,
    ):
        self.cache_dir = cache_dir
        # None: TUNEMARKET_DEVICE, else CUDA when present, else the CPU (resolved when training starts).
        self.device = device
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

        # First: a worker told to use a GPU it does not have fails before it writes anything.
        device = pick_device(self.device)
        started = time.monotonic()
        callbacks = callbacks or TrainingCallbacks()
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        self._set_threads()

        model, tokenizer = self.build_peft_model(config)
        model.to(device)
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
        device = model_device(model)
        # With LoRA dropout each copy of a shared prefix would draw its own mask.
        share = config.lora_dropout == 0 and self.share_prefix
        if config.method == "supervised":
            loss_total, correct = 0.0, 0
            for batch_items in items:
                batch = collate(batch_items, pad_id, share_prefix=share).to(device)
                with autocast(device):
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
                batch = collate_pairs(batch_items, pad_id, share_prefix=share).to(device)
                with autocast(device):
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
        device = model_device(model)
        order = sorted(range(len(data)), key=lambda i: data[i].n_tokens)
        size = config.batch_size * 2
        loss_total, correct, count, margin_total = 0.0, 0, 0, 0.0
        with torch.inference_mode(), autocast(device):
            for b in range(0, len(order), size):
                chunk = [data[i] for i in order[b : b + size]]
                if config.method == "supervised":
                    batch = collate(chunk, pad_id, share_prefix=self.share_prefix).to(device)
                    loss_sum, n_correct = sft_loss_sum(model, batch)
                    loss_total += float(loss_sum)
                    correct += n_correct
                    count += batch.n_targets
                else:
                    pairs = collate_pairs(chunk, pad_id, share_prefix=self.share_prefix).to(device)
                    losses, margins = dpo_terms(model, pairs, config.dpo_beta)
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

    def generate_stream(
        self,
        model: Any,
        tokenizer: Any,
        messages: Sequence[dict[str, Any]],
        *,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> Iterator[str | ChatCompletion]:
        return generate_stream(model, tokenizer, messages, max_new_tokens, temperature, seed=seed)

    def answer_mean_logprobs(
        self,
        model: Any,
        tokenizer: Any,
        messages: Sequence[dict[str, Any]],
        answer: str | Sequence[int],
        temperatures: Sequence[float],
    ) -> list[float]:
        return answer_mean_logprobs(model, tokenizer, messages, answer, temperatures)


register_backend("local", LocalBackend)
