"""Provider profiles: badges, ratings, completed jobs, median turnaround, response rate; search and filters."""
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services as acc
from accounts.models import OrganizationVerification, ProviderApplication
from tests.factories import make_admin, make_provider, make_user
from tests.marketplace.factories import (
    advance_job,
    age_reviews,
    make_job,
    make_listing,
    make_review,
    set_job_times,
)
from tuning.models import FineTuningJob, JobStatus

pytestmark = [pytest.mark.django_db]


def _ids(body) -> list[str]:
    return [x["id"] for x in body["data"]]


@pytest.mark.embedded
def test_profile_shows_vetting_badges_and_statistics_from_real_jobs(api):
    provider = make_provider(domains=["education", "general"])
    org = provider.organization
    listing = make_listing(provider)
    make_listing(provider, publish=False)  # drafts are not counted
    # Three delivered jobs taking 10, 30 and 50 hours: the median is 30 h = 1.25 days.
    for hours in (10, 50, 30):
        set_job_times(make_job(listing=listing, status=JobStatus.SUCCEEDED), hours=hours)
    # Responses: accepted (moved on), declined, and one still waiting past the grace period.
    make_job(listing=listing, status=JobStatus.QUEUED)
    make_job(listing=listing, status=JobStatus.REJECTED)
    waiting = make_job(listing=listing, status=JobStatus.PENDING_PROVIDER)
    FineTuningJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(days=3))
    make_job(listing=listing, status=JobStatus.PENDING_PROVIDER)  # fresh: not counted against it yet
    make_job(listing=listing, status=JobStatus.FAILED)  # failed in training: not delivered
    body = api.get(f"/v1/providers/{org.public_id}").json()
    assert body["headline"] == "LoRA specialist"
    assert body["domains"] == ["education", "general"]
    assert body["badges"] == {"vetted": True, "verified_organization": False, "verification_category": None}
    assert body["completed_jobs"] == 3
    assert body["median_turnaround_days"] == 1.25
    # accepted: 3 succeeded + queued + failed (all passed pending_provider → pending_review); declined: 1;
    # waiting past 48 h: 1 → 6 / 7.
    assert body["response_rate"] == round(6 / 7, 3)
    assert body["listings_count"] == 1
    assert body["rating"] == {"average": None, "count": 0}


def test_median_turnaround_with_an_even_number_of_jobs(api):
    listing = make_listing()
    for hours in (24, 48, 72, 240):
        set_job_times(make_job(listing=listing, status=JobStatus.SUCCEEDED), hours=hours)
    body = api.get(f"/v1/providers/{listing.provider.public_id}").json()
    assert body["median_turnaround_days"] == 2.5  # (48 h + 72 h) / 2


def test_verified_organisation_badge(api):
    provider = make_provider()
    org = provider.organization
    admin = make_admin()
    # Verification requests are a customer flow; a provider's verification is set by the same decision service.
    ver = OrganizationVerification.objects.create(organization=org, submitted_by=provider, category="partner",
                                                  evidence="Registered company")
    acc.organization_verify(verification=ver, actor=admin)
    body = api.get(f"/v1/providers/{org.public_id}").json()
    assert body["badges"]["verified_organization"] is True
    assert body["badges"]["verification_category"] == "partner"
    assert _ids(api.get("/v1/providers", {"verified": "true"}).json()) == [org.public_id]


def test_unvetted_and_rejected_providers_are_not_listed(api):
    approved = make_provider()
    pending = make_provider(approved=False)
    assert _ids(api.get("/v1/providers").json()) == [approved.organization.public_id]
    assert api.get(f"/v1/providers/{pending.organization.public_id}").status_code == 404
    # A customer organisation is never a provider.
    assert api.get(f"/v1/providers/{make_user().organization.public_id}").status_code == 404


@pytest.mark.embedded
def test_provider_search_ranks_headline_above_bio_and_filters_by_domain(api):
    headline = make_provider(domains=["medical"])
    bio = make_provider(domains=["education"])
    make_provider(domains=["hr"])
    for user, h, b in ((headline, "Clinical summaries in plain language", "We build careful assistants."),
                       (bio, "Careful assistants", "Former clinical documentation specialists.")):
        ProviderApplication.objects.filter(organization=user.organization).update(headline=h, bio=b)
    body = api.get("/v1/providers", {"search": "clinical"}).json()
    assert _ids(body) == [headline.organization.public_id, bio.organization.public_id]
    assert _ids(api.get("/v1/providers", {"domain": "education"}).json()) == [bio.organization.public_id]


def test_provider_min_rating_and_rating_ordering(api):
    good, poor = make_listing(), make_listing()
    make_listing()
    for listing, rating in ((good, 5), (poor, 3)):
        make_review(make_job(listing=listing, status=JobStatus.SUCCEEDED), rating=rating)
    age_reviews(days=15)
    assert _ids(api.get("/v1/providers", {"min_rating": 4}).json()) == [good.provider.public_id]
    ordered = _ids(api.get("/v1/providers", {"ordering": "rating"}).json())
    assert ordered[:2] == [good.provider.public_id, poor.provider.public_id]


def test_provider_list_query_count_is_constant(api, django_assert_max_num_queries, locmem_cache):
    for i in range(8):
        listing = make_listing()
        job = make_job(listing=listing, status=JobStatus.SUCCEEDED)
        make_review(job, rating=1 + i % 5)
        make_job(listing=listing, status=JobStatus.PENDING_PROVIDER)
    for limit in (1, 8):
        with django_assert_max_num_queries(1):
            r = api.get("/v1/providers", {"limit": limit, "ordering": "jobs"})
        assert len(r.json()["data"]) == limit
    with django_assert_max_num_queries(1):
        api.get("/v1/providers", {"limit": 8, "search": "specialist", "domain": "localization", "min_rating": 0})
    after = api.get("/v1/providers", {"limit": 1}).json()["last_id"]
    with django_assert_max_num_queries(2):
        r = api.get("/v1/providers", {"limit": 7, "after": after})
    assert len(r.json()["data"]) == 7


def test_provider_pages_have_no_duplicates_under_inserts(api):
    originals = {make_provider().organization.public_id for _ in range(5)}
    seen, after = [], None
    while True:
        r = api.get("/v1/providers", {"limit": 2, **({"after": after} if after else {})}).json()
        seen += _ids(r)
        make_provider()
        if not r["has_more"]:
            break
        after = r["last_id"]
    assert len(seen) == len(set(seen))
    assert originals <= set(seen)


def test_a_job_left_waiting_counts_against_the_response_rate_only_after_the_grace_period(api, clock):
    listing = make_listing()
    make_job(listing=listing, status=JobStatus.PENDING_PROVIDER)
    pid = listing.provider.public_id
    assert api.get(f"/v1/providers/{pid}").json()["response_rate"] is None
    clock.advance(hours=49)
    assert api.get(f"/v1/providers/{pid}").json()["response_rate"] == 0.0
    job = FineTuningJob.objects.get()
    advance_job(job, JobStatus.PENDING_REVIEW)
    assert api.get(f"/v1/providers/{pid}").json()["response_rate"] == 1.0
