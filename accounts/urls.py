from django.urls import path

from . import api

urlpatterns = [
    path("auth/register", api.RegisterView.as_view(), name="auth-register"),
    path("auth/token", api.TokenView.as_view(), name="auth-token"),
    path("me", api.MeView.as_view(), name="me"),
    path("api_keys", api.ApiKeyListView.as_view(), name="api-keys"),
    path("api_keys/<str:key_id>/revoke", api.ApiKeyRevokeView.as_view(), name="api-key-revoke"),
    path("provider/application", api.ProviderApplicationView.as_view(), name="provider-application"),
    path("organization/verification", api.OrganizationVerificationView.as_view(), name="organization-verification"),
    path("agreements/current", api.AgreementCurrentView.as_view(), name="agreements-current"),
    path("agreements/accept", api.AgreementAcceptView.as_view(), name="agreements-accept"),
]
