"""The provider inbox: only jobs addressed to the provider; accept/decline through tuning.services."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_provider, make_user
from tests.marketplace.factories import make_job, make_listing
from tuning.models import FineTuningJob, JobEvent, JobStatus

pytestmark = [pytest.mark.django_db]


def _ids(body):
    return [x["id"] for x in body["data"]]


@pytest.fixture
def two_providers():
    a, b = make_provider(), make_provider()
    return a, b, make_job(listing=make_listing(a)), make_job(listing=make_listing(b))


def test_a_provider_sees_only_jobs_addressed_to_it(api, two_providers):
    a, b, job_a, job_b = two_providers
    assert _ids(api.as_user(a).get("/v1/provider/jobs").json()) == [job_a.public_id]
    assert _ids(api.as_user(b).get("/v1/provider/jobs").json()) == [job_b.public_id]
    # Another provider's job is a 404 for reading, and for acting.
    assert api.as_user(a).get(f"/v1/provider/jobs/{job_b.public_id}").status_code == 404


def test_a_provider_cannot_accept_or_decline_another_providers_job(api, two_providers, inbox_services):
    a, _b, _job_a, job_b = two_providers
    client = api.as_user(a)
    r = client.post(f"/v1/provider/jobs/{job_b.public_id}/accept")
    assert r.status_code == 404 and r.json()["error"]["type"] == "not_found_error"
    r = client.post(f"/v1/provider/jobs/{job_b.public_id}/decline", {"reason": "no"}, format="json")
    assert r.status_code == 404
    job_b.refresh_from_db()
    assert job_b.status == JobStatus.PENDING_PROVIDER
    assert not JobEvent.objects.filter(job=job_b, from_status=JobStatus.PENDING_PROVIDER).exists()


def test_customers_have_no_provider_inbox(api, two_providers):
    r = api.as_user(make_user()).get("/v1/provider/jobs")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_a_provider"
    assert api.get("/v1/provider/jobs").status_code == 401


def test_accept_and_decline_move_the_job_through_the_tuning_services(api, inbox_services):
    provider = make_provider()
    listing = make_listing(provider)
    to_accept, to_decline = make_job(listing=listing), make_job(listing=listing)
    client = api.as_user(provider)
    r = client.post(f"/v1/provider/jobs/{to_accept.public_id}/accept")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == JobStatus.PENDING_REVIEW
    # Declining needs a reason.
    r = client.post(f"/v1/provider/jobs/{to_decline.public_id}/decline", {}, format="json")
    assert r.status_code == 400 and r.json()["error"]["param"] == "reason"
    r = client.post(f"/v1/provider/jobs/{to_decline.public_id}/decline", {"reason": "Out of scope for us"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == JobStatus.REJECTED
    # A second click is an illegal move, not a silent success.
    r = client.post(f"/v1/provider/jobs/{to_decline.public_id}/accept")
    assert r.status_code == 409
    assert FineTuningJob.objects.get(pk=to_decline.pk).status == JobStatus.REJECTED
    # The status filter.
    assert _ids(client.get("/v1/provider/jobs", {"status": "rejected"}).json()) == [to_decline.public_id]
    assert client.get("/v1/provider/jobs", {"status": "bogus"}).status_code == 400


def test_before_accepting_the_provider_sees_use_case_and_statistics_not_raw_rows(api, settings, tmp_path):
    """End to end with the tuning engineer's real job_create: an uploaded, validated, encrypted dataset."""
    from tests.tuning import factories as tf

    settings.MEDIA_ROOT = str(tmp_path)
    provider = make_provider()
    listing = tf.make_listing(provider=provider)
    customer = tf.licensed_customer()
    private = tf.make_job(customer=customer, listing=listing, use_case="Triage billing emails for a telco.")
    shared = tf.make_job(customer=customer, listing=listing, grant_provider_samples=True)
    client = api.as_user(provider)

    detail = client.get(f"/v1/provider/jobs/{private.public_id}").json()
    assert detail["use_case"] == "Triage billing emails for a telco."
    training = detail["dataset"]["training_file"]
    assert training["id"] == private.training_file.public_id
    assert training["validation"]["stats"] == private.training_file.validation["stats"]
    assert training["validation"]["stats"]["examples"] == 12
    assert training["validation"]["errors"] == []
    assert detail["samples_granted"] is False and detail["samples"] is None
    assert "reset password" not in str(detail)  # no raw row text anywhere

    detail = client.get(f"/v1/provider/jobs/{shared.public_id}").json()
    assert detail["samples_granted"] is True
    assert len(detail["samples"]) == 5
    assert "reset password" in detail["samples"][0]["messages"][0]["content"]
    # The list never carries raw rows, granted or not.
    listed = client.get("/v1/provider/jobs").json()["data"]
    assert {j["id"] for j in listed} == {private.public_id, shared.public_id}
    assert all("samples" not in j and "reset password" not in str(j) for j in listed)


def test_inbox_query_count_is_constant(api, locmem_cache):
    provider = make_provider()
    listing = make_listing(provider)
    for _ in range(6):
        make_job(listing=listing)
    client = api.as_user(provider)
    client.get("/v1/provider/jobs")  # warm the key's last-used stamp
    counts = []
    for limit in (1, 6):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/v1/provider/jobs", {"limit": limit})
        assert len(r.json()["data"]) == limit
        counts.append(len(ctx))
    assert counts[0] == counts[1]
