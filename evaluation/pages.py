"""The evaluation report and the model card pages: the API's selectors, rendered server-side with inline SVG plots."""
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


@login_required
def evaluation_report_page(request, job_id: str):
    """Base against tuned, suite by suite, with the gate's verdict: the job's latest evaluation run."""
    try:
        job = selectors.job_for_evaluation(user=request.user, job_id=job_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    report = selectors.job_evaluation_detail_out(job)
    as_card = {"evaluation": {"suites": report["suites"]},
               "training": {"loss_curve": selectors.job_loss_curve(job)}}
    # The SVG is built by svg.py from numbers, with every text escaped there.
    plots = {k: mark_safe(v) for k, v in {**cards.plots(as_card), **cards.category_plots(report["suites"])}.items()}  # noqa: S308
    timings = report.get("timings_seconds") or {}
    return render(request, "evaluation/report.html", {
        "job": job, "report": report, "rows": cards.metric_rows(as_card), "plots": plots,
        "timings": sorted((k.replace("_", " "), v) for k, v in timings.items() if k != "total"),
        "total_seconds": timings.get("total"),
    })


def transparency_page(request):
    """Public: the released models and what the gate and the guard did, with no private data."""
    return render(request, "evaluation/transparency.html", {"report": selectors.transparency_report()})


urlpatterns = [
    path("transparency/", transparency_page, name="transparency-page"),
    path("jobs/<str:job_id>/evaluation", evaluation_report_page, name="evaluation-report-page"),
    path("models/<str:model_id>/card", model_card_page, name="model-card-page"),
]
