"""Notifications: ``notify`` writes one outbox row per recipient inside the caller's transaction and
queues the send for after it commits; ``notification_send`` mails one row once.

The caller names the event (``kind`` plus the object it is about and, where the same object can have
the event more than once, a ``qualifier``); the event key built from them is unique per recipient, so a
second report of the same event writes nothing and sends nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, Role, User
from core.errors import DomainError

from .kinds import CUSTOMER, KINDS, PROVIDER, kinds_for
from .models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

# Who in an organisation hears about its events: its working members and its administrators.
AUDIENCE_ROLES = {PROVIDER: (Role.PROVIDER, Role.ADMIN), CUSTOMER: (Role.CUSTOMER, Role.ADMIN)}
# Sending is retried on these (SMTP errors are OSErrors); anything else is a bug and is raised.
MAIL_ERRORS = (OSError,)
MAX_ATTEMPTS = 8


def event_key(kind: str, *, obj, qualifier: str = "") -> str:
    ident = getattr(obj, "public_id", None) or f"{type(obj).__name__.lower()}:{obj.pk}"
    return ":".join(part for part in (kind, str(ident), str(qualifier)) if part)


def _recipients(*, organization: Organization, kind: str) -> list[User]:
    users = (User.objects.filter(memberships__organization=organization,
                                 memberships__role__in=AUDIENCE_ROLES[organization.kind], is_active=True)
             .exclude(email=""))
    if not KINDS[kind].required:
        users = users.exclude(pk__in=NotificationPreference.objects.filter(kind=kind, enabled=False).values("user_id"))
    return list(users.distinct().order_by("pk"))


def notify(kind: str, *, obj, organization: Organization, context: dict, qualifier: str = "",
           audience: str | None = None) -> list[Notification]:
    """Record the mails for one event and send them after the caller's transaction commits.

    Returns the rows written now (none when the event was already recorded, or everyone opted out).
    Call it at the one place the event happens, inside that place's transaction: if the transaction
    rolls back, no row remains and nothing is sent.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"Unknown notification kind {kind!r}; add it to notifications/kinds.py.")
    # ``audience`` is the role the organisation plays in this event: its kind, unless a provider orders
    # its own listing as its own customer (a specialist model's build), where it is told as the customer.
    if organization is None or (audience or organization.kind) not in spec.audiences:
        raise ValueError(f"{kind} is for {' or '.join(spec.audiences)} organisations, "
                         f"not {audience or getattr(organization, 'kind', None)!r}.")
    subject = spec.subject.format(**context)[:300]
    body = spec.body.format(**context)
    key = event_key(kind, obj=obj, qualifier=qualifier)
    written: list[Notification] = []
    with transaction.atomic():
        for user in _recipients(organization=organization, kind=kind):
            row, created = Notification.objects.get_or_create(
                event_key=key, recipient=user,
                defaults={"kind": kind, "email": user.email, "subject": subject, "body": body},
            )
            if created:
                written.append(row)
        if written:
            from .tasks import notification_send_task

            ids = [row.pk for row in written]
            # robust: a broker that is down must not fail the caller's committed work; the sweeper
            # (notifications_send_pending) sends what was not queued.
            transaction.on_commit(lambda: notification_send_task.delay(notification_ids=ids), robust=True)
    return written


def notification_send(*, notification_id: int) -> bool:
    """Mail one outbox row unless it was already sent; True when this call sent it.

    The row is locked while the mail goes out and ``sent_at`` is written in that same transaction, so
    two workers (or a retry) never both send it. A mail error is recorded on the row and raised again,
    for the task to retry.
    """
    error: Exception | None = None
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if row is None or row.sent_at is not None:
            return False
        row.attempts += 1
        try:
            EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.email]).send(fail_silently=False)
        except MAIL_ERRORS as exc:
            error = exc
            row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            row.save(update_fields=["attempts", "last_error"])
        else:
            row.sent_at = timezone.now()
            row.last_error = ""
            row.save(update_fields=["attempts", "sent_at", "last_error"])
    if error is not None:
        logger.warning("notification %s to %s not sent: %s", row.public_id, row.email, error)
        raise error
    return True


def notifications_send(*, notification_ids: Iterable[int]) -> int:
    """Send each row (skipping sent ones); every row is tried before the first mail error is raised."""
    sent, error = 0, None
    for pk in notification_ids:
        try:
            sent += notification_send(notification_id=pk)
        except MAIL_ERRORS as exc:
            error = error or exc
    if error is not None:
        raise error
    return sent


def notifications_send_pending(*, older_than_seconds: int = 120, limit: int = 200) -> dict:
    """The sweeper: send rows still unsent some time after their event (the broker was down when the
    transaction committed, or every retry of the send task failed)."""
    since = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(Notification.objects.filter(sent_at__isnull=True, created_at__lt=since, attempts__lt=MAX_ATTEMPTS)
               .order_by("created_at", "id").values_list("pk", flat=True)[:limit])
    sent = failed = 0
    for pk in ids:
        try:
            sent += notification_send(notification_id=pk)
        except MAIL_ERRORS:
            failed += 1
    return {"sent": sent, "failed": failed}


# --- preferences ----------------------------------------------------------------------------------
def notification_kinds_for_user(user: User) -> list[str]:
    """The kinds of mail a user can receive: their organisation's audience's."""
    org = user.organization
    if org is None or org.kind not in (PROVIDER, CUSTOMER):
        return []
    return kinds_for(org.kind)


@transaction.atomic
def notification_preferences_set(*, user: User, enabled: Iterable[str]) -> dict[str, bool]:
    """Store a user's choice: the kinds in ``enabled`` are on, every other kind of theirs is off.
    An unknown kind is a 400 and changes nothing."""
    enabled = set(enabled)
    kinds = notification_kinds_for_user(user)
    unknown = sorted(enabled - set(kinds))
    if unknown:
        raise DomainError(f"Unknown kind of notification: {', '.join(unknown)}.", param="kinds",
                          code="invalid_notification_kind")
    choice = {kind: kind in enabled for kind in kinds}
    for kind, on in choice.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"enabled": on})
    return choice
