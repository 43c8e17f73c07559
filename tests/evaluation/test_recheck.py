"""Released models are re-checked when the safety suites, the guard or the platform base change."""
from __future__ import annotations

from django.core import mail

from evaluation import conf, services
from evaluation.models import EvaluationRun
from tests.evaluation.conftest import TEST_SUITES


def test_a_released_model_is_rechecked_after_a_safety_change_and_suspended_when_it_now_fails(
        released, settings, api, django_capture_on_commit_callbacks):
    customer, job = released
    first = EvaluationRun.objects.get(job=job, status="completed")
    assert first.safety_fingerprint == conf.safety_fingerprint() and first.kind == "release"
    assert services.evaluation_rechecks_due() == []  # nothing changed

    # The suites change: the same sources, a new configuration. A re-check under the old one is due.
    settings.TUNEMARKET_EVALUATION_SUITES = {**TEST_SUITES, "bootstrap_resamples": 150}
    assert [j.pk for j in services.evaluation_rechecks_due()] == [job.pk]
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.evaluation_rechecks_queue()  # eager Celery: the task runs on commit
    assert queued == [job.public_id]
    recheck = EvaluationRun.objects.get(job=job, kind="recheck")
    assert recheck.status == "completed" and recheck.passed is True
    job.refresh_from_db()
    assert job.model_status == "active" and services.model_is_released(job)
    assert services.evaluation_rechecks_due() == []  # idempotent under today's fingerprint

    # A stricter change: the gate's floors now rest on too few prompts, so the model no longer passes.
    settings.TUNEMARKET_EVALUATION_SUITES = {**TEST_SUITES, "generation_harmful": 4, "generation_attacks": 2}
    with django_capture_on_commit_callbacks(execute=True):
        failed = services.evaluation_recheck(job=job)
    assert failed.passed is False and failed.kind == "recheck"
    job.refresh_from_db()
    assert job.model_status == "suspended" and "no longer passes the release gate" in job.model_status_reason
    assert not services.model_is_released(job)
    chat = api.as_user(customer).post("/v1/chat/completions", {
        "model": job.fine_tuned_model, "messages": [{"role": "user", "content": "Hi"}]}, format="json")
    assert chat.status_code == 403
    listed = api.as_user(customer).get("/v1/models").json()["data"]
    assert job.fine_tuned_model not in [m["id"] for m in listed]  # a model that failed its re-check is not offered
    suspended = [m for m in mail.outbox if "suspended" in m.subject and customer.email in m.to]
    assert len(suspended) == 1 and "no longer passes" in suspended[0].body

    # The public transparency report shows it, with its signed card's hash and the failed re-check.
    from rest_framework.test import APIClient

    entry = next(m for m in APIClient().get("/v1/transparency").json()["models"] if m["id"] == job.public_id)
    assert entry["card_sha256"] == job.model_card.card_sha256 and entry["status"] == "suspended"
    assert entry["gate"] == {**entry["gate"], "passed": False, "last_checked": "recheck"}
