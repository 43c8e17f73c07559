from datetime import timedelta

import pytest
from django.utils import timezone

from tuning import services as tuning_services


class Clock:
    """Shifts django.utils.timezone.now (what every service, selector and auto_now_add reads)."""

    def __init__(self, monkeypatch):
        self._real = timezone.now
        self.offset = timedelta(0)
        monkeypatch.setattr(timezone, "now", lambda: self._real() + self.offset)

    def advance(self, **kwargs) -> None:
        self.offset += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def inbox_services():
    """The real tuning job services the inbox calls (job_provider_accept / job_provider_decline)."""
    return tuning_services


@pytest.fixture
def locmem_cache(settings):
    """Throttle counters in process memory, so query counts measure the endpoint itself on every backend
    (the embedded default keeps its cache in the database)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
