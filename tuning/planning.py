"""Hyper-parameters ("auto" resolved like OpenAI's), the training config of a job, and estimates.

Resolution order for each hyper-parameter: the customer's number, else the listing recipe's
number, else "auto" from the dataset size:

- batch_size auto = clamp(n_examples // 10, 1, AUTO_MAX_BATCH_SIZE)   (OpenAI: ~0.2% of examples)
- n_epochs auto   = clamp(ceil(AUTO_TARGET_STEPS * batch_size / n_examples), 1, AUTO_MAX_EPOCHS)
  (small datasets get more passes, large ones fewer, for about AUTO_TARGET_STEPS steps)
- learning_rate_multiplier auto = 1.0 (x BASE_LEARNING_RATE 2e-4, the usual LoRA rate)
- beta auto (DPO) = 0.1
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from core.errors import DomainError

from . import conf
from .backends.base import HYPERPARAMETER_RANGES, in_range

SUPERVISED = "supervised"
DPO = "dpo"
# LoRA SFT on the chat training file, then the tuned model's confidence is fitted on a file of labelled
# items (temperature scaling plus abstention thresholds; evaluation/suites/confidence.py, docs/calibration.md).
CALIBRATION = "calibration"
# Balanced perspectives (tuning/perspectives.py): supervised tuning on answers in the perspectives
# structure (validation.perspectives_problem); every example must follow it.
PERSPECTIVES = "perspectives"
METHODS = (SUPERVISED, DPO, CALIBRATION, PERSPECTIVES)
HYPERPARAMETERS = {
    SUPERVISED: ("n_epochs", "batch_size", "learning_rate_multiplier"),
    DPO: ("n_epochs", "batch_size", "learning_rate_multiplier", "beta"),
    CALIBRATION: ("n_epochs", "batch_size", "learning_rate_multiplier"),
    PERSPECTIVES: ("n_epochs", "batch_size", "learning_rate_multiplier"),
}
# What the training backend runs for each method (calibration and perspectives train as supervised;
# calibration is then fitted).
BACKEND_METHOD = {SUPERVISED: SUPERVISED, DPO: DPO, CALIBRATION: SUPERVISED, PERSPECTIVES: SUPERVISED}
# A calibration job's items are halved (fit / held out): each half needs enough items to mean something.
CALIBRATION_MIN_ITEMS = 20
CALIBRATION_DEFAULT_TARGET_RISK = 0.05
CALIBRATION_TARGET_RISK_RANGE = (0.0, 0.5)

# Measured throughput of each backend on each base model, used by the estimate.
# tokens_per_second counts every token of the rendered examples (padding excluded).
# local / SmolLM2-135M-Instruct: 2-core AVX2 machine, fp32, LoRA r=8 on q/v, batch 8 (docs/design.md,
#   "Measured costs"): a bare PyTorch + PEFT loop trains ~130 tokens/s; the cached model loads in ~1 s).
# local / tiny-smollm2: same machine, same recipe, 64 short chats: ~600 tokens/s, load ~2 s
#   (tokenizer included).
THROUGHPUT: dict[tuple[str, str], dict[str, float]] = {
    ("local", conf.SMOLLM2): {"tokens_per_second": 130.0, "load_seconds": 2.0, "eval_tokens_per_second": 450.0},
    ("local", "tiny-smollm2"): {"tokens_per_second": 600.0, "load_seconds": 2.0, "eval_tokens_per_second": 3000.0},
}
DEFAULT_THROUGHPUT = THROUGHPUT[("local", conf.SMOLLM2)]


def coerce(name: str, value: Any, *, param: str, code: str = "invalid_hyperparameter") -> Any:
    """One hyper-parameter checked against the schema (tuning.backends.base.HYPERPARAMETER_RANGES):
    the value as its type, or a DomainError naming `param`. Jobs and listing recipes both use this."""
    kind, low, high = HYPERPARAMETER_RANGES[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DomainError(f"{param} must be a number or \"auto\".", param=param, code=code)
    if kind is int:
        if float(value) != int(value):
            raise DomainError(f"{param} must be a whole number.", param=param, code=code)
        value = int(value)
    else:
        value = float(value)
    if not in_range(HYPERPARAMETER_RANGES, name, value):
        raise DomainError(f"{param} must be between {low:g} and {high:g}.", param=param, code=code)
    return value


def check_requested(method: str, requested: dict | None, *, param: str = "hyperparameters") -> dict[str, Any]:
    """The customer's hyper-parameters, checked: numbers in range or "auto"; nothing unknown."""
    requested = requested or {}
    if not isinstance(requested, dict):
        raise DomainError(f"{param} must be an object.", param=param, code="invalid_hyperparameter")
    allowed = HYPERPARAMETERS[method]
    out: dict[str, Any] = {}
    for key, value in requested.items():
        if key not in allowed:
            raise DomainError(
                f"Unknown hyper-parameter '{key}' for {method}; allowed: {', '.join(allowed)}.",
                param=f"{param}.{key}", code="invalid_hyperparameter",
            )
        if value is None or value == "auto":
            out[key] = "auto"
        else:
            out[key] = coerce(key, value, param=f"{param}.{key}")
    return out


def resolve(method: str, requested: dict[str, Any], recipe: dict | None, n_examples: int) -> dict[str, Any]:
    recipe_hp = (recipe or {}).get("hyperparameters") or {}
    chosen: dict[str, Any] = {}
    for key in HYPERPARAMETERS[method]:
        value = requested.get(key, "auto")
        if value == "auto" and recipe_hp.get(key) not in (None, "auto"):
            try:
                value = coerce(key, recipe_hp[key], param=f"listing.recipe.hyperparameters.{key}")
            except DomainError:
                value = "auto"  # a provider's malformed default never blocks a customer
        chosen[key] = value
    n = max(1, n_examples)
    if chosen["batch_size"] == "auto":
        chosen["batch_size"] = max(1, min(int(conf.get("TUNEMARKET_AUTO_MAX_BATCH_SIZE")), n // 10))
    if chosen["n_epochs"] == "auto":
        target = int(conf.get("TUNEMARKET_AUTO_TARGET_STEPS"))
        chosen["n_epochs"] = max(1, min(int(conf.get("TUNEMARKET_AUTO_MAX_EPOCHS")), math.ceil(target * chosen["batch_size"] / n)))
    if chosen["learning_rate_multiplier"] == "auto":
        chosen["learning_rate_multiplier"] = 1.0
    if method == DPO and chosen["beta"] == "auto":
        chosen["beta"] = 0.1
    return chosen


def parse_method(method: dict | None, hyperparameters: dict | None) -> tuple[str, dict[str, Any]]:
    """OpenAI's `method` ({"type", "supervised"|"dpo": {"hyperparameters"}}) or the legacy
    top-level `hyperparameters` -> (type, requested hyper-parameters)."""
    if method in (None, {}):
        return SUPERVISED, check_requested(SUPERVISED, hyperparameters)
    if not isinstance(method, dict):
        raise DomainError("method must be an object.", param="method", code="invalid_method")
    kind = method.get("type", SUPERVISED)
    if kind not in METHODS:
        raise DomainError(
            f"method.type '{kind}' is not supported; use one of {', '.join(METHODS)}.", param="method.type",
            code="invalid_method",
        )
    inner = method.get(kind) or {}
    if not isinstance(inner, dict):
        raise DomainError(f"method.{kind} must be an object.", param=f"method.{kind}", code="invalid_method")
    allowed_keys = {"hyperparameters"} | ({"items_file", "target_risk"} if kind == CALIBRATION else set())
    unknown = sorted(set(inner) - allowed_keys)
    if unknown:
        raise DomainError(f"Unknown field method.{kind}.{unknown[0]}; allowed: {', '.join(sorted(allowed_keys))}.",
                          param=f"method.{kind}.{unknown[0]}", code="invalid_method")
    nested = inner.get("hyperparameters")
    if nested and hyperparameters:
        raise DomainError(
            "Give hyperparameters either at the top level or in method, not both.", param="hyperparameters",
            code="invalid_hyperparameter",
        )
    if nested:
        return kind, check_requested(kind, nested, param=f"method.{kind}.hyperparameters")
    return kind, check_requested(kind, hyperparameters)


def parse_calibration(method: dict | None) -> tuple[str, float]:
    """A calibration method's labelled-items file id and target risk (the share of wrong answers the
    customer accepts among those the model gives at the cautious level)."""
    inner = (method or {}).get(CALIBRATION) or {}
    items_file = inner.get("items_file")
    if not isinstance(items_file, str) or not items_file:
        raise DomainError("A calibration job needs method.calibration.items_file: a file of labelled items.",
                          param="method.calibration.items_file", code="invalid_method")
    risk = inner.get("target_risk", CALIBRATION_DEFAULT_TARGET_RISK)
    low, high = CALIBRATION_TARGET_RISK_RANGE
    if isinstance(risk, bool) or not isinstance(risk, (int, float)) or not math.isfinite(risk) or not low <= risk <= high:
        raise DomainError(f"method.calibration.target_risk must be a number from {low:g} to {high:g} (0.05: at most 5% "
                          "wrong answers among those given).", param="method.calibration.target_risk",
                          code="invalid_method")
    return items_file, float(risk)


def holdout_count(n_examples: int) -> int:
    return max(1, int(n_examples * float(conf.get("TUNEMARKET_HOLDOUT_FRACTION"))))


def training_config(
    *, base_model: str, method: str, hyperparameters: dict[str, Any], recipe: dict | None, seed: int,
    system_prompt: str | None,
) -> dict[str, Any]:
    """The tuning.backends.base.TrainingConfig of a job, as a dict (validated by the backend's rules)."""
    from tuning.backends.base import InvalidTrainingConfig, TrainingConfig

    lora = (recipe or {}).get("lora") or {}
    data: dict[str, Any] = {
        "base_model": base_model,
        "method": BACKEND_METHOD.get(method, method),
        "n_epochs": hyperparameters["n_epochs"],
        "batch_size": hyperparameters["batch_size"],
        "learning_rate_multiplier": hyperparameters["learning_rate_multiplier"],
        "seed": seed % 2**31,
        "max_seq_len": int(conf.get("TUNEMARKET_DATASET_MAX_EXAMPLE_TOKENS")),
        "system_prompt": system_prompt or None,
    }
    if method == DPO:
        data["dpo_beta"] = hyperparameters["beta"]
    if isinstance(lora, dict):
        for src, dst in (("r", "lora_r"), ("alpha", "lora_alpha"), ("dropout", "lora_dropout")):
            if isinstance(lora.get(src), (int, float)) and not isinstance(lora.get(src), bool):
                data[dst] = lora[src]
        if isinstance(lora.get("target_modules"), list) and lora["target_modules"]:
            data["lora_target_modules"] = [str(m) for m in lora["target_modules"]]
    try:
        return TrainingConfig.from_dict(data).to_dict()
    except (InvalidTrainingConfig, TypeError) as exc:
        raise DomainError(f"These settings cannot be trained: {exc}", param="hyperparameters", code="invalid_hyperparameter")


@dataclass(frozen=True)
class Estimate:
    examples: int
    tokens_per_epoch: int
    n_epochs: int
    total_tokens: int
    total_steps: int
    wall_seconds: int

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def estimate(*, backend: str, base_model: str, train_examples: int, train_tokens: int, val_tokens: int,
             n_epochs: int, batch_size: int) -> Estimate:
    rates = THROUGHPUT.get((backend, base_model), DEFAULT_THROUGHPUT)
    steps_per_epoch = math.ceil(max(1, train_examples) / batch_size)
    total_steps = steps_per_epoch * n_epochs
    total_tokens = train_tokens * n_epochs
    # Validation runs about ten times per job (with the checkpoints) plus once at the end.
    evals = min(total_steps, 11) if val_tokens else 0
    wall = rates["load_seconds"] + total_tokens / rates["tokens_per_second"] + evals * val_tokens / rates["eval_tokens_per_second"]
    return Estimate(
        examples=train_examples, tokens_per_epoch=train_tokens, n_epochs=n_epochs, total_tokens=total_tokens,
        total_steps=total_steps, wall_seconds=max(1, math.ceil(wall)),
    )
