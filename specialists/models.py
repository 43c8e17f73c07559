"""Specialist models: a provider's released fine-tuned model, published in a catalogue for others to
license and use without a tuning job of their own.

A `SpecialistModel` wraps one `FineTuningJob` the provider ordered from its own listing as its own
customer (so it went through review, training, evaluation, the release gate and a signed card).
Its `status` (published, held, withdrawn) changes only through core.states.transition and
SPECIALIST_TRANSITIONS. A `SpecialistLicense` is one organisation's paid right to use it (a captured
PaymentIntent; the provider's share is posted to the payments ledger once). `SpecialistUsage` meters
requests and tokens per organisation per day.
"""
from django.conf import settings
from django.db import models

from accounts.models import Organization
from core.ids import PublicIdField

SPECIALIST_ID_PREFIX = "spec-"
TITLE_MAX_CHARS = 120
TEXT_MAX_CHARS = 4000
TERMS_MAX_CHARS = 8000


class SpecialistStatus(models.TextChoices):
    PUBLISHED = "published"
    HELD = "held"  # an admin or reviewer stopped it, with a reason; they may release it again
    WITHDRAWN = "withdrawn"  # the provider took it off the market; final


SPECIALIST_TRANSITIONS: dict[str, set[str]] = {
    SpecialistStatus.PUBLISHED: {SpecialistStatus.HELD, SpecialistStatus.WITHDRAWN},
    SpecialistStatus.HELD: {SpecialistStatus.PUBLISHED, SpecialistStatus.WITHDRAWN},
    SpecialistStatus.WITHDRAWN: set(),
}


class SpecialistModel(models.Model):
    public_id = PublicIdField(prefix=SPECIALIST_ID_PREFIX)
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="specialist_models")
    job = models.OneToOneField("tuning.FineTuningJob", on_delete=models.PROTECT, related_name="specialist_model")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=TITLE_MAX_CHARS)
    domain = models.CharField(max_length=30, db_index=True)
    description = models.TextField()
    intended_use = models.TextField()
    out_of_scope_uses = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    price_amount = models.PositiveIntegerField(help_text="Minor units, paid once per licence.")
    price_currency = models.CharField(max_length=3, default="usd")
    license_terms = models.TextField()
    status = models.CharField(max_length=16, choices=SpecialistStatus.choices, default=SpecialistStatus.PUBLISHED,
                              editable=False, db_index=True)
    status_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.public_id})"


class SpecialistLicenseStatus(models.TextChoices):
    ACTIVE = "active"
    ENDED = "ended"


SPECIALIST_LICENSE_TRANSITIONS: dict[str, set[str]] = {
    SpecialistLicenseStatus.ACTIVE: {SpecialistLicenseStatus.ENDED},
    SpecialistLicenseStatus.ENDED: set(),
}


class SpecialistLicense(models.Model):
    """An organisation's right to use one specialist model, bought once (a captured PaymentIntent)."""

    public_id = PublicIdField(prefix="slic_")
    specialist = models.ForeignKey(SpecialistModel, on_delete=models.PROTECT, related_name="licenses")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="specialist_licenses")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=16, choices=SpecialistLicenseStatus.choices,
                              default=SpecialistLicenseStatus.ACTIVE, editable=False)
    terms_sha256 = models.CharField(max_length=64, editable=False,
                                    help_text="SHA-256 of the licence terms the customer accepted.")
    terms_accepted_at = models.DateTimeField(editable=False)
    amount = models.PositiveIntegerField(editable=False)
    currency = models.CharField(max_length=3, editable=False)
    platform_fee_bps = models.PositiveIntegerField(editable=False)
    platform_fee_amount = models.PositiveIntegerField(default=0, editable=False)
    stripe_payment_intent_id = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    captured_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["specialist", "organization"], condition=models.Q(status="active"),
                                    name="specialist_license_one_active_per_org"),
            models.UniqueConstraint(fields=["stripe_payment_intent_id"],
                                    condition=~models.Q(stripe_payment_intent_id=""),
                                    name="specialist_license_unique_intent"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} licence for {self.specialist_id}"


class SpecialistUsage(models.Model):
    """Metering: requests and tokens one organisation sent to one specialist model on one day."""

    specialist = models.ForeignKey(SpecialistModel, on_delete=models.CASCADE, related_name="usage")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="specialist_usage")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveBigIntegerField(default=0)
    completion_tokens = models.PositiveBigIntegerField(default=0)
    guard_interventions = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["specialist", "organization", "day"],
                                               name="specialist_usage_unique_day")]
