"""The payout adapter: how money leaves the platform for a provider.

The production adapter sends a Stripe Connect transfer (`POST /v1/transfers` with `destination=acct_…`)
through the gateway. localstripe has no Connect, so tests swap in a fake at this boundary
(`PAYMENTS_PAYOUT_ADAPTER`) and check the Stripe adapter at the SDK's HTTP boundary instead
(tests/payments/test_payouts.py). See docs/payments.md.
"""
from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from . import gateway


class PayoutAdapter(Protocol):
    def transfer(self, *, amount: int, currency: str, destination: str, metadata: dict,
                 idempotency_key: str) -> dict:
        """Send `amount` to `destination`; return at least {"id": <transfer id>}. Raise DomainError on failure."""


class StripeConnectPayouts:
    def transfer(self, *, amount: int, currency: str, destination: str, metadata: dict,
                 idempotency_key: str) -> dict:
        tr = gateway.transfer_create(amount=amount, currency=currency, destination=destination, metadata=metadata,
                                     idempotency_key=idempotency_key)
        return {"id": tr.id, "amount": tr.get("amount"), "destination": gateway.object_id(tr.get("destination"))}


DEFAULT_PAYOUT_ADAPTER = "payments.payouts.StripeConnectPayouts"


def payouts_adapter() -> PayoutAdapter:
    return import_string(getattr(settings, "PAYMENTS_PAYOUT_ADAPTER", DEFAULT_PAYOUT_ADAPTER))()
