"""A fresh `migrate` is all the standard Django commands need: signing in works without createcachetable."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.embedded
def test_migrate_alone_creates_the_database_cache_table(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(TUNEMARKET_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings.local", HF_HUB_OFFLINE="1")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True,
                   timeout=600)
    check = ("import django; django.setup(); from django.core.cache import cache; "
             "cache.set('probe', 1); print(cache.get('probe'))")
    out = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip().endswith("1")
