"""Evaluation settings, read when used (so tests can change them with pytest-django's `settings`).

- TUNEMARKET_EVALUATION_SUITES: a dict of suites.runner.SuiteConfig fields (suite sizes, seeds,
  generation windows). The environment variable of the same name may hold it as JSON. Tests
  with the tiny model use small subsets; the demo and the real gate use the full sets.
- TUNEMARKET_CARD_SIGNING_KEY: the platform's Ed25519 private key for model-card manifests, as
  PEM or as base64 of the 32 raw bytes (settings or environment). Without it a development key
  is generated once into VAR_DIR/keys/ (never do that in production: set the key).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from .suites.runner import SuiteConfig


def suite_config() -> SuiteConfig:
    data = getattr(settings, "TUNEMARKET_EVALUATION_SUITES", None)
    if data is None:
        raw = os.environ.get("TUNEMARKET_EVALUATION_SUITES", "").strip()
        data = json.loads(raw) if raw else {}
    return SuiteConfig.from_dict(data)


def signing_key_setting() -> str:
    return str(getattr(settings, "TUNEMARKET_CARD_SIGNING_KEY", "") or os.environ.get("TUNEMARKET_CARD_SIGNING_KEY", ""))


def dev_key_path() -> Path:
    var_dir = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var"))
    return var_dir / "keys" / "model-card-ed25519.pem"
