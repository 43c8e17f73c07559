"""Specialist-model pages: browse the catalogue, a model's page (evaluation summary, terms, licence, usage,
chat) and its signed card. The same selectors and services as the API.

Card entry follows payments/pages.py: with Stripe test keys the page offers Stripe's documented test cards."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import DOMAINS, OrganizationKind
from core.errors import DomainError, NotFound
from evaluation import cards
from payments import services as payments
from payments.models import BillingCustomer
from payments.pages import TEST_CARDS, _test_mode
from tuning import inference

from . import selectors, services
from .models import SpecialistLicense, SpecialistLicenseStatus

CHAT_MAX_TOKENS = 32


class ChatForm(forms.Form):
    message = forms.CharField(label="Your message", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": "Write a message for the model."})


def specialist_browse(request):
    search, domain = request.GET.get("search", ""), request.GET.get("domain", "")
    error, specs = None, []
    try:
        specs = list(selectors.specialist_search(search=search, domain=domain)[:100])
    except DomainError as exc:
        error = exc.message
    return render(request, "specialists/browse.html", {"specs": specs, "q": {"search": search, "domain": domain},
                                                       "domains": DOMAINS, "error": error})


def _visible_or_404(request, specialist_id: str):
    try:
        return selectors.specialist_visible(user=request.user, specialist_id=specialist_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _detail_context(request, spec, **extra) -> dict:
    org = request.user.organization if request.user.is_authenticated else None
    licence = None
    if org is not None:
        licence = SpecialistLicense.objects.filter(specialist=spec, organization=org,
                                                   status=SpecialistLicenseStatus.ACTIVE).first()
    is_provider = org is not None and org.pk == spec.provider_id
    card_on_file = None
    if org is not None and org.kind == OrganizationKind.CUSTOMER:
        card_on_file = BillingCustomer.objects.filter(organization=org).exclude(default_payment_method="").first()
    return {
        "spec": spec, "out": selectors.specialist_out(spec, detail=True), "licence": licence,
        "is_provider": is_provider, "can_license": org is not None and org.kind == OrganizationKind.CUSTOMER,
        "card": card_on_file, "test_cards": TEST_CARDS if _test_mode() else (),
        "usage": (selectors.usage_totals(specialist=spec, organization=org) if licence else None),
        "usage_by_org": selectors.usage_by_organization(specialist=spec) if is_provider else None,
        "form": extra.pop("form", None) or ChatForm(), **extra,
    }


def specialist_detail(request, specialist_id: str):
    spec = _visible_or_404(request, specialist_id)
    return render(request, "specialists/detail.html", _detail_context(request, spec))


def specialist_card(request, specialist_id: str):
    spec = _visible_or_404(request, specialist_id)
    record = getattr(spec.job, "model_card", None) if hasattr(spec.job, "model_card") else None
    if record is None:
        raise Http404("This specialist model has no model card.")
    card = cards.load_card(record.document)
    plots = {k: mark_safe(v) for k, v in cards.plots(card).items()}  # noqa: S308 (svg.py escapes every text)
    return render(request, "evaluation/model_card.html", {
        "card": card, "rows": cards.metric_rows(card), "plots": plots, "record": record,
        "ref": f"{spec.title} ({spec.public_id})",
    })


@login_required
@require_POST
def specialist_card_set(request, specialist_id: str):
    spec = _visible_or_404(request, specialist_id)
    org = request.user.organization
    choice = request.POST.get("payment_method", "")
    if org is None or org.kind != OrganizationKind.CUSTOMER or not _test_mode() or choice not in dict(TEST_CARDS):
        messages.error(request, "Choose one of the listed test cards.")
        return redirect("specialist-page", specialist_id=spec.public_id)
    try:
        customer = payments.billing_payment_method_set(organization=org, payment_method=choice, actor=request.user)
        messages.success(request, f"Card saved: {customer.card_brand} ending {customer.card_last4}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("specialist-page", specialist_id=spec.public_id)


@login_required
@require_POST
def specialist_license(request, specialist_id: str):
    spec = _visible_or_404(request, specialist_id)
    try:
        lic = services.specialist_license_create(user=request.user, specialist=spec.public_id,
                                                 accept_terms=request.POST.get("accept_terms") == "on")
        messages.success(request, f"Licensed: your organisation may now use {spec.title} "
                                  f"({lic.amount / 100:.2f} {lic.currency.upper()} paid).")
    except DomainError as exc:  # no plan, domain not covered, unverified, terms, declined card: nothing changes
        messages.error(request, exc.message)
    return redirect("specialist-page", specialist_id=spec.public_id)


@login_required
@require_POST
def specialist_chat(request, specialist_id: str):
    spec = _visible_or_404(request, specialist_id)
    form = ChatForm(request.POST)
    answer, error = None, None
    if form.is_valid():
        try:
            answer = inference.chat_completion(
                user=request.user, model_id=spec.public_id,
                messages=[{"role": "user", "content": form.cleaned_data["message"]}],
                max_tokens=CHAT_MAX_TOKENS, temperature=0.0, seed=0,
            )
        except DomainError as exc:  # not licensed (404), withdrawn or held (403): shown, nothing answered
            error = exc.message
    spec.refresh_from_db()
    return render(request, "specialists/detail.html",
                  _detail_context(request, spec, form=form, answer=answer, chat_error=error))


urlpatterns = [
    path("specialists/", specialist_browse, name="specialists-page"),
    path("specialists/<str:specialist_id>/", specialist_detail, name="specialist-page"),
    path("specialists/<str:specialist_id>/card", specialist_card, name="specialist-card-page"),
    path("specialists/<str:specialist_id>/payment_method", specialist_card_set, name="specialist-card-set-page"),
    path("specialists/<str:specialist_id>/license", specialist_license, name="specialist-license-page"),
    path("specialists/<str:specialist_id>/chat", specialist_chat, name="specialist-chat-page"),
]
