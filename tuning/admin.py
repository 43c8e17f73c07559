"""Admin for datasets, jobs and inference logs: state is read-only; actions call the services.

Dataset content is never shown here (it is private to the customer); the validation report is.
"""
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone
from django.utils.html import format_html

from core.errors import DomainError
from core.admin_actions import ReadOnlyInline, ReadOnlyModelAdmin, reason_action

from . import services
from .models import (
    CompletionReport,
    DatasetFile,
    FineTuningJob,
    InferenceLog,
    JobCheckpoint,
    JobEvent,
    JobStatus,
    ServedModel,
    TrainingArtifact,
    ViewpointSet,
)

MONITOR_DAYS = 7


class JobEventInline(ReadOnlyInline):
    model = JobEvent
    fields = ("created_at", "level", "type", "from_status", "to_status", "message", "actor")
    readonly_fields = fields
    ordering = ("created_at", "id")


class JobCheckpointInline(ReadOnlyInline):
    model = JobCheckpoint
    fields = ("step_number", "attempt", "metrics", "storage_name", "created_at")
    readonly_fields = fields


@admin.register(FineTuningJob)
class FineTuningJobAdmin(admin.ModelAdmin):
    list_display = ("public_id", "organization", "provider", "listing", "status", "attempt", "progress_step",
                    "progress_total_steps", "backend", "queue", "created_at")
    list_filter = ("status", "backend", "queue")
    search_fields = ("public_id", "organization__name", "provider__name", "fine_tuned_model")
    readonly_fields = [f.name for f in FineTuningJob._meta.fields]
    inlines = [JobCheckpointInline, JobEventInline]
    actions = [reason_action(services.job_cancel, "Cancel", "job", reason_required=True)]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DatasetFile)
class DatasetFileAdmin(ReadOnlyModelAdmin):
    list_display = ("public_id", "organization", "filename", "bytes", "status", "created_at", "deleted_at")
    list_filter = ("status",)
    search_fields = ("public_id", "organization__name", "filename")
    exclude = ("wrapped_key", "example_digests")
    readonly_fields = ("public_id", "organization", "created_by", "filename", "purpose", "bytes", "sha256",
                       "storage_name", "status", "status_details", "validation", "created_at", "deleted_at")


@admin.register(InferenceLog)
class InferenceLogAdmin(ReadOnlyModelAdmin):
    list_display = ("created_at", "completion_id", "organization", "model", "prompt_tokens", "completion_tokens",
                    "latency_ms", "finish_reason", "guard_stage", "guard_category")
    list_filter = ("finish_reason", "guard_stage", "guard_category")
    search_fields = ("model", "organization__name")
    readonly_fields = [f.name for f in InferenceLog._meta.fields]


@admin.register(TrainingArtifact)
class TrainingArtifactAdmin(ReadOnlyModelAdmin):
    list_display = ("job", "base_model", "steps", "bytes", "sha256", "created_at")
    readonly_fields = [f.name for f in TrainingArtifact._meta.fields]


def _count(model, **filters):
    return Coalesce(Subquery(
        model.objects.filter(job=OuterRef("pk"), **filters).values("job").annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField()), Value(0))


@admin.register(ServedModel)
class ServedModelAdmin(admin.ModelAdmin):
    """Released models, most flagged first over the last week: flags (answers the guard blocked, plus
    user reports) per request.

    Suspend, reinstate and revoke ask for a reason and call tuning.services; each move is in the
    model's history (core.StateChange) and mailed to the owner and the provider."""

    list_display = ("fine_tuned_model", "organization", "provider", "model_status", "requests_7d",
                    "blocked_inputs_7d", "blocked_outputs_7d", "reports_7d", "flagged", "model_status_reason")
    list_filter = ("model_status",)
    search_fields = ("fine_tuned_model", "public_id", "organization__name", "provider__name")
    readonly_fields = ("public_id", "fine_tuned_model", "organization", "provider", "model_status",
                       "model_status_reason", "monitoring")
    fields = readonly_fields
    actions = [
        reason_action(services.model_suspend, "Suspend", "job"),
        reason_action(services.model_reinstate, "Reinstate", "job"),
        reason_action(services.model_revoke, "Revoke", "job"),
    ]

    def get_queryset(self, request):
        since = timezone.now() - timedelta(days=MONITOR_DAYS)
        return (super().get_queryset(request).filter(status=JobStatus.SUCCEEDED).exclude(fine_tuned_model="")
                .select_related("organization", "provider")
                .annotate(requests_7d=_count(InferenceLog, created_at__gte=since),
                          blocked_inputs_7d=_count(InferenceLog, created_at__gte=since, guard_stage="input"),
                          blocked_outputs_7d=_count(InferenceLog, created_at__gte=since, guard_stage="output"),
                          reports_7d=_count(CompletionReport, created_at__gte=since))
                .annotate(flagged_rate=Cast(F("blocked_outputs_7d") + F("reports_7d"), FloatField())
                          / Cast(Greatest(F("requests_7d"), Value(1)), FloatField()))
                .order_by("-flagged_rate", "-requests_7d", "-id"))

    @admin.display(description="requests (7 d)", ordering="requests_7d")
    def requests_7d(self, obj):
        return obj.requests_7d

    @admin.display(description="blocked inputs", ordering="blocked_inputs_7d")
    def blocked_inputs_7d(self, obj):
        return obj.blocked_inputs_7d

    @admin.display(description="blocked answers", ordering="blocked_outputs_7d")
    def blocked_outputs_7d(self, obj):
        return obj.blocked_outputs_7d

    @admin.display(description="reports", ordering="reports_7d")
    def reports_7d(self, obj):
        return obj.reports_7d

    @admin.display(description="flags per request", ordering="flagged_rate")
    def flagged(self, obj):
        return f"{obj.flagged_rate:.2f}"

    @admin.display(description="last 30 days")
    def monitoring(self, obj):
        from evaluation import svg

        from . import selectors

        return format_html("{}", svg.monitoring_chart(selectors.model_monitoring(obj, days=30)["days"]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompletionReport)
class CompletionReportAdmin(admin.ModelAdmin):
    """The review queue of user reports. Content shows only where the reporter submitted it."""

    list_display = ("created_at", "public_id", "model", "organization", "status", "short_reason", "has_content")
    list_filter = ("status",)
    search_fields = ("public_id", "model", "organization__name", "reason")
    readonly_fields = ("public_id", "model", "job", "organization", "reporter", "reason", "status", "decided_by",
                       "decision_reason", "created_at", "completion", "submitted_content")
    fields = readonly_fields
    actions = [
        reason_action(services.completion_report_uphold, "Uphold", "report"),
        reason_action(services.completion_report_dismiss, "Dismiss", "report"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("log", "organization", "job")

    @admin.display(description="reason")
    def short_reason(self, obj):
        return obj.reason if len(obj.reason) <= 80 else obj.reason[:79] + "…"

    @admin.display(description="content", boolean=True)
    def has_content(self, obj):
        return bool(obj.content_encrypted)

    @admin.display(description="completion")
    def completion(self, obj):
        log = obj.log
        return (f"{log.completion_id} · {log.created_at:%Y-%m-%d %H:%M} · finish {log.finish_reason}"
                + (f" · guard {log.guard_stage}/{log.guard_category}" if log.guard_stage else ""))

    @admin.display(description="submitted content")
    def submitted_content(self, obj):
        content = services.completion_report_content(obj)
        if content is None:
            return "(the reporter did not include the conversation)"
        turns = [format_html("<p><b>{}</b>: {}</p>", m["role"], m["content"]) for m in content.get("messages", [])]
        return format_html("{}<p><b>answer</b>: {}</p>", format_html("".join(turns)), content["answer"])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ViewpointSetForm(forms.ModelForm):
    """The add form: the service validates and screens (a refused set is an error on the form)."""

    viewpoints = forms.JSONField(help_text='A list of 2 to 5 objects: [{"name": "Patient", "description": "..."}, ...]')

    class Meta:
        model = ViewpointSet
        fields = ("name", "topic", "viewpoints")

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and not self.errors:
            try:
                # The service creates the row; the form then stands for it (its unique check excludes it).
                self.instance = services.viewpoint_set_create(
                    name=data.get("name"), topic=data.get("topic"), viewpoints=data.get("viewpoints"),
                    actor=getattr(self, "request_user", None))
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(ViewpointSet)
class ViewpointSetAdmin(admin.ModelAdmin):
    """Viewpoint sets for the chat ``perspectives`` option: written here, screened by policy screening,
    approved (screened again), rejected or retired with a reason; approved sets are what customers see."""

    form = ViewpointSetForm
    list_display = ("name", "public_id", "status", "topic", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "topic", "public_id")
    readonly_fields = ("public_id", "status", "screening", "created_by", "decided_by", "decision_reason",
                       "created_at", "updated_at")
    actions = [
        reason_action(services.viewpoint_set_approve, "Approve", "viewpoint_set", reason_required=False),
        reason_action(services.viewpoint_set_reject, "Reject", "viewpoint_set"),
        reason_action(services.viewpoint_set_retire, "Retire", "viewpoint_set"),
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        # A set's text is what was screened and approved: it is never edited, only retired and replaced.
        return self.readonly_fields + (("name", "topic", "viewpoints") if obj is not None else ())

    def save_model(self, request, obj, form, change):
        """Nothing to save: the add form's service call created the set, and a set is never edited."""

    def has_delete_permission(self, request, obj=None):
        return False
