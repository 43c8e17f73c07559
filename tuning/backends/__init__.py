"""Training backends: pure Python + torch, no Django.

- ``models``: the base models (SmolLM2-135M-Instruct and the tiny test model), loaded
  offline from a cached safetensors copy; a small LRU for inference models.
- ``base``: the interface every backend implements (TrainingConfig, TrainingCallbacks,
  TrainingResult, TrainingBackend, get_backend) and its errors.
- ``chat``: chat examples to token ids and assistant-only loss masks.
- ``local``: the local backend (transformers + PEFT LoRA, a bare PyTorch loop), on the CPU or one GPU.
- ``device``: which device and precision the backend and the evaluator use (CUDA with bf16 autocast
  when present, else the CPU in fp32; ``TUNEMARKET_DEVICE`` overrides).

Importing this package does not import torch; ``get_backend("local")`` does.
"""

from tuning.backends.base import (
    BASE_LEARNING_RATE,
    ChatCompletion,
    EmptyLossMask,
    IncompatibleCheckpoint,
    InvalidExample,
    InvalidTrainingConfig,
    TrainingBackend,
    TrainingCallbacks,
    TrainingConfig,
    TrainingError,
    TrainingResult,
    get_backend,
    register_backend,
)
from tuning.backends.models import (
    BASE_MODELS,
    BaseModelSpec,
    BaseModelUnavailable,
    ModelCache,
    UnknownBaseModel,
    load_model_and_tokenizer,
    load_tokenizer,
    model_file_sha256,
)

__all__ = [
    "BASE_LEARNING_RATE",
    "BASE_MODELS",
    "BaseModelSpec",
    "BaseModelUnavailable",
    "ChatCompletion",
    "EmptyLossMask",
    "IncompatibleCheckpoint",
    "InvalidExample",
    "InvalidTrainingConfig",
    "ModelCache",
    "TrainingBackend",
    "TrainingCallbacks",
    "TrainingConfig",
    "TrainingError",
    "TrainingResult",
    "UnknownBaseModel",
    "get_backend",
    "load_model_and_tokenizer",
    "load_tokenizer",
    "model_file_sha256",
    "register_backend",
]
