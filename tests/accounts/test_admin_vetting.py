import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import ApplicationStatus, ProviderApplication, User
from accounts.roles import REVIEWER_GROUP
from tests.factories import PASSWORD, make_provider

pytestmark = [pytest.mark.django_db]


def _reviewer() -> Client:
    user = User.objects.create_user(email="reviewer@example.test", password=PASSWORD, name="Rita", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    c = Client()
    c.force_login(user)
    c.user = user
    return c


def _admin_client(admin_user) -> Client:
    c = Client()
    c.force_login(admin_user)
    return c


def test_admin_action_asks_for_a_reason_then_moves_state_and_writes_history(admin_user):
    app = make_provider(approved=False).organization.provider_application
    client = _admin_client(admin_user)
    url = "/admin/accounts/providerapplication/"
    # First post: the intermediate page asking for a reason; nothing changes yet.
    r = client.post(url, {"action": "approve_selected", "_selected_action": [app.pk]})
    assert r.status_code == 200
    assert b"give a reason" in r.content
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    # Without a reason: refused, nothing changes.
    r = client.post(url, {"action": "approve_selected", "_selected_action": [app.pk], "apply": "1", "reason": ""})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED
    # With a reason: approved, history written with who, when, from, to and why.
    r = client.post(url, {"action": "approve_selected", "_selected_action": [app.pk], "apply": "1",
                          "reason": "Portfolio and references checked"}, follow=True)
    assert r.status_code == 200
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    last = app.decisions.last()
    assert (last.actor, last.from_status, last.to_status, last.reason) == (
        admin_user, "submitted", "approved", "Portfolio and references checked")
    # The change page shows the history and offers no editable status field.
    page = client.get(f"/admin/accounts/providerapplication/{app.pk}/change/")
    assert b"Portfolio and references checked" in page.content
    assert b'name="status"' not in page.content


def test_admin_action_refuses_an_illegal_move_and_says_why(admin_user):
    app = make_provider(approved=False).organization.provider_application
    client = _admin_client(admin_user)
    r = client.post("/admin/accounts/providerapplication/", {
        "action": "suspend_selected", "_selected_action": [app.pk], "apply": "1", "reason": "x"}, follow=True)
    assert b"cannot move from" in r.content
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_queue_filters_by_state_and_domain_and_searches(admin_user):
    make_provider(approved=False, domains=["medical"], organization="Clinic Tuners")
    make_provider(approved=True, domains=["education"], organization="School Tuners")
    client = _admin_client(admin_user)
    r = client.get("/admin/accounts/providerapplication/?status__exact=submitted&domain=medical")
    assert b"Clinic Tuners" in r.content and b"School Tuners" not in r.content
    r = client.get("/admin/accounts/providerapplication/?q=School")
    assert b"School Tuners" in r.content and b"Clinic Tuners" not in r.content
    r = client.get("/admin/accounts/providerapplication/?age=lt1")
    assert r.status_code == 200 and b"Clinic Tuners" in r.content


def test_reviewer_can_vet_but_cannot_edit_users(db):
    app = make_provider(approved=False).organization.provider_application
    c = _reviewer()
    assert c.get("/admin/accounts/providerapplication/").status_code == 200
    c.post("/admin/accounts/providerapplication/", {
        "action": "approve_selected", "_selected_action": [app.pk], "apply": "1", "reason": "Looks good"})
    assert ProviderApplication.objects.get(pk=app.pk).status == ApplicationStatus.APPROVED
    assert c.get("/admin/accounts/user/").status_code == 403
    assert c.get(f"/admin/accounts/user/{c.user.pk}/change/").status_code == 403
    assert c.get("/admin/accounts/membership/").status_code in (403, 404)
    r = c.post(f"/admin/accounts/user/{c.user.pk}/change/", {"email": "x@example.test", "is_superuser": "on"})
    assert r.status_code == 403
    assert not User.objects.get(pk=c.user.pk).is_superuser


def test_reviewer_cannot_reach_money_models(db):
    """Every model that holds money (licences, payments, ledger) is out of the reviewer group's reach."""
    from django.apps import apps

    c = _reviewer()
    money_apps = [a for a in ("payments",) if apps.is_installed(a) or any(m._meta.app_label == a for m in apps.get_models())]
    perms = c.user.get_all_permissions()
    assert not any(p.split(".")[0] in money_apps for p in perms)
    assert not any(p.endswith(("_user", "_membership", "_apikey")) and not p.startswith("accounts.view") for p in perms)


def test_audit_log_is_read_only_in_the_admin(admin_user):
    from accounts.models import AuditEvent

    make_provider(approved=False)  # writes audit rows
    client = _admin_client(admin_user)
    event = AuditEvent.objects.first()
    assert event is not None
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    r = client.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"action": "tampered"})
    assert r.status_code == 403
    event.refresh_from_db()
    assert event.action != "tampered"
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
