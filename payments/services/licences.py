"""Licences: subscribe, cancel, follow the Stripe subscription, and the licence gate every job passes."""
from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization, User
from accounts.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed, NotFound, PaymentRequired
from core.http import from_unix_seconds as _ts
from core.states import is_allowed, record_ignored, transition

from .. import gateway
from ..models import (
    LICENSE_TRANSITIONS,
    LIVE_LICENSE_STATUSES,
    BillingCustomer,
    License,
    LicenseStatus,
    LicenseStatusChange,
    LicenseUsage,
)
from ..plans import LICENSE_PLANS, LicensePlan, plan_get
from ..selectors import license_current, license_usage_in_period
from .common import _require_customer_org, logger


# --- licences ---------------------------------------------------------------------------------
_STRIPE_TO_LICENSE = {
    "active": LicenseStatus.ACTIVE,
    "trialing": LicenseStatus.ACTIVE,
    "past_due": LicenseStatus.PAST_DUE,
    "unpaid": LicenseStatus.PAST_DUE,
    "canceled": LicenseStatus.ENDED,
    "incomplete_expired": LicenseStatus.ENDED,
    # "incomplete" (first payment not done yet) and "paused" leave the licence as it is.
}


def _license_sync(*, license: License, subscription, reason: str, actor: User | None = None,
                  stripe_event_id: str = "") -> License:
    """Make a (locked) licence follow the subscription's own state, whatever order events came in."""
    start, end = gateway.subscription_period(subscription)
    license.stripe_status = str(subscription.get("status") or "")
    license.current_period_start = _ts(start) or license.current_period_start
    license.current_period_end = _ts(end) or license.current_period_end
    license.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    target = _STRIPE_TO_LICENSE.get(license.stripe_status)
    if target is not None and target != license.status:
        if is_allowed(allowed=LICENSE_TRANSITIONS, current=license.status, to=target):
            LicenseStatusChange.objects.create(
                license=license, from_status=license.status, to_status=target, reason=reason,
                stripe_event_id=stripe_event_id, actor=actor,
            )
            now = timezone.now()
            updates = {}
            if target == LicenseStatus.ACTIVE and license.activated_at is None:
                updates["activated_at"] = now
            if target == LicenseStatus.ENDED:
                updates["ended_at"] = _ts(subscription.get("ended_at")) or now
            transition(license, to=target, allowed=LICENSE_TRANSITIONS, entity="licence", actor=actor, reason=reason,
                       updates=updates, data={"stripe_event_id": stripe_event_id} if stripe_event_id else None)
        else:
            # Stripe never revives a cancelled subscription; a stale or out-of-order object must not either.
            # The move is not made, and it is recorded as ignored.
            logger.warning("licence %s: ignoring %s -> %s (%s)", license.public_id, license.status, target, reason)
            record_ignored(license, wanted=target, actor=actor,
                           reason=f"{reason}: a stale or out-of-order subscription state; not applied",
                           data={"stripe_event_id": stripe_event_id, "stripe_status": license.stripe_status})
    license.save()
    return license


def license_subscribe(*, organization: Organization, plan: str, actor: User | None) -> License:
    """Subscribe the organisation to a plan, charging its default payment method now.

    A declined first payment gives a 402 and leaves nothing behind: the incomplete Stripe subscription
    is cancelled and no licence row is kept.
    """
    _require_customer_org(organization)
    definition = plan_get(plan)
    if definition is None:
        raise DomainError(f"Unknown plan '{plan}'. Choose one of: {', '.join(LICENSE_PLANS)} (GET /v1/licenses/plans).",
                          param="plan", code="unknown_plan")
    _require_subscriber_verification(organization, definition)
    with transaction.atomic():
        # Serialises subscriptions per organisation: a double click cannot open two subscriptions.
        customer = BillingCustomer.objects.select_for_update().filter(organization=organization).first()
        if customer is None or not customer.default_payment_method:
            raise PaymentRequired("Add a payment method first: POST /v1/billing/payment_methods.",
                                  param="payment_method", code="payment_method_required")
        live = License.objects.filter(organization=organization, status__in=LIVE_LICENSE_STATUSES).first()
        if live is not None:
            raise Conflict(
                f"This organisation already has a {live.plan_definition.name} licence ({live.status}). "
                "Cancel it (POST /v1/licenses/current/cancel) and subscribe again when it has ended.",
                param="plan", code="license_exists",
            )
        sub = gateway.subscription_create(
            customer=customer.stripe_customer_id, plan_id=definition.stripe_plan_id,
            metadata={"tm_org": organization.public_id, "tm_plan": definition.key},
            idempotency_key=f"subscribe-{organization.public_id}-{uuid.uuid4().hex}",
        )
        if sub.get("status") not in ("active", "trialing"):
            _subscription_discard(sub.id)
            raise gateway.CardDeclined(
                f"The first payment for the {definition.name} licence was declined (subscription {sub.get('status')}). "
                "No licence was created. Use another card: POST /v1/billing/payment_methods.",
                param="payment_method",
            )
        license, _ = License.objects.get_or_create(
            stripe_subscription_id=sub.id,
            defaults={"organization": organization, "plan": definition.key, "created_by": actor},
        )
        license = License.objects.select_for_update().get(pk=license.pk)
        license = _license_sync(license=license, subscription=sub, reason="Subscribed", actor=actor)
        audit_record(action="license.subscribed", actor=actor, organization=organization, target=license,
                     plan=definition.key, subscription=sub.id)
    return license


def _subscription_discard(subscription_id: str) -> None:
    try:
        gateway.subscription_cancel_now(subscription_id)
    except DomainError:
        # Leave a trace: an operator must cancel it by hand (it is incomplete: it charges nothing).
        logger.exception("could not cancel incomplete subscription %s", subscription_id)


def _require_subscriber_verification(organization: Organization, plan: LicensePlan) -> None:
    if not plan.subscriber_verification:
        return
    if organization.is_verified and organization.verification_category in plan.subscriber_verification:
        return
    raise NotAllowed(
        f"The {plan.name} plan is for organisations verified as {' or '.join(plan.subscriber_verification)}. "
        "Request verification: POST /v1/organization/verification.",
        param="plan", code="verification_required",
    )


def license_cancel(*, license: License, actor: User | None, reason: str = "") -> License:
    """Cancel at the end of the paid period; the licence stays active until Stripe ends it."""
    with transaction.atomic():
        license = License.objects.select_for_update().get(pk=license.pk)
        if license.status == LicenseStatus.ENDED:
            raise Conflict("This licence has already ended.", code="license_ended")
        if license.cancel_at_period_end:
            return license
        sub = gateway.subscription_cancel_at_period_end(license.stripe_subscription_id)
        license = _license_sync(license=license, subscription=sub, reason=reason or "Cancelled at period end",
                                actor=actor)
        audit_record(action="license.cancel_requested", actor=actor, organization=license.organization,
                     target=license, reason=reason)
    return license


def license_refresh(*, subscription_id: str, reason: str, stripe_event_id: str = "") -> License | None:
    """Re-read a subscription from Stripe and make its licence follow it (creating it if our request was lost)."""
    try:
        sub = gateway.subscription_retrieve(subscription_id)
    except gateway.PaymentProviderError as exc:
        if gateway.is_not_found(exc):
            return None
        raise
    with transaction.atomic():
        license = License.objects.select_for_update().filter(stripe_subscription_id=subscription_id).first()
        if license is None:
            license = _license_from_subscription(sub)
            if license is None:
                return None
        return _license_sync(license=license, subscription=sub, reason=reason, stripe_event_id=stripe_event_id)


def _license_from_subscription(sub) -> License | None:
    """A licence for a subscription we created but never recorded (the request died after Stripe answered)."""
    if _STRIPE_TO_LICENSE.get(sub.get("status")) not in (LicenseStatus.ACTIVE, LicenseStatus.PAST_DUE):
        return None  # declined, incomplete or already over: nothing to provision
    metadata = sub.get("metadata") or {}
    org = Organization.objects.filter(public_id=metadata.get("tm_org") or "").first()
    plan = metadata.get("tm_plan")
    if org is None or plan not in LICENSE_PLANS:
        return None
    try:
        with transaction.atomic():
            license, _ = License.objects.get_or_create(
                stripe_subscription_id=sub.id, defaults={"organization": org, "plan": plan}
            )
    except IntegrityError:
        logger.error("subscription %s: organisation %s already has another live licence", sub.id, org.public_id)
        return None
    return License.objects.select_for_update().get(pk=license.pk)


# --- the licence gate ----------------------------------------------------------------------------
class LicenseRequired(PaymentRequired):
    code = "license_required"


class QuotaExhausted(PaymentRequired):
    code = "quota_exhausted"


def license_gate_check(*, organization: Organization, listing, training_tokens: int,
                       dataset_bytes: int | None = None, technique: str | None = None) -> None:
    """Raise a DomainError naming what is missing for this organisation to buy a job on this listing.

    Checks: an active licence; the plan covers the listing's technique(s) and domain; medical and HR
    need a verified organisation; quota left this period (jobs, training tokens); the dataset size.
    It never changes a job, and nothing here can skip safety review or the release gate.
    """
    license = License.objects.filter(organization=organization, status__in=LIVE_LICENSE_STATUSES).first()
    _gate_license_usable(license)
    plan = license.plan_definition
    techniques = [technique] if technique else list(listing.techniques or [])
    missing = [t for t in techniques if t not in plan.techniques]
    if missing:
        better = _plans_covering(techniques=missing)
        raise NotAllowed(
            f"The {plan.name} plan does not include {', '.join(missing)}, which this listing uses."
            + (f" Plans that do: {', '.join(better)}." if better else ""),
            param="listing", code="plan_excludes_technique",
        )
    _gate_domain(organization, plan, listing.domain, param="listing")
    if dataset_bytes is not None and dataset_bytes > plan.max_dataset_bytes:
        raise NotAllowed(
            f"The training file is {dataset_bytes} bytes; the {plan.name} plan allows up to {plan.max_dataset_bytes}.",
            param="training_file", code="plan_dataset_limit",
        )
    _quota_check(license, plan, training_tokens)


def _gate_domain(organization: Organization, plan: LicensePlan, domain: str, *, param: str) -> None:
    if domain not in plan.domains:
        better = _plans_covering(domain=domain)
        raise NotAllowed(
            f"The {plan.name} plan does not include the {domain} domain."
            + (f" Plans that do: {', '.join(better)}." if better else ""),
            param=param, code="plan_excludes_domain",
        )
    if domain in plan.verified_domains and not organization.is_verified:
        raise NotAllowed(
            f"The {domain} domain needs a verified organisation. "
            "Request verification: POST /v1/organization/verification.",
            param=param, code="verification_required",
        )


def license_domain_check(*, organization: Organization, domain: str, param: str = "domain") -> License:
    """The licence gate for using a model of `domain` without training one (a specialist model): an active
    licence whose plan covers the domain, and a verified organisation for medical and HR. No job quota is
    taken. Returns the licence."""
    license = License.objects.filter(organization=organization, status__in=LIVE_LICENSE_STATUSES).first()
    _gate_license_usable(license, what="license specialist models")
    _gate_domain(organization, license.plan_definition, domain, param=param)
    return license


def _gate_license_usable(license: License | None, *, what: str = "create tuning jobs") -> None:
    if license is None or license.status == LicenseStatus.PENDING:
        raise LicenseRequired(
            f"An active licence is required to {what}. "
            "Subscribe: POST /v1/licenses (plans: GET /v1/licenses/plans).",
        )
    if license.status == LicenseStatus.PAST_DUE:
        raise PaymentRequired(
            "The licence's last payment failed, so it is past due. Update the card (POST /v1/billing/payment_methods).",
            code="license_past_due",
        )


def _quota_check(license: License, plan: LicensePlan, training_tokens: int, *, job_id: int | None = None) -> None:
    jobs_used, tokens_used = license_usage_in_period(license, exclude_job_id=job_id)
    if jobs_used >= plan.jobs_per_period:
        raise QuotaExhausted(
            f"The {plan.name} plan's quota of {plan.jobs_per_period} jobs this period is used up.", param="jobs",
        )
    if tokens_used + max(int(training_tokens), 0) > plan.training_tokens_per_period:
        left = max(plan.training_tokens_per_period - tokens_used, 0)
        raise QuotaExhausted(
            f"This job needs {training_tokens} training tokens; {left} of the {plan.name} plan's "
            f"{plan.training_tokens_per_period} are left this period.",
            param="training_tokens",
        )


def _plans_covering(*, techniques: list[str] | None = None, domain: str | None = None) -> list[str]:
    names = []
    for plan in LICENSE_PLANS.values():
        if techniques and not all(t in plan.techniques for t in techniques):
            continue
        if domain and domain not in plan.domains:
            continue
        names.append(plan.name)
    return names


@transaction.atomic
def license_usage_record(*, organization: Organization, job, training_tokens: int) -> None:
    """Record the training tokens a job counts against the licence: one row per job, updated on a later call.

    Before training starts (job.started_at is None) this is an admission check: the quota is re-checked
    under the licence's row lock, so two jobs ordered at once cannot both take the last slot. After
    training (the actual tokens) it never refuses: the work is done, and only the numbers are recorded,
    against the organisation's latest licence if the live one has since lapsed.
    """
    tokens = max(int(training_tokens), 0)
    admission = job.started_at is None
    license = (
        License.objects.select_for_update()
        .filter(organization=organization, status__in=LIVE_LICENSE_STATUSES)
        .first()
    )
    if admission:
        _gate_license_usable(license)
    elif license is None:
        license = License.objects.filter(organization=organization).order_by("-created_at", "-id").first()
        if license is None:
            logger.warning("job %s trained %s tokens for %s, which never had a licence", job.pk, tokens, organization)
            return
    usage = LicenseUsage.objects.select_for_update().filter(job_id=job.pk).first()
    if usage is not None:
        if usage.training_tokens != tokens:
            usage.training_tokens = tokens
            usage.save(update_fields=["training_tokens"])
        return
    if admission:
        _quota_check(license, license.plan_definition, tokens, job_id=job.pk)
    LicenseUsage.objects.create(license=license, job_id=job.pk, training_tokens=tokens)


def _usage_release_if_untrained(job) -> None:
    """A job that never started training gives its quota back."""
    if job.started_at is None:
        LicenseUsage.objects.filter(job_id=job.pk, released_at__isnull=True).update(released_at=timezone.now())


# --- for the API -----------------------------------------------------------------------------
def license_for_request(*, organization: Organization | None) -> License:
    license = license_current(organization=organization) if organization else None
    if license is None:
        raise NotFound("This organisation has no licence. Subscribe: POST /v1/licenses.", code="no_license")
    return license
