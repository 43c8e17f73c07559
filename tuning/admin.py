"""Admin for datasets, jobs and inference logs: state is read-only; actions call the services.

Dataset content is never shown here (it is private to the customer); the validation report is.
"""
from django.contrib import admin

from core.admin_actions import ReadOnlyInline, ReadOnlyModelAdmin, reason_action

from . import services
from .models import DatasetFile, FineTuningJob, InferenceLog, JobCheckpoint, JobEvent, TrainingArtifact


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
    list_display = ("created_at", "organization", "model", "prompt_tokens", "completion_tokens", "latency_ms", "finish_reason")
    list_filter = ("finish_reason",)
    search_fields = ("model", "organization__name")
    readonly_fields = [f.name for f in InferenceLog._meta.fields]


@admin.register(TrainingArtifact)
class TrainingArtifactAdmin(ReadOnlyModelAdmin):
    list_display = ("job", "base_model", "steps", "bytes", "sha256", "created_at")
    readonly_fields = [f.name for f in TrainingArtifact._meta.fields]
