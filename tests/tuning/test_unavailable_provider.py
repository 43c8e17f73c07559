"""A suspended provider keeps no access to customers' jobs or data, takes no orders, and its waiting jobs
end with the hold released; a sample grant ends when the job leaves pending_provider."""
from __future__ import annotations

import pytest

from accounts import services as accounts
from core.errors import NotAllowed
from tests.factories import make_admin
from tests.tuning.factories import chat_dataset, licensed_customer, make_job, make_listing, upload
from tuning import services
from tuning.models import FineTuningJob, JobStatus


def _provider_user(listing):
    return listing.provider.memberships.first().user


@pytest.mark.django_db
def test_a_suspended_provider_loses_the_inbox_samples_and_orders_and_its_waiting_jobs_end(
        api, django_capture_on_commit_callbacks):
    customer = licensed_customer()
    listing = make_listing()
    job = make_job(customer=customer, listing=listing, grant_provider_samples=True)
    provider = _provider_user(listing)
    inbox = api.as_user(provider)
    assert inbox.get("/v1/provider/jobs").json()["data"][0]["id"] == job.public_id
    assert services.file_samples_read(file=job.training_file, actor=provider)  # granted while waiting

    with django_capture_on_commit_callbacks(execute=True):
        accounts.provider_application_suspend(application=listing.provider.provider_application, actor=make_admin(),
                                              reason="Complaint under investigation")
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.events.filter(message__contains="can no longer take this job").exists()

    for response in (inbox.get("/v1/provider/jobs"), inbox.get(f"/v1/provider/jobs/{job.public_id}")):
        assert response.status_code == 403 and response.json()["error"]["code"] == "provider_not_approved"
    with pytest.raises(NotAllowed):
        services.file_samples_read(file=job.training_file, actor=provider)

    client = api.as_user(customer)
    file_id = upload(client, chat_dataset()).json()["id"]
    before = FineTuningJob.objects.count()
    response = client.post("/v1/fine_tuning/jobs", {"model": "SmolLM2-135M-Instruct", "training_file": file_id,
                                                    "listing": listing.public_id, "use_case": "Support answers."},
                           format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "listing_not_found"
    assert FineTuningJob.objects.count() == before


@pytest.mark.django_db
def test_a_sample_grant_ends_when_the_provider_declines(db):
    listing = make_listing()
    job = make_job(listing=listing, grant_provider_samples=True)
    provider = _provider_user(listing)
    assert services.file_samples_read(file=job.training_file, actor=provider)
    services.job_provider_decline(job=job, actor=provider, reason="Not our domain")
    with pytest.raises(NotAllowed) as caught:
        services.file_samples_read(file=job.training_file, actor=provider)
    assert caught.value.code == "samples_not_granted"
