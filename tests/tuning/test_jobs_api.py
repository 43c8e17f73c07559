"""/v1/fine_tuning/jobs: creation rules, hyper-parameters, estimates, scoping, cancel, accept."""
import pytest

from accounts.models import AuditEvent
from accounts.services import agreement_accept, agreement_publish
from tests.factories import make_user
from tests.tuning.factories import (
    BASE,
    chat_dataset,
    jsonl,
    licensed_customer,
    make_job,
    make_listing,
    preference_example,
    upload,
    upload_file,
)
from tuning import services
from tuning.models import DatasetFile, FineTuningJob, JobStatus


def create(client, **body):
    return client.post("/v1/fine_tuning/jobs", body, format="json")


def body_for(listing, file_id, **extra):
    return {"model": BASE, "training_file": file_id, "listing": listing.public_id,
            "use_case": "Answer password questions for our shop.", **extra}


@pytest.mark.embedded
@pytest.mark.django_db
def test_creating_a_job_returns_the_openai_shape_with_marketplace_fields(api, customer, listing):
    client = api.as_user(customer)
    file_id = upload(client, chat_dataset(20)).json()["id"]
    response = create(client, **body_for(listing, file_id, suffix="support-v1", seed=7, metadata={"team": "cx"},
                                         hyperparameters={"n_epochs": 2, "batch_size": "auto"}))
    assert response.status_code == 200, response.content
    job = response.json()
    assert job["id"].startswith("ftjob-") and job["object"] == "fine_tuning.job"
    assert job["status"] == "pending_provider" and job["model"] == BASE
    assert job["training_file"] == file_id and job["validation_file"] is None
    assert job["listing"] == listing.public_id and job["provider"] == listing.provider.public_id
    assert job["use_case"] == "Answer password questions for our shop."
    assert job["hyperparameters"] == {"n_epochs": 2, "batch_size": 1, "learning_rate_multiplier": 1.0}
    assert job["method"]["type"] == "supervised"
    assert job["seed"] == 7 and job["metadata"] == {"team": "cx"} and job["user_provided_suffix"] == "support-v1"
    assert job["organization_id"] == customer.organization.public_id
    assert job["result_files"] == [] and job["fine_tuned_model"] is None and job["error"] is None
    assert job["progress"] == {"step": 0, "total_steps": 0, "percent": 0.0, "eta_seconds": None}
    assert job["payment"]["status"] == "not_required"  # a free listing: the real payments seam
    assert set(job) >= {"review", "evaluation", "created_at", "finished_at", "trained_tokens", "estimated_finish"}
    assert AuditEvent.objects.filter(action="fine_tuning_job.created", target_id=job["id"]).exists()


@pytest.mark.parametrize("field", ["listing", "use_case"])
def test_listing_and_use_case_are_required(api, customer, listing, field):
    client = api.as_user(customer)
    body = body_for(listing, upload(client, chat_dataset()).json()["id"])
    del body[field]
    response = create(client, **body)
    assert response.status_code == 400 and response.json()["error"]["param"] == field
    assert not FineTuningJob.objects.exists()


def test_an_invalid_training_or_validation_file_is_a_400_naming_the_file(api, customer, listing):
    client = api.as_user(customer)
    good = upload(client, chat_dataset()).json()["id"]
    bad = upload(client, b"{nope\n").json()["id"]
    response = create(client, **body_for(listing, bad))
    error = response.json()["error"]
    assert response.status_code == 400 and error["param"] == "training_file" and bad in error["message"]
    response = create(client, **body_for(listing, good, validation_file="file-doesnotexist"))
    error = response.json()["error"]
    assert response.status_code == 400 and error["param"] == "validation_file" and "file-doesnotexist" in error["message"]
    other = upload_file(make_user(role="customer"), chat_dataset())
    response = create(client, **body_for(listing, other.public_id))
    assert response.status_code == 400 and response.json()["error"]["param"] == "training_file"
    assert not FineTuningJob.objects.exists()


def test_the_current_agreement_must_be_accepted(api, customer, listing):
    agreement_publish(version=1, title="Terms", body="Be responsible.")
    client = api.as_user(customer)
    file_id = upload(client, chat_dataset()).json()["id"]
    response = create(client, **body_for(listing, file_id))
    assert response.status_code == 403 and response.json()["error"]["code"] == "agreement_not_accepted"
    agreement_accept(user=customer)
    assert create(client, **body_for(listing, file_id)).status_code == 200


def test_the_licence_gate_refuses_without_a_licence_and_creates_nothing(api, listing):
    unlicensed = make_user(role="customer")
    client = api.as_user(unlicensed)
    file_id = upload(client, chat_dataset()).json()["id"]
    response = create(client, **body_for(listing, file_id))
    assert response.status_code == 402 and response.json()["error"]["code"] == "license_required"
    assert not FineTuningJob.objects.exists()


def test_a_plan_without_the_listings_domain_is_refused(api, db):
    academic = licensed_customer(plan="academic")
    listing = make_listing(domain="customer_service", techniques=("supervised",))
    client = api.as_user(academic)
    response = create(client, **body_for(listing, upload(client, chat_dataset()).json()["id"]))
    assert response.status_code == 403 and response.json()["error"]["code"] == "plan_excludes_domain"


def test_the_plans_dataset_size_cap_is_enforced_on_job_creation(api, customer, listing, monkeypatch):
    import dataclasses

    from payments.plans import LICENSE_PLANS

    client = api.as_user(customer)
    file_id = upload(client, chat_dataset()).json()["id"]
    size = DatasetFile.objects.get(public_id=file_id).bytes
    monkeypatch.setitem(LICENSE_PLANS, "premium",
                        dataclasses.replace(LICENSE_PLANS["premium"], max_dataset_bytes=size - 1))
    response = create(client, **body_for(listing, file_id))
    assert response.status_code == 403 and response.json()["error"]["code"] == "plan_dataset_limit"
    assert not FineTuningJob.objects.exists()
    monkeypatch.setitem(LICENSE_PLANS, "premium",
                        dataclasses.replace(LICENSE_PLANS["premium"], max_dataset_bytes=size))
    assert create(client, **body_for(listing, file_id)).status_code == 200  # at the cap is allowed


def test_auto_hyperparameters_follow_the_dataset_size_and_the_listings_recipe(customer, settings):
    settings.TUNEMARKET_AUTO_TARGET_STEPS = 100
    plain = make_listing()
    job = make_job(customer=customer, listing=plain, content=chat_dataset(40), hyperparameters={})
    # 40 examples, 4 held out: batch auto = 36 // 10 = 3; epochs auto = ceil(100 * 3 / 36) = 9.
    assert job.hyperparameters == {"n_epochs": 9, "batch_size": 3, "learning_rate_multiplier": 1.0}
    recipe = make_listing(recipe={"hyperparameters": {"n_epochs": 2, "learning_rate_multiplier": 0.5},
                                  "lora": {"r": 4, "alpha": 8, "target_modules": ["q_proj"]}, "system_prompt": "Be brief."})
    job = make_job(customer=customer, listing=recipe, content=chat_dataset(40),
                   hyperparameters={"n_epochs": 3, "batch_size": "auto"})
    assert job.hyperparameters == {"n_epochs": 3, "batch_size": 3, "learning_rate_multiplier": 0.5}
    assert job.training_config["lora_r"] == 4 and job.training_config["lora_target_modules"] == ["q_proj"]
    assert job.training_config["system_prompt"] == "Be brief."


@pytest.mark.parametrize("hp, param", [
    ({"n_epochs": 0}, "hyperparameters.n_epochs"),
    ({"batch_size": 2.5}, "hyperparameters.batch_size"),
    ({"learning_rate_multiplier": "fast"}, "hyperparameters.learning_rate_multiplier"),
    ({"warmup": 3}, "hyperparameters.warmup"),
])
def test_bad_hyperparameters_are_400s_naming_the_field(api, customer, listing, hp, param):
    client = api.as_user(customer)
    response = create(client, **body_for(listing, upload(client, chat_dataset()).json()["id"], hyperparameters=hp))
    assert response.status_code == 400 and response.json()["error"]["param"] == param


def test_dpo_needs_a_preference_file_and_takes_beta(api, customer, listing):
    client = api.as_user(customer)
    chat_file = upload(client, chat_dataset()).json()["id"]
    pref_file = upload(client, jsonl(preference_example(i) for i in range(12))).json()["id"]
    method = {"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2, "n_epochs": 1}}}
    refused = create(client, **body_for(listing, chat_file, method=method))
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "training_file"
    job = create(client, **body_for(listing, pref_file, method=method)).json()
    assert job["method"]["type"] == "dpo" and job["method"]["dpo"]["hyperparameters"]["beta"] == 0.2


def test_overlapping_training_and_validation_files_give_a_warning_event(api, customer, listing):
    client = api.as_user(customer)
    train = upload(client, chat_dataset(12)).json()["id"]
    valid = upload(client, chat_dataset(10, start=9)).json()["id"]  # 3 examples in common
    job = create(client, **body_for(listing, train, validation_file=valid)).json()
    events = client.get(f"/v1/fine_tuning/jobs/{job['id']}/events").json()["data"]
    warnings = [e for e in events if e["level"] == "warn"]
    assert len(warnings) == 1 and warnings[0]["data"]["overlap_examples"] == 3


def test_the_estimate_gives_tokens_time_and_price_before_anything_runs(api, customer):
    listing = make_listing(price_amount=0)
    client = api.as_user(customer)
    job = make_job(customer=customer, listing=listing, content=chat_dataset(20), hyperparameters={"n_epochs": 3, "batch_size": 2})
    estimate = client.get(f"/v1/fine_tuning/jobs/{job.public_id}/estimate").json()
    file_tokens = job.training_file.validation["stats"]["tokens"]["total"]
    assert estimate["n_epochs"] == 3 and estimate["examples"] == 18  # 2 held out
    assert estimate["total_steps"] == 3 * 9
    assert estimate["tokens"]["total"] == 3 * estimate["tokens"]["per_epoch"]
    assert 0 < estimate["tokens"]["per_epoch"] < file_tokens
    assert estimate["wall_seconds"] >= 1 and estimate["backend"] == "local" and estimate["base_model"] == "tiny-smollm2-safe"
    assert estimate["price"] == {"amount": 0, "currency": "usd"}
    assert FineTuningJob.objects.get(pk=job.pk).status == JobStatus.PENDING_PROVIDER


def test_jobs_are_listed_and_retrieved_only_by_their_organisation(api, customer, listing):
    mine = [make_job(customer=customer, listing=listing).public_id for _ in range(2)]
    client = api.as_user(customer)
    assert [j["id"] for j in client.get("/v1/fine_tuning/jobs?limit=1").json()["data"]] == mine[-1:]
    other = api.as_user(licensed_customer())
    assert other.get("/v1/fine_tuning/jobs").json()["data"] == []
    for suffix in ("", "/events", "/checkpoints", "/estimate"):
        assert other.get(f"/v1/fine_tuning/jobs/{mine[0]}{suffix}").status_code == 404
    assert other.post(f"/v1/fine_tuning/jobs/{mine[0]}/cancel").status_code == 404


def test_cancelling_is_recorded_and_cannot_happen_twice(api, customer, listing):
    client = api.as_user(customer)
    job = make_job(customer=customer, listing=listing)
    cancelled = client.post(f"/v1/fine_tuning/jobs/{job.public_id}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["finished_at"] is not None
    again = client.post(f"/v1/fine_tuning/jobs/{job.public_id}/cancel")
    assert again.status_code == 409
    events = client.get(f"/v1/fine_tuning/jobs/{job.public_id}/events").json()["data"]
    assert events[0]["object"] == "fine_tuning.job.event" and events[0]["message"].startswith("Job cancelled")


def test_provider_decline_and_review_rejection_end_the_job(customer, listing):
    from accounts.models import Membership

    provider_user = Membership.objects.filter(organization=listing.provider).first().user
    declined = services.job_provider_decline(job=make_job(customer=customer, listing=listing), actor=provider_user,
                                             reason="Out of our domain.")
    assert declined.status == JobStatus.REJECTED and declined.error["code"] == "declined_by_provider"
    job = services.job_provider_accept(job=make_job(customer=customer, listing=listing), actor=provider_user)
    assert job.status == JobStatus.PENDING_REVIEW
    rejected = services.job_review_decided(job=job, approved=False, reason="Unsafe use case.")
    assert rejected.status == JobStatus.REJECTED and "Unsafe use case." in rejected.error["message"]
    # Another provider cannot accept this customer's job.
    from tests.factories import make_provider
    from core.errors import NotFound

    with pytest.raises(NotFound):
        services.job_provider_accept(job=make_job(customer=customer, listing=listing), actor=make_provider(approved=True))


def test_the_customer_accepts_delivery_of_a_released_model_once(api, customer, released_job):
    client = api.as_user(customer)
    assert released_job.fine_tuned_model == (
        f"ft:{BASE}:{customer.organization.slug}::{released_job.public_id.removeprefix('ftjob-')}"
    )
    first = client.post(f"/v1/fine_tuning/jobs/{released_job.public_id}/accept")
    assert first.status_code == 200 and first.json()["status"] == "succeeded"
    client.post(f"/v1/fine_tuning/jobs/{released_job.public_id}/accept")
    released_job.refresh_from_db()
    assert released_job.delivery_accepted_at is not None
    assert released_job.events.filter(message="The customer accepted delivery.").count() == 1


def test_a_job_not_yet_succeeded_cannot_be_accepted(api, customer, listing):
    job = make_job(customer=customer, listing=listing)
    response = api.as_user(customer).post(f"/v1/fine_tuning/jobs/{job.public_id}/accept")
    assert response.status_code == 409 and response.json()["error"]["code"] == "job_not_succeeded"


def test_job_list_query_count_is_constant(api, customer, listing):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api.as_user(customer)

    def queries_for_list() -> tuple[int, int]:
        client.get("/v1/fine_tuning/jobs")  # warm the API key's last-used stamp
        with CaptureQueriesContext(connection) as ctx:
            rows = client.get("/v1/fine_tuning/jobs").json()["data"]
        return len(rows), len(ctx.captured_queries)

    make_job(customer=customer, listing=listing)
    one = queries_for_list()
    for _ in range(3):
        make_job(customer=customer, listing=listing)
    four = queries_for_list()
    # Review, evaluation and payment fields come with the page (joins and one prefetch), not one query per job.
    assert (one[0], four[0]) == (1, 4) and four[1] == one[1], (one, four)


def test_a_job_takes_licence_quota_at_creation_and_gives_it_back_if_cancelled_before_training(api, customer, listing):
    from payments.models import LicenseUsage

    job = make_job(customer=customer, listing=listing)
    usage = LicenseUsage.objects.get(job_id=job.pk)
    assert usage.training_tokens == services.job_estimate(job).total_tokens > 0 and usage.released_at is None
    api.as_user(customer).post(f"/v1/fine_tuning/jobs/{job.public_id}/cancel")
    usage.refresh_from_db()
    assert usage.released_at is not None


def test_persona_settings_are_checked_and_become_part_of_the_system_prompt(api, customer, listing):
    client = api.as_user(customer)
    file_id = upload(client, chat_dataset()).json()["id"]
    refused = create(client, **body_for(listing, file_id, persona={"tone": "friendly", "ignore_safety_rules": "yes"}))
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "persona.ignore_safety_rules"
    job = create(client, **body_for(listing, file_id, persona={"tone": "Friendly", "locale": "en-AU"})).json()
    assert job["persona"] == {"tone": "friendly", "locale": "en-AU"}
    prompt = FineTuningJob.objects.get(public_id=job["id"]).training_config["system_prompt"]
    assert "friendly" in prompt and "en-AU" in prompt
