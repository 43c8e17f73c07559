"""Provider payouts: the ledger side with a fake at the payout adapter's boundary, and the Stripe Connect
adapter checked at the SDK's HTTP boundary (localstripe has no Connect, so no transfer can run there)."""
import json
from urllib.parse import parse_qs

import pytest
import stripe

from core.errors import Conflict, DomainError
from payments import gateway, services
from payments.models import LedgerEntry, ProviderPayout
from payments.payouts import StripeConnectPayouts
from payments.selectors import ledger_balances, provider_earnings, unbalanced_transactions
from tests.factories import make_user
from tests.payments.factories import make_job, make_listing


class FakePayouts:
    """Stands in for Stripe Connect at the adapter boundary; records what would have been sent."""

    calls: list[dict] = []

    def transfer(self, *, amount, currency, destination, metadata, idempotency_key):
        FakePayouts.calls.append({"amount": amount, "currency": currency, "destination": destination,
                                  "metadata": metadata, "idempotency_key": idempotency_key})
        return {"id": f"tr_fake_{len(FakePayouts.calls)}"}


@pytest.mark.django_db
@pytest.mark.stripe
def test_a_payout_sends_the_providers_balance_and_posts_it_to_the_ledger(settings):
    settings.PAYMENTS_PAYOUT_ADAPTER = "tests.payments.test_payouts.FakePayouts"
    FakePayouts.calls = []
    customer = make_user(role="customer")
    services.billing_payment_method_set(organization=customer.organization, payment_method="pm_card_visa",
                                        actor=customer)
    listing = make_listing(price_amount=10000)
    provider = listing.provider
    for _ in range(2):
        job = make_job(customer=customer, listing=listing, status="succeeded")
        services.job_payment_authorize(job=job)
        services.job_payment_capture(job=job)
    assert services.provider_balance(provider=provider) == 17000

    with pytest.raises(Conflict) as exc:
        services.provider_payout_create(provider=provider, actor=None)
    assert exc.value.code == "payout_account_missing"
    services.payout_account_set(organization=provider, stripe_account_id="acct_1TunemarketTest", actor=None)
    with pytest.raises(DomainError) as exc:
        services.provider_payout_create(provider=provider, actor=None, amount=17001)
    assert exc.value.code == "invalid_amount" and FakePayouts.calls == []

    payout = services.provider_payout_create(provider=provider, actor=None)
    assert [(c["amount"], c["currency"], c["destination"]) for c in FakePayouts.calls] == [
        (17000, "usd", "acct_1TunemarketTest")]
    assert FakePayouts.calls[0]["idempotency_key"] == f"payout-{payout.public_id}"
    assert (payout.transfer_id, payout.status) == ("tr_fake_1", "paid")
    assert services.provider_balance(provider=provider) == 0
    assert provider_earnings(provider=provider) == {"usd": 0}
    assert ledger_balances()[("payouts", "usd")] == 17000
    assert ledger_balances()[("platform_fees", "usd")] == 3000
    assert unbalanced_transactions() == []
    with pytest.raises(DomainError):
        services.provider_payout_create(provider=provider, actor=None)  # nothing left to pay
    assert ProviderPayout.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.embedded
def test_ledger_rows_cannot_be_changed_or_deleted():
    from payments.ledger import LedgerUnbalanced, ledger_post

    txn = ledger_post(key="test:1", kind="payout", currency="usd", entries=[("provider:org_x", -5), ("payouts", 5)])
    assert ledger_post(key="test:1", kind="payout", currency="usd",
                       entries=[("provider:org_x", -5), ("payouts", 5)]).pk == txn.pk
    assert LedgerEntry.objects.filter(transaction=txn).count() == 2
    with pytest.raises(LedgerUnbalanced):
        ledger_post(key="test:2", kind="payout", currency="usd", entries=[("provider:org_x", -5), ("payouts", 4)])
    entry = LedgerEntry.objects.filter(transaction=txn).first()
    entry.amount = 1_000_000
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(transaction=txn).update(amount=0)
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(transaction=txn).delete()
    assert sorted(LedgerEntry.objects.filter(transaction=txn).values_list("amount", flat=True)) == [-5, 5]


class RecordingHTTPClient(stripe.HTTPClient):
    name = "recording"

    def __init__(self):
        super().__init__()
        self.requests = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.requests.append((method, url, dict(headers or {}), post_data))
        body = {"id": "tr_123", "object": "transfer", "amount": 1500, "currency": "usd", "destination": "acct_42"}
        return json.dumps(body), 200, {}

    def request_stream(self, *args, **kwargs):
        raise NotImplementedError

    def close(self):
        pass


@pytest.mark.django_db  # the suite's autouse cache reset uses the database cache on the embedded default
@pytest.mark.embedded
def test_the_stripe_connect_adapter_sends_a_transfer_to_the_connected_account(monkeypatch):
    http = RecordingHTTPClient()
    monkeypatch.setattr(gateway, "client", lambda: stripe.StripeClient("sk_test_x", http_client=http))
    result = StripeConnectPayouts().transfer(amount=1500, currency="usd", destination="acct_42",
                                             metadata={"tm_payout": "pout_1"}, idempotency_key="payout-pout_1")
    assert result == {"id": "tr_123", "amount": 1500, "destination": "acct_42"}
    [(method, url, headers, body)] = http.requests
    assert method == "post" and url == "https://api.stripe.com/v1/transfers"
    assert headers["Idempotency-Key"] == "payout-pout_1"
    form = parse_qs(body if isinstance(body, str) else body.decode())
    assert form["destination"] == ["acct_42"] and form["amount"] == ["1500"] and form["currency"] == ["usd"]
    assert form["metadata[tm_payout]"] == ["pout_1"]


@pytest.mark.django_db
@pytest.mark.stripe
def test_the_provider_dashboard_shows_earnings_held_amounts_and_payouts_from_the_ledger(settings):
    from django.test import Client

    from accounts.models import Membership
    from tests.factories import PASSWORD, make_provider

    settings.PAYMENTS_PAYOUT_ADAPTER = "tests.payments.test_payouts.FakePayouts"
    customer = make_user(role="customer")
    services.billing_payment_method_set(organization=customer.organization, payment_method="pm_card_visa",
                                        actor=customer)
    listing = make_listing(price_amount=10000)
    for _ in range(2):
        job = make_job(customer=customer, listing=listing, status="succeeded")
        services.job_payment_authorize(job=job)
        services.job_payment_capture(job=job)
    services.job_payment_authorize(job=make_job(customer=customer, listing=listing, status="running"))  # held only

    web = Client()
    assert web.login(email=Membership.objects.filter(organization=listing.provider).first().user.email,
                     password=PASSWORD)
    html = web.get("/dashboard/provider/").content.decode()
    assert "Balance: <strong>170.00 USD</strong>" in html
    assert "until they accept delivery: 100.00 USD" in html
    assert html.count("<td>100.00 USD</td><td>15.00 USD</td>") == 2  # two captured payments, fee 15%

    services.payout_account_set(organization=listing.provider, stripe_account_id="acct_1TunemarketDash", actor=None)
    services.provider_payout_create(provider=listing.provider, actor=None)
    html = web.get("/dashboard/provider/").content.decode()
    assert "Balance: <strong>0.00 USD</strong>" in html and "<td>170.00 USD</td><td>Paid</td>" in html

    other = Client()
    assert other.login(email=make_provider().email, password=PASSWORD)
    html = other.get("/dashboard/provider/").content.decode()
    assert "Balance: <strong>0.00 USD</strong>" in html and "170.00 USD" not in html and "No captured payments yet." in html
