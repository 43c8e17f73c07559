"""Job payments: hold the listing's price on the card, capture on delivery, release, refund, renew holds."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from core.errors import Conflict, DomainError, PaymentRequired
from core.states import transition
from notifications.services import notify

from .. import gateway
from ..ledger import ledger_post
from ..models import (
    ACCOUNT_CUSTOMER_PAYMENTS,
    ACCOUNT_PLATFORM_FEES,
    JOB_PAYMENT_TRANSITIONS,
    BillingCustomer,
    JobPayment,
    JobPaymentStatus,
    LedgerKind,
    PaymentRefund,
    provider_account,
)
from .common import auto_capture_days, hold_renew_days, logger, platform_fee_bps
from .licences import _usage_release_if_untrained


# --- job payments ---------------------------------------------------------------------------
def _payment_move(payment: JobPayment, to: str, *, reason: str = "", actor: User | None = None, **updates) -> None:
    transition(payment, to=to, allowed=JOB_PAYMENT_TRANSITIONS, entity="job payment", actor=actor, reason=reason,
               updates=updates)


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
    fee = amount * payment.platform_fee_bps // 10_000
    _payment_move(payment, JobPaymentStatus.CAPTURED, reason="captured", captured_amount=amount,
                  platform_fee_amount=fee, captured_at=timezone.now())
    ledger_post(
        key=f"capture:{payment.public_id}", kind=LedgerKind.CAPTURE, currency=payment.currency, job_payment=payment,
        memo=f"Capture for {payment.job.public_id}",
        entries=[
            (ACCOUNT_CUSTOMER_PAYMENTS, -amount),
            (provider_account(payment.provider), amount - fee),
            (ACCOUNT_PLATFORM_FEES, fee),
        ],
    )
    _notify_captured(payment, amount=amount, fee=fee)


def _notify_captured(payment: JobPayment, *, amount: int, fee: int) -> None:
    """The provider's members hear of the capture (after the commit, once: the payment is the event)."""
    job = payment.job
    notify("payment_captured", obj=payment, organization=payment.provider, context={
        "job": job.public_id, "listing": job.listing.title, "amount": _money(amount, payment.currency),
        "earned": _money(amount - fee, payment.currency),
        "url": settings.TUNEMARKET_SITE_URL + "/dashboard/provider/",
    })


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:,.2f} {currency.upper()}"


def _record_release(payment: JobPayment, reason: str) -> None:
    _payment_move(payment, JobPaymentStatus.RELEASED, reason=reason, released_at=timezone.now(), release_reason=reason)


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
                  else JobPaymentStatus.PARTIALLY_REFUNDED, reason=reason, actor=actor, refunded_amount=new_total)
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
