import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import api_key_for, make_admin, make_provider, make_user


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle and lockout counters live in the cache (Redis in CI); each test starts clean.
    cache.clear()
    yield


@pytest.fixture
def api():
    """An unauthenticated API client; `api.as_user(user)` returns one with a Bearer key."""
    client = APIClient()

    def as_user(user):
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(user)}")
        c.user = user
        return c

    client.as_user = as_user
    return client


@pytest.fixture
def customer(db):
    return make_user(role="customer")


@pytest.fixture
def provider(db):
    return make_provider(approved=True)


@pytest.fixture
def admin_user(db):
    return make_admin()
