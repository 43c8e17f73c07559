"""Evaluation settings, read when used (so tests can change them with pytest-django's `settings`).

- TUNEMARKET_EVALUATION_SUITES: a dict of suites.runner.SuiteConfig fields (suite sizes, seeds,
  generation windows), from the environment variable of the same name as JSON. Tests
  with the tiny model use small subsets; the demo and the real gate use the full sets.
- TUNEMARKET_CARD_SIGNING_KEY: the platform's Ed25519 private key for model-card manifests, as
  PEM or as base64 of the 32 raw bytes. Without it a development key
  is generated once into VAR_DIR/keys/ (never do that in production: set the key).
"""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings

from .suites.runner import SuiteConfig


def suite_config() -> SuiteConfig:
    return SuiteConfig.from_dict(getattr(settings, "TUNEMARKET_EVALUATION_SUITES", None) or {})


def signing_key_setting() -> str:
    return str(getattr(settings, "TUNEMARKET_CARD_SIGNING_KEY", "") or "")


def dev_key_path() -> Path:
    var_dir = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var"))
    return var_dir / "keys" / "model-card-ed25519.pem"


ROOT = Path(__file__).resolve().parent.parent
# What a released model's safety rests on: the suites and the gate, the guard and its detectors, and
# the platform bases (their committed adapters' manifests). A change to any of them re-checks every
# released model.
SAFETY_SOURCES = (
    "evaluation/gate.py", "evaluation/suites/safety.py", "evaluation/suites/runner.py",
    "evaluation/suites/balance.py", "review/guard.py",
    "review/judge.py", "review/refusal.py", "review/rules.py", "review/exemplars.py",
)


@functools.lru_cache(maxsize=1)
def _sources_digest() -> str:
    digest = hashlib.sha256()
    paths = [ROOT / p for p in SAFETY_SOURCES] + sorted((ROOT / "tuning/platform_base/adapters").glob("*/manifest.json"))
    for path in paths:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def safety_fingerprint() -> str:
    """SHA-256 over the safety sources and the suite configuration in force."""
    config = json.dumps(suite_config().to_dict(), sort_keys=True, default=str)
    return hashlib.sha256((_sources_digest() + config).encode()).hexdigest()
