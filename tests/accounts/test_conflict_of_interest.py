"""Nobody decides on their own organisation's vetting or verification, from the API or the admin."""
import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts import services
from accounts.models import ApplicationStatus, Membership, OrganizationVerification
from accounts.roles import REVIEWER_GROUP
from core.errors import NotAllowed
from tests.factories import make_admin, make_provider, make_user

pytestmark = [pytest.mark.django_db]


def _insider(organization):
    """A staff reviewer who is also a member of `organization`."""
    user = make_admin()
    user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    Membership.objects.create(user=user, organization=organization, role="admin")
    return user


def test_a_member_cannot_approve_their_own_providers_application(db):
    provider = make_provider(approved=False)
    application = provider.organization.provider_application
    insider = _insider(provider.organization)
    with pytest.raises(NotAllowed) as caught:
        services.provider_application_approve(application=application, actor=insider, reason="Looks great")
    assert caught.value.code == "conflict_of_interest"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    # Through the admin too: the action reports the refusal and changes nothing.
    client = Client()
    client.force_login(insider)
    client.post("/admin/accounts/providerapplication/", {
        "action": "approve_selected", "_selected_action": [application.pk], "apply": "1", "reason": "Mine"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    services.provider_application_approve(application=application, actor=make_admin(), reason="Independent check")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED


def test_a_member_cannot_verify_their_own_organisation(api):
    customer = make_user(role="customer")
    r = api.as_user(customer).post("/v1/organization/verification",
                                   {"category": "academic", "evidence": "Ethics approval #7"}, format="json")
    verification = OrganizationVerification.objects.get(public_id=r.json()["id"])
    with pytest.raises(NotAllowed):
        services.organization_verify(verification=verification, actor=_insider(customer.organization), reason="ok")
    verification.refresh_from_db()
    assert verification.status == "submitted"
