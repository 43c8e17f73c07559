"""/v1/models and /v1/chat/completions: base and fine-tuned models, ownership, the release gate."""
import io
import zipfile

import pytest

from tests.tuning.factories import BASE, licensed_customer
from tuning import services
from tuning.models import InferenceLog


def chat(client, model, content="Hello", **extra):
    return client.post("/v1/chat/completions", {
        "model": model, "messages": [{"role": "user", "content": content}], "max_tokens": 4, "temperature": 0, **extra,
    }, format="json")


@pytest.mark.embedded
@pytest.mark.django_db
def test_base_models_are_listed_and_answer_chats(api, customer):
    client = api.as_user(customer)
    models = client.get("/v1/models").json()
    assert models["object"] == "list" and [m["id"] for m in models["data"]] == [BASE]
    assert client.get(f"/v1/models/{BASE}").json() == {"id": BASE, "object": "model", "created": 0, "owned_by": "tunemarket"}
    response = chat(client, BASE)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["object"] == "chat.completion" and body["model"] == BASE
    assert body["choices"][0]["message"]["role"] == "assistant"
    assert body["choices"][0]["finish_reason"] in ("stop", "length")
    usage = body["usage"]
    assert usage["completion_tokens"] <= 4 and usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    log = InferenceLog.objects.get()
    assert (log.model, log.prompt_tokens, log.completion_tokens) == (BASE, usage["prompt_tokens"], usage["completion_tokens"])
    assert log.organization == customer.organization and log.job is None


def test_the_owner_uses_and_downloads_a_released_model_and_nobody_else_sees_it(api, customer, released_job):
    model = released_job.fine_tuned_model
    owner = api.as_user(customer)
    assert model in [m["id"] for m in owner.get("/v1/models").json()["data"]]
    assert owner.get(f"/v1/models/{model}").json()["fine_tuning_job"] == released_job.public_id
    response = chat(owner, model)
    assert response.status_code == 200 and response.json()["model"] == model
    assert InferenceLog.objects.get(model=model).job == released_job

    download = owner.get(f"/v1/models/{model}/download")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert {"adapter_model.safetensors", "adapter_config.json"} <= set(names)

    stranger = api.as_user(licensed_customer())
    assert model not in [m["id"] for m in stranger.get("/v1/models").json()["data"]]
    for response in (stranger.get(f"/v1/models/{model}"), chat(stranger, model), stranger.get(f"/v1/models/{model}/download")):
        assert response.status_code == 404
    assert InferenceLog.objects.filter(model=model).count() == 1


def test_a_blocked_model_is_refused_to_its_owner_and_does_not_exist_for_anyone_else(api, customer, trained_job):
    job = services.job_evaluation_finished(job=trained_job, passed=False, reasons=["refusal rate dropped"])
    assert job.status == "blocked" and job.fine_tuned_model
    owner, stranger = api.as_user(customer), api.as_user(licensed_customer())
    for response in (chat(owner, job.fine_tuned_model), owner.get(f"/v1/models/{job.fine_tuned_model}/download")):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "model_blocked"
    # Ownership is checked first: another organisation learns nothing, not even that it is blocked.
    for response in (chat(stranger, job.fine_tuned_model), stranger.get(f"/v1/models/{job.fine_tuned_model}/download"),
                     stranger.get(f"/v1/models/{job.fine_tuned_model}")):
        assert response.status_code == 404 and response.json()["error"]["code"] == "model_not_found"
    assert job.fine_tuned_model not in [m["id"] for m in api.as_user(customer).get("/v1/models").json()["data"]]
    assert not InferenceLog.objects.exists()


def test_chat_requests_are_checked(api, customer):
    client = api.as_user(customer)
    assert chat(client, "gpt-4o").status_code == 404
    assert chat(client, BASE, stream="yes please").json()["error"]["param"] == "stream"
    assert chat(client, BASE, max_tokens=100_000).json()["error"]["param"] == "max_tokens"
    bad_role = client.post("/v1/chat/completions", {"model": BASE, "messages": [{"role": "robot", "content": "x"}]}, format="json")
    assert bad_role.status_code == 400
    assert not InferenceLog.objects.exists()
