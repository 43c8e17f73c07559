from django.apps import AppConfig

CAPTURE_DUE_SCHEDULE = {
    "task": "marketplace.payments.tasks.capture_due_payments",
    "schedule": 3600.0,  # hourly; the capture delay itself is PAYMENTS_AUTO_CAPTURE_DAYS
}


class PaymentsConfig(AppConfig):
    name = "marketplace.payments"
    label = "payments"
    verbose_name = "Licences and payments"

    def ready(self) -> None:
        from django.conf import settings

        # The Reviewers group gets nothing here (accounts.roles.REVIEWER_PERMISSIONS): money is not theirs.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault("payments.capture_due_payments", CAPTURE_DUE_SCHEDULE)
