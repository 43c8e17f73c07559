"""What drf-spectacular cannot infer from the views: the one error shape, on every operation of /v1/schema.

Every API error is `{"error": {"message", "type", "param", "code"}}` (core/errors.py), whatever raised it: a
serializer, a service's DomainError, DRF's authentication, parsers and throttles, or Django's 404 handler.
The hook documents those answers as responses of each operation, so a client generator gets them and a
fuzzer (schemathesis in .ci/run, scripts/fuzz_api.sh) checks each error the server sends against the
schema (status code and body).
"""
from __future__ import annotations

from core.errors import API, AUTHENTICATION, INVALID_REQUEST, NOT_FOUND, PERMISSION, RATE_LIMIT

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error (core/errors.py).",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "additionalProperties": False,
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string", "enum": [INVALID_REQUEST, AUTHENTICATION, PERMISSION, NOT_FOUND, RATE_LIMIT,
                                                    API]},
                "param": {"type": "string", "nullable": True},
                "code": {"type": "string", "nullable": True},
            },
        }
    },
}

# Answers any operation can give: a bad query, parameter or header (400), no or a revoked key (401), a role
# or organisation that may not (403), an id that is not the caller's (404), a state that does not allow it
# (409; reads too, e.g. a file's samples without the customer's grant), the throttle (429).
COMMON = {
    "400": "Invalid request: the error names the parameter.",
    "401": "No valid API key.",
    "403": "Not allowed for this account.",
    "404": "Not found, or not this organisation's.",
    "409": "Conflict with the object's state, or a repeated Idempotency-Key still in progress.",
    "429": "Too many requests.",
}
# Answers of operations that send a body: one over API_MAX_BODY_BYTES or the upload limit (413), a body in a media type the
# endpoint does not read (415).
WRITES = {
    "413": "The request body is too large.",
    "415": "Unsupported media type.",
}
# Operations that hold, capture or charge through Stripe: a card that needs replacing (402); Stripe failing or
# unreachable (502, 503) is reported, not hidden, and a retry with the same Idempotency-Key is safe.
PAYMENTS = {
    "402": "The card could not be charged or held: add another payment method.",
    "502": "Stripe answered with an error; nothing was changed here.",
    "503": "Stripe could not be reached; retry with the same Idempotency-Key.",
}
# Successful answers that are not JSON (found by the fuzzer's content-type check): a file's own bytes, and a
# model card's Markdown (?format=md).
RAW_SUCCESS = {
    ("/v1/files/{file_id}/content", "get"): {"application/jsonl": {"schema": {"type": "string", "format": "binary"}}},
    ("/v1/models/{model_id}/card", "get"): {"text/markdown": {"schema": {"type": "string"}}},
}
PAYMENT_PATHS = ("/v1/fine_tuning/jobs", "/v1/licenses", "/v1/billing/payment_methods",
                 "/v1/specialist_models/{id}/licenses")


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_COMPONENT] = ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = dict(COMMON)
            if method != "get":
                codes.update(WRITES)
            if method == "post" and (path in PAYMENT_PATHS or path.endswith("/accept")):
                codes.update(PAYMENTS)
            responses = operation.setdefault("responses", {})
            if (path, method) in RAW_SUCCESS:
                responses.setdefault("200", {"description": ""}).setdefault("content", {}).update(RAW_SUCCESS[path, method])
                if path.endswith("/content"):
                    responses["200"]["content"].pop("application/json", None)
            for code, description in codes.items():
                responses.setdefault(code, {"description": description, "content": {"application/json": {"schema": ref}}})
    return result
