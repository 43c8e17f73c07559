"""Server-rendered pages for a fine-tuning job and its model: the live job page and the chat box.

The job page shows status, progress with an ETA, the loss curve and the event log. It works
without JavaScript (a plain page that a reload refreshes); with JavaScript it fetches its live panel
(`/jobs/<id>/live`) every few seconds until the job reaches a final status. The evaluation report and
the model card are in evaluation/pages.py.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from accounts.models import OrganizationKind
from core.errors import DomainError, NotAllowed, NotFound
from core.http import client_ip, organization_of_kind_or_404
from evaluation import cards
from evaluation import selectors as evaluation_selectors

from . import conf, inference, selectors, services
from .files import EncryptedUpload, EncryptingUploadHandler
from .models import LIVE_STATUSES, TERMINAL_STATUSES, FileStatus, JobStatus

EVENTS_SHOWN = 60
POLL_SECONDS = 2
# The stages a job passes through on its way to a released model, in order.
STAGES = (
    (JobStatus.VALIDATING_FILES, "Files checked"),
    (JobStatus.PENDING_PROVIDER, "Provider accepts"),
    (JobStatus.PENDING_REVIEW, "Safety review"),
    (JobStatus.QUEUED, "Queued"),
    (JobStatus.RUNNING, "Training"),
    (JobStatus.EVALUATING, "Evaluation"),
    (JobStatus.SUCCEEDED, "Released"),
)


def _job_or_404(request, job_id: str):
    try:
        return selectors.job_get_visible(user=request.user, job_id=job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _stages(job) -> list[dict]:
    order = [s for s, _ in STAGES]
    if job.status in order:
        reached = order.index(job.status)
    else:  # a final status other than succeeded: the stage it stopped at is the last one it started
        started = [e.from_status for e in job.events.exclude(from_status="").order_by("-created_at", "-id")[:1]]
        reached = order.index(started[0]) if started and started[0] in order else 0
    out = []
    for k, (status, label) in enumerate(STAGES):
        if k < reached or job.status == JobStatus.SUCCEEDED:
            state = "done"
        elif k == reached:
            state = "current" if job.status in LIVE_STATUSES else "stopped"
        else:
            state = "todo"
        out.append({"label": label, "state": state})
    return out


def _minutes(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


def _live_context(request, job) -> dict:
    progress = selectors.job_progress(job)
    evaluation = evaluation_selectors.evaluation_progress(job)
    curve = evaluation_selectors.job_loss_curve(job)
    events = list(selectors.job_events(job=job).order_by("-created_at", "-id")[:EVENTS_SHOWN])
    org = request.user.organization
    is_customer = org is not None and org.pk == job.organization_id
    return {
        "job": job,
        "progress": progress,
        "eta": _minutes(progress["eta_seconds"]) if job.status == JobStatus.RUNNING else None,
        "evaluation": evaluation,
        "evaluation_eta": _minutes(evaluation["eta_seconds"]) if evaluation else None,
        "stages": _stages(job),
        # Built by evaluation/svg.py from numbers, with every text escaped there.
        "loss_plot": mark_safe(cards.loss_plot(curve)) if curve else None,  # noqa: S308
        "latest_loss": curve[-1] if curve else None,
        "events": events,
        "terminal": job.status in TERMINAL_STATUSES,
        "is_customer": is_customer,
        "can_cancel": is_customer and job.status in LIVE_STATUSES,
        "can_accept": is_customer and job.status == JobStatus.SUCCEEDED and job.delivery_accepted_at is None,
        "released": job.status == JobStatus.SUCCEEDED and bool(job.fine_tuned_model),
        "poll_seconds": POLL_SECONDS,
    }


@login_required
def job_page(request, job_id: str):
    job = _job_or_404(request, job_id)
    return render(request, "tuning/job.html", _live_context(request, job))


@login_required
def job_live(request, job_id: str):
    """The live panel alone, for the page's poller."""
    job = _job_or_404(request, job_id)
    return render(request, "tuning/_job_live.html", _live_context(request, job))


@login_required
@require_POST
def job_act(request, job_id: str, action: str):
    job = _job_or_404(request, job_id)
    try:
        if action == "cancel":
            services.job_cancel(job=job, actor=request.user, reason=(request.POST.get("reason") or "").strip()[:500])
            messages.success(request, f"Cancelled {job.public_id}; any payment hold is released.")
        else:
            services.job_accept_delivery(job=job, actor=request.user)
            messages.success(request, "Delivery accepted; the payment is captured.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("job-page", job_id=job.public_id)


# --- training data ------------------------------------------------------------------------------
FILES_SHOWN = 20


def _files_page(request, *, error: str | None = None, status: int = 200):
    files = list(selectors.file_list(user=request.user).order_by("-created_at", "-id")[:FILES_SHOWN])
    return render(request, "tuning/files.html", {
        "files": files, "error": error, "max_mb": int(conf.get("TUNEMARKET_FILE_MAX_BYTES")) // (1024 * 1024),
    }, status=status)


@csrf_exempt  # checked below, once the body has been read through the encrypting handler
@login_required
def files_page(request):
    """Upload training data (JSONL) from the browser, the same service as POST /v1/files; see recent files."""
    organization_of_kind_or_404(request, OrganizationKind.CUSTOMER, "Customers upload training data.")
    if request.method != "POST":
        return _files_page(request)
    # Before anything reads the body: stream the upload through the encrypting, size-limiting handler.
    handler = EncryptingUploadHandler(request)
    request.upload_handlers = [handler]
    request.POST  # noqa: B018 - parse now, so the size check comes before the CSRF check needs the token
    if handler.too_large:  # nothing was stored; the error page changes nothing, so it needs no token
        return _files_page(request, status=413, error=f"The file is larger than the {handler.max_bytes // (1024 * 1024)} MB "
                                                       "limit; nothing was stored.")
    return _files_upload(request)


@csrf_protect
def _files_upload(request):
    upload = request.FILES.get("file")
    if not isinstance(upload, EncryptedUpload):
        return _files_page(request, status=400, error="Choose a JSONL file to upload.")
    try:
        dataset = services.file_upload(user=request.user, upload=upload, purpose="fine-tune",
                                       ip_address=client_ip(request))
    except DomainError as exc:
        return _files_page(request, status=exc.status_code, error=exc.message)
    if dataset.status == FileStatus.ERROR:
        messages.error(request, f"{dataset.filename} was stored but is not usable: {dataset.status_details}")
    else:
        examples = (dataset.validation or {}).get("stats", {}).get("examples")
        messages.success(request, f"Uploaded {dataset.filename} ({dataset.get_status_display().lower()}"
                                  f"{f', {examples} examples' if examples else ''}). It is encrypted at rest.")
    return redirect("files-page")


# --- chat ---------------------------------------------------------------------------------------
class ChatForm(forms.Form):
    message = forms.CharField(label="Your message", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "Write a message for the model."})
    max_tokens = forms.IntegerField(label="Longest answer (tokens)", min_value=1, initial=64)
    compare = forms.BooleanField(label="Also ask the base model", required=False, initial=True)

    def __init__(self, *args, cap: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["max_tokens"]
        field.validators.append(MaxValueValidator(cap, message=f"At most {cap} tokens."))
        field.widget.attrs.update({"min": 1, "max": cap})


@login_required
def model_chat(request, model_id: str):
    """Ask a released fine-tuned model (and, side by side, its base model) a question."""
    job = selectors.model_job(model_id)
    org = request.user.organization
    if job is None or org is None or job.organization_id != org.pk:
        raise Http404("No such model.")
    cap = int(conf.get("TUNEMARKET_INFERENCE_MAX_TOKENS"))
    answers, error = [], None
    form = ChatForm(request.POST or None, cap=cap)
    if request.method == "POST" and form.is_valid():
        chat = [{"role": "user", "content": form.cleaned_data["message"]}]
        targets = [("Tuned model", model_id)]
        if form.cleaned_data["compare"]:
            targets.append(("Base model", job.model))
        try:
            for label, target in targets:
                result = inference.chat_completion(
                    user=request.user, model_id=target, messages=chat, max_tokens=form.cleaned_data["max_tokens"],
                    temperature=0.0, seed=0,
                )
                answers.append({"label": label, "model": target, **result})
        except DomainError as exc:  # blocked model, context too long: said on the page, nothing recorded
            error = exc.message
    elif request.method == "GET":
        try:
            inference.resolve_model(user=request.user, model_id=model_id)
        except NotAllowed as exc:
            error = exc.message
        except NotFound as exc:
            raise Http404(exc.message) from exc
    return render(request, "tuning/chat.html", {"job": job, "form": form, "answers": answers, "error": error,
                                                "model_id": model_id})


@login_required
def model_monitoring_page(request, model_id: str):
    """A fine-tuned model's monitoring for its owner and its provider: counts per day as a chart."""
    from evaluation import svg

    try:
        job = selectors.model_visible(user=request.user, model_id=model_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    counts = selectors.model_monitoring(job, days=30)
    categories: dict[str, int] = {}
    for day in counts["days"]:
        for stage in ("blocked_inputs", "blocked_outputs"):
            for category, n in day[stage].items():
                categories[category] = categories.get(category, 0) + n
    return render(request, "tuning/monitoring.html", {
        "job": job, "model_id": model_id, "counts": counts, "window": services.model_window(job),
        "chart": mark_safe(svg.monitoring_chart(counts["days"])),  # built from numbers only, escaped inside
        "categories": sorted(categories.items(), key=lambda kv: -kv[1]),
        "active_days": [d for d in reversed(counts["days"]) if d["requests"] or d["reports"]],
    })


urlpatterns = [
    path("files/", files_page, name="files-page"),
    path("jobs/<str:job_id>/", job_page, name="job-page"),
    path("jobs/<str:job_id>/live", job_live, name="job-live"),
    path("jobs/<str:job_id>/cancel", job_act, {"action": "cancel"}, name="job-cancel-page"),
    path("jobs/<str:job_id>/accept", job_act, {"action": "accept"}, name="job-accept-page"),
    path("models/<str:model_id>/chat", model_chat, name="model-chat-page"),
    path("models/<str:model_id>/monitoring", model_monitoring_page, name="model-monitoring-page"),
]
