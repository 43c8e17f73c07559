from django.apps import AppConfig


class TuningConfig(AppConfig):
    name = "tuning"
    verbose_name = "Tuning"

    def ready(self) -> None:
        from accounts.roles import REVIEWER_PERMISSIONS

        # Reviewers look at jobs, their events and the data's validation report (never content or money),
        # and after release work the monitoring view (suspend, reinstate, revoke) and the report queue.
        for perm in ("tuning.view_finetuningjob", "tuning.view_jobevent", "tuning.view_datasetfile",
                     "tuning.view_servedmodel", "tuning.change_servedmodel",
                     "tuning.view_completionreport", "tuning.change_completionreport"):
            if perm not in REVIEWER_PERMISSIONS:
                REVIEWER_PERMISSIONS.append(perm)
