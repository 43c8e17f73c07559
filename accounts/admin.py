"""The vetting team's admin: queues with filters and search, reasoned actions, full history.

State fields are read-only; every change goes through the same services as the API.
"""
from datetime import timedelta

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_actions import ReadOnlyInline, ReadOnlyModelAdmin, reason_action

from . import services
from .models import (
    DOMAINS,
    Agreement,
    ApiKey,
    AuditEvent,
    Membership,
    Organization,
    OrganizationVerification,
    OrganizationVerificationDecision,
    ProviderApplication,
    ProviderApplicationDecision,
    User,
)


class DomainFilter(admin.SimpleListFilter):
    title = _("domain")
    parameter_name = "domain"

    def lookups(self, request, model_admin):
        return [(d, d.replace("_", " ").capitalize()) for d in DOMAINS]

    def queryset(self, request, queryset):
        if self.value():
            # JSON list stored as text on SQLite and jsonb on PostgreSQL: icontains works on both.
            return queryset.filter(domains__icontains=f'"{self.value()}"')
        return queryset


class AgeFilter(admin.SimpleListFilter):
    title = _("waiting since")
    parameter_name = "age"
    BUCKETS = {"lt1": ("Under 1 day", 0, 1), "1to3": ("1–3 days", 1, 3), "3to7": ("3–7 days", 3, 7), "gt7": ("Over 7 days", 7, None)}

    def lookups(self, request, model_admin):
        return [(k, v[0]) for k, v in self.BUCKETS.items()]

    def queryset(self, request, queryset):
        if self.value() not in self.BUCKETS:
            return queryset
        _label, lo, hi = self.BUCKETS[self.value()]
        now = timezone.now()
        queryset = queryset.filter(submitted_at__lte=now - timedelta(days=lo))
        if hi is not None:
            queryset = queryset.filter(submitted_at__gt=now - timedelta(days=hi))
        return queryset


class ApplicationDecisionInline(ReadOnlyInline):
    model = ProviderApplicationDecision
    fields = ("created_at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    verbose_name_plural = "Decision history"


@admin.register(ProviderApplication)
class ProviderApplicationAdmin(admin.ModelAdmin):
    list_display = ("organization", "headline", "status", "domain_list", "submitted_at", "waiting")
    list_filter = ("status", DomainFilter, AgeFilter)
    search_fields = ("organization__name", "headline", "bio", "qualifications", "submitted_by__email")
    ordering = ("submitted_at",)
    readonly_fields = (
        "public_id", "organization", "submitted_by", "status", "submitted_at", "decided_at",
        "headline", "bio", "domains", "qualifications", "portfolio_url", "responsible_use_attestation",
    )
    fields = readonly_fields
    inlines = [ApplicationDecisionInline]
    actions = [
        reason_action(services.provider_application_start_review, "Start review", "application"),
        reason_action(services.provider_application_approve, "Approve", "application"),
        reason_action(services.provider_application_reject, "Reject", "application"),
        reason_action(services.provider_application_suspend, "Suspend", "application"),
        reason_action(services.provider_application_reinstate, "Reinstate", "application"),
    ]

    @admin.display(description="Domains")
    def domain_list(self, obj):
        return ", ".join(obj.domains)

    @admin.display(description="Waiting")
    def waiting(self, obj):
        if obj.decided_at:
            return "—"
        days = (timezone.now() - obj.submitted_at).days
        return f"{days} d"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VerificationDecisionInline(ReadOnlyInline):
    model = OrganizationVerificationDecision
    fields = ("created_at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    verbose_name_plural = "Decision history"


@admin.register(OrganizationVerification)
class OrganizationVerificationAdmin(admin.ModelAdmin):
    list_display = ("organization", "category", "status", "submitted_at")
    list_filter = ("status", "category", AgeFilter)
    search_fields = ("organization__name", "evidence", "submitted_by__email")
    readonly_fields = ("public_id", "organization", "submitted_by", "category", "evidence", "status", "submitted_at", "decided_at")
    fields = readonly_fields
    inlines = [VerificationDecisionInline]
    actions = [
        reason_action(services.organization_verify, "Verify", "verification"),
        reason_action(services.organization_reject_verification, "Reject verification", "verification"),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "verification_status", "verification_category", "created_at")
    list_filter = ("kind", "verification_status")
    search_fields = ("name", "slug")
    readonly_fields = ("public_id", "verification_status", "verification_category", "created_at")
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "password", "name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "organization", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__email")
    readonly_fields = ("public_id", "user", "organization", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = readonly_fields
    exclude = ("key_hash",)
    actions = [reason_action(
        lambda *, api_key, actor, reason: services.api_key_revoke(api_key=api_key, actor=actor),
        "Revoke", "api_key", reason_required=False,
    )]

    def has_add_permission(self, request):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "published_at")

    def get_readonly_fields(self, request, obj=None):
        # A published version never changes; publish a new version instead.
        return ("version", "title", "body", "published_at") if obj else ()


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "action", "actor_email", "organization", "target_type", "target_id", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_email", "target_id", "action")
    date_hierarchy = "created_at"
