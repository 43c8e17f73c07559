"""Settings for the real Celery workers that the worker and fault tests start (config.settings.test
plus short leases and the test-only fault injection, read from the environment the test sets)."""
from config.settings.test import *  # noqa: F401,F403
from config.settings.test import CELERY_BEAT_SCHEDULE, env

TUNEMARKET_JOB_LEASE_SECONDS = env.float("TM_TEST_LEASE_SECONDS", default=8.0)
TUNEMARKET_REAPER_INTERVAL_SECONDS = env.float("TM_TEST_REAPER_INTERVAL_SECONDS", default=1.0)
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "tuning.reap_expired_leases": {
        **CELERY_BEAT_SCHEDULE["tuning.reap_expired_leases"],
        "schedule": TUNEMARKET_REAPER_INTERVAL_SECONDS,
        "options": {"queue": "default", "expires": TUNEMARKET_REAPER_INTERVAL_SECONDS},
    },
}
TUNEMARKET_CHECKPOINT_EVERY_STEPS = env.int("TM_TEST_CHECKPOINT_EVERY_STEPS", default=2)
TUNEMARKET_FAULT_STEP_DELAY_SECONDS = env.float("TM_TEST_STEP_DELAY_SECONDS", default=0.0)
TUNEMARKET_FAULT_CRASH_AT_STEP = env.int("TM_TEST_CRASH_AT_STEP", default=0)
TUNEMARKET_FAULT_CRASH_MODE = env.str("TM_TEST_CRASH_MODE", default="raise")
JOB_MAX_ATTEMPTS = env.int("TM_TEST_MAX_ATTEMPTS", default=3)
TUNEMARKET_AUTO_EVALUATE = False
