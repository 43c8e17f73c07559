"""One error shape for the whole API: {"error": {"message", "type", "param", "code"}}.

Services raise `DomainError` subclasses; the API, the admin and the pages all show their message.
"""
from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger(__name__)

INVALID_REQUEST = "invalid_request_error"
AUTHENTICATION = "authentication_error"
PERMISSION = "permission_error"
NOT_FOUND = "not_found_error"
RATE_LIMIT = "rate_limit_error"
API = "api_error"


class DomainError(Exception):
    """A rule of the product was not met. Carries everything the error shape needs."""

    status_code = 400
    type = INVALID_REQUEST
    code = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, param: str | None = None, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code


class NotAllowed(DomainError):
    status_code = 403
    type = PERMISSION
    code = "not_allowed"


class NotFound(DomainError):
    status_code = 404
    type = NOT_FOUND
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PaymentRequired(DomainError):
    status_code = 402
    code = "payment_required"


class IllegalTransition(DomainError):
    status_code = 409
    code = "illegal_transition"


def error_body(message: str, type_: str, *, param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _type_for_status(status_code: int) -> str:
    if status_code == 401:
        return AUTHENTICATION
    if status_code == 403:
        return PERMISSION
    if status_code == 404:
        return NOT_FOUND
    if status_code == 429:
        return RATE_LIMIT
    if status_code >= 500:
        return API
    return INVALID_REQUEST


def _first_validation_error(detail, path: str | None = None) -> tuple[str | None, str, str]:
    """Walk DRF's nested ValidationError detail to its first leaf: (param, message, code)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key == "non_field_errors" else str(key)
            sub = f"{path}.{name}" if path and name else (name or path)
            return _first_validation_error(value, sub)
    if isinstance(detail, list) and detail:
        first = detail[0]
        if isinstance(first, (dict, list)):
            return _first_validation_error(first, f"{path}[0]" if path else None)
        return _first_validation_error(first, path)
    message = str(detail)
    code = getattr(detail, "code", None) or "invalid"
    if path and not message.lower().startswith(path.split(".")[-1].lower()):
        message = f"{path}: {message}"
    return path, message, code


def api_exception_handler(exc, context) -> Response | None:
    headers = {}
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.message, exc.type, param=exc.param, code=exc.code), status=exc.status_code
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        status_code = exc.status_code
        # DRF answers 403 for "not authenticated" when no authenticator sends a challenge.
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            status_code = 401
            headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
        if isinstance(exc, exceptions.ValidationError):
            param, message, code = _first_validation_error(exc.detail)
            body = error_body(message, INVALID_REQUEST, param=param, code=code)
        else:
            detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
            code = exc.get_codes() if isinstance(exc.get_codes(), str) else None
            if isinstance(exc, exceptions.Throttled):
                code = "rate_limit_exceeded"
            body = error_body(str(detail), _type_for_status(status_code), code=code)
        return Response(body, status=status_code, headers=headers)
    return None


def json_error(message: str, status_code: int, *, code: str | None = None) -> JsonResponse:
    return JsonResponse(error_body(message, _type_for_status(status_code), code=code), status=status_code)


def handler404(request, exception=None):
    if request.path.startswith("/v1/"):
        return json_error("Unknown URL: " + request.path, 404, code="unknown_url")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/v1/"):
        return json_error("The server had an error while processing your request.", 500, code="server_error")
    from django.views.defaults import server_error

    return server_error(request)


def handler403(request, exception=None):
    if request.path.startswith("/v1/"):
        return json_error("You do not have permission to perform this action.", 403, code="permission_denied")
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)


def handler400(request, exception=None):
    if request.path.startswith("/v1/"):
        return json_error("Bad request.", 400, code="bad_request")
    from django.views.defaults import bad_request

    return bad_request(request, exception)
