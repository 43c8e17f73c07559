from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was mailed to whom, when, and any mail error."""

    list_display = ("created_at", "kind", "email", "subject", "sent_at", "attempts")
    list_filter = ("kind",)
    search_fields = ("email", "event_key", "subject")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "enabled", "updated_at")
    list_filter = ("kind", "enabled")
    search_fields = ("user__email",)
    readonly_fields = ("user", "kind", "enabled", "updated_at")

    def has_add_permission(self, request):
        return False
