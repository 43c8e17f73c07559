"""Listings API (the search, filters and ordering grow in marketplace/selectors.py)."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import DOMAINS
from core.errors import NotFound
from core.pagination import paginate

from . import services
from .models import Listing, ListingStatus, Technique


class PriceIn(serializers.Serializer):
    amount = serializers.IntegerField(min_value=0)
    currency = serializers.RegexField(r"^[a-zA-Z]{3}$", default="usd")


class LoraIn(serializers.Serializer):
    r = serializers.IntegerField(min_value=1, max_value=256, default=8)
    alpha = serializers.IntegerField(min_value=1, max_value=512, default=16)
    target_modules = serializers.ListField(child=serializers.CharField(), default=["q_proj", "v_proj"])


class RecipeIn(serializers.Serializer):
    hyperparameters = serializers.DictField(default=dict)
    lora = LoraIn(default=dict)
    system_prompt = serializers.CharField(allow_blank=True, default="")


class ListingIn(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    domain = serializers.ChoiceField(choices=DOMAINS)
    techniques = serializers.ListField(child=serializers.ChoiceField(choices=Technique.values), min_length=1)
    base_models = serializers.ListField(child=serializers.CharField(), min_length=1)
    price = PriceIn()
    turnaround_days = serializers.IntegerField(min_value=1, max_value=365)
    languages = serializers.ListField(child=serializers.CharField(max_length=20), default=list)
    recipe = RecipeIn(default=dict)
    publish = serializers.BooleanField(default=False)


def listing_out(listing: Listing) -> dict:
    return {
        "object": "listing",
        "id": listing.public_id,
        "title": listing.title,
        "description": listing.description,
        "domain": listing.domain,
        "techniques": listing.techniques,
        "base_models": listing.base_models,
        "price": {"amount": listing.price_amount, "currency": listing.price_currency},
        "turnaround_days": listing.turnaround_days,
        "languages": listing.languages,
        "recipe": listing.recipe,
        "status": listing.status,
        "provider": {"id": listing.provider.public_id, "name": listing.provider.name},
        "created_at": int(listing.created_at.timestamp()),
    }


class ListingListView(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    def get(self, request):
        qs = Listing.objects.filter(status=ListingStatus.PUBLISHED).select_related("provider")
        return Response(paginate(request, qs, serialize=listing_out))

    @extend_schema(request=ListingIn, responses={201: dict})
    def post(self, request):
        data = ListingIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        price = v.pop("price")
        listing = services.listing_create(
            user=request.user, price_amount=price["amount"], price_currency=price["currency"].lower(), **v
        )
        return Response(listing_out(listing), status=status.HTTP_201_CREATED)


class ListingDetailView(APIView):
    permission_classes = [AllowAny]

    def get(self, request, listing_id: str):
        listing = Listing.objects.select_related("provider").filter(public_id=listing_id).first()
        visible = listing is not None and (
            listing.status == ListingStatus.PUBLISHED
            or (request.user.is_authenticated and request.user.organization == listing.provider)
        )
        if not visible:
            raise NotFound(f"No listing with id '{listing_id}'.")
        return Response(listing_out(listing))
