"""Hostile or careless input gets a 4xx with the error shape, never a 500, on every kind of endpoint."""
from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_user
from tests.payments.conftest import WEBHOOK_SECRET
from tests.payments.test_webhooks import _sign

NESTED = b"[" * 100_000


def _error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content[:300]
    err = response.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    return err


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf"])
def test_a_non_finite_min_rating_is_a_400(api, value):
    for url in ("/v1/listings", "/v1/providers"):
        assert _error(api.get(url, {"min_rating": value}))["param"] == "min_rating"
    for url in ("/", "/providers/"):
        response = Client().get(url, {"min_rating": value})
        assert response.status_code == 400 and 'role="alert"' in response.content.decode()
    assert Client().get("/", {"max_price": value}).status_code == 400


@pytest.mark.django_db
def test_deeply_nested_json_is_a_400_on_open_and_authenticated_endpoints(api):
    user = make_user()
    signed_in = api.as_user(user)
    for client, url in ((api, "/v1/auth/token"), (api, "/v1/auth/register"), (signed_in, "/v1/chat/completions"),
                        (signed_in, "/v1/fine_tuning/jobs"), (signed_in, "/v1/listings")):
        err = _error(client.generic("POST", url, NESTED, content_type="application/json"))
        assert err["type"] == "invalid_request_error", url


@pytest.mark.django_db
def test_a_body_past_the_limit_is_refused_before_it_is_read(api, settings):
    settings.API_MAX_BODY_BYTES = 4096
    body = b'{"email": "a@b.test", "password": "' + b"x" * 10_000 + b'"}'
    err = _error(api.generic("POST", "/v1/auth/token", body, content_type="application/json"), 413)
    assert err["code"] == "request_too_large"
    assert api.post("/v1/auth/token", {"email": "a@b.test", "password": "x" * 12}, format="json").status_code == 401


@pytest.mark.django_db
def test_a_chat_message_longer_than_the_context_is_refused_before_tokenising(api):
    from tests.tuning.factories import BASE, licensed_customer

    client = api.as_user(licensed_customer())
    response = client.post("/v1/chat/completions", {"model": BASE, "messages": [
        {"role": "user", "content": "word " * 20_000}]}, format="json")
    assert "messages" in _error(response)["param"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", [b"[1, 2, 3]", b'"event"', b"[" * 50_000, b"null"])
def test_a_correctly_signed_webhook_that_is_not_an_event_is_a_400(settings, body):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    response = Client().post("/v1/stripe/webhook", data=body, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=_sign(body, WEBHOOK_SECRET))
    assert _error(response)["code"] == "invalid_payload"


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_reset_the_registration_limit(api):
    codes = []
    for i in range(25):  # the "auth" scope allows 20 a minute per address
        response = api.post("/v1/auth/register", {"email": f"spray{i}@example.test", "password": "x"},
                            format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        codes.append(response.status_code)
    assert 429 in codes and codes.index(429) <= 20


@pytest.mark.django_db
def test_base_model_chat_is_open_to_signed_in_organisations_logged_and_limited(api, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    from tests.factories import make_provider
    from tests.tuning.factories import BASE
    from tuning.models import InferenceLog

    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "chat", "2/min")
    unvetted = make_provider(approved=False)  # no licence, not vetted: the platform's guarded base model only
    client = api.as_user(unvetted)
    body = {"model": BASE, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}
    assert [client.post("/v1/chat/completions", body, format="json").status_code for _ in range(3)] == [200, 200, 429]
    assert InferenceLog.objects.filter(user=unvetted, model=BASE).count() == 2
