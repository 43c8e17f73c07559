"""Plans, the licence gate and the promise that no plan removes safety controls (no Stripe needed)."""
import dataclasses
from collections import deque

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.errors import IllegalTransition, NotAllowed, PaymentRequired
from payments import services
from payments.models import LicenseStatus, LicenseUsage
from payments.plans import LICENSE_PLANS, PLAN_CONFIG, LicensePlan, plan_from_config
from tests.factories import make_user
from tests.payments.factories import make_job, make_license, make_listing, make_verified_customer

pytestmark = [pytest.mark.django_db]


# --- plans ------------------------------------------------------------------------------------
@pytest.mark.embedded
def test_plans_are_public_with_prices_quotas_techniques_and_domains(api):
    r = api.get("/v1/licenses/plans")
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "list" and body["has_more"] is False
    plans = {p["id"]: p for p in body["data"]}
    assert set(plans) == {"academic", "premium", "enterprise"}
    premium = plans["premium"]
    assert premium["price"] == {"amount": 29900, "currency": "usd", "interval": "month"}
    assert premium["quotas"]["jobs_per_period"] == 20
    assert "medical" not in premium["domains"] and "medical" in plans["enterprise"]["domains"]
    assert plans["enterprise"]["verified_organization_required_for"] == ["medical", "hr"]
    assert all(p["safety_review"] == "always" and p["release_gate"] == "always" for p in plans.values())
    assert LICENSE_PLANS["premium"].stripe_plan_id == "tm_premium_monthly"


@pytest.mark.embedded
def test_a_plan_key_that_would_skip_safety_review_is_refused_at_validation():
    config = {**PLAN_CONFIG["enterprise"], "skip_review": True}
    with pytest.raises(ImproperlyConfigured, match="skip_review"):
        plan_from_config("platinum", config)
    for sneaky in ("skip_release_gate", "bypass_evaluation", "review_exempt"):
        with pytest.raises(ImproperlyConfigured):
            plan_from_config("platinum", {**PLAN_CONFIG["premium"], sneaky: True})
    # The plan type itself has no field that could carry such a switch.
    names = {f.name for f in dataclasses.fields(LicensePlan)}
    assert not {n for n in names if any(w in n for w in ("review", "gate", "safety", "skip", "bypass", "exempt"))}
    # And every shipped plan that sells a high-risk domain requires a verified organisation for it.
    for plan in LICENSE_PLANS.values():
        assert set(plan.verified_domains) == {d for d in plan.domains if d in ("medical", "hr")}


@pytest.mark.embedded
def test_no_job_transition_skips_pending_review_or_evaluating():
    from tuning.models import JOB_TRANSITIONS, JobStatus

    def reachable(start, removed):
        seen, todo = {start}, deque([start])
        while todo:
            for nxt in JOB_TRANSITIONS[todo.popleft()]:
                if nxt not in seen and nxt != removed:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    # Without passing pending_review, no job can be queued, trained, evaluated or released.
    without_review = reachable(JobStatus.VALIDATING_FILES, JobStatus.PENDING_REVIEW)
    assert not without_review & {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.EVALUATING, JobStatus.SUCCEEDED}
    # Without passing evaluating (the release gate), no job can succeed.
    assert JobStatus.SUCCEEDED not in reachable(JobStatus.VALIDATING_FILES, JobStatus.EVALUATING)
    # Sanity: with both, success is reachable (the checks above would pass vacuously otherwise).
    assert JobStatus.SUCCEEDED in reachable(JobStatus.VALIDATING_FILES, None)


@pytest.mark.embedded
def test_a_job_under_the_highest_plan_still_goes_through_review_and_the_gate():
    from tuning.services import job_transition

    customer = make_verified_customer()
    make_license(organization=customer.organization, plan="enterprise")
    listing = make_listing(price_amount=0, domain="medical", techniques=("supervised", "dpo"))
    services.license_gate_check(organization=customer.organization, listing=listing, training_tokens=10_000)
    job = make_job(customer=customer, listing=listing, status="pending_provider")
    services.job_payment_authorize(job=job)
    job.refresh_from_db()
    assert job.status == "pending_provider"  # the gate and payment never move a job
    for shortcut in ("queued", "running", "evaluating", "succeeded"):
        with pytest.raises(IllegalTransition):
            job_transition(job=job, to=shortcut)
    job = job_transition(job=job, to="pending_review")
    for shortcut in ("running", "evaluating", "succeeded"):
        with pytest.raises(IllegalTransition):
            job_transition(job=job, to=shortcut)
    for step in ("queued", "running"):
        job = job_transition(job=job, to=step)
    with pytest.raises(IllegalTransition):
        job_transition(job=job, to="succeeded")


# --- the licence gate ---------------------------------------------------------------------------
def _gate(user, listing, tokens=1000, **kw):
    services.license_gate_check(organization=user.organization, listing=listing, training_tokens=tokens, **kw)


@pytest.mark.embedded
def test_gate_requires_an_active_licence():
    customer = make_user(role="customer")
    listing = make_listing()
    with pytest.raises(PaymentRequired) as exc:
        _gate(customer, listing)
    assert exc.value.code == "license_required" and exc.value.status_code == 402
    assert "POST /v1/licenses" in exc.value.message
    lic = make_license(organization=customer.organization, status=LicenseStatus.PAST_DUE)
    with pytest.raises(PaymentRequired) as exc:
        _gate(customer, listing)
    assert exc.value.code == "license_past_due"
    lic.status = LicenseStatus.ACTIVE
    lic.save()
    _gate(customer, listing)  # passes


@pytest.mark.embedded
def test_gate_names_the_missing_technique_domain_or_verification():
    customer = make_user(role="customer")
    make_license(organization=customer.organization, plan="premium")
    with pytest.raises(NotAllowed) as exc:
        _gate(customer, make_listing(domain="medical"))
    assert exc.value.code == "plan_excludes_domain" and exc.value.status_code == 403
    assert "medical" in exc.value.message and "Enterprise" in exc.value.message
    with pytest.raises(NotAllowed) as exc:
        _gate(customer, make_listing(domain="hr"))
    assert exc.value.code == "verification_required"
    _gate(customer, make_listing(domain="education", techniques=("supervised", "dpo", "persona")))

    academic = make_verified_customer(category="academic")
    make_license(organization=academic.organization, plan="academic")
    with pytest.raises(NotAllowed) as exc:
        _gate(academic, make_listing(domain="education", techniques=("supervised", "dpo")))
    assert exc.value.code == "plan_excludes_technique" and "dpo" in exc.value.message
    _gate(academic, make_listing(domain="education", techniques=("supervised", "dpo")), technique="supervised")
    with pytest.raises(NotAllowed) as exc:
        _gate(academic, make_listing(domain="education"), dataset_bytes=50 * 1024 * 1024)
    assert exc.value.code == "plan_dataset_limit"


@pytest.mark.embedded
def test_gate_and_usage_enforce_the_period_quota_and_released_jobs_give_it_back():
    from tuning.services import job_transition

    customer = make_verified_customer(category="academic")
    make_license(organization=customer.organization, plan="academic")  # 5 jobs, 2M tokens
    listing = make_listing(domain="education", price_amount=0)
    with pytest.raises(PaymentRequired) as exc:
        _gate(customer, listing, tokens=2_000_001)
    assert exc.value.code == "quota_exhausted" and exc.value.param == "training_tokens"
    jobs = []
    for _ in range(5):
        _gate(customer, listing, tokens=100_000)
        job = make_job(customer=customer, listing=listing)
        services.license_usage_record(organization=customer.organization, job=job, training_tokens=100_000)
        services.license_usage_record(organization=customer.organization, job=job, training_tokens=100_000)  # once
        jobs.append(job)
    assert LicenseUsage.objects.filter(license__organization=customer.organization).count() == 5
    with pytest.raises(PaymentRequired) as exc:
        _gate(customer, listing)
    assert exc.value.code == "quota_exhausted" and exc.value.param == "jobs"
    # An order that slipped past the gate is refused when it is recorded (under the licence's lock);
    # job_create rolls that job back, which the test does by cancelling it.
    sixth = make_job(customer=customer, listing=listing)
    with pytest.raises(PaymentRequired):
        services.license_usage_record(organization=customer.organization, job=sixth, training_tokens=1)
    job_transition(job=sixth, to="cancelled")
    # A job the provider declined (never trained) gives its slot back.
    job_transition(job=jobs[0], to="rejected")
    services.job_payment_release(job=jobs[0], reason="Provider declined")
    _gate(customer, listing)


@pytest.mark.embedded
def test_usage_recorded_after_training_is_kept_even_past_the_quota():
    """The tuning pipeline records the actual tokens after training; that must never fail the job."""
    customer = make_verified_customer(category="academic")
    lic = make_license(organization=customer.organization, plan="academic")
    listing = make_listing(domain="education", price_amount=0)
    job = make_job(customer=customer, listing=listing, status="evaluating")
    services.license_usage_record(organization=customer.organization, job=job, training_tokens=1_500_000)
    services.license_usage_record(organization=customer.organization, job=job, training_tokens=2_500_000)  # actual
    assert LicenseUsage.objects.get(job=job).training_tokens == 2_500_000
    lic.status = LicenseStatus.ENDED
    lic.save()
    late = make_job(customer=customer, listing=listing, status="evaluating")
    services.license_usage_record(organization=customer.organization, job=late, training_tokens=10)
    assert LicenseUsage.objects.get(job=late).license == lic
    lic.status = LicenseStatus.ACTIVE
    lic.save()
    with pytest.raises(PaymentRequired) as exc:
        _gate(customer, listing, tokens=1)
    assert exc.value.param == "training_tokens"


@pytest.mark.embedded
def test_licence_endpoints_scope_to_the_callers_organisation(api):
    customer, other = make_user(role="customer"), make_user(role="customer")
    lic = make_license(organization=other.organization)
    r = api.as_user(customer).get("/v1/licenses/current")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_license"
    r = api.as_user(other).get("/v1/licenses/current")
    assert r.status_code == 200 and r.json()["id"] == lic.public_id
    assert r.json()["usage"]["jobs"] == {"used": 0, "limit": 20}
    assert api.get("/v1/licenses/current").status_code == 401


@pytest.mark.embedded
def test_providers_buy_licences_like_customers_and_others_cannot(api, provider):
    # A provider builds specialist models as its own customer (docs/specialists.md): the same gate, card first.
    r = api.as_user(provider).post("/v1/licenses", {"plan": "premium"}, format="json")
    assert r.status_code == 402 and r.json()["error"]["code"] == "payment_method_required"
    from accounts.models import OrganizationKind
    from payments.services import license_subscribe

    platform = make_user(role="customer")
    platform.organization.kind = OrganizationKind.PLATFORM
    platform.organization.save(update_fields=["kind"])
    with pytest.raises(Exception) as refused:
        license_subscribe(organization=platform.organization, plan="premium", actor=platform)
    assert getattr(refused.value, "code", None) == "not_a_customer"
    r = api.as_user(make_user(role="customer")).post("/v1/licenses", {"plan": "gold"}, format="json")
    assert r.status_code == 400 and r.json()["error"]["param"] == "plan"


@pytest.mark.embedded
def test_academic_plan_needs_an_academic_verification(api):
    customer = make_user(role="customer")
    r = api.as_user(customer).post("/v1/licenses", {"plan": "academic"}, format="json")
    assert r.status_code == 403 and r.json()["error"]["code"] == "verification_required"


@pytest.mark.embedded
def test_auto_capture_is_on_the_beat_schedule(settings):
    from payments.tasks import capture_due_payments

    entry = settings.CELERY_BEAT_SCHEDULE["payments.capture_due_payments"]
    assert entry["task"] == capture_due_payments.name and entry["schedule"] <= 3600


@pytest.mark.embedded
def test_the_job_payment_field_costs_no_query_when_selected_with_the_job(django_assert_num_queries):
    from payments.selectors import job_payment_out
    from tuning.models import FineTuningJob

    customer = make_user(role="customer")
    job = make_job(customer=customer, listing=make_listing(price_amount=0))
    services.job_payment_authorize(job=job)
    job = FineTuningJob.objects.select_related("job_payment").get(pk=job.pk)
    with django_assert_num_queries(0):
        out = job_payment_out(job)
    assert out["status"] == "not_required" and out["amount"] == 0
    bare = FineTuningJob.objects.select_related("job_payment").get(pk=make_job(customer=customer,
                                                                                listing=make_listing()).pk)
    with django_assert_num_queries(0):
        assert job_payment_out(bare) is None
