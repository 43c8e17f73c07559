"""In the browser: a customer saves a Stripe test card and buys the Premium licence (real localstripe)."""
import pytest

from payments.models import License
from tests.factories import make_user
# localstripe (our own process) and the settings pointing at it, as the payments tests have them.
from tests.payments.conftest import _stripe_settings, localstripe_url, stripe_webhooks  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.stripe, pytest.mark.django_db(transaction=True)]


def test_customer_buys_the_premium_licence_with_a_test_card(live_server, page, shot, sign_in):
    customer = make_user(role="customer")
    sign_in(page, live_server, customer.email)
    page.goto(f"{live_server.url}/dashboard/customer/")
    page.get_by_role("link", name="Choose a plan").click()
    premium = page.get_by_role("article", name="Premium")
    assert premium.get_by_role("button", name="Subscribe to Premium").is_disabled()  # no card yet

    page.get_by_label("Use a Stripe test card").select_option("pm_card_visa")
    page.get_by_role("button", name="Save card").click()
    page.get_by_text("Card saved: visa ending 4242.").wait_for()
    premium.get_by_role("button", name="Subscribe to Premium").click()
    page.get_by_text("Your Premium licence is active.").wait_for()
    assert page.get_by_role("heading", name="Current licence: Premium").is_visible()
    assert page.get_by_role("button", name="Subscribe to Enterprise").count() == 0
    shot(page, "licence")

    license = License.objects.get(organization=customer.organization)
    assert (license.plan, license.status) == ("premium", "active") and license.stripe_subscription_id.startswith("sub_")
