import pytest

from accounts.models import ApplicationStatus
from tests.factories import PASSWORD, make_admin, make_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_login(page, live_server, email):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_admin_approves_a_provider_application_through_the_admin_action(live_server, page, shot):
    admin = make_admin(email="vetting@example.test")
    app = make_provider(approved=False, organization="Bondi Language Tuning").organization.provider_application

    admin_login(page, live_server, admin.email)
    page.goto(f"{live_server.url}/admin/accounts/providerapplication/?status__exact=submitted")
    page.get_by_role("link", name="Bondi Language Tuning").first.wait_for()
    shot(page, "admin-vetting-queue")
    page.check(f"input[name=_selected_action][value='{app.pk}']")
    page.select_option("select[name=action]", "approve_selected")
    page.click("button[name=index]")
    page.get_by_text("give a reason").wait_for()
    page.fill("#id_reason", "References and portfolio checked")
    shot(page, "admin-vetting-reason")
    page.click("input[type=submit][value=Approve]")
    page.get_by_text("Approve: 1 done.").wait_for()

    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    page.goto(f"{live_server.url}/admin/accounts/providerapplication/{app.pk}/change/")
    assert "References and portfolio checked" in page.content()
    shot(page, "admin-vetting-history")
