"""Browse and search: relevance, every filter, orderings, keyset pagination under inserts, query counts."""
import pytest
from django.db import connection

from accounts import services as acc
from accounts.models import ApplicationStatus
from tests.factories import make_admin, make_provider
from tests.marketplace.factories import age_reviews, make_job, make_listing, make_review
from tuning.models import JobStatus

pytestmark = [pytest.mark.django_db]


def _ids(body) -> list[str]:
    return [x["id"] for x in body["data"]]


def _get(api, **params):
    r = api.get("/v1/listings", params)
    assert r.status_code == 200, r.content
    return r.json()


@pytest.mark.embedded
def test_a_title_match_ranks_above_a_description_match(api):
    desc = make_listing(title="Support tone for retail", description="We tune for telecom billing conversations.")
    title = make_listing(title="Telecom billing assistant", description="Friendly answers for your customers.")
    make_listing(title="Classroom helper", description="Socratic tutoring for maths.")
    # The title match was created second, so this is relevance, not creation order (on both backends).
    body = _get(api, search="telecom billing")
    assert _ids(body) == [title.public_id, desc.public_id]
    assert body["data"][0]["title"] == "Telecom billing assistant"


@pytest.mark.embedded
def test_search_needs_every_word_and_ignores_unpublished_listings(api):
    both = make_listing(title="Medical discharge summaries", description="Plain language for patients.")
    make_listing(title="Medical coding", description="ICD coding helper.")
    make_listing(title="Discharge summaries in plain language", description="Hidden draft.", publish=False)
    assert _ids(_get(api, search="discharge medical")) == [both.public_id]


def test_search_stems_words_on_postgresql(api):
    if connection.vendor != "postgresql":
        pytest.skip("stemming is the PostgreSQL path")
    hit = make_listing(title="Tutoring assistants", description="x")
    assert _ids(_get(api, search="tutor assistant")) == [hit.public_id]


def test_search_uses_the_gin_index_on_postgresql(api):
    if connection.vendor != "postgresql":
        pytest.skip("index is PostgreSQL only")
    from marketplace.models import Listing
    from marketplace.search import listing_text_search

    make_listing(title="Telecom billing assistant")
    qs = listing_text_search(Listing.objects.order_by(), "telecom")
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert "listing_search_vector_gin" in plan


@pytest.mark.embedded
def test_every_filter_narrows_to_the_matching_listings(api):
    a = make_listing(domain="medical", techniques=["supervised", "calibration"], languages=["en-AU"],
                     base_models=["SmolLM2-135M-Instruct"], price_amount=50000, turnaround_days=7)
    b = make_listing(domain="education", techniques=["dpo"], languages=["fr", "en-GB"],
                     base_models=["tiny-smollm2"], price_amount=9900, turnaround_days=2)
    c = make_listing(domain="education", techniques=["persona"], languages=["de"],
                     base_models=["SmolLM2-135M-Instruct", "tiny-smollm2"], price_amount=20000, price_currency="eur",
                     turnaround_days=4)
    everything = {a.public_id, b.public_id, c.public_id}
    assert set(_ids(_get(api))) == everything
    cases = {
        "domain=education": ({"domain": "education"}, {b.public_id, c.public_id}),
        "technique=dpo": ({"technique": "dpo"}, {b.public_id}),
        "technique=calibration": ({"technique": "calibration"}, {a.public_id}),
        "language=en (any English locale)": ({"language": "en"}, {a.public_id, b.public_id}),
        "language=en-au (normalised)": ({"language": "en-au"}, {a.public_id}),
        "language=de": ({"language": "de"}, {c.public_id}),
        "base_model exact": ({"base_model": "tiny-smollm2"}, {b.public_id, c.public_id}),
        "base_model no substring": ({"base_model": "SmolLM2-135M"}, set()),
        "min_price": ({"min_price": 20000}, {a.public_id, c.public_id}),
        "max_price": ({"max_price": 20000}, {b.public_id, c.public_id}),
        "price range + currency": ({"min_price": 1000, "max_price": 60000, "currency": "USD"}, {a.public_id, b.public_id}),
        "combined": ({"domain": "education", "technique": "persona", "language": "de"}, {c.public_id}),
    }
    for name, (params, expected) in cases.items():
        assert set(_ids(_get(api, **params))) == expected, name


@pytest.mark.embedded
def test_min_rating_filters_on_revealed_reviews_only(api):
    good = make_listing(title="Good")
    poor = make_listing(title="Poor")
    make_listing(title="Unrated")
    for listing, rating in ((good, 5), (good, 4), (poor, 2)):
        make_review(make_job(listing=listing, status=JobStatus.SUCCEEDED), rating=rating)
    # Reviews are still blind: nobody is rated yet, so min_rating excludes everyone.
    assert _ids(_get(api, min_rating=1)) == []
    age_reviews(days=15)
    assert _ids(_get(api, min_rating=4)) == [good.public_id]
    assert set(_ids(_get(api, min_rating=2))) == {good.public_id, poor.public_id}
    body = _get(api, ordering="rating")
    assert _ids(body)[:2] == [good.public_id, poor.public_id]
    assert body["data"][0]["rating"] == {"average": 4.5, "count": 2}


def test_bad_filter_values_get_a_clear_error(api):
    for params, param in (({"domain": "astrology"}, "domain"), ({"min_price": "cheap"}, "min_price"),
                          ({"ordering": "random"}, "ordering"), ({"language": "english!"}, "language"),
                          ({"min_rating": 9}, "min_rating")):
        r = api.get("/v1/listings", params)
        assert r.status_code == 400, params
        assert r.json()["error"]["param"] == param


@pytest.mark.embedded
def test_orderings_by_price_and_turnaround(api):
    x = make_listing(price_amount=300, turnaround_days=1)
    y = make_listing(price_amount=100, turnaround_days=9)
    z = make_listing(price_amount=200, turnaround_days=5)
    assert _ids(_get(api, ordering="price")) == [y.public_id, z.public_id, x.public_id]
    assert _ids(_get(api, ordering="-price")) == [x.public_id, z.public_id, y.public_id]
    assert _ids(_get(api, ordering="turnaround")) == [x.public_id, z.public_id, y.public_id]
    assert _ids(_get(api)) == [z.public_id, y.public_id, x.public_id]  # newest first by default


@pytest.mark.parametrize("ordering", ["newest", "price", "-price", "turnaround", "relevance", "rating"])
def test_pages_have_no_duplicates_or_gaps_when_rows_are_inserted_between_fetches(api, ordering):
    provider = make_provider()
    prices = [500, 100, 300, 100, 200, 400, 300, 100, 250]
    originals = [
        make_listing(provider, title=f"Billing assistant {i}", price_amount=p, turnaround_days=1 + i % 3,
                     description="billing " * (1 + i % 4))
        for i, p in enumerate(prices)
    ]
    params = {"limit": 2, "ordering": ordering}
    if ordering == "relevance":
        params["search"] = "billing"
    seen, after, n = [], None, 0
    while True:
        r = _get(api, **params, **({"after": after} if after else {}))
        seen += _ids(r)
        # Insert rows that sort before, after and between the current page while we page through.
        make_listing(provider, title=f"Billing assistant new {n}", price_amount=[50, 1000, 250][n % 3],
                     turnaround_days=1 + n % 3, description="billing")
        n += 1
        if not r["has_more"]:
            break
        after = r["last_id"]
    assert len(seen) == len(set(seen)), "a row appeared twice"
    assert {x.public_id for x in originals} <= set(seen), "an original row was skipped"


def test_list_query_count_is_constant_whatever_the_page_size(api, django_assert_max_num_queries, locmem_cache):
    for i in range(12):
        listing = make_listing(title=f"Billing helper {i}", description="billing support")
        make_review(make_job(listing=listing, status=JobStatus.SUCCEEDED), rating=4)
    for params in ({"limit": 1}, {"limit": 12}, {"limit": 12, "search": "billing", "technique": "supervised",
                                                 "language": "en", "min_rating": 0, "ordering": "rating"}):
        with django_assert_max_num_queries(1):
            r = api.get("/v1/listings", params)
        assert len(r.json()["data"]) == params["limit"]
    first = api.get("/v1/listings", {"limit": 1}).json()["last_id"]
    with django_assert_max_num_queries(2):  # the cursor's anchor row, then the page
        r = api.get("/v1/listings", {"limit": 11, "after": first})
    assert len(r.json()["data"]) == 11


@pytest.mark.embedded
def test_a_suspended_providers_listings_disappear_from_search_and_come_back(api):
    provider = make_provider()
    listing = make_listing(provider, title="Localisation for en-AU")
    other = make_listing(title="Localisation for en-NZ")
    assert set(_ids(_get(api, search="localisation"))) == {listing.public_id, other.public_id}
    app = provider.organization.provider_application
    admin = make_admin()
    acc.provider_application_transition(application=app, to=ApplicationStatus.SUSPENDED, actor=admin, reason="Complaint")
    assert _ids(_get(api, search="localisation")) == [other.public_id]
    assert api.get(f"/v1/listings/{listing.public_id}").status_code == 404
    assert provider.organization.public_id not in _ids(api.get("/v1/providers").json())
    assert api.get(f"/v1/providers/{provider.organization.public_id}").status_code == 404
    acc.provider_application_transition(application=app, to=ApplicationStatus.APPROVED, actor=admin, reason="Cleared")
    assert set(_ids(_get(api, search="localisation"))) == {listing.public_id, other.public_id}


def test_provider_filter_lists_one_providers_listings(api):
    p = make_provider()
    mine = make_listing(p)
    make_listing()
    assert _ids(_get(api, provider=p.organization.public_id)) == [mine.public_id]
