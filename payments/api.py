"""Thin API views for licences, billing and Stripe's webhook."""
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.idempotency import IdempotentMixin
from core.pagination import list_response

from . import serializers as s
from . import services
from .plans import LICENSE_PLANS, plan_out
from .selectors import license_out


class PlanListView(APIView):
    """Public: the plans with their prices, quotas, techniques and domains (a fixed list, not paginated)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(list_response([plan_out(p) for p in LICENSE_PLANS.values()], False))


class PaymentMethodView(IdempotentMixin, APIView):
    @extend_schema(request=s.PaymentMethodIn, responses={200: dict})
    def post(self, request):
        data = s.PaymentMethodIn(data=request.data)
        data.is_valid(raise_exception=True)
        customer = services.billing_payment_method_set(
            organization=request.user.organization, payment_method=data.validated_data["payment_method"],
            actor=request.user,
        )
        return Response({
            "object": "billing.payment_method",
            "id": customer.default_payment_method,
            "default": True,
            "card": {"brand": customer.card_brand, "last4": customer.card_last4},
        })


class LicenseCreateView(IdempotentMixin, APIView):
    @extend_schema(request=s.LicenseIn, responses={201: dict})
    def post(self, request):
        data = s.LicenseIn(data=request.data)
        data.is_valid(raise_exception=True)
        license = services.license_subscribe(
            organization=request.user.organization, plan=data.validated_data["plan"], actor=request.user
        )
        return Response(license_out(license), status=status.HTTP_201_CREATED)


class LicenseCurrentView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(license_out(services.license_for_request(organization=request.user.organization)))


class LicenseCancelView(IdempotentMixin, APIView):
    @extend_schema(request=s.CancelIn, responses={200: dict})
    def post(self, request):
        data = s.CancelIn(data=request.data)
        data.is_valid(raise_exception=True)
        license = services.license_for_request(organization=request.user.organization)
        license = services.license_cancel(license=license, actor=request.user, reason=data.validated_data["reason"])
        return Response(license_out(license))


class StripeWebhookView(APIView):
    """Stripe → us. Verifies the signature on the raw body, stores the event, answers at once."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(request=None, responses={200: dict})
    def post(self, request):
        # request.body is the raw bytes Stripe signed; request.data is never touched here.
        event, created = services.stripe_event_receive(
            payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE")
        )
        return Response({"received": True, "id": event.event_id, "duplicate": not created})
