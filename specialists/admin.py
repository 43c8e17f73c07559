"""Specialist models in the admin: hold and release (with a reason, through the same services as the API),
licences and metered usage read-only."""
from django.contrib import admin

from core.admin_actions import ReadOnlyModelAdmin, reason_action

from . import services
from .models import SpecialistLicense, SpecialistModel, SpecialistUsage


@admin.register(SpecialistModel)
class SpecialistModelAdmin(admin.ModelAdmin):
    list_display = ("title", "public_id", "provider", "domain", "status", "price", "created_at")
    list_filter = ("status", "domain")
    search_fields = ("title", "description", "provider__name", "public_id")
    list_select_related = ("provider",)
    readonly_fields = (
        "public_id", "provider", "job", "created_by", "status", "status_reason", "title", "domain", "description",
        "intended_use", "out_of_scope_uses", "languages", "price_amount", "price_currency", "license_terms",
        "created_at", "updated_at",
    )
    fields = readonly_fields
    actions = [
        reason_action(services.specialist_hold, "Hold", "specialist"),
        reason_action(services.specialist_release, "Release hold", "specialist"),
    ]

    @admin.display(description="Price")
    def price(self, obj):
        return f"{obj.price_amount / 100:.2f} {obj.price_currency.upper()}"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SpecialistLicense)
class SpecialistLicenseAdmin(ReadOnlyModelAdmin):
    list_display = ("public_id", "specialist", "organization", "status", "amount", "currency", "captured_at")
    list_filter = ("status",)
    search_fields = ("public_id", "organization__name", "specialist__title", "stripe_payment_intent_id")
    list_select_related = ("specialist", "organization")


@admin.register(SpecialistUsage)
class SpecialistUsageAdmin(ReadOnlyModelAdmin):
    list_display = ("specialist", "organization", "day", "requests", "prompt_tokens", "completion_tokens",
                    "guard_interventions")
    list_filter = ("day",)
    list_select_related = ("specialist", "organization")
