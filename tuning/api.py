"""The OpenAI-compatible API: files, fine-tuning jobs, models and chat completions.

Marketplace fields (listing, use_case, persona, grant_provider_samples) travel as extra body
fields (the openai client's `extra_body`). Every view is thin: validate, call one service or
selector, return a dict built by an `*_out` function.
"""
from __future__ import annotations

import json
import time

from django.http import FileResponse, StreamingHttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from accounts.services import audit_record
from core.errors import DomainError, NotFound
from core.fields import FiniteFloatField
from core.http import RawContentNegotiation, client_ip
from core.http import unix_seconds as _ts
from core.idempotency import IdempotentMixin
from core.pagination import list_response, paginate, parse_limit

from payments.selectors import job_payment_out
from evaluation.selectors import job_evaluation_out, job_review_out

from . import conf, inference, selectors, services
from .files import EncryptedUpload, EncryptingUploadHandler
from .models import REPORT_REASON_MAX_CHARS, USE_CASE_MAX_CHARS, DatasetFile, FineTuningJob, JobCheckpoint, JobEvent


# --- output shapes ----------------------------------------------------------------------------------
def file_out(file: DatasetFile) -> dict:
    validation = file.validation or {}
    return {
        "id": file.public_id,
        "object": "file",
        "bytes": file.bytes,
        "created_at": _ts(file.created_at),
        "filename": file.filename,
        "purpose": file.purpose,
        "status": file.status,
        "status_details": file.status_details or None,
        "expires_at": None,
        "validation": {
            "format": validation.get("format"),
            "error_count": validation.get("error_count", 0),
            "errors": validation.get("errors", []),
            "warnings": validation.get("warnings", []),
            "stats": validation.get("stats", {}),
        },
    }


def _hyperparameters_out(job: FineTuningJob) -> dict:
    hp = job.hyperparameters or {}
    return {k: hp[k] for k in ("n_epochs", "batch_size", "learning_rate_multiplier") if k in hp}


def job_out(job: FineTuningJob) -> dict:
    kind = (job.method or {}).get("type", "supervised")
    return {
        "id": job.public_id,
        "object": "fine_tuning.job",
        "model": job.model,
        "created_at": _ts(job.created_at),
        "finished_at": _ts(job.finished_at),
        "fine_tuned_model": job.fine_tuned_model or None,
        "organization_id": job.organization.public_id,
        "result_files": [],
        "status": job.status,
        "training_file": job.training_file.public_id if job.training_file_id else None,
        "validation_file": job.validation_file.public_id if job.validation_file_id else None,
        "hyperparameters": _hyperparameters_out(job),
        "method": {"type": kind, kind: {"hyperparameters": dict(job.hyperparameters or {}),
                                        **((job.method or {}).get("calibration") or {})}},
        "trained_tokens": job.trained_tokens,
        "seed": job.seed,
        "error": job.error or None,
        "estimated_finish": _ts(job.estimated_finish),
        "metadata": job.metadata or None,
        "integrations": [],
        "user_provided_suffix": job.suffix or None,
        "listing": job.listing.public_id,
        "provider": job.provider.public_id,
        "use_case": job.use_case,
        "persona": job.persona,
        "progress": selectors.job_progress(job),
        "review": job_review_out(job),
        "evaluation": job_evaluation_out(job),
        "payment": job_payment_out(job),
    }


def event_out(event: JobEvent) -> dict:
    return {
        "id": event.public_id,
        "object": "fine_tuning.job.event",
        "created_at": _ts(event.created_at),
        "level": event.level,
        "message": event.message,
        "type": event.type,
        "data": event.data or None,
    }


def checkpoint_out(checkpoint: JobCheckpoint) -> dict:
    job = checkpoint.job
    return {
        "id": checkpoint.public_id,
        "object": "fine_tuning.job.checkpoint",
        "created_at": _ts(checkpoint.created_at),
        "fine_tuned_model_checkpoint": f"{services.fine_tuned_model_id(job)}:ckpt-step-{checkpoint.step_number}",
        "fine_tuning_job_id": job.public_id,
        "metrics": checkpoint.metrics,
        "step_number": checkpoint.step_number,
    }


def model_out(model_id: str, *, created: int = 0, owned_by: str = "tunemarket", job: FineTuningJob | None = None) -> dict:
    out = {"id": model_id, "object": "model", "created": created, "owned_by": owned_by}
    if job is not None:
        out["fine_tuning_job"] = job.public_id
        out["base_model"] = job.model
    return out


def fine_tuned_model_out(job: FineTuningJob) -> dict:
    return model_out(
        job.fine_tuned_model, created=_ts(job.finished_at) or _ts(job.created_at), owned_by=job.organization.slug, job=job,
    )


# --- files ------------------------------------------------------------------------------------------
class FileListCreateView(APIView):
    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            # Before anything parses the body: stream it through the encrypting, size-limiting handler.
            request.upload_handlers = [EncryptingUploadHandler(request)]
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(operation_id="files_list", responses={200: dict})
    def get(self, request):
        qs = selectors.file_list(user=request.user)
        purpose = request.query_params.get("purpose")
        if purpose:
            qs = qs.filter(purpose=purpose)
        return Response(paginate(request, qs, serialize=file_out))

    @extend_schema(request=None, responses={200: dict})
    def post(self, request):
        handler = request._request.upload_handlers[0]
        data = request.data
        if isinstance(handler, EncryptingUploadHandler) and handler.too_large:
            raise DomainError(
                f"The file is larger than the {handler.max_bytes}-byte limit; nothing was stored.",
                param="file", code="file_too_large", status_code=413,
            )
        upload = request.FILES.get("file")
        if not isinstance(upload, EncryptedUpload):
            raise DomainError("Attach the dataset as the multipart field 'file'.", param="file", code="missing_file")
        dataset = services.file_upload(
            user=request.user, upload=upload, purpose=str(data.get("purpose", "")), ip_address=client_ip(request),
        )
        return Response(file_out(dataset))


class FileDetailView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, file_id: str):
        return Response(file_out(selectors.file_get(user=request.user, file_id=file_id)))

    @extend_schema(request=None, responses={200: dict})
    def delete(self, request, file_id: str):
        file = selectors.file_get(user=request.user, file_id=file_id)
        services.file_delete(file=file, actor=request.user, ip_address=client_ip(request))
        return Response({"id": file.public_id, "object": "file", "deleted": True})


class FileContentView(APIView):
    content_negotiation_class = RawContentNegotiation

    @extend_schema(responses={200: dict})
    def get(self, request, file_id: str):
        file = selectors.file_get(user=request.user, file_id=file_id)
        chunks = services.file_content_read(file=file, actor=request.user, ip_address=client_ip(request))
        response = StreamingHttpResponse(chunks, content_type="application/jsonl")
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        response["Cache-Control"] = "no-store"
        return response


class FileSamplesView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, file_id: str):
        file = selectors.file_get(user=request.user, file_id=file_id)
        limit = min(parse_limit(request.query_params.get("limit") or 5), 20)
        samples = services.file_samples_read(file=file, actor=request.user, limit=limit, ip_address=client_ip(request))
        return Response({"object": "list", "data": samples, "has_more": False})


# --- jobs -------------------------------------------------------------------------------------------
class JobIn(serializers.Serializer):
    model = serializers.CharField(max_length=100)
    training_file = serializers.CharField(max_length=64)
    validation_file = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    listing = serializers.CharField(max_length=64)
    use_case = serializers.CharField(max_length=USE_CASE_MAX_CHARS)
    method = serializers.JSONField(required=False, allow_null=True)
    hyperparameters = serializers.JSONField(required=False, allow_null=True)
    suffix = serializers.CharField(max_length=64, required=False, allow_null=True, allow_blank=True)
    seed = serializers.IntegerField(required=False, allow_null=True)
    metadata = serializers.JSONField(required=False, allow_null=True)
    persona = serializers.JSONField(required=False, allow_null=True)
    grant_provider_samples = serializers.BooleanField(required=False, default=False)
    integrations = serializers.JSONField(required=False, allow_null=True)

    def validate_integrations(self, value):
        if value:
            raise serializers.ValidationError("Integrations are not supported.")
        return value


class JobListCreateView(IdempotentMixin, APIView):
    @extend_schema(operation_id="fine_tuning_jobs_list", responses={200: dict})
    def get(self, request):
        qs = selectors.job_list(user=request.user)
        return Response(paginate(request, qs, serialize=job_out))

    @extend_schema(request=JobIn, responses={200: dict})
    def post(self, request):
        data = JobIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = services.job_create(
            user=request.user, listing=v["listing"], training_file=v["training_file"],
            validation_file=v.get("validation_file") or None, model=v["model"], use_case=v["use_case"],
            method=v.get("method"), hyperparameters=v.get("hyperparameters"), suffix=v.get("suffix") or "",
            seed=v.get("seed"), metadata=v.get("metadata"), persona=v.get("persona"),
            grant_provider_samples=v.get("grant_provider_samples", False),
        )
        return Response(job_out(selectors.job_get(user=request.user, job_id=job.public_id)))


class JobDetailView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, job_id: str):
        return Response(job_out(selectors.job_get(user=request.user, job_id=job_id)))


class JobCancelView(IdempotentMixin, APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, job_id: str):
        job = selectors.job_get(user=request.user, job_id=job_id)
        services.job_cancel(job=job, actor=request.user)
        return Response(job_out(selectors.job_get(user=request.user, job_id=job_id)))


class JobAcceptView(IdempotentMixin, APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, job_id: str):
        job = selectors.job_get(user=request.user, job_id=job_id)
        services.job_accept_delivery(job=job, actor=request.user)
        return Response(job_out(selectors.job_get(user=request.user, job_id=job_id)))


class JobEventsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, job_id: str):
        job = selectors.job_get(user=request.user, job_id=job_id)
        return Response(paginate(request, selectors.job_events(job=job), serialize=event_out))


class JobCheckpointsView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, job_id: str):
        job = selectors.job_get(user=request.user, job_id=job_id)
        return Response(
            paginate(request, selectors.job_checkpoints(job=job), serialize=checkpoint_out, ordering=("-step_number", "-id"))
        )


class JobEstimateView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, job_id: str):
        job = selectors.job_get(user=request.user, job_id=job_id)
        estimate = services.job_estimate(job)
        return Response({
            "object": "fine_tuning.job.estimate",
            "fine_tuning_job_id": job.public_id,
            "backend": job.backend,
            "base_model": job.base_model,
            "examples": estimate.examples,
            "n_epochs": estimate.n_epochs,
            "total_steps": estimate.total_steps,
            "tokens": {"per_epoch": estimate.tokens_per_epoch, "total": estimate.total_tokens},
            "wall_seconds": estimate.wall_seconds,
            "price": {"amount": job.listing.price_amount, "currency": job.listing.price_currency},
        })


# --- models and inference ---------------------------------------------------------------------------
class ModelListView(APIView):
    """Base models first (on the first page), then the organisation's released fine-tuned models."""

    @extend_schema(operation_id="models_list", responses={200: dict})
    def get(self, request):
        page = paginate(
            request, selectors.fine_tuned_models(user=request.user), serialize=fine_tuned_model_out,
            ordering=("-finished_at", "-id"), id_field="fine_tuned_model",
        )
        if not request.query_params.get("after"):
            base = [model_out(m) for m in selectors.base_model_ids()]
            page = list_response(base + page["data"], page["has_more"], last_id=page.get("last_id"))
        return Response(page)


class ModelDetailView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, model_id: str):
        job = inference.resolve_model(user=request.user, model_id=model_id, param="model_id")
        return Response(model_out(model_id) if job is None else fine_tuned_model_out(job))


class ModelDownloadView(APIView):
    content_negotiation_class = RawContentNegotiation

    @extend_schema(responses={200: dict})
    def get(self, request, model_id: str):
        job = inference.resolve_model(user=request.user, model_id=model_id, param="model_id")
        if job is None:
            raise NotFound("Base models are not downloadable here; only fine-tuned adapters are.", param="model_id")
        archive = inference.adapter_archive(job)
        audit_record(
            action="model.downloaded", actor=request.user, organization=request.user.organization, target=job,
            ip_address=client_ip(request), model=model_id,
        )
        name = f"{job.public_id}-adapter.zip"
        return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")


# No message can hold more text than the context could take (a token is at least one character), so a
# longer one is refused before the tokenizer reads it; the token count then decides (context_length_exceeded).
MESSAGE_MAX_CHARS = inference.CONTEXT_TOKENS * 8


class ChatMessageIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=["system", "user", "assistant", "developer"])
    content = serializers.JSONField()

    def validate_content(self, value):
        if isinstance(value, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in value):
            value = "".join(str(p.get("text", "")) for p in value)
        if not isinstance(value, str):
            raise serializers.ValidationError("content must be a string or a list of text parts.")
        if len(value) > MESSAGE_MAX_CHARS:
            raise serializers.ValidationError(
                f"A message may hold at most {MESSAGE_MAX_CHARS} characters (the model's context is "
                f"{inference.CONTEXT_TOKENS} tokens).")
        return value

    def validate_role(self, value):
        return "system" if value == "developer" else value


class ChatIn(serializers.Serializer):
    model = serializers.CharField(max_length=255)
    messages = ChatMessageIn(many=True, allow_empty=False, max_length=256)
    max_tokens = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    max_completion_tokens = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    temperature = FiniteFloatField(required=False, allow_null=True, min_value=0.0, max_value=2.0)
    seed = serializers.IntegerField(required=False, allow_null=True)
    n = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=1)
    stream = serializers.BooleanField(required=False, default=False)
    stream_options = serializers.DictField(required=False, allow_null=True)
    # Calibrated models only (the calibration technique): how readily the model abstains ("not sure").
    caution = serializers.ChoiceField(choices=inference.CAUTION_LEVELS, required=False, allow_null=True)
    # Balanced perspectives: an approved viewpoint set's id (GET /v1/perspective_sets) or "auto".
    perspectives = serializers.CharField(required=False, allow_null=True, allow_blank=False, max_length=64)


def _usage(result: dict) -> dict:
    return {"prompt_tokens": result["prompt_tokens"], "completion_tokens": result["completion_tokens"],
            "total_tokens": result["prompt_tokens"] + result["completion_tokens"]}


def _sse(data) -> bytes:
    return b"data: " + json.dumps(data, separators=(",", ":")).encode() + b"\n\n"


class ChatCompletionView(APIView):
    """OpenAI's chat completions, every answer through the guard (tuning.inference).

    ``stream=true`` answers with server-sent events in OpenAI's chunk format; a guard intervention
    ends the stream with ``finish_reason: "content_filter"`` and the policy category. Every signed-in
    organisation may chat with the base models (the platform's own, guarded); each call is logged and
    limited per user (the "chat" throttle scope)."""

    throttle_classes = [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "chat"

    @extend_schema(request=ChatIn, responses={200: dict})
    def post(self, request):
        data = ChatIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        cap = int(conf.get("TUNEMARKET_INFERENCE_MAX_TOKENS"))
        max_tokens = v.get("max_completion_tokens") or v.get("max_tokens") or min(64, cap)
        if max_tokens > cap:
            raise DomainError(f"max_tokens must be at most {cap}.", param="max_tokens", code="invalid_max_tokens")
        temperature = v.get("temperature")
        kwargs = dict(user=request.user, model_id=v["model"], messages=v["messages"], max_tokens=max_tokens,
                      temperature=1.0 if temperature is None else temperature, seed=v.get("seed"),
                      caution=v.get("caution"))
        created = int(time.time())
        if v.get("perspectives"):
            if v.get("stream"):
                raise DomainError("perspectives cannot be streamed; send stream=false.", param="stream",
                                  code="perspectives_not_streamable")
            if kwargs.pop("caution") is not None:
                raise DomainError("caution applies to one calibrated answer; it cannot be combined with "
                                  "perspectives.", param="caution", code="caution_with_perspectives")
            result = inference.chat_completion_perspectives(**kwargs, perspectives=v["perspectives"])
            return Response(_chat_out(result, model=v["model"], created=created))
        if v.get("stream"):
            completion_id, events = inference.chat_completion_stream(**kwargs)
            include_usage = bool((v.get("stream_options") or {}).get("include_usage"))
            return _stream_response(completion_id, events, model=v["model"], created=created,
                                    include_usage=include_usage)
        result = inference.chat_completion(**kwargs)
        return Response(_chat_out(result, model=v["model"], created=created))


def _chat_out(result: dict, *, model: str, created: int) -> dict:
    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": result["text"],
                    "refusal": result["text"] if result["content_filter"] else None},
        "finish_reason": result["finish_reason"],
        "content_filter": result["content_filter"],
        "logprobs": None,
    }
    if "perspectives" in result:
        choice["perspectives"] = result["perspectives"]
    return {"id": result["id"], "object": "chat.completion", "created": created, "model": model,
            "choices": [choice], "usage": _usage(result), "system_fingerprint": None,
            # A calibrated model's confidence in this answer, its caution level and whether it abstained.
            **({"calibration": result["calibration"]} if result.get("calibration") else {})}


def viewpoint_set_out(vs) -> dict:
    return {"id": vs.public_id, "object": "perspective_set", "name": vs.name, "topic": vs.topic,
            "viewpoints": [dict(v) for v in vs.viewpoints], "status": vs.status}


class PerspectiveSetListView(APIView):
    """The admin-approved viewpoint sets a chat's ``perspectives`` option may name."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(paginate(request, selectors.viewpoint_sets_approved(), serialize=viewpoint_set_out,
                                 ordering=("name", "id")))


def _stream_response(completion_id: str, events, *, model: str, created: int, include_usage: bool):
    def chunk(delta: dict, finish_reason=None, **extra) -> dict:
        return {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                "system_fingerprint": None,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None, **extra}]}

    def body():
        yield _sse(chunk({"role": "assistant", "content": ""}))
        for kind, value in events:
            if kind == "delta":
                yield _sse(chunk({"content": value}))
                continue
            yield _sse(chunk({}, value["finish_reason"], content_filter=value["content_filter"]))
            if include_usage:
                yield _sse({"id": completion_id, "object": "chat.completion.chunk", "created": created,
                            "model": model, "choices": [], "usage": _usage(value)})
        yield b"data: [DONE]\n\n"

    response = StreamingHttpResponse(body(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


class CompletionReportIn(serializers.Serializer):
    reason = serializers.CharField(max_length=REPORT_REASON_MAX_CHARS, allow_blank=False, trim_whitespace=True)
    include_content = serializers.BooleanField(required=False, default=False)
    content = serializers.JSONField(required=False, allow_null=True)


def completion_report_out(report) -> dict:
    return {"id": report.public_id, "object": "chat.completion.report", "completion_id": report.log.completion_id,
            "model": report.model, "reason": report.reason, "content_included": bool(report.content_encrypted),
            "status": report.status, "created_at": _ts(report.created_at)}


class CompletionReportView(APIView):
    """Report a chat completion your organisation received; it enters the admin's review queue."""

    @extend_schema(request=CompletionReportIn, responses={201: dict})
    def post(self, request, completion_id: str):
        data = CompletionReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        report = services.completion_report_create(
            user=request.user, completion_id=completion_id, reason=v["reason"],
            include_content=v["include_content"], content=v.get("content"),
        )
        return Response(completion_report_out(report), status=201)


class ModelMonitoringView(APIView):
    """Per-day counts for a fine-tuned model: requests, guard blocks by category, user reports."""

    @extend_schema(responses={200: dict})
    def get(self, request, model_id: str):
        job = selectors.model_visible(user=request.user, model_id=model_id)
        raw = request.query_params.get("days", "30")
        if not raw.isdigit() or not 1 <= int(raw) <= 365:
            raise DomainError("days must be a whole number from 1 to 365.", param="days", code="invalid_days")
        counts = selectors.model_monitoring(job, days=int(raw))
        return Response({"object": "model.monitoring", "model": model_id, "status": job.model_status,
                         "status_reason": job.model_status_reason, **counts,
                         "window": services.model_window(job)})
