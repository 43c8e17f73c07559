from django.urls import path

from marketplace.api import JobReviewCreateView

from . import api


urlpatterns = [
    path("files", api.FileListCreateView.as_view(), name="files"),
    path("files/<str:file_id>", api.FileDetailView.as_view(), name="file-detail"),
    path("files/<str:file_id>/content", api.FileContentView.as_view(), name="file-content"),
    path("files/<str:file_id>/samples", api.FileSamplesView.as_view(), name="file-samples"),
    path("fine_tuning/jobs", api.JobListCreateView.as_view(), name="fine-tuning-jobs"),
    path("fine_tuning/jobs/<str:job_id>", api.JobDetailView.as_view(), name="fine-tuning-job"),
    path("fine_tuning/jobs/<str:job_id>/cancel", api.JobCancelView.as_view(), name="fine-tuning-job-cancel"),
    path("fine_tuning/jobs/<str:job_id>/accept", api.JobAcceptView.as_view(), name="fine-tuning-job-accept"),
    path("fine_tuning/jobs/<str:job_id>/events", api.JobEventsView.as_view(), name="fine-tuning-job-events"),
    path("fine_tuning/jobs/<str:job_id>/checkpoints", api.JobCheckpointsView.as_view(), name="fine-tuning-job-checkpoints"),
    path("fine_tuning/jobs/<str:job_id>/estimate", api.JobEstimateView.as_view(), name="fine-tuning-job-estimate"),
    path("fine_tuning/jobs/<str:job_id>/reviews", JobReviewCreateView.as_view(), name="fine-tuning-job-reviews"),
    path("models", api.ModelListView.as_view(), name="models"),
    path("models/<str:model_id>", api.ModelDetailView.as_view(), name="model-detail"),
    path("models/<str:model_id>/download", api.ModelDownloadView.as_view(), name="model-download"),
    path("models/<str:model_id>/monitoring", api.ModelMonitoringView.as_view(), name="model-monitoring"),
    path("chat/completions", api.ChatCompletionView.as_view(), name="chat-completions"),
    path("perspective_sets", api.PerspectiveSetListView.as_view(), name="perspective-sets"),
    path("chat/completions/<str:completion_id>/report", api.CompletionReportView.as_view(), name="chat-completion-report"),
]
