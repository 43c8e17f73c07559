"""Marketplace test data: the shared factories (tests/factories.py) with this app's defaults, and reviews.

`make_job` is tests.factories.JobFactory: a job row moved along the real state machine (a TEST-ONLY
shortcut past ordering, which tests/tuning exercises through tuning.services.job_create).
"""
from __future__ import annotations

from datetime import timedelta

from django.db.models import F

from accounts.models import User
from marketplace import services as market
from marketplace.models import Listing, Review
from tests.factories import JobFactory, ListingFactory, job_advance
from tuning.models import FineTuningJob, JobStatus

# The listing recipe these tests expect (a provider's usual defaults).
RECIPE = {"hyperparameters": {"n_epochs": 2}, "lora": {"r": 8, "alpha": 16, "target_modules": ["q_proj", "v_proj"]},
          "system_prompt": ""}
advance_job = job_advance


def make_listing(provider: User | None = None, *, publish: bool = True, **overrides) -> Listing:
    overrides.setdefault("recipe", RECIPE)
    if provider is not None:
        overrides["provider"] = provider
    return ListingFactory(publish=publish, **overrides)


def make_job(*, customer: User | None = None, listing: Listing | None = None, status: str = JobStatus.PENDING_PROVIDER,
             use_case: str = "Answer billing questions for our telco customers.", **extra) -> FineTuningJob:
    """TEST-ONLY: tests.factories.JobFactory (a row moved to `status` through the real state machine)."""
    fields = {"customer": customer, "listing": listing or make_listing()}
    return JobFactory(**{k: v for k, v in fields.items() if v is not None}, status=status, use_case=use_case, **extra)


def set_job_times(job: FineTuningJob, *, hours: float) -> FineTuningJob:
    """Make a finished job's created_at → finished_at span `hours` long (turnaround statistics)."""
    FineTuningJob.objects.filter(pk=job.pk).update(created_at=job.finished_at - timedelta(hours=hours))
    job.refresh_from_db()
    return job


def age_reviews(**delta) -> None:
    """Time passes for reviews: move every review's timestamps `delta` into the past. Reveal is decided by
    the database clock (reveal_at <= now()), so this is how a test shifts time for it."""
    shift = timedelta(**delta)
    Review.objects.update(created_at=F("created_at") - shift, reveal_at=F("reveal_at") - shift)


def make_review(job: FineTuningJob, *, rating: int = 5, body: str = "Great work.", user: User | None = None) -> Review:
    return market.review_create(job=job, user=user or job.created_by, rating=rating, body=body)
