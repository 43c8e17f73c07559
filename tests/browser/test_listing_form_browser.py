"""In the browser: a provider creates a listing; the form shows each error next to its field, then publishes."""
import pytest

from marketplace.models import Listing
from tests.factories import make_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_provider_creates_a_listing_fixing_the_errors_the_form_shows(live_server, page, shot, sign_in):
    provider = make_provider(approved=True)
    sign_in(page, live_server, provider.email)
    page.goto(f"{live_server.url}/dashboard/provider/")
    page.get_by_role("link", name="New listing").click()

    page.get_by_label("Description").fill("Plain-English summaries of contract clauses.")
    page.get_by_label("Price per job").fill("twelve")
    page.get_by_label("Turnaround (days)").fill("0")
    page.get_by_role("button", name="Create listing").click()
    for field, text in (("Title", "may not be blank"), ("Price per job", "valid integer"),
                        ("Turnaround (days)", "greater than or equal to 1")):
        box = page.get_by_label(field, exact=True)
        assert box.get_attribute("aria-invalid") == "true", field
        error = page.locator(f"#{box.get_attribute('aria-describedby').split()[-1]}")
        assert text in error.inner_text(), (field, error.inner_text())
    assert page.get_by_label("Description").input_value() == "Plain-English summaries of contract clauses."  # kept
    shot(page, "listing-form-errors")
    assert not Listing.objects.exists()

    page.get_by_label("Title").fill("Contract clause summaries")
    page.get_by_label("Domain").select_option("general")
    page.get_by_label("Supervised (LoRA SFT)").check()
    page.get_by_label("SmolLM2-135M-Instruct").check()
    page.get_by_label("Price per job").fill("180")
    page.get_by_label("Turnaround (days)").fill("3")
    page.get_by_label("Publish now").check()
    page.get_by_role("button", name="Create listing").click()
    page.get_by_text("Listing 'Contract clause summaries' saved (published).").wait_for()
    listing = Listing.objects.get()
    assert (listing.status, listing.price_amount, listing.techniques) == ("published", 18000, ["supervised"])
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("link", name="Contract clause summaries").count() >= 1
