"""The payments admin is read-only for money; reviewers cannot reach it."""
import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from accounts.roles import REVIEWER_GROUP
from payments.models import License, LicenseStatus, PayoutAccount
from tests.factories import PASSWORD, make_admin, make_provider, make_user
from tests.payments.factories import make_license

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

READ_ONLY = ["license", "billingcustomer", "stripeevent", "jobpayment", "paymentrefund", "ledgertransaction",
             "ledgerentry", "providerpayout"]


def _admin() -> Client:
    c = Client()
    c.force_login(make_admin())
    return c


def test_money_models_are_listed_but_cannot_be_added_edited_or_deleted():
    lic = make_license(organization=make_user(role="customer").organization)
    client = _admin()
    for model in READ_ONLY:
        assert client.get(f"/admin/payments/{model}/").status_code == 200, model
        assert client.get(f"/admin/payments/{model}/add/").status_code == 403, model
    page = client.get(f"/admin/payments/license/{lic.pk}/change/")
    assert page.status_code == 200 and b'name="status"' not in page.content and b'name="plan"' not in page.content
    r = client.post(f"/admin/payments/license/{lic.pk}/change/", {"status": "ended", "plan": "enterprise"})
    assert r.status_code == 403
    assert client.post(f"/admin/payments/license/{lic.pk}/delete/", {"post": "yes"}).status_code == 403
    lic.refresh_from_db()
    assert (lic.status, lic.plan) == (LicenseStatus.ACTIVE, "premium")
    assert License.objects.filter(pk=lic.pk).exists()


def test_payout_accounts_take_only_connect_account_ids_for_providers():
    provider = make_provider(approved=True)
    client = _admin()
    r = client.post("/admin/payments/payoutaccount/add/",
                    {"organization": provider.organization.pk, "stripe_account_id": "ba_not_an_account"})
    assert r.status_code == 200 and not PayoutAccount.objects.exists()
    r = client.post("/admin/payments/payoutaccount/add/",
                    {"organization": provider.organization.pk, "stripe_account_id": "acct_1Provider"})
    assert r.status_code == 302
    assert PayoutAccount.objects.get().stripe_account_id == "acct_1Provider"


def test_reviewers_cannot_open_any_payments_page():
    user = User.objects.create_user(email="rev@example.test", password=PASSWORD, name="Rev", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    c = Client()
    c.force_login(user)
    for model in READ_ONLY + ["payoutaccount"]:
        assert c.get(f"/admin/payments/{model}/").status_code == 403, model
    assert not [p for p in user.get_all_permissions() if p.startswith("payments.")]
