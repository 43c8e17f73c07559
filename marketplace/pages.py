"""Server-rendered pages (browse, provider, job, model card). Same selectors as the API."""
from django.shortcuts import render
from django.urls import path

from .models import Listing, ListingStatus


def home(request):
    listings = Listing.objects.filter(status=ListingStatus.PUBLISHED).select_related("provider")[:20]
    return render(request, "marketplace/home.html", {"listings": listings})


urlpatterns = [path("", home, name="home")]
