"""The training pipeline in-process (eager Celery): claims, fencing, heartbeats, the reaper, retries."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tuning.factories import approve, make_job
from tuning import pipeline, selectors, services
from tuning.models import FineTuningJob, JobCheckpoint, JobEvent, JobStatus


def _queued(customer, listing):
    """A queued job whose training message is not sent (no on-commit callbacks run here)."""
    return approve(make_job(customer=customer, listing=listing))


@pytest.mark.embedded
@pytest.mark.django_db
def test_review_approval_trains_the_job_to_evaluating_with_checkpoints_and_an_adapter(trained_job):
    job = trained_job
    assert job.attempt == 1
    assert job.trained_tokens and job.trained_tokens > 0
    assert job.progress_step == job.progress_total_steps > 0
    steps = list(JobCheckpoint.objects.filter(job=job).values_list("step_number", flat=True))
    assert job.progress_total_steps in steps
    adapter = selectors.job_artifact_path(job)
    assert (adapter / "adapter_model.safetensors").is_file()
    assert str(adapter).startswith(str(selectors.job_workdir(job).parent))
    moves = list(job.events.filter(type="status").order_by("created_at", "id").values_list("to_status", flat=True))
    assert moves == ["pending_provider", "pending_review", "queued", "running", "evaluating"]
    assert job.events.filter(type="metrics").exists()


def test_only_one_of_two_claims_wins(customer, listing):
    job = _queued(customer, listing)
    first = services.job_claim(job_id=job.pk, worker="host-a:1")
    second = services.job_claim(job_id=job.pk, worker="host-b:2")
    assert first is not None and first.status == JobStatus.RUNNING and first.attempt == 1
    assert second is None
    job.refresh_from_db()
    assert (job.lease_owner, job.attempt) == ("host-a:1", 1)


def test_a_message_for_a_job_that_is_not_claimable_returns_at_once(customer, listing):
    job = make_job(customer=customer, listing=listing)  # pending_provider: not queued
    assert pipeline.job_run(job_id=job.pk, worker="w:1") == "not_claimable"
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING_PROVIDER and job.attempt == 0


def test_a_stale_worker_writes_nothing_after_its_lease_is_taken_over(customer, listing):
    job = _queued(customer, listing)
    services.job_claim(job_id=job.pk, worker="old:1")
    FineTuningJob.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    taken = services.job_claim(job_id=job.pk, worker="new:2")
    assert taken.attempt == 2 and taken.status == JobStatus.RUNNING
    assert services.job_heartbeat(job_id=job.pk, attempt=1) is False
    assert services.job_record_progress(
        job_id=job.pk, attempt=1, step=5, total_steps=9, metrics={"train_loss": 1.0}, eta_seconds=3.0
    ) is False
    assert services.job_record_checkpoint(job_id=job.pk, attempt=1, step=5, storage_name="x", metrics={}) is None
    assert services.job_training_failed(
        job_id=job.pk, attempt=1, error={"code": "x", "message": "boom", "param": None}, retryable=False
    ) is None
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.progress_step == 0 and not job.checkpoints.exists()
    assert services.job_heartbeat(job_id=job.pk, attempt=2) is True
    assert job.events.filter(message__contains="lease expired").exists()


def test_the_reaper_requeues_an_expired_lease_then_fails_the_job_at_the_attempt_limit(customer, listing, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    job = _queued(customer, listing)
    past = timezone.now() - timedelta(seconds=1)
    services.job_claim(job_id=job.pk, worker="w:1")
    FineTuningJob.objects.filter(pk=job.pk).update(lease_expires_at=past)
    assert services.job_reap_expired_leases()["requeued"] == [job.public_id]
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.lease_owner == ""
    assert job.events.filter(to_status="queued", message__contains="stopped heartbeating").exists()

    services.job_claim(job_id=job.pk, worker="w:2")
    FineTuningJob.objects.filter(pk=job.pk).update(lease_expires_at=past)
    assert services.job_reap_expired_leases()["failed"] == [job.public_id]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "max_attempts_exceeded" and "2 times" in job.error["message"]
    # A live lease is left alone.
    assert services.job_reap_expired_leases() == {"requeued": [], "failed": []}


def test_a_job_that_always_crashes_fails_after_the_attempt_limit(customer, listing, settings, django_capture_on_commit_callbacks):
    settings.TUNEMARKET_FAULT_CRASH_AT_STEP = 1
    settings.TUNEMARKET_FAULT_CRASH_MODE = "raise"
    job = make_job(customer=customer, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        approve(job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.attempt == 3
    assert job.error["code"] == "training_crashed"
    assert "failed 3 times (the limit is 3)" in job.error["message"] and "injected crash" in job.error["message"]
    assert job.events.filter(message__contains="Retrying").count() == 2
    # Each retry resumed from the checkpoint its predecessor left (one step further every time).
    resumed = sorted(e.data["resumed_from_step"] for e in job.events.filter(message__contains="resumed from step"))
    assert resumed == [1, 2]


def test_a_resumed_attempt_starts_from_the_last_checkpoint(customer, listing, settings, django_capture_on_commit_callbacks):
    settings.TUNEMARKET_CHECKPOINT_EVERY_STEPS = 1
    job = make_job(customer=customer, listing=listing, hyperparameters={"n_epochs": 2, "batch_size": 4})
    approve(job)
    # Attempt 1 crashes at step 2 (after its checkpoint at step 2); attempt 2 must resume there.
    settings.TUNEMARKET_FAULT_CRASH_AT_STEP = 2
    with django_capture_on_commit_callbacks(execute=True):
        assert pipeline.job_run(job_id=job.pk, worker="w:1") == "crashed"
        settings.TUNEMARKET_FAULT_CRASH_AT_STEP = 0
    job.refresh_from_db()
    assert job.status == JobStatus.EVALUATING and job.attempt == 2
    resumed = job.events.get(message__contains="resumed from step")
    assert resumed.data["resumed_from_step"] == 2
    assert sorted(job.checkpoints.values_list("step_number", flat=True)) == list(range(1, job.progress_total_steps + 1))


def test_cancelling_a_queued_job_means_no_worker_trains_it(customer, listing):
    job = _queued(customer, listing)
    services.job_cancel(job=job, actor=customer)
    assert pipeline.job_run(job_id=job.pk, worker="w:1") == "not_claimable"
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.attempt == 0


def test_every_status_change_has_an_event_and_illegal_moves_raise(customer, listing):
    from core.errors import IllegalTransition

    job = make_job(customer=customer, listing=listing)
    with pytest.raises(IllegalTransition):
        services.job_transition(job=job, to=JobStatus.RUNNING)
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING_PROVIDER
    assert JobEvent.objects.filter(job=job, type="status").count() == 1


@pytest.mark.embedded
def test_a_queued_job_whose_message_was_lost_gets_it_again_and_a_duplicate_is_harmless(
        customer, listing, django_capture_on_commit_callbacks):
    job = _queued(customer, listing)
    job.refresh_from_db()
    assert job.enqueued_at is not None
    assert services.job_resend_unclaimed() == []  # just sent: left alone

    # The broker lost the message: 16 minutes later nobody has claimed the job.
    later = timezone.now() + timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.job_resend_unclaimed(now=later) == [job.public_id]
    assert len(sent) == 1  # one training message, sent on commit
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.enqueued_at == later
    assert job.events.filter(level="warn", message__contains="sent again").count() == 1
    assert services.job_resend_unclaimed(now=later) == []  # the new message is fresh

    # Two messages for one job: the first claims it, the second finds nothing to claim.
    assert services.job_claim(job_id=job.pk, worker="w:1") is not None
    assert services.job_claim(job_id=job.pk, worker="w:2") is None
    assert services.job_resend_unclaimed(now=later + timedelta(hours=1)) == []  # running jobs are the reaper's


def test_a_job_whose_screening_message_was_lost_is_screened_again_once(
        customer, listing, django_capture_on_commit_callbacks):
    """bench/load_fault: a worker SIGKILLed while it held a job's screening message left the job in
    pending_review (Redis gives the message back only after its visibility timeout, hours later)."""
    from evaluation.models import RequestReview

    job = make_job(customer=customer, listing=listing)
    provider_user = job.provider.memberships.first().user
    # The provider accepts; the screening message it queues on commit is lost (never executed).
    with django_capture_on_commit_callbacks(execute=False) as lost:
        job = services.job_provider_accept(job=job, actor=provider_user)
    # what is lost is the screening message (the provider-answered mail is queued on commit too)
    screenings = [c for c in lost if getattr(getattr(c, "func", None), "__self__", None) is not None
                  and getattr(c.func.__self__, "name", "") == "evaluation.tasks.review_screen_task"]
    assert len(screenings) == 1 and job.status == JobStatus.PENDING_REVIEW
    assert services.job_resend_unscreened() == []  # just accepted: the screening may still be on its way

    later = timezone.now() + timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.job_resend_unscreened(now=later) == [job.public_id]
    assert RequestReview.objects.filter(job=job).count() == 1  # the re-sent screening ran
    job.refresh_from_db()
    assert job.events.filter(type="screening_resent").count() == 1
    assert services.job_resend_unscreened(now=later + timedelta(hours=1)) == []  # reviewed: never again
