"""Listings: create, edit, publish/unpublish, the domain evaluation set."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.models import Listing
from marketplace.selectors import listing_domain_eval_examples
from tests.factories import make_provider, make_user
from tests.marketplace.factories import make_listing

pytestmark = [pytest.mark.django_db]

BODY = {
    "title": "Australian-English support tone",
    "description": "LoRA tuning on your support chats.",
    "domain": "localization",
    "techniques": ["supervised", "persona"],
    "base_models": ["SmolLM2-135M-Instruct"],
    "price": {"amount": 24900, "currency": "AUD"},
    "turnaround_days": 2,
    "languages": ["en-au", "EN-nz"],
    "recipe": {"hyperparameters": {"n_epochs": 3, "learning_rate_multiplier": "auto"},
               "lora": {"r": 16, "alpha": 32, "target_modules": ["q_proj", "v_proj"]},
               "system_prompt": "You are a friendly support agent."},
}


@pytest.mark.embedded
def test_an_approved_provider_creates_and_publishes_a_listing(api):
    provider = make_provider()
    client = api.as_user(provider)
    r = client.post("/v1/listings", BODY, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["id"].startswith("lst_")
    assert body["status"] == "draft"
    assert body["price"] == {"amount": 24900, "currency": "aud"}
    assert body["languages"] == ["en-AU", "en-NZ"]
    assert body["recipe"]["lora"] == {"r": 16, "alpha": 32, "target_modules": ["q_proj", "v_proj"]}
    # Drafts are invisible to others, visible to the owner.
    assert api.get(f"/v1/listings/{body['id']}").status_code == 404
    assert client.get(f"/v1/listings/{body['id']}").status_code == 200
    r = client.post(f"/v1/listings/{body['id']}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert api.get(f"/v1/listings/{body['id']}").json()["title"] == BODY["title"]


def test_an_unapproved_provider_cannot_publish_and_a_customer_cannot_create(api):
    pending = make_provider(approved=False)
    r = api.as_user(pending).post("/v1/listings", {**BODY, "publish": True}, format="json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "provider_not_approved"
    assert not Listing.objects.filter(provider=pending.organization).exists()  # the transaction rolled back
    r = api.as_user(make_user(role="customer")).post("/v1/listings", BODY, format="json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "not_a_provider"


def test_bad_listing_input_is_refused_with_the_field_named(api):
    client = api.as_user(make_provider())
    cases = [
        ({"domain": "astrology"}, "domain"),
        ({"techniques": []}, "techniques"),
        ({"price": {"amount": -1}}, "price.amount"),
        ({"base_models": ["not-a-model"]}, "base_models"),
        ({"languages": ["english!"]}, "languages"),
        ({"recipe": {"hyperparameters": {"n_epochs": 0}}}, "recipe.hyperparameters.n_epochs"),
        ({"recipe": {"hyperparameters": {"dropout": 0.1}}}, "recipe.hyperparameters.dropout"),
        ({"recipe": {"lora": {"r": 0}}}, "recipe.lora.r"),
        ({"recipe": {"lora": {"target_modules": ["q proj;"]}}}, "recipe.lora.target_modules"),
    ]
    for patch, param in cases:
        r = client.post("/v1/listings", {**BODY, **patch}, format="json")
        assert r.status_code == 400, (patch, r.content)
        assert r.json()["error"]["param"] == param, patch
    assert Listing.objects.count() == 0


@pytest.mark.embedded
def test_the_owner_patches_its_listing_and_nobody_else_can(api):
    owner = make_provider()
    listing = make_listing(owner, title="Old title", languages=["en"])
    r = api.as_user(owner).patch(f"/v1/listings/{listing.public_id}",
                                 {"title": "New title", "price": {"amount": 500, "currency": "eur"}, "languages": ["fr-CA"]},
                                 format="json")
    assert r.status_code == 200, r.content
    assert r.json()["title"] == "New title"
    assert r.json()["price"] == {"amount": 500, "currency": "eur"}
    listing.refresh_from_db()
    assert listing.language_tags == ["fr-CA", "fr"]
    assert listing.description  # untouched fields stay
    # Another provider, a customer and an anonymous caller cannot edit it.
    for client in (api.as_user(make_provider()), api.as_user(make_user()), api):
        r = client.patch(f"/v1/listings/{listing.public_id}", {"title": "Hijacked"}, format="json")
        assert r.status_code in (401, 404)
    listing.refresh_from_db()
    assert listing.title == "New title"


def test_owner_unpublishes_and_republishes(api):
    owner = make_provider()
    listing = make_listing(owner)
    client = api.as_user(owner)
    r = client.post(f"/v1/listings/{listing.public_id}/unpublish", {"reason": "Holiday"}, format="json")
    assert r.json()["status"] == "unpublished"
    assert api.get(f"/v1/listings/{listing.public_id}").status_code == 404
    assert client.post(f"/v1/listings/{listing.public_id}/publish").json()["status"] == "published"
    # An illegal move is refused, not ignored.
    r = client.post(f"/v1/listings/{listing.public_id}/publish")
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    assert [c.to_status for c in listing.status_changes.all()] == ["draft", "published", "unpublished", "published"]


def test_domain_eval_set_is_validated_stored_and_readable_through_the_selector(api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = make_provider()
    listing = make_listing(owner)
    client = api.as_user(owner)
    rows = [{"messages": [{"role": "user", "content": "G'day, my bill is wrong"}]}, {"prompt": "Refund policy?"}]
    content = "\n".join(json.dumps(r) for r in rows).encode()
    r = client.post(f"/v1/listings/{listing.public_id}/domain_eval_set",
                    {"file": SimpleUploadedFile("eval.jsonl", content)}, format="multipart")
    assert r.status_code == 200, r.content
    assert r.json()["domain_eval_set"] == {"rows": 2}
    listing.refresh_from_db()
    assert listing_domain_eval_examples(listing) == rows
    # A malformed file is refused and the stored set is unchanged.
    bad = b'{"prompt": "ok"}\n{not json\n'
    r = client.post(f"/v1/listings/{listing.public_id}/domain_eval_set",
                    {"file": SimpleUploadedFile("eval.jsonl", bad)}, format="multipart")
    assert r.status_code == 400
    assert "Line 2" in r.json()["error"]["message"]
    listing.refresh_from_db()
    assert listing_domain_eval_examples(listing) == rows
    # Another provider cannot upload to it.
    r = api.as_user(make_provider()).post(f"/v1/listings/{listing.public_id}/domain_eval_set",
                                          {"file": SimpleUploadedFile("e.jsonl", content)}, format="multipart")
    assert r.status_code == 404


def test_a_listing_without_an_eval_set_yields_no_examples():
    assert listing_domain_eval_examples(make_listing()) == []


def test_provider_sees_its_own_drafts_in_its_listing_list(api):
    owner = make_provider()
    draft = make_listing(owner, publish=False)
    live = make_listing(owner)
    make_listing()
    r = api.as_user(owner).get("/v1/provider/listings")
    assert {x["id"] for x in r.json()["data"]} == {draft.public_id, live.public_id}
