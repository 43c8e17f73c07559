"""Tests: real PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set (CI), embedded default otherwise."""
from .base import *  # noqa: F401,F403
from .base import REDIS_URL, REST_FRAMEWORK, env

DEBUG = False
# Fast hashing in tests only; production uses argon2 (base.PASSWORD_HASHERS).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_local_tunemarket")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_test_tunemarket")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:8420")
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "10000/min", "user": "10000/min",
                               "chat": "10000/min"},
}
# Tasks run in-process unless a test starts a real worker; on_commit hooks still decide when.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Mails go to django.core.mail.outbox, which each test starts empty.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TUNEMARKET_BASE_MODEL_OVERRIDE = "tiny-smollm2"  # jobs and inference run the tiny SmolLM2-shaped model

if not REDIS_URL:
    # Without Redis, tests use an in-process cache, so tests that need no database never touch one.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
