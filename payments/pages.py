"""The customer's licence page: plans, the card on file, subscribe and cancel, through the same services as
the API (payments/services/).

Card entry: with Stripe test keys (sk_test_…, and localstripe) the page offers Stripe's documented test
payment methods; with live keys cards are attached by the client through the API
(POST /v1/billing/payment_methods with a PaymentMethod id from Stripe.js), which this page does not embed.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.models import OrganizationKind
from core.errors import DomainError
from core.http import organization_of_kind_or_404

from . import selectors, services
from .models import BillingCustomer
from .plans import LICENSE_PLANS, plan_out

# Stripe's test PaymentMethods (they work in every test-mode account and in localstripe).
TEST_CARDS = (("pm_card_visa", "Visa ending 4242 (succeeds)"),
              ("pm_card_chargeCustomerFail", "Visa ending 0341 (saved, then every charge fails)"),
              ("pm_card_visa_chargeDeclined", "Visa ending 0002 (declined when saved)"))


def _customer_org(request):
    return organization_of_kind_or_404(request, OrganizationKind.CUSTOMER, "Customers hold licences.")


def _test_mode() -> bool:
    return str(getattr(settings, "STRIPE_SECRET_KEY", "")).startswith("sk_test_")


@login_required
def license_page(request):
    org = _customer_org(request)
    license = selectors.license_current(organization=org)
    card = BillingCustomer.objects.filter(organization=org).first()
    return render(request, "payments/license.html", {
        "org": org, "license": selectors.license_out(license) if license else None,
        "plans": [plan_out(p) for p in LICENSE_PLANS.values()],
        "card": card if card is not None and card.default_payment_method else None,
        "test_cards": TEST_CARDS if _test_mode() else (),
    })


@login_required
@require_POST
def license_card_set(request):
    org = _customer_org(request)
    choice = request.POST.get("payment_method", "")
    if not _test_mode() or choice not in dict(TEST_CARDS):
        messages.error(request, "Choose one of the listed test cards.")
        return redirect("license-page")
    try:
        customer = services.billing_payment_method_set(organization=org, payment_method=choice, actor=request.user)
        messages.success(request, f"Card saved: {customer.card_brand} ending {customer.card_last4}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("license-page")


@login_required
@require_POST
def license_subscribe(request):
    org = _customer_org(request)
    try:
        license = services.license_subscribe(organization=org, plan=request.POST.get("plan", ""), actor=request.user)
        messages.success(request, f"Your {license.plan_definition.name} licence is {license.status}.")
    except DomainError as exc:  # unknown plan, no card, declined card, a licence already live: nothing changes
        messages.error(request, exc.message)
    return redirect("license-page")


@login_required
@require_POST
def license_cancel(request):
    org = _customer_org(request)
    license = selectors.license_current(organization=org)
    if license is None:
        messages.error(request, "There is no licence to cancel.")
        return redirect("license-page")
    try:
        services.license_cancel(license=license, actor=request.user,
                                reason=(request.POST.get("reason") or "").strip()[:500])
        messages.success(request, "Your licence ends at the end of the paid period; jobs already ordered continue.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("license-page")


urlpatterns = [
    path("licence/", license_page, name="license-page"),
    path("licence/card", license_card_set, name="license-card-page"),
    path("licence/subscribe", license_subscribe, name="license-subscribe-page"),
    path("licence/cancel", license_cancel, name="license-cancel-page"),
]
