"""Settings that every payment write reads, and the shared checks."""
from __future__ import annotations

import logging

from django.conf import settings

from accounts.models import Organization, OrganizationKind
from core.errors import NotAllowed


logger = logging.getLogger(__name__)


def platform_fee_bps() -> int:
    """The platform's fee in basis points (1500 = 15 %), fixed on each payment when it is authorised."""
    return int(getattr(settings, "PAYMENTS_PLATFORM_FEE_BPS", 1500))


def auto_capture_days() -> int:
    """Days after delivery (a succeeded job) before an unaccepted hold is captured automatically."""
    return int(getattr(settings, "PAYMENTS_AUTO_CAPTURE_DAYS", 3))


def hold_renew_days() -> float:
    """Card holds last about seven days at Stripe; a hold older than this is placed again before it lapses."""
    return float(getattr(settings, "PAYMENTS_HOLD_RENEW_DAYS", 6))


def _require_customer_org(organization: Organization | None) -> Organization:
    """Customers hold licences and cards; so do providers, which build specialist models by ordering their
    own listings as their own customer (specialists/, docs/specialists.md), paying and passing the gate alike."""
    if organization is None or organization.kind not in (OrganizationKind.CUSTOMER, OrganizationKind.PROVIDER):
        raise NotAllowed("Only customer and provider organisations hold licences and payment methods.",
                         code="not_a_customer")
    return organization
