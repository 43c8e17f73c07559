"""What people look at: the model's monitoring page, the admin's monitoring view and report queue,
and the public transparency page and API."""
from __future__ import annotations

from django.test import Client

from tests.factories import make_admin
from tests.tuning.factories import licensed_customer
from tests.tuning.factories import INNOCENT_PROMPT
from tests.tuning.test_guard import chat
from tuning import services
from tuning.models import CompletionReport, FineTuningJob


def _traffic(api, customer, job):
    FineTuningJob.objects.filter(pk=job.pk).update(backend="forced-harmful")
    client = api.as_user(customer)
    blocked = chat(client, job.fine_tuned_model, INNOCENT_PROMPT).json()
    client.post(f"/v1/chat/completions/{blocked['id']}/report", {"reason": "Told me how to build a bomb."},
                format="json")
    return blocked


def test_the_model_page_charts_its_counts_for_owner_and_provider_only(api, customer, released_job, forced):
    _traffic(api, customer, released_job)
    page = Client()
    page.force_login(customer)
    response = page.get(f"/models/{released_job.fine_tuned_model}/monitoring")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "Requests and guard interventions per day" in html
    assert "1 requests, 0 questions and 1 answers blocked by the guard, 1 user reports" in html
    assert "weapons: 1" in html
    provider = Client()
    provider.force_login(released_job.provider.memberships.first().user)
    assert provider.get(f"/models/{released_job.fine_tuned_model}/monitoring").status_code == 200
    stranger = Client()
    stranger.force_login(licensed_customer())
    assert stranger.get(f"/models/{released_job.fine_tuned_model}/monitoring").status_code == 404


def test_the_admin_lists_models_by_flagged_rate_and_reviews_reports(api, customer, released_job, forced, settings):
    settings.TUNEMARKET_MONITOR_REPORT_LIMIT = 100
    _traffic(api, customer, released_job)
    admin = Client()
    reviewer = make_admin()
    admin.force_login(reviewer)
    listing = admin.get("/admin/tuning/servedmodel/").content.decode()
    assert released_job.public_id in listing or released_job.fine_tuned_model in listing
    assert "<td class=\"field-flagged\">2.00</td>" in listing  # 1 blocked answer + 1 report, 1 request
    detail = admin.get(f"/admin/tuning/servedmodel/{released_job.pk}/change/")
    assert detail.status_code == 200 and b"<svg" in detail.content

    queue = admin.get("/admin/tuning/completionreport/?status__exact=open").content.decode()
    assert "Told me how to build a bomb." in queue
    report = CompletionReport.objects.get()
    assert admin.get(f"/admin/tuning/completionreport/{report.pk}/change/").status_code == 200
    admin.post("/admin/tuning/completionreport/", {"action": "uphold_selected", "_selected_action": [report.pk],
                                                   "apply": "1", "reason": "Confirmed: harmful."})
    report.refresh_from_db()
    assert report.status == "upheld" and report.decided_by == reviewer

    admin.post("/admin/tuning/servedmodel/", {"action": "suspend_selected", "_selected_action": [released_job.pk],
                                              "apply": "1", "reason": "Upheld report."})
    released_job.refresh_from_db()
    assert released_job.model_status == "suspended" and released_job.model_status_reason == "Upheld report."
    admin.post("/admin/tuning/servedmodel/", {"action": "revoke_selected", "_selected_action": [released_job.pk],
                                              "apply": "1", "reason": "Provider cannot fix it."})
    released_job.refresh_from_db()
    assert released_job.model_status == "revoked"
    # Revoked is final.
    admin.post("/admin/tuning/servedmodel/", {"action": "reinstate_selected", "_selected_action": [released_job.pk],
                                              "apply": "1", "reason": "Try again."})
    released_job.refresh_from_db()
    assert released_job.model_status == "revoked"


def test_transparency_lists_released_models_without_private_data(api, customer, released_job, forced):
    _traffic(api, customer, released_job)
    services.model_suspend(job=released_job, actor=None, reason="Reports.")
    from rest_framework.test import APIClient

    body = APIClient().get("/v1/transparency").json()
    assert body["object"] == "transparency_report"
    assert [m["id"] for m in body["models"]] == [released_job.public_id]
    model = body["models"][0]
    assert model["status"] == "suspended" and model["gate"]["passed"] is True
    assert "card_sha256" in model  # the test shortcut issues no card; tests/evaluation/test_recheck.py checks one
    assert body["totals"]["suspended"] == 1 and body["totals"]["guard_blocked_outputs"] == 1
    assert body["totals"]["chat_requests"] == 1
    text = Client().get("/transparency/").content.decode()
    assert "Transparency" in text
    # No customer name, use case or dataset appears, whatever is listed.
    for private in (customer.organization.name, customer.organization.slug, released_job.use_case,
                    released_job.training_file.filename, released_job.fine_tuned_model):
        assert private not in str(body) and private not in text


def test_a_reviewer_works_the_monitoring_view_and_the_report_queue_without_superuser_powers(
        api, customer, released_job, forced, settings):
    from tests.evaluation.factories import make_reviewer

    settings.TUNEMARKET_MONITOR_REPORT_LIMIT = 100
    _traffic(api, customer, released_job)
    reviewer = make_reviewer()
    page = Client()
    page.force_login(reviewer)
    assert page.get("/admin/tuning/servedmodel/").status_code == 200
    assert page.get("/admin/tuning/completionreport/").status_code == 200
    page.post("/admin/tuning/servedmodel/", {"action": "suspend_selected", "_selected_action": [released_job.pk],
                                             "apply": "1", "reason": "Reports confirmed."})
    released_job.refresh_from_db()
    assert released_job.model_status == "suspended"
    assert page.get("/admin/payments/").status_code in (403, 404)  # never money
