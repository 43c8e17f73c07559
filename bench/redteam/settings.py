"""Settings for the red-team bench: the demo's embedded settings (config.settings.local) on a fresh SQLite
file, with every task run in-process.

bench/redteam/run.py sets the environment before Django starts: DATABASE_URL (a temporary SQLite file),
TUNEMARKET_MEDIA_ROOT (a temporary folder for datasets and adapters) and the REDTEAM_* variables below.
Differences from the demo, and why:
- Celery tasks run eagerly, still queued on commit: the services, tasks and on-commit ordering are the
  ones a worker runs, without a broker or a second process.
- The cache is in process memory and API throttling is off (one process drives many requests in seconds).
- MD5 password hashing: the bench creates a few dozen throwaway accounts; argon2 would only cost time.
- A fresh card-signing key per run, so nothing is written into the repository's var/keys.
Models are still read from the repository's var/models cache (VAR_DIR is unchanged).
"""
import json

from config.settings.local import *  # noqa: F401,F403
from config.settings.base import REST_FRAMEWORK, env

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": [],
                  "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "chat": "100000/min"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# "" runs the real model every job names (SmolLM2-135M-Instruct, and whatever platform base the
# tuning app builds on it); "tiny-smollm2" runs the tiny random model for a quick check of the plumbing.
TUNEMARKET_BASE_MODEL_OVERRIDE = env.str("REDTEAM_BASE_MODEL_OVERRIDE", default="")
_suites = env.str("REDTEAM_EVALUATION_SUITES", default="")
if _suites:
    # Smaller suites for the quick run; unset, the gate's full suites run (evaluation/conf.py).
    TUNEMARKET_EVALUATION_SUITES = json.loads(_suites)
TUNEMARKET_CARD_SIGNING_KEY = env.str("REDTEAM_CARD_SIGNING_KEY", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("REDTEAM_LOG_LEVEL", default="WARNING")},
    # A 4xx is an answer the bench reads (a refused listing, no published terms), not a problem to log.
    "loggers": {"django.request": {"level": "ERROR"}},
}
