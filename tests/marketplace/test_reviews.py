"""Reviews: eligibility, once per job, double-blind reveal (both written, or 14 days), moderation."""
import pytest

from accounts import services as acc
from core.errors import DomainError, NotAllowed
from marketplace import services as market
from marketplace.models import Review
from tests.factories import make_admin, make_user
from tests.marketplace.factories import age_reviews, make_job, make_listing
from tuning.models import JobStatus

pytestmark = [pytest.mark.django_db]


def _review_url(job):
    return f"/v1/fine_tuning/jobs/{job.public_id}/reviews"


def _provider_user(job):
    return job.provider.memberships.first().user


@pytest.mark.embedded
def test_only_the_customer_of_a_delivered_job_may_review_it_once(api):
    job = make_job(status=JobStatus.SUCCEEDED)
    customer = job.created_by
    # Not yet delivered: refused.
    running = make_job(customer=customer, status=JobStatus.RUNNING)
    r = api.as_user(customer).post(_review_url(running), {"rating": 5, "body": "Fast"}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "job_not_delivered"
    for status in (JobStatus.BLOCKED, JobStatus.REJECTED, JobStatus.FAILED):
        other = make_job(customer=customer, status=status)
        assert api.as_user(customer).post(_review_url(other), {"rating": 1}, format="json").status_code == 409
    # Someone from another organisation (or the provider) cannot see or review the job.
    for outsider in (make_user(role="customer"), _provider_user(job)):
        assert api.as_user(outsider).post(_review_url(job), {"rating": 1}, format="json").status_code == 404
    # Bad rating: refused.
    assert api.as_user(customer).post(_review_url(job), {"rating": 6}, format="json").status_code == 400
    # The customer reviews once.
    r = api.as_user(customer).post(_review_url(job), {"rating": 4, "body": "Solid work"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["rating"] == 4 and r.json()["body"] == "Solid work"
    r = api.as_user(customer).post(_review_url(job), {"rating": 5}, format="json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "review_exists"
    assert Review.objects.count() == 1


@pytest.mark.embedded
def test_double_blind_until_both_sides_have_written(api):
    job = make_job(status=JobStatus.SUCCEEDED)
    customer, provider = job.created_by, _provider_user(job)
    review_id = api.as_user(customer).post(_review_url(job), {"rating": 2, "body": "Slow replies"},
                                           format="json").json()["id"]
    provider_id = job.provider.public_id
    # Before the reveal: the provider sees that a review exists but not its rating or text; the public sees nothing.
    mine = api.as_user(provider).get("/v1/provider/reviews").json()["data"][0]
    assert mine["id"] == review_id and mine["revealed"] is False
    assert mine["rating"] is None and mine["body"] is None
    assert api.get(f"/v1/providers/{provider_id}/reviews").json()["data"] == []
    assert api.get(f"/v1/providers/{provider_id}").json()["rating"] == {"average": None, "count": 0}
    # The customer sees its own text, not an answer (there is none yet).
    own = api.as_user(customer).get(_review_url(job)).json()
    assert own["body"] == "Slow replies" and own["response"] is None
    # The provider answers (blind); both have written, so everything is revealed.
    r = api.as_user(provider).post(f"/v1/provider/reviews/{review_id}/response", {"body": "Thanks, we fixed our SLA."},
                                   format="json")
    assert r.status_code == 200, r.content
    assert r.json()["revealed"] is True and r.json()["body"] == "Slow replies"
    public = api.get(f"/v1/providers/{provider_id}/reviews").json()["data"]
    assert [(x["rating"], x["body"], x["response"]["body"]) for x in public] == [
        (2, "Slow replies", "Thanks, we fixed our SLA.")]
    assert "job" not in public[0]  # the public list does not identify the customer's job
    assert api.get(f"/v1/providers/{provider_id}").json()["rating"] == {"average": 2.0, "count": 1}
    # The provider answers once only.
    r = api.as_user(provider).post(f"/v1/provider/reviews/{review_id}/response", {"body": "Again"}, format="json")
    assert r.status_code == 409


@pytest.mark.embedded
def test_a_review_is_revealed_after_14_days_without_an_answer(api):
    job = make_job(status=JobStatus.SUCCEEDED)
    provider_id = job.provider.public_id
    api.as_user(job.created_by).post(_review_url(job), {"rating": 5, "body": "Excellent"}, format="json")
    age_reviews(days=13, hours=23)
    assert api.get(f"/v1/providers/{provider_id}/reviews").json()["data"] == []
    assert api.as_user(_provider_user(job)).get("/v1/provider/reviews").json()["data"][0]["body"] is None
    age_reviews(hours=2)
    public = api.get(f"/v1/providers/{provider_id}/reviews").json()["data"]
    assert [(x["rating"], x["body"], x["response"]) for x in public] == [(5, "Excellent", None)]
    assert api.get(f"/v1/providers/{provider_id}").json()["rating"] == {"average": 5.0, "count": 1}
    # The provider may still answer once after the reveal.
    review = Review.objects.get()
    r = api.as_user(_provider_user(job)).post(f"/v1/provider/reviews/{review.public_id}/response",
                                              {"body": "Thank you!"}, format="json")
    assert r.status_code == 200 and r.json()["response"]["body"] == "Thank you!"


def test_another_provider_cannot_see_or_answer_a_review(api):
    job = make_job(status=JobStatus.SUCCEEDED)
    review = market.review_create(job=job, user=job.created_by, rating=3, body="ok")
    other = make_listing().provider.memberships.first().user
    assert api.as_user(other).get("/v1/provider/reviews").json()["data"] == []
    r = api.as_user(other).post(f"/v1/provider/reviews/{review.public_id}/response", {"body": "x"}, format="json")
    assert r.status_code == 404
    review.refresh_from_db()
    assert review.responded_at is None


def test_hidden_reviews_leave_profiles_and_ratings_and_need_a_reason(api):
    listing = make_listing()
    jobs = [make_job(listing=listing, status=JobStatus.SUCCEEDED) for _ in range(2)]
    abusive = market.review_create(job=jobs[0], user=jobs[0].created_by, rating=1, body="Offensive text")
    market.review_create(job=jobs[1], user=jobs[1].created_by, rating=5, body="Great")
    age_reviews(days=15)
    pid = listing.provider.public_id
    assert api.get(f"/v1/providers/{pid}").json()["rating"] == {"average": 3.0, "count": 2}
    admin = make_admin()
    with pytest.raises(DomainError, match="reason is required"):
        market.review_hide(review=abusive, actor=admin, reason="  ")
    with pytest.raises(NotAllowed):
        market.review_hide(review=abusive, actor=jobs[0].created_by, reason="not staff")
    market.review_hide(review=abusive, actor=admin, reason="Abusive language")
    assert api.get(f"/v1/providers/{pid}").json()["rating"] == {"average": 5.0, "count": 1}
    assert [x["body"] for x in api.get(f"/v1/providers/{pid}/reviews").json()["data"]] == ["Great"]
    # The author still sees its review, marked hidden with the reason.
    own = api.as_user(jobs[0].created_by).get(_review_url(jobs[0])).json()
    assert own["hidden"] is True and own["hidden_reason"] == "Abusive language"
    assert [e.action for e in abusive.events.all()] == ["written", "hidden"]


def test_a_suspended_providers_reviews_are_not_served(api):
    job = make_job(status=JobStatus.SUCCEEDED)
    market.review_create(job=job, user=job.created_by, rating=4, body="fine")
    age_reviews(days=15)
    app = job.provider.provider_application
    acc.provider_application_transition(application=app, to="suspended", actor=make_admin(), reason="Complaint")
    assert api.get(f"/v1/providers/{job.provider.public_id}/reviews").status_code == 404
