"""Moderation in the admin: reasons required, same services, history inlines, reviewer group permissions."""
import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import User
from accounts.roles import REVIEWER_GROUP
from marketplace import services as market
from marketplace.models import ListingStatus
from tests.factories import PASSWORD, make_admin
from tests.marketplace.factories import make_job, make_listing
from tuning.models import JobStatus

pytestmark = [pytest.mark.django_db]


def _admin() -> Client:
    c = Client()
    c.force_login(make_admin())
    return c


def test_admin_unpublishes_a_listing_with_a_reason_and_the_owner_cannot_republish(api):
    listing = make_listing(title="Dubious medical claims")
    c = _admin()
    url = "/admin/marketplace/listing/"
    r = c.post(url, {"action": "unpublish_selected", "_selected_action": [listing.pk]})
    assert b"give a reason" in r.content
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PUBLISHED
    c.post(url, {"action": "unpublish_selected", "_selected_action": [listing.pk], "apply": "1",
                 "reason": "Claims clinical accuracy without evidence"}, follow=True)
    listing.refresh_from_db()
    assert (listing.status, listing.held_by_admin) == (ListingStatus.UNPUBLISHED, True)
    assert api.get(f"/v1/listings/{listing.public_id}").status_code == 404
    owner = listing.created_by
    r = api.as_user(owner).post(f"/v1/listings/{listing.public_id}/publish")
    assert r.status_code == 403 and r.json()["error"]["code"] == "listing_held"
    assert "Claims clinical accuracy" in r.json()["error"]["message"]
    page = c.get(f"/admin/marketplace/listing/{listing.pk}/change/").content.decode()
    assert "Claims clinical accuracy without evidence" in page  # history inline
    assert 'name="status"' not in page
    c.post(url, {"action": "republish_selected", "_selected_action": [listing.pk], "apply": "1",
                 "reason": "Evidence supplied"}, follow=True)
    listing.refresh_from_db()
    assert (listing.status, listing.held_by_admin) == (ListingStatus.PUBLISHED, False)


def test_admin_hides_a_review_with_a_reason_and_history():
    job = make_job(status=JobStatus.SUCCEEDED)
    review = market.review_create(job=job, user=job.created_by, rating=1, body="Personal attack")
    c = _admin()
    url = "/admin/marketplace/review/"
    c.post(url, {"action": "hide_selected", "_selected_action": [review.pk], "apply": "1", "reason": ""})
    review.refresh_from_db()
    assert review.hidden is False
    c.post(url, {"action": "hide_selected", "_selected_action": [review.pk], "apply": "1",
                 "reason": "Harassment"}, follow=True)
    review.refresh_from_db()
    assert (review.hidden, review.hidden_reason) == (True, "Harassment")
    page = c.get(f"/admin/marketplace/review/{review.pk}/change/").content.decode()
    assert "Harassment" in page and "hidden" in page


def test_reviewers_may_moderate_listings_and_reviews():
    user = User.objects.create_user(email="rev@example.test", password=PASSWORD, name="Rev", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    user = User.objects.get(pk=user.pk)
    assert user.has_perm("marketplace.change_listing") and user.has_perm("marketplace.change_review")
    assert not user.has_perm("marketplace.delete_listing")
    c = Client()
    c.force_login(user)
    assert c.get("/admin/marketplace/listing/").status_code == 200
    assert c.get("/admin/marketplace/review/").status_code == 200
