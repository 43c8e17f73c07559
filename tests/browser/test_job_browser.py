"""The customer watches a job on its page: the live panel updates itself (no reload) from queued through
training and evaluation to succeeded; then the evaluation report shows its charts and the chat box answers.

The tiny random-weights model trains and is evaluated for real, in a thread of the test process (eager
Celery), while chromium polls the live server.
"""
import base64
import threading

import pytest
from django.db import connection, transaction

from accounts.models import Membership
from tests.evaluation.conftest import TEST_SUITES
from tests.evaluation.factories import STRONG_HYPERPARAMETERS, capitals_examples, job_with_data, strong_listing
from tests.tuning.factories import licensed_customer
from tuning import services as tuning_services
from tuning.models import FineTuningJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tuning_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TUNEMARKET_EVALUATION_SUITES = dict(TEST_SUITES)
    settings.TUNEMARKET_CARD_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    settings.TUNEMARKET_FAULT_STEP_DELAY_SECONDS = 0.4  # slow training down enough to watch it run
    return settings


def _accept_and_train(job_pk: int, errors: list) -> None:
    """The provider accepts and the request is approved; training and evaluation run on commit (eager)."""
    try:
        job = FineTuningJob.objects.get(pk=job_pk)
        provider_user = Membership.objects.filter(organization=job.provider).first().user
        with transaction.atomic():
            job = tuning_services.job_provider_accept(job=job, actor=provider_user)
            tuning_services.job_review_decided(job=job, approved=True, reason="Geography tutoring: fine.")
    except Exception as exc:  # reported by the test thread
        errors.append(exc)
    finally:
        connection.close()


def test_job_page_updates_live_to_succeeded_then_report_charts_and_chat(live_server, page, shot, sign_in,
                                                                      tuning_settings):
    customer = licensed_customer()
    job = job_with_data(capitals_examples(24), customer=customer, listing=strong_listing(),
                        hyperparameters=STRONG_HYPERPARAMETERS, suffix="geo",
                        use_case="Answer our pupils' geography questions in one short sentence.")
    sign_in(page, live_server, customer.email)
    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    page.locator("#job-live[data-status=pending_provider]").wait_for()
    page.evaluate("window.__loadedOnce = true")  # survives only if the page is never reloaded
    shot(page, "job-pending")

    errors: list = []
    worker = threading.Thread(target=_accept_and_train, args=(job.pk, errors))
    worker.start()
    try:
        page.locator("#job-live[data-status=running]").wait_for(timeout=60000)
        page.get_by_text("Training: step").wait_for()
        shot(page, "job-running")
        page.locator("#job-live[data-status=succeeded]").wait_for(timeout=240000)
    finally:
        worker.join(timeout=300)
    assert not errors, errors
    assert page.evaluate("window.__loadedOnce") is True
    job.refresh_from_db()
    assert job.status == "succeeded" and job.fine_tuned_model
    live = page.locator("#job-live")
    assert live.get_attribute("data-terminal") == "1"
    assert job.fine_tuned_model in live.inner_text()
    assert live.locator("svg[role=img] title", has_text="Loss during training").count() == 1
    assert live.get_by_text("The model passed evaluation and is released").count() == 1
    assert live.locator(".stages li.done").count() == 7
    shot(page, "job-succeeded")

    page.get_by_role("link", name="Evaluation report").click()
    page.wait_for_url(f"**/jobs/{job.public_id}/evaluation")
    page.get_by_text("Passed: the tuned model is released.").wait_for()
    charts = page.locator("figure svg[role=img]")
    assert charts.count() >= 6
    titles = page.locator("figure svg[role=img] > title").evaluate_all("els => els.map(e => e.textContent.trim())")
    assert {"Base vs tuned", "Refusals of harmful prompts by category", "Core accuracy by category",
            "Loss during training"} <= set(titles)
    assert all(box["width"] > 200 for box in (c.bounding_box() for c in charts.all()))  # drawn, not collapsed
    shot(page, "evaluation-report")

    page.goto(f"{live_server.url}/jobs/{job.public_id}/")
    page.get_by_role("button", name="Accept delivery and pay").click()
    page.get_by_text("Delivery accepted").wait_for()
    page.get_by_role("link", name="Chat with the model").click()
    page.get_by_label("Your message").fill("What is the capital of Kenya?")
    page.get_by_label("Longest answer (tokens)").fill("6")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("article", name="Tuned model").wait_for()
    assert page.get_by_role("article", name="Base model").count() == 1
    shot(page, "chat")
    job.refresh_from_db()
    assert job.delivery_accepted_at is not None
