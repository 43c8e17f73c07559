"""GET /v1/fine_tuning/jobs/{id}/evaluation, GET /v1/models/{id}/card (JSON or ?format=md) and the public
GET /v1/transparency."""
from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.http import RawContentNegotiation

from . import cards, selectors


class JobEvaluationView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, job_id: str):
        job = selectors.job_for_evaluation(user=request.user, job_id=job_id)
        return Response(selectors.job_evaluation_detail_out(job))


class ModelCardView(APIView):
    """The signed card, byte for byte as signed (so a saved copy verifies), or its Markdown."""

    content_negotiation_class = RawContentNegotiation  # ?format=md picks the Markdown here

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["json", "md"])], responses={200: dict})
    def get(self, request, model_id: str):
        fmt = request.query_params.get("format", "json")
        if fmt not in ("json", "md"):
            raise DomainError("format must be 'json' or 'md'.", param="format", code="invalid_format")
        if model_id in selectors.public_base_models():
            # A base model's card is the platform base's: what every job on it really tunes.
            from tuning.platform_base import card as platform_card

            document = platform_card.platform_base_card(selectors.platform_parent(model_id))
            if fmt == "md":
                return HttpResponse(platform_card.render_markdown(document).encode("utf-8"),
                                    content_type="text/markdown; charset=utf-8")
            return Response(document)
        card = selectors.model_card_get(user=request.user, model_id=model_id)
        if fmt == "md":
            text = cards.render_markdown(cards.load_card(card.document))
            return HttpResponse(text.encode("utf-8"), content_type="text/markdown; charset=utf-8")
        return HttpResponse(card.document.encode("utf-8"), content_type="application/json")


class TransparencyView(APIView):
    """Public: every released model with its gate verdict, card hash and status, and aggregate counts."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(selectors.transparency_report())
