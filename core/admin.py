"""Every state move of every entity, read-only: what moved, from, to, who, when and why."""
from django.contrib import admin

from .models import StateChange


@admin.register(StateChange)
class StateChangeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "entity", "public_id", "from_state", "to_state", "applied", "actor", "short_reason")
    list_filter = ("entity", "to_state")
    search_fields = ("public_id", "object_id", "reason")
    date_hierarchy = "created_at"
    list_per_page = 50
    readonly_fields = [f.name for f in StateChange._meta.fields]

    @admin.display(boolean=True, description="applied")
    def applied(self, obj: StateChange) -> bool:
        return obj.data.get("applied", True) is not False

    @admin.display(description="why")
    def short_reason(self, obj: StateChange) -> str:
        return obj.reason if len(obj.reason) <= 90 else obj.reason[:89] + "…"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
