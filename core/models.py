"""The history of every state move, written only by core.states.transition."""
from __future__ import annotations

from django.conf import settings
from django.db import models


class StateChange(models.Model):
    """One move of one entity's state: which row, from, to, who, when and why. Append-only."""

    entity = models.CharField(max_length=60, help_text="app_label.model of the row that moved")
    object_id = models.CharField(max_length=64, help_text="the row's primary key")
    public_id = models.CharField(max_length=64, blank=True, help_text="the row's public id, when it has one")
    field = models.CharField(max_length=40, default="status")
    from_state = models.CharField(max_length=40)
    to_state = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["entity", "object_id", "id"]
        indexes = [models.Index(fields=["entity", "object_id", "id"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.public_id or self.object_id}: {self.from_state} → {self.to_state}"

    @classmethod
    def record(cls, obj, *, field: str, from_state: str, to_state: str, actor=None, reason: str = "",
               data=None) -> StateChange:
        actor = actor if getattr(actor, "pk", None) else None
        return cls.objects.create(
            entity=obj._meta.label_lower, object_id=str(obj.pk), public_id=str(getattr(obj, "public_id", "") or ""),
            field=field, from_state=str(from_state or ""), to_state=str(to_state), actor=actor,
            reason=(reason or "")[:4000], data=dict(data or {}),
        )

    @classmethod
    def history(cls, obj):
        return cls.objects.filter(entity=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")


class IdempotencyKey(models.Model):
    """A POST made with an ``Idempotency-Key`` header, per organisation (core/idempotency.py).

    A repeat with the same key and the same body replays ``response_status``/``response_body``; the same
    key with another body is refused. ``response_status`` is null while the first request runs."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_sha256 = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="idempotency_key_unique_per_org")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
