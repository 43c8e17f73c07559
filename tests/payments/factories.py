"""Test data for payments.

Jobs: `make_job` creates the FineTuningJob row directly and walks it through tuning.services.job_transition.
That is a documented TEST-ONLY shortcut: the tuning engineer's `job_create` (which checks agreements,
files, the licence gate and authorises payment) is exercised in tests/tuning; here we need a job row to
call the payment services with, whatever state job_create is in.

Licences: `make_license` writes an active licence row without Stripe, for the gate tests that run on the
embedded default. Tests that need Stripe subscribe through the API instead.
"""
from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from django.utils import timezone

from accounts import services as acc
from marketplace.payments.models import License, LicenseStatus
from tests.factories import make_admin, make_provider, make_user

_seq = itertools.count(1)

MAIN_PATH = ["pending_provider", "pending_review", "queued", "running", "evaluating", "succeeded"]
PATH_TO = {
    "validating_files": [],
    "pending_provider": MAIN_PATH[:1],
    "pending_review": MAIN_PATH[:2],
    "queued": MAIN_PATH[:3],
    "running": MAIN_PATH[:4],
    "evaluating": MAIN_PATH[:5],
    "succeeded": MAIN_PATH,
    "blocked": MAIN_PATH[:5] + ["blocked"],
    "rejected": MAIN_PATH[:1] + ["rejected"],
    "cancelled": MAIN_PATH[:1] + ["cancelled"],
    "failed": MAIN_PATH[:4] + ["failed"],
}


def make_listing(*, provider=None, price_amount: int = 5000, currency: str = "usd", domain: str = "customer_service",
                 techniques: tuple[str, ...] = ("supervised",)):
    from marketplace.services import listing_create

    provider = provider or make_provider(approved=True)
    n = next(_seq)
    return listing_create(
        user=provider, publish=True, title=f"Support tone tuning {n}",
        description="LoRA SFT on your support transcripts, with an evaluation against the base model.",
        domain=domain, techniques=list(techniques), base_models=["SmolLM2-135M-Instruct"],
        price_amount=price_amount, price_currency=currency, turnaround_days=3, languages=["en"], recipe={},
    )


def make_job(*, customer, listing, status: str = "pending_provider"):
    """A FineTuningJob row (test-only shortcut, see the module docstring), moved along the allowed path."""
    from tuning.models import FineTuningJob
    from tuning.services import job_transition

    job = FineTuningJob.objects.create(
        organization=customer.organization, created_by=customer, listing=listing, provider=listing.provider,
        model="SmolLM2-135M-Instruct", use_case="A polite support assistant for our shop.",
    )
    for step in PATH_TO[status]:
        job = job_transition(job=job, to=step, message="test factory")
    return job


def make_license(*, organization, plan: str = "premium", status: str = LicenseStatus.ACTIVE) -> License:
    now = timezone.now()
    return License.objects.create(
        organization=organization, plan=plan, status=status, stripe_subscription_id=f"sub_test_{uuid.uuid4().hex[:14]}",
        stripe_status="active", current_period_start=now - timedelta(days=1),
        current_period_end=now + timedelta(days=29),
        activated_at=now,
    )


def make_verified_customer(*, category: str = "premium"):
    user = make_user(role="customer")
    ver = acc.organization_verification_submit(user=user, category=category, evidence="Registered company no. 42")
    acc.organization_verify(verification=ver, actor=make_admin(), reason="Checked")
    user._membership_cache = None
    return user
