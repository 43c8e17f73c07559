"""Every password check locks the (email, address) pair and throttles the address: the API, /login/
and the Django admin's login alike (accounts/backends.py)."""
from __future__ import annotations

from django.test import Client

from accounts.models import AuditEvent
from tests.factories import PASSWORD, make_admin, make_user


def _admin_login(email: str, password: str, ip: str = "10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/admin/login/?next=/admin/", {"username": email, "password": password})
    return client, response


def test_the_admin_login_locks_after_repeated_failures_and_audits_them(db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    admin = make_admin()
    for _ in range(3):
        _, response = _admin_login(admin.email, "wrong-password!")
        assert response.status_code == 200  # the form again, with its error
    client, response = _admin_login(admin.email, PASSWORD)
    assert response.status_code == 200 and b"Too many failed sign-in attempts" in response.content
    assert client.get("/admin/").status_code == 302  # not signed in
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_email=admin.email).count() == 3
    assert AuditEvent.objects.filter(action="auth.login_throttled", actor_email=admin.email).exists()
    # From another address the right password still works: the attacker cannot lock the admin out.
    client, response = _admin_login(admin.email, PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302 and client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=admin).exists()


def test_one_users_failures_do_not_lock_out_colleagues_behind_the_same_address(api, db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    victim, colleague = make_user(), make_user()
    for _ in range(3):
        assert api.post("/v1/auth/token", {"email": victim.email, "password": "nope-nope-nope"},
                        format="json").status_code == 401
    assert api.post("/v1/auth/token", {"email": victim.email, "password": PASSWORD},
                    format="json").status_code == 429
    assert api.post("/v1/auth/token", {"email": colleague.email, "password": PASSWORD},
                    format="json").status_code == 201
    page = Client()
    assert page.post("/login/", {"username": colleague.email, "password": PASSWORD}).status_code == 302


def test_the_address_alone_is_throttled_past_a_higher_count(api, db, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_IP_MAX_FAILURES = 6
    user = make_user()
    for i in range(6):  # a spray over many emails, never three on one
        api.post("/v1/auth/token", {"email": f"nobody{i}@example.test", "password": "x" * 12}, format="json")
    response = api.post("/v1/auth/token", {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 429 and response.json()["error"]["code"] == "too_many_failed_logins"
    _, admin_response = _admin_login(user.email, PASSWORD, ip="127.0.0.1")
    assert b"Too many failed sign-in attempts" in admin_response.content
