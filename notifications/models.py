"""The outbox of mails and each user's choice of which mails to receive."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from core.ids import PublicIdField

# ``kind`` is a name from notifications/kinds.py (checked by the services); it carries no database
# choices, so adding a kind of mail needs no migration.


class NotificationPreference(models.Model):
    """A user's choice for one kind of mail. No row means the default: the mail is sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique_user_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {'on' if self.enabled else 'off'}"


class Notification(models.Model):
    """One mail to one person about one event: written in the event's transaction, sent after it commits.

    ``(event_key, recipient)`` is unique, so an event reported twice (a replayed caller, a retried task)
    still mails each person once; ``sent_at`` is set in the same locked transaction that sends, so a
    retried send task skips what it already sent.
    """

    public_id = PublicIdField(prefix="ntf_")
    event_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    email = models.EmailField(editable=False, help_text="The address at the time of the event.")
    subject = models.CharField(max_length=300, editable=False)
    body = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(default=0, editable=False)
    last_error = models.TextField(blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_key", "recipient"], name="notification_unique_event_recipient")]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="notification_unsent_idx")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.email} ({'sent' if self.sent_at else 'pending'})"
