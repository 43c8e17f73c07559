"""Browsing as an anonymous visitor: the home page's search form, a listing, its provider's profile."""
import re

import pytest

from tests.factories import make_provider
from tests.marketplace.factories import make_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def result_titles(page) -> list[str]:
    """The titles of the listing cards in the results section, in page order."""
    results = page.locator("section[aria-labelledby=results-h]")
    results.wait_for()
    return sorted(t.strip() for t in results.locator("article h3").all_inner_texts())


def test_anonymous_visitor_filters_listings_and_opens_a_listing_and_its_provider(live_server, page, shot):
    clinic = make_provider(organization="Harbour Clinical NLP", domains=["medical"])
    schools = make_provider(organization="Chalkboard Tuning", domains=["education", "customer_service"])
    triage = make_listing(clinic, title="Clinic triage notes", domain="medical", price_amount=20000)
    make_listing(clinic, title="Discharge summaries", domain="medical", price_amount=90000)
    make_listing(schools, title="Maths tutor", domain="education", price_amount=30000)
    make_listing(schools, title="Polite support replies", domain="customer_service", price_amount=15000)
    make_listing(clinic, title="Unpublished radiology draft", domain="medical", price_amount=10000, publish=False)

    page.goto(f"{live_server.url}/")
    page.get_by_role("heading", name="Tuning services").wait_for()
    everything = ["Clinic triage notes", "Discharge summaries", "Maths tutor", "Polite support replies"]
    assert result_titles(page) == everything
    shot(page, "browse-listings")

    # Domain and maximum price through the real form controls (prices are typed in currency units).
    search = page.get_by_role("search")
    domain = search.get_by_label("Domain")
    assert domain.locator("option[value=customer_service]").inner_text() == "Customer service"
    domain.select_option("medical")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"domain=medical"))
    assert result_titles(page) == ["Clinic triage notes", "Discharge summaries"]

    search.get_by_label("Max price (currency units)").fill("500")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"max_price=500"))
    assert result_titles(page) == ["Clinic triage notes"]
    assert page.get_by_role("link", name="Discharge summaries").count() == 0
    # The form keeps what was chosen.
    assert search.get_by_label("Domain").input_value() == "medical"
    assert search.get_by_label("Max price (currency units)").input_value() == "500"
    assert "200.00 USD" in page.locator("section[aria-labelledby=results-h]").inner_text()
    shot(page, "browse-filtered")

    # A text query on top of the filters that matches nothing, then one that matches.
    search.get_by_label("Search", exact=True).fill("radiology")
    search.get_by_role("button", name="Search").click()
    page.get_by_text("No published services match.").wait_for()
    assert result_titles(page) == []
    search.get_by_label("Search", exact=True).fill("triage")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"search=triage"))
    assert result_titles(page) == ["Clinic triage notes"]

    # The listing's detail page.
    page.get_by_role("link", name="Clinic triage notes").click()
    page.wait_for_url(f"{live_server.url}/listings/{triage.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Clinic triage notes"
    details = page.locator("dl").inner_text()
    assert "200.00 USD" in details and "Medical" in details and "SmolLM2-135M-Instruct" in details
    assert page.get_by_role("link", name="Sign in").last.get_attribute("href") == (
        f"/login/?next=/listings/{triage.public_id}/"
    )
    shot(page, "listing-detail")

    # The provider's public profile, linked from the listing.
    page.get_by_role("article").get_by_role("link", name="Harbour Clinical NLP").click()
    page.wait_for_url(f"{live_server.url}/providers/{clinic.organization.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Harbour Clinical NLP"
    assert "Vetted provider" in page.get_by_role("list", name="Badges").inner_text()
    services = page.locator("section[aria-labelledby=svc-h]")
    assert sorted(services.locator("article h3").all_inner_texts()) == ["Clinic triage notes", "Discharge summaries"]
    assert "Maths tutor" not in services.inner_text() and "Unpublished radiology draft" not in services.inner_text()
