"""Idempotency-Key on the POSTs that create a job or move money: a repeat replays, nothing happens twice."""
from __future__ import annotations

import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from core.models import IdempotencyKey
from tests.factories import api_key_for
from tests.tuning.factories import chat_dataset, upload
from tuning.models import FineTuningJob


def _body(listing, file_id, use_case="Answer password questions for our shop."):
    return {"model": "SmolLM2-135M-Instruct", "training_file": file_id, "listing": listing.public_id,
            "use_case": use_case}


def test_a_repeated_job_creation_with_the_same_key_replays_the_first_response(api, customer, listing):
    client = api.as_user(customer)
    file_id = upload(client, chat_dataset()).json()["id"]
    first = client.post("/v1/fine_tuning/jobs", _body(listing, file_id), format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = client.post("/v1/fine_tuning/jobs", _body(listing, file_id), format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert FineTuningJob.objects.count() == 1
    other = client.post("/v1/fine_tuning/jobs", _body(listing, file_id, "Something else entirely."), format="json",
                        HTTP_IDEMPOTENCY_KEY="order-1")
    assert other.status_code == 400 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert FineTuningJob.objects.count() == 1
    # Without a key, or with a new one, it is a new order.
    assert client.post("/v1/fine_tuning/jobs", _body(listing, file_id), format="json",
                       HTTP_IDEMPOTENCY_KEY="order-2").json()["id"] != first.json()["id"]


def test_an_error_is_replayed_too_and_keys_are_private_to_the_organisation(api, customer, listing):
    from tests.tuning.factories import licensed_customer

    client = api.as_user(customer)
    bad = {"model": "SmolLM2-135M-Instruct", "training_file": "file-nope", "listing": listing.public_id,
           "use_case": "x y z"}
    first = client.post("/v1/fine_tuning/jobs", bad, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 400 and first.json()["error"]["param"] == "training_file"
    assert client.post("/v1/fine_tuning/jobs", bad, format="json", HTTP_IDEMPOTENCY_KEY="k").json() == first.json()
    stranger = api.as_user(licensed_customer())
    file_id = upload(stranger, chat_dataset()).json()["id"]
    mine = stranger.post("/v1/fine_tuning/jobs", _body(listing, file_id), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert mine.status_code == 200 and "Idempotent-Replayed" not in mine


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_clicks_create_one_job():
    from tests.tuning.factories import licensed_customer, make_listing

    customer, listing = licensed_customer(), make_listing()
    key = api_key_for(customer)
    setup = APIClient()
    setup.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    file_id = upload(setup, chat_dataset()).json()["id"]
    statuses, barrier = [], threading.Barrier(2)

    def click():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        barrier.wait()
        try:
            statuses.append(client.post("/v1/fine_tuning/jobs", _body(listing, file_id), format="json",
                                        HTTP_IDEMPOTENCY_KEY="double-click").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert FineTuningJob.objects.count() == 1
    assert sorted(statuses) in ([200, 200], [200, 409])  # a replay, or "still in progress"
    assert IdempotencyKey.objects.get(key="double-click").response_status == 200
