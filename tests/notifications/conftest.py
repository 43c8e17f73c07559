"""Notifications ride on the job pipeline: tuning's fixtures (a fresh MEDIA_ROOT per test, a licensed
customer, a trained job on the tiny model, our own localstripe) are used here as they are."""
from tests.tuning.conftest import (  # noqa: F401
    _tuning_media,
    customer,
    listing,
    localstripe,
    localstripe_url,
    released_job,
    trained_job,
)

__all__ = ["_tuning_media", "customer", "listing", "localstripe", "localstripe_url", "released_job", "trained_job"]
