"""Reads for notifications (two queries each)."""
from __future__ import annotations

from accounts.models import User

from .kinds import KINDS
from .models import NotificationPreference
from .services import notification_kinds_for_user


def notification_preferences(*, user: User) -> list[dict]:
    """The user's kinds of mail, each with its label and whether it is on (on unless they turned it off)."""
    kinds = notification_kinds_for_user(user)
    off = set(NotificationPreference.objects.filter(user=user, kind__in=kinds, enabled=False)
              .values_list("kind", flat=True))
    return [{"kind": kind, "label": KINDS[kind].label, "enabled": kind not in off} for kind in kinds]
