"""core.states: one primitive moves every stateful entity, checks the move, and records it."""
import pytest

from accounts import services as acc
from accounts.models import Organization, VerificationStatus
from core.errors import IllegalTransition
from core.models import StateChange
from payments import services as payments
from payments.models import JobPayment
from tests.factories import make_admin, make_user
from tests.payments.factories import make_license
from tests.tuning.factories import make_job, make_listing
from tuning import services as tuning_services
from tuning.models import DatasetFile, FileStatus, FineTuningJob, JobStatus

pytestmark = pytest.mark.django_db


def _moves(obj) -> list[tuple[str, str]]:
    return [(c.from_state, c.to_state) for c in StateChange.history(obj)]


def test_an_illegal_move_raises_and_changes_nothing():
    job = make_job()
    before = StateChange.history(job).count()
    with pytest.raises(IllegalTransition):
        tuning_services.job_transition(job=job, to=JobStatus.SUCCEEDED, message="skipping training")
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING_PROVIDER
    assert StateChange.history(job).count() == before


def test_a_job_file_and_listing_record_every_move_with_who_and_why():
    listing = make_listing(price_amount=0)
    assert _moves(listing) == [("draft", "published")]
    job = make_job(listing=listing)
    training = DatasetFile.objects.get(pk=job.training_file_id)
    assert training.status == FileStatus.PROCESSED
    assert _moves(training) == [("uploaded", "processed")]
    provider = listing.created_by
    tuning_services.job_provider_decline(job=job, actor=provider, reason="Outside my expertise")
    changes = list(StateChange.history(job))
    assert [(c.from_state, c.to_state) for c in changes] == [
        ("validating_files", "pending_provider"), ("pending_provider", "rejected")]
    assert changes[-1].actor == provider and "Outside my expertise" in changes[-1].reason
    assert changes[-1].entity == "tuning.finetuningjob" and changes[-1].public_id == job.public_id


def test_provider_application_and_organisation_verification_move_through_the_primitive():
    from tests.factories import make_provider

    provider = make_provider(approved=True)
    app = provider.organization.provider_application
    assert _moves(app) == [("submitted", "approved")]

    customer = make_user(role="customer")
    ver = acc.organization_verification_submit(user=customer, category="premium", evidence="Company no. 42")
    admin = make_admin()
    acc.organization_verification_decide(verification=ver, to=VerificationStatus.VERIFIED, actor=admin, reason="ok")
    org = Organization.objects.get(pk=customer.organization.pk)
    assert org.verification_status == VerificationStatus.VERIFIED
    assert _moves(org) == [("unverified", "submitted"), ("submitted", "verified")]
    assert StateChange.history(org).last().actor == admin
    assert _moves(ver) == [("submitted", "verified")]


@pytest.mark.stripe
def test_a_job_payment_moves_are_recorded(localstripe):
    from tests.payments.factories import make_verified_customer

    customer = make_verified_customer()
    make_license(organization=customer.organization)
    payments.billing_payment_method_set(organization=customer.organization, payment_method="pm_card_visa",
                                        actor=customer)
    job = make_job(customer=customer, listing=make_listing(price_amount=4200))
    payment = JobPayment.objects.get(job=job)
    tuning_services.job_cancel(job=job, actor=customer, reason="changed my mind")
    payment.refresh_from_db()
    assert payment.status == "released"
    assert _moves(payment) == [("authorized", "released")]


def test_the_history_is_read_only_in_the_admin(client):
    admin = make_admin()
    job = make_job()
    change = StateChange.history(job).first()
    client.force_login(admin)
    assert client.get("/admin/core/statechange/").status_code == 200
    assert client.get(f"/admin/core/statechange/{change.pk}/change/").status_code == 200
    assert client.post(f"/admin/core/statechange/{change.pk}/change/", {"to_state": "succeeded"}).status_code == 403
    assert client.post(f"/admin/core/statechange/{change.pk}/delete/", {"post": "yes"}).status_code == 403
    assert StateChange.objects.get(pk=change.pk).to_state == change.to_state
    assert FineTuningJob.objects.get(pk=job.pk).status == JobStatus.PENDING_PROVIDER
