"""Settings for the load-and-fault bench (bench/load_fault/run.py): production-shaped base settings on the
bench's own PostgreSQL database and Redis DB, with the tiny model so that many jobs train in minutes.

run.py sets DATABASE_URL, REDIS_URL, STRIPE_API_BASE (its own localstripe), TUNEMARKET_VAR_DIR and
TUNEMARKET_MEDIA_ROOT before anything starts. Differences from production, and why:
- Every client comes from 127.0.0.1, so the per-address throttles (auth 20/min, anon 120/min) would turn
  the 50 customers into 429s: the rates are raised. Lockout and throttle code still runs.
- The tiny random SmolLM2-shaped model and small evaluation suites (the tests' sizes): the pipeline,
  gate and card code are the real ones; only the model's size differs.
- Short leases, a fast reaper and a 60 s re-send of lost messages, so the SIGKILLed worker's work is
  picked up again within the run.
- MD5 password hashing: 50 registrations and sign-ins at once with argon2 took the 2-core machine's
  CPU for minutes (a first run), which measures argon2, not the marketplace. The login code is the same.
"""
import base64

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import CELERY_BEAT_SCHEDULE, REST_FRAMEWORK, env

DEBUG = False
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_tm_loadfault")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_tm_loadfault")
STRIPE_API_BASE = env.str("STRIPE_API_BASE")
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/min",
                               "user": "100000/min", "auth": "100000/min", "chat": "100000/min"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TUNEMARKET_BASE_MODEL_OVERRIDE = "tiny-smollm2"
TUNEMARKET_EVALUATION_SUITES = {
    "core_items": 60, "safety_harmful": 40, "safety_benign": 30, "generation_harmful": 12,
    "generation_attacks": 8, "generation_benign": 8, "generation_max_new_tokens": 8, "target_items": 32,
    "exact_match_items": 4, "bootstrap_resamples": 200,
}
TUNEMARKET_CARD_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
TUNEMARKET_JOB_LEASE_SECONDS = env.float("LOADFAULT_LEASE_SECONDS", default=15.0)
TUNEMARKET_REAPER_INTERVAL_SECONDS = 3.0
# Lost queue messages (training, screening, evaluation) are re-sent after this long instead of 15 minutes.
TUNEMARKET_QUEUED_RESEND_SECONDS = 60
TUNEMARKET_CHECKPOINT_EVERY_STEPS = 2
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "tuning.reap_expired_leases": {
        **CELERY_BEAT_SCHEDULE["tuning.reap_expired_leases"],
        "schedule": TUNEMARKET_REAPER_INTERVAL_SECONDS,
        "options": {"queue": "default", "expires": TUNEMARKET_REAPER_INTERVAL_SECONDS},
    },
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    # A 4xx is an answer the bench counts; a 5xx is logged with its traceback.
    "loggers": {"django.request": {"level": "ERROR"}, "stripe": {"level": "WARNING"}},
}
