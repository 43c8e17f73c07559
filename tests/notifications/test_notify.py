"""notify() itself: the hook other apps call (specialist_licensed is the next one), and its refusals."""
import pytest
from django.core import mail

from notifications.models import Notification
from notifications.services import notify
from tests.factories import make_user
from tests.notifications.helpers import mails_to, provider_user
from tests.tuning.factories import make_listing

pytestmark = pytest.mark.django_db

CONTEXT = {"customer": "Clinic Co", "model": "spec_abc", "url": "http://127.0.0.1:8000/dashboard/provider/"}


def test_the_specialist_licence_hook_mails_the_providers_members_once(django_capture_on_commit_callbacks):
    listing, other = make_listing(), make_listing()
    licence = listing  # any row with a public_id names the event; the licence service passes its licence
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify("specialist_licensed", obj=licence, organization=listing.provider, context=CONTEXT)
    assert [m.subject for m in mails_to(provider_user(listing))] == ["Tunemarket: Clinic Co licensed spec_abc"]
    assert mails_to(provider_user(other)) == [] and len(mail.outbox) == 1


def test_notify_refuses_a_wrong_organisation_an_unknown_kind_or_missing_words_and_writes_nothing():
    listing, customer = make_listing(), make_user(role="customer")
    with pytest.raises(ValueError, match="provider"):
        notify("specialist_licensed", obj=listing, organization=customer.organization, context=CONTEXT)
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify("no_such_kind", obj=listing, organization=listing.provider, context=CONTEXT)
    with pytest.raises(KeyError):
        notify("specialist_licensed", obj=listing, organization=listing.provider, context={"customer": "X"})
    assert not Notification.objects.exists() and mail.outbox == []
