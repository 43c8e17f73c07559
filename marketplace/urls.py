from django.urls import path

from . import api

urlpatterns = [
    path("listings", api.ListingListView.as_view(), name="listings"),
    path("listings/<str:listing_id>", api.ListingDetailView.as_view(), name="listing-detail"),
]
