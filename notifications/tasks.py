"""Thin task shells for mail: ids in, the row decides (a sent row is skipped)."""
from celery import shared_task

from . import services


# Retries only mail errors (SMTP errors are OSErrors), with backoff; a row already sent is skipped,
# so a retry after a partial batch sends only the rest.
@shared_task(ignore_result=True, autoretry_for=services.MAIL_ERRORS, retry_backoff=True,
             max_retries=services.MAX_ATTEMPTS)
def notification_send_task(notification_ids: list[int]) -> int:
    return services.notifications_send(notification_ids=notification_ids)


@shared_task(ignore_result=True)
def notifications_send_pending_task() -> dict:
    return services.notifications_send_pending()
