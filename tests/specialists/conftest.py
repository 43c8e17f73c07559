import pytest
from django.test import override_settings

from tests.payments.conftest import _stripe_settings, localstripe_url, stripe_webhooks, webhook  # noqa: F401

from .factories import publish, release_with_card, trained_provider_job


@pytest.fixture(autouse=True)
def _media(tmp_path):
    """Adapters go to a fresh MEDIA_ROOT; tests report the gate's verdict themselves (as tests/tuning do)."""
    with override_settings(MEDIA_ROOT=str(tmp_path / "media"), TUNEMARKET_AUTO_EVALUATE=False):
        yield


@pytest.fixture
def provider_job(db, django_capture_on_commit_callbacks):
    """(provider user, its own job trained and waiting in `evaluating`)."""
    return trained_provider_job(django_capture_on_commit_callbacks)


@pytest.fixture
def specialist(provider_job):
    provider, job = provider_job
    return publish(provider, release_with_card(job))
