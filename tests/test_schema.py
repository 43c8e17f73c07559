"""/v1/schema documents what the server answers: the one error shape on every operation (core/schema.py), and
a response for every operation. scripts/fuzz_api.sh checks the same against generated requests in CI."""
import jsonschema
import pytest
import yaml

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _schema(client):
    response = client.get("/v1/schema")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _as_json_schema(node):
    """OpenAPI 3.0's `nullable: true` is JSON Schema's `type: [T, "null"]` (what jsonschema reads)."""
    if isinstance(node, dict):
        node = {k: _as_json_schema(v) for k, v in node.items()}
        if node.pop("nullable", False):
            node["type"] = [node["type"], "null"]
        return node
    return [_as_json_schema(v) for v in node] if isinstance(node, list) else node


def _error_schema(schema):
    return _as_json_schema(schema["components"]["schemas"]["Error"])


def test_every_operation_documents_its_success_and_the_error_shape(client):
    schema = _schema(client)
    missing = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            responses = op["responses"]
            if not any(code.startswith("2") and responses[code].get("content") for code in responses):
                missing.append(f"{method.upper()} {path}: no documented success body")
            for code in ("400", "401", "403", "404", "409", "429") + (("413", "415") if method != "get" else ()):
                ref = responses.get(code, {}).get("content", {}).get("application/json", {}).get("schema", {})
                if ref.get("$ref") != "#/components/schemas/Error":
                    missing.append(f"{method.upper()} {path}: {code} is not documented as an Error")
    assert missing == []
    assert schema["paths"]["/v1/fine_tuning/jobs"]["post"]["responses"]["402"]
    assert list(schema["paths"]["/v1/files/{file_id}/content"]["get"]["responses"]["200"]["content"]) == ["application/jsonl"]
    assert "text/markdown" in schema["paths"]["/v1/models/{model_id}/card"]["get"]["responses"]["200"]["content"]


@pytest.mark.parametrize("case", ["unauthenticated", "not_found", "validation", "unknown_url", "bad_json"])
def test_error_answers_match_the_documented_error_schema(client, api, case):
    schema = _error_schema(_schema(client))
    user_client = api.as_user(make_user(role="customer"))
    response, status = {
        "unauthenticated": lambda: (client.get("/v1/fine_tuning/jobs"), 401),
        "not_found": lambda: (user_client.get("/v1/fine_tuning/jobs/ftjob-nope"), 404),
        "validation": lambda: (user_client.post("/v1/fine_tuning/jobs", {"model": 7}, format="json"), 400),
        "unknown_url": lambda: (user_client.get("/v1/no/such/thing"), 404),
        "bad_json": lambda: (user_client.post("/v1/fine_tuning/jobs", b"{nope", content_type="application/json"), 400),
    }[case]()
    assert response.status_code == status
    jsonschema.validate(response.json(), schema)


def test_the_error_schema_rejects_other_shapes(client):
    schema = _error_schema(_schema(client))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"detail": "Not found."}, schema)  # DRF's default shape, which the API never sends
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"error": {"message": "x", "type": "oops", "param": None, "code": None}}, schema)
