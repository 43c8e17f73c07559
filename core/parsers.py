"""Request parsers every API endpoint uses (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

DRF's parsers read the raw stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE never applied to them: a
200 MB JSON body was read and decoded before its 400. Here a JSON or form body larger than
``API_MAX_BODY_BYTES`` is refused with 413 before it is read (by its Content-Length) or as soon as the
limit is passed (a chunked body), and JSON nested past Python's recursion limit is a 400, not a 500.
File uploads stream through their own handler with their own limit (tuning/files.py)."""
from __future__ import annotations

import io

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .errors import DomainError


class BodyTooLarge(DomainError):
    status_code = 413
    type = "invalid_request_error"
    code = "request_too_large"


def _limited(stream, parser_context) -> io.BytesIO:
    limit = int(getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024))
    request = (parser_context or {}).get("request")
    length = (request.META.get("CONTENT_LENGTH") if request is not None else None) or ""
    if length.isdigit() and int(length) > limit:
        raise BodyTooLarge(f"The request body is {int(length)} bytes; at most {limit} are accepted here.")
    body = stream.read(limit + 1) if stream is not None else b""
    if len(body) > limit:
        raise BodyTooLarge(f"The request body is larger than the {limit} bytes accepted here.")
    return io.BytesIO(body)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        stream = _limited(stream, parser_context)
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the body is nested too deeply.") from exc


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return super().parse(_limited(stream, parser_context), media_type, parser_context)
