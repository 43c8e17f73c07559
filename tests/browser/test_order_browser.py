"""Ordering as a licensed customer: sign in, open a listing, order it from the order page, see the job."""
import re

import pytest
from playwright.sync_api import expect

from tests.tuning.factories import BASE, chat_dataset, licensed_customer, make_listing, upload_file
from tuning.models import FineTuningJob, JobStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_orders_a_free_listing_and_sees_the_job_on_the_dashboard(live_server, page, shot, sign_in, settings,
                                                                         tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    listing = make_listing(price_amount=0)
    customer = licensed_customer()
    training = upload_file(customer, chat_dataset(), filename="support-chats.jsonl")
    training.refresh_from_db()
    assert training.status == "processed"

    sign_in(page, live_server, customer.email)
    page.wait_for_url(f"{live_server.url}/dashboard/customer/")
    assert page.get_by_text("No jobs yet.").is_visible()

    page.goto(f"{live_server.url}/listings/{listing.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == listing.title
    page.get_by_role("button", name="Order this service").click()
    page.get_by_role("heading", name=f"Order “{listing.title}”").wait_for()
    assert page.url == f"{live_server.url}/listings/{listing.public_id}/order/"

    form = page.locator("form", has=page.get_by_label("Your use case"))
    assert form.get_by_label("Training file").locator("option").all_inner_texts() == ["support-chats.jsonl"]
    assert form.get_by_label("Base model").input_value() == BASE
    # Only spaces: the browser's `required` lets it through, the server strips it and refuses it.
    form.get_by_label("Your use case").fill("   ")
    form.get_by_role("button", name="Send the request to the provider").click()
    page.wait_for_load_state()
    # The error sits next to the use case and is part of the field's accessible description;
    # the other fields have none.
    use_case_field = form.get_by_label("Your use case")
    assert use_case_field.locator("xpath=..").get_by_role("alert").inner_text().strip() == "This field is required."
    expect(use_case_field).to_have_accessible_description(re.compile(r"read this\. This field is required\.$"))
    expect(form.get_by_label("Training file")).to_have_accessible_description("")
    expect(form.get_by_label("Base model")).to_have_accessible_description("")
    assert not FineTuningJob.objects.exists()
    shot(page, "order-form-errors")

    use_case = "Answer our customers' password questions politely, in plain English."
    form.get_by_label("Your use case").fill(use_case)
    form.get_by_label("Let the provider see a few sample rows before accepting").check()
    form.get_by_role("button", name="Send the request to the provider").click()
    page.wait_for_url(f"{live_server.url}/dashboard/customer/")

    job = FineTuningJob.objects.get(organization=customer.organization)
    assert job.status == JobStatus.PENDING_PROVIDER
    assert (job.listing_id, job.training_file_id, job.model) == (listing.pk, training.pk, BASE)
    assert job.use_case == use_case and job.grant_provider_samples is True
    message = page.get_by_role("status")
    assert f"Job {job.public_id} created; the provider has been asked to accept it." in message.inner_text()
    shot(page, "order-placed")

    # Without the one-time message, the dashboard still lists the job.
    page.goto(f"{live_server.url}/dashboard/customer/")
    assert page.get_by_role("status").count() == 0
    assert page.get_by_text(listing.title).first.is_visible()
    body = page.locator("main").inner_text()
    assert job.public_id in body and "No jobs yet." not in body
    shot(page, "customer-dashboard")
