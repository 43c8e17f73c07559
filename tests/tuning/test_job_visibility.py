"""One rule decides who sees a job (tuning.selectors.jobs_visible_to): the organisation that ordered it
and the one that runs it. Every read path applies it; anyone else gets a 404, never a 403."""
import pytest

from tests.factories import make_provider, make_user
from tests.tuning.factories import licensed_customer, make_job, make_listing
from tuning.selectors import jobs_visible_to

pytestmark = pytest.mark.django_db


def test_the_rule_itself():
    customer = licensed_customer()
    listing = make_listing()
    job = make_job(customer=customer, listing=listing)
    provider_org, customer_org = listing.provider, customer.organization
    stranger = make_user(role="customer").organization
    assert list(jobs_visible_to(customer_org)) == [job]
    assert list(jobs_visible_to(provider_org)) == [job]
    assert list(jobs_visible_to(customer_org, as_customer=False)) == []
    assert list(jobs_visible_to(provider_org, as_provider=False)) == []
    assert list(jobs_visible_to(stranger)) == [] and list(jobs_visible_to(None)) == []


def test_every_read_path_answers_404_to_another_organisation(api):
    customer = licensed_customer()
    listing = make_listing()
    job = make_job(customer=customer, listing=listing)
    provider_user = listing.created_by
    paths = {
        "customer": [f"/v1/fine_tuning/jobs/{job.public_id}", f"/v1/fine_tuning/jobs/{job.public_id}/events",
                     f"/v1/fine_tuning/jobs/{job.public_id}/evaluation"],
        "provider": [f"/v1/provider/jobs/{job.public_id}", f"/v1/fine_tuning/jobs/{job.public_id}/evaluation"],
    }
    for path in paths["customer"]:
        assert api.as_user(customer).get(path).status_code == 200, path
    for path in paths["provider"]:
        assert api.as_user(provider_user).get(path).status_code == 200, path
    # Another customer (provider-only endpoints refuse a customer by role, 403, before any job is read).
    client = api.as_user(make_user(role="customer"))
    for path in paths["customer"]:
        assert client.get(path).status_code == 404, path
    # Another approved provider.
    client = api.as_user(make_provider())
    for path in {*paths["customer"], *paths["provider"]}:
        assert client.get(path).status_code == 404, path
    assert client.post(f"/v1/provider/jobs/{job.public_id}/accept").status_code == 404
    # The provider sees its inbox copy, not the customer's job list.
    listed = api.as_user(provider_user).get("/v1/fine_tuning/jobs").json()["data"]
    assert job.public_id not in [j["id"] for j in listed]
