"""Admin actions that ask for a reason on an intermediate page, then call a service per object.

    approve = reason_action(services.provider_application_approve, "Approve", "application")

The service does the checking; a DomainError becomes an error message for that object and
nothing changes for it.
"""
from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse

from .errors import DomainError


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Recorded in the history and shown to the applicant.",
    )


def reason_action(
    service: Callable, verb: str, kwarg: str, *, permission: str = "change", reason_required: bool = True
):
    def action(modeladmin: admin.ModelAdmin, request, queryset):
        form = None
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if not reason_required:
                form.fields["reason"].required = False
            if form.is_valid():
                done, failed = 0, []
                for obj in queryset:
                    try:
                        with transaction.atomic():
                            service(**{kwarg: obj}, actor=request.user, reason=form.cleaned_data["reason"])
                        done += 1
                    except DomainError as exc:
                        failed.append(f"{obj}: {exc.message}")
                if done:
                    modeladmin.message_user(request, f"{verb}: {done} done.", messages.SUCCESS)
                for msg in failed:
                    modeladmin.message_user(request, msg, messages.ERROR)
                return None
        if form is None:
            form = ReasonForm()
            if not reason_required:
                form.fields["reason"].required = False
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": f"{verb}: give a reason",
            "verb": verb,
            "objects": list(queryset),
            "form": form,
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/reason_action.html", context)

    action.__name__ = f"{verb.lower().replace(' ', '_')}_selected"
    action.short_description = f"{verb} selected (asks for a reason)"
    action.allowed_permissions = (permission,)
    return action


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records nobody edits through the admin (logs, artifacts, verdicts): view only, no actions.

    (Payments' ReadOnlyAdmin differs: its changelists keep their service-calling actions.)
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class ReadOnlyInline(admin.TabularInline):
    """History rows (decisions, status changes, events): shown on their parent, never edited."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
