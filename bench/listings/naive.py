"""The peer: a naive DRF list of the same rows, as a first implementation would write it.

ModelViewSet + ModelSerializer (nested provider), DRF's SearchFilter (icontains on title and
description, every word required), the API's filters as plain ORM lookups (domain, price range, and
technique, base model and language as JSON list containment), LimitOffsetPagination (20 per page, with its
COUNT query) and the model's default ordering. It does use select_related: we compare designs, not a
forgotten join.
"""
from rest_framework import filters, pagination, serializers, viewsets
from rest_framework.permissions import AllowAny

from accounts.models import ApplicationStatus, Organization
from marketplace.models import Listing, ListingStatus


class ProviderSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")

    class Meta:
        model = Organization
        fields = ["id", "name", "verification_status"]


class ListingSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    provider = ProviderSerializer()

    class Meta:
        model = Listing
        fields = [
            "id", "title", "description", "domain", "techniques", "base_models", "price_amount", "price_currency",
            "turnaround_days", "languages", "recipe", "status", "provider", "created_at", "published_at",
        ]


class Page(pagination.LimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class NaiveListingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ListingSerializer
    permission_classes = [AllowAny]
    pagination_class = Page
    filter_backends = [filters.SearchFilter]
    search_fields = ["title", "description"]

    def get_queryset(self):
        qs = Listing.objects.filter(
            status=ListingStatus.PUBLISHED, provider__provider_application__status=ApplicationStatus.APPROVED
        ).select_related("provider")
        # The same filters as /v1/listings, written the obvious way: one ORM lookup per query parameter.
        params = self.request.query_params
        lookups = {"domain": "domain", "min_price": "price_amount__gte", "max_price": "price_amount__lte"}
        for param, lookup in lookups.items():
            if params.get(param):
                qs = qs.filter(**{lookup: params[param]})
        for param, field in (("technique", "techniques"), ("base_model", "base_models"), ("language", "language_tags")):
            if params.get(param):
                qs = qs.filter(**{f"{field}__contains": [params[param]]})
        return qs
