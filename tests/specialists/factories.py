"""Specialist models for tests, built through the real path: the provider orders its own listing as its own
customer (tuning.services.job_create: licence gate, files, payment), accepts it, review approves, the tiny
model trains in-process, and the gate's verdict is reported through the seam tests/tuning uses
(tests.tuning.factories.release), then the card is signed by evaluation.services.model_card_issue."""
from __future__ import annotations

import itertools

from evaluation.models import EvaluationRun
from evaluation.services.model_cards import model_card_issue
from specialists import services
from tests.factories import make_provider
from tests.payments.factories import make_license
from tests.tuning.factories import approve, make_job, make_listing, release

_seq = itertools.count(1)


def provider_with_licence(*, domains=None, plan: str = "premium"):
    provider = make_provider(approved=True, domains=domains)
    make_license(organization=provider.organization, plan=plan)
    return provider


def trained_provider_job(capture, *, provider=None, domain: str = "customer_service"):
    """The provider's own job, trained and waiting in `evaluating`."""
    provider = provider or provider_with_licence()
    listing = make_listing(provider=provider, domain=domain)
    job = make_job(customer=provider, listing=listing, use_case="Answer our own customers' password questions.")
    with capture(execute=True):
        approve(job, provider_user=provider)
    job.refresh_from_db()
    assert job.status == "evaluating", list(job.events.values_list("message", flat=True))
    return provider, job


def release_with_card(job):
    job = release(job)
    run = EvaluationRun.objects.filter(job=job).latest("pk")
    model_card_issue(job=job, run=run)
    job.refresh_from_db()
    return job


def publish_fields(**overrides) -> dict:
    n = next(_seq)
    fields = dict(title=f"Support specialist {n}", description="A polite password-reset helper for support desks.",
                  intended_use="Answering customers' account and password questions.",
                  out_of_scope_uses=["Medical, legal or financial advice"], languages=["en", "en-AU"],
                  price_amount=2500, price_currency="usd",
                  license_terms="Use within your organisation only. Keep the guard on. No resale.")
    fields.update(overrides)
    return fields


def publish(provider, job, **overrides):
    return services.specialist_publish(user=provider, job=job, **publish_fields(**overrides))
