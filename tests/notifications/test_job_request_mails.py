"""Mails about a request: sent after the commit, once per event, to the right organisation's members
only, and only to those who want them."""
import socket

import pytest
from django.core import mail
from django.db import transaction

from notifications import services as notifications
from notifications.models import Notification, NotificationPreference
from notifications.tasks import notification_send_task
from tests.factories import make_user
from tests.notifications.helpers import add_member, mails_to, provider_user
from tests.tuning.factories import licensed_customer, make_job, make_listing
from tuning import services

pytestmark = pytest.mark.django_db


def test_a_new_request_mails_the_provider_after_the_commit_and_no_one_else(django_capture_on_commit_callbacks):
    customer = licensed_customer()
    listing, elsewhere = make_listing(), make_listing()
    with django_capture_on_commit_callbacks(execute=True):
        job = make_job(customer=customer, listing=listing)
        assert mail.outbox == []  # written in the transaction, not sent yet
        row = Notification.objects.get(kind="new_request")
        assert row.sent_at is None and row.email == provider_user(listing).email
    assert [m.to for m in mail.outbox] == [[provider_user(listing).email]]
    sent = mail.outbox[0]
    assert job.public_id in sent.subject and listing.title in sent.subject
    assert "Answer our customers' password questions politely." in sent.body
    assert f"/dashboard/provider/jobs/{job.public_id}/" in sent.body
    assert mails_to(customer) == [] and mails_to(provider_user(elsewhere)) == []
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1


def test_a_request_that_rolls_back_mails_nobody(django_capture_on_commit_callbacks):
    customer, listing = licensed_customer(), make_listing()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            make_job(customer=customer, listing=listing)
            assert Notification.objects.count() == 1
            raise RuntimeError("the caller's transaction fails after notify")
    assert mail.outbox == [] and not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_mail_waits_for_a_real_commit():
    customer, listing = licensed_customer(), make_listing()
    with transaction.atomic():
        make_job(customer=customer, listing=listing)
        assert mail.outbox == []
    assert len(mails_to(provider_user(listing))) == 1


def test_the_provider_answer_mails_the_customers_members_once(django_capture_on_commit_callbacks):
    customer = licensed_customer()
    colleague = add_member(customer.organization, role="customer", email="colleague@example.test")
    stranger = licensed_customer()
    listing = make_listing()
    job = make_job(customer=customer, listing=listing)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.job_provider_decline(job=job, actor=provider_user(listing), reason="We do not tune for this domain.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([customer.email, colleague.email])
    assert "declined" in mail.outbox[0].subject and "We do not tune for this domain." in mail.outbox[0].body
    assert mails_to(stranger) == [] and mails_to(provider_user(listing)) == []

    # The same event reported again (a replayed caller) and the send task retried: nothing more is sent.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.notices.job_notify("provider_answered", job=job, answer="declined", detail="replayed")
    assert again == []
    answered = list(Notification.objects.filter(kind="provider_answered").values_list("pk", flat=True))
    assert notification_send_task.delay(notification_ids=answered).get() == 0
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(kind="provider_answered").count() == 2


def test_accepting_mails_the_customer(django_capture_on_commit_callbacks):
    customer, listing = licensed_customer(), make_listing()
    job = make_job(customer=customer, listing=listing)
    mail.outbox.clear()
    with transaction.atomic(), django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.job_provider_accept(job=job, actor=provider_user(listing))
    # Run only our send (the screening task queued beside it needs the embeddings model).
    for callback in callbacks:
        if getattr(callback, "__qualname__", "").startswith("notify"):
            callback()
    assert [m.to for m in mail.outbox] == [[customer.email]]
    assert "accepted" in mail.outbox[0].subject and "safety review" in mail.outbox[0].body


def test_a_user_who_turns_a_mail_off_on_the_dashboard_does_not_get_it(client, django_capture_on_commit_callbacks):
    customer = licensed_customer()
    colleague = add_member(customer.organization, role="customer", email="colleague2@example.test")
    listing = make_listing()
    client.force_login(customer)
    page = client.get("/dashboard/customer/")
    assert page.status_code == 200
    assert b'id="mail-provider_answered" name="kinds" value="provider_answered" checked' in page.content
    kept = [k for k in notifications.notification_kinds_for_user(customer) if k != "provider_answered"]
    response = client.post("/dashboard/notifications", {"kinds": kept})
    assert response.status_code == 302
    assert b'value="provider_answered" checked' not in client.get("/dashboard/customer/").content

    job = make_job(customer=customer, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_provider_decline(job=job, actor=provider_user(listing), reason="Fully booked.")
    assert mails_to(customer) == []
    assert len(mails_to(colleague)) == 1  # the choice is the user's own, not the organisation's


def test_an_unknown_kind_on_the_form_is_refused_and_changes_nothing(client):
    customer = licensed_customer()
    client.force_login(customer)
    response = client.post("/dashboard/notifications", {"kinds": ["new_request"]}, follow=True)  # a provider's kind
    assert b"Unknown kind of notification: new_request" in response.content
    assert not NotificationPreference.objects.filter(user=customer).exists()
    provider = make_user(role="provider")
    for kind in ("gate_verdict", "model_status"):  # a customer's kind; a safety notice, which is no choice
        with pytest.raises(notifications.DomainError):
            notifications.notification_preferences_set(user=provider, enabled=[kind])
    assert not NotificationPreference.objects.exists()


def test_the_provider_dashboard_shows_only_the_providers_mails(client):
    listing = make_listing()
    client.force_login(provider_user(listing))
    page = client.get("/dashboard/provider/").content.decode()
    assert 'value="new_request" checked' in page and 'value="payment_captured" checked' in page
    assert 'value="gate_verdict"' not in page


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_mail_that_cannot_be_sent_is_kept_and_sent_once_later(settings):
    customer, listing = licensed_customer(), make_listing()
    make_job(customer=customer, listing=listing)  # the `db` fixture never commits: the row waits unsent
    row = Notification.objects.get(kind="new_request")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    with pytest.raises(OSError):
        notifications.notification_send(notification_id=row.pk)
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1 and "Connection" in row.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.notifications_send_pending(older_than_seconds=0) == {"sent": 1, "failed": 0}
    assert notifications.notifications_send_pending(older_than_seconds=0) == {"sent": 0, "failed": 0}
    assert len(mails_to(provider_user(listing))) == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
