"""Bench-only URLconf: the product's URLs plus the naive peer at /naive/listings (never in the product)."""
from django.urls import path

from config.urls import urlpatterns as product_urlpatterns

from .naive import NaiveListingViewSet

urlpatterns = [
    path("naive/listings", NaiveListingViewSet.as_view({"get": "list"})),
    *product_urlpatterns,
]
