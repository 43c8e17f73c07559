"""The tuning app's settings, with their defaults in one place.

Each knob is read from Django settings when it is defined there (config/settings/*.py, or a
test settings module), else the default below. Reading them through these functions (not at
import time) lets tests change them with pytest-django's `settings` fixture.
"""
from __future__ import annotations

from django.conf import settings

SMOLLM2 = "SmolLM2-135M-Instruct"

DEFAULTS: dict[str, object] = {
    # Base models customers may name in `model` (and that GET /v1/models lists).
    "TUNEMARKET_PUBLIC_BASE_MODELS": [SMOLLM2],
    # When set, every job and every inference call really runs this base model instead
    # (tests use "tiny-smollm2": the same architecture and tokenizer, randomly initialised).
    "TUNEMARKET_BASE_MODEL_OVERRIDE": "",
    # Which training backend (tuning.backends.base.get_backend) and which Celery queue a job
    # uses. A listing whose recipe says {"accelerator": "gpu"} uses the GPU pair instead, so a
    # GPU host can consume the `gpu` queue with its own backend.
    "TUNEMARKET_TRAINING_BACKEND": "local",
    "TUNEMARKET_GPU_TRAINING_BACKEND": "local",
    "TUNEMARKET_GPU_QUEUE": "gpu",
    # Uploads: the largest dataset accepted, enforced while the upload streams in.
    "TUNEMARKET_FILE_MAX_BYTES": 100 * 1024 * 1024,
    # Files up to this size are validated inside the upload request; larger ones by a task.
    "TUNEMARKET_FILE_SYNC_VALIDATION_MAX_BYTES": 8 * 1024 * 1024,
    # Dataset limits (validation).
    "TUNEMARKET_DATASET_MIN_EXAMPLES": 10,
    "TUNEMARKET_DATASET_MAX_LINES": 100_000,
    "TUNEMARKET_DATASET_MAX_LINE_BYTES": 1024 * 1024,
    "TUNEMARKET_DATASET_MAX_EXAMPLE_TOKENS": 2048,
    "TUNEMARKET_DATASET_MAX_TOTAL_TOKENS": 50_000_000,
    "TUNEMARKET_DATASET_MAX_ERRORS": 50,
    # Held-out split when a job has no validation file: this fraction (at least one example).
    "TUNEMARKET_HOLDOUT_FRACTION": 0.1,
    # "auto" hyper-parameters aim at about this many optimizer steps.
    "TUNEMARKET_AUTO_TARGET_STEPS": 100,
    "TUNEMARKET_AUTO_MAX_EPOCHS": 10,
    "TUNEMARKET_AUTO_MAX_BATCH_SIZE": 8,
    # The pipeline: a worker's lease on a job, extended by heartbeats while it trains; the
    # reaper re-queues a job whose lease expired, and fails it after JOB_MAX_ATTEMPTS claims.
    "TUNEMARKET_JOB_LEASE_SECONDS": 300,
    "TUNEMARKET_REAPER_INTERVAL_SECONDS": 60,
    "JOB_MAX_ATTEMPTS": 3,
    # A queued job that no worker claimed this long after its message was sent gets the message again
    # (a lost broker message would otherwise leave it queued for ever; a duplicate is harmless).
    "TUNEMARKET_QUEUED_RESEND_SECONDS": 900,
    # 0 = about ten checkpoints per job; otherwise every N optimizer steps.
    "TUNEMARKET_CHECKPOINT_EVERY_STEPS": 0,
    # After training, queue evaluation's evaluation_run_task (tests that drive the
    # evaluation verdict themselves turn this off).
    "TUNEMARKET_AUTO_EVALUATE": True,
    # Inference: the most new tokens one chat completion may ask for, and loaded models kept.
    "TUNEMARKET_INFERENCE_MAX_TOKENS": 256,
    "TUNEMARKET_INFERENCE_CACHE_SIZE": 2,
    # Monitoring after release (tuning.services.monitoring.model_watch): a model is suspended at once when
    # more than BLOCKED_OUTPUT_RATE of its last WINDOW answers (at least MIN_COMPLETIONS of them) were
    # blocked by the guard, or when REPORT_LIMIT user reports (not dismissed) arrive within REPORT_DAYS.
    "TUNEMARKET_MONITOR_WINDOW": 50,
    "TUNEMARKET_MONITOR_MIN_COMPLETIONS": 10,
    "TUNEMARKET_MONITOR_BLOCKED_OUTPUT_RATE": 0.2,
    "TUNEMARKET_MONITOR_REPORT_LIMIT": 3,
    "TUNEMARKET_MONITOR_REPORT_DAYS": 7,
    # Fault injection, for the fault tests only (tests/tuning/worker_settings.py sets them).
    # Sleep this long after every training step, so a test can kill a worker mid-training.
    "TUNEMARKET_FAULT_STEP_DELAY_SECONDS": 0.0,
    # Every attempt crashes at its first step at or past this one: "raise" raises an exception,
    # "exit" ends the process at once (as a killed worker would).
    "TUNEMARKET_FAULT_CRASH_AT_STEP": 0,
    "TUNEMARKET_FAULT_CRASH_MODE": "raise",
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def training_base_model(requested: str) -> str:
    """The base model that really runs for a requested public base model: its safety-aligned platform
    base (tuning/platform_base), never the raw model. Tests override the requested model with the tiny
    one, whose platform base is built by the same command."""
    from tuning.backends.models import platform_base_of

    return platform_base_of(get("TUNEMARKET_BASE_MODEL_OVERRIDE") or requested)


def tokenizer_model() -> str:
    """Token counts come from the base model's tokenizer (all base models share SmolLM2's)."""
    return training_base_model(list(get("TUNEMARKET_PUBLIC_BASE_MODELS"))[0])


def training_queue() -> str:
    route = settings.CELERY_TASK_ROUTES.get("tuning.tasks.job_run_task", {}) if hasattr(settings, "CELERY_TASK_ROUTES") else {}
    return route.get("queue", "training")
