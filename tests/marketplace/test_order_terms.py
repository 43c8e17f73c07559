"""Ordering in the browser asks for the current terms of use when they are not accepted yet."""
import pytest
from django.test import Client

from accounts.models import AgreementAcceptance
from accounts.services import agreement_publish
from tests.factories import PASSWORD
from tests.tuning.factories import chat_dataset, licensed_customer, make_listing, upload_file
from tuning.models import FineTuningJob


@pytest.mark.django_db
def test_the_order_form_asks_for_the_terms_once_and_orders_after_they_are_accepted(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    terms = agreement_publish(version=7, title="Tunemarket terms of use", body="Use models lawfully.")
    customer = licensed_customer()
    dataset = upload_file(customer, chat_dataset(12))
    listing = make_listing()
    c = Client()
    assert c.login(email=customer.email, password=PASSWORD)
    url = f"/listings/{listing.public_id}/order/"
    order = {"step": "confirm", "training_file": dataset.public_id, "model": listing.base_models[0],
             "use_case": "Answer billing questions for our customers.", "order_token": "form-token-1"}

    page = c.post(url, {"step": "start"}).content.decode()
    assert "Tunemarket terms of use" in page and 'name="accept_terms"' in page
    refused = c.post(url, order).content.decode()
    assert 'id="o-terms-err" class="field-error" role="alert">Accept the terms of use (version 7) to order.' in refused
    assert not FineTuningJob.objects.exists() and not AgreementAcceptance.objects.exists()

    assert c.post(url, {**order, "accept_terms": "on"}).status_code == 302
    assert FineTuningJob.objects.filter(organization=customer.organization, listing=listing).count() == 1
    assert AgreementAcceptance.objects.filter(user=customer, agreement=terms).count() == 1
    assert 'name="accept_terms"' not in c.post(url, {"step": "start"}).content.decode()  # asked once
