"""Reads for licences, job payments and the ledger, each with a constant number of queries."""
from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, Sum

from accounts.models import Organization
from core.http import unix_seconds as _ts

from .models import LIVE_LICENSE_STATUSES, JobPayment, LedgerEntry, License, provider_account
from .plans import LicensePlan


def license_current(*, organization: Organization) -> License | None:
    """The organisation's live licence (pending, active or past due), if any. One query."""
    return License.objects.filter(organization=organization, status__in=LIVE_LICENSE_STATUSES).first()


def license_usage_in_period(license: License, *, exclude_job_id: int | None = None) -> tuple[int, int]:
    """(jobs, training tokens) counted against the licence in its current period. Two queries.

    Jobs are counted from the job table, so a job counts from the moment it is ordered (pending_provider
    onwards) whenever its usage row is written; a job that ended before training started (declined,
    rejected, cancelled) does not count. Tokens are the recorded usage (estimate, then actual).
    """
    from tuning.models import FineTuningJob, JobStatus

    jobs = (FineTuningJob.objects.filter(organization_id=license.organization_id)
            .exclude(status=JobStatus.VALIDATING_FILES)
            .exclude(status__in=[JobStatus.REJECTED, JobStatus.CANCELLED, JobStatus.FAILED], started_at__isnull=True))
    usage = license.usages.filter(released_at__isnull=True)
    if license.current_period_start:
        jobs = jobs.filter(created_at__gte=license.current_period_start)
        usage = usage.filter(job__created_at__gte=license.current_period_start)
    if exclude_job_id is not None:
        jobs = jobs.exclude(pk=exclude_job_id)
        usage = usage.exclude(job_id=exclude_job_id)
    tokens = usage.aggregate(tokens=Sum("training_tokens"))["tokens"]
    return jobs.count(), int(tokens or 0)


def license_out(license: License) -> dict:
    plan: LicensePlan = license.plan_definition
    jobs, tokens = license_usage_in_period(license)
    return {
        "id": license.public_id,
        "object": "license",
        "plan": plan.key,
        "plan_name": plan.name,
        "status": license.status,
        "current_period_start": _ts(license.current_period_start),
        "current_period_end": _ts(license.current_period_end),
        "cancel_at_period_end": license.cancel_at_period_end,
        "created_at": _ts(license.created_at),
        "usage": {
            "jobs": {"used": jobs, "limit": plan.jobs_per_period},
            "training_tokens": {"used": tokens, "limit": plan.training_tokens_per_period},
            "max_dataset_bytes": plan.max_dataset_bytes,
        },
        "techniques": list(plan.techniques),
        "domains": list(plan.domains),
    }


def job_payment_out(job) -> dict | None:
    """The `payment` field of the job object. No query when the job came with select_related("job_payment")."""
    try:
        payment: JobPayment = job.job_payment
    except ObjectDoesNotExist:
        return None
    return {
        "status": payment.status,
        "amount": payment.amount,
        "currency": payment.currency,
        "authorized_at": _ts(payment.authorized_at),
        "captured_at": _ts(payment.captured_at),
        "released_at": _ts(payment.released_at),
        "refunded_amount": payment.refunded_amount,
    }


def ledger_balances(*, account_prefix: str = "") -> dict[tuple[str, str], int]:
    """{(account, currency): balance}. One query."""
    qs = LedgerEntry.objects.all()
    if account_prefix:
        qs = qs.filter(account__startswith=account_prefix)
    rows = qs.values("account", "currency").annotate(total=Sum("amount")).order_by()
    return {(r["account"], r["currency"]): int(r["total"]) for r in rows}


def provider_earnings(*, provider: Organization) -> dict[str, int]:
    """A provider's balance per currency. One query."""
    rows = (LedgerEntry.objects.filter(account=provider_account(provider)).values("currency")
            .annotate(total=Sum("amount")).order_by())
    return {r["currency"]: int(r["total"]) for r in rows}


def provider_earnings_out(*, provider: Organization, recent: int = 10) -> dict:
    """The provider dashboard's earnings: balance per currency, captured and held totals, recent payments and
    payouts. Four queries."""
    from .models import JobPaymentStatus, ProviderPayout

    payments = JobPayment.objects.filter(provider=provider)
    held = (payments.filter(status=JobPaymentStatus.AUTHORIZED).values("currency")
            .annotate(total=Sum("amount")).order_by())
    recent_payments = list(payments.select_related("job", "job__listing", "organization")
                           .filter(status__in=(JobPaymentStatus.CAPTURED, JobPaymentStatus.PARTIALLY_REFUNDED,
                                               JobPaymentStatus.REFUNDED))
                           .order_by("-captured_at", "-id")[:recent])
    rows = [{"job": p.job.public_id, "listing": p.job.listing.title, "customer": p.organization.name,
             "status": p.status, "currency": p.currency, "captured": p.captured_amount,
             "fee": p.platform_fee_amount, "refunded": p.refunded_amount, "at": p.captured_at}
            for p in recent_payments]
    payouts = list(ProviderPayout.objects.filter(provider=provider).order_by("-created_at", "-id")[:recent])
    return {
        "balances": provider_earnings(provider=provider),
        "held": {r["currency"]: int(r["total"]) for r in held},
        "payments": rows,
        "payouts": payouts,
    }


def unbalanced_transactions() -> list[int]:
    """Ids of ledger transactions whose entries do not sum to zero (should always be empty). One query."""
    rows = LedgerEntry.objects.values("transaction_id").annotate(total=Sum("amount")).filter(~Q(total=0)).order_by()
    return [r["transaction_id"] for r in rows]
