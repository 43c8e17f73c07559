"""POST /v1/stripe/webhook: signatures on the raw body, store once, process once."""
import hashlib
import hmac
import json
import threading
import time

import pytest
from django.db import connections
from django.test import Client

from payments import gateway, services
from payments.models import JobPayment, LedgerEntry, LedgerTransaction, StripeEvent
from payments.selectors import unbalanced_transactions
from tests.factories import make_user
from tests.payments.conftest import WEBHOOK_SECRET, Delivery, deliver
from tests.payments.factories import make_job, make_listing

URL = "/v1/stripe/webhook"


def _sign(body: bytes, secret: str, t: int | None = None) -> str:
    t = int(time.time()) if t is None else t
    sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={sig}"


def _post(body: bytes, signature: str | None):
    extra = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    return Client().post(URL, data=body, content_type="application/json", **extra)


def _assert_refused(r, code: str):
    assert r.status_code == 400, r.content
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"}
    assert err["type"] == "invalid_request_error" and err["code"] == code


@pytest.mark.django_db
@pytest.mark.embedded
def test_missing_forged_or_stale_signatures_are_refused_and_nothing_is_stored(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE = 300
    body = json.dumps({"id": "evt_local_1", "object": "event", "type": "customer.created",
                       "data": {"object": {"id": "cus_x", "object": "customer"}}}).encode()
    _assert_refused(_post(body, None), "missing_signature")
    _assert_refused(_post(body, _sign(body, "whsec_someone_else")), "invalid_signature")
    _assert_refused(_post(body.replace(b"cus_x", b"cus_y"), _sign(body, WEBHOOK_SECRET)), "invalid_signature")
    r = _post(body, _sign(body, WEBHOOK_SECRET, t=int(time.time()) - 301))
    _assert_refused(r, "invalid_signature")
    assert "tolerance" in r.json()["error"]["message"].lower()
    _assert_refused(_post(b"not json", _sign(b"not json", WEBHOOK_SECRET)), "invalid_payload")
    assert StripeEvent.objects.count() == 0
    r = _post(body, _sign(body, WEBHOOK_SECRET))
    assert r.status_code == 200 and r.json() == {"received": True, "id": "evt_local_1", "duplicate": False}
    assert StripeEvent.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.stripe
def test_a_real_localstripe_delivery_is_refused_when_tampered_or_stale(stripe_webhooks, webhook):
    customer = make_user(role="customer")
    billing = services.billing_customer_ensure(organization=customer.organization)
    real = stripe_webhooks.wait_for("customer.created", billing.stripe_customer_id)
    t = int(real.signature.split(",")[0].removeprefix("t="))
    tampered = real.body.replace(billing.stripe_customer_id.encode(), b"cus_forged000000")
    _assert_refused(_post(tampered, real.signature), "invalid_signature")
    _assert_refused(_post(real.body, _sign(real.body, WEBHOOK_SECRET, t=t - 3600)), "invalid_signature")
    _assert_refused(_post(real.body, real.signature.replace("v1=", "v1=0")), "invalid_signature")
    assert not StripeEvent.objects.filter(event_id=real.event["id"]).exists()
    r = webhook(real)
    assert r.status_code == 200
    event = StripeEvent.objects.get(event_id=real.event["id"])
    assert event.processed_at is not None and event.result == "ignored"


@pytest.mark.django_db(transaction=True)
@pytest.mark.stripe
def test_the_same_event_delivered_five_times_two_at_once_has_one_effect(stripe_webhooks):
    customer = make_user(role="customer")
    services.billing_payment_method_set(organization=customer.organization, payment_method="pm_card_visa",
                                        actor=customer)
    listing = make_listing(price_amount=12000)
    job = make_job(customer=customer, listing=listing)
    payment = services.job_payment_authorize(job=job)
    # Captured on Stripe's side (say, from the Dashboard): the webhook is how we learn of it.
    gateway.client().v1.payment_intents.capture(payment.stripe_payment_intent_id)
    delivery: Delivery = stripe_webhooks.wait_for("payment_intent.succeeded", payment.stripe_payment_intent_id)

    responses, errors = [], []
    barrier = threading.Barrier(2)

    def hit():
        try:
            barrier.wait(timeout=10)
            responses.append(deliver(delivery))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hit) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors
    for _ in range(3):
        responses.append(deliver(delivery))

    assert [r.status_code for r in responses] == [200] * 5
    assert sorted(r.json()["duplicate"] for r in responses) == [False, True, True, True, True]
    assert StripeEvent.objects.filter(event_id=delivery.event["id"]).count() == 1
    assert StripeEvent.objects.get(event_id=delivery.event["id"]).processed_at is not None
    payment = JobPayment.objects.get(pk=payment.pk)
    assert payment.status == "captured" and payment.captured_amount == 12000
    assert LedgerTransaction.objects.filter(job_payment=payment).count() == 1
    assert list(LedgerEntry.objects.filter(transaction__job_payment=payment).order_by("account")
                .values_list("account", "amount")) == sorted([
                    ("customer_payments", -12000), (f"provider:{listing.provider.public_id}", 10200),
                    ("platform_fees", 1800)])
    assert unbalanced_transactions() == []


@pytest.mark.django_db
def test_an_event_whose_processing_message_was_lost_is_processed_later_once(settings, django_capture_on_commit_callbacks):
    """Stripe never re-sends an event we answered 200; a lost processing message (or one a SIGKILLed worker
    held, which Redis returns only after its visibility timeout) must not leave it unapplied (bench/load_fault)."""
    from datetime import timedelta

    from django.utils import timezone

    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    body = json.dumps({"id": "evt_lost_1", "object": "event", "type": "customer.created",
                       "data": {"object": {"id": "cus_lost", "object": "customer"}}}).encode()
    with django_capture_on_commit_callbacks(execute=False) as lost:
        assert _post(body, _sign(body, WEBHOOK_SECRET)).status_code == 200
    assert len(lost) == 1  # the processing message, never delivered
    event = StripeEvent.objects.get(event_id="evt_lost_1")
    assert event.processed_at is None
    assert services.stripe_events_resend_unprocessed() == []  # just stored: its message may be on its way

    later = timezone.now() + timedelta(seconds=settings.PAYMENTS_EVENT_RESEND_SECONDS + 60)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.stripe_events_resend_unprocessed(now=later) == ["evt_lost_1"]
    event.refresh_from_db()
    assert event.processed_at is not None and event.result == "ignored"
    assert services.stripe_events_resend_unprocessed(now=later) == []
    assert services.stripe_event_process(event_pk=event.pk) == "already processed"
