"""Writes for licences, job payments, Stripe events, refunds and payouts.

`grep -n "^def " marketplace/payments/services.py` lists every action. Stripe is reached only through
`gateway`; its errors arrive here as DomainErrors (402 card declined, 503 unavailable, 502 refused).

Seams used by the tuning engineer (names and signatures are contracts):
    license_gate_check(*, organization, listing, training_tokens) -> None
    license_usage_record(*, organization, job, training_tokens) -> None
    job_payment_authorize(*, job) -> JobPayment
    job_payment_capture(*, job) -> JobPayment
    job_payment_release(*, job, reason) -> JobPayment | None
    job_payment_out(job) -> dict | None          (in selectors.py, re-exported here)
"""
from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization, OrganizationKind, User
from accounts.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed, NotFound, PaymentRequired
from core.ids import new_public_id
from core.states import check_transition

from . import gateway
from .ledger import account_balance, ledger_post
from .models import (
    ACCOUNT_CUSTOMER_PAYMENTS,
    ACCOUNT_PAYOUTS,
    ACCOUNT_PLATFORM_FEES,
    JOB_PAYMENT_TRANSITIONS,
    LICENSE_TRANSITIONS,
    LIVE_LICENSE_STATUSES,
    BillingCustomer,
    JobPayment,
    JobPaymentStatus,
    LedgerKind,
    License,
    LicenseStatus,
    LicenseStatusChange,
    LicenseUsage,
    PaymentRefund,
    PayoutAccount,
    PayoutStatus,
    ProviderPayout,
    StripeEvent,
    provider_account,
)
from .plans import LICENSE_PLANS, LicensePlan, plan_get
from .selectors import job_payment_out, license_current, license_usage_in_period  # noqa: F401  (seam re-export)

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


def _ts(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _require_customer_org(organization: Organization | None) -> Organization:
    if organization is None or organization.kind != OrganizationKind.CUSTOMER:
        raise NotAllowed("Only customer organisations hold licences and payment methods.", code="not_a_customer")
    return organization


# --- billing customers and payment methods -------------------------------------------------------
def billing_customer_ensure(*, organization: Organization) -> BillingCustomer:
    """The organisation's Stripe customer, created once on first need.

    Not one transaction on purpose: the Stripe customer is kept even if what follows fails (a declined
    card), and the deterministic idempotency key makes a concurrent or retried creation return the same
    customer on Stripe.
    """
    existing = BillingCustomer.objects.filter(organization=organization).first()
    if existing is not None:
        return existing
    cus = gateway.customer_create(
        name=organization.name, email=None, metadata={"tm_org": organization.public_id},
        idempotency_key=f"customer-{organization.public_id}",
    )
    try:
        with transaction.atomic():
            return BillingCustomer.objects.create(organization=organization, stripe_customer_id=cus.id)
    except IntegrityError:
        return BillingCustomer.objects.get(organization=organization)


def billing_payment_method_set(
    *, organization: Organization, payment_method: str, actor: User | None
) -> BillingCustomer:
    """Attach a payment method to the organisation's customer and make it the default for invoices."""
    _require_customer_org(organization)
    customer = billing_customer_ensure(organization=organization)
    pm = gateway.payment_method_attach(payment_method=payment_method, customer=customer.stripe_customer_id)
    gateway.customer_set_default_payment_method(customer=customer.stripe_customer_id, payment_method=pm.id)
    card = pm.get("card") or {}
    with transaction.atomic():
        customer = BillingCustomer.objects.select_for_update().get(pk=customer.pk)
        customer.default_payment_method = pm.id
        customer.card_brand = str(card.get("brand") or "")[:20]
        customer.card_last4 = str(card.get("last4") or "")[:4]
        customer.save(update_fields=["default_payment_method", "card_brand", "card_last4", "updated_at"])
        audit_record(action="billing.payment_method_set", actor=actor, organization=organization, target=customer,
                     payment_method=pm.id, last4=customer.card_last4)
    return customer


# --- licences ---------------------------------------------------------------------------------
_STRIPE_TO_LICENSE = {
    "active": LicenseStatus.ACTIVE,
    "trialing": LicenseStatus.ACTIVE,
    "past_due": LicenseStatus.PAST_DUE,
    "unpaid": LicenseStatus.PAST_DUE,
    "canceled": LicenseStatus.ENDED,
    "incomplete_expired": LicenseStatus.ENDED,
    # "incomplete" (first payment not done yet) and "paused" leave the licence as it is.
}


def _license_sync(*, license: License, subscription, reason: str, actor: User | None = None,
                  stripe_event_id: str = "") -> License:
    """Make a (locked) licence follow the subscription's own state, whatever order events came in."""
    start, end = gateway.subscription_period(subscription)
    license.stripe_status = str(subscription.get("status") or "")
    license.current_period_start = _ts(start) or license.current_period_start
    license.current_period_end = _ts(end) or license.current_period_end
    license.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    target = _STRIPE_TO_LICENSE.get(license.stripe_status)
    if target is not None and target != license.status:
        if target in LICENSE_TRANSITIONS[license.status]:
            check_transition(entity="licence", allowed=LICENSE_TRANSITIONS, current=license.status, to=target)
            LicenseStatusChange.objects.create(
                license=license, from_status=license.status, to_status=target, reason=reason,
                stripe_event_id=stripe_event_id, actor=actor,
            )
            license.status = target
            now = timezone.now()
            if target == LicenseStatus.ACTIVE and license.activated_at is None:
                license.activated_at = now
            if target == LicenseStatus.ENDED:
                license.ended_at = _ts(subscription.get("ended_at")) or now
        else:
            # Stripe never revives a cancelled subscription; a stale object must not either.
            logger.warning("licence %s: ignoring %s -> %s (%s)", license.public_id, license.status, target, reason)
    license.save()
    return license


def license_subscribe(*, organization: Organization, plan: str, actor: User | None) -> License:
    """Subscribe the organisation to a plan, charging its default payment method now.

    A declined first payment gives a 402 and leaves nothing behind: the incomplete Stripe subscription
    is cancelled and no licence row is kept.
    """
    _require_customer_org(organization)
    definition = plan_get(plan)
    if definition is None:
        raise DomainError(f"Unknown plan '{plan}'. Choose one of: {', '.join(LICENSE_PLANS)} (GET /v1/licenses/plans).",
                          param="plan", code="unknown_plan")
    _require_subscriber_verification(organization, definition)
    with transaction.atomic():
        # Serialises subscriptions per organisation: a double click cannot open two subscriptions.
        customer = BillingCustomer.objects.select_for_update().filter(organization=organization).first()
        if customer is None or not customer.default_payment_method:
            raise PaymentRequired("Add a payment method first: POST /v1/billing/payment_methods.",
                                  param="payment_method", code="payment_method_required")
        live = License.objects.filter(organization=organization, status__in=LIVE_LICENSE_STATUSES).first()
        if live is not None:
            raise Conflict(
                f"This organisation already has a {live.plan_definition.name} licence ({live.status}). "
                "Cancel it (POST /v1/licenses/current/cancel) and subscribe again when it has ended.",
                param="plan", code="license_exists",
            )
        sub = gateway.subscription_create(
            customer=customer.stripe_customer_id, plan_id=definition.stripe_plan_id,
            metadata={"tm_org": organization.public_id, "tm_plan": definition.key},
            idempotency_key=f"subscribe-{organization.public_id}-{uuid.uuid4().hex}",
        )
        if sub.get("status") not in ("active", "trialing"):
            _subscription_discard(sub.id)
            raise gateway.CardDeclined(
                f"The first payment for the {definition.name} licence was declined (subscription {sub.get('status')}). "
                "No licence was created. Use another card: POST /v1/billing/payment_methods.",
                param="payment_method",
            )
        license, _ = License.objects.get_or_create(
            stripe_subscription_id=sub.id,
            defaults={"organization": organization, "plan": definition.key, "created_by": actor},
        )
        license = License.objects.select_for_update().get(pk=license.pk)
        license = _license_sync(license=license, subscription=sub, reason="Subscribed", actor=actor)
        audit_record(action="license.subscribed", actor=actor, organization=organization, target=license,
                     plan=definition.key, subscription=sub.id)
    return license


def _subscription_discard(subscription_id: str) -> None:
    try:
        gateway.subscription_cancel_now(subscription_id)
    except DomainError:
        # Leave a trace: an operator must cancel it by hand (it is incomplete: it charges nothing).
        logger.exception("could not cancel incomplete subscription %s", subscription_id)


def _require_subscriber_verification(organization: Organization, plan: LicensePlan) -> None:
    if not plan.subscriber_verification:
        return
    if organization.is_verified and organization.verification_category in plan.subscriber_verification:
        return
    raise NotAllowed(
        f"The {plan.name} plan is for organisations verified as {' or '.join(plan.subscriber_verification)}. "
        "Request verification: POST /v1/organization/verification.",
        param="plan", code="verification_required",
    )


def license_cancel(*, license: License, actor: User | None, reason: str = "") -> License:
    """Cancel at the end of the paid period; the licence stays active until Stripe ends it."""
    with transaction.atomic():
        license = License.objects.select_for_update().get(pk=license.pk)
        if license.status == LicenseStatus.ENDED:
            raise Conflict("This licence has already ended.", code="license_ended")
        if license.cancel_at_period_end:
            return license
        sub = gateway.subscription_cancel_at_period_end(license.stripe_subscription_id)
        license = _license_sync(license=license, subscription=sub, reason=reason or "Cancelled at period end",
                                actor=actor)
        audit_record(action="license.cancel_requested", actor=actor, organization=license.organization,
                     target=license, reason=reason)
    return license


def license_refresh(*, subscription_id: str, reason: str, stripe_event_id: str = "") -> License | None:
    """Re-read a subscription from Stripe and make its licence follow it (creating it if our request was lost)."""
    try:
        sub = gateway.subscription_retrieve(subscription_id)
    except gateway.PaymentProviderError as exc:
        if gateway.is_not_found(exc):
            return None
        raise
    with transaction.atomic():
        license = License.objects.select_for_update().filter(stripe_subscription_id=subscription_id).first()
        if license is None:
            license = _license_from_subscription(sub)
            if license is None:
                return None
        return _license_sync(license=license, subscription=sub, reason=reason, stripe_event_id=stripe_event_id)


def _license_from_subscription(sub) -> License | None:
    """A licence for a subscription we created but never recorded (the request died after Stripe answered)."""
    if _STRIPE_TO_LICENSE.get(sub.get("status")) not in (LicenseStatus.ACTIVE, LicenseStatus.PAST_DUE):
        return None  # declined, incomplete or already over: nothing to provision
    metadata = sub.get("metadata") or {}
    org = Organization.objects.filter(public_id=metadata.get("tm_org") or "").first()
    plan = metadata.get("tm_plan")
    if org is None or plan not in LICENSE_PLANS:
        return None
    try:
        with transaction.atomic():
            license, _ = License.objects.get_or_create(
                stripe_subscription_id=sub.id, defaults={"organization": org, "plan": plan}
            )
    except IntegrityError:
        logger.error("subscription %s: organisation %s already has another live licence", sub.id, org.public_id)
        return None
    return License.objects.select_for_update().get(pk=license.pk)


# --- the licence gate ----------------------------------------------------------------------------
class LicenseRequired(PaymentRequired):
    code = "license_required"


class QuotaExhausted(PaymentRequired):
    code = "quota_exhausted"


def license_gate_check(*, organization: Organization, listing, training_tokens: int,
                       dataset_bytes: int | None = None, technique: str | None = None) -> None:
    """Raise a DomainError naming what is missing for this organisation to buy a job on this listing.

    Checks: an active licence; the plan covers the listing's technique(s) and domain; medical and HR
    need a verified organisation; quota left this period (jobs, training tokens); the dataset size.
    It never changes a job, and nothing here can skip safety review or the release gate.
    """
    license = License.objects.filter(organization=organization, status__in=LIVE_LICENSE_STATUSES).first()
    _gate_license_usable(license)
    plan = license.plan_definition
    techniques = [technique] if technique else list(listing.techniques or [])
    missing = [t for t in techniques if t not in plan.techniques]
    if missing:
        better = _plans_covering(techniques=missing)
        raise NotAllowed(
            f"The {plan.name} plan does not include {', '.join(missing)}, which this listing uses."
            + (f" Plans that do: {', '.join(better)}." if better else ""),
            param="listing", code="plan_excludes_technique",
        )
    if listing.domain not in plan.domains:
        better = _plans_covering(domain=listing.domain)
        raise NotAllowed(
            f"The {plan.name} plan does not include the {listing.domain} domain."
            + (f" Plans that do: {', '.join(better)}." if better else ""),
            param="listing", code="plan_excludes_domain",
        )
    if listing.domain in plan.verified_domains and not organization.is_verified:
        raise NotAllowed(
            f"The {listing.domain} domain needs a verified organisation. "
            "Request verification: POST /v1/organization/verification.",
            param="listing", code="verification_required",
        )
    if dataset_bytes is not None and dataset_bytes > plan.max_dataset_bytes:
        raise NotAllowed(
            f"The training file is {dataset_bytes} bytes; the {plan.name} plan allows up to {plan.max_dataset_bytes}.",
            param="training_file", code="plan_dataset_limit",
        )
    _quota_check(license, plan, training_tokens)


def _gate_license_usable(license: License | None) -> None:
    if license is None or license.status == LicenseStatus.PENDING:
        raise LicenseRequired(
            "An active licence is required to create tuning jobs. "
            "Subscribe: POST /v1/licenses (plans: GET /v1/licenses/plans).",
        )
    if license.status == LicenseStatus.PAST_DUE:
        raise PaymentRequired(
            "The licence's last payment failed, so it is past due. Update the card (POST /v1/billing/payment_methods).",
            code="license_past_due",
        )


def _quota_check(license: License, plan: LicensePlan, training_tokens: int, *, job_id: int | None = None) -> None:
    jobs_used, tokens_used = license_usage_in_period(license, exclude_job_id=job_id)
    if jobs_used >= plan.jobs_per_period:
        raise QuotaExhausted(
            f"The {plan.name} plan's quota of {plan.jobs_per_period} jobs this period is used up.", param="jobs",
        )
    if tokens_used + max(int(training_tokens), 0) > plan.training_tokens_per_period:
        left = max(plan.training_tokens_per_period - tokens_used, 0)
        raise QuotaExhausted(
            f"This job needs {training_tokens} training tokens; {left} of the {plan.name} plan's "
            f"{plan.training_tokens_per_period} are left this period.",
            param="training_tokens",
        )


def _plans_covering(*, techniques: list[str] | None = None, domain: str | None = None) -> list[str]:
    names = []
    for plan in LICENSE_PLANS.values():
        if techniques and not all(t in plan.techniques for t in techniques):
            continue
        if domain and domain not in plan.domains:
            continue
        names.append(plan.name)
    return names


@transaction.atomic
def license_usage_record(*, organization: Organization, job, training_tokens: int) -> None:
    """Record the training tokens a job counts against the licence: one row per job, updated on a later call.

    Before training starts (job.started_at is None) this is an admission check: the quota is re-checked
    under the licence's row lock, so two jobs ordered at once cannot both take the last slot. After
    training (the actual tokens) it never refuses: the work is done, and only the numbers are recorded,
    against the organisation's latest licence if the live one has since lapsed.
    """
    tokens = max(int(training_tokens), 0)
    admission = job.started_at is None
    license = (
        License.objects.select_for_update()
        .filter(organization=organization, status__in=LIVE_LICENSE_STATUSES)
        .first()
    )
    if admission:
        _gate_license_usable(license)
    elif license is None:
        license = License.objects.filter(organization=organization).order_by("-created_at", "-id").first()
        if license is None:
            logger.warning("job %s trained %s tokens for %s, which never had a licence", job.pk, tokens, organization)
            return
    usage = LicenseUsage.objects.select_for_update().filter(job_id=job.pk).first()
    if usage is not None:
        if usage.training_tokens != tokens:
            usage.training_tokens = tokens
            usage.save(update_fields=["training_tokens"])
        return
    if admission:
        _quota_check(license, license.plan_definition, tokens, job_id=job.pk)
    LicenseUsage.objects.create(license=license, job_id=job.pk, training_tokens=tokens)


def _usage_release_if_untrained(job) -> None:
    """A job that never started training gives its quota back."""
    if job.started_at is None:
        LicenseUsage.objects.filter(job_id=job.pk, released_at__isnull=True).update(released_at=timezone.now())


# --- job payments ---------------------------------------------------------------------------
def _payment_move(payment: JobPayment, to: str) -> None:
    check_transition(entity="job payment", allowed=JOB_PAYMENT_TRANSITIONS, current=payment.status, to=to)
    payment.status = to


def _authorize_key(job) -> str:
    return f"job-{job.public_id}-authorize"


@transaction.atomic
def job_payment_authorize(*, job) -> JobPayment:
    """Hold the listing's price on the organisation's default card (manual capture), once per job.

    The job row is locked, so concurrent or retried calls for one job wait and then find the JobPayment;
    the deterministic idempotency key (`job-<public_id>-authorize`) also makes Stripe return the same
    PaymentIntent if a request is retried after a network failure.
    """
    from tuning.models import FineTuningJob

    job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
    existing = JobPayment.objects.filter(job=job).first()
    if existing is not None:
        return existing
    listing = job.listing
    amount, currency = int(listing.price_amount), listing.price_currency.lower()
    common = {"job": job, "organization_id": job.organization_id, "provider_id": job.provider_id, "amount": amount,
              "currency": currency, "platform_fee_bps": platform_fee_bps(), "idempotency_key": _authorize_key(job)}
    if amount == 0:
        return JobPayment.objects.create(status=JobPaymentStatus.NOT_REQUIRED, **common)
    customer = BillingCustomer.objects.filter(organization_id=job.organization_id).first()
    if customer is None or not customer.default_payment_method:
        raise PaymentRequired("Add a payment method before buying a tuning job: POST /v1/billing/payment_methods.",
                              param="payment_method", code="payment_method_required")
    pi = gateway.payment_intent_authorize(
        amount=amount, currency=currency, customer=customer.stripe_customer_id,
        payment_method=customer.default_payment_method,
        metadata={"tm_job": job.public_id, "tm_org": job.organization.public_id,
                  "tm_provider": job.provider.public_id, "tm_listing": listing.public_id},
        idempotency_key=_authorize_key(job),
    )
    if pi.get("status") != "requires_capture":
        try:
            gateway.payment_intent_cancel(pi.id, idempotency_key=f"job-{job.public_id}-authorize-abandon")
        except DomainError:
            logger.exception("could not cancel unusable payment intent %s", pi.id)
        raise PaymentRequired(
            f"The card could not be held for this job (payment {pi.get('status')}); it may need the cardholder's "
            "authentication. Use another card: POST /v1/billing/payment_methods.",
            param="payment_method", code="authorization_failed",
        )
    payment = JobPayment.objects.create(
        status=JobPaymentStatus.AUTHORIZED, stripe_payment_intent_id=pi.id, authorized_at=timezone.now(), **common
    )
    return payment


def _record_capture(payment: JobPayment, amount: int) -> None:
    _payment_move(payment, JobPaymentStatus.CAPTURED)
    fee = amount * payment.platform_fee_bps // 10_000
    payment.captured_amount = amount
    payment.platform_fee_amount = fee
    payment.captured_at = timezone.now()
    payment.save(update_fields=["status", "captured_amount", "platform_fee_amount", "captured_at", "updated_at"])
    ledger_post(
        key=f"capture:{payment.public_id}", kind=LedgerKind.CAPTURE, currency=payment.currency, job_payment=payment,
        memo=f"Capture for {payment.job.public_id}",
        entries=[
            (ACCOUNT_CUSTOMER_PAYMENTS, -amount),
            (provider_account(payment.provider), amount - fee),
            (ACCOUNT_PLATFORM_FEES, fee),
        ],
    )


def _record_release(payment: JobPayment, reason: str) -> None:
    _payment_move(payment, JobPaymentStatus.RELEASED)
    payment.released_at = timezone.now()
    payment.release_reason = reason
    payment.save(update_fields=["status", "released_at", "release_reason", "updated_at"])


def _payment_follow_intent(payment: JobPayment, pi, reason: str) -> str:
    """Bring an authorised (locked) payment in line with its PaymentIntent's own state."""
    status = pi.get("status")
    if payment.status != JobPaymentStatus.AUTHORIZED:
        return f"payment already {payment.status}"
    if status == "succeeded":
        _record_capture(payment, int(pi.get("amount_received") or pi["amount"]))
        return "captured"
    if status == "canceled":
        _record_release(payment, reason)
        return "released"
    return f"payment intent {status}: nothing to do"


@transaction.atomic
def job_payment_capture(*, job) -> JobPayment:
    """Capture the hold (the customer accepted delivery, or the auto-capture window passed). Idempotent."""
    payment = JobPayment.objects.select_for_update().select_related("job", "provider").filter(job_id=job.pk).first()
    if payment is None:
        raise Conflict("This job has no payment to capture.", code="no_payment")
    if payment.status in (JobPaymentStatus.CAPTURED, JobPaymentStatus.PARTIALLY_REFUNDED,
                          JobPaymentStatus.REFUNDED, JobPaymentStatus.NOT_REQUIRED):
        return payment
    if payment.status == JobPaymentStatus.RELEASED:
        raise Conflict("The hold for this job was released; there is nothing to capture.", code="payment_released")
    pi = gateway.payment_intent_retrieve(payment.stripe_payment_intent_id)
    if pi.get("status") == "requires_capture":
        pi = gateway.payment_intent_capture(payment.stripe_payment_intent_id,
                                            idempotency_key=f"job-{payment.job.public_id}-capture")
    result = _payment_follow_intent(payment, pi, reason="The hold expired or was cancelled at Stripe before capture.")
    if result == "released":
        logger.error("job %s: hold %s was gone at capture time", payment.job.public_id,
                     payment.stripe_payment_intent_id)
    elif payment.status == JobPaymentStatus.AUTHORIZED:
        raise gateway.PaymentProviderError(f"The payment could not be captured ({result}).")
    return payment


@transaction.atomic
def job_payment_release(*, job, reason: str) -> JobPayment | None:
    """Release the hold (provider declined, review rejected, job failed or blocked, cancelled before training).

    A no-op (returning None) when the job has no payment, and returning the payment unchanged when there
    is no hold left to release. A job that never trained also gets its licence quota back.
    """
    _usage_release_if_untrained(job)
    payment = JobPayment.objects.select_for_update().select_related("job", "provider").filter(job_id=job.pk).first()
    if payment is None:
        return None
    if payment.status != JobPaymentStatus.AUTHORIZED:
        return payment
    pi = gateway.payment_intent_retrieve(payment.stripe_payment_intent_id)
    if pi.get("status") in ("requires_capture", "requires_confirmation", "requires_action", "requires_payment_method"):
        pi = gateway.payment_intent_cancel(payment.stripe_payment_intent_id,
                                           idempotency_key=f"job-{payment.job.public_id}-release")
    result = _payment_follow_intent(payment, pi, reason=reason or "Released")
    if result == "captured":
        logger.error("job %s: asked to release a hold that was already captured; refund it from the admin",
                     payment.job.public_id)
    return payment


@transaction.atomic
def job_payment_refund(*, payment: JobPayment, amount: int | None, reason: str, actor: User | None) -> PaymentRefund:
    """Refund all or part of a captured payment (admin), posting the reversal to the ledger."""
    payment = JobPayment.objects.select_for_update().select_related("job", "provider").get(pk=payment.pk)
    if not (reason or "").strip():
        raise DomainError("A reason is required to refund.", param="reason", code="reason_required")
    if payment.status not in (JobPaymentStatus.CAPTURED, JobPaymentStatus.PARTIALLY_REFUNDED):
        raise Conflict(f"Only a captured payment can be refunded; this one is {payment.status}.", code="not_refundable")
    refundable = payment.captured_amount - payment.refunded_amount
    amount = refundable if amount is None else int(amount)
    if not 0 < amount <= refundable:
        raise DomainError(f"The refund must be between 1 and {refundable} (minor units).", param="amount",
                          code="invalid_amount")
    number = payment.refunds.count() + 1
    stripe_refund = gateway.refund_create(
        payment_intent=payment.stripe_payment_intent_id, amount=amount,
        metadata={"tm_payment": payment.public_id, "tm_job": payment.job.public_id, "reason": reason[:400]},
        idempotency_key=f"{payment.public_id}-refund-{number}",
    )
    refund = PaymentRefund.objects.create(payment=payment, amount=amount, currency=payment.currency, reason=reason,
                                          actor=actor, stripe_refund_id=stripe_refund.id)
    # The platform gives back its fee in proportion; computed on running totals so rounding never drifts.
    new_total = payment.refunded_amount + amount
    fee_back = (payment.platform_fee_amount * new_total // payment.captured_amount
                - payment.platform_fee_amount * payment.refunded_amount // payment.captured_amount)
    ledger_post(
        key=f"refund:{refund.public_id}", kind=LedgerKind.REFUND, currency=payment.currency, job_payment=payment,
        refund=refund, memo=f"Refund for {payment.job.public_id}: {reason}",
        entries=[
            (ACCOUNT_CUSTOMER_PAYMENTS, amount),
            (provider_account(payment.provider), -(amount - fee_back)),
            (ACCOUNT_PLATFORM_FEES, -fee_back),
        ],
    )
    _payment_move(payment, JobPaymentStatus.REFUNDED if new_total == payment.captured_amount
                  else JobPaymentStatus.PARTIALLY_REFUNDED)
    payment.refunded_amount = new_total
    payment.save(update_fields=["status", "refunded_amount", "updated_at"])
    audit_record(action="payment.refunded", actor=actor, organization=payment.organization, target=payment,
                 amount=amount, currency=payment.currency, reason=reason, refund=refund.public_id)
    return refund


def job_payment_renew_hold(*, payment: JobPayment, now: datetime | None = None) -> str:
    """Place a fresh hold for a job that is still running when its hold nears Stripe's seven-day limit.

    The new hold is placed and recorded first (one transaction), and only then is the old one cancelled, so
    the job is never without a hold, and the webhook for the cancelled intent finds no payment that uses it.
    A declined renewal keeps the old hold (valid until it lapses) and is reported; nothing else changes.
    """
    now = now or timezone.now()
    with transaction.atomic():
        payment = JobPayment.objects.select_for_update().select_related("job", "organization").get(pk=payment.pk)
        if payment.status != JobPaymentStatus.AUTHORIZED or payment.authorized_at is None or (
                payment.authorized_at > now - timedelta(days=hold_renew_days())):
            return "not_due"
        customer = BillingCustomer.objects.filter(organization_id=payment.organization_id).first()
        old_intent = payment.stripe_payment_intent_id
        key = f"job-{payment.job.public_id}-renew-{int(payment.authorized_at.timestamp())}"
        if customer is None or not customer.default_payment_method:
            return "no_card"
        pi = gateway.payment_intent_authorize(
            amount=payment.amount, currency=payment.currency, customer=customer.stripe_customer_id,
            payment_method=customer.default_payment_method,
            metadata={"tm_job": payment.job.public_id, "tm_org": payment.organization.public_id,
                      "tm_renews": old_intent},
            idempotency_key=key,
        )
        if pi.get("status") != "requires_capture":
            try:
                gateway.payment_intent_cancel(pi.id, idempotency_key=f"{key}-abandon")
            except DomainError:
                logger.exception("could not cancel the unusable renewal %s", pi.id)
            audit_record(action="job_payment.hold_renewal_failed", actor=None, organization=payment.organization,
                         target=payment, old_intent=old_intent, status=str(pi.get("status")))
            return "declined"
        payment.stripe_payment_intent_id, payment.authorized_at = pi.id, now
        payment.save(update_fields=["stripe_payment_intent_id", "authorized_at"])
        audit_record(action="job_payment.hold_renewed", actor=None, organization=payment.organization,
                     target=payment, old_intent=old_intent, new_intent=pi.id)
    try:
        gateway.payment_intent_cancel(old_intent, idempotency_key=f"{key}-release-old")
    except DomainError:  # it lapses on its own within a day; the job's hold is the new one
        logger.exception("job %s: could not cancel the replaced hold %s", payment.job.public_id, old_intent)
    return "renewed"


def job_payments_capture_due(*, now: datetime | None = None) -> dict:
    """The periodic sweep: capture holds N days after delivery, release holds of jobs that ended badly, and
    renew holds that near Stripe's seven-day limit while their job is still on its way."""
    from tuning.models import JobStatus

    now = now or timezone.now()
    cutoff = now - timedelta(days=auto_capture_days())
    done = {"captured": 0, "released": 0, "renewed": 0, "errors": 0}
    due = JobPayment.objects.filter(
        status=JobPaymentStatus.AUTHORIZED, job__status=JobStatus.SUCCEEDED, job__finished_at__lte=cutoff
    ).select_related("job")
    for payment in due:
        try:
            job_payment_capture(job=payment.job)
            done["captured"] += 1
        except DomainError:
            logger.exception("auto-capture failed for %s", payment.public_id)
            done["errors"] += 1
    ended = JobPayment.objects.filter(
        status=JobPaymentStatus.AUTHORIZED,
        job__status__in=[JobStatus.BLOCKED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REJECTED],
    ).select_related("job")
    for payment in ended:
        try:
            job_payment_release(job=payment.job, reason=f"The job ended as {payment.job.status}.")
            done["released"] += 1
        except DomainError:
            logger.exception("release failed for %s", payment.public_id)
            done["errors"] += 1
    # Holds of jobs still on their way (or delivered, not yet accepted) that near Stripe's seven days.
    ageing = JobPayment.objects.filter(
        status=JobPaymentStatus.AUTHORIZED, authorized_at__lte=now - timedelta(days=hold_renew_days()),
    ).exclude(job__status__in=[JobStatus.BLOCKED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.REJECTED])
    for payment in ageing:
        try:
            outcome = job_payment_renew_hold(payment=payment, now=now)
        except DomainError:
            logger.exception("renewing the hold of %s failed", payment.public_id)
            outcome = "error"
        if outcome == "renewed":
            done["renewed"] += 1
        elif outcome != "not_due":
            done["errors"] += 1
    return done


def job_payment_refresh(*, payment_intent_id: str, reason: str) -> str:
    """Re-read a PaymentIntent and make its JobPayment follow it (a capture or cancel done on Stripe's side)."""
    with transaction.atomic():
        payment = (JobPayment.objects.select_for_update().select_related("job", "provider")
                   .filter(stripe_payment_intent_id=payment_intent_id).first())
        if payment is None:
            return "unknown payment intent"
        if payment.status != JobPaymentStatus.AUTHORIZED:
            return f"payment already {payment.status}"
        pi = gateway.payment_intent_retrieve(payment_intent_id)
        return _payment_follow_intent(payment, pi, reason=reason)


# --- payouts ----------------------------------------------------------------------------------
def provider_balance(*, provider: Organization, currency: str = "usd") -> int:
    return account_balance(account=provider_account(provider), currency=currency.lower())


@transaction.atomic
def payout_account_set(*, organization: Organization, stripe_account_id: str, actor: User | None) -> PayoutAccount:
    if organization.kind != OrganizationKind.PROVIDER:
        raise NotAllowed("Only provider organisations receive payouts.", code="not_a_provider")
    if not stripe_account_id.startswith("acct_"):
        raise DomainError("A Stripe Connect account id starts with acct_.", param="stripe_account_id",
                          code="invalid_account")
    account, _ = PayoutAccount.objects.update_or_create(organization=organization,
                                                        defaults={"stripe_account_id": stripe_account_id})
    audit_record(action="payout.account_set", actor=actor, organization=organization, target=account,
                 stripe_account_id=stripe_account_id)
    return account


@transaction.atomic
def provider_payout_create(*, provider: Organization, actor: User | None, currency: str = "usd",
                           amount: int | None = None) -> ProviderPayout:
    """Pay a provider's balance (or part of it) to their Stripe Connect account, through the payout adapter."""
    from .payouts import payouts_adapter

    currency = currency.lower()
    account = PayoutAccount.objects.select_for_update().filter(organization=provider).first()
    if account is None:
        raise Conflict(f"{provider} has no Stripe Connect account for payouts yet.", code="payout_account_missing")
    balance = provider_balance(provider=provider, currency=currency)
    amount = balance if amount is None else int(amount)
    if not 0 < amount <= balance:
        raise DomainError(f"The payout must be between 1 and the balance ({balance} {currency}).", param="amount",
                          code="invalid_amount")
    public_id = new_public_id("pout_")
    transfer = payouts_adapter().transfer(
        amount=amount, currency=currency, destination=account.stripe_account_id,
        metadata={"tm_payout": public_id, "tm_provider": provider.public_id},
        idempotency_key=f"payout-{public_id}",
    )
    payout = ProviderPayout.objects.create(
        public_id=public_id, provider=provider, amount=amount, currency=currency,
        destination=account.stripe_account_id, status=PayoutStatus.PAID, transfer_id=transfer["id"], actor=actor,
    )
    ledger_post(
        key=f"payout:{payout.public_id}", kind=LedgerKind.PAYOUT, currency=currency, payout=payout,
        memo=f"Payout to {account.stripe_account_id}",
        entries=[(provider_account(provider), -amount), (ACCOUNT_PAYOUTS, amount)],
    )
    audit_record(action="payout.created", actor=actor, organization=provider, target=payout, amount=amount,
                 currency=currency, transfer=transfer["id"])
    return payout


# --- Stripe events ----------------------------------------------------------------------------
def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    """Verify, store once, and queue processing after commit. Returns (event, created)."""
    from .tasks import stripe_event_process_task

    data = gateway.webhook_event_construct(payload=payload, signature=signature)
    obj = (data.get("data") or {}).get("object") or {}
    with transaction.atomic():
        event, created = StripeEvent.objects.get_or_create(
            event_id=str(data["id"]),
            defaults={"type": str(data["type"]), "object_id": str(obj.get("id") or "")[:100], "payload": data},
        )
        if event.processed_at is None:
            stripe_event_process_task.delay_on_commit(event_pk=event.pk)
    return event, created


def stripe_event_process(*, event_pk: int) -> str:
    """Apply one stored event, once: a row lock plus processed_at make concurrent and repeated runs no-ops."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at is not None:
            return "already processed"
        result = _event_apply(event)
        event.processed_at = timezone.now()
        event.result = result[:200]
        event.save(update_fields=["processed_at", "result"])
    return result


def _event_apply(event: StripeEvent) -> str:
    obj = (event.payload.get("data") or {}).get("object") or {}
    reason = f"Stripe event {event.type}"
    if event.type.startswith("customer.subscription."):
        license = license_refresh(subscription_id=obj["id"], reason=reason, stripe_event_id=event.event_id)
        return f"licence {license.public_id} {license.status}" if license else "no licence for this subscription"
    if event.type.startswith("invoice."):
        sub_id = gateway.invoice_subscription_id(obj)
        if not sub_id:
            return "invoice without subscription: ignored"
        license = license_refresh(subscription_id=sub_id, reason=reason, stripe_event_id=event.event_id)
        return f"licence {license.public_id} {license.status}" if license else "no licence for this subscription"
    if event.type.startswith("payment_intent."):
        return job_payment_refresh(payment_intent_id=obj["id"], reason=reason)
    return "ignored"


# --- for the API -----------------------------------------------------------------------------
def license_for_request(*, organization: Organization | None) -> License:
    license = license_current(organization=organization) if organization else None
    if license is None:
        raise NotFound("This organisation has no licence. Subscribe: POST /v1/licenses.", code="no_license")
    return license

