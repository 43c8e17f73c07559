"""A calibration job through the whole pipeline on the tiny model: training, the evaluation's calibration
suite on the tuned model, the gate's calibration check, calibration.json beside the adapter, the signed
card's calibration section and the plots on the card and the evaluation report."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from evaluation import gate
from evaluation.models import EvaluationRun
from tests.evaluation.conftest import _run_pipeline
from tests.evaluation.factories import STRONG_HYPERPARAMETERS, STRONG_RECIPE, capitals_examples, job_with_data
from tests.factories import PASSWORD, api_key_for
from tests.tuning.factories import jsonl, licensed_customer, make_listing, upload_file
from tuning import selectors as tuning_selectors

_CAPITALS = [("France", "Paris"), ("Japan", "Tokyo"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Kenya", "Nairobi"),
             ("Peru", "Lima"), ("Egypt", "Cairo"), ("Canada", "Ottawa"), ("Chile", "Santiago"), ("Norway", "Oslo"),
             ("Greece", "Athens"), ("Cuba", "Havana")]


def capital_items() -> list[dict]:
    rows = []
    for country, capital in _CAPITALS:
        rows.append({"question": f"What is the capital of {country}?", "answers": [capital]})
        others = [c for _, c in _CAPITALS if c != capital][:2]
        rows.append({"question": f"Which city is the capital of {country}?", "choices": [others[0], capital, others[1]],
                     "answer": capital})
    return rows


@pytest.fixture
def calibration_job(db, django_capture_on_commit_callbacks):
    customer = licensed_customer()
    listing = make_listing(recipe=STRONG_RECIPE, techniques=("supervised", "calibration"))
    items_file = upload_file(customer, jsonl(capital_items()))
    job = job_with_data(capitals_examples(24), customer=customer, listing=listing, hyperparameters={}, suffix="geo",
                        use_case="Answer our pupils' geography questions, and say when unsure.",
                        method={"type": "calibration", "calibration": {
                            "items_file": items_file.public_id, "target_risk": 0.1,
                            "hyperparameters": STRONG_HYPERPARAMETERS}})
    return customer, _run_pipeline(job, django_capture_on_commit_callbacks)


def test_a_calibration_job_is_fitted_gated_and_shown_on_its_card_and_report(calibration_job):
    customer, job = calibration_job
    run = EvaluationRun.objects.filter(job=job, status="completed").get()
    suite = run.report["suites"]["calibration"]
    assert run.report["method"] == "calibration"
    assert suite["split"]["n_fit"] == 12 and suite["split"]["n_heldout"] == 12
    assert suite["target_risk"] == 0.1

    # The gate judged the calibration on its held-out figures.
    check = next(c for c in run.gate_checks if c["name"] == "calibration_ece")
    ece = suite["metrics"]["ece"]
    assert (check["base"], check["tuned"]) == (ece["base"], ece["tuned"])
    assert check["passed"] == (ece["tuned"] <= ece["base"])
    assert gate.gate_verdict(run.report).passed == run.passed

    # The fitted calibration travels with the adapter.
    fitted = json.loads((tuning_selectors.job_artifact_path(job) / "calibration.json").read_text())
    assert fitted["temperature"] == suite["temperature"]
    assert {k: v["threshold"] for k, v in fitted["levels"].items()} == {
        k: v["threshold"] for k, v in suite["levels_fit"].items()}

    # The signed card records method, split and the before/after figures, and shows the plots.
    client = Client()
    assert client.login(email=customer.email, password=PASSWORD)
    ref = job.fine_tuned_model or job.public_id
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {api_key_for(customer)}"}
    card = client.get(f"/v1/models/{ref}/card", **api_headers).json()
    section = card["calibration"]
    assert section["method"].startswith("Temperature scaling (Guo et al. 2017)")
    assert section["split"]["n_heldout"] == 12 and section["temperature"] == suite["temperature"]
    assert section["before"]["ece"] == ece["base"] and section["after"]["ece"] == ece["tuned"]
    markdown = client.get(f"/v1/models/{ref}/card?format=md", **api_headers).content.decode()
    assert "## Confidence calibration" in markdown and "| cautious |" in markdown
    for url in (f"/models/{ref}/card", f"/jobs/{job.public_id}/evaluation"):
        html = client.get(url).content.decode()
        assert "Confidence calibration" in html
        assert "Risk–coverage, held-out items" in html and "Reliability of answers, held-out items" in html
