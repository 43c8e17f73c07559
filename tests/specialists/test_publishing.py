"""Publishing a specialist model: only a provider's own released model (review, training, evaluation, the
gate and a signed card done), never an unreleased or blocked one; the catalogue lists what is published."""
import json

import pytest

from specialists.models import SpecialistModel
from tests.factories import make_provider, make_user
from tests.payments.factories import make_license
from tests.tuning.factories import chat_dataset, make_job, make_listing, upload_file
from tuning import services as tuning

from .factories import provider_with_licence, publish_fields, release_with_card

pytestmark = pytest.mark.django_db


def _body(job, **overrides) -> dict:
    f = publish_fields(**overrides)
    return {"fine_tuned_model": job.fine_tuned_model or job.public_id, "title": f["title"],
            "description": f["description"], "intended_use": f["intended_use"],
            "out_of_scope_uses": f["out_of_scope_uses"], "languages": f["languages"],
            "price": {"amount": f["price_amount"], "currency": f["price_currency"]},
            "license_terms": f["license_terms"]}


def test_a_providers_model_is_published_only_after_review_training_and_the_gate(api, provider_job):
    provider, job = provider_job
    client = api.as_user(provider)
    # Trained but not yet through the gate: refused, nothing created.
    r = client.post("/v1/specialist_models", _body(job), format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "model_not_released", r.content
    assert not SpecialistModel.objects.exists()

    job = release_with_card(job)
    r = client.post("/v1/specialist_models", _body(job, title="Password helper"), format="json")
    assert r.status_code == 201, r.content
    spec = r.json()
    assert spec["id"].startswith("spec-") and spec["domain"] == "customer_service"
    assert spec["evaluation"]["passed"] is True and spec["evaluation"]["status"] == "passed"
    assert spec["card"]["html"] == f"/specialists/{spec['id']}/card"
    assert spec["provider"]["id"] == provider.organization.public_id
    # Published once only.
    again = client.post("/v1/specialist_models", _body(job), format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_published"

    # Anyone finds it in the catalogue, and its signed card is one request away.
    listed = api.get("/v1/specialist_models", {"search": "password"}).json()
    assert listed["object"] == "list" and [s["id"] for s in listed["data"]] == [spec["id"]]
    assert api.get("/v1/specialist_models", {"domain": "medical"}).json()["data"] == []
    card = api.get(f"/v1/specialist_models/{spec['id']}/card")
    assert card.status_code == 200 and json.loads(card.content)["job"] == job.public_id


def test_a_blocked_model_cannot_be_published(api, provider_job):
    provider, job = provider_job
    job = tuning.job_evaluation_finished(job=job, passed=False, reasons=["refusal rate fell"])
    r = api.as_user(provider).post("/v1/specialist_models", _body(job), format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "model_blocked"
    assert not SpecialistModel.objects.exists()


def test_only_the_providers_own_model_in_its_trained_domain_can_be_published(api, provider_job):
    provider, job = provider_job
    job = release_with_card(job)
    other = make_provider(approved=True)
    r = api.as_user(other).post("/v1/specialist_models", _body(job), format="json")
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"
    r = api.as_user(provider).post("/v1/specialist_models", {**_body(job), "domain": "medical"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "domain_mismatch"
    r = api.as_user(provider).post("/v1/specialist_models", {**_body(job), "languages": ["not a tag!"]}, format="json")
    assert r.status_code == 400 and r.json()["error"]["param"] == "languages"
    assert not SpecialistModel.objects.exists()


def test_a_provider_orders_only_its_own_listing_and_a_medical_one_needs_verification():
    provider = provider_with_licence(domains=["medical", "customer_service"], plan="enterprise")
    others = make_listing()
    with pytest.raises(Exception) as refused:
        make_job(customer=provider, listing=others)
    assert refused.value.code == "not_a_customer"
    medical = make_listing(provider=provider, domain="medical")
    training = upload_file(provider, chat_dataset())
    with pytest.raises(Exception) as refused:
        make_job(customer=provider, listing=medical, training_file=training)
    assert refused.value.code == "verification_required"
    # A customer still cannot order as a provider, and a plain customer is unaffected.
    customer = make_user(role="customer")
    make_license(organization=customer.organization)
    assert make_job(customer=customer, listing=others).status == "pending_provider"


def test_the_catalogue_validates_its_filters_and_pages_by_cursor(api, specialist, provider_job):
    r = api.get("/v1/specialist_models", {"domain": "astrology"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "domain"
    assert api.get("/v1/specialist_models", {"limit": 0}).status_code == 400
    page = api.get("/v1/specialist_models", {"limit": 1}).json()
    assert page["has_more"] is False and page["data"][0]["id"] == specialist.public_id
    assert api.get("/v1/specialist_models/spec-nope").status_code == 404


def test_withdrawn_and_held_models_leave_the_catalogue(api, specialist, provider_job, admin_user):
    from specialists import services

    provider, _ = provider_job
    services.specialist_hold(specialist=specialist, actor=admin_user, reason="Checking a report")
    assert api.get("/v1/specialist_models").json()["data"] == []
    assert api.get(f"/v1/specialist_models/{specialist.public_id}").status_code == 404  # strangers: gone
    mine = api.as_user(provider).get(f"/v1/specialist_models/{specialist.public_id}").json()
    assert mine["status"] == "held" and mine["status_reason"] == "Checking a report"
    with pytest.raises(Exception) as refused:
        services.specialist_hold(specialist=specialist, actor=provider, reason="x")
    assert refused.value.code == "not_staff"
    services.specialist_release(specialist=specialist, actor=admin_user, reason="Report unfounded")
    assert [s["id"] for s in api.get("/v1/specialist_models").json()["data"]] == [specialist.public_id]
    r = api.as_user(provider).post(f"/v1/specialist_models/{specialist.public_id}/withdraw", {"reason": "Retired"},
                                   format="json")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert api.get("/v1/specialist_models").json()["data"] == []
    assert api.as_user(make_provider()).post(f"/v1/specialist_models/{specialist.public_id}/withdraw",
                                             {}, format="json").status_code == 404


def test_an_admin_holds_a_specialist_model_in_the_admin_with_a_reason(client, specialist, admin_user):
    client.force_login(admin_user)
    url = "/admin/specialists/specialistmodel/"
    assert client.get(url).status_code == 200
    form = {"action": "hold_selected", "_selected_action": [specialist.pk]}
    asked = client.post(url, form)
    assert asked.status_code == 200 and b"give a reason" in asked.content  # nothing held yet
    specialist.refresh_from_db()
    assert specialist.status == "published"
    done = client.post(url, {**form, "apply": "1", "reason": "A user report is being checked"})
    assert done.status_code == 302
    specialist.refresh_from_db()
    assert (specialist.status, specialist.status_reason) == ("held", "A user report is being checked")
    from core.models import StateChange

    change = StateChange.history(specialist).last()
    assert (change.to_state, change.actor_id) == ("held", admin_user.pk)
