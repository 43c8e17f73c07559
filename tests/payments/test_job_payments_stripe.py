"""Job payments against a real localstripe: hold, capture, release, refund, auto-capture, the ledger."""
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from core.errors import Conflict, PaymentRequired
from payments import gateway, services
from payments.models import JobPayment, LedgerTransaction, PaymentRefund
from payments.selectors import job_payment_out, ledger_balances, unbalanced_transactions
from payments.tasks import capture_due_payments
from tests.factories import make_admin, make_user
from tests.payments.factories import make_job, make_listing

pytestmark = [pytest.mark.stripe]


def _customer(card: str = "pm_card_visa"):
    customer = make_user(role="customer")
    services.billing_payment_method_set(organization=customer.organization, payment_method=card, actor=customer)
    return customer


def _intents_for(job) -> list:
    """Every PaymentIntent Stripe holds for this job (found by our metadata)."""
    intents = gateway.client().v1.payment_intents.list({"limit": 100}).auto_paging_iter()
    return [pi for pi in intents if (pi.get("metadata") or {}).get("tm_job") == job.public_id]


@pytest.mark.django_db
def test_the_hold_is_placed_on_authorisation_and_captured_when_delivery_is_accepted():
    from tuning.services import job_transition

    customer = _customer()
    listing = make_listing(price_amount=5000)
    job = make_job(customer=customer, listing=listing)
    assert job_payment_out(job) is None

    payment = services.job_payment_authorize(job=job)
    assert payment.status == "authorized" and (payment.amount, payment.currency) == (5000, "usd")
    pi = gateway.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    assert (pi.status, pi.amount, pi.capture_method) == ("requires_capture", 5000, "manual")
    assert pi.metadata["tm_job"] == job.public_id
    job.refresh_from_db()
    out = job_payment_out(job)
    assert out["status"] == "authorized" and out["authorized_at"] and out["captured_at"] is None
    assert set(out) == {"status", "amount", "currency", "authorized_at", "captured_at", "released_at",
                        "refunded_amount"}

    for step in ("pending_review", "queued", "running", "evaluating", "succeeded"):
        job = job_transition(job=job, to=step)
    payment = services.job_payment_capture(job=job)
    assert payment.status == "captured" and payment.captured_amount == 5000 and payment.platform_fee_amount == 750
    assert gateway.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "succeeded"
    services.job_payment_capture(job=job)  # a second accept changes nothing
    assert LedgerTransaction.objects.filter(job_payment=payment).count() == 1
    balances = ledger_balances()
    assert balances[(f"provider:{listing.provider.public_id}", "usd")] == 4250
    assert unbalanced_transactions() == []
    job.refresh_from_db()
    assert job_payment_out(job)["captured_at"] is not None


@pytest.mark.django_db
def test_the_hold_is_released_when_the_provider_declines():
    customer = _customer()
    job = make_job(customer=customer, listing=make_listing(price_amount=8000))
    payment = services.job_payment_authorize(job=job)
    released = services.job_payment_release(job=job, reason="Provider declined: out of scope")
    assert released.status == "released" and released.release_reason == "Provider declined: out of scope"
    assert gateway.client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id).status == "canceled"
    assert services.job_payment_release(job=job, reason="again").released_at == released.released_at
    with pytest.raises(Conflict) as exc:
        services.job_payment_capture(job=job)
    assert exc.value.code == "payment_released"
    assert not LedgerTransaction.objects.filter(job_payment=payment).exists()
    # A job without any payment: release is a no-op.
    assert services.job_payment_release(job=make_job(customer=customer, listing=make_listing()), reason="x") is None


@pytest.mark.django_db
def test_a_retried_authorisation_for_the_same_job_authorises_once():
    customer = _customer()
    job = make_job(customer=customer, listing=make_listing(price_amount=3000))
    first = services.job_payment_authorize(job=job)
    second = services.job_payment_authorize(job=job)
    assert first.pk == second.pk and first.stripe_payment_intent_id == second.stripe_payment_intent_id
    assert first.idempotency_key == f"job-{job.public_id}-authorize"
    intents = _intents_for(job)
    assert [pi.id for pi in intents] == [first.stripe_payment_intent_id]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_authorisations_of_one_job_place_one_hold():
    customer = _customer()
    job = make_job(customer=customer, listing=make_listing(price_amount=3000))
    barrier, results, errors = threading.Barrier(2), [], []

    def authorise():
        try:
            barrier.wait(timeout=10)
            results.append(services.job_payment_authorize(job=job).stripe_payment_intent_id)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=authorise) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors and len(results) == 2 and results[0] == results[1]
    assert len(_intents_for(job)) == 1
    assert JobPayment.objects.filter(job=job).count() == 1


@pytest.mark.django_db
def test_a_declined_card_gives_402_and_no_payment():
    customer = _customer(card="pm_card_chargeCustomerFail")
    job = make_job(customer=customer, listing=make_listing())
    with pytest.raises(PaymentRequired) as exc:
        services.job_payment_authorize(job=job)
    assert exc.value.code == "card_declined" and exc.value.status_code == 402
    assert not JobPayment.objects.filter(job=job).exists()
    no_card = make_user(role="customer")
    with pytest.raises(PaymentRequired) as exc:
        services.job_payment_authorize(job=make_job(customer=no_card, listing=make_listing()))
    assert exc.value.code == "payment_method_required"


@pytest.mark.django_db
def test_the_sweep_captures_after_n_days_and_releases_holds_of_jobs_that_ended_badly(settings):
    settings.PAYMENTS_AUTO_CAPTURE_DAYS = 3
    customer = _customer()
    listing = make_listing(price_amount=4000)
    due = make_job(customer=customer, listing=listing, status="succeeded")
    recent = make_job(customer=customer, listing=listing, status="succeeded")
    blocked = make_job(customer=customer, listing=listing, status="evaluating")
    payments = {name: services.job_payment_authorize(job=j) for name, j in
                (("due", due), ("recent", recent), ("blocked", blocked))}
    from tuning.models import FineTuningJob
    from tuning.services import job_transition

    FineTuningJob.objects.filter(pk=due.pk).update(finished_at=timezone.now() - timedelta(days=4))
    job_transition(job=blocked, to="blocked")

    assert capture_due_payments.delay().get() == {"captured": 1, "released": 1, "renewed": 0, "errors": 0}
    status = {name: JobPayment.objects.get(pk=p.pk).status for name, p in payments.items()}
    assert status == {"due": "captured", "recent": "authorized", "blocked": "released"}
    assert capture_due_payments.delay().get() == {"captured": 0, "released": 0, "renewed": 0, "errors": 0}


@pytest.mark.django_db
def test_a_hold_nearing_seven_days_is_renewed_before_it_lapses_and_captures_later(settings):
    from tuning.services import job_transition

    settings.PAYMENTS_HOLD_RENEW_DAYS = 6
    customer = _customer()
    listing = make_listing(price_amount=6000)
    job = make_job(customer=customer, listing=listing, status="running")  # a long queue, a slow review
    payment = services.job_payment_authorize(job=job)
    old_intent = payment.stripe_payment_intent_id
    assert services.job_payments_capture_due()["renewed"] == 0  # a fresh hold is left alone

    JobPayment.objects.filter(pk=payment.pk).update(authorized_at=timezone.now() - timedelta(days=6, hours=1))
    assert services.job_payments_capture_due() == {"captured": 0, "released": 0, "renewed": 1, "errors": 0}
    payment.refresh_from_db()
    assert payment.status == "authorized" and payment.stripe_payment_intent_id != old_intent
    assert payment.authorized_at > timezone.now() - timedelta(minutes=1)
    intents = {pi.id: pi.status for pi in _intents_for(job)}
    assert intents == {old_intent: "canceled", payment.stripe_payment_intent_id: "requires_capture"}  # one hold
    # The webhook for the cancelled intent finds no payment using it: nothing is released.
    assert services.job_payment_refresh(payment_intent_id=old_intent, reason="payment_intent.canceled") != "released"
    assert services.job_payments_capture_due()["renewed"] == 0  # renewed once, not again

    for step in ("evaluating", "succeeded"):
        job = job_transition(job=job, to=step)
    payment = services.job_payment_capture(job=job)
    assert (payment.status, payment.captured_amount) == ("captured", 6000)
    assert unbalanced_transactions() == []


@pytest.mark.django_db
def test_a_declined_renewal_keeps_the_old_hold():
    customer = _customer()
    job = make_job(customer=customer, listing=make_listing(price_amount=6000), status="running")
    payment = services.job_payment_authorize(job=job)
    old_intent = payment.stripe_payment_intent_id
    JobPayment.objects.filter(pk=payment.pk).update(authorized_at=timezone.now() - timedelta(days=6, hours=1))
    # The card on file now declines (a real localstripe decline, not a mock).
    services.billing_payment_method_set(organization=customer.organization,
                                        payment_method="pm_card_chargeCustomerFail", actor=customer)
    outcome = services.job_payments_capture_due()
    assert outcome["renewed"] == 0 and outcome["errors"] == 1
    payment.refresh_from_db()
    assert payment.stripe_payment_intent_id == old_intent and payment.status == "authorized"
    assert gateway.client().v1.payment_intents.retrieve(old_intent).status == "requires_capture"


@pytest.mark.django_db
def test_admin_refunds_part_then_the_rest_and_the_ledger_balances_to_zero():
    customer = _customer()
    listing = make_listing(price_amount=12000)
    job = make_job(customer=customer, listing=listing, status="succeeded")
    payment = services.job_payment_authorize(job=job)
    services.job_payment_capture(job=job)
    admin = Client()
    admin.force_login(make_admin())
    url = "/admin/payments/jobpayment/"
    form = {"action": "refund_selected", "_selected_action": [payment.pk]}

    r = admin.post(url, form)
    assert r.status_code == 200 and b"give an amount and a reason" in r.content
    r = admin.post(url, {**form, "apply": "1", "amount": "2000", "reason": ""})
    assert r.status_code == 200 and not PaymentRefund.objects.exists()  # a reason is required
    r = admin.post(url, {**form, "apply": "1", "amount": "99999", "reason": "Too much"}, follow=True)
    assert b"between 1 and 12000" in r.content and not PaymentRefund.objects.exists()
    r = admin.post(url, {**form, "apply": "1", "amount": "2000", "reason": "Late delivery"}, follow=True)
    assert b"Refunded: 1 done" in r.content
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == ("partially_refunded", 2000)
    # 15 % fee on 12000 = 1800; a sixth is refunded, so the platform gives back a sixth of its fee.
    assert ledger_balances() == {(f"provider:{listing.provider.public_id}", "usd"): 8500,
                                 ("platform_fees", "usd"): 1500, ("customer_payments", "usd"): -10000}
    r = admin.post(url, {**form, "apply": "1", "amount": "", "reason": "Model unusable"}, follow=True)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == ("refunded", 12000)

    refunds = gateway.client().v1.refunds.list({"payment_intent": payment.stripe_payment_intent_id})
    assert sorted(r.amount for r in refunds.data) == [2000, 10000]
    assert [r.reason for r in payment.refunds.all()] == ["Late delivery", "Model unusable"]
    # Fully refunded: the customer, the provider and the platform are all back to zero.
    balances = ledger_balances()
    assert balances == {(f"provider:{listing.provider.public_id}", "usd"): 0, ("platform_fees", "usd"): 0,
                        ("customer_payments", "usd"): 0}
    assert unbalanced_transactions() == []
    kinds = list(LedgerTransaction.objects.filter(job_payment=payment).order_by("id").values_list("kind", flat=True))
    assert kinds == ["capture", "refund", "refund"]
    # Money fields are not editable by hand.
    page = admin.get(f"/admin/payments/jobpayment/{payment.pk}/change/")
    assert page.status_code == 200 and b'name="amount"' not in page.content and b'name="status"' not in page.content
    assert admin.post(f"/admin/payments/jobpayment/{payment.pk}/change/", {"amount": "1"}).status_code == 403


@pytest.mark.django_db
def test_the_tuning_services_release_on_provider_decline_and_capture_on_accepted_delivery(monkeypatch):
    """Through the tuning job services, which call these payment services."""
    from tuning import services as tuning_services
    from evaluation import services as evaluation_services

    customer = _customer()
    listing = make_listing(price_amount=6000)
    provider_user = listing.created_by

    declined = make_job(customer=customer, listing=listing)
    hold = services.job_payment_authorize(job=declined)
    tuning_services.job_provider_decline(job=declined, actor=provider_user, reason="Outside my expertise")
    assert JobPayment.objects.get(pk=hold.pk).status == "released"
    assert gateway.client().v1.payment_intents.retrieve(hold.stripe_payment_intent_id).status == "canceled"

    delivered = make_job(customer=customer, listing=listing, status="succeeded")
    hold = services.job_payment_authorize(job=delivered)
    # Whether the model passed the release gate is evaluation's answer (tested there); here it did.
    monkeypatch.setattr(evaluation_services, "model_is_released", lambda job: True)
    tuning_services.job_accept_delivery(job=delivered, actor=customer)
    tuning_services.job_accept_delivery(job=delivered, actor=customer)  # a second click
    assert JobPayment.objects.get(pk=hold.pk).status == "captured"
    assert gateway.client().v1.payment_intents.retrieve(hold.stripe_payment_intent_id).status == "succeeded"
    assert LedgerTransaction.objects.filter(job_payment=hold).count() == 1
