"""The specialist-model API: the catalogue (public reads), publishing and withdrawing (providers),
licensing (customers, a captured payment) and usage (licensee and provider). Thin: validate, call one
service or selector, serialize."""
from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError, NotFound
from core.idempotency import IdempotentMixin
from core.pagination import paginate

from . import selectors, services
from .models import TERMS_MAX_CHARS, TEXT_MAX_CHARS, TITLE_MAX_CHARS


class SpecialistPriceIn(serializers.Serializer):
    amount = serializers.IntegerField(min_value=0, max_value=services.MAX_PRICE)
    currency = serializers.CharField(max_length=3, min_length=3, required=False, default="usd")


class SpecialistIn(serializers.Serializer):
    fine_tuned_model = serializers.CharField(max_length=255, help_text="The model id (or ftjob- id) of your "
                                             "released model, trained on your own listing.")
    title = serializers.CharField(max_length=TITLE_MAX_CHARS)
    domain = serializers.CharField(max_length=30, required=False, allow_blank=True)
    description = serializers.CharField(max_length=TEXT_MAX_CHARS)
    intended_use = serializers.CharField(max_length=TEXT_MAX_CHARS)
    out_of_scope_uses = serializers.ListField(child=serializers.CharField(max_length=500), min_length=1,
                                              max_length=20)
    languages = serializers.ListField(child=serializers.CharField(max_length=35), min_length=1, max_length=30)
    price = SpecialistPriceIn()
    license_terms = serializers.CharField(max_length=TERMS_MAX_CHARS)


class SpecialistListView(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @extend_schema(operation_id="specialist_models_list", responses={200: dict})
    def get(self, request):
        qs = selectors.specialist_search(search=request.query_params.get("search", ""),
                                         domain=request.query_params.get("domain", ""))
        return Response(paginate(request, qs, serialize=selectors.specialist_out))

    @extend_schema(operation_id="specialist_models_publish", request=SpecialistIn, responses={201: dict})
    def post(self, request):
        data = SpecialistIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        spec = services.specialist_publish(
            user=request.user, job=v["fine_tuned_model"], title=v["title"], domain=v.get("domain") or None,
            description=v["description"], intended_use=v["intended_use"], out_of_scope_uses=v["out_of_scope_uses"],
            languages=v["languages"], price_amount=v["price"]["amount"], price_currency=v["price"]["currency"],
            license_terms=v["license_terms"],
        )
        return Response(selectors.specialist_out(spec, detail=True), status=201)


class SpecialistDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="specialist_models_retrieve", responses={200: dict})
    def get(self, request, specialist_id: str):
        spec = selectors.specialist_visible(user=request.user, specialist_id=specialist_id)
        return Response(selectors.specialist_out(spec, detail=True))


class SpecialistCardView(APIView):
    """The signed model card of the model behind a specialist model, byte for byte as signed."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="specialist_models_card", responses={200: dict})
    def get(self, request, specialist_id: str):
        spec = selectors.specialist_visible(user=request.user, specialist_id=specialist_id)
        card = getattr(spec.job, "model_card", None) if hasattr(spec.job, "model_card") else None
        if card is None:
            raise NotFound("This specialist model has no model card.", param="specialist_id", code="model_card_not_found")
        return HttpResponse(card.document.encode("utf-8"), content_type="application/json")


class SpecialistWithdrawIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SpecialistWithdrawView(IdempotentMixin, APIView):
    @extend_schema(operation_id="specialist_models_withdraw", request=SpecialistWithdrawIn, responses={200: dict})
    def post(self, request, specialist_id: str):
        spec = selectors.specialist_for_provider(user=request.user, specialist_id=specialist_id)
        data = SpecialistWithdrawIn(data=request.data)
        data.is_valid(raise_exception=True)
        spec = services.specialist_withdraw(specialist=spec, actor=request.user, reason=data.validated_data["reason"])
        return Response(selectors.specialist_out(spec, detail=True))


class SpecialistLicenseIn(serializers.Serializer):
    accept_terms = serializers.BooleanField(required=False, default=False)


class SpecialistLicenseCreateView(IdempotentMixin, APIView):
    @extend_schema(operation_id="specialist_models_license", request=SpecialistLicenseIn, responses={201: dict})
    def post(self, request, specialist_id: str):
        data = SpecialistLicenseIn(data=request.data)
        data.is_valid(raise_exception=True)
        lic = services.specialist_license_create(user=request.user, specialist=specialist_id,
                                                 accept_terms=data.validated_data["accept_terms"])
        return Response(selectors.license_out(lic), status=201)


class SpecialistLicenseListView(APIView):
    @extend_schema(operation_id="specialist_models_licenses_list", responses={200: dict})
    def get(self, request):
        org = request.user.organization
        if org is None:
            raise DomainError("Your account has no organisation.", code="no_organization")

        def serialize(lic):
            return selectors.license_out(lic, usage=selectors.usage_totals(specialist=lic.specialist,
                                                                           organization=org))

        return Response(paginate(request, selectors.licenses_of(organization=org), serialize=serialize))


class SpecialistUsageView(APIView):
    """Metered use: a licensee sees its own organisation's; the provider sees every organisation's."""

    @extend_schema(operation_id="specialist_models_usage", responses={200: dict})
    def get(self, request, specialist_id: str):
        spec = selectors.specialist_visible(user=request.user, specialist_id=specialist_id)
        org = request.user.organization
        if org is not None and org.pk == spec.provider_id:
            return Response({"object": "specialist_model.usage", "specialist_model": spec.public_id,
                             "total": selectors.usage_totals(specialist=spec),
                             "by_organization": selectors.usage_by_organization(specialist=spec)})
        if org is None or not spec.licenses.filter(organization=org).exists():
            raise NotFound(f"No usage of '{specialist_id}' for your organisation.", param="specialist_id",
                           code="specialist_model_not_found")
        return Response({"object": "specialist_model.usage", "specialist_model": spec.public_id,
                         "total": selectors.usage_totals(specialist=spec, organization=org)})
