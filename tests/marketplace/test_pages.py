"""Server-rendered pages: browse with filters, profile, listing detail and ordering, dashboards, sign in/out."""
import re

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_provider, make_user
from tests.marketplace.factories import age_reviews, make_job, make_listing, make_review
from tuning.models import FineTuningJob, JobStatus

pytestmark = [pytest.mark.django_db]


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _labels_match_inputs(html: str) -> None:
    """Every visible form control has a <label for=…> (accessibility)."""
    ids = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag or 'type="submit"' in tag:
            continue
        m = re.search(r'id="([^"]+)"', tag)
        assert m and m.group(1) in ids, f"unlabelled control: {tag}"


@pytest.mark.embedded
def test_browse_page_searches_and_filters_with_a_plain_get_form():
    medical = make_listing(title="Discharge summaries", domain="medical", price_amount=90000)
    make_listing(title="Maths tutor", domain="education", price_amount=30000)
    r = _client().get("/")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<form method="get" action="/" role="search"' in html
    _labels_match_inputs(html)
    assert "Discharge summaries" in html and "Maths tutor" in html
    html = _client().get("/", {"search": "discharge", "domain": "medical", "max_price": "1000"}).content.decode()
    assert "Discharge summaries" in html and "Maths tutor" not in html
    assert f'href="/listings/{medical.public_id}/"' in html
    assert "900.00 USD" in html
    # Prices on the page are in currency units: max 500.00 excludes the 900.00 listing.
    html = _client().get("/", {"max_price": "500"}).content.decode()
    assert "Discharge summaries" not in html and "Maths tutor" in html
    # A bad filter shows an error instead of failing.
    r = _client().get("/", {"domain": "astrology"})
    assert r.status_code == 400 and 'role="alert"' in r.content.decode()


def test_domain_filters_show_hr_as_an_acronym_and_localisation_in_british_spelling():
    for url in ("/", "/providers/"):
        html = _client().get(url).content.decode()
        assert '<option value="hr">HR</option>' in html, url
        assert '<option value="localization">Localisation</option>' in html, url
        assert ">Hr<" not in html and "Localization" not in html, url


def test_label_filter_keeps_acronyms_and_uses_british_spelling():
    from marketplace.templatetags.marketplace_tags import label

    assert label("customer_service") == "Customer service"
    assert label("hr") == "HR" and label("localization") == "Localisation"
    assert label("verified_organization") == "Verified organisation" and label("") == ""


def test_browse_page_paginates_with_a_next_link():
    for i in range(14):
        make_listing(title=f"Service number {i}")
    html = _client().get("/").content.decode()
    m = re.search(r'href="(\?[^"]*after=[^"]+)" rel="next"', html)
    assert m, "no next-page link"
    page2 = _client().get("/" + m.group(1).replace("&amp;", "&")).content.decode()
    first = set(re.findall(r"Service number \d+", html))
    second = set(re.findall(r"Service number \d+", page2))
    assert len(first) == 12 and len(second) == 2 and not first & second


def test_provider_profile_page_shows_badges_statistics_listings_and_revealed_reviews():
    listing = make_listing(title="Support tone")
    job = make_job(listing=listing, status=JobStatus.SUCCEEDED)
    make_review(job, rating=4, body="Careful and quick")
    html = _client().get(f"/providers/{listing.provider.public_id}/").content.decode()
    assert "Vetted provider" in html and "Support tone" in html
    assert "Careful and quick" not in html  # still blind
    age_reviews(days=15)
    html = _client().get(f"/providers/{listing.provider.public_id}/").content.decode()
    assert "Careful and quick" in html and "4.0 / 5 (1 review)" in html
    assert _client().get("/providers/org_doesnotexist/").status_code == 404
    assert listing.provider.name in _client().get("/providers/").content.decode()


@pytest.mark.embedded
def test_listing_detail_offers_the_order_path_to_signed_in_customers_only():
    listing = make_listing()
    url = f"/listings/{listing.public_id}/"
    anon = _client().get(url).content.decode()
    assert "Sign in</a> as a customer" in anon and 'action="/listings/' not in anon
    customer = make_user(role="customer")
    html = _client(customer).get(url).content.decode()
    assert f'action="/listings/{listing.public_id}/order/"' in html
    # Posting the order form shows the next steps: choose a file, write the use case.
    r = _client(customer).post(f"/listings/{listing.public_id}/order/", {"step": "start"})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Next steps" in page and "use case" in page.lower()
    # A provider cannot order.
    r = _client(make_provider()).post(f"/listings/{listing.public_id}/order/", {"step": "start"})
    assert r.status_code == 302


def test_order_page_creates_a_job_through_job_create(settings, tmp_path):
    from tests.tuning import factories as tf

    settings.MEDIA_ROOT = str(tmp_path)
    listing = tf.make_listing()
    customer = tf.licensed_customer()
    training = tf.upload_file(customer, tf.chat_dataset())
    c = _client(customer)
    page = c.post(f"/listings/{listing.public_id}/order/", {"step": "start"}).content.decode()
    assert training.public_id in page
    _labels_match_inputs(page)
    import re

    token = re.search(r'name="order_token" value="([^"]+)"', page).group(1)
    form = {"step": "confirm", "training_file": training.public_id, "model": "SmolLM2-135M-Instruct",
            "use_case": "Answer password questions for our staff.", "order_token": token}
    r = c.post(f"/listings/{listing.public_id}/order/", form)
    assert r.status_code == 302 and r["Location"] == "/dashboard/customer/"
    # The same form sent again (a double click, a reload) orders nothing more.
    again = c.post(f"/listings/{listing.public_id}/order/", form)
    assert again.status_code == 302 and FineTuningJob.objects.count() == 1
    job = FineTuningJob.objects.get(organization=customer.organization)
    assert (job.listing, job.status, job.training_file) == (listing, JobStatus.PENDING_PROVIDER, training)
    # Someone else's file id is refused and creates nothing.
    other = tf.upload_file(tf.licensed_customer(), tf.chat_dataset())
    r = c.post(f"/listings/{listing.public_id}/order/", {
        "step": "confirm", "training_file": other.public_id, "model": "SmolLM2-135M-Instruct", "use_case": "x",
        "order_token": "another-form"})
    assert r.status_code == 200 and FineTuningJob.objects.count() == 1


@pytest.mark.embedded
def test_login_and_logout_pages_and_dashboard_routing():
    provider, customer = make_provider(), make_user(role="customer")
    r = _client().get("/login/")
    assert r.status_code == 200
    _labels_match_inputs(r.content.decode())
    c = Client()
    r = c.post("/login/", {"username": customer.email, "password": "wrong-password-1"})
    assert r.status_code == 200 and "Incorrect email or password" in r.content.decode()
    r = c.post("/login/", {"username": customer.email, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/dashboard/"
    assert c.get("/dashboard/")["Location"] == "/dashboard/customer/"
    assert c.get("/dashboard/customer/").status_code == 200
    assert c.get("/dashboard/provider/").status_code == 404
    assert c.post("/logout/").status_code == 302
    assert c.get("/dashboard/")["Location"].startswith("/login/")
    p = Client()
    p.post("/login/", {"username": provider.email, "password": PASSWORD})
    assert p.get("/dashboard/")["Location"] == "/dashboard/provider/"


def test_provider_dashboard_accepts_and_declines_with_forms(inbox_services):
    provider = make_provider()
    listing = make_listing(provider)
    a, b = make_job(listing=listing), make_job(listing=listing)
    other = make_job()  # another provider's job
    c = _client(provider)
    html = c.get("/dashboard/provider/").content.decode()
    _labels_match_inputs(html)
    assert a.public_id in html and b.public_id in html and other.public_id not in html
    assert c.post(f"/dashboard/provider/jobs/{a.public_id}/accept").status_code == 302
    # Declining without a reason is refused with a message; with one, the job is rejected.
    c.post(f"/dashboard/provider/jobs/{b.public_id}/decline", {"reason": ""})
    b.refresh_from_db()
    assert b.status == JobStatus.PENDING_PROVIDER
    c.post(f"/dashboard/provider/jobs/{b.public_id}/decline", {"reason": "Not our domain"})
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == (JobStatus.PENDING_REVIEW, JobStatus.REJECTED)
    # Another provider's job: 404 for the page and for the actions.
    assert c.get(f"/dashboard/provider/jobs/{other.public_id}/").status_code == 404
    assert c.post(f"/dashboard/provider/jobs/{other.public_id}/accept").status_code == 404
    other.refresh_from_db()
    assert other.status == JobStatus.PENDING_PROVIDER
    detail = c.get(f"/dashboard/provider/jobs/{a.public_id}/").content.decode()
    assert a.use_case in detail and "did not share raw rows" in detail


def test_customer_dashboard_review_form_and_provider_answer():
    job = make_job(status=JobStatus.SUCCEEDED)
    customer = job.created_by
    c = _client(customer)
    html = c.get("/dashboard/customer/").content.decode()
    assert f'action="/dashboard/customer/jobs/{job.public_id}/review"' in html
    _labels_match_inputs(html)
    c.post(f"/dashboard/customer/jobs/{job.public_id}/review", {"rating": "5", "body": "Lovely"})
    review = job.customer_review
    assert (review.rating, review.body) == (5, "Lovely")
    provider = job.provider.memberships.first().user
    p = _client(provider)
    html = p.get("/dashboard/provider/").content.decode()
    assert "Not revealed yet" in html and "Lovely" not in html
    p.post(f"/dashboard/provider/reviews/{review.public_id}/respond", {"body": "Thanks!"})
    html = p.get("/dashboard/provider/").content.decode()
    assert "Lovely" in html and "Thanks!" in html
