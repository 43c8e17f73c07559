"""The admin shows jobs and datasets read-only and cancels through the same service as the API."""
from django.test import Client

from tests.factories import make_admin
from tests.tuning.factories import make_job
from tuning.models import JobStatus


def test_admin_cancels_a_job_with_a_reason_and_never_shows_dataset_keys(customer, listing):
    job = make_job(customer=customer, listing=listing)
    admin = Client()
    admin.force_login(make_admin())
    assert admin.get("/admin/tuning/finetuningjob/").status_code == 200
    assert admin.get(f"/admin/tuning/finetuningjob/{job.pk}/change/").status_code == 200
    page = admin.get(f"/admin/tuning/datasetfile/{job.training_file.pk}/change/")
    assert page.status_code == 200 and job.training_file.wrapped_key.encode() not in page.content
    response = admin.post("/admin/tuning/finetuningjob/", {
        "action": "cancel_selected", "_selected_action": [job.pk], "apply": "1", "reason": "Customer asked by phone.",
    })
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.events.filter(to_status="cancelled", message__contains="Customer asked by phone.").exists()


def test_job_reviews_are_routed_to_the_marketplace(api, customer, listing):
    job = make_job(customer=customer, listing=listing)
    response = api.as_user(customer).post(f"/v1/fine_tuning/jobs/{job.public_id}/reviews", {"rating": 5, "body": "Great"},
                                          format="json")
    # The marketplace's view answers (a job not yet delivered cannot be reviewed), not a missing route.
    assert response.json()["error"]["code"] != "unknown_url"
    assert response.status_code in (400, 403, 409)
