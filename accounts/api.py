"""Thin API views for accounts: validate, call one service, serialize."""
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.errors import DomainError, NotFound
from core.http import client_ip
from core.pagination import paginate

from . import serializers as s
from . import services
from .models import AgreementAcceptance, ApiKey, OrganizationVerification, ProviderApplication


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=s.RegisterIn, responses={201: dict})
    def post(self, request):
        data = s.RegisterIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(s.user_out(user), status=status.HTTP_201_CREATED)


class TokenView(APIView):
    """Exchange email and password for a new API key (shown once)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=s.TokenIn, responses={201: dict})
    def post(self, request):
        data = s.TokenIn(data=request.data)
        data.is_valid(raise_exception=True)
        ip = client_ip(request)
        user = services.user_login(
            email=data.validated_data["email"], password=data.validated_data["password"], ip_address=ip, request=request
        )
        issued = services.api_key_create(user=user, name=data.validated_data.get("name") or "token", ip_address=ip)
        return Response(s.api_key_out(issued.api_key, secret=issued.secret), status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(s.user_out(request.user))


class ApiKeyListView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        qs = ApiKey.objects.filter(user=request.user)
        return Response(paginate(request, qs, serialize=s.api_key_out))


class ApiKeyRevokeView(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, key_id: str):
        key = ApiKey.objects.filter(user=request.user, public_id=key_id).first()
        if key is None:
            raise NotFound(f"No API key with id '{key_id}'.")
        key = services.api_key_revoke(api_key=key, actor=request.user, ip_address=client_ip(request))
        return Response(s.api_key_out(key))


class ProviderApplicationView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        app = (
            ProviderApplication.objects.filter(organization=request.user.organization)
            .prefetch_related(Prefetch("decisions__actor"))
            .first()
        )
        if app is None:
            raise NotFound("This organisation has not applied to be a provider yet.")
        return Response(s.provider_application_out(app))

    @extend_schema(request=s.ProviderApplicationIn, responses={201: dict})
    def post(self, request):
        data = s.ProviderApplicationIn(data=request.data)
        data.is_valid(raise_exception=True)
        app = services.provider_application_submit(user=request.user, **data.validated_data)
        return Response(s.provider_application_out(app), status=status.HTTP_201_CREATED)


class OrganizationVerificationView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        ver = (
            OrganizationVerification.objects.filter(organization=request.user.organization)
            .prefetch_related("decisions").order_by("-submitted_at").first()
        )
        if ver is None:
            raise NotFound("This organisation has not requested verification.")
        return Response(s.verification_out(ver))

    @extend_schema(request=s.VerificationIn, responses={201: dict})
    def post(self, request):
        data = s.VerificationIn(data=request.data)
        data.is_valid(raise_exception=True)
        ver = services.organization_verification_submit(user=request.user, **data.validated_data)
        return Response(s.verification_out(ver), status=status.HTTP_201_CREATED)


class AgreementCurrentView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        current = services.agreement_current()
        if current is None:
            raise NotFound("No agreement has been published.")
        accepted = AgreementAcceptance.objects.filter(user=request.user, agreement=current).exists()
        return Response(s.agreement_out(current, accepted=accepted))


class AgreementAcceptView(APIView):
    @extend_schema(request=s.AgreementAcceptIn, responses={200: dict})
    def post(self, request):
        data = s.AgreementAcceptIn(data=request.data)
        data.is_valid(raise_exception=True)
        acceptance = services.agreement_accept(
            user=request.user, version=data.validated_data.get("version"), ip_address=client_ip(request)
        )
        return Response(
            {**s.agreement_out(acceptance.agreement, accepted=True), "accepted_at": int(acceptance.accepted_at.timestamp())}
        )
