import pytest

from accounts import services
from accounts.models import ApplicationStatus, OrganizationVerification, ProviderApplication
from core.errors import IllegalTransition
from marketplace.models import ListingStatus
from tests.factories import make_admin, make_provider, make_user

pytestmark = [pytest.mark.django_db]

LISTING = {
    "title": "Australian English support tone", "description": "LoRA for en-AU support chats.",
    "domain": "localization", "techniques": ["supervised"], "base_models": ["SmolLM2-135M-Instruct"],
    "price": {"amount": 25000, "currency": "usd"}, "turnaround_days": 3, "languages": ["en-AU"],
}
APPLICATION = {
    "headline": "Support-bot tuning", "bio": "We tune support assistants.", "domains": ["customer_service"],
    "qualifications": "PhD NLP", "portfolio_url": "https://example.test", "responsible_use_attestation": True,
}


@pytest.mark.embedded
def test_provider_applies_and_sees_its_status(api):
    user = make_user(role="provider")
    client = api.as_user(user)
    assert client.get("/v1/provider/application").status_code == 404
    r = client.post("/v1/provider/application", APPLICATION, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "submitted"
    assert client.get("/v1/provider/application").json()["status"] == "submitted"


def test_application_without_attestation_is_refused_and_nothing_is_kept(api):
    user = make_user(role="provider")
    r = api.as_user(user).post("/v1/provider/application", {**APPLICATION, "responsible_use_attestation": False}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "responsible_use_attestation"
    assert not ProviderApplication.objects.exists()


def test_customer_cannot_apply_as_provider(api, customer):
    r = api.as_user(customer).post("/v1/provider/application", APPLICATION, format="json")
    assert r.status_code == 403


@pytest.mark.embedded
def test_unapproved_provider_cannot_publish(api):
    user = make_provider(approved=False)
    r = api.as_user(user).post("/v1/listings", {**LISTING, "publish": True}, format="json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "provider_not_approved"
    assert not user.organization.listings.filter(status=ListingStatus.PUBLISHED).exists()


def test_approved_provider_publishes_and_suspension_stops_it(api):
    user = make_provider(approved=True)
    r = api.as_user(user).post("/v1/listings", {**LISTING, "publish": True}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "published"
    app = user.organization.provider_application
    services.provider_application_suspend(application=app, actor=make_admin(), reason="Complaint under review")
    r = api.as_user(user).post("/v1/listings", {**LISTING, "publish": True}, format="json")
    assert r.status_code == 403


def test_illegal_transition_raises():
    user = make_provider(approved=False)
    app = user.organization.provider_application
    with pytest.raises(IllegalTransition):
        services.provider_application_suspend(application=app, actor=make_admin(), reason="x")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_rejected_provider_can_resubmit(api):
    user = make_provider(approved=False)
    app = user.organization.provider_application
    services.provider_application_reject(application=app, actor=make_admin(), reason="Portfolio missing")
    r = api.as_user(user).post("/v1/provider/application", APPLICATION, format="json")
    assert r.status_code == 201
    assert r.json()["status"] == "submitted"
    assert [h["to"] for h in r.json()["history"]] == ["submitted", "rejected", "submitted"]


def test_organization_verification_flow(api, customer, admin_user):
    client = api.as_user(customer)
    r = client.post("/v1/organization/verification", {"category": "academic", "evidence": "University ethics approval #42"}, format="json")
    assert r.status_code == 201
    assert client.get("/v1/me").json()["organization"]["verification"]["status"] == "submitted"
    ver = OrganizationVerification.objects.get(public_id=r.json()["id"])
    services.organization_verify(verification=ver, actor=admin_user, reason="Checked the letter")
    me = client.get("/v1/me").json()
    assert me["organization"]["verification"] == {"status": "verified", "category": "academic"}
    assert customer.organization.__class__.objects.get(pk=customer.organization.pk).is_verified


def test_unknown_verification_category_is_refused(api, customer):
    r = api.as_user(customer).post("/v1/organization/verification", {"category": "vip", "evidence": "x"}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "category"
    assert not OrganizationVerification.objects.exists()
