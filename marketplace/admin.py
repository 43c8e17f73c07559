"""Marketplace moderation: listings and reviews. State is read-only; every change asks for a reason and goes
through the same services as the API (core.admin_actions.reason_action)."""
from django.contrib import admin

from core.admin_actions import ReadOnlyInline, reason_action

from . import services
from .models import Listing, ListingStatusChange, Review, ReviewEvent


class ListingStatusChangeInline(ReadOnlyInline):
    model = ListingStatusChange
    fields = ("created_at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    verbose_name_plural = "Status history"


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "provider", "domain", "status", "held_by_admin", "price", "turnaround_days", "published_at")
    list_filter = ("status", "domain", "held_by_admin")
    search_fields = ("title", "description", "provider__name", "public_id")
    list_select_related = ("provider",)
    readonly_fields = (
        "public_id", "provider", "created_by", "status", "held_by_admin", "title", "description", "domain",
        "techniques", "base_models", "price_amount", "price_currency", "turnaround_days", "languages", "recipe",
        "domain_eval_set", "domain_eval_rows", "created_at", "updated_at", "published_at",
    )
    fields = readonly_fields
    inlines = [ListingStatusChangeInline]
    actions = [
        reason_action(services.listing_moderate_unpublish, "Unpublish", "listing"),
        reason_action(services.listing_moderate_republish, "Republish", "listing"),
    ]

    @admin.display(description="Price")
    def price(self, obj):
        return f"{obj.price_amount / 100:.2f} {obj.price_currency.upper()}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewEventInline(ReadOnlyInline):
    model = ReviewEvent
    fields = ("created_at", "actor", "action", "reason")
    readonly_fields = fields
    verbose_name_plural = "History"


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("public_id", "provider", "customer", "rating", "hidden", "revealed", "created_at")
    list_filter = ("hidden", "rating")
    search_fields = ("public_id", "body", "response_body", "provider__name", "customer__name", "job__public_id")
    list_select_related = ("provider", "customer")
    readonly_fields = (
        "public_id", "job", "provider", "customer", "listing", "author", "rating", "body", "response_body",
        "responded_at", "responded_by", "reveal_at", "hidden", "hidden_reason", "created_at",
    )
    fields = readonly_fields
    inlines = [ReviewEventInline]
    actions = [
        reason_action(services.review_hide, "Hide", "review"),
        reason_action(services.review_unhide, "Show again", "review"),
    ]

    @admin.display(boolean=True, description="Revealed")
    def revealed(self, obj):
        from .selectors import review_is_revealed

        return review_is_revealed(obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
