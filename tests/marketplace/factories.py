"""Marketplace test data. Listings and reviews go through the real services.

TEST-ONLY SHORTCUT: `make_job` creates FineTuningJob rows directly instead of calling
tuning.services.job_create (which needs files, a licence and a payment authorisation), then moves them
along the real state machine with tuning.services.job_transition, so every status change still writes
its JobEvent exactly as in production. Use it only in tests.
"""
from __future__ import annotations

import itertools
from datetime import timedelta

from django.db.models import F

from accounts.models import User
from marketplace import services as market
from marketplace.models import Listing, Review
from tests.factories import make_provider, make_user
from tuning.models import FineTuningJob, JobStatus
from tuning.services import job_transition

_seq = itertools.count(1)

MAIN_PATH = [
    JobStatus.VALIDATING_FILES, JobStatus.PENDING_PROVIDER, JobStatus.PENDING_REVIEW, JobStatus.QUEUED,
    JobStatus.RUNNING, JobStatus.EVALUATING, JobStatus.SUCCEEDED,
]
# Where an abort leaves from, when a test asks for one directly.
ABORT_FROM = {
    JobStatus.REJECTED: JobStatus.PENDING_PROVIDER,
    JobStatus.CANCELLED: JobStatus.PENDING_PROVIDER,
    JobStatus.FAILED: JobStatus.RUNNING,
    JobStatus.BLOCKED: JobStatus.EVALUATING,
}


def make_listing(provider: User | None = None, *, publish: bool = True, **overrides) -> Listing:
    provider = provider or make_provider(approved=True)
    n = next(_seq)
    fields = dict(
        title=f"Tuning service {n}", description="A careful LoRA fine-tune with evaluation against the base model.",
        domain="general", techniques=["supervised"], base_models=["SmolLM2-135M-Instruct"], price_amount=10000,
        price_currency="usd", turnaround_days=3, languages=["en"],
        recipe={"hyperparameters": {"n_epochs": 2}, "lora": {"r": 8, "alpha": 16, "target_modules": ["q_proj", "v_proj"]},
                "system_prompt": ""},
    )
    fields.update(overrides)
    return market.listing_create(user=provider, publish=publish, **fields)


def advance_job(job: FineTuningJob, to: str, *, actor: User | None = None) -> FineTuningJob:
    """Move `job` to `to` through the real transition function (along the main path, then the abort)."""
    target = ABORT_FROM.get(to, to)
    if to == JobStatus.BLOCKED:
        target = JobStatus.EVALUATING
    path = MAIN_PATH[MAIN_PATH.index(job.status) + 1: MAIN_PATH.index(target) + 1] if job.status in MAIN_PATH else []
    for step in path:
        job = job_transition(job=job, to=step, actor=actor)
    if to != target:
        job = job_transition(job=job, to=to, actor=actor)
    return job


def make_job(*, customer: User | None = None, listing: Listing | None = None, status: str = JobStatus.PENDING_PROVIDER,
             use_case: str = "Answer billing questions for our telco customers.", **extra) -> FineTuningJob:
    """TEST-ONLY: a FineTuningJob row created directly (see the module docstring), moved to `status`."""
    customer = customer or make_user(role="customer")
    listing = listing or make_listing()
    job = FineTuningJob.objects.create(
        organization=customer.organization, created_by=customer, listing=listing, provider=listing.provider,
        model=listing.base_models[0], use_case=use_case, **extra,
    )
    return advance_job(job, status)


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
