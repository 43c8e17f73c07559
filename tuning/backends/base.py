"""The interface every training backend implements.

A backend turns chat examples into a LoRA adapter: the local CPU backend today, a GPU
or cluster backend (accelerate/torchrun) or a remote tuning API later. The job
pipeline only talks to this interface, so a new backend plugs in without touching it.

Everything here is plain Python: no Django, no torch.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Method = Literal["supervised", "dpo"]
METHODS: tuple[str, ...] = ("supervised", "dpo")

# The learning rate that learning_rate_multiplier scales. 2e-4 is the usual LoRA rate
# (PEFT and TRL examples); OpenAI's API only exposes the multiplier.
BASE_LEARNING_RATE = 2e-4

# The one training-settings schema: what a customer may request, what a listing's recipe may
# default, and what this interface accepts (TrainingConfig.validate) are all these ranges.
# name -> (type, lowest, highest), inclusive.
HYPERPARAMETER_RANGES: dict[str, tuple[type, float, float]] = {
    "n_epochs": (int, 1, 50),
    "batch_size": (int, 1, 256),
    "learning_rate_multiplier": (float, 1e-3, 10.0),  # x BASE_LEARNING_RATE
    "beta": (float, 1e-3, 10.0),  # DPO's KL strength (TrainingConfig.dpo_beta)
}
LORA_RANGES: dict[str, tuple[type, float, float]] = {
    "r": (int, 1, 256),
    "alpha": (int, 1, 512),
    "dropout": (float, 0.0, 0.5),
}
SYSTEM_PROMPT_MAX_CHARS = 4000


def in_range(table: dict[str, tuple[type, float, float]], name: str, value: Any) -> bool:
    """True when `value` is a number of the table's type (a whole float counts as an int) within its range."""
    kind, low, high = table[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if kind is int and float(value) != int(value):
        return False
    return low <= value <= high

Example = dict[str, Any]
"""A chat example in OpenAI's fine-tuning format.

supervised: ``{"messages": [{"role", "content", "weight"?}, ...]}``
dpo: ``{"input": {"messages": [...]}, "preferred_output": [{"role": "assistant", "content"}],
"non_preferred_output": [{"role": "assistant", "content"}]}``
"""


class TrainingError(Exception):
    """Training cannot proceed; the message says why in words a customer can act on."""


class InvalidTrainingConfig(TrainingError, ValueError):
    """A hyper-parameter is out of range."""


class InvalidExample(TrainingError, ValueError):
    """An example is malformed for the method (wrong shape, unknown role...)."""

    def __init__(self, message: str, *, index: int | None = None):
        self.index = index
        super().__init__(f"example {index}: {message}" if index is not None else message)


class EmptyLossMask(InvalidExample):
    """An example has no token to learn from, or would not learn to end its turn."""


class IncompatibleCheckpoint(TrainingError):
    """The checkpoint in the work directory was written for another config or dataset."""


@dataclass(frozen=True)
class TrainingConfig:
    base_model: str
    method: Method = "supervised"
    n_epochs: int = 3
    batch_size: int = 8
    # The absolute rate wins when set; otherwise BASE_LEARNING_RATE * multiplier.
    learning_rate: float | None = None
    learning_rate_multiplier: float = 1.0
    gradient_accumulation_steps: int = 1
    warmup_ratio: float = 0.1
    weight_decay: float = 0.0
    max_grad_norm: float | None = 1.0
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.0
    lora_target_modules: tuple[str, ...] = ("q_proj", "v_proj")
    max_seq_len: int = 1024
    seed: int = 0
    # 0 means "only at the end of training".
    eval_every_steps: int = 0
    checkpoint_every_steps: int = 0
    # Stop after this many evaluations without a better validation loss; 0 disables.
    early_stopping_patience: int = 0
    early_stopping_min_delta: float = 0.0
    # DPO only: the strength of the KL penalty against the reference (base) model.
    dpo_beta: float = 0.1
    # Added as the system message of examples (and chats) that have none.
    system_prompt: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "lora_target_modules", tuple(self.lora_target_modules))
        self.validate()

    @property
    def effective_learning_rate(self) -> float:
        if self.learning_rate is not None:
            return float(self.learning_rate)
        return BASE_LEARNING_RATE * float(self.learning_rate_multiplier)

    def validate(self) -> None:
        def require(ok: bool, message: str) -> None:
            if not ok:
                raise InvalidTrainingConfig(message)

        require(self.method in METHODS, f"method must be one of {METHODS}, not {self.method!r}")
        for name in ("n_epochs", "batch_size"):
            _, low, high = HYPERPARAMETER_RANGES[name]
            value = getattr(self, name)
            require(isinstance(value, int) and in_range(HYPERPARAMETER_RANGES, name, value), f"{name} must be {low}..{high}")
        if self.learning_rate is None:
            _, low, high = HYPERPARAMETER_RANGES["learning_rate_multiplier"]
            require(in_range(HYPERPARAMETER_RANGES, "learning_rate_multiplier", self.learning_rate_multiplier),
                    f"learning_rate_multiplier must be {low:g}..{high:g}")
        require(self.gradient_accumulation_steps >= 1, "gradient_accumulation_steps must be >= 1")
        require(0 < self.effective_learning_rate <= 1e-1, "learning rate must be in (0, 0.1]")
        require(0.0 <= self.warmup_ratio < 1.0, "warmup_ratio must be in [0, 1)")
        require(self.weight_decay >= 0.0, "weight_decay must be >= 0")
        require(self.max_grad_norm is None or self.max_grad_norm > 0, "max_grad_norm must be > 0")
        for name in ("r", "alpha", "dropout"):
            _, low, high = LORA_RANGES[name]
            require(in_range(LORA_RANGES, name, getattr(self, f"lora_{name}")), f"lora_{name} must be {low:g}..{high:g}")
        require(len(self.lora_target_modules) > 0, "lora_target_modules must not be empty")
        require(16 <= self.max_seq_len <= 32768, "max_seq_len must be 16..32768")
        require(self.eval_every_steps >= 0, "eval_every_steps must be >= 0")
        require(self.checkpoint_every_steps >= 0, "checkpoint_every_steps must be >= 0")
        require(self.early_stopping_patience >= 0, "early_stopping_patience must be >= 0")
        require(self.dpo_beta > 0, "dpo_beta must be > 0")

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["lora_target_modules"] = list(self.lora_target_modules)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidTrainingConfig(f"unknown hyper-parameters: {', '.join(unknown)}")
        return cls(**data)

    def fingerprint(self) -> dict[str, Any]:
        """The fields a checkpoint must agree with to be resumed (not the schedule of
        evaluation or checkpoints, which may change between attempts)."""
        data = self.to_dict()
        for volatile in ("eval_every_steps", "checkpoint_every_steps"):
            data.pop(volatile)
        return data


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


def _never() -> bool:
    return False


@dataclass
class TrainingCallbacks:
    """Hooks a backend calls while it trains. Each one is optional.

    - ``on_progress(step, total_steps, metrics, eta_seconds)`` after every optimizer step;
      metrics has ``train_loss``, ``learning_rate``, ``trained_tokens``, ``tokens_per_second``.
    - ``on_metrics(step, metrics)`` after every evaluation: ``valid_loss``, ``valid_mean_token_accuracy``.
    - ``on_checkpoint(step, path, metrics)`` after a checkpoint is safely on disk.
    - ``should_stop() -> bool`` is asked before every step; True cancels within one step.
    - ``heartbeat()`` is called at least once per step and during long evaluations, so a
      worker can extend its lease.

    An exception raised by a hook propagates out of ``train``; checkpoints already written
    stay, and the next ``train`` on the same workdir resumes from the latest one.
    """

    on_progress: Callable[[int, int, dict[str, float], float | None], None] = _noop
    on_metrics: Callable[[int, dict[str, float]], None] = _noop
    on_checkpoint: Callable[[int, Path, dict[str, float]], None] = _noop
    should_stop: Callable[[], bool] = _never
    heartbeat: Callable[[], None] = _noop


@dataclass
class TrainingResult:
    status: Literal["succeeded", "cancelled", "early_stopped"]
    steps: int
    total_steps: int
    # Tokens that carried loss (assistant tokens with weight 1), summed over all epochs.
    trained_tokens: int
    metrics: dict[str, float]
    artifact_path: Path | None
    resumed_from_step: int | None = None
    checkpoints: list[Path] = field(default_factory=list)
    wall_seconds: float = 0.0


@dataclass
class ChatCompletion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: Literal["stop", "length"]
    # The generated token ids (without the end-of-turn token), for scoring the answer's confidence.
    token_ids: list[int] | None = None


class TrainingBackend(abc.ABC):
    """A way to train and serve LoRA adapters on a base model."""

    name: str = ""

    @abc.abstractmethod
    def prepare(
        self,
        config: TrainingConfig,
        train_examples: Sequence[Example],
        val_examples: Sequence[Example] = (),
    ) -> dict[str, Any]:
        """Check the examples against the config without training.

        Raises InvalidExample / EmptyLossMask on the first bad example. Returns stats:
        ``n_examples``, ``trained_tokens_per_epoch``, ``total_tokens_per_epoch``,
        ``total_steps``, ``truncated_examples``.
        """

    @abc.abstractmethod
    def train(
        self,
        config: TrainingConfig,
        train_examples: Sequence[Example],
        val_examples: Sequence[Example],
        workdir: Path,
        callbacks: TrainingCallbacks | None = None,
    ) -> TrainingResult:
        """Train, resuming from the latest checkpoint in ``workdir`` if there is one."""

    @abc.abstractmethod
    def save_artifact(self, model: Any, path: Path, config: TrainingConfig) -> Path:
        """Write a trained adapter (safetensors) and its metadata to ``path``."""

    @abc.abstractmethod
    def load_for_inference(self, base_model: str, adapter_path: Path | None = None) -> tuple[Any, Any]:
        """Load ``(model, tokenizer)``: the base model with the adapter applied, if given."""

    @abc.abstractmethod
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
        """Answer a chat (OpenAI message dicts) with the model's chat template."""

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
        """Text deltas as they are generated, then the ChatCompletion. A backend that cannot stream
        answers in one delta (this default)."""
        result = self.generate(model, tokenizer, messages, max_new_tokens=max_new_tokens, temperature=temperature,
                               seed=seed)
        if result.text:
            yield result.text
        yield result


    def answer_mean_logprobs(
        self,
        model: Any,
        tokenizer: Any,
        messages: Sequence[dict[str, Any]],
        answer: str | Sequence[int],
        temperatures: Sequence[float],
    ) -> list[float]:
        """The mean token log-probability of ``answer`` (text or token ids) after the chat at each temperature (the
        confidence a calibrated model reports). A backend that cannot score answers says so."""
        raise NotImplementedError(f"the {self.name or type(self).__name__} backend cannot score answers")


_BACKENDS: dict[str, Callable[[], TrainingBackend]] = {}
_INSTANCES: dict[str, TrainingBackend] = {}
_LAZY = ("local",)  # registered by its own module, imported on first use (it pulls in torch and transformers)


def register_backend(name: str, factory: Callable[[], TrainingBackend]) -> None:
    _BACKENDS[name] = factory
    _INSTANCES.pop(name, None)


def get_backend(name: str = "local") -> TrainingBackend:
    """The process-wide instance of a backend (so its inference cache is shared)."""
    if name == "local" and name not in _BACKENDS:
        from tuning.backends import local  # noqa: F401  (registers "local")
    if name not in _BACKENDS:
        raise KeyError(f"unknown training backend {name!r}; known: {sorted(set(_BACKENDS) | set(_LAZY))}")
    if name not in _INSTANCES:
        _INSTANCES[name] = _BACKENDS[name]()
    return _INSTANCES[name]
