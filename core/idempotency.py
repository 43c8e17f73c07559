"""``Idempotency-Key`` for POSTs that create a job or move money, as Stripe does.

A view opts in with ``IdempotentMixin``. With the header, the first request's response (any status
below 500) is stored per organisation; a repeat with the same key and the same method, path and body
gets that response again (``Idempotent-Replayed: true``) and does nothing; the same key with a
different request is a 400 (``idempotency_key_reused``); a repeat while the first is still running is
a 409 (``idempotency_request_in_progress``). A 5xx is not stored, so the client may retry. Keys are
kept ``IDEMPOTENCY_KEY_TTL_HOURS`` (24 by default) and are private to the organisation."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from .errors import Conflict, DomainError

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_CHARS = 255


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"


class IdempotencyInProgress(Conflict):
    code = "idempotency_request_in_progress"


def request_fingerprint(method: str, path: str, body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method}\0{path}\0{canonical}".encode()).hexdigest()


def _ttl() -> timedelta:
    return timedelta(hours=int(getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24)))


def claim(*, organization, key: str, method: str, path: str, fingerprint: str):
    """The stored record for a repeat (``(record, False)``), or a new claim (``(record, True)``)."""
    from .models import IdempotencyKey

    if not key or len(key) > MAX_KEY_CHARS:
        raise DomainError(f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters.", param="Idempotency-Key",
                          code="invalid_idempotency_key")
    IdempotencyKey.objects.filter(organization=organization, key=key, created_at__lt=timezone.now() - _ttl()).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(organization=organization, key=key, method=method, path=path,
                                                 request_sha256=fingerprint), True
    except IntegrityError:
        record = IdempotencyKey.objects.get(organization=organization, key=key)
    if record.request_sha256 != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request; use a new key for a new request.",
            param="Idempotency-Key")
    if record.response_status is None:
        raise IdempotencyInProgress("A request with this Idempotency-Key is still being processed; retry shortly.",
                                    param="Idempotency-Key")
    return record, False


class _Replay(Exception):
    def __init__(self, record):
        super().__init__("replay")
        self.record = record


class IdempotentMixin:
    """For APIView subclasses: POSTs honour the Idempotency-Key header (see the module docstring)."""

    _idempotency_record = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles first
        key = request.META.get(HEADER)
        if request.method != "POST" or key is None or getattr(request.user, "organization", None) is None:
            return
        record, created = claim(organization=request.user.organization, key=key.strip(), method=request.method,
                                path=request.path, fingerprint=request_fingerprint(request.method, request.path,
                                                                                   request.data))
        if not created:
            raise _Replay(record)  # the handler does not run again
        self._idempotency_record = record

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            response = Response(exc.record.response_body, status=exc.record.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = super().handle_exception(exc)
        except Exception:
            self._idempotency_forget()
            raise
        return self._idempotency_finish(response)

    def finalize_response(self, request, response, *args, **kwargs):
        return super().finalize_response(request, self._idempotency_finish(response), *args, **kwargs)

    def _idempotency_forget(self) -> None:
        from .models import IdempotencyKey

        if self._idempotency_record is not None:
            IdempotencyKey.objects.filter(pk=self._idempotency_record.pk).delete()
            self._idempotency_record = None

    def _idempotency_finish(self, response):
        record = getattr(self, "_idempotency_record", None)
        if record is None or response is None:
            return response
        self._idempotency_record = None
        from .models import IdempotencyKey

        if response.status_code >= 500:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
        elif not getattr(response, "streaming", False):
            IdempotencyKey.objects.filter(pk=record.pk).update(response_status=response.status_code,
                                                              response_body=getattr(response, "data", None))
        return response
