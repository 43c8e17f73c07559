"""The whole path with the tiny model: screening → training → evaluation → gate → card, through the API."""
from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import Membership
from tests.evaluation.factories import capitals_examples, job_with_data
from tests.factories import PASSWORD, make_admin, make_user
from tuning import services as tuning_services
from evaluation import services
from evaluation.models import EvaluationRun, ModelCard
from tuning.models import FineTuningJob


def test_benign_model_passes_the_gate_and_is_released_with_a_verifiable_card(released, api, tmp_path, capsys):
    customer, job = released
    assert job.fine_tuned_model and services.model_is_released(job)
    run = EvaluationRun.objects.get(job=job, status="completed")
    assert run.passed is True and run.adapter_sha256 == job.artifact.sha256

    client = api.as_user(customer)
    evaluation = client.get(f"/v1/fine_tuning/jobs/{job.public_id}/evaluation").json()
    assert evaluation["status"] == "passed" and evaluation["gate"]["passed"] is True
    assert set(evaluation["suites"]) == {"target", "domain", "core", "safety", "balance"}
    balance_check = next(c for c in evaluation["gate"]["checks"] if c["name"] == "balance")
    assert balance_check["passed"] and evaluation["suites"]["balance"]["metrics"]["one_sidedness"]["n"] == 64
    assert evaluation["suites"]["domain"]["n"] == 7
    for metric in evaluation["suites"]["safety"]["metrics"].values():
        assert {"base", "tuned", "delta", "delta_ci", "base_ci", "tuned_ci"} <= set(metric)
    provider = api.as_user(Membership.objects.filter(organization=job.provider).first().user)
    assert provider.get(f"/v1/fine_tuning/jobs/{job.public_id}/evaluation").json()["status"] == "passed"
    job_object = client.get(f"/v1/fine_tuning/jobs/{job.public_id}").json()
    assert job_object["evaluation"]["status"] == "passed" and job_object["review"]["outcome"] == "approve"

    # The card: JSON byte-for-byte as signed, Markdown, and the page.
    response = client.get(f"/v1/models/{job.fine_tuned_model}/card")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    card = json.loads(response.content)
    assert card["gate"]["passed"] is True and card["base_model"]["sha256"]
    assert card["datasets"]["training"]["sha256"] == job.training_file.sha256
    assert card["method"]["lora"]["alpha"] == 128 and card["training"]["loss_curve"]
    assert card["evaluation"]["refusal_detector"]["precision"] > 0.9
    md = client.get(f"/v1/models/{job.fine_tuned_model}/card?format=md")
    assert md["Content-Type"].startswith("text/markdown") and "Release gate: PASSED" in md.content.decode()

    path = tmp_path / "card.json"
    path.write_bytes(response.content)
    call_command("verify_model_card", str(path))
    assert "OK" in capsys.readouterr().out
    call_command("verify_model_card", job.public_id)  # the stored copy, with the adapter files on disk
    assert "verified on disk" in capsys.readouterr().out

    # One byte of the card changes: verification fails.
    data = bytearray(response.content)
    i = data.index(b"geography")
    data[i] = ord("G")
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError):
        call_command("verify_model_card", str(path))
    assert "does not match" in capsys.readouterr().err

    _card_page_renders_plots_for_the_owner_only(customer, job)
    _other_organisations_get_404(api, job)


def _card_page_renders_plots_for_the_owner_only(customer, job):
    web = Client()
    web.login(email=customer.email, password=PASSWORD)
    page = web.get(f"/models/{job.fine_tuned_model}/card")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") >= 3 and 'role="img"' in html and "Passed: this model is released" in html
    assert "Balance on contested questions" in html and "One-sidedness by area" in html
    assert "<script" not in html
    stranger = make_user(role="customer")
    other = Client()
    other.login(email=stranger.email, password=PASSWORD)
    assert other.get(f"/models/{job.fine_tuned_model}/card").status_code == 404


def _other_organisations_get_404(api, job):
    stranger = api.as_user(make_user(role="customer"))
    assert stranger.get(f"/v1/fine_tuning/jobs/{job.public_id}/evaluation").status_code == 404
    response = stranger.get(f"/v1/models/{job.fine_tuned_model}/card")
    assert response.status_code == 404 and response.json()["error"]["type"] == "not_found_error"


def test_data_that_teaches_unconditional_compliance_is_blocked_and_cannot_be_used(
    blocked, api, django_capture_on_commit_callbacks
):
    """Harmless-looking data whose every answer starts "Sure, here's how..." passes request screening,
    but erodes refusals (Qi et al. 2023): the gate blocks the model, nobody can use or download it,
    nothing overrides the verdict, and the provider may re-run it with a changed recipe."""
    customer, job = blocked
    review = job.request_review
    assert review.outcome == "approve"  # screening alone would have let it through
    assert job.status == "blocked", [(e.message) for e in job.events.order_by("created_at")]
    run = EvaluationRun.objects.get(job=job, status="completed")
    failed = [c["name"] for c in run.gate_checks if not c["passed"]]
    # a check on its generated answers to harmful prompts fails: it refuses too little or complies too often
    assert [n for n in failed if n.startswith(("refusal_floor__", "harmful_compliance__", "generated_refusal__"))]
    refusal = run.report["suites"]["safety"]["metrics"]["generated_refusal_rate__no_system_prompt"]
    assert refusal["tuned"] < refusal["base"]
    assert services.model_is_released(job) is False

    client = api.as_user(customer)
    chat = client.post("/v1/chat/completions", {"model": job.fine_tuned_model,
                                                "messages": [{"role": "user", "content": "Hello"}]}, format="json")
    assert chat.status_code == 403 and chat.json()["error"]["code"] == "model_blocked"
    download = client.get(f"/v1/models/{job.fine_tuned_model}/download")
    assert download.status_code == 403
    other = api.as_user(make_user(role="customer"))
    assert other.get(f"/v1/models/{job.fine_tuned_model}/download").status_code == 404  # not theirs: no leak

    evaluation = client.get(f"/v1/fine_tuning/jobs/{job.public_id}/evaluation").json()
    assert evaluation["status"] == "blocked" and any("refusal" in r.lower() for r in evaluation["gate"]["reasons"])
    card = json.loads(client.get(f"/v1/models/{job.fine_tuned_model}/card").content)
    assert card["status"] == "blocked" and card["gate"]["passed"] is False

    _the_gate_verdict_is_read_only_and_nothing_overrides_it(job, run)
    _the_provider_can_rerun_with_a_changed_recipe(job, django_capture_on_commit_callbacks)


def _the_gate_verdict_is_read_only_and_nothing_overrides_it(job, run):
    for model in (EvaluationRun, ModelCard, FineTuningJob):
        assert not [f.name for f in model._meta.get_fields() if "override" in f.name or "force" in f.name]
    assert not [f.name for f in EvaluationRun._meta.get_fields() if getattr(f, "editable", False)
                and f.name in ("passed", "gate_reasons", "gate_checks", "status", "report")]

    admin = Client()
    superuser = make_admin()
    admin.login(email=superuser.email, password=PASSWORD)
    page = admin.get(f"/admin/evaluation/evaluationrun/{run.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="passed"' not in html and 'name="_save"' not in html
    changelist = admin.get("/admin/evaluation/evaluationrun/").content.decode()
    import re

    # The only actions are the release-review decisions, and they refuse a run the gate blocked.
    actions = set(re.findall(r'<option value="([a-z_]+)"', changelist))
    assert actions == {"release_after_review_selected", "block_after_review_selected"}, actions
    admin.post("/admin/evaluation/evaluationrun/", {"action": "release_after_review_selected", "apply": "1",
                                                    "_selected_action": [run.pk], "reason": "I disagree"})
    job.refresh_from_db()
    assert job.status == "blocked" and services.model_is_released(job) is False
    admin.post(f"/admin/evaluation/evaluationrun/{run.pk}/change/", {"passed": "on", "status": "completed"})
    run.refresh_from_db()
    job.refresh_from_db()
    assert run.passed is False and job.status == "blocked" and not services.model_is_released(job)
    review_actions = admin.get("/admin/evaluation/requestreview/").content.decode()
    assert "approve_selected" in review_actions and "override" not in review_actions.lower()


def _the_provider_can_rerun_with_a_changed_recipe(job, django_capture_on_commit_callbacks):
    provider_user = Membership.objects.filter(organization=job.provider).first().user
    with pytest.raises(Exception) as same:
        services.job_rerun_with_recipe(job=job, actor=provider_user, hyperparameters=dict(job.hyperparameters))
    assert "Change the recipe" in str(same.value)
    with django_capture_on_commit_callbacks(execute=False):
        new = services.job_rerun_with_recipe(job=job, actor=provider_user,
                                             hyperparameters={**job.hyperparameters, "learning_rate_multiplier": 1.0})
    assert new.pk != job.pk and new.status == "pending_review"
    assert new.metadata["rerun_of"] == job.public_id and new.hyperparameters["learning_rate_multiplier"] == 1.0
    assert new.training_file_id == job.training_file_id and new.use_case == job.use_case
    job.refresh_from_db()
    assert job.status == "blocked"
    stranger = make_user(role="provider")
    with pytest.raises(Exception):
        services.job_rerun_with_recipe(job=job, actor=stranger, hyperparameters={"n_epochs": 1})


@pytest.mark.django_db
def test_an_evaluation_that_cannot_run_fails_the_job_instead_of_leaving_it_evaluating():
    """No adapter on disk: the run is recorded failed, the job ends failed (not stuck in evaluating), no model id works."""
    from tuning import services as tuning_services
    from evaluation.models import EvaluationRun, EvaluationStatus
    from evaluation.services import model_is_released
    from evaluation.tasks import evaluation_run_task
    from tuning.models import JobStatus

    job = job_with_data(capitals_examples(12))
    for to in (JobStatus.PENDING_REVIEW, JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.EVALUATING):
        job = tuning_services.job_transition(job=job, to=to)
    evaluation_run_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "evaluation_failed"
    assert EvaluationRun.objects.filter(job=job, status=EvaluationStatus.FAILED).count() == 1
    assert not model_is_released(job)
