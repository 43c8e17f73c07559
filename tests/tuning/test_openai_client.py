"""The whole job API driven by the official `openai` client, through httpx's WSGI transport into
the Django app (no sockets; the real request path: middleware, authentication, views)."""
import httpx
import openai
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from openai import OpenAI

from tests.factories import api_key_for
from tests.tuning.factories import BASE, chat_dataset, licensed_customer, release
from tuning import selectors, services
from tuning.models import JobStatus


@pytest.fixture
def wsgi_app(db):
    # As Django's test client does: the request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def openai_client(app, user) -> OpenAI:
    transport = httpx.WSGITransport(app=app)
    return OpenAI(base_url="http://testserver/v1", api_key=api_key_for(user), max_retries=0,
                  http_client=httpx.Client(transport=transport, base_url="http://testserver/v1"))


def test_the_openai_client_drives_files_jobs_events_checkpoints_cancel_and_chat(
    wsgi_app, customer, listing, django_capture_on_commit_callbacks,
):
    client = openai_client(wsgi_app, customer)
    content = chat_dataset(12)

    uploaded = client.files.create(file=("support.jsonl", content), purpose="fine-tune")
    assert uploaded.id.startswith("file-") and uploaded.status == "processed" and uploaded.bytes == len(content)
    assert uploaded.filename == "support.jsonl"
    assert client.files.retrieve(uploaded.id).validation["stats"]["examples"] == 12
    assert client.files.content(uploaded.id).read() == content

    job = client.fine_tuning.jobs.create(
        model=BASE, training_file=uploaded.id, suffix="cx", seed=3,
        hyperparameters={"n_epochs": 2, "batch_size": 4},
        extra_body={"listing": listing.public_id, "use_case": "Answer password questions politely."},
    )
    assert job.id.startswith("ftjob-") and job.status == "pending_provider" and job.seed == 3
    assert job.hyperparameters.n_epochs == 2 and job.hyperparameters.batch_size == 4
    assert job.listing == listing.public_id and job.use_case == "Answer password questions politely."
    assert [j.id for j in client.fine_tuning.jobs.list(limit=5)] == [job.id]

    # The provider accepts; review approves; the (eager) worker trains the tiny model on commit.
    from accounts.models import Membership

    provider_user = Membership.objects.filter(organization=listing.provider).first().user
    with django_capture_on_commit_callbacks(execute=True):
        services.job_review_decided(job=services.job_provider_accept(job=selectors.job_get(
            user=customer, job_id=job.id), actor=provider_user), approved=True)

    trained = client.fine_tuning.jobs.retrieve(job.id)
    assert trained.status == "evaluating" and trained.trained_tokens > 0
    assert trained.progress["step"] == trained.progress["total_steps"] > 0

    events = client.fine_tuning.jobs.list_events(job.id, limit=100)
    messages = [e.message for e in events.data]
    assert all(e.object == "fine_tuning.job.event" for e in events.data)
    assert any(m.startswith("Training finished") for m in messages)
    assert any(e.type == "metrics" and "train_loss" in e.data for e in events.data)

    checkpoints = client.fine_tuning.jobs.checkpoints.list(job.id).data
    assert checkpoints and checkpoints[0].object == "fine_tuning.job.checkpoint"
    assert checkpoints[0].step_number == trained.progress["total_steps"]
    assert checkpoints[0].fine_tuning_job_id == job.id
    assert checkpoints[0].metrics.train_loss is not None and checkpoints[0].metrics.valid_loss is not None
    assert checkpoints[0].fine_tuned_model_checkpoint.endswith(f":ckpt-step-{checkpoints[0].step_number}")

    # Evaluation (the evaluation engineer's task in production) passes the model.
    release(selectors.job_get(user=customer, job_id=job.id))
    done = client.fine_tuning.jobs.retrieve(job.id)
    assert done.status == JobStatus.SUCCEEDED and done.fine_tuned_model.startswith(f"ft:{BASE}:")
    assert done.fine_tuned_model in [m.id for m in client.models.list()]

    reply = client.chat.completions.create(
        model=done.fine_tuned_model, messages=[{"role": "user", "content": "How do I reset my password?"}],
        max_tokens=5, temperature=0,
    )
    assert reply.object == "chat.completion" and reply.model == done.fine_tuned_model
    assert isinstance(reply.choices[0].message.content, str)
    assert 0 < reply.usage.completion_tokens <= 5

    second = client.fine_tuning.jobs.create(
        model=BASE, training_file=uploaded.id, extra_body={"listing": listing.public_id, "use_case": "Second try."},
    )
    cancelled = client.fine_tuning.jobs.cancel(second.id)
    assert cancelled.status == "cancelled"
    assert client.fine_tuning.jobs.retrieve(second.id).status == "cancelled"


def test_openai_client_errors_carry_the_error_shape(wsgi_app, customer, listing):
    client = openai_client(wsgi_app, customer)
    uploaded = client.files.create(file=("t.jsonl", chat_dataset(12)), purpose="fine-tune")
    with pytest.raises(openai.BadRequestError) as missing:
        client.fine_tuning.jobs.create(model=BASE, training_file=uploaded.id, extra_body={"listing": listing.public_id})
    assert missing.value.param == "use_case" or missing.value.body["param"] == "use_case"
    with pytest.raises(openai.BadRequestError) as bad_file:
        client.fine_tuning.jobs.create(
            model=BASE, training_file="file-nope", extra_body={"listing": listing.public_id, "use_case": "x"},
        )
    assert bad_file.value.body["param"] == "training_file"
    other = openai_client(wsgi_app, licensed_customer())
    job = client.fine_tuning.jobs.create(
        model=BASE, training_file=uploaded.id, extra_body={"listing": listing.public_id, "use_case": "Support."},
    )
    with pytest.raises(openai.NotFoundError):
        other.fine_tuning.jobs.retrieve(job.id)
    with pytest.raises(openai.NotFoundError):
        other.files.content(uploaded.id)
    with pytest.raises(openai.AuthenticationError):
        OpenAI(base_url="http://testserver/v1", api_key="tm_bad_key", max_retries=0,
               http_client=httpx.Client(transport=httpx.WSGITransport(app=wsgi_app))).models.list()
