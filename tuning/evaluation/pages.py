"""The model card page: the same selector as the API, rendered server-side with inline SVG plots."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.safestring import mark_safe

from core.errors import NotFound

from . import cards, selectors


@login_required
def model_card_page(request, model_id: str):
    try:
        record = selectors.model_card_get(user=request.user, model_id=model_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    card = cards.load_card(record.document)
    # The SVG is built by svg.py from numbers, with every text escaped there.
    plots = {k: mark_safe(v) for k, v in cards.plots(card).items()}  # noqa: S308
    return render(request, "evaluation/model_card.html", {
        "card": card,
        "rows": cards.metric_rows(card),
        "plots": plots,
        "record": record,
        "ref": card.get("model") or card.get("job"),
    })


urlpatterns = [
    path("models/<str:model_id>/card", model_card_page, name="model-card-page"),
]
