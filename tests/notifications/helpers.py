from django.core import mail

from accounts.models import Membership, Role, User
from tests.factories import PASSWORD


def mails_to(user) -> list:
    return [m for m in mail.outbox if user.email in m.to]


def kinds_sent() -> list[str]:
    from notifications.models import Notification

    return sorted(Notification.objects.filter(sent_at__isnull=False).values_list("kind", flat=True))


def add_member(organization, *, role: str, email: str) -> User:
    """A second person in an organisation (the product has no invitation flow yet; the row is what one writes)."""
    user = User.objects.create_user(email=email, password=PASSWORD, name="Colleague")
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def provider_user(listing) -> User:
    return Membership.objects.get(organization=listing.provider, role=Role.PROVIDER).user
