"""Settings for the listings benchmark: the product's settings on the `tm_bench` PostgreSQL database.

Differences from production, applied to both endpoints alike: API throttling is off (wrk would trip it
within a second) and the cache is in process memory (no Redis needed). The URLconf adds the naive peer.
"""
from config.settings.base import *  # noqa: F401,F403
from config.settings.base import REST_FRAMEWORK, env

DEBUG = False
DATABASES = {"default": env.db("BENCH_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/tm_bench")}
# Persistent connections, as any production deployment would configure them.
DATABASES["default"]["CONN_MAX_AGE"] = 600
ROOT_URLCONF = "bench.listings.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
STRIPE_SECRET_KEY = "sk_test_bench"
STRIPE_WEBHOOK_SECRET = "whsec_bench"
