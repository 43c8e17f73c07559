"""/licence/: a customer saves a (test) card, subscribes, cannot subscribe twice, cancels; real localstripe."""
from html import unescape

import pytest
from django.test import Client

from payments.models import BillingCustomer, License
from tests.factories import PASSWORD, make_provider, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def web(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def page_text(client, url="/licence/", data=None) -> str:
    response = client.post(url, data or {}, follow=True) if data is not None else client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_customer_saves_a_card_subscribes_once_and_cancels_from_the_page():
    customer = make_user(role="customer")
    c = web(customer)
    html = page_text(c)
    assert "No card on file yet." in html and html.count("disabled aria-describedby") == 3  # one per plan
    assert "Subscribe to Premium" in html and 'value="pm_card_visa"' in html

    html = page_text(c, "/licence/subscribe", {"plan": "premium"})
    assert "Add a payment method first" in html and not License.objects.exists()
    html = page_text(c, "/licence/card", {"payment_method": "pm_card_stolen_elsewhere"})
    assert "Choose one of the listed test cards." in html and not BillingCustomer.objects.exists()

    html = page_text(c, "/licence/card", {"payment_method": "pm_card_visa_chargeDeclined"})
    assert "msg-error" in html and "No card on file yet." in html
    assert not BillingCustomer.objects.exclude(default_payment_method="").exists()

    html = page_text(c, "/licence/card", {"payment_method": "pm_card_visa"})
    assert "Card saved: visa ending 4242." in html and "Visa ending 4242 pays for the licence" in html
    html = page_text(c, "/licence/subscribe", {"plan": "premium"})
    assert "Your Premium licence is active." in html and "Current licence: Premium" in html
    assert "Subscribe to" not in html  # one live licence at a time
    # Cancelling is offered, but not styled as the page's primary action.
    assert '<button type="submit" class="secondary">Cancel at the end of the period</button>' in html

    # A second click (or a crafted POST) creates no second subscription or charge.
    html = page_text(c, "/licence/subscribe", {"plan": "enterprise"})
    assert "already has a Premium licence" in html
    assert License.objects.filter(organization=customer.organization).count() == 1

    html = page_text(c, "/licence/cancel", {"reason": "Project finished"})
    assert "ends at the end of the paid period" in html
    license = License.objects.get()
    assert license.cancel_at_period_end is True and license.status == "active"
    assert "Manage the licence" in page_text(c, "/dashboard/customer/")


def test_unknown_plans_and_other_accounts_change_nothing():
    customer = make_user(role="customer")
    c = web(customer)
    page_text(c, "/licence/card", {"payment_method": "pm_card_visa"})
    html = page_text(c, "/licence/subscribe", {"plan": "platinum"})
    assert "Unknown plan 'platinum'" in html and not License.objects.exists()

    provider = web(make_provider())
    assert provider.get("/licence/").status_code == 404
    assert provider.post("/licence/subscribe", {"plan": "premium"}).status_code == 404
    assert Client().get("/licence/").status_code == 302


def test_plan_domains_read_as_labels_with_the_hr_acronym_and_british_spelling():
    html = page_text(web(make_user(role="customer")))
    assert "Domains: Education, HR, Localisation, Executive, Customer service, General" in html
    assert "Hr," not in html and "Localization" not in html
