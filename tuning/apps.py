from django.apps import AppConfig


class TuningConfig(AppConfig):
    name = "tuning"
    verbose_name = "Tuning"

    def ready(self) -> None:
        from django.conf import settings

        from accounts.roles import REVIEWER_PERMISSIONS

        from . import conf

        # The reaper re-queues jobs whose worker stopped heartbeating (celery beat runs it).
        # CELERY_BEAT_SCHEDULE is the dict Celery reads beat_schedule from; add to it in place.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault(
                "tuning.reap_expired_leases",
                {
                    "task": "tuning.tasks.reap_expired_leases",
                    "schedule": float(conf.get("TUNEMARKET_REAPER_INTERVAL_SECONDS")),
                    "options": {"queue": "default", "expires": float(conf.get("TUNEMARKET_REAPER_INTERVAL_SECONDS"))},
                },
            )
        # Reviewers look at jobs, their events and the data's validation report (never content or money).
        for perm in ("tuning.view_finetuningjob", "tuning.view_jobevent", "tuning.view_datasetfile"):
            if perm not in REVIEWER_PERMISSIONS:
                REVIEWER_PERMISSIONS.append(perm)
