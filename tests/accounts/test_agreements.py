import pytest

from accounts import services
from accounts.services import AgreementNotAccepted

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_user_must_accept_current_agreement_before_job_creation(api, customer):
    services.agreement_publish(version=1, title="Terms v1", body="Use responsibly.")
    with pytest.raises(AgreementNotAccepted):
        services.agreement_require_current(user=customer)

    client = api.as_user(customer)
    current = client.get("/v1/agreements/current").json()
    assert current["version"] == 1 and current["accepted"] is False
    r = client.post("/v1/agreements/accept", {"version": 1}, format="json")
    assert r.status_code == 200 and r.json()["accepted"] is True
    services.agreement_require_current(user=customer)  # passes now

    # A new version must be accepted again.
    services.agreement_publish(version=2, title="Terms v2", body="Updated.")
    with pytest.raises(AgreementNotAccepted) as exc:
        services.agreement_require_current(user=customer)
    assert "version 2" in exc.value.message
    r = client.post("/v1/agreements/accept", {"version": 1}, format="json")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "stale_agreement_version"
    client.post("/v1/agreements/accept", {"version": 2}, format="json")
    services.agreement_require_current(user=customer)
    assert customer.agreement_acceptances.count() == 2
