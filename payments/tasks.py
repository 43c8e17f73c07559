"""Thin Celery shells: they receive ids, re-read rows and call services (which are idempotent)."""
from __future__ import annotations

from celery import shared_task

from .gateway import PaymentProviderUnavailable


# https://docs.celeryq.dev/en/stable/userguide/tasks.html#automatic-retry-for-known-exceptions
# Only a Stripe outage is retried; anything else is a bug and stays visible in the event's row.
@shared_task(autoretry_for=(PaymentProviderUnavailable,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def stripe_event_process_task(event_pk: int) -> str:
    from .services import stripe_event_process

    return stripe_event_process(event_pk=event_pk)


@shared_task
def capture_due_payments() -> dict:
    """Periodic (beat, hourly): capture holds N days after delivery; release holds of jobs that ended badly."""
    from .services import job_payments_capture_due

    return job_payments_capture_due()


@shared_task
def stripe_events_resend_task() -> list[str]:
    """Periodic (beat): process again the Stripe events stored but left unprocessed (a lost message)."""
    from .services import stripe_events_resend_unprocessed

    return stripe_events_resend_unprocessed()
