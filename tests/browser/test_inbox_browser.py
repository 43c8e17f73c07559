"""The provider's inbox: sign in, see a pending request, read it, accept one and decline another."""
import pytest

from tests.factories import make_provider
from tests.payments.factories import make_license, make_verified_customer
from tests.tuning.factories import make_job, make_listing
from evaluation.models import RequestReview
from tuning.models import FineTuningJob, JobStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def action_form(page, job: FineTuningJob, action: str):
    """The dashboard's accept/decline form for one job (found by its action URL, whatever the layout)."""
    return page.locator(f"form[action='/dashboard/provider/jobs/{job.public_id}/{action}']")


def test_provider_reads_accepts_and_declines_requests_from_the_inbox(live_server, page, shot, sign_in, settings,
                                                                    tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    provider = make_provider(organization="Harbour Clinical NLP", domains=["medical", "customer_service"])
    triage = make_listing(provider=provider, domain="medical")
    support = make_listing(provider=provider)
    # The request to accept is in a high-risk domain, so screening always refers it to people and the job stays in
    # pending_review. (A benign customer-service request is auto-approved and queued, and with Celery eager in tests
    # the training would then run inside the Accept request itself: real, but far too slow for a browser test.)
    # Medical needs a verified organisation on the Enterprise plan (the licence gate in job_create).
    hospital = make_verified_customer(category="premium")
    make_license(organization=hospital.organization, plan="enterprise")
    to_accept = make_job(
        customer=hospital, listing=triage,
        use_case="Summarise triage notes for our nurses; a clinician checks every summary.",
    )
    to_decline = make_job(listing=support, use_case="Answer our customers' password questions politely.")
    assert (to_accept.status, to_decline.status) == (JobStatus.PENDING_PROVIDER, JobStatus.PENDING_PROVIDER)

    sign_in(page, live_server, provider.email)
    page.wait_for_url(f"{live_server.url}/dashboard/provider/")
    inbox = page.locator("main").inner_text()
    for job in (to_accept, to_decline):
        assert job.public_id in inbox and job.listing.title in inbox
    assert to_accept.use_case in inbox
    assert action_form(page, to_accept, "accept").get_by_role("button", name="Accept").is_visible()
    shot(page, "provider-inbox")

    # The request's detail page: use case and dataset statistics, no raw rows (the customer did not share them).
    # By its URL: the listing's title also links to the listing from "Your listings".
    page.locator(f"a[href='/dashboard/provider/jobs/{to_accept.public_id}/']").first.click()
    page.wait_for_url(f"{live_server.url}/dashboard/provider/jobs/{to_accept.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Request for “{triage.title}”"
    detail = page.locator("main").inner_text()
    assert to_accept.use_case in detail and "Pending provider" in detail
    assert "did not share raw rows" in detail and "password" not in detail.lower()
    assert "Examples" in page.get_by_role("region", name="Training file").inner_text()
    shot(page, "provider-job-detail")

    page.get_by_role("link", name="Back to the dashboard").click()
    page.wait_for_url(f"{live_server.url}/dashboard/provider/")
    action_form(page, to_accept, "accept").get_by_role("button", name="Accept").click()
    page.wait_for_url(f"{live_server.url}/dashboard/provider/")
    assert f"Accepted {to_accept.public_id}; it goes to safety review next." in page.get_by_role("status").inner_text()
    to_accept.refresh_from_db()
    # Screening ran on commit (Celery is eager in tests): a medical request always needs two human approvals,
    # so the job waits in pending_review.
    assert to_accept.status == JobStatus.PENDING_REVIEW
    review = RequestReview.objects.get(job=to_accept)
    assert (review.outcome, review.high_risk, review.approvals_required) == ("needs_human_review", True, 2)
    assert action_form(page, to_accept, "accept").count() == 0  # no longer actionable
    shot(page, "provider-accepted")

    # Declining: the browser will not send an empty reason ...
    decline = action_form(page, to_decline, "decline")
    reason = decline.get_by_label("Reason for declining")
    decline.get_by_role("button", name="Decline").click()
    assert reason.evaluate("el => el.validity.valueMissing") is True
    assert page.url == f"{live_server.url}/dashboard/provider/"
    to_decline.refresh_from_db()
    assert to_decline.status == JobStatus.PENDING_PROVIDER
    # ... and the server refuses one too, if a client skips that check.
    reason.evaluate("el => el.removeAttribute('required')")
    decline.get_by_role("button", name="Decline").click()
    page.get_by_text("Give the customer a reason for declining.").wait_for()
    to_decline.refresh_from_db()
    assert to_decline.status == JobStatus.PENDING_PROVIDER

    decline = action_form(page, to_decline, "decline")
    decline.get_by_label("Reason for declining").fill("We only take password-reset data with a signed DPA.")
    decline.get_by_role("button", name="Decline").click()
    page.get_by_text(f"Declined {to_decline.public_id}.").wait_for()
    to_decline.refresh_from_db()
    assert to_decline.status == JobStatus.REJECTED
    assert to_decline.error["message"] == "We only take password-reset data with a signed DPA."
    assert action_form(page, to_decline, "decline").count() == 0
