"""Real Celery workers on Redis and PostgreSQL training the tiny model, and the faults they survive.

Each test starts its own worker subprocess(es) (tests/tuning/workers.py). The database row is
the truth: the tests read it (and the checkpoints on storage) while the workers run.
"""
import os
import signal
from pathlib import Path

import pytest

from tests.tuning.factories import approve, chat_dataset, make_job
from tests.tuning.workers import Worker, requires_real_services, wait_for
from tuning import selectors, services
from tuning.models import FineTuningJob, JobStatus, TrainingArtifact

pytestmark = pytest.mark.django_db(transaction=True)
DONE = (JobStatus.EVALUATING, JobStatus.SUCCEEDED, JobStatus.BLOCKED, JobStatus.FAILED, JobStatus.CANCELLED)


@pytest.fixture
def broker(settings):
    """The test process publishes to the real broker (test settings run tasks eagerly otherwise;
    Celery reads this setting through Django's settings on every call)."""
    requires_real_services()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery import app

    assert app.conf.task_always_eager is False
    yield app


@pytest.fixture
def workers(tmp_path, broker):
    started: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(tmp_path, **kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def job_row(job) -> FineTuningJob:
    return FineTuningJob.objects.get(pk=job.pk)


def finished(job):
    row = job_row(job)
    return row if row.status in DONE else None


def disk_checkpoint_steps(job) -> list[int]:
    root = selectors.job_workdir(job) / "checkpoints"
    if not root.is_dir():
        return []
    return sorted(int(p.name.split("-")[1]) for p in root.iterdir() if p.name.startswith("step-") and (p / "state.json").is_file())


def worker_pid(row: FineTuningJob) -> int:
    return int(row.lease_owner.rsplit(":", 1)[1])


def status_moves(job) -> list[str]:
    return list(job.events.filter(type="status").order_by("created_at", "id").values_list("to_status", flat=True))


def queued_job(customer, listing, **kwargs):
    return approve(make_job(customer=customer, listing=listing, **kwargs))


def test_a_real_worker_trains_a_job_to_evaluating_and_honours_a_cancel_within_a_step(customer, listing, workers):
    worker = workers(env={"TM_TEST_STEP_DELAY_SECONDS": "0.3"})
    job = queued_job(customer, listing, hyperparameters={"n_epochs": 1, "batch_size": 4})
    row = wait_for(lambda: finished(job), timeout=120, worker=worker, what="training to finish")
    assert row.status == JobStatus.EVALUATING, worker.tail()
    assert row.attempt == 1 and row.trained_tokens > 0
    assert status_moves(job)[-3:] == ["queued", "running", "evaluating"]
    assert row.events.filter(type="metrics").exists() and row.events.filter(message__startswith="Training finished").count() == 1
    assert list(row.checkpoints.values_list("step_number", flat=True))[0] == row.progress_total_steps
    assert (selectors.job_artifact_path(row) / "adapter_model.safetensors").is_file()

    slow = queued_job(customer, listing, hyperparameters={"n_epochs": 3, "batch_size": 1})
    running = wait_for(lambda: (r := job_row(slow)).progress_step >= 2 and r, timeout=60, worker=worker, what="step 2")
    services.job_cancel(job=running, actor=customer)
    at_cancel = job_row(slow).progress_step
    stopped = wait_for(lambda: slow.events.filter(message__contains="because the job was cancelled").first(),
                       timeout=30, worker=worker, what="the worker to stop")
    assert stopped.data["step"] <= at_cancel + 1 < job_row(slow).progress_total_steps
    row = job_row(slow)
    assert row.status == JobStatus.CANCELLED and not TrainingArtifact.objects.filter(job=row).exists()


@pytest.mark.slow
def test_sigkilled_worker_children_resume_each_job_from_its_last_checkpoint_and_finish_once(customer, listing, workers):
    worker = workers(env={"TM_TEST_STEP_DELAY_SECONDS": "0.3"})
    jobs = [queued_job(customer, listing, content=chat_dataset(12, start=100 * i),
                       hyperparameters={"n_epochs": 2, "batch_size": 2}) for i in range(2)]
    resume_expected: dict[int, int] = {}

    def kill_one_in_training():
        for job in jobs:
            row = job_row(job)
            if job.pk in resume_expected or row.status != JobStatus.RUNNING or row.progress_step < 3:
                continue
            if not row.checkpoints.exists():
                continue
            os.kill(worker_pid(row), signal.SIGKILL)
            wait_for(lambda: not Path(f"/proc/{worker_pid(row)}").exists(), timeout=10, what="the child to die")
            resume_expected[job.pk] = max(disk_checkpoint_steps(job))
            return True
        return all(job_row(j).status in DONE for j in jobs)

    while len(resume_expected) < len(jobs):
        wait_for(kill_one_in_training, timeout=120, worker=worker, what="a job to kill mid-training")
        if all(job_row(j).status in DONE for j in jobs):
            break
    assert len(resume_expected) == len(jobs), "every job was killed once"
    for job in jobs:
        row = wait_for(lambda job=job: finished(job), timeout=120, worker=worker, what="the resumed job")
        assert row.status == JobStatus.EVALUATING, worker.tail()
        assert row.attempt == 2
        resumed = row.events.get(message__contains="resumed from step")
        assert resumed.data["resumed_from_step"] == resume_expected[job.pk] > 0
        # Taken over once: by the reaper, or by the redelivered message once the lease had expired.
        assert row.events.filter(message__contains="lease expired").count() == 1
        assert row.events.filter(message__startswith="Training finished").count() == 1
        assert status_moves(job).count("evaluating") == 1
        assert row.progress_step == row.progress_total_steps


@pytest.mark.slow
def test_a_whole_worker_killed_and_restarted_completes_the_job(customer, listing, workers):
    first = workers(env={"TM_TEST_STEP_DELAY_SECONDS": "0.3"})
    job = queued_job(customer, listing, hyperparameters={"n_epochs": 2, "batch_size": 2})
    wait_for(lambda: job_row(job).checkpoints.exists() and job_row(job).progress_step >= 3, timeout=120,
             worker=first, what="a checkpoint")
    first.kill_all()
    killed_at = max(disk_checkpoint_steps(job))
    assert job_row(job).status == JobStatus.RUNNING
    second = workers()
    row = wait_for(lambda: finished(job), timeout=120, worker=second, what="the restarted worker to finish")
    assert row.status == JobStatus.EVALUATING, second.tail()
    assert row.attempt == 2
    assert row.events.get(message__contains="resumed from step").data["resumed_from_step"] == killed_at
    assert row.events.filter(message__startswith="Training finished").count() == 1


@pytest.mark.slow
def test_a_job_whose_worker_always_dies_fails_after_the_attempt_limit(customer, listing, workers):
    worker = workers(env={"TM_TEST_CRASH_AT_STEP": "1", "TM_TEST_CRASH_MODE": "exit", "TM_TEST_MAX_ATTEMPTS": "2",
                          "TM_TEST_LEASE_SECONDS": "3"})
    job = queued_job(customer, listing)
    row = wait_for(lambda: finished(job), timeout=150, worker=worker, what="the job to fail")
    assert row.status == JobStatus.FAILED, worker.tail()
    assert row.attempt == 2
    assert row.error["code"] == "max_attempts_exceeded"
    assert "stopped responding 2 times (the limit is 2)" in row.error["message"]
    # Attempt 1 was taken over once (by the reaper or by the redelivered message); the reaper failed attempt 2.
    assert row.events.filter(message__contains="lease expired").count() == 1
    assert "evaluating" not in status_moves(job)


@pytest.mark.slow
def test_a_message_delivered_twice_trains_once(customer, listing, workers):
    from tuning.tasks import job_run_task

    worker = workers(concurrency=2)
    job = approve(make_job(customer=customer, listing=listing))  # sends the first message on commit
    job_run_task.apply_async(kwargs={"job_id": job.pk}, queue="training")  # and a duplicate
    row = wait_for(lambda: finished(job), timeout=120, worker=worker, what="training to finish")
    assert row.status == JobStatus.EVALUATING, worker.tail()
    assert row.attempt == 1, worker.tail(20000)
    assert row.events.filter(to_status="running").count() == 1
    assert row.events.filter(message__startswith="Training finished").count() == 1
    wait_for(lambda: worker.text().count("'not_claimable'") >= 1, timeout=30, worker=worker,
             what="the duplicate message to be answered")
    assert worker.text().count("'finished'") == 1
