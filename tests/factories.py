"""Test data built through the services, so every invariant a real user meets holds here too."""
from __future__ import annotations

import itertools

import factory

from accounts import services as acc
from accounts.models import ApplicationStatus, User
from marketplace.models import Listing
from tuning.models import FineTuningJob, JobStatus

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(*, role: str = "customer", email: str | None = None, organization: str | None = None,
              password: str = PASSWORD, name: str = "Test User") -> User:
    n = next(_seq)
    return acc.user_register(
        email=email or f"{role}{n}@example.test", password=password, name=name, role=role,
        organization=organization or f"{role.capitalize()} Org {n}",
    )


def make_admin(*, email: str | None = None) -> User:
    n = next(_seq)
    return User.objects.create_superuser(email=email or f"admin{n}@example.test", password=PASSWORD, name="Admin")


def make_provider(*, approved: bool = True, domains: list[str] | None = None, **kwargs) -> User:
    user = make_user(role="provider", **kwargs)
    app = acc.provider_application_submit(
        user=user, headline="LoRA specialist", bio="We tune small models for support teams.",
        domains=domains or ["localization", "customer_service"], qualifications="10 years of NLP.",
        portfolio_url="https://example.test/portfolio", responsible_use_attestation=True,
    )
    if approved:
        admin = make_admin()
        acc.provider_application_transition(application=app, to=ApplicationStatus.APPROVED, actor=admin, reason="Vetted")
    return user


def api_key_for(user: User) -> str:
    return acc.api_key_create(user=user, name="test").secret


# --- listings and jobs (factory-boy), built through the services ----------------------------------
class ListingFactory(factory.Factory):
    """A published listing, created through marketplace.services.listing_create (so its recipe is
    validated and screened exactly as a provider's would be). Override any field; `provider` is a user."""

    class Meta:
        model = Listing

    provider = factory.LazyFunction(lambda: make_provider(approved=True))
    publish = True
    title = factory.Sequence(lambda n: f"Tuning service {n}")
    description = "A careful LoRA fine-tune with evaluation against the base model."
    domain = "general"
    techniques = factory.LazyFunction(lambda: ["supervised"])
    base_models = factory.LazyFunction(lambda: ["SmolLM2-135M-Instruct"])
    price_amount = 10000
    price_currency = "usd"
    turnaround_days = 3
    languages = factory.LazyFunction(lambda: ["en"])
    recipe = factory.LazyFunction(dict)

    class Params:
        free = factory.Trait(price_amount=0)
        draft = factory.Trait(publish=False)

    @classmethod
    def _create(cls, model_class, *, provider, publish, **fields):
        from marketplace.services import listing_create

        return listing_create(user=provider, publish=publish, **fields)


# The main path, and where each abort leaves from. The one table every job factory walks: each step
# goes through tuning.services.job_transition, so every move writes its event and history row.
JOB_MAIN_PATH = [
    JobStatus.VALIDATING_FILES, JobStatus.PENDING_PROVIDER, JobStatus.PENDING_REVIEW, JobStatus.QUEUED,
    JobStatus.RUNNING, JobStatus.EVALUATING, JobStatus.SUCCEEDED,
]
JOB_ABORT_FROM = {
    JobStatus.REJECTED: JobStatus.PENDING_PROVIDER,
    JobStatus.CANCELLED: JobStatus.PENDING_PROVIDER,
    JobStatus.FAILED: JobStatus.RUNNING,
    JobStatus.BLOCKED: JobStatus.EVALUATING,
    JobStatus.PENDING_RELEASE_REVIEW: JobStatus.EVALUATING,
}


def job_advance(job: FineTuningJob, to: str, *, actor: User | None = None) -> FineTuningJob:
    """Move `job` to `to` through tuning.services.job_transition: along the main path, then the abort."""
    from tuning.services import job_transition

    target = JOB_ABORT_FROM.get(to, to)
    if job.status in JOB_MAIN_PATH:
        path = JOB_MAIN_PATH[JOB_MAIN_PATH.index(job.status) + 1: JOB_MAIN_PATH.index(target) + 1]
    else:
        path = []
    for step in path:
        job = job_transition(job=job, to=step, actor=actor)
    if to != target:
        job = job_transition(job=job, to=to, actor=actor)
    return job


class JobFactory(factory.Factory):
    """A job row for tests of what comes after ordering (inbox, payments, ratings), moved to `status`
    through the real state machine. TEST-ONLY shortcut: ordering itself (files, agreements, the licence
    gate, the payment hold) is tuning.services.job_create, which tests/tuning/factories.make_job uses.

    Traits: JobFactory(succeeded=True), JobFactory(running=True), JobFactory(blocked=True), ...
    """

    class Meta:
        model = FineTuningJob

    customer = factory.LazyFunction(lambda: make_user(role="customer"))
    listing = factory.SubFactory(ListingFactory)
    status = JobStatus.PENDING_PROVIDER
    use_case = "Answer billing questions for our telco customers."

    class Params:
        queued = factory.Trait(status=JobStatus.QUEUED)
        running = factory.Trait(status=JobStatus.RUNNING)
        evaluating = factory.Trait(status=JobStatus.EVALUATING)
        succeeded = factory.Trait(status=JobStatus.SUCCEEDED)
        blocked = factory.Trait(status=JobStatus.BLOCKED)
        rejected = factory.Trait(status=JobStatus.REJECTED)
        cancelled = factory.Trait(status=JobStatus.CANCELLED)
        failed = factory.Trait(status=JobStatus.FAILED)

    @classmethod
    def _create(cls, model_class, *, customer, listing, status, use_case, **extra):
        job = model_class.objects.create(
            organization=customer.organization, created_by=customer, listing=listing, provider=listing.provider,
            model=listing.base_models[0], use_case=use_case, **extra,
        )
        return job_advance(job, status)
