"""Every error the API gives has one shape: {"error": {"message", "type", "param", "code"}}."""
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db]

TYPES = {"invalid_request_error", "authentication_error", "permission_error", "not_found_error", "rate_limit_error", "api_error"}


def assert_error_shape(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["type"] in TYPES
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.embedded
def test_error_shapes(api, customer, settings):
    assert_error_shape(api.get("/v1/me"), 401)
    client = api.as_user(customer)
    assert assert_error_shape(client.get("/v1/no-such-endpoint"), 404)["type"] == "not_found_error"
    assert assert_error_shape(client.delete("/v1/me"), 405)["type"] == "invalid_request_error"
    err = assert_error_shape(client.post("/v1/organization/verification", {"category": "academic"}, format="json"), 400)
    assert err["param"] == "evidence"
    err = assert_error_shape(client.post("/v1/auth/register", "{not json", content_type="application/json"), 400)
    assert_error_shape(client.get("/v1/listings/lst_doesnotexist"), 404)
    assert assert_error_shape(client.get("/v1/listings?limit=1000"), 400)["param"] == "limit"
    assert assert_error_shape(client.post("/v1/provider/application", {}, format="json"), 400)["param"]
    assert_error_shape(api.post("/v1/auth/token", {"email": customer.email, "password": "nope-nope"}, format="json"), 401)


def test_scope_throttle_has_the_error_shape(api, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min"})
    body = {"email": "nobody@example.test", "password": PASSWORD}
    for _ in range(2):
        api.post("/v1/auth/token", body, format="json")
    err = assert_error_shape(api.post("/v1/auth/token", body, format="json"), 429)
    assert err["type"] == "rate_limit_error"


@pytest.mark.embedded
def test_pagination_shape_and_cursor(api, customer):
    client = api.as_user(customer)
    for _ in range(4):
        api.post("/v1/auth/token", {"email": customer.email, "password": PASSWORD}, format="json")
    first = client.get("/v1/api_keys?limit=2").json()
    assert first["object"] == "list" and first["has_more"] is True and len(first["data"]) == 2
    rest = client.get(f"/v1/api_keys?limit=100&after={first['data'][-1]['id']}").json()
    ids = [k["id"] for k in first["data"]] + [k["id"] for k in rest["data"]]
    assert len(ids) == len(set(ids)) == 5
    assert rest["has_more"] is False


@pytest.mark.embedded
def test_healthz_schema_and_docs(client):
    r = client.get("/healthz")
    assert r.status_code == 200, r.content
    assert r.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    schema = client.get("/v1/schema")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    assert b"/v1/auth/register" in schema.content
    docs = client.get("/v1/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert b"cdn.jsdelivr" not in docs.content


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    root = Path(__file__).resolve().parent.parent
    env = {
        "PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-very-long-and-random-production-secret-key-123456",
        "STRIPE_SECRET_KEY": "sk_live_example", "STRIPE_WEBHOOK_SECRET": "whsec_example",
        "DATASET_MASTER_KEY": "cHJvZHVjdGlvbi1tYXN0ZXIta2V5LTMyLWJ5dGVzISE=",
        "DJANGO_ALLOWED_HOSTS": "tunemarket.example", "TUNEMARKET_VAR_DIR": str(tmp_path),
        "TUNEMARKET_CARD_SIGNING_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "EMAIL_HOST": "smtp.tunemarket.example", "DEFAULT_FROM_EMAIL": "Tunemarket <no-reply@tunemarket.example>",
        "TUNEMARKET_SITE_URL": "https://tunemarket.example",
    }
    r = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                       cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout

    missing = {k: v for k, v in env.items() if k != "STRIPE_WEBHOOK_SECRET"}
    r = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=missing, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET must be set" in r.stderr
    no_key = {k: v for k, v in env.items() if k != "TUNEMARKET_CARD_SIGNING_KEY"}
    r = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=no_key, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode != 0 and "TUNEMARKET_CARD_SIGNING_KEY must be set" in r.stderr
    no_mail = {k: v for k, v in env.items() if k != "EMAIL_HOST"}
    r = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=no_mail, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode != 0 and "EMAIL_HOST must be set" in r.stderr
