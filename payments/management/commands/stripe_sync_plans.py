"""Create or update the Stripe Products and Plans for the licence plans (idempotent).

    manage.py stripe_sync_plans            # against STRIPE_API_BASE (localstripe) or real Stripe

Stable ids: product `tm_<plan>`, plan `tm_<plan>_<interval>ly` (e.g. tm_premium_monthly). Stripe plans
cannot change price: if a plan exists with another amount, currency or interval the command stops and
says so (add a new plan id rather than editing a live price).
"""
from django.core.management.base import BaseCommand, CommandError

from payments import gateway
from payments.plans import LICENSE_PLANS


class Command(BaseCommand):
    help = "Create or update the Stripe Products and Plans for the licence plans (idempotent)."

    def handle(self, *args, **options):
        for plan in LICENSE_PLANS.values():
            metadata = {"tm_plan": plan.key}
            name = f"Tunemarket {plan.name}"
            product = gateway.product_retrieve(plan.stripe_product_id)
            if product is None:
                gateway.product_create(product_id=plan.stripe_product_id, name=name, metadata=metadata)
                self.stdout.write(f"created product {plan.stripe_product_id}")
            elif product.get("name") != name:
                gateway.product_update(product_id=plan.stripe_product_id, name=name, metadata=metadata)
                self.stdout.write(f"updated product {plan.stripe_product_id}")
            existing = gateway.plan_retrieve(plan.stripe_plan_id)
            nickname = f"{plan.name} ({plan.interval}ly)"
            if existing is None:
                gateway.plan_create(
                    plan_id=plan.stripe_plan_id, product_id=plan.stripe_product_id, amount=plan.price_amount,
                    currency=plan.currency, interval=plan.interval, nickname=nickname, metadata=metadata,
                )
                self.stdout.write(f"created plan {plan.stripe_plan_id} "
                                  f"({plan.price_amount} {plan.currency}/{plan.interval})")
                continue
            theirs = (int(existing.get("amount") or 0), existing.get("currency"), existing.get("interval"))
            ours = (plan.price_amount, plan.currency, plan.interval)
            if theirs != ours:
                raise CommandError(
                    f"Stripe plan {plan.stripe_plan_id} exists as {theirs}, but plans.py says {ours}. "
                    "Stripe prices are immutable: give the plan a new id instead of editing it."
                )
            if existing.get("nickname") != nickname:
                gateway.plan_update(plan_id=plan.stripe_plan_id, nickname=nickname, metadata=metadata)
                self.stdout.write(f"updated plan {plan.stripe_plan_id}")
            else:
                self.stdout.write(f"plan {plan.stripe_plan_id} is up to date")
