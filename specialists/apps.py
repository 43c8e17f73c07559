from django.apps import AppConfig


class SpecialistsConfig(AppConfig):
    name = "specialists"
    verbose_name = "Specialist models"

    def ready(self) -> None:
        from accounts.roles import REVIEWER_PERMISSIONS

        # Reviewers may hold and release specialist models (with reasons, through the admin actions); never money.
        for perm in ("specialists.view_specialistmodel", "specialists.change_specialistmodel",
                     "specialists.view_specialistlicense", "specialists.view_specialistusage"):
            if perm not in REVIEWER_PERMISSIONS:
                REVIEWER_PERMISSIONS.append(perm)
