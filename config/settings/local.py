"""Development and demo: the embedded default (SQLite + server-less broker) and localstripe."""
from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_local_tunemarket")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_local_tunemarket")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:8420")
