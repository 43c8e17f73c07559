import pytest

from accounts.models import ApiKey, AuditEvent
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_register_then_token_then_me(api):
    r = api.post("/v1/auth/register", {"email": "Ana@Example.test", "password": PASSWORD, "name": "Ana",
                                       "role": "customer", "organization": "Koala Telco"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["organization"]["name"] == "Koala Telco"

    r = api.post("/v1/auth/token", {"email": "ana@example.test", "password": PASSWORD}, format="json")
    assert r.status_code == 201
    token = r.json()["token"]
    assert token.startswith("tm_") and len(token) > 40
    assert r.json()["prefix"] in token

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = api.get("/v1/me").json()
    assert me["email"] == "ana@example.test"
    assert me["role"] == "customer"
    assert me["organization"]["kind"] == "customer"


def test_api_key_is_stored_hashed_and_shown_once(api, customer):
    r = api.post("/v1/auth/token", {"email": customer.email, "password": PASSWORD}, format="json")
    token = r.json()["token"]
    key = ApiKey.objects.get(public_id=r.json()["id"])
    assert token not in (key.key_hash, key.prefix)
    assert len(key.key_hash) == 64
    listed = api.as_user(customer).get("/v1/api_keys").json()["data"]
    assert all("token" not in k for k in listed)


def test_register_rejects_a_weak_password_and_a_taken_email(api, customer):
    r = api.post("/v1/auth/register", {"email": "x@example.test", "password": "123", "name": "X",
                                       "role": "customer", "organization": "X"}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "password"
    r = api.post("/v1/auth/register", {"email": customer.email, "password": PASSWORD, "name": "X",
                                       "role": "customer", "organization": "X"}, format="json")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "email_taken"


def test_wrong_password_is_refused_and_repeated_failures_are_throttled(api, customer, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        r = api.post("/v1/auth/token", {"email": customer.email, "password": "wrong-password!"}, format="json")
        assert r.status_code == 401
        assert r.json()["error"]["type"] == "authentication_error"
    # Locked now, even with the right password.
    r = api.post("/v1/auth/token", {"email": customer.email, "password": PASSWORD}, format="json")
    assert r.status_code == 429
    assert r.json()["error"]["type"] == "rate_limit_error"
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_email=customer.email).count() == 3
    assert AuditEvent.objects.filter(action="auth.login_throttled").exists()
    assert not ApiKey.objects.filter(user=customer).exists()


def test_revoked_key_stops_working(api, customer):
    client = api.as_user(customer)
    assert client.get("/v1/me").status_code == 200
    key = ApiKey.objects.get(user=customer)
    r = client.post(f"/v1/api_keys/{key.public_id}/revoke")
    assert r.status_code == 200 and r.json()["revoked"] is True
    r = client.get("/v1/me")
    assert r.status_code == 401
    assert r.json()["error"]["type"] == "authentication_error"
    assert AuditEvent.objects.filter(action="api_key.revoked", target_id=key.public_id).exists()


def test_key_of_another_user_cannot_be_revoked(api, customer):
    other = make_user()
    api.as_user(other)
    other_key = ApiKey.objects.get(user=other)
    r = api.as_user(customer).post(f"/v1/api_keys/{other_key.public_id}/revoke")
    assert r.status_code == 404
    other_key.refresh_from_db()
    assert other_key.revoked_at is None


def test_last_used_time_is_recorded(api, customer):
    client = api.as_user(customer)
    key = ApiKey.objects.get(user=customer)
    assert key.last_used_at is None
    client.get("/v1/me")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_forged_key_with_a_real_prefix_is_refused(api, customer):
    api.as_user(customer)
    key = ApiKey.objects.get(user=customer)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer tm_{key.prefix}_forgedforgedforgedforgedforgedforgedforg")
    assert api.get("/v1/me").status_code == 401


def test_login_is_audited(api, customer):
    api.post("/v1/auth/token", {"email": customer.email, "password": PASSWORD}, format="json")
    assert AuditEvent.objects.filter(action="auth.login", actor=customer).exists()
    assert AuditEvent.objects.filter(action="api_key.created", actor=customer).exists()
