"""Thin API views for the marketplace: validate with a serializer, call one service or selector, serialize."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import OrganizationKind
from core.errors import DomainError, NotAllowed, NotFound
from core.idempotency import IdempotentMixin
from core.pagination import paginate

from . import selectors, services
from . import serializers as s
from .models import Review


def _provider_org(request):
    org = request.user.organization
    if org is None or org.kind != OrganizationKind.PROVIDER:
        raise NotAllowed("Only provider organisations have a provider inbox.", code="not_a_provider")
    return org


LISTING_QUERY_PARAMS = [
    OpenApiParameter(name, str, required=False)
    for name in ("search", "domain", "technique", "language", "base_model", "min_price", "max_price", "currency",
                 "min_rating", "provider", "ordering", "limit", "after")
]


# --- listings ---------------------------------------------------------------------------------
class ListingListView(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @extend_schema(operation_id="listings_list", parameters=LISTING_QUERY_PARAMS, responses={200: dict})
    def get(self, request):
        query = s.parse_query(s.ListingQueryIn, request.query_params)
        qs, ordering = selectors.listing_search(query=query)
        return Response(paginate(request, qs, serialize=s.listing_out, ordering=ordering))

    @extend_schema(request=s.ListingIn, responses={201: dict})
    def post(self, request):
        data = s.ListingIn(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_create(
            user=request.user, publish=data.validated_data["publish"], **s.listing_fields_from(data.validated_data)
        )
        listing = selectors.listing_get_visible(listing_id=listing.public_id, user=request.user)
        return Response(s.listing_out(listing, owner_view=True), status=status.HTTP_201_CREATED)


class ListingDetailView(APIView):
    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else super().get_permissions()

    @extend_schema(responses={200: dict})
    def get(self, request, listing_id: str):
        listing = selectors.listing_get_visible(listing_id=listing_id, user=request.user)
        owner = request.user.is_authenticated and getattr(request.user.organization, "pk", None) == listing.provider_id
        return Response(s.listing_out(listing, owner_view=owner))

    @extend_schema(request=s.ListingPatchIn, responses={200: dict})
    def patch(self, request, listing_id: str):
        listing = selectors.listing_get_owned(listing_id=listing_id, user=request.user)
        data = s.ListingPatchIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.listing_update(listing=listing, user=request.user, **s.listing_fields_from(data.validated_data))
        listing = selectors.listing_get_visible(listing_id=listing_id, user=request.user)
        return Response(s.listing_out(listing, owner_view=True))


class ListingPublishView(APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, listing_id: str):
        listing = selectors.listing_get_owned(listing_id=listing_id, user=request.user)
        services.listing_publish(listing=listing, actor=request.user)
        return Response(s.listing_out(selectors.listing_get_visible(listing_id=listing_id, user=request.user),
                                      owner_view=True))


class ListingUnpublishView(APIView):
    @extend_schema(request=s.UnpublishIn, responses={200: dict})
    def post(self, request, listing_id: str):
        listing = selectors.listing_get_owned(listing_id=listing_id, user=request.user)
        data = s.UnpublishIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.listing_unpublish(listing=listing, actor=request.user, reason=data.validated_data["reason"])
        return Response(s.listing_out(selectors.listing_get_visible(listing_id=listing_id, user=request.user),
                                      owner_view=True))


class ListingDomainEvalSetView(APIView):
    """Upload (replace) the listing's domain evaluation set: multipart `file`, JSONL."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": s.DomainEvalIn}, responses={200: dict})
    def post(self, request, listing_id: str):
        listing = selectors.listing_get_owned(listing_id=listing_id, user=request.user)
        data = s.DomainEvalIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > services.DOMAIN_EVAL_MAX_BYTES:
            raise DomainError("The evaluation set is larger than 5 MB.", param="file", code="file_too_large")
        services.listing_domain_eval_set_upload(listing=listing, user=request.user, content=upload.read())
        return Response(s.listing_out(selectors.listing_get_visible(listing_id=listing_id, user=request.user),
                                      owner_view=True))


class ProviderOwnListingsView(APIView):
    """The caller's own listings, drafts and unpublished ones included."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        qs = selectors.listings_of_organization(organization=_provider_org(request))
        return Response(paginate(request, qs, serialize=lambda x: s.listing_out(x, owner_view=True)))


# --- providers --------------------------------------------------------------------------------
class ProviderListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="providers_list", parameters=[OpenApiParameter(n, str, required=False) for n in
                               ("search", "domain", "min_rating", "verified", "ordering", "limit", "after")],
                   responses={200: dict})
    def get(self, request):
        query = s.parse_query(s.ProviderQueryIn, request.query_params)
        qs, ordering = selectors.provider_search(query=query)
        return Response(paginate(request, qs, serialize=s.provider_out, ordering=ordering))


class ProviderDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request, provider_id: str):
        return Response(s.provider_out(selectors.provider_get(provider_id=provider_id)))


class ProviderReviewListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request, provider_id: str):
        provider = selectors.provider_get(provider_id=provider_id)
        qs = selectors.provider_reviews_public(provider=provider)
        return Response(paginate(request, qs, serialize=lambda r: s.review_out(r, viewer="public")))


# --- reviews ----------------------------------------------------------------------------------
class JobReviewCreateView(IdempotentMixin, APIView):
    """POST /v1/fine_tuning/jobs/{job_id}/reviews: the customer reviews a delivered job (GET: its review)."""

    @extend_schema(responses={200: dict})
    def get(self, request, job_id: str):
        job = selectors.customer_job_get(user=request.user, job_id=job_id)
        review = selectors.review_for_job(job=job)
        if review is None:
            raise NotFound(f"Job '{job_id}' has no review yet.", param="job_id")
        return Response(s.review_out(review, viewer="customer"))

    @extend_schema(request=s.ReviewIn, responses={201: dict})
    def post(self, request, job_id: str):
        job = selectors.customer_job_get(user=request.user, job_id=job_id)
        data = s.ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_create(job=job, user=request.user, **data.validated_data)
        return Response(s.review_out(review, viewer="customer"), status=status.HTTP_201_CREATED)


class ProviderReviewsView(APIView):
    """GET /v1/provider/reviews: reviews of the caller's jobs, texts masked until revealed."""

    @extend_schema(responses={200: dict})
    def get(self, request):
        qs = selectors.reviews_received(organization=_provider_org(request))
        return Response(paginate(request, qs, serialize=lambda r: s.review_out(r, viewer="provider")))


class ProviderReviewResponseView(APIView):
    @extend_schema(request=s.ReviewResponseIn, responses={200: dict})
    def post(self, request, review_id: str):
        org = _provider_org(request)
        review = Review.objects.select_related("listing", "job").filter(public_id=review_id, provider=org).first()
        if review is None:
            raise NotFound(f"No review with id '{review_id}'.", param="review_id")
        data = s.ReviewResponseIn(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_respond(review=review, user=request.user, body=data.validated_data["body"])
        return Response(s.review_out(review, viewer="provider"))


# --- provider inbox ---------------------------------------------------------------------------
class ProviderJobListView(APIView):
    @extend_schema(operation_id="provider_jobs_list", parameters=[OpenApiParameter("status", str, required=False)],
                   responses={200: dict})
    def get(self, request):
        org = _provider_org(request)
        q = s.InboxQueryIn(data={k: v for k, v in request.query_params.items() if k == "status"})
        q.is_valid(raise_exception=True)
        qs = selectors.provider_inbox(organization=org, status=q.validated_data.get("status") or None)
        return Response(paginate(request, qs, serialize=s.inbox_job_out))


class ProviderJobDetailView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, job_id: str):
        job = selectors.provider_job_get(organization=_provider_org(request), job_id=job_id)
        return Response(s.inbox_job_out(job, samples=selectors.provider_job_samples(job, actor=request.user), detail=True))


class ProviderJobAcceptView(IdempotentMixin, APIView):
    @extend_schema(request=None, responses={200: dict})
    def post(self, request, job_id: str):
        from tuning.services import job_provider_accept

        job = selectors.provider_job_get(organization=_provider_org(request), job_id=job_id)
        job_provider_accept(job=job, actor=request.user)
        job = selectors.provider_job_get(organization=request.user.organization, job_id=job_id)
        return Response(s.inbox_job_out(job))


class ProviderJobDeclineView(IdempotentMixin, APIView):
    @extend_schema(request=s.DeclineIn, responses={200: dict})
    def post(self, request, job_id: str):
        from tuning.services import job_provider_decline

        job = selectors.provider_job_get(organization=_provider_org(request), job_id=job_id)
        data = s.DeclineIn(data=request.data)
        data.is_valid(raise_exception=True)
        job_provider_decline(job=job, actor=request.user, reason=data.validated_data["reason"])
        job = selectors.provider_job_get(organization=request.user.organization, job_id=job_id)
        return Response(s.inbox_job_out(job))
