"""Job creation authorises the payment through the real payments seam (against localstripe)."""
import pytest

from payments import services as payments
from payments.models import JobPayment
from tests.tuning.factories import BASE, chat_dataset, licensed_customer, make_listing, upload
from tuning.models import FineTuningJob

pytestmark = [pytest.mark.stripe]


def customer_with_card(card: str):
    customer = licensed_customer()
    payments.billing_payment_method_set(organization=customer.organization, payment_method=card, actor=customer)
    return customer


def create(client, listing):
    file_id = upload(client, chat_dataset()).json()["id"]
    return client.post("/v1/fine_tuning/jobs", {
        "model": BASE, "training_file": file_id, "listing": listing.public_id, "use_case": "Support answers.",
    }, format="json")


def test_a_paid_job_holds_the_price_and_cancelling_releases_the_hold(api, db, localstripe):
    customer = customer_with_card("pm_card_visa")
    client = api.as_user(customer)
    job = create(client, make_listing(price_amount=5000)).json()
    assert job["payment"]["status"] == "authorized" and job["payment"]["amount"] == 5000
    cancelled = client.post(f"/v1/fine_tuning/jobs/{job['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["payment"]["status"] == "released"


def test_a_declined_card_creates_no_job_and_no_charge(api, db, localstripe):
    customer = customer_with_card("pm_card_chargeCustomerFail")
    response = create(api.as_user(customer), make_listing(price_amount=5000))
    assert response.status_code == 402 and response.json()["error"]["type"] == "invalid_request_error"
    assert not FineTuningJob.objects.exists() and not JobPayment.objects.exists()
