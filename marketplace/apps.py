from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        from accounts.roles import REVIEWER_PERMISSIONS

        # Reviewers moderate listings and reviews (with reasons, through the admin actions); never money or users.
        for perm in (
            "marketplace.view_listing", "marketplace.change_listing", "marketplace.view_listingstatuschange",
            "marketplace.view_review", "marketplace.change_review", "marketplace.view_reviewevent",
        ):
            if perm not in REVIEWER_PERMISSIONS:
                REVIEWER_PERMISSIONS.append(perm)
