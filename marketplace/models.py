"""Listings (a provider's tuning service: a recipe with a price) and the reviews customers leave.

Search: on PostgreSQL the listing table also carries a *stored generated* column `search_vector`
(title weighted A, description weighted B) with a GIN index, created by migration 0002. It is not a
Django field on purpose: PostgreSQL computes it on every insert/update, Django never writes it, and
SQLite (the embedded default) simply does not have it. `marketplace.search` reads it.
"""
from datetime import timedelta

from django.conf import settings
from django.db import models

from accounts.models import Domain, Organization
from core.ids import PublicIdField

# Reviews become visible to everyone once both sides have written, or after this long.
REVIEW_REVEAL_AFTER = timedelta(days=14)


class Technique(models.TextChoices):
    SUPERVISED = "supervised", "Supervised (LoRA SFT)"
    DPO = "dpo", "Preference tuning (DPO)"
    CALIBRATION = "calibration"
    PERSONA = "persona"
    PERSPECTIVES = "perspectives", "Balanced perspectives"


class ListingStatus(models.TextChoices):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


def _domain_eval_upload_to(instance: "Listing", filename: str) -> str:
    return f"listings/{instance.public_id}/domain_eval.jsonl"


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
    languages = models.JSONField(default=list, help_text="BCP 47 tags as the provider wrote them, e.g. en-AU.")
    # Derived from `languages` by the services: each tag plus its primary language ("en-AU" → "en-AU", "en"),
    # so that `?language=en` finds every English locale with one indexed containment test.
    language_tags = models.JSONField(default=list, editable=False)
    recipe = models.JSONField(default=dict, blank=True)
    domain_eval_set = models.FileField(upload_to=_domain_eval_upload_to, blank=True, editable=False)
    domain_eval_rows = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT, editable=False, db_index=True)
    # Set when an admin unpublishes: the owner may not republish until an admin does.
    held_by_admin = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "domain"], name="listing_status_domain"),
            models.Index(fields=["status", "price_amount"], name="listing_status_price"),
        ]

    def __str__(self) -> str:
        return self.title


LISTING_TRANSITIONS = {
    ListingStatus.DRAFT: {ListingStatus.PUBLISHED},
    ListingStatus.PUBLISHED: {ListingStatus.UNPUBLISHED},
    ListingStatus.UNPUBLISHED: {ListingStatus.PUBLISHED},
}


class ListingStatusChange(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="status_changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, choices=ListingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ListingStatus.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Review(models.Model):
    """A customer's review of one delivered job, and the provider's one answer. Double-blind until revealed.

    `reveal_at` is the moment both texts become visible: created_at + 14 days, brought forward to the
    moment the provider answers. "Revealed" is therefore simply `reveal_at <= now`, a dynamic test that
    needs no periodic task and can be indexed.
    """

    public_id = PublicIdField(prefix="rev_")
    job = models.OneToOneField("tuning.FineTuningJob", on_delete=models.PROTECT, related_name="customer_review")
    # Copied from the job at creation (they never change) so profile ratings are one indexed subquery.
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="reviews_received")
    customer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="reviews_written")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
    response_body = models.TextField(blank=True, editable=False)
    responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    reveal_at = models.DateTimeField(editable=False)
    hidden = models.BooleanField(default=False, editable=False)
    hidden_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
        ]
        indexes = [models.Index(fields=["provider", "hidden", "reveal_at"], name="review_provider_visible")]

    def __str__(self) -> str:
        return f"{self.rating}★ for {self.provider} ({self.public_id})"


class ReviewEvent(models.Model):
    """History of a review: written, answered, hidden, shown again (who, when, why)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
