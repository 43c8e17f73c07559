"""Server-rendered pages: browse, provider profiles, listing detail and ordering, dashboards, sign in/out.

They use the same selectors and services as the API and work without JavaScript (plain GET/POST forms).
"""
from __future__ import annotations

import secrets

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST
from rest_framework import serializers as drf

from accounts.models import DOMAINS, OrganizationKind
from accounts.services import ProviderNotApproved
from core import idempotency
from tuning.models import USE_CASE_MAX_CHARS, JobStatus
from core.errors import DomainError
from core.http import client_ip, organization_of_kind_or_404
from core.pagination import keyset_page
from notifications import selectors as notification_selectors
from tuning import services as tuning_services

from . import selectors, services
from . import serializers as s
from .models import Review, Technique

PAGE_SIZE = 12
ORDERING_LABELS = [
    ("relevance", "Best match"), ("newest", "Newest"), ("price", "Price: low to high"),
    ("-price", "Price: high to low"), ("rating", "Best rated"), ("turnaround", "Fastest turnaround"),
]


# --- helpers ----------------------------------------------------------------------------------
def _page(qs, ordering, request):
    after = request.GET.get("after") or None
    try:
        return keyset_page(qs, ordering=ordering, limit=PAGE_SIZE, after=after)
    except DomainError:
        return keyset_page(qs, ordering=ordering, limit=PAGE_SIZE, after=None)


def _next_url(request, rows, has_more) -> str | None:
    if not has_more or not rows:
        return None
    params = request.GET.copy()
    params["after"] = rows[-1].public_id
    return "?" + params.urlencode()


def _org(request):
    return request.user.organization if request.user.is_authenticated else None


def _fail(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _major_to_minor(value: str | None) -> str | None:
    """Pages ask for prices in currency units (250); the selectors take minor units (25000)."""
    if value in (None, ""):
        return None
    try:
        return str(round(float(value) * 100))
    except (ValueError, OverflowError):  # "abc", "nan", "inf"
        return value  # the serializer reports it


# --- browse -----------------------------------------------------------------------------------
def home(request):
    params = {k: v for k, v in request.GET.items() if v != ""}
    for key in ("min_price", "max_price"):
        if key in params:
            params[key] = _major_to_minor(params[key])
    error, rows, has_more = None, [], False
    try:
        query = s.parse_query(s.ListingQueryIn, params)
        qs, ordering = selectors.listing_search(query=query)
        rows, has_more = _page(qs, ordering, request)
    except drf.ValidationError as exc:
        error = s.domain_error_from(exc).message
    except DomainError as exc:
        error = exc.message
    return render(request, "marketplace/home.html", {
        "listings": [s.listing_out(x) for x in rows], "next_url": _next_url(request, rows, has_more), "error": error,
        "q": request.GET,
        "domains": DOMAINS, "techniques": Technique.choices, "orderings": ORDERING_LABELS,
    }, status=400 if error else 200)


def provider_list(request):
    params = {k: v for k, v in request.GET.items() if v != ""}
    error, rows, has_more = None, [], False
    try:
        query = s.parse_query(s.ProviderQueryIn, params)
        qs, ordering = selectors.provider_search(query=query)
        rows, has_more = _page(qs, ordering, request)
    except drf.ValidationError as exc:
        error = s.domain_error_from(exc).message
    return render(request, "marketplace/providers.html", {
        "providers": [s.provider_out(p) for p in rows], "next_url": _next_url(request, rows, has_more),
        "error": error, "q": request.GET, "domains": DOMAINS,
    }, status=400 if error else 200)


def provider_detail(request, provider_id: str):
    try:
        org = selectors.provider_get(provider_id=provider_id)
    except DomainError:
        raise Http404("No such provider.")
    listings, _ = selectors.listing_search(query=selectors.ListingQuery(provider=provider_id))
    listing_rows, _more = keyset_page(listings, ordering=("-published_key", "-id"), limit=50, after=None)
    reviews, reviews_more = keyset_page(
        selectors.provider_reviews_public(provider=org), ordering=("-created_at", "-id"), limit=20, after=None
    )
    return render(request, "marketplace/provider_detail.html", {
        "provider": s.provider_out(org), "listings": [s.listing_out(x) for x in listing_rows],
        "reviews": [s.review_out(r, viewer="public") for r in reviews],
    })


def listing_detail(request, listing_id: str):
    try:
        listing = selectors.listing_get_visible(listing_id=listing_id, user=request.user)
    except DomainError:
        raise Http404("No such listing.")
    org = _org(request)
    return render(request, "marketplace/listing_detail.html", {
        "listing": listing, "data": s.listing_out(listing),
        "can_order": org is not None and org.kind == OrganizationKind.CUSTOMER,
        "is_owner": org is not None and org.pk == listing.provider_id,
    })


# --- ordering ---------------------------------------------------------------------------------
def _customer_files(org) -> list | None:
    """The customer's processed fine-tuning files (tuning.DatasetFile), or None if the tuning app has none."""
    try:
        DatasetFile = apps.get_model("tuning", "DatasetFile")
    except LookupError:
        return None
    return list(
        DatasetFile.objects.filter(organization=org, purpose="fine-tune", status="processed", deleted_at__isnull=True)
        .order_by("-created_at", "-id")[:50]
    )


class OrderForm(forms.Form):
    training_file = forms.CharField(label="Training file")
    model = forms.CharField(label="Base model")
    use_case = forms.CharField(
        label="Your use case", widget=forms.Textarea(attrs={"rows": 5}), max_length=USE_CASE_MAX_CHARS,
        help_text="Who will use the model, for what, and what it must never do. Reviewers read this.",
    )
    grant_provider_samples = forms.BooleanField(
        label="Let the provider see a few sample rows before accepting", required=False
    )
    accept_terms = forms.BooleanField(required=False)
    # A single-use token per rendered form: a second submission of the same form (a double click, a
    # reload) finds the first one's job instead of ordering again (core.idempotency, as the API's
    # Idempotency-Key).
    order_token = forms.CharField(widget=forms.HiddenInput, max_length=64)


@login_required
@require_POST
def listing_order(request, listing_id: str):
    """Step 2 of ordering: choose an uploaded file and describe the use case; then create the job."""
    try:
        listing = selectors.listing_get_visible(listing_id=listing_id, user=request.user)
    except DomainError:
        raise Http404("No such listing.")
    org = _org(request)
    if org is None or org.kind != OrganizationKind.CUSTOMER:
        messages.error(request, "Only customer organisations can order tuning services.")
        return redirect("listing-page", listing_id=listing_id)
    from accounts.services import agreement_accept, agreement_pending

    files = _customer_files(org)
    terms = agreement_pending(user=request.user)
    form = OrderForm(request.POST) if request.POST.get("step") == "confirm" else OrderForm(
        initial={"model": listing.base_models[0], "order_token": secrets.token_urlsafe(24)}
    )
    if request.POST.get("step") == "confirm" and form.is_valid():
        chosen = next((f for f in files or [] if f.public_id == form.cleaned_data["training_file"]), None)
        if chosen is None:
            form.add_error("training_file", "Choose one of your processed training files.")
        elif form.cleaned_data["model"] not in listing.base_models:
            form.add_error("model", "Choose one of this service's base models.")
        elif terms is not None and not form.cleaned_data["accept_terms"]:
            form.add_error("accept_terms", f"Accept the terms of use (version {terms.version}) to order.")
        else:
            fields = {k: form.cleaned_data[k] for k in ("training_file", "model", "use_case", "grant_provider_samples")}
            record = None
            try:
                record, first = idempotency.claim(
                    organization=org, key="order-form:" + form.cleaned_data["order_token"], method="POST",
                    path=request.path, fingerprint=idempotency.request_fingerprint("POST", request.path, fields))
                if not first:
                    messages.info(request, f"Job {record.response_body['job']} was already ordered with this form.")
                    return redirect("dashboard-customer")
                if terms is not None:
                    agreement_accept(user=request.user, version=terms.version, ip_address=client_ip(request))
                    terms = None
                job = tuning_services.job_create(
                    user=request.user, listing=listing, training_file=chosen, model=form.cleaned_data["model"],
                    use_case=form.cleaned_data["use_case"],
                    grant_provider_samples=form.cleaned_data["grant_provider_samples"],
                )
            except DomainError as exc:
                if record is not None and first:
                    record.delete()  # nothing was ordered: the same form may be sent again once fixed
                _fail(request, exc)
            else:
                record.response_status, record.response_body = 302, {"job": job.public_id}
                record.save(update_fields=["response_status", "response_body"])
                messages.success(request, f"Job {job.public_id} created; the provider has been asked to accept it.")
                return redirect("dashboard-customer")
    return render(request, "marketplace/order.html", {
        "listing": listing, "form": form, "files": files, "terms": terms,
    })


# --- dashboards -------------------------------------------------------------------------------
@login_required
def dashboard(request):
    org = _org(request)
    if org is not None and org.kind == OrganizationKind.PROVIDER:
        return redirect("dashboard-provider")
    if org is not None and org.kind == OrganizationKind.CUSTOMER:
        return redirect("dashboard-customer")
    if request.user.is_staff:
        return redirect("admin:index")
    raise Http404("No dashboard for this account.")


def _provider_or_404(request):
    return organization_of_kind_or_404(request, OrganizationKind.PROVIDER, "Provider dashboard only.")


@login_required
def dashboard_provider(request):
    org = _provider_or_404(request)
    status = request.GET.get("status") or ""
    inbox_q = s.InboxQueryIn(data={"status": status})
    status = inbox_q.validated_data.get("status") if inbox_q.is_valid() else ""
    try:
        jobs, jobs_more = keyset_page(
            selectors.provider_inbox(organization=org, status=status or None), ordering=("-created_at", "-id"),
            limit=50, after=None,
        )
    except ProviderNotApproved as exc:  # a suspended provider keeps its dashboard, not customers' jobs
        jobs = []
        messages.error(request, exc.message)
    listings, _ = keyset_page(selectors.listings_of_organization(organization=org), ordering=("-created_at", "-id"),
                              limit=100, after=None)
    reviews, _ = keyset_page(selectors.reviews_received(organization=org), ordering=("-created_at", "-id"),
                             limit=50, after=None)
    from payments import selectors as payment_selectors

    earnings = payment_selectors.provider_earnings_out(provider=org)
    return render(request, "marketplace/dashboard_provider.html", {
        "org": org, "jobs": [s.inbox_job_out(j) for j in jobs], "status": status,
        "statuses": JobStatus.choices,
        "listings": [s.listing_out(x, owner_view=True) for x in listings],
        "reviews": [s.review_out(r, viewer="provider") for r in reviews],
        "earnings": earnings,
        "notification_preferences": notification_selectors.notification_preferences(user=request.user),
    })


# --- provider listings: create and edit with field errors -----------------------------------------
LISTING_FORM_FIELDS = ("title", "description", "domain", "techniques", "base_models", "price", "turnaround_days",
                       "languages", "recipe")
CURRENCIES = ("usd", "aud", "eur", "gbp")


def _listing_input(post) -> dict:
    """The form's POST as the API's listing shape (price in currency units → minor units; lists; JSON)."""
    import json

    data = {
        "title": post.get("title", "").strip(), "description": post.get("description", "").strip(),
        "domain": post.get("domain", ""), "techniques": post.getlist("techniques"),
        "base_models": post.getlist("base_models"),
        "turnaround_days": post.get("turnaround_days", ""),
        "languages": [x.strip() for x in post.get("languages", "").split(",") if x.strip()],
        "price": {"amount": _major_to_minor(post.get("price_amount", "").strip()) or "",
                  "currency": post.get("price_currency", "usd")},
    }
    recipe = post.get("recipe", "").strip()
    try:
        data["recipe"] = json.loads(recipe) if recipe else {}
    except ValueError as exc:
        data["recipe"] = None
        data["recipe_error"] = f"The recipe is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})."
    return data


def _field_errors(errors: dict) -> dict[str, str]:
    """DRF errors → one message per form field (nested price errors land on the price field)."""
    out = {}
    for field, value in errors.items():
        if isinstance(value, dict):
            value = [m for msgs in value.values() for m in (msgs if isinstance(msgs, list) else [msgs])]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            value = [m for d in value for msgs in d.values() for m in msgs]
        out[field] = " ".join(str(v) for v in (value if isinstance(value, list) else [value]))
    return out


def _listing_form(request, *, listing=None, values: dict | None = None, errors: dict | None = None, status=200):
    from tuning.selectors import base_model_ids

    return render(request, "marketplace/listing_form.html", {
        "listing": listing, "values": values or {}, "errors": errors or {}, "domains": DOMAINS,
        "techniques": Technique.choices, "base_models": base_model_ids(), "currencies": CURRENCIES,
    }, status=status)


def _listing_values(listing) -> dict:
    import json

    return {
        "title": listing.title, "description": listing.description, "domain": listing.domain,
        "techniques": list(listing.techniques), "base_models": list(listing.base_models),
        "price_amount": f"{listing.price_amount / 100:.2f}", "price_currency": listing.price_currency,
        "turnaround_days": listing.turnaround_days, "languages": ", ".join(listing.languages),
        "recipe": json.dumps(listing.recipe, indent=2) if listing.recipe else "",
    }


def _listing_save(request, *, listing=None):
    """Validate with the API's serializer, then call the service; errors go next to their fields."""
    values = request.POST.dict() | {"techniques": request.POST.getlist("techniques"),
                                    "base_models": request.POST.getlist("base_models")}
    raw = _listing_input(request.POST)
    recipe_error = raw.pop("recipe_error", None)
    data = s.ListingIn(data={**raw, "publish": request.POST.get("publish") == "on"})
    if not data.is_valid() or recipe_error:
        errors = _field_errors(data.errors) if not data.is_valid() else {}
        if recipe_error:
            errors["recipe"] = recipe_error
        return None, _listing_form(request, listing=listing, values=values, errors=errors, status=400)
    fields = s.listing_fields_from(data.validated_data)
    try:
        if listing is None:
            saved = services.listing_create(user=request.user, publish=data.validated_data["publish"], **fields)
        else:
            saved = services.listing_update(listing=listing, user=request.user, **fields)
    except DomainError as exc:
        field = (exc.param or "").split(".")[0].split("[")[0]
        errors = {field: exc.message} if field in LISTING_FORM_FIELDS else {"form": exc.message}
        return None, _listing_form(request, listing=listing, values=values, errors=errors, status=exc.status_code)
    return saved, None


@login_required
def provider_listing_new(request):
    _provider_or_404(request)
    if request.method != "POST":
        return _listing_form(request, values={"price_currency": "usd", "turnaround_days": 5, "languages": "en"})
    saved, page = _listing_save(request)
    if page is not None:
        return page
    messages.success(request, f"Listing '{saved.title}' saved ({saved.get_status_display().lower()}).")
    return redirect("provider-listing-edit", listing_id=saved.public_id)


@login_required
def provider_listing_edit(request, listing_id: str):
    _provider_or_404(request)
    try:
        listing = selectors.listing_get_owned(listing_id=listing_id, user=request.user)
    except DomainError:
        raise Http404("No such listing of yours.")
    if request.method != "POST":
        return _listing_form(request, listing=listing, values=_listing_values(listing))
    action = request.POST.get("action", "save")
    try:
        if action == "publish":
            services.listing_publish(listing=listing, actor=request.user)
            messages.success(request, "Published: customers can find and order it now.")
            return redirect("provider-listing-edit", listing_id=listing.public_id)
        if action == "unpublish":
            services.listing_unpublish(listing=listing, actor=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "Withdrawn: customers no longer see it; jobs already ordered continue.")
            return redirect("provider-listing-edit", listing_id=listing.public_id)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("provider-listing-edit", listing_id=listing.public_id)
    saved, page = _listing_save(request, listing=listing)
    if page is not None:
        return page
    messages.success(request, "Changes saved.")
    return redirect("provider-listing-edit", listing_id=saved.public_id)


@login_required
def provider_job_page(request, job_id: str):
    org = _provider_or_404(request)
    try:
        job = selectors.provider_job_get(organization=org, job_id=job_id)
    except DomainError:
        raise Http404("No such job in your inbox.")
    data = s.inbox_job_out(job, samples=selectors.provider_job_samples(job, actor=request.user), detail=True)
    return render(request, "marketplace/provider_job.html", {"job": data})


@login_required
@require_POST
def provider_job_act(request, job_id: str, action: str):
    from tuning import services as tuning_services

    org = _provider_or_404(request)
    try:
        job = selectors.provider_job_get(organization=org, job_id=job_id)
    except DomainError:
        raise Http404("No such job in your inbox.")
    try:
        if action == "accept":
            tuning_services.job_provider_accept(job=job, actor=request.user)
            messages.success(request, f"Accepted {job.public_id}; it goes to safety review next.")
        else:
            reason = (request.POST.get("reason") or "").strip()
            if not reason:
                raise DomainError("Give the customer a reason for declining.", param="reason")
            tuning_services.job_provider_decline(job=job, actor=request.user, reason=reason)
            messages.success(request, f"Declined {job.public_id}.")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("dashboard-provider")


@login_required
@require_POST
def provider_review_respond(request, review_id: str):
    org = _provider_or_404(request)
    review = Review.objects.filter(public_id=review_id, provider=org).first()
    if review is None:
        raise Http404("No such review.")
    try:
        services.review_respond(review=review, user=request.user, body=request.POST.get("body", ""))
        messages.success(request, "Your answer is saved; the review is now visible on your profile.")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("dashboard-provider")


@login_required
def dashboard_customer(request):
    org = organization_of_kind_or_404(request, OrganizationKind.CUSTOMER, "Customer dashboard only.")
    from payments import selectors as payment_selectors
    from tuning import selectors as tuning_selectors

    jobs, jobs_more = _page(selectors.customer_jobs(organization=org), ("-created_at", "-id"), request)
    rows = []
    for job in jobs:
        review = getattr(job, "customer_review", None)  # a missing reverse one-to-one raises AttributeError
        rows.append((job, tuning_selectors.job_progress(job), s.review_out(review, viewer="customer") if review else None))
    license = payment_selectors.license_current(organization=org)
    models = tuning_selectors.fine_tuned_models(user=request.user).select_related("listing", "provider").order_by(
        "-finished_at", "-id")[:20]
    files = tuning_selectors.file_list(user=request.user).order_by("-created_at", "-id")[:10]
    return render(request, "marketplace/dashboard_customer.html", {
        "org": org, "jobs": rows, "next_url": _next_url(request, jobs, jobs_more),
        "license": payment_selectors.license_out(license) if license else None,
        "models": models, "files": files,
        "notification_preferences": notification_selectors.notification_preferences(user=request.user),
    })


@login_required
@require_POST
def customer_review_create(request, job_id: str):
    try:
        job = selectors.customer_job_get(user=request.user, job_id=job_id)
    except DomainError:
        raise Http404("No such job.")
    try:
        rating = int(request.POST.get("rating", ""))
    except ValueError:
        rating = 0
    try:
        services.review_create(job=job, user=request.user, rating=rating, body=request.POST.get("body", ""))
        messages.success(request, "Thank you. Your review is revealed when the provider answers, or in 14 days.")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("dashboard-customer")


# --- sign in / out ----------------------------------------------------------------------------
class LoginForm(AuthenticationForm):
    """Django's login form, checked by accounts.services.user_login (lockout after repeated failures, audit)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

    def clean(self):
        from accounts.services import user_login

        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            try:
                self.user_cache = user_login(
                    email=email, password=password, ip_address=client_ip(self.request) if self.request else None,
                    request=self.request,
                )
            except DomainError as exc:
                raise ValidationError(exc.message, code=exc.code)
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


login_view = auth_views.LoginView.as_view(
    template_name="registration/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
)
logout_view = auth_views.LogoutView.as_view(next_page="/")


urlpatterns = [
    path("", home, name="home"),
    path("providers/", provider_list, name="providers-page"),
    path("providers/<str:provider_id>/", provider_detail, name="provider-page"),
    path("listings/<str:listing_id>/", listing_detail, name="listing-page"),
    path("listings/<str:listing_id>/order/", listing_order, name="listing-order"),
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/provider/", dashboard_provider, name="dashboard-provider"),
    path("dashboard/provider/listings/new", provider_listing_new, name="provider-listing-new"),
    path("dashboard/provider/listings/<str:listing_id>/", provider_listing_edit, name="provider-listing-edit"),
    path("dashboard/provider/jobs/<str:job_id>/", provider_job_page, name="provider-job-page"),
    path("dashboard/provider/jobs/<str:job_id>/accept", provider_job_act, {"action": "accept"}, name="provider-job-accept-page"),
    path("dashboard/provider/jobs/<str:job_id>/decline", provider_job_act, {"action": "decline"},
         name="provider-job-decline-page"),
    path("dashboard/provider/reviews/<str:review_id>/respond", provider_review_respond, name="provider-review-respond"),
    path("dashboard/customer/", dashboard_customer, name="dashboard-customer"),
    path("dashboard/customer/jobs/<str:job_id>/review", customer_review_create, name="customer-review-create"),
    path("login/", login_view, name="login"),
    path("logout/", logout_view, name="logout"),
]
