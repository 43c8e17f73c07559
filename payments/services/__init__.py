"""Writes for licences, job payments, Stripe events, refunds and payouts, by sub-domain:

- `customers`: the Stripe customer and card on file;
- `licences`: subscriptions, their state, and the licence gate (`license_gate_check`, `license_usage_record`);
- `job_payments`: `job_payment_authorize`, `_capture`, `_release`, `_refund` and the hold renewals;
- `provider_payouts`: balances and payouts;
- `stripe_events`: `stripe_event_receive` (signature checked) and `stripe_event_process` (once).

Stripe is reached only through `gateway`; its errors arrive as DomainErrors (402 card declined,
503 unavailable, 502 refused). `grep -rn "^def " payments/services/` lists every action.
"""
from .common import (
    auto_capture_days,
    hold_renew_days,
    logger,
    platform_fee_bps,
)
from .customers import (
    billing_customer_ensure,
    billing_payment_method_set,
)
from .licences import (
    LicenseRequired,
    QuotaExhausted,
    license_cancel,
    license_domain_check,
    license_for_request,
    license_gate_check,
    license_refresh,
    license_subscribe,
    license_usage_record,
)
from .job_payments import (
    job_payment_authorize,
    job_payment_capture,
    job_payment_refresh,
    job_payment_refund,
    job_payment_release,
    job_payment_renew_hold,
    job_payments_capture_due,
)
from .provider_payouts import (
    payout_account_set,
    provider_balance,
    provider_payout_create,
)
from .stripe_events import (
    stripe_event_process,
    stripe_event_receive,
    stripe_events_resend_unprocessed,
)

__all__ = [
    "auto_capture_days",
    "hold_renew_days",
    "logger",
    "platform_fee_bps",
    "billing_customer_ensure",
    "billing_payment_method_set",
    "LicenseRequired",
    "QuotaExhausted",
    "license_cancel",
    "license_domain_check",
    "license_for_request",
    "license_gate_check",
    "license_refresh",
    "license_subscribe",
    "license_usage_record",
    "job_payment_authorize",
    "job_payment_capture",
    "job_payment_refresh",
    "job_payment_refund",
    "job_payment_release",
    "job_payment_renew_hold",
    "job_payments_capture_due",
    "payout_account_set",
    "provider_balance",
    "provider_payout_create",
    "stripe_event_process",
    "stripe_event_receive",
    "stripe_events_resend_unprocessed",
]
