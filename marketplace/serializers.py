"""Input serializers (shape checks; the services hold the rules) and the `*_out` functions for responses."""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework import serializers

from accounts.models import DOMAINS, VerificationStatus
from core.errors import DomainError
from core.fields import FiniteFloatField
from core.http import unix_seconds as _ts
from tuning.models import JobStatus

from .languages import normalize_language
from .models import Listing, Review, Technique
from .selectors import (
    LISTING_ORDERINGS,
    PROVIDER_ORDERINGS,
    ListingQuery,
    ProviderQuery,
    rating_out,
    response_rate,
    review_is_revealed,
)


# --- input ------------------------------------------------------------------------------------
class PriceIn(serializers.Serializer):
    amount = serializers.IntegerField(min_value=0)
    currency = serializers.RegexField(r"^[a-zA-Z]{3}$", default="usd")


class ListingIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    domain = serializers.ChoiceField(choices=DOMAINS)
    techniques = serializers.ListField(child=serializers.ChoiceField(choices=Technique.values), min_length=1)
    base_models = serializers.ListField(child=serializers.CharField(), min_length=1)
    price = PriceIn()
    turnaround_days = serializers.IntegerField(min_value=1, max_value=365)
    languages = serializers.ListField(child=serializers.CharField(max_length=35), default=list)
    recipe = serializers.JSONField(default=dict)
    publish = serializers.BooleanField(default=False)


class ListingPatchIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False)
    domain = serializers.ChoiceField(choices=DOMAINS, required=False)
    techniques = serializers.ListField(child=serializers.ChoiceField(choices=Technique.values), min_length=1, required=False)
    base_models = serializers.ListField(child=serializers.CharField(), min_length=1, required=False)
    price = PriceIn(required=False)
    turnaround_days = serializers.IntegerField(min_value=1, max_value=365, required=False)
    languages = serializers.ListField(child=serializers.CharField(max_length=35), required=False)
    recipe = serializers.JSONField(required=False)


def listing_fields_from(validated: dict) -> dict:
    """Serializer data → service keyword arguments (price → price_amount/price_currency)."""
    fields = {k: v for k, v in validated.items() if k not in ("price", "publish")}
    if "price" in validated:
        fields["price_amount"] = validated["price"]["amount"]
        fields["price_currency"] = validated["price"].get("currency", "usd").lower()
    return fields


class UnpublishIn(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DomainEvalIn(serializers.Serializer):
    file = serializers.FileField()


class ListingQueryIn(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    domain = serializers.ChoiceField(choices=DOMAINS, required=False, allow_blank=True)
    technique = serializers.ChoiceField(choices=Technique.values, required=False, allow_blank=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=35)
    base_model = serializers.CharField(required=False, allow_blank=True, max_length=100)
    min_price = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    max_price = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    currency = serializers.RegexField(r"^[a-zA-Z]{3}$", required=False, allow_blank=True)
    min_rating = FiniteFloatField(required=False, min_value=0, max_value=5, allow_null=True)
    provider = serializers.CharField(required=False, allow_blank=True, max_length=64)
    ordering = serializers.ChoiceField(choices=list(LISTING_ORDERINGS), required=False, default="relevance")

    def validate_language(self, value):
        return normalize_language(value, param="language") if value else value

    def to_query(self) -> ListingQuery:
        d = self.validated_data
        return ListingQuery(
            search=d.get("search") or "", domain=d.get("domain") or None, technique=d.get("technique") or None,
            language=d.get("language") or None, base_model=d.get("base_model") or None,
            min_price=d.get("min_price"), max_price=d.get("max_price"),
            currency=(d.get("currency") or "").lower() or None, min_rating=d.get("min_rating"),
            provider=d.get("provider") or None, ordering=d.get("ordering") or "relevance",
        )


class ProviderQueryIn(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    domain = serializers.ChoiceField(choices=DOMAINS, required=False, allow_blank=True)
    min_rating = FiniteFloatField(required=False, min_value=0, max_value=5, allow_null=True)
    verified = serializers.BooleanField(required=False, allow_null=True, default=None)
    ordering = serializers.ChoiceField(choices=list(PROVIDER_ORDERINGS), required=False, default="relevance")

    def to_query(self) -> ProviderQuery:
        d = self.validated_data
        return ProviderQuery(search=d.get("search") or "", domain=d.get("domain") or None,
                             min_rating=d.get("min_rating"), verified=d.get("verified"),
                             ordering=d.get("ordering") or "relevance")


def parse_query(serializer_class, params) -> object:
    """Validate list query parameters (unknown ones are ignored, like limit/after) into a query object."""
    data = {k: v for k, v in params.items() if k in serializer_class().fields and v != ""}
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return s.to_query()


class ReviewIn(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReviewResponseIn(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class DeclineIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class InboxQueryIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=JobStatus.values, required=False, allow_blank=True)


# --- output -----------------------------------------------------------------------------------
def listing_out(listing: Listing, *, owner_view: bool = False) -> dict:
    """`listing` comes from a marketplace selector, annotated with its provider's public fields and rating."""
    provider_id, provider_name, verification = listing.provider_fields
    body = {
        "object": "listing",
        "id": listing.public_id,
        "title": listing.title,
        "description": listing.description,
        "domain": listing.domain,
        "techniques": listing.techniques,
        "base_models": listing.base_models,
        "price": {"amount": listing.price_amount, "currency": listing.price_currency},
        "turnaround_days": listing.turnaround_days,
        "languages": listing.languages,
        "recipe": listing.recipe,
        "domain_eval_set": {"rows": listing.domain_eval_rows} if listing.domain_eval_set else None,
        "status": listing.status,
        "provider": {
            "id": provider_id,
            "name": provider_name,
            "verified_organization": verification == VerificationStatus.VERIFIED,
        },
        "rating": rating_out(listing),
        "created_at": _ts(listing.created_at),
        "published_at": _ts(listing.published_at),
    }
    if owner_view:
        body["held_by_admin"] = listing.held_by_admin
    return body


def provider_out(org) -> dict:
    app = org.provider_application
    median_s = getattr(org, "median_turnaround_s", None)
    return {
        "object": "provider",
        "id": org.public_id,
        "name": org.name,
        "headline": app.headline,
        "bio": app.bio,
        "domains": app.domains,
        "badges": {
            "vetted": app.status == "approved",
            "verified_organization": org.is_verified,
            "verification_category": org.verification_category or None,
        },
        "rating": rating_out(org),
        "completed_jobs": org.completed_jobs,
        "median_turnaround_days": round(median_s / 86400, 2) if median_s is not None else None,
        "response_rate": response_rate(org),
        "listings_count": org.listings_count,
        "created_at": _ts(org.created_at),
    }


def review_out(review: Review, *, viewer: str, now: datetime | None = None) -> dict:
    """Double-blind: before the reveal, each side sees only its own text.

    viewer: "public" (revealed, non-hidden reviews only reach here), "customer" (the author) or "provider".
    """
    revealed = review_is_revealed(review, now or timezone.now())
    show_review = revealed or viewer == "customer"
    show_response = review.responded_at is not None and (revealed or viewer == "provider")
    body = {
        "object": "review",
        "id": review.public_id,
        "listing": {"id": review.listing.public_id, "title": review.listing.title},
        "rating": review.rating if show_review else None,
        "body": review.body if show_review else None,
        "response": (
            {"body": review.response_body, "created_at": _ts(review.responded_at)} if show_response else None
        ),
        "revealed": revealed,
        "reveal_at": _ts(review.reveal_at),
        "created_at": _ts(review.created_at),
    }
    if viewer != "public":
        body["job"] = review.job.public_id
        body["answered"] = review.responded_at is not None
        body["hidden"] = review.hidden
        body["hidden_reason"] = review.hidden_reason or None
    return body


def _validation_report(validation) -> dict | None:
    """The parts of a file's validation that describe the data without revealing it."""
    if not isinstance(validation, dict):
        return None
    return {k: validation[k] for k in ("format", "stats", "error_count", "errors", "warnings") if k in validation}


def _file_summary(f) -> dict | None:
    if f is None:
        return None
    return {
        "id": getattr(f, "public_id", None),
        "filename": getattr(f, "filename", None),
        "bytes": getattr(f, "bytes", None),
        "status": getattr(f, "status", None),
        "validation": _validation_report(getattr(f, "validation", None)),
    }


def _plain(value):
    """JSON-safe form of a field whose type another app decides (a dict, a string, or a model row)."""
    if value is None or isinstance(value, (dict, list, str, int, float, bool)):
        return value
    return getattr(value, "public_id", None) or str(value)


def inbox_job_out(job, *, samples: list[dict] | None = None, detail: bool = False) -> dict:
    """What a provider sees of a request before accepting: use case, dataset statistics and validation
    report, never the raw rows unless the customer granted sample access (then a few, on the detail view)."""
    customer = job.organization
    granted = bool(getattr(job, "grant_provider_samples", False))
    body = {
        "object": "provider.job",
        "id": job.public_id,
        "status": job.status,
        "listing": {"id": job.listing.public_id, "title": job.listing.title},
        "customer": {"name": customer.name, "verified_organization": customer.is_verified,
                     "verification_category": customer.verification_category or None},
        "model": job.model,
        "use_case": job.use_case,
        "method": job.method,
        "hyperparameters": job.hyperparameters,
        "persona": _plain(getattr(job, "persona", None)),
        "dataset": {
            "training_file": _file_summary(getattr(job, "training_file", None)),
            "validation_file": _file_summary(getattr(job, "validation_file", None)),
        },
        "samples_granted": granted,
        "created_at": _ts(job.created_at),
        "finished_at": _ts(job.finished_at),
    }
    if detail:
        body["samples"] = samples
    return body


def domain_error_from(exc: serializers.ValidationError) -> DomainError:
    """For pages: the first message of a serializer error as a DomainError."""
    from core.errors import _first_validation_error

    param, message, code = _first_validation_error(exc.detail)
    return DomainError(message, param=param, code=code)
