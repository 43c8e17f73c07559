"""Test data for payments.

Jobs: `make_job` is tests.factories.JobFactory, a job row walked through tuning.services.job_transition.
That is a TEST-ONLY shortcut past ordering: `job_create` (agreements, files, the licence gate, the payment
hold) is exercised in tests/tuning; here a job row is what the payment services are called with.

Licences: `make_license` writes an active licence row without Stripe, for the gate tests that run on the
embedded default. Tests that need Stripe subscribe through the API instead.
"""
from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from django.utils import timezone

from accounts import services as acc
from payments.models import License, LicenseStatus
from tests.factories import JobFactory, ListingFactory, make_admin, make_user

_seq = itertools.count(1)

def make_listing(*, provider=None, price_amount: int = 5000, currency: str = "usd", domain: str = "customer_service",
                 techniques: tuple[str, ...] = ("supervised",)):
    """tests.factories.ListingFactory with a priced support listing."""
    fields = {"provider": provider} if provider is not None else {}
    return ListingFactory(**fields, price_amount=price_amount, price_currency=currency, domain=domain,
                          techniques=list(techniques), title=f"Support tone tuning {next(_seq)}",
                          description="LoRA SFT on your support transcripts, with an evaluation against the base model.")


def make_job(*, customer, listing, status: str = "pending_provider"):
    """tests.factories.JobFactory: a job row (test-only shortcut, see the module docstring) moved to `status`."""
    return JobFactory(customer=customer, listing=listing, status=status, use_case="A polite support assistant for our shop.")


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
