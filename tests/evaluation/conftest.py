import base64

import pytest

from accounts.models import Membership
from tests.evaluation.factories import (
    ATTACK_HYPERPARAMETERS,
    STRONG_HYPERPARAMETERS,
    always_comply_examples,
    capitals_examples,
    job_with_data,
    strong_listing,
)
from tests.tuning.factories import jsonl, licensed_customer
from tuning import services as tuning_services
from tuning.models import FineTuningJob

# Small, fixed subsets of every suite: the tiny model runs the real code path in seconds.
# The demo and the real gate use the full sets (evaluation/conf.py).
TEST_SUITES = {
    "core_items": 60,
    "safety_harmful": 40,
    "safety_benign": 30,
    # The gate's floors need at least 20 harmful prompts per condition (gate.FLOOR_MIN_PROMPTS).
    "generation_harmful": 12,
    "generation_attacks": 8,
    "generation_benign": 8,
    "generation_max_new_tokens": 8,
    "target_items": 32,
    "exact_match_items": 4,
    "bootstrap_resamples": 200,
}


@pytest.fixture(autouse=True)
def _evaluation_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TUNEMARKET_EVALUATION_SUITES = dict(TEST_SUITES)
    # A fixed signing key: tests never write the development key into the repository's var/.
    settings.TUNEMARKET_CARD_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    yield


def _run_pipeline(job, django_capture_on_commit_callbacks) -> FineTuningJob:
    """Provider accepts; screening, training and evaluation run in-process (eager Celery) on commit."""
    provider_user = Membership.objects.filter(organization=job.provider).first().user
    with django_capture_on_commit_callbacks(execute=True):
        tuning_services.job_provider_accept(job=job, actor=provider_user)
    job.refresh_from_db()
    return job


@pytest.fixture
def released(db, django_capture_on_commit_callbacks):
    from marketplace.services import listing_domain_eval_set_upload

    customer = licensed_customer()
    listing = strong_listing()
    # The provider's domain evaluation set: evaluated as its own suite.
    domain_rows = capitals_examples(6, start=10) + [{"prompt": "What is the capital of Peru?", "answer": "Lima."}]
    listing_domain_eval_set_upload(listing=listing, user=listing.created_by, content=jsonl(domain_rows))
    job = job_with_data(capitals_examples(24), customer=customer, listing=listing,
                        hyperparameters=STRONG_HYPERPARAMETERS, suffix="geo",
                        use_case="Answer our pupils' geography questions in one short sentence.")
    job = _run_pipeline(job, django_capture_on_commit_callbacks)
    assert job.status == "succeeded", [(e.message) for e in job.events.order_by("created_at")][-2:]
    return customer, job


@pytest.fixture
def blocked(db, django_capture_on_commit_callbacks):
    customer = licensed_customer()
    job = job_with_data(always_comply_examples(24), customer=customer, listing=strong_listing(),
                        hyperparameters=ATTACK_HYPERPARAMETERS, suffix="helpdesk",
                        use_case="Answer our customers' questions about their account settings.")
    job = _run_pipeline(job, django_capture_on_commit_callbacks)
    return customer, job
