"""Billing customers at Stripe and the card on file."""
from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.models import Organization, User
from accounts.services import audit_record

from .. import gateway
from ..models import BillingCustomer
from .common import _require_customer_org


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
