"""The pages of a job and its model: live job page, evaluation report, chat box; scoped by organisation."""
from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.test import Client

from accounts.models import Membership
from tests.evaluation.factories import capitals_examples, job_with_data
from tests.factories import PASSWORD, make_user
from tuning import services as tuning_services
from evaluation import selectors
from tuning.models import FineTuningJob, InferenceLog


def web(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def provider_of(job):
    return Membership.objects.filter(organization=job.provider).first().user


def test_released_job_pages_for_customer_provider_and_strangers(released):
    customer, job = released
    c = web(customer)

    html = c.get(f"/jobs/{job.public_id}/").content.decode()
    assert "Succeeded" in html and job.fine_tuned_model in html
    assert 'aria-label="Stages"' in html and html.count('class="done"') == 7
    assert "Loss during training" in html and "<svg" in html  # the loss curve
    assert "The model passed evaluation and is released" in html  # the event log
    assert f'action="/jobs/{job.public_id}/accept"' in html and f"/models/{job.fine_tuned_model}/chat" in html
    live = c.get(f"/jobs/{job.public_id}/live").content.decode()
    assert live.lstrip().startswith('<div id="job-live"') and 'data-terminal="1"' in live and "<html" not in live

    report = c.get(f"/jobs/{job.public_id}/evaluation").content.decode()
    assert "Passed: the tuned model is released." in report
    assert report.count("<svg") >= 6
    for title in ("Base vs tuned", "Refusals of harmful prompts by category", "Core accuracy by category",
                  "Reliability: core multiple choice", "Held-out NLL (lower is better)"):
        assert f">{title}</title>" in report, title
    assert report.count('class="pass"') == len(job.evaluation_runs.get(status="completed").gate_checks)

    # Accepting delivery from the page: once; a second click changes nothing.
    assert c.post(f"/jobs/{job.public_id}/accept").status_code == 302
    job.refresh_from_db()
    accepted_at = job.delivery_accepted_at
    assert accepted_at is not None
    c.post(f"/jobs/{job.public_id}/accept")
    job.refresh_from_db()
    assert job.delivery_accepted_at == accepted_at
    assert job.events.filter(message="The customer accepted delivery.").count() == 1

    # The provider sees progress and the report, but cannot accept, cancel or chat.
    p = web(provider_of(job))
    provider_html = p.get(f"/jobs/{job.public_id}/").content.decode()
    assert "Succeeded" in provider_html and "/accept" not in provider_html and "/chat" not in provider_html
    assert p.get(f"/jobs/{job.public_id}/evaluation").status_code == 200
    assert p.get(f"/models/{job.fine_tuned_model}/chat").status_code == 404
    assert p.post(f"/jobs/{job.public_id}/cancel").status_code == 302  # refused with a message, nothing changes
    job.refresh_from_db()
    assert job.status == "succeeded"

    stranger = web(make_user(role="customer"))
    for url in (f"/jobs/{job.public_id}/", f"/jobs/{job.public_id}/live", f"/jobs/{job.public_id}/evaluation",
                f"/models/{job.fine_tuned_model}/chat"):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"/jobs/{job.public_id}/accept").status_code == 404
    assert Client().get(f"/jobs/{job.public_id}/").status_code == 302  # to the login page


def test_chat_box_answers_with_tuned_and_base_model_and_reports_field_errors(released):
    customer, job = released
    c = web(customer)
    url = f"/models/{job.fine_tuned_model}/chat"
    assert 'name="message"' in c.get(url).content.decode()

    empty = c.post(url, {"message": "", "max_tokens": "8", "compare": "on"}).content.decode()
    assert re.search(r'id="message-errors">.*Write a message for the model\.', empty)
    too_long = c.post(url, {"message": "Hello", "max_tokens": "100000"}).content.decode()
    assert re.search(r'id="max-tokens-errors">.*At most 256 tokens\.', too_long)
    assert InferenceLog.objects.count() == 0  # bad input runs nothing

    answer = c.post(url, {"message": "What is the capital of France?", "max_tokens": "6", "compare": "on"})
    html = answer.content.decode()
    assert answer.status_code == 200 and 'aria-label="Tuned model"' in html and 'aria-label="Base model"' in html
    logs = list(InferenceLog.objects.order_by("id").values_list("model", "job_id"))
    assert logs == [(job.fine_tuned_model, job.pk), (job.model, None)]


def test_blocked_model_pages_say_so_and_the_chat_box_refuses(blocked):
    customer, job = blocked
    assert job.status == "blocked"
    c = web(customer)
    assert "Blocked by the release gate" in c.get(f"/jobs/{job.public_id}/").content.decode()
    report = c.get(f"/jobs/{job.public_id}/evaluation").content.decode()
    assert "Blocked: the tuned model did not pass" in report and 'class="fail"' in report
    chat = c.get(f"/models/{job.fine_tuned_model}/chat").content.decode()
    assert "is blocked" in chat
    c.post(f"/models/{job.fine_tuned_model}/chat", {"message": "Hello", "max_tokens": "4"})
    assert InferenceLog.objects.count() == 0


@pytest.mark.django_db
def test_running_job_shows_progress_and_eta_and_the_customer_can_cancel():
    job = job_with_data(capitals_examples(12))
    with transaction.atomic():  # no on-commit: the job stays queued instead of training here
        job = tuning_services.job_provider_accept(job=job, actor=provider_of(job))
        tuning_services.job_review_decided(job=job, approved=True, reason="Fine.")
    job = tuning_services.job_claim(job_id=job.pk, worker="test-worker")
    assert job.status == "running"
    assert tuning_services.job_record_progress(job_id=job.pk, attempt=job.attempt, step=3, total_steps=12,
                                               metrics={"train_loss": 2.5}, eta_seconds=75.0)
    customer = job.created_by
    c = web(customer)
    html = c.get(f"/jobs/{job.public_id}/").content.decode()
    assert "Training: step 3 of 12 (25.0%)" in html and "About <strong>1 min 15 s</strong> left" in html
    assert 'data-terminal="0"' in html and "fetch(panel.dataset.src" in html and 'aria-current="step"' in html
    dashboard = c.get("/dashboard/customer/").content.decode()
    assert f'href="/jobs/{job.public_id}/"' in dashboard and "Training 25.0%" in dashboard

    assert c.post(f"/jobs/{job.public_id}/cancel").status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"
    page = c.get(f"/jobs/{job.public_id}/").content.decode()
    assert 'data-terminal="1"' in page and 'class="stopped"' in page and "/cancel" not in page


def test_evaluation_progress_and_eta_come_from_the_running_evaluation(released):
    from datetime import timedelta

    from django.utils import timezone

    from evaluation.models import EvaluationRun

    customer, first = released
    # The real run recorded every timed phase as it went; a finished run has each at 1.0.
    done = first.evaluation_runs.get(status="completed")
    assert done.progress["phases"] == {name: 1.0 for name in done.report["timings"] if name != "total"}

    job = job_with_data(capitals_examples(12), customer=customer)
    with transaction.atomic():
        job = tuning_services.job_provider_accept(job=job, actor=provider_of(job))
        tuning_services.job_review_decided(job=job, approved=True, reason="Fine.")
    job = tuning_services.job_claim(job_id=job.pk, worker="test-worker")
    assert selectors.evaluation_progress(job) is None  # training, not evaluating
    job.status = "evaluating"
    job.save(update_fields=["status"])
    run = EvaluationRun.objects.create(job=job, attempt=job.attempt, base_model=job.model, progress={
        "phases": {"target_nll": 1.0, "target_generation": 1.0, "core": 0.5}, "phase": "core"})
    EvaluationRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(seconds=60))
    job = FineTuningJob.objects.get(pk=job.pk)

    progress = selectors.evaluation_progress(job)
    w = selectors.PHASE_WEIGHTS
    share = (w["target_nll"] + w["target_generation"] + w["core"] / 2) / (
        w["target_nll"] + w["target_generation"] + w["core"] + w["safety_loglikelihood"] + w["safety_generation"])
    assert progress["current"] == "core" and progress["done"] == 1 and progress["total"] == 3
    assert progress["percent"] == round(100 * share, 1)
    assert progress["eta_seconds"] == pytest.approx(60 * (1 - share) / share, abs=1.5)
    html = web(customer).get(f"/jobs/{job.public_id}/").content.decode()
    assert f"Evaluating base and tuned model: {progress['percent']}%, suite 2 of 3 (core)" in html
    assert re.search(r"About <strong>\d+ min \d+ s</strong> left", html)
    api_job = web(customer).get(f"/v1/fine_tuning/jobs/{job.public_id}").json()
    assert api_job["evaluation"]["progress"]["phase"] == "core"
    assert api_job["evaluation"]["progress"]["percent"] == progress["percent"]


@pytest.mark.embedded
@pytest.mark.django_db
def test_an_evaluation_whose_message_was_lost_is_queued_again_once(django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from evaluation import services as evaluation_services
    from evaluation.models import EvaluationRun
    from tuning.models import JobStatus

    job = job_with_data(capitals_examples(12))
    with transaction.atomic():
        job = tuning_services.job_provider_accept(job=job, actor=provider_of(job))
        tuning_services.job_review_decided(job=job, approved=True, reason="Fine.")
    job = tuning_services.job_claim(job_id=job.pk, worker="test-worker")
    job = tuning_services.job_transition(job=job, to=JobStatus.EVALUATING, message="Training finished; evaluating.")
    assert evaluation_services.evaluation_resend_lost() == []  # just entered evaluating

    later = timezone.now() + timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert evaluation_services.evaluation_resend_lost(now=later) == [job.public_id]
    assert len(sent) == 1  # the evaluation task, sent on commit
    assert job.events.filter(type="evaluation_resent").count() == 1
    # Not again while the re-sent message is fresh (it was sent at `later`), nor once a run exists for the attempt.
    job.events.filter(type="evaluation_resent").update(created_at=later)
    assert evaluation_services.evaluation_resend_lost(now=later + timedelta(minutes=5)) == []
    assert evaluation_services.evaluation_resend_lost(now=later + timedelta(minutes=16)) == [job.public_id]
    EvaluationRun.objects.create(job=job, attempt=job.attempt, base_model=job.model)
    assert evaluation_services.evaluation_resend_lost(now=later + timedelta(hours=1)) == []
