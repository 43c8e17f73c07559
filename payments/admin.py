"""Licences, payments and the ledger in the admin: read-only, with reasoned actions calling the services.

Money fields are never editable by hand: every model here is view-only on its change page, nothing can
be added or deleted, and the only writes are actions (refund, release, cancel, payout) that call the
same services as the API. The Reviewers group has no permission in this app.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse

from core.admin_actions import ReadOnlyInline, reason_action
from core.errors import DomainError

from . import services
from .models import (
    BillingCustomer,
    JobPayment,
    LedgerEntry,
    LedgerTransaction,
    License,
    LicenseStatusChange,
    PaymentRefund,
    PayoutAccount,
    ProviderPayout,
    StripeEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only change pages; the changelist keeps its actions (they call services)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:,.2f} {currency.upper()}"


# --- licences -------------------------------------------------------------------------------------
class LicenseStatusChangeInline(ReadOnlyInline):
    model = LicenseStatusChange
    fields = ("created_at", "from_status", "to_status", "reason", "stripe_event_id", "actor")
    readonly_fields = fields
    verbose_name_plural = "Status history"


@admin.register(License)
class LicenseAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "organization", "plan", "status", "current_period_end", "cancel_at_period_end")
    list_filter = ("status", "plan", "cancel_at_period_end")
    search_fields = ("public_id", "organization__name", "stripe_subscription_id")
    inlines = [LicenseStatusChangeInline]
    actions = [reason_action(services.license_cancel, "Cancel at period end", "license")]


@admin.register(BillingCustomer)
class BillingCustomerAdmin(ReadOnlyAdmin):
    list_display = ("organization", "stripe_customer_id", "card_brand", "card_last4", "updated_at")
    search_fields = ("organization__name", "stripe_customer_id")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "object_id", "received_at", "processed_at", "result")
    list_filter = ("type",)
    search_fields = ("event_id", "object_id")


# --- job payments and refunds --------------------------------------------------------------------
class RefundForm(forms.Form):
    amount = forms.IntegerField(
        min_value=1, required=False,
        help_text="In minor units (cents). Leave empty to refund everything still refundable.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
                             help_text="Recorded with the refund, in the audit log and sent to Stripe.")


@admin.action(description="Refund selected (asks for an amount and a reason)", permissions=["change"])
def refund_selected(modeladmin, request, queryset):
    form = RefundForm(request.POST) if "apply" in request.POST else RefundForm()
    if "apply" in request.POST and form.is_valid():
        amount = form.cleaned_data["amount"]
        if amount is not None and queryset.count() > 1:
            form.add_error(None, "Choose one payment for a partial refund.")
        else:
            done = 0
            for payment in queryset:
                try:
                    with transaction.atomic():
                        services.job_payment_refund(payment=payment, amount=amount,
                                                    reason=form.cleaned_data["reason"], actor=request.user)
                    done += 1
                except DomainError as exc:
                    modeladmin.message_user(request, f"{payment}: {exc.message}", messages.ERROR)
            if done:
                modeladmin.message_user(request, f"Refunded: {done} done.", messages.SUCCESS)
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Refund: give an amount and a reason",
        "objects": list(queryset),
        "form": form,
        "action": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/payments/refund.html", context)


def _release_payment(*, payment: JobPayment, actor, reason: str):
    if payment.status != "authorized":
        raise DomainError(f"There is no hold to release (the payment is {payment.status}).", code="not_authorized")
    return services.job_payment_release(job=payment.job, reason=reason)


class RefundInline(ReadOnlyInline):
    model = PaymentRefund
    fields = ("public_id", "created_at", "amount", "currency", "reason", "actor", "stripe_refund_id")
    readonly_fields = fields


class PaymentLedgerInline(ReadOnlyInline):
    model = LedgerTransaction
    fk_name = "job_payment"
    fields = ("public_id", "created_at", "kind", "memo")
    readonly_fields = fields
    verbose_name_plural = "Ledger transactions"


@admin.register(JobPayment)
class JobPaymentAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "job", "organization", "provider", "price", "status", "refunded", "authorized_at",
                    "captured_at")
    list_filter = ("status", "currency")
    search_fields = ("public_id", "job__public_id", "stripe_payment_intent_id", "organization__name", "provider__name")
    list_select_related = ("job", "organization", "provider")
    inlines = [RefundInline, PaymentLedgerInline]
    actions = [refund_selected, reason_action(_release_payment, "Release hold", "payment")]

    @admin.display(description="Amount")
    def price(self, obj):
        return _money(obj.amount, obj.currency)

    @admin.display(description="Refunded")
    def refunded(self, obj):
        return _money(obj.refunded_amount, obj.currency)


@admin.register(PaymentRefund)
class PaymentRefundAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "payment", "amount", "currency", "reason", "actor", "created_at")
    search_fields = ("public_id", "payment__public_id", "stripe_refund_id")


# --- ledger --------------------------------------------------------------------------------------
class LedgerEntryInline(ReadOnlyInline):
    model = LedgerEntry
    fields = ("account", "amount", "currency")
    readonly_fields = fields


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "kind", "currency", "memo", "created_at")
    list_filter = ("kind", "currency")
    search_fields = ("public_id", "key", "memo")
    inlines = [LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("transaction", "account", "amount", "currency", "created_at")
    list_filter = ("currency",)
    search_fields = ("account", "transaction__public_id")
    list_select_related = ("transaction",)


# --- payouts -------------------------------------------------------------------------------------
class PayoutAccountForm(forms.ModelForm):
    class Meta:
        model = PayoutAccount
        fields = ("organization", "stripe_account_id")

    def clean(self):
        data = super().clean()
        org = data.get("organization")
        if org is not None and org.kind != "provider":
            self.add_error("organization", "Only provider organisations receive payouts.")
        if not (data.get("stripe_account_id") or "").startswith("acct_"):
            self.add_error("stripe_account_id", "A Stripe Connect account id starts with acct_.")
        return data


def _payout_balance(*, account: PayoutAccount, actor, reason: str):
    return services.provider_payout_create(provider=account.organization, actor=actor)


@admin.register(PayoutAccount)
class PayoutAccountAdmin(admin.ModelAdmin):
    """Where a provider is paid (a Stripe Connect account id); saving goes through payout_account_set."""

    form = PayoutAccountForm
    list_display = ("organization", "stripe_account_id", "balance", "created_at")
    search_fields = ("organization__name", "stripe_account_id")
    actions = [reason_action(_payout_balance, "Pay out balance", "account")]

    @admin.display(description="Balance (USD minor units)")
    def balance(self, obj):
        return services.provider_balance(provider=obj.organization, currency="usd")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.payout_account_set(organization=obj.organization, stripe_account_id=obj.stripe_account_id,
                                            actor=request.user)
        obj.pk = saved.pk


@admin.register(ProviderPayout)
class ProviderPayoutAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "provider", "amount", "currency", "destination", "status", "transfer_id", "created_at")
    search_fields = ("public_id", "provider__name", "transfer_id")
