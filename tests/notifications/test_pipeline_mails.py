"""Mails along the pipeline: the review's outcome (customer-facing reasons only), training finished,
the gate's verdict, a ready delivery, an accepted delivery and a captured payment."""
import pytest
from django.core import mail

from evaluation import services as evaluation
from evaluation.models import RequestReview
from notifications.models import Notification, NotificationPreference
from payments import services as payments
from tests.evaluation.factories import make_reviewer
from tests.evaluation.test_gate import _report
from tests.evaluation.test_release_review import STRADDLING, _settle
from tests.notifications.helpers import add_member, mails_to, provider_user
from tests.tuning.factories import licensed_customer, make_job, make_listing
from tuning import services
from tuning.models import FineTuningJob

pytestmark = pytest.mark.django_db

MATCHED = "step 3: pack the pipe with"


def test_a_rejection_in_review_tells_the_customer_why_without_the_matched_text(django_capture_on_commit_callbacks):
    customer, listing = licensed_customer(), make_listing()
    job = services.job_provider_accept(job=make_job(customer=customer, listing=listing), actor=provider_user(listing))
    # What screening writes when it refers a request to reviewers (the screen itself is tested in tests/tuning).
    review = RequestReview.objects.create(
        job=job, outcome="needs_human_review", status="pending", approvals_required=1, policy_version="test",
        reasons=[{"category": "weapons", "outcome": "needs_human_review", "source": "example", "detector": "rule",
                  "explanation": f"matched {MATCHED!r}", "matched": MATCHED}],
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation.review_reject(review=review, actor=make_reviewer(), reason="The data teaches weapon-making.")
    assert [m.to for m in mail.outbox] == [[customer.email]]
    body = mail.outbox[0].body
    assert "rejected" in mail.outbox[0].subject
    assert "The reviewer: The data teaches weapon-making." in body
    assert "the training data falls under this policy category" in body
    assert MATCHED not in body and "matched" not in body


def test_training_and_a_passing_gate_mail_the_customer_once_each(trained_job, django_capture_on_commit_callbacks):
    customer = trained_job.created_by
    provider = provider_user(trained_job.listing)
    # approve() in the fixture ran the review's decision and training, each mailed after its commit.
    assert [m.subject for m in mails_to(customer)] == [
        f"Tunemarket: {trained_job.provider.name} accepted job {trained_job.public_id}",
        f"Tunemarket: your request {trained_job.public_id} was approved in review",
        f"Tunemarket: training finished for {trained_job.public_id}",
    ]
    assert "trained tokens" in mails_to(customer)[2].body
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        run = _settle(trained_job, _report(safety__generated_refusal_rate__no_system_prompt=STRADDLING))
        assert mail.outbox == []
    assert [m.subject for m in mail.outbox] == [
        f"Tunemarket: the release gate's verdict for {trained_job.public_id}: sent to human review"]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        evaluation.release_review_approve(run=run, actor=make_reviewer(), reason="Read every answer: all refuse.")
    job = FineTuningJob.objects.get(pk=trained_job.pk)
    assert job.status == "succeeded"
    assert sorted(m.subject for m in mails_to(customer)) == sorted([
        f"Tunemarket: the release gate's verdict for {job.public_id}: passed",
        f"Tunemarket: your model from {job.public_id} is ready",
    ])
    assert f"/jobs/{job.public_id}/evaluation" in mail.outbox[0].body or f"/jobs/{job.public_id}/evaluation" in mail.outbox[1].body
    assert mails_to(provider) == []

    # The provider hears of the accepted delivery, once, however often the customer clicks.
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.job_accept_delivery(job=job, actor=customer)
    assert [m.subject for m in mails_to(provider)] == [
        f"Tunemarket: {job.organization.name} accepted delivery of {job.public_id}"]
    assert mails_to(customer) == []
    # A free listing has no payment to capture, so no capture mail.
    assert not Notification.objects.filter(kind="payment_captured").exists()

    # A suspension is a safety notice: the owner and the provider hear of it, even someone who tried
    # to turn it off (it is not a choice on the form), and each move is its own mail.
    NotificationPreference.objects.create(user=customer, kind="model_status", enabled=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.model_suspend(job=job, actor=make_reviewer(), reason="Reports of unsafe answers.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([customer.email, provider.email])
    assert all("is now suspended" in m.subject and "Reports of unsafe answers." in m.body for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.model_reinstate(job=job, actor=make_reviewer(), reason="Checked: false alarm.")
    assert len(mail.outbox) == 4 and sum("is now active" in m.subject for m in mail.outbox) == 2


def test_a_blocked_model_mails_the_verdict_with_its_reasons_and_no_delivery(trained_job,
                                                                           django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.job_evaluation_finished(job=trained_job, passed=False,
                                         reasons=["harmful compliance 40% is above the 10% floor"])
    customer = trained_job.created_by
    assert [m.subject for m in mail.outbox] == [
        f"Tunemarket: the release gate's verdict for {trained_job.public_id}: blocked"]
    assert mail.outbox[0].to == [customer.email]
    assert "- harmful compliance 40% is above the 10% floor" in mail.outbox[0].body
    assert not Notification.objects.filter(kind="delivery_ready").exists()


@pytest.mark.usefixtures("localstripe")
def test_a_captured_payment_mails_the_providers_members_once(django_capture_on_commit_callbacks):
    customer = licensed_customer()
    payments.billing_payment_method_set(organization=customer.organization, payment_method="pm_card_visa",
                                        actor=customer)
    listing = make_listing(price_amount=5000)
    owner = provider_user(listing)
    colleague = add_member(listing.provider, role="provider", email="provider-colleague@example.test")
    job = make_job(customer=customer, listing=listing)
    for step in ("pending_review", "queued", "running", "evaluating", "succeeded"):
        job = services.job_transition(job=job, to=step)
    mail.outbox.clear()
    for _ in range(2):  # a second capture (the auto-capture after an accept) changes nothing
        with django_capture_on_commit_callbacks(execute=True):
            payments.job_payment_capture(job=job)
    captured = [m for m in mail.outbox if "payment captured" in m.subject]
    assert sorted(m.to[0] for m in captured) == sorted([owner.email, colleague.email])
    assert "50.00 USD" in captured[0].body and "42.50 USD" in captured[0].body
    assert mails_to(customer) == []
