from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    label = "payments"
    verbose_name = "Licences and payments"
    # The Reviewers group gets nothing here (accounts.roles.REVIEWER_PERMISSIONS): money is not theirs.
    # Its periodic task (capture_due_payments) is scheduled in config/settings/base.py.
