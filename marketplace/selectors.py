"""Reads for the marketplace, each with a constant query count whatever the page size.

Ratings, completed jobs, response rates and median turnarounds are computed in the database with
correlated subqueries (annotations), not stored: they cannot go stale, and a review's 14-day reveal needs
no periodic job because "revealed" is the dynamic test `reveal_at <= now()`, evaluated by the database
clock, so the browse query's annotations are the same on every request and are built once per process.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections
from django.db.models import (
    Avg,
    Count,
    Exists,
    Q,
    FloatField,
    IntegerField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, JSONArray, Now
from django.utils import timezone

from accounts.models import ApplicationStatus, Organization, OrganizationKind, ProviderApplication
from core.errors import DomainError, NotFound
from tuning.models import FineTuningJob, JobEvent, JobStatus
from accounts.services import provider_require_approved
from tuning.selectors import jobs_visible_to

from . import search
from .models import Listing, ListingStatus, Review

# A job still waiting for the provider counts against its response rate only after this long.
RESPONSE_GRACE = timedelta(hours=48)


# --- ratings ----------------------------------------------------------------------------------
def _visible_reviews(outer: str) -> QuerySet:
    return (
        Review.objects.filter(provider=OuterRef(outer), hidden=False, reveal_at__lte=Now())
        .order_by()
        .values("provider")
    )


def _rating_annotations(outer: str) -> dict:
    """`rating_count` and `rating_milli` (average × 1000 as an integer, 0 without reviews): never NULL."""
    reviews = _visible_reviews(outer)
    count = Subquery(reviews.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    milli = Subquery(
        reviews.annotate(m=Cast(Avg("rating") * 1000, IntegerField())).values("m"), output_field=IntegerField()
    )
    return {"rating_count": Coalesce(count, 0), "rating_milli": Coalesce(milli, 0)}


def _min_rating(qs: QuerySet, min_rating: float) -> QuerySet:
    """A positive minimum excludes the unrated; 0 keeps everything."""
    if min_rating <= 0:
        return qs
    return qs.filter(rating_milli__gte=round(min_rating * 1000), rating_count__gt=0)


def rating_out(obj) -> dict:
    count = getattr(obj, "rating_count", 0) or 0
    milli = getattr(obj, "rating_milli", 0) or 0
    return {"average": round(milli / 1000, 2) if count else None, "count": count}


# --- listings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListingQuery:
    search: str = ""
    domain: str | None = None
    technique: str | None = None
    language: str | None = None
    base_model: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    currency: str | None = None
    min_rating: float | None = None
    provider: str | None = None
    ordering: str = "relevance"


LISTING_ORDERINGS = {
    "relevance": ("-rank_key", "-id"),
    "newest": ("-published_key", "-id"),
    "price": ("price_amount", "id"),
    "-price": ("-price_amount", "-id"),
    "rating": ("-rating_milli", "-id"),
    "turnaround": ("turnaround_days", "id"),
}


def _public_listing_conditions() -> list:
    """Published listings of providers that are approved now (a suspended provider's listings vanish).

    Written as an anti-join against the (few) providers whose application is not approved, rather than a
    join to every approved application: a listing can only have been published by an approved provider
    (listing_publish checks it), so "not currently un-approved" is the same set, and PostgreSQL answers it
    from a small hashed set instead of probing the applications table once per matching listing.
    """
    unapproved = ProviderApplication.objects.filter(
        organization=OuterRef("provider_id"),
        status__in=[s for s in ApplicationStatus.values if s != ApplicationStatus.APPROVED],  # uses the status index
    )
    return [Q(status=ListingStatus.PUBLISHED), ~Exists(unapproved)]


def listings_public() -> QuerySet:
    return Listing.objects.filter(*_public_listing_conditions())


def _listing_annotations() -> dict:
    """The provider's public fields and rating as correlated subqueries rather than a join: PostgreSQL
    evaluates them after ORDER BY/LIMIT, for the page's rows only, not for every matching listing."""
    org = (
        Organization.objects.filter(pk=OuterRef("provider_id")).order_by()
        .values(fields=JSONArray("public_id", "name", "verification_status")).values("fields")
    )
    return {"provider_fields": Subquery(org, output_field=JSONField()), **_rating_annotations("provider_id")}


def _listing_annotate(qs: QuerySet) -> QuerySet:
    return qs.annotate(**_listing_annotations())


@functools.cache
def _listings_base() -> QuerySet:
    """Public listings with their annotations, resolved once per process: resolving the subqueries is the
    costliest part of building the browse query, and nothing in them varies between requests.
    Never evaluate this queryset itself (it would cache rows); use listings_browse(), which clones it."""
    return listings_public().annotate(**_listing_annotations())


def listings_browse() -> QuerySet:
    return _listings_base().all()


def listing_search(*, query: ListingQuery) -> tuple[QuerySet, tuple[str, ...]]:
    """The browse query and its keyset ordering (sort keys never NULL, ending with the unique id)."""
    vendor = connections[Listing.objects.db].vendor
    conditions = []
    exact = {"provider__public_id": query.provider, "domain": query.domain, "price_currency": query.currency,
             "price_amount__gte": query.min_price, "price_amount__lte": query.max_price}
    conditions += [Q(**{k: v}) for k, v in exact.items() if v not in (None, "")]
    for field, value in (("techniques", query.technique), ("base_models", query.base_model),
                         ("language_tags", query.language)):
        if value:
            conditions.append(search.json_list_condition(vendor, field, value))
    annotations = {}
    ordering = query.ordering
    if query.search.strip():
        text_conditions, annotations["rank_key"] = search.listing_text_condition(vendor, query.search)
        conditions += text_conditions
    elif ordering == "relevance":
        ordering = "newest"
    if ordering == "newest":
        annotations["published_key"] = Coalesce("published_at", "created_at")
    qs = listings_browse().filter(*conditions)
    if annotations:
        qs = qs.annotate(**annotations)
    if query.min_rating is not None:
        qs = _min_rating(qs, query.min_rating)
    return qs, LISTING_ORDERINGS[ordering]


def listing_get_visible(*, listing_id: str, user=None) -> Listing:
    """A published listing (of an approved provider), or any listing of the caller's own organisation."""
    org = user.organization if user is not None and user.is_authenticated else None
    listing = listings_browse().filter(public_id=listing_id).first()
    if listing is None and org is not None:
        listing = _listing_annotate(Listing.objects.filter(public_id=listing_id, provider=org)).first()
    if listing is None:
        raise NotFound(f"No listing with id '{listing_id}'.", param="id")
    return listing


def listing_get_owned(*, listing_id: str, user) -> Listing:
    """A listing the caller's organisation owns (for edits); anyone else's is a 404."""
    org = user.organization if user is not None and user.is_authenticated else None
    listing = Listing.objects.select_related("provider").filter(public_id=listing_id, provider=org).first() if org else None
    if listing is None:
        raise NotFound(f"No listing with id '{listing_id}'.", param="id")
    return listing


def listings_of_organization(*, organization: Organization) -> QuerySet:
    """Every listing of one provider, drafts included (the provider's own dashboard and API)."""
    return _listing_annotate(Listing.objects.filter(provider=organization))


def listing_domain_eval_examples(listing: Listing) -> list[dict]:
    """The provider's domain evaluation set (JSONL, validated on upload), parsed; [] when there is none."""
    if not listing.domain_eval_set:
        return []
    with listing.domain_eval_set.open("rb") as fh:
        raw = fh.read().decode("utf-8")
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


# --- providers --------------------------------------------------------------------------------
PROVIDER_ORDERINGS = {
    "relevance": ("-rank_key", "-id"),
    "rating": ("-rating_milli", "-id"),
    "jobs": ("-completed_jobs", "-id"),
    "newest": ("-created_at", "-id"),
}


@dataclass(frozen=True)
class ProviderQuery:
    search: str = ""
    domain: str | None = None
    min_rating: float | None = None
    verified: bool | None = None
    ordering: str = "relevance"


def _count(qs: QuerySet, group: str) -> Coalesce:
    return Coalesce(
        Subquery(qs.order_by().values(group).annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
    )


_JOB = FineTuningJob._meta.db_table
_ORG = Organization._meta.db_table
# The median of (finished_at - created_at) over a provider's succeeded jobs, in seconds, as a correlated
# subquery. PostgreSQL has the ordered-set aggregate percentile_cont; SQLite takes the middle row(s) with
# window functions. Organization is always the base table of the provider queries.
_MEDIAN_TURNAROUND_SQL = {
    "postgresql": f"""(SELECT EXTRACT(EPOCH FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY j.finished_at - j.created_at))::float8
        FROM {_JOB} j WHERE j.provider_id = "{_ORG}"."id" AND j."status" = %s AND j.finished_at IS NOT NULL)""",
    "sqlite": f"""(SELECT AVG(d) FROM (
        SELECT d, ROW_NUMBER() OVER (ORDER BY d) AS rn, COUNT(*) OVER () AS c FROM (
            SELECT (julianday(j.finished_at) - julianday(j.created_at)) * 86400.0 AS d
            FROM {_JOB} j WHERE j.provider_id = "{_ORG}"."id" AND j."status" = %s AND j.finished_at IS NOT NULL))
        WHERE rn IN ((c + 1) / 2, (c + 2) / 2))""",
}


def providers_public() -> QuerySet:
    return Organization.objects.filter(
        kind=OrganizationKind.PROVIDER, provider_application__status=ApplicationStatus.APPROVED
    )


def _provider_annotate(qs: QuerySet, now: datetime) -> QuerySet:
    succeeded = FineTuningJob.objects.filter(provider=OuterRef("pk"), status=JobStatus.SUCCEEDED)
    responded = (
        JobEvent.objects.filter(
            job__provider=OuterRef("pk"), from_status=JobStatus.PENDING_PROVIDER,
            to_status__in=[JobStatus.PENDING_REVIEW, JobStatus.REJECTED],
        )
        .order_by()
        .values("job__provider")
        .annotate(n=Count("job", distinct=True))
        .values("n")
    )
    waiting = FineTuningJob.objects.filter(
        provider=OuterRef("pk"), status=JobStatus.PENDING_PROVIDER, created_at__lte=now - RESPONSE_GRACE
    )
    qs = qs.select_related("provider_application").annotate(
        **_rating_annotations("pk"),
        completed_jobs=_count(succeeded, "provider"),
        responded_jobs=Coalesce(Subquery(responded, output_field=IntegerField()), 0),
        waiting_jobs=_count(waiting, "provider"),
        listings_count=_count(Listing.objects.filter(provider=OuterRef("pk"), status=ListingStatus.PUBLISHED), "provider"),
        median_turnaround_s=RawSQL(
            _MEDIAN_TURNAROUND_SQL[connections[qs.db].vendor], [JobStatus.SUCCEEDED], output_field=FloatField()
        ),
    )
    return qs


def provider_search(*, query: ProviderQuery, now: datetime | None = None) -> tuple[QuerySet, tuple[str, ...]]:
    now = now or timezone.now()
    qs = providers_public()
    if query.domain:
        qs = search.json_list_has(qs, "provider_application__domains", query.domain)
    if query.verified is not None:
        qs = qs.filter(verification_status="verified") if query.verified else qs.exclude(verification_status="verified")
    qs = _provider_annotate(qs, now)
    if query.min_rating is not None:
        qs = _min_rating(qs, query.min_rating)
    ordering = query.ordering
    if query.search.strip():
        qs = search.provider_text_search(qs, query.search)
    elif ordering == "relevance":
        ordering = "newest"
    return qs, PROVIDER_ORDERINGS[ordering]


def provider_get(*, provider_id: str, now: datetime | None = None) -> Organization:
    """An approved provider's public profile; suspended, rejected and unvetted providers are a 404."""
    org = _provider_annotate(providers_public().filter(public_id=provider_id), now or timezone.now()).first()
    if org is None:
        raise NotFound(f"No provider with id '{provider_id}'.", param="id")
    return org


def response_rate(org: Organization) -> float | None:
    responded = getattr(org, "responded_jobs", 0) or 0
    total = responded + (getattr(org, "waiting_jobs", 0) or 0)
    return round(responded / total, 3) if total else None


# --- reviews ----------------------------------------------------------------------------------
def review_is_revealed(review: Review, now: datetime | None = None) -> bool:
    return review.reveal_at <= (now or timezone.now())


def provider_reviews_public(*, provider: Organization) -> QuerySet:
    """Revealed, non-hidden reviews of one provider: the only ones anybody else sees or counts."""
    return Review.objects.filter(provider=provider, hidden=False, reveal_at__lte=Now()).select_related("listing")


def reviews_received(*, organization: Organization) -> QuerySet:
    """Every review of the provider's own jobs (texts are masked until revealed by review_out)."""
    return Review.objects.filter(provider=organization).select_related("listing", "job")


def review_for_job(*, job: FineTuningJob) -> Review | None:
    return Review.objects.filter(job=job).select_related("listing", "job").first()


def customer_job_get(*, user, job_id: str) -> FineTuningJob:
    """A job of the caller's organisation; anyone else's job is a 404."""
    org = user.organization if user is not None and user.is_authenticated else None
    job = FineTuningJob.objects.select_related("provider", "listing").filter(public_id=job_id, organization=org).first()
    if org is None or job is None:
        raise NotFound(f"No fine-tuning job with id '{job_id}'.", param="id")
    return job


def jobs_awaiting_review(*, organization: Organization) -> QuerySet:
    """The customer's delivered jobs that have no review yet (their dashboard offers a review form)."""
    return FineTuningJob.objects.filter(
        organization=organization, status=JobStatus.SUCCEEDED, customer_review__isnull=True
    ).select_related("listing", "provider")


def customer_jobs(*, organization: Organization) -> QuerySet:
    return FineTuningJob.objects.filter(organization=organization).select_related("listing", "provider", "customer_review")


# --- provider inbox ---------------------------------------------------------------------------
def provider_inbox(*, organization: Organization, status: str | None = None) -> QuerySet:
    """Jobs addressed to this provider only (job.provider is its organisation), and only while the provider
    is approved: a suspended provider reads no customer's jobs, use cases or samples (403)."""
    provider_require_approved(organization=organization)
    qs = jobs_visible_to(organization, as_customer=False).select_related(
        "listing", "organization", "training_file", "validation_file"
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def provider_job_get(*, organization: Organization | None, job_id: str) -> FineTuningJob:
    job = provider_inbox(organization=organization).filter(public_id=job_id).first() if organization else None
    if job is None:
        raise NotFound(f"No fine-tuning job with id '{job_id}' in your inbox.", param="id")
    return job


SAMPLE_ROWS = 5


def provider_job_samples(job: FineTuningJob, *, actor) -> list[dict] | None:
    """A few raw training rows, only if the customer granted the provider sample access; else None.

    Read through tuning.services.file_samples_read, which checks the grant again and audits the read.
    """
    if not getattr(job, "grant_provider_samples", False) or getattr(job, "training_file", None) is None:
        return None
    from tuning.services import file_samples_read

    try:
        return list(file_samples_read(file=job.training_file, actor=actor, limit=SAMPLE_ROWS))
    except DomainError:
        return []
