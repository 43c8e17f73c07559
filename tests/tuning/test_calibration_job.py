"""The calibration technique through the job API and chat completions: the labelled-items file, the
job's settings (bad ones are a 400 that creates nothing), and a released calibrated model whose caution
level changes how often it abstains, monotonically, while every answer reports its confidence."""
from __future__ import annotations

import json

import pytest

from tests.tuning.factories import BASE, approve, jsonl, licensed_customer, make_job, make_listing, release, upload, upload_file
from tests.tuning import test_openai_client as _openai
from tuning.models import FineTuningJob

CAUTION = ("cautious", "balanced", "proactive")
# The official openai client through a WSGI transport (tests/tuning/test_openai_client.py).
wsgi_app = _openai.wsgi_app
openai_client = _openai.openai_client


def items(n: int = 24) -> list[dict]:
    rows = []
    for i in range(n):
        a, b = 3 + i, 5 + 2 * i
        if i % 2:
            rows.append({"question": f"What is {a} plus {b}?", "answers": [str(a + b)]})
        else:
            rows.append({"question": f"What is {a} times {b}?", "choices": [str(a * b), str(a * b + 1), str(a + b)],
                         "answer": 0})
    return rows


@pytest.fixture
def calibration_listing(db):
    return make_listing(techniques=("supervised", "calibration"))


def _method(items_file: str, **extra) -> dict:
    return {"type": "calibration", "calibration": {"items_file": items_file, "hyperparameters": {"n_epochs": 1},
                                                   **extra}}


def test_a_calibration_items_file_is_validated_on_upload(api, customer):
    client = api.as_user(customer)
    good = upload(client, jsonl(items())).json()
    assert good["status"] == "processed" and good["validation"]["format"] == "calibration"
    lines = [json.dumps(x) for x in items(12)]
    lines[2] = json.dumps({"question": "Pick one", "choices": ["a", "b"], "answer": 7})
    bad = upload(client, ("\n".join(lines) + "\n").encode()).json()
    assert bad["status"] == "error"
    assert [(e["line"], e["code"]) for e in bad["validation"]["errors"]] == [(3, "invalid_item")]


def test_a_calibration_job_records_its_items_and_target_and_trains_as_supervised(db, calibration_listing):
    customer = licensed_customer()
    items_file = upload_file(customer, jsonl(items()))
    job = make_job(customer=customer, listing=calibration_listing, hyperparameters={},
                   method=_method(items_file.public_id, target_risk=0.1))
    assert job.method == {"type": "calibration", "calibration": {"items_file": items_file.public_id, "target_risk": 0.1}}
    assert job.training_config["method"] == "supervised"


@pytest.mark.parametrize("change, param", [
    ({"target_risk": 0.9}, "method.calibration.target_risk"),
    ({"target_risk": "low"}, "method.calibration.target_risk"),
    ({"items_file": ""}, "method.calibration.items_file"),
    ({"items_file": "file-doesnotexist"}, "method.calibration.items_file"),
    ({"threshold": 0.5}, "method.calibration.threshold"),
])
def test_bad_calibration_settings_are_a_400_and_create_no_job(api, calibration_listing, change, param):
    owner = licensed_customer()
    client = api.as_user(owner)
    training = upload(client, jsonl([{"messages": [{"role": "user", "content": f"Hi {i}"},
                                                   {"role": "assistant", "content": f"Hello {i}"}]}
                                     for i in range(12)])).json()["id"]
    items_id = upload(client, jsonl(items())).json()["id"]
    method = _method(items_id)
    method["calibration"].update(change)
    response = client.post("/v1/fine_tuning/jobs", {
        "model": BASE, "training_file": training, "listing": calibration_listing.public_id,
        "use_case": "Answer arithmetic questions and say when unsure.", "method": method}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["param"] == param
    assert not FineTuningJob.objects.exists()


def test_too_few_items_or_a_chat_file_as_items_are_refused(api, calibration_listing):
    owner = licensed_customer()
    client = api.as_user(owner)
    chats = jsonl([{"messages": [{"role": "user", "content": f"Hi {i}"}, {"role": "assistant", "content": f"Yo {i}"}]}
                   for i in range(12)])
    training = upload(client, chats).json()["id"]
    for items_id, code in ((upload(client, jsonl(items(12))).json()["id"], "too_few_items"), (training, "invalid_file")):
        response = client.post("/v1/fine_tuning/jobs", {
            "model": BASE, "training_file": training, "listing": calibration_listing.public_id,
            "use_case": "Answer arithmetic questions.", "method": _method(items_id)}, format="json")
        assert response.status_code == 400 and response.json()["error"]["code"] == code, response.content
    assert not FineTuningJob.objects.exists()


def test_a_listing_without_calibration_does_not_sell_it(db, api):
    owner = licensed_customer()
    client = api.as_user(owner)
    listing = make_listing(techniques=("supervised",))
    training = upload(client, jsonl([{"messages": [{"role": "user", "content": f"Hi {i}"},
                                                   {"role": "assistant", "content": f"Yo {i}"}]}
                                     for i in range(12)])).json()["id"]
    response = client.post("/v1/fine_tuning/jobs", {
        "model": BASE, "training_file": training, "listing": listing.public_id,
        "use_case": "Answer arithmetic questions.", "method": _method(upload(client, jsonl(items())).json()["id"])},
        format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "method_not_offered"


# --- a released calibrated model ------------------------------------------------------------------


@pytest.fixture
def calibrated(db, calibration_listing, django_capture_on_commit_callbacks):
    """A calibration job trained on the tiny model, its confidence fitted by the evaluation's own code on
    its items (evaluation.services.runs.calibration_save writes calibration.json), then released."""
    from evaluation.services.runs import calibration_save
    from evaluation.suites.confidence import run_calibration
    from tuning import selectors
    from tuning.inference import backend_for

    customer = licensed_customer()
    items_file = upload_file(customer, jsonl(items()))
    job = make_job(customer=customer, listing=calibration_listing, hyperparameters={},
                   method=_method(items_file.public_id), suffix="calib")
    with django_capture_on_commit_callbacks(execute=True):
        approve(job)
    job.refresh_from_db()
    assert job.status == "evaluating", list(job.events.values_list("message", flat=True))
    adapter = selectors.job_artifact_path(job)
    model, tokenizer = backend_for(job.backend).load_for_inference(job.base_model, adapter)
    suite = run_calibration(model, tokenizer, selectors.job_calibration_items(job), target_risk=0.05, seed=job.seed,
                            system_prompt=(job.training_config or {}).get("system_prompt"), resamples=20)
    calibration_save(adapter, suite)
    job = release(job)
    return customer, job, suite


PROMPTS = ["What is 4 plus 9?", "What is 12 times 3?", "Name a colour.", "What is 7 plus 8?"]


def test_the_caution_level_changes_how_often_the_model_abstains_monotonically(calibrated, wsgi_app):
    # `calibrated` first: its uploads go through Django's test client, which reconnects the signal that
    # closes connections; wsgi_app (after it) disconnects that signal for the openai client's requests.
    customer, job, suite = calibrated
    client = openai_client(wsgi_app, customer)
    abstained = {}
    for level in CAUTION:
        count = 0
        for prompt in PROMPTS:
            response = client.chat.completions.create(
                model=job.fine_tuned_model, messages=[{"role": "user", "content": prompt}], max_tokens=6,
                temperature=0, extra_body={"caution": level})
            info = response.model_extra["calibration"]
            assert info["caution"] == level and 0.0 <= info["confidence"] <= 1.0
            assert info["threshold"] == suite["levels_fit"][level]["threshold"]
            assert info["abstained"] == (info["confidence"] < info["threshold"])
            if info["abstained"]:
                count += 1
                assert response.choices[0].message.content.startswith("I'm not sure enough to answer")
            else:
                assert not response.choices[0].message.content.startswith("I'm not sure")
        abstained[level] = count
    assert abstained["cautious"] >= abstained["balanced"] >= abstained["proactive"] == 0
    assert abstained["cautious"] > abstained["proactive"]
    # Without a caution level the customer's own target applies (the cautious level).
    default = client.chat.completions.create(model=job.fine_tuned_model, temperature=0, max_tokens=6,
                                             messages=[{"role": "user", "content": PROMPTS[0]}])
    assert default.model_extra["calibration"]["caution"] == "cautious"

    _bad_caution_is_a_400_and_uncalibrated_models_and_streams_refuse_it(customer, job)


def _bad_caution_is_a_400_and_uncalibrated_models_and_streams_refuse_it(customer, job):
    from rest_framework.test import APIClient

    from tests.factories import api_key_for
    from tuning.models import InferenceLog

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(customer)}")
    before = InferenceLog.objects.count()

    def ask(model, **extra):
        return client.post("/v1/chat/completions", {"model": model, "max_tokens": 4, "temperature": 0,
                                                    "messages": [{"role": "user", "content": "Hi"}], **extra},
                           format="json")

    bad = ask(job.fine_tuned_model, caution="reckless")
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "caution"
    base = ask(BASE, caution="cautious")
    assert base.status_code == 400 and base.json()["error"]["code"] == "caution_not_available"
    stream = ask(job.fine_tuned_model, caution="balanced", stream=True)
    assert stream.status_code == 400 and stream.json()["error"]["code"] == "caution_not_streamable"
    assert InferenceLog.objects.count() == before
