from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from tuning import services as tuning_services
from tuning.models import JobStatus


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
def inbox_services(monkeypatch):
    """tuning.services.job_provider_accept / job_provider_decline: the real ones when the tuning engineer's
    code is present; until then a stand-in that follows the written contract (approved provider → pending_review;
    decline with a reason → rejected), so the inbox's own behaviour (scoping, 404s, shapes) is tested now."""
    from accounts.services import provider_require_approved

    if not hasattr(tuning_services, "job_provider_accept"):
        def job_provider_accept(*, job, actor):
            provider_require_approved(organization=job.provider)
            return tuning_services.job_transition(job=job, to=JobStatus.PENDING_REVIEW, actor=actor)

        monkeypatch.setattr(tuning_services, "job_provider_accept", job_provider_accept, raising=False)
    if not hasattr(tuning_services, "job_provider_decline"):
        def job_provider_decline(*, job, actor, reason):
            if not reason.strip():
                raise DomainError("A reason is required to decline.", param="reason", code="reason_required")
            return tuning_services.job_transition(job=job, to=JobStatus.REJECTED, actor=actor, message=reason)

        monkeypatch.setattr(tuning_services, "job_provider_decline", job_provider_decline, raising=False)
    return tuning_services


@pytest.fixture
def locmem_cache(settings):
    """Throttle counters in process memory, so query counts measure the endpoint itself on every backend
    (the embedded default keeps its cache in the database)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
