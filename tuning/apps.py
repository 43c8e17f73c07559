from django.apps import AppConfig


class TuningConfig(AppConfig):
    name = "tuning"
    verbose_name = "Tuning"

    def ready(self) -> None:
        from accounts.roles import REVIEWER_PERMISSIONS
        from accounts.signals import provider_suspended

        provider_suspended.connect(_end_jobs_of_suspended_provider, dispatch_uid="tuning.provider_suspended")

        # Reviewers look at jobs, their events and the data's validation report (never content or money),
        # and after release work the monitoring view (suspend, reinstate, revoke) and the report queue.
        for perm in ("tuning.view_finetuningjob", "tuning.view_jobevent", "tuning.view_datasetfile",
                     "tuning.view_servedmodel", "tuning.change_servedmodel",
                     "tuning.view_completionreport", "tuning.change_completionreport"):
            if perm not in REVIEWER_PERMISSIONS:
                REVIEWER_PERMISSIONS.append(perm)


def _end_jobs_of_suspended_provider(sender, organization, reason: str = "", **kwargs) -> None:
    from . import services

    services.jobs_end_for_unavailable_provider(provider=organization, reason=reason or "the provider was suspended")
