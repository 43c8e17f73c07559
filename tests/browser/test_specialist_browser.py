"""In the browser: a customer finds a specialist model, opens its signed card, licenses it with a Stripe test
card (real localstripe) and chats with it. The provider's model trained for real (tiny model) on its own listing."""
import pytest

from payments.selectors import ledger_balances
from specialists.models import SpecialistLicense, SpecialistUsage
from tests.factories import make_user
# localstripe (our own process) and the settings pointing at it, as the payments tests have them.
from tests.payments.conftest import _stripe_settings, localstripe_url, stripe_webhooks  # noqa: F401
from tests.payments.factories import make_license
from tests.specialists.factories import publish, release_with_card, trained_provider_job

pytestmark = [pytest.mark.browser, pytest.mark.stripe, pytest.mark.django_db(transaction=True)]


def test_customer_finds_opens_the_card_licenses_and_chats_with_a_specialist_model(
        live_server, page, shot, sign_in, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TUNEMARKET_AUTO_EVALUATE = False
    provider, job = trained_provider_job(django_capture_on_commit_callbacks)
    spec = publish(provider, release_with_card(job), title="Password desk helper", price_amount=2500)
    customer = make_user(role="customer")
    make_license(organization=customer.organization, plan="premium")

    sign_in(page, live_server, customer.email)
    page.get_by_role("link", name="Specialist models").click()
    page.get_by_label("Search").fill("password")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Password desk helper", exact=True).click()
    assert page.get_by_text("Release gate: passed.").is_visible()
    page.get_by_role("link", name="Open the signed model card").click()
    page.get_by_role("heading", name="Release gate").wait_for()
    assert page.get_by_text("Passed: this model is released.").is_visible()
    shot(page, "specialist-card")
    page.go_back()

    page.get_by_label("Use a Stripe test card").select_option("pm_card_visa")
    page.get_by_role("button", name="Save card").click()
    page.get_by_text("Card saved: visa ending 4242.").wait_for()
    page.get_by_label("I accept the licence terms above for my organisation").check()
    page.get_by_role("button", name="License Password desk helper").click()
    page.get_by_text("Licensed: your organisation may now use Password desk helper").wait_for()

    page.get_by_label("Your message").fill("How do I reset my password?")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("article", name="Answer").wait_for()
    shot(page, "specialist-chat")

    lic = SpecialistLicense.objects.get(specialist=spec, organization=customer.organization)
    assert lic.status == "active" and lic.stripe_payment_intent_id.startswith("pi_")
    assert ledger_balances()[(f"provider:{provider.organization.public_id}", "usd")] == 2125
    usage = SpecialistUsage.objects.get(specialist=spec, organization=customer.organization)
    assert usage.requests == 1 and usage.prompt_tokens > 0
    assert page.get_by_text("Usage by your organisation: 1 requests").is_visible()
