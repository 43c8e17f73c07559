import pytest
from django.test import override_settings

from tests.tuning.factories import ForcedHarmfulBackend, approve, licensed_customer, make_job, make_listing, release
from tuning.backends.base import register_backend


@pytest.fixture(autouse=True)
def _tuning_media(tmp_path):
    """Datasets, checkpoints and adapters go to a fresh MEDIA_ROOT per test. Tests here drive the
    evaluation verdict themselves (job_evaluation_finished is the seam the evaluation engineer
    calls), so the evaluation task is not queued after training.

    override_settings, not the `settings` fixture: some tests here parametrize a `settings` argument.
    """
    with override_settings(MEDIA_ROOT=str(tmp_path / "media"), TUNEMARKET_AUTO_EVALUATE=False):
        yield


@pytest.fixture
def customer(db):
    return licensed_customer()


@pytest.fixture
def listing(db):
    return make_listing()


@pytest.fixture
def trained_job(db, customer, listing, django_capture_on_commit_callbacks):
    """A job trained in-process (eager Celery, the tiny model) and waiting in `evaluating`."""
    job = make_job(customer=customer, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        approve(job)
    job.refresh_from_db()
    assert job.status == "evaluating", list(job.events.values_list("message", flat=True))
    return job


@pytest.fixture
def released_job(trained_job):
    return release(trained_job)


# The payments engineer's own localstripe process (a separate port, never the shared one on 8420).
from tests.payments.conftest import API_KEY as STRIPE_TEST_KEY  # noqa: E402
from tests.payments.conftest import localstripe_url  # noqa: E402,F401


@pytest.fixture
def localstripe(settings, localstripe_url):  # noqa: F811
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_SECRET_KEY = STRIPE_TEST_KEY
    return localstripe_url


@pytest.fixture
def forced(settings):
    register_backend("forced-harmful", ForcedHarmfulBackend)
    ForcedHarmfulBackend.calls = 0
    settings.TUNEMARKET_TRAINING_BACKEND = "forced-harmful"
    return ForcedHarmfulBackend
