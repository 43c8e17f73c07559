"""Listings: a provider's tuning service (a recipe with a price)."""
from django.conf import settings
from django.db import models

from accounts.models import Domain, Organization
from core.ids import PublicIdField


class Technique(models.TextChoices):
    SUPERVISED = "supervised", "Supervised (LoRA SFT)"
    DPO = "dpo", "Preference tuning (DPO)"
    CALIBRATION = "calibration"
    PERSONA = "persona"


class ListingStatus(models.TextChoices):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class Listing(models.Model):
    public_id = PublicIdField(prefix="lst_")
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="listings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField()
    domain = models.CharField(max_length=30, choices=Domain.choices, db_index=True)
    techniques = models.JSONField(default=list)
    base_models = models.JSONField(default=list)
    price_amount = models.PositiveIntegerField(help_text="Minor units (cents).")
    price_currency = models.CharField(max_length=3, default="usd")
    turnaround_days = models.PositiveSmallIntegerField()
    languages = models.JSONField(default=list)
    recipe = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ListingStatusChange(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="status_changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, choices=ListingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ListingStatus.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
