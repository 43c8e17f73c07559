"""Licensing a specialist model (real localstripe: a captured PaymentIntent, the provider's share in the
ledger once, even when the webhook arrives twice) and using it through chat (licensed organisations only,
metered, stopped at once by withdrawal or a hold)."""
import pytest

from accounts import services as acc
from payments import gateway
from payments import services as payments
from payments.models import LedgerTransaction
from payments.selectors import ledger_balances, unbalanced_transactions
from specialists import services
from specialists.models import SpecialistLicense
from specialists.signals import specialist_licensed
from tests.factories import make_admin, make_provider, make_user
from tests.payments.factories import make_license

from .factories import provider_with_licence, publish, release_with_card, trained_provider_job

pytestmark = [pytest.mark.stripe, pytest.mark.django_db]


def _customer(*, plan: str | None = "premium", card: str | None = "pm_card_visa", verified: bool = False):
    user = make_user(role="customer")
    if plan:
        make_license(organization=user.organization, plan=plan)
    if card:
        payments.billing_payment_method_set(organization=user.organization, payment_method=card, actor=user)
    if verified:
        ver = acc.organization_verification_submit(user=user, category="premium", evidence="Company no. 42")
        acc.organization_verify(verification=ver, actor=make_admin(), reason="Checked")
        user._membership_cache = None
    return user


def _chat(client, model: str, text: str = "How do I reset my password?"):
    return client.post("/v1/chat/completions", {"model": model, "max_tokens": 4, "seed": 1,
                                                "messages": [{"role": "user", "content": text}]}, format="json")


def test_licensing_pays_the_provider_once_even_when_the_webhook_arrives_twice(api, specialist, stripe_webhooks,
                                                                             webhook, django_capture_on_commit_callbacks):
    heard = []
    specialist_licensed.connect(lambda sender, license, specialist, **kw: heard.append(license.public_id),
                                weak=False, dispatch_uid="test-heard")
    try:
        customer = _customer()
        client = api.as_user(customer)
        url = f"/v1/specialist_models/{specialist.public_id}/licenses"
        r = client.post(url, {}, format="json")  # terms not accepted: refused, nothing charged
        assert r.status_code == 400 and r.json()["error"]["code"] == "terms_not_accepted"
        assert not SpecialistLicense.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(url, {"accept_terms": True}, format="json", HTTP_IDEMPOTENCY_KEY="lic-1")
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["status"] == "active" and (body["amount"], body["currency"]) == (2500, "usd")
        # A second click replays the first answer; a new request for a held licence is a 409.
        assert client.post(url, {"accept_terms": True}, format="json",
                           HTTP_IDEMPOTENCY_KEY="lic-1").json()["id"] == body["id"]
        r = client.post(url, {"accept_terms": True}, format="json")
        assert r.status_code == 409 and r.json()["error"]["code"] == "specialist_already_licensed"

        lic = SpecialistLicense.objects.get(public_id=body["id"])
        pi = gateway.payment_intent_retrieve(lic.stripe_payment_intent_id)
        assert (pi.status, pi.amount) == ("succeeded", 2500) and pi.metadata["tm_specialist_license"] == lic.public_id
        provider_account = f"provider:{specialist.provider.public_id}"
        assert ledger_balances()[(provider_account, "usd")] == 2500 - 375  # the 15 % platform fee
        delivery = stripe_webhooks.wait_for("payment_intent.succeeded", lic.stripe_payment_intent_id)
        assert webhook(delivery).status_code == 200
        assert webhook(delivery).status_code == 200
        assert LedgerTransaction.objects.filter(key=f"specialist-capture:{lic.public_id}").count() == 1
        assert ledger_balances()[(provider_account, "usd")] == 2125 and unbalanced_transactions() == []
        assert heard == [lic.public_id]  # listeners hear it once
        # the provider's members are mailed once (after the commit, from a task), the customer not at all
        from notifications.models import Notification

        mails = list(Notification.objects.filter(kind="specialist_licensed"))
        assert mails and {m.event_key for m in mails} == {f"specialist_licensed:{lic.public_id}"}
        assert {m.recipient.email for m in mails} <= {
            u.email for u in type(customer).objects.filter(memberships__organization=specialist.provider)}
        assert customer.email not in {m.email for m in mails}

        listed = client.get("/v1/specialist_models/licenses").json()
        assert [x["id"] for x in listed["data"]] == [lic.public_id]
        assert api.as_user(make_user(role="customer")).get("/v1/specialist_models/licenses").json()["data"] == []
    finally:
        specialist_licensed.disconnect(dispatch_uid="test-heard")


def test_a_payment_captured_while_the_request_died_becomes_the_licence_once(specialist, stripe_webhooks, webhook):
    customer = _customer()
    from payments.models import BillingCustomer

    billing = BillingCustomer.objects.get(organization=customer.organization)
    pi = gateway.payment_intent_authorize(
        amount=2500, currency="usd", customer=billing.stripe_customer_id, payment_method=billing.default_payment_method,
        metadata={"tm_specialist_license": "slic_lostrequest0001", "tm_specialist": specialist.public_id,
                  "tm_org": customer.organization.public_id, "tm_terms_sha256": "x"},
        idempotency_key="test-lost-request")
    gateway.payment_intent_capture(pi.id, idempotency_key="test-lost-request-capture")
    delivery = stripe_webhooks.wait_for("payment_intent.succeeded", pi.id)
    webhook(delivery)
    webhook(delivery)
    lic = SpecialistLicense.objects.get(stripe_payment_intent_id=pi.id)
    assert lic.organization == customer.organization and lic.status == "active"
    assert LedgerTransaction.objects.filter(key="specialist-capture:slic_lostrequest0001").count() == 1


def test_a_declined_card_gives_402_and_leaves_no_licence_and_no_ledger(api, specialist):
    customer = _customer(card="pm_card_chargeCustomerFail")
    r = api.as_user(customer).post(f"/v1/specialist_models/{specialist.public_id}/licenses", {"accept_terms": True},
                                   format="json")
    assert r.status_code == 402, r.content
    assert not SpecialistLicense.objects.exists()
    assert not LedgerTransaction.objects.filter(key__startswith="specialist-capture:").exists()


def test_licensing_needs_an_active_plan_that_covers_the_domain_and_medical_a_verified_organisation(
        api, django_capture_on_commit_callbacks):
    provider = provider_with_licence(domains=["medical"], plan="enterprise")
    ver = acc.organization_verification_submit(user=provider, category="partner", evidence="Clinic registry 7")
    acc.organization_verify(verification=ver, actor=make_admin(), reason="Checked")
    provider._membership_cache = None
    provider, job = trained_provider_job(django_capture_on_commit_callbacks, provider=provider, domain="medical")
    spec = publish(provider, release_with_card(job), price_amount=0)
    url = f"/v1/specialist_models/{spec.public_id}/licenses"
    body = {"accept_terms": True}

    r = api.as_user(_customer(plan=None)).post(url, body, format="json")
    assert r.status_code == 402 and r.json()["error"]["code"] == "license_required"
    r = api.as_user(_customer(plan="premium")).post(url, body, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "plan_excludes_domain"
    r = api.as_user(_customer(plan="enterprise")).post(url, body, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "verification_required"
    assert not SpecialistLicense.objects.exists()
    r = api.as_user(_customer(plan="enterprise", verified=True)).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["amount"] == 0
    r = api.as_user(provider).post(url, body, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_a_customer"


def test_only_licensed_organisations_chat_usage_is_metered_and_withdrawal_stops_answers(api, specialist):
    provider = specialist.created_by
    licensee, stranger = _customer(), _customer()
    model = specialist.public_id
    r = _chat(api.as_user(stranger), model)
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"
    assert api.as_user(licensee).post(f"/v1/specialist_models/{model}/licenses", {"accept_terms": True},
                                      format="json").status_code == 201
    client = api.as_user(licensee)
    first = _chat(client, model)
    assert first.status_code == 200, first.content
    assert first.json()["model"] == model and first.json()["choices"][0]["message"]["role"] == "assistant"
    usage = client.get(f"/v1/specialist_models/{model}/usage").json()["total"]
    assert usage["requests"] == 1 and usage["prompt_tokens"] == first.json()["usage"]["prompt_tokens"] > 0
    second = _chat(client, model, "And how do I change my e-mail address?")
    assert second.status_code == 200
    usage2 = client.get(f"/v1/specialist_models/{model}/usage").json()["total"]
    assert usage2["requests"] == 2
    assert usage2["prompt_tokens"] == usage["prompt_tokens"] + second.json()["usage"]["prompt_tokens"]
    assert usage2["completion_tokens"] == (first.json()["usage"]["completion_tokens"]
                                           + second.json()["usage"]["completion_tokens"])
    # A streamed answer is metered too (the same guard, the same count).
    streamed = client.post("/v1/chat/completions", {"model": model, "max_tokens": 4, "seed": 1, "stream": True,
                                                    "messages": [{"role": "user", "content": "Hello"}]},
                           format="json")
    assert streamed.status_code == 200 and b"data: [DONE]" in b"".join(streamed.streaming_content)
    assert client.get(f"/v1/specialist_models/{model}/usage").json()["total"]["requests"] == 3
    # The provider sees each organisation's use; a stranger sees none; the licence list carries it too.
    seen = api.as_user(provider).get(f"/v1/specialist_models/{model}/usage").json()
    assert [(o["organization"]["id"], o["requests"]) for o in seen["by_organization"]] == [
        (licensee.organization.public_id, 3)]
    assert api.as_user(stranger).get(f"/v1/specialist_models/{model}/usage").status_code == 404
    assert client.get("/v1/specialist_models/licenses").json()["data"][0]["usage"]["requests"] == 3
    # Licensing is for use, not download: the adapter stays the provider's.
    assert client.get(f"/v1/models/{specialist.job.fine_tuned_model}/download").status_code == 404

    services.specialist_hold(specialist=specialist, actor=make_admin(), reason="Under review")
    r = _chat(client, model)
    assert r.status_code == 403 and r.json()["error"]["code"] == "specialist_model_held"
    specialist.refresh_from_db()
    services.specialist_release(specialist=specialist, actor=make_admin(), reason="Cleared")
    assert _chat(client, model).status_code == 200
    assert api.as_user(provider).post(f"/v1/specialist_models/{model}/withdraw", {"reason": "Retired"},
                                      format="json").status_code == 200
    for who in (client, api.as_user(provider)):
        r = _chat(who, model)
        assert r.status_code == 403 and r.json()["error"]["code"] == "specialist_model_withdrawn"
        assert "Retired" in r.json()["error"]["message"]
    assert client.get(f"/v1/specialist_models/{model}/usage").json()["total"]["requests"] == 4


def test_a_licence_for_another_providers_model_cannot_be_bought_by_the_provider_itself(api, specialist):
    other_provider = make_provider(approved=True)
    r = api.as_user(other_provider).post(f"/v1/specialist_models/{specialist.public_id}/licenses",
                                         {"accept_terms": True}, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_a_customer"
