"""Stripe webhooks: each event stored once (signature verified) and applied once."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .. import gateway
from ..models import StripeEvent
from .job_payments import job_payment_refresh
from .licences import license_refresh


# --- Stripe events ----------------------------------------------------------------------------
def stripe_event_receive(*, payload: bytes, signature: str | None) -> tuple[StripeEvent, bool]:
    """Verify, store once, and queue processing after commit. Returns (event, created)."""
    from ..tasks import stripe_event_process_task

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
        if (obj.get("metadata") or {}).get("tm_specialist_license"):
            # A specialist licence's payment (captured when licensed): imported here, specialists calls payments.
            from specialists.services import specialist_payment_refresh

            return specialist_payment_refresh(payment_intent_id=obj["id"], reason=reason) or "ignored"
        return job_payment_refresh(payment_intent_id=obj["id"], reason=reason)
    return "ignored"


def stripe_events_resend_unprocessed(*, now=None) -> list[str]:
    """Queue processing again for events stored more than PAYMENTS_EVENT_RESEND_SECONDS ago and still unprocessed.

    Stripe does not retry an event we answered 200, so a lost processing message (or one a killed worker had taken:
    Redis gives it back only after the visibility timeout, hours) would leave it unapplied. Processing is once per
    event (row lock + processed_at), so a duplicate message does nothing. Periodic (beat)."""
    from datetime import timedelta

    from django.conf import settings

    from ..tasks import stripe_event_process_task

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=int(getattr(settings, "PAYMENTS_EVENT_RESEND_SECONDS", 300)))
    stale = list(StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
                 .order_by("received_at").values_list("pk", "event_id")[:500])
    for pk, _ in stale:
        stripe_event_process_task.delay_on_commit(event_pk=pk)
    return [event_id for _, event_id in stale]
