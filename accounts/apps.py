from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and vetting"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .roles import sync_reviewer_group

        post_migrate.connect(sync_reviewer_group, dispatch_uid="accounts.sync_reviewer_group")
        from . import schema  # noqa: F401  (registers the Bearer scheme with drf-spectacular)
