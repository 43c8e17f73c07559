from django.urls import path

from . import api

urlpatterns = [
    path("licenses/plans", api.PlanListView.as_view(), name="license-plans"),
    path("licenses", api.LicenseCreateView.as_view(), name="licenses"),
    path("licenses/current", api.LicenseCurrentView.as_view(), name="license-current"),
    path("licenses/current/cancel", api.LicenseCancelView.as_view(), name="license-cancel"),
    path("billing/payment_methods", api.PaymentMethodView.as_view(), name="billing-payment-methods"),
    path("stripe/webhook", api.StripeWebhookView.as_view(), name="stripe-webhook"),
]
