"""Licences against a real localstripe: subscribe, decline, webhooks, past due, out-of-order events."""
import pytest

from payments import gateway
from payments.models import BillingCustomer, License, LicenseStatus, StripeEvent
from tests.factories import make_user
from tests.payments.conftest import deliver, run_localstripe

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]

DECLINED_AT_ATTACH = "4000000000000002"  # localstripe declines attaching this card
DECLINED_AT_CHARGE = "pm_card_chargeCustomerFail"  # attaches, then every charge fails


def _card(number: str) -> str:
    pm = gateway.client().v1.payment_methods.create(
        {"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"}}
    )
    return pm.id


def _subscribed(api, plan="premium", payment_method="pm_card_visa"):
    customer = make_user(role="customer")
    client = api.as_user(customer)
    r = client.post("/v1/billing/payment_methods", {"payment_method": payment_method}, format="json")
    assert r.status_code == 200, r.json()
    r = client.post("/v1/licenses", {"plan": plan}, format="json")
    return customer, client, r


def test_subscribe_with_visa_gives_an_active_licence_that_the_webhooks_confirm(api, stripe_webhooks, webhook):
    customer, client, r = _subscribed(api)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["plan"] == "premium" and body["status"] == "active"
    assert body["current_period_end"] > body["current_period_start"]
    lic = License.objects.get(public_id=body["id"])
    # Stripe holds the same subscription, on our plan id, paid.
    sub = gateway.client().v1.subscriptions.retrieve(lic.stripe_subscription_id)
    assert sub.status == "active" and sub["plan"]["id"] == "tm_premium_monthly"
    assert sub.customer == BillingCustomer.objects.get(organization=customer.organization).stripe_customer_id

    created = stripe_webhooks.wait_for("customer.subscription.created", lic.stripe_subscription_id)
    paid = stripe_webhooks.wait_for("invoice.payment_succeeded", sub.latest_invoice)
    for delivery in (created, paid):
        r = webhook(delivery)
        assert r.status_code == 200 and r.json()["duplicate"] is False
    events = StripeEvent.objects.filter(event_id__in=[created.event["id"], paid.event["id"]])
    assert events.count() == 2 and all(e.processed_at for e in events)
    assert all(e.result.endswith("active") for e in events)
    current = client.get("/v1/licenses/current").json()
    assert current["id"] == lic.public_id and current["status"] == "active"


def test_the_webhook_alone_provisions_a_licence_when_our_request_was_lost(stripe_webhooks, webhook):
    """Stripe created and charged the subscription, but our request died before it committed."""
    customer = make_user(role="customer")
    from payments import services

    billing = services.billing_payment_method_set(organization=customer.organization, payment_method="pm_card_visa",
                                                  actor=customer)
    sub = gateway.subscription_create(
        customer=billing.stripe_customer_id, plan_id="tm_enterprise_monthly",
        metadata={"tm_org": customer.organization.public_id, "tm_plan": "enterprise"}, idempotency_key=None,
    )
    assert not License.objects.filter(organization=customer.organization).exists()
    webhook(stripe_webhooks.wait_for("customer.subscription.created", sub.id))
    lic = License.objects.get(stripe_subscription_id=sub.id)
    assert (lic.organization, lic.plan, lic.status) == (customer.organization, "enterprise", LicenseStatus.ACTIVE)


def test_a_card_declined_when_attached_gives_402_and_sets_nothing(api):
    customer = make_user(role="customer")
    client = api.as_user(customer)
    r = client.post("/v1/billing/payment_methods", {"payment_method": _card(DECLINED_AT_ATTACH)}, format="json")
    assert r.status_code == 402
    assert r.json()["error"]["code"] == "card_declined" and "declined" in r.json()["error"]["message"]
    billing = BillingCustomer.objects.filter(organization=customer.organization).first()
    assert billing is None or billing.default_payment_method == ""
    r = client.post("/v1/licenses", {"plan": "premium"}, format="json")
    assert r.status_code == 402 and r.json()["error"]["code"] == "payment_method_required"
    assert not License.objects.filter(organization=customer.organization).exists()


def test_a_declined_first_payment_gives_402_no_licence_and_no_live_subscription(api):
    customer, client, r = _subscribed(api, payment_method=DECLINED_AT_CHARGE)
    assert r.status_code == 402
    assert r.json()["error"]["code"] == "card_declined" and "No licence was created" in r.json()["error"]["message"]
    assert not License.objects.filter(organization=customer.organization).exists()
    billing = BillingCustomer.objects.get(organization=customer.organization)
    subs = gateway.client().v1.subscriptions.list({"customer": billing.stripe_customer_id, "status": "all"})
    assert len(subs.data) == 1 and subs.data[0].status == "canceled"  # what Stripe created was cancelled
    assert client.get("/v1/licenses/current").status_code == 404
    # With a good card the same organisation can subscribe.
    client.post("/v1/billing/payment_methods", {"payment_method": "pm_card_visa"}, format="json")
    r = client.post("/v1/licenses", {"plan": "premium"}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "active"


def test_second_subscription_is_refused_and_cancel_waits_for_the_period_end(api, stripe_webhooks, webhook):
    customer, client, r = _subscribed(api)
    lic = License.objects.get(public_id=r.json()["id"])
    r = client.post("/v1/licenses", {"plan": "enterprise"}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "license_exists"
    r = client.post("/v1/licenses/current/cancel", {}, format="json")
    assert r.status_code == 200
    assert r.json()["status"] == "active" and r.json()["cancel_at_period_end"] is True
    assert gateway.client().v1.subscriptions.retrieve(lic.stripe_subscription_id).cancel_at_period_end is True
    # At the period end Stripe deletes the subscription; the licence ends with it.
    gateway.client().v1.subscriptions.cancel(lic.stripe_subscription_id)
    webhook(stripe_webhooks.wait_for("customer.subscription.deleted", lic.stripe_subscription_id))
    lic.refresh_from_db()
    assert lic.status == LicenseStatus.ENDED and lic.ended_at is not None
    history = list(lic.status_changes.values_list("from_status", "to_status"))
    assert history == [("pending", "active"), ("active", "ended")]
    assert client.get("/v1/licenses/current").status_code == 404


def test_a_failed_renewal_makes_the_licence_past_due_and_a_paid_invoice_reactivates_it(api, stripe_webhooks, webhook):
    customer, client, r = _subscribed(api)
    lic = License.objects.get(public_id=r.json()["id"])
    billing = BillingCustomer.objects.get(organization=customer.organization)
    stripe = gateway.client().v1
    # A renewal that fails: the card now declines charges, and Stripe bills a new period (localstripe bills
    # when the plan's interval changes, so a test-only yearly plan stands in for "the next month").
    bad = stripe.payment_methods.attach(DECLINED_AT_CHARGE, {"customer": billing.stripe_customer_id})
    stripe.customers.update(billing.stripe_customer_id, {"invoice_settings": {"default_payment_method": bad.id}})
    if gateway.plan_retrieve("tm_test_premium_yearly") is None:
        stripe.plans.create({"id": "tm_test_premium_yearly", "product": "tm_premium", "amount": 299000,
                             "currency": "usd", "interval": "year"})
    sub = stripe.subscriptions.update(lic.stripe_subscription_id, {"items": [{"plan": "tm_test_premium_yearly"}]})
    assert sub.status == "past_due"
    failed_invoice = sub.latest_invoice
    webhook(stripe_webhooks.wait_for("invoice.created", failed_invoice))
    lic.refresh_from_db()
    assert lic.status == LicenseStatus.PAST_DUE
    assert client.get("/v1/licenses/current").json()["status"] == "past_due"

    # The customer fixes the card and the open invoice is paid: active again.
    client.post("/v1/billing/payment_methods", {"payment_method": "pm_card_visa"}, format="json")
    stripe.invoices.pay(failed_invoice)
    webhook(stripe_webhooks.wait_for("invoice.payment_succeeded", failed_invoice))
    lic.refresh_from_db()
    assert lic.status == LicenseStatus.ACTIVE
    assert [c.to_status for c in lic.status_changes.all()] == ["active", "past_due", "active"]


def test_events_out_of_order_end_in_the_subscriptions_real_state(api, stripe_webhooks, webhook):
    customer, client, r = _subscribed(api)
    lic = License.objects.get(public_id=r.json()["id"])
    sub_id = lic.stripe_subscription_id
    invoice_id = gateway.subscription_retrieve(sub_id).latest_invoice
    gateway.client().v1.subscriptions.cancel(sub_id)
    deleted = stripe_webhooks.wait_for("customer.subscription.deleted", sub_id)
    created = stripe_webhooks.wait_for("customer.subscription.created", sub_id)
    paid = stripe_webhooks.wait_for("invoice.payment_succeeded", invoice_id)
    # The deletion arrives first, then the older "created" and "paid" events: the licence stays ended.
    for delivery in (deleted, created, paid):
        assert webhook(delivery).status_code == 200
        lic.refresh_from_db()
        assert lic.status == LicenseStatus.ENDED
    assert StripeEvent.objects.filter(object_id__in=[sub_id, invoice_id]).count() == 3


def test_out_of_order_events_for_an_unknown_subscription_never_create_a_licence(api, stripe_webhooks, webhook):
    """A subscription that was declined and cancelled: its late 'created' event must not provision anything."""
    customer, client, r = _subscribed(api, payment_method=DECLINED_AT_CHARGE)
    assert r.status_code == 402
    billing = BillingCustomer.objects.get(organization=customer.organization)
    sub_id = gateway.client().v1.subscriptions.list(
        {"customer": billing.stripe_customer_id, "status": "all"}).data[0].id
    webhook(stripe_webhooks.wait_for("customer.subscription.deleted", sub_id))
    webhook(stripe_webhooks.wait_for("customer.subscription.created", sub_id))
    assert not License.objects.filter(organization=customer.organization).exists()
    assert deliver(stripe_webhooks.wait_for("customer.subscription.created", sub_id)).json()["duplicate"] is True


def test_a_late_created_event_for_a_cancelled_subscription_does_not_revive_it(stripe_webhooks, webhook):
    """The event's own snapshot says "active"; Stripe's current state says "canceled". The latter wins."""
    from payments import services

    customer = make_user(role="customer")
    billing = services.billing_payment_method_set(organization=customer.organization, payment_method="pm_card_visa",
                                                  actor=customer)
    sub = gateway.subscription_create(
        customer=billing.stripe_customer_id, plan_id="tm_premium_monthly",
        metadata={"tm_org": customer.organization.public_id, "tm_plan": "premium"}, idempotency_key=None,
    )
    gateway.subscription_cancel_now(sub.id)
    created = stripe_webhooks.wait_for("customer.subscription.created", sub.id)
    assert created.event["data"]["object"]["status"] == "active"
    webhook(stripe_webhooks.wait_for("customer.subscription.deleted", sub.id))
    webhook(created)
    assert not License.objects.filter(organization=customer.organization).exists()


def test_stripe_sync_plans_on_a_fresh_localstripe_creates_the_plans_without_logging_errors(settings, caplog,
                                                                                           tmp_path):
    """The first lookups of each product and plan answer 404 ("not there yet"): expected, not an error."""
    import logging
    from io import StringIO

    from django.core.management import call_command

    from payments.plans import LICENSE_PLANS

    with run_localstripe(tmp_path / "fresh-localstripe.log") as url:
        settings.STRIPE_API_BASE = url
        out = StringIO()
        with caplog.at_level(logging.DEBUG, logger="payments.gateway"):
            call_command("stripe_sync_plans", stdout=out)
        n = len(LICENSE_PLANS)
        assert out.getvalue().count("created product") == n and out.getvalue().count("created plan") == n
        # The 404s did happen, and were logged below WARNING.
        missing = [r for r in caplog.records if "no such object" in r.getMessage()]
        assert len(missing) == 2 * n and all(r.levelno == logging.DEBUG for r in missing)
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
        assert gateway.plan_retrieve("tm_premium_monthly").amount == LICENSE_PLANS["premium"].price_amount


def test_stripe_sync_plans_is_idempotent_and_refuses_to_reprice_a_live_plan(settings):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("stripe_sync_plans", stdout=out)
    assert out.getvalue().count("is up to date") == 3  # the session already synced them once
    plan = gateway.plan_retrieve("tm_academic_monthly")
    assert (plan.amount, plan.currency, plan.interval, plan.product) == (4900, "usd", "month", "tm_academic")
    from payments import plans

    cheaper = plans.plan_from_config("academic", {**plans.PLAN_CONFIG["academic"], "price_amount": 100})
    original = plans.LICENSE_PLANS["academic"]
    plans.LICENSE_PLANS["academic"] = cheaper
    try:
        with pytest.raises(CommandError, match="immutable"):
            call_command("stripe_sync_plans", stdout=StringIO())
    finally:
        plans.LICENSE_PLANS["academic"] = original
    assert gateway.plan_retrieve("tm_academic_monthly").amount == 4900


def test_an_unknown_payment_method_is_a_clear_400(api):
    r = api.as_user(make_user(role="customer")).post("/v1/billing/payment_methods",
                                                     {"payment_method": "pm_does_not_exist"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["param"] == "payment_method"


def test_an_admin_can_cancel_a_licence_at_period_end_with_a_reason(api):
    from django.test import Client

    from tests.factories import make_admin

    customer, client, r = _subscribed(api)
    lic = License.objects.get(public_id=r.json()["id"])
    admin = Client()
    admin.force_login(make_admin())
    form = {"action": "cancel_at_period_end_selected", "_selected_action": [lic.pk]}
    assert b"give a reason" in admin.post("/admin/payments/license/", form).content
    admin.post("/admin/payments/license/", {**form, "apply": "1", "reason": "Customer asked by email"}, follow=True)
    lic.refresh_from_db()
    assert lic.cancel_at_period_end is True and lic.status == LicenseStatus.ACTIVE
    assert gateway.subscription_retrieve(lic.stripe_subscription_id).cancel_at_period_end is True


def test_a_stale_subscription_state_is_not_applied_and_is_recorded_as_ignored():
    """Our licence ended; the subscription at Stripe still says active (an out-of-order view).
    Ended licences never revive: the move is refused and the refusal is in the history."""
    from core.models import StateChange
    from payments import services as payments
    from tests.payments.factories import make_license

    customer = make_user(role="customer")
    billing = payments.billing_payment_method_set(organization=customer.organization, payment_method="pm_card_visa",
                                                  actor=customer)
    sub = gateway.subscription_create(
        customer=billing.stripe_customer_id, plan_id="tm_premium_monthly",
        metadata={"tm_org": customer.organization.public_id, "tm_plan": "premium"}, idempotency_key=None,
    )
    license = make_license(organization=customer.organization, status=LicenseStatus.ENDED)
    License.objects.filter(pk=license.pk).update(stripe_subscription_id=sub.id)
    payments.license_refresh(subscription_id=sub.id, reason="Stripe event customer.subscription.updated",
                             stripe_event_id="evt_test_stale")
    license.refresh_from_db()
    assert license.status == LicenseStatus.ENDED
    (ignored,) = StateChange.history(license)
    assert (ignored.from_state, ignored.to_state) == ("ended", "active")
    assert ignored.data["applied"] is False and ignored.data["stripe_event_id"] == "evt_test_stale"
    assert "not applied" in ignored.reason
