"""Evaluation settings, read when used (so tests can change them with pytest-django's `settings`).

- TUNEMARKET_EVALUATION_SUITES: a dict of suites.runner.SuiteConfig fields (suite sizes, seeds,
  generation windows), from the environment variable of the same name as JSON. Tests
  with the tiny model use small subsets; the demo and the real gate use the full sets.
- TUNEMARKET_CARD_SIGNING_KEY: the platform's Ed25519 private key for model-card manifests, as
  PEM or as base64 of the 32 raw bytes. Without it a development key
  is generated once into VAR_DIR/keys/ (never do that in production: set the key).
"""
from __future__ import annotations

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
