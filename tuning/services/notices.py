"""The mails a job's events send: the job's words and links for ``notifications.services.notify``.

Each event is reported at the one place it happens (jobs.py, worker.py), inside that place's
transaction; notify sends after the commit, once per event and recipient.
"""
from __future__ import annotations

from django.conf import settings

from notifications.kinds import KINDS, PROVIDER
from notifications.services import notify

from ..models import FineTuningJob


def site_url(path: str) -> str:
    return settings.TUNEMARKET_SITE_URL + path


def job_notify(kind: str, *, job: FineTuningJob, qualifier: str = "", **context) -> list:
    """Mail `kind` about `job` to its customer's and/or its provider's members (the kind says which)."""
    written = []
    for audience in KINDS[kind].audiences:
        to_provider = audience == PROVIDER
        url = f"/dashboard/provider/jobs/{job.public_id}/" if to_provider else f"/jobs/{job.public_id}/"
        base = {
            "job": job.public_id, "listing": job.listing.title, "customer": job.organization.name,
            "provider": job.provider.name, "use_case": job.use_case, "model": job.fine_tuned_model or "",
            "url": site_url(url),
        }
        written += notify(kind, obj=job, organization=job.provider if to_provider else job.organization,
                          context={**base, **context}, qualifier=qualifier, audience=audience)
    return written


def review_reasons(job: FineTuningJob, *, reason: str, actor) -> str:
    """The review's reasons as the customer may read them: the reviewer's own words when a reviewer
    decided, and screening's reasons re-worded by ``review.reasons.public_reasons`` (category and where,
    never the matched text, which stays with the reviewers)."""
    from evaluation.models import RequestReview
    from review.reasons import public_reasons

    lines = []
    if actor is not None and reason:
        lines.append(f"- The reviewer: {reason}")
    review = RequestReview.objects.filter(job=job).only("reasons").first()
    for r in public_reasons(review.reasons if review else []):
        text = r["explanation"] if r["explanation"].startswith(r["title"]) else f"{r['title']}: {r['explanation']}"
        lines.append(f"- {text}")
    return "\n".join(lines) or f"- {reason or 'Automatic screening matched no policy category.'}"
