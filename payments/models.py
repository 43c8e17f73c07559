"""Licences, job payments, Stripe events and the earnings ledger.

Money is an integer count of minor units plus a currency. State fields are not editable and change
only in services.py. Ledger rows are immutable: they are written once and never updated or deleted.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Organization
from core.ids import PublicIdField

from .plans import PLAN_CHOICES


class BillingCustomer(models.Model):
    """An organisation's Stripe customer, created once, on first need."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="billing_customer")
    stripe_customer_id = models.CharField(max_length=64, unique=True, editable=False)
    default_payment_method = models.CharField(max_length=64, blank=True, editable=False)
    card_brand = models.CharField(max_length=20, blank=True, editable=False)
    card_last4 = models.CharField(max_length=4, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organization} ({self.stripe_customer_id})"


# --- licences ---------------------------------------------------------------------------------
class LicenseStatus(models.TextChoices):
    PENDING = "pending"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    ENDED = "ended"


LIVE_LICENSE_STATUSES = (LicenseStatus.PENDING, LicenseStatus.ACTIVE, LicenseStatus.PAST_DUE)

LICENSE_TRANSITIONS: dict[str, set[str]] = {
    LicenseStatus.PENDING: {LicenseStatus.ACTIVE, LicenseStatus.PAST_DUE, LicenseStatus.ENDED},
    LicenseStatus.ACTIVE: {LicenseStatus.PAST_DUE, LicenseStatus.ENDED},
    LicenseStatus.PAST_DUE: {LicenseStatus.ACTIVE, LicenseStatus.ENDED},
    LicenseStatus.ENDED: set(),
}


class License(models.Model):
    """An organisation's subscription to a plan. Its status follows the Stripe subscription."""

    public_id = PublicIdField(prefix="lic_")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="licenses")
    plan = models.CharField(max_length=30, choices=PLAN_CHOICES, editable=False)
    status = models.CharField(max_length=20, choices=LicenseStatus.choices, default=LicenseStatus.PENDING,
                              editable=False, db_index=True)
    stripe_subscription_id = models.CharField(max_length=64, unique=True, editable=False)
    stripe_status = models.CharField(max_length=30, blank=True, editable=False)
    current_period_start = models.DateTimeField(null=True, blank=True, editable=False)
    current_period_end = models.DateTimeField(null=True, blank=True, editable=False)
    cancel_at_period_end = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live licence per organisation; ended ones stay as history.
            models.UniqueConstraint(fields=["organization"], condition=~Q(status="ended"),
                                    name="license_one_live_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.get_plan_display()} ({self.status})"

    @property
    def plan_definition(self):
        from .plans import LICENSE_PLANS

        return LICENSE_PLANS[self.plan]


class LicenseStatusChange(models.Model):
    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    stripe_event_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class LicenseUsage(models.Model):
    """One job counted against a licence's quota. Released jobs that never trained give it back."""

    license = models.ForeignKey(License, on_delete=models.PROTECT, related_name="usages")
    job = models.OneToOneField("tuning.FineTuningJob", on_delete=models.PROTECT, related_name="license_usage")
    training_tokens = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    released_at = models.DateTimeField(null=True, blank=True)


# --- Stripe events ------------------------------------------------------------------------------
class StripeEvent(models.Model):
    """Each Stripe event is stored once (unique id) and processed once (processed_at, under a row lock)."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=100, blank=True, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


# --- job payments -----------------------------------------------------------------------------
class JobPaymentStatus(models.TextChoices):
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    RELEASED = "released"
    NOT_REQUIRED = "not_required"  # a free listing: nothing to hold


JOB_PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    JobPaymentStatus.AUTHORIZED: {JobPaymentStatus.CAPTURED, JobPaymentStatus.RELEASED},
    JobPaymentStatus.CAPTURED: {JobPaymentStatus.PARTIALLY_REFUNDED, JobPaymentStatus.REFUNDED},
    JobPaymentStatus.PARTIALLY_REFUNDED: {JobPaymentStatus.PARTIALLY_REFUNDED, JobPaymentStatus.REFUNDED},
    JobPaymentStatus.REFUNDED: set(),
    JobPaymentStatus.RELEASED: set(),
    JobPaymentStatus.NOT_REQUIRED: set(),
}


class JobPayment(models.Model):
    """The hold placed for a fine-tuning job, then captured, released or refunded."""

    public_id = PublicIdField(prefix="jpay_")
    job = models.OneToOneField("tuning.FineTuningJob", on_delete=models.PROTECT, related_name="job_payment")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="job_payments")
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="job_earnings")
    amount = models.PositiveIntegerField(editable=False)
    currency = models.CharField(max_length=3, editable=False)
    platform_fee_bps = models.PositiveIntegerField(editable=False, help_text="Platform fee in basis points.")
    status = models.CharField(max_length=20, choices=JobPaymentStatus.choices, editable=False, db_index=True)
    stripe_payment_intent_id = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    idempotency_key = models.CharField(max_length=120, editable=False)
    captured_amount = models.PositiveIntegerField(default=0, editable=False)
    platform_fee_amount = models.PositiveIntegerField(default=0, editable=False)
    refunded_amount = models.PositiveIntegerField(default=0, editable=False)
    release_reason = models.TextField(blank=True, editable=False)
    authorized_at = models.DateTimeField(null=True, blank=True, editable=False)
    captured_at = models.DateTimeField(null=True, blank=True, editable=False)
    released_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount / 100:.2f} {self.currency.upper()} ({self.status})"


class PaymentRefund(models.Model):
    public_id = PublicIdField(prefix="jref_")
    payment = models.ForeignKey(JobPayment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField(editable=False)
    currency = models.CharField(max_length=3, editable=False)
    reason = models.TextField(editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              editable=False)
    stripe_refund_id = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount} {self.currency}"


# --- provider payouts ---------------------------------------------------------------------------
class PayoutAccount(models.Model):
    """A provider's Stripe Connect account (acct_…), set by an admin after onboarding."""

    organization = models.OneToOneField(Organization, on_delete=models.PROTECT, related_name="payout_account")
    stripe_account_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.organization} → {self.stripe_account_id}"


class PayoutStatus(models.TextChoices):
    PAID = "paid"


class ProviderPayout(models.Model):
    public_id = PublicIdField(prefix="pout_")
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="payouts")
    amount = models.PositiveIntegerField(editable=False)
    currency = models.CharField(max_length=3, editable=False)
    destination = models.CharField(max_length=64, editable=False)
    status = models.CharField(max_length=20, choices=PayoutStatus.choices, editable=False)
    transfer_id = models.CharField(max_length=64, unique=True, editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.amount} {self.currency} → {self.provider}"


# --- the earnings ledger ------------------------------------------------------------------------
ACCOUNT_CUSTOMER_PAYMENTS = "customer_payments"
ACCOUNT_PLATFORM_FEES = "platform_fees"
ACCOUNT_PAYOUTS = "payouts"


def provider_account(organization: Organization) -> str:
    return f"provider:{organization.public_id}"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ledger rows are immutable: post a new transaction instead.")

    def delete(self):
        raise TypeError("Ledger rows are immutable: post a new transaction instead.")


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Ledger rows are immutable: post a new transaction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ledger rows are immutable: post a new transaction instead.")


class LedgerKind(models.TextChoices):
    CAPTURE = "capture"
    REFUND = "refund"
    PAYOUT = "payout"


class LedgerTransaction(ImmutableModel):
    """A group of entries that sum to zero. `key` makes each posting happen at most once."""

    public_id = PublicIdField(prefix="ltx_")
    key = models.CharField(max_length=120, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=LedgerKind.choices, editable=False)
    currency = models.CharField(max_length=3, editable=False)
    job_payment = models.ForeignKey(JobPayment, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="ledger_transactions", editable=False)
    refund = models.OneToOneField(PaymentRefund, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="ledger_transaction", editable=False)
    payout = models.OneToOneField(ProviderPayout, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="ledger_transaction", editable=False)
    memo = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.public_id} {self.kind} ({self.currency})"


class LedgerEntry(ImmutableModel):
    """One leg of a transaction. A positive amount is owed to the account (credit), negative is paid from it."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries",
                                    editable=False)
    account = models.CharField(max_length=120, db_index=True, editable=False)
    amount = models.BigIntegerField(editable=False)
    currency = models.CharField(max_length=3, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d} {self.currency}"
