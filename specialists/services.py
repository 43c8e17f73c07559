"""Writes for specialist models: publish, withdraw, hold and release; licence (a captured PaymentIntent,
the provider's share in the ledger once); the payment webhook; chat resolution and metering.

Every write is one transaction. `grep -n "^def " specialists/services.py` lists every action.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import DOMAINS, Organization, OrganizationKind, User
from accounts.services import ProviderNotApproved, audit_record, provider_require_approved
from core.errors import Conflict, DomainError, NotAllowed, NotFound, PaymentRequired
from core.ids import new_public_id
from core.states import transition
from evaluation.services import model_is_released
from marketplace.languages import normalize_language
from payments import gateway
from payments import services as payments
from payments.ledger import ledger_post
from payments.models import (
    ACCOUNT_CUSTOMER_PAYMENTS,
    ACCOUNT_PLATFORM_FEES,
    BillingCustomer,
    LedgerKind,
    provider_account,
)
from tuning.models import FineTuningJob, JobStatus, ModelStatus

from .models import (
    SPECIALIST_ID_PREFIX,
    SPECIALIST_TRANSITIONS,
    TERMS_MAX_CHARS,
    TEXT_MAX_CHARS,
    TITLE_MAX_CHARS,
    SpecialistLicense,
    SpecialistLicenseStatus,
    SpecialistModel,
    SpecialistStatus,
    SpecialistUsage,
)
from .signals import specialist_licensed

MAX_PRICE = 100_000_000
LICENSE_ID_PREFIX = "slic_"


def is_specialist_id(model_id: str) -> bool:
    return isinstance(model_id, str) and model_id.startswith(SPECIALIST_ID_PREFIX)


def terms_sha256(terms: str) -> str:
    return hashlib.sha256(terms.encode("utf-8")).hexdigest()


def _bad(message: str, param: str, code: str = "invalid_specialist_model") -> DomainError:
    return DomainError(message, param=param, code=code)


def _text(value, *, param: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise _bad(f"{param} must be 1 to {limit} characters.", param)
    return value.strip()


def _job_of_provider(*, org: Organization, job) -> FineTuningJob:
    """The provider's own job (ordered from its own listing, as its own customer), by job id or model id."""
    if isinstance(job, FineTuningJob):
        found = job
    else:
        ref = str(job or "")
        lookup = {"public_id": ref} if ref.startswith("ftjob-") else {"fine_tuned_model": ref}
        found = FineTuningJob.objects.select_related("listing").filter(**lookup).first() if ref else None
    if found is None or found.organization_id != org.pk or found.provider_id != org.pk:
        raise NotFound(f"No fine-tuned model '{getattr(job, 'public_id', job)}' of your organisation, trained on "
                       "your own listing.", param="fine_tuned_model", code="model_not_found")
    return found


def _require_released(job: FineTuningJob, *, param: str = "fine_tuned_model") -> None:
    """Review, training, evaluation, the release gate and a signed card, all done; nothing skips them."""
    if job.status == JobStatus.BLOCKED:
        raise NotAllowed(f"The model of {job.public_id} is blocked: it did not pass the release gate.",
                         param=param, code="model_blocked")
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(f"Job {job.public_id} is {job.status}: only a released model can be published "
                       "(review, training, evaluation and the release gate come first).",
                       param=param, code="model_not_released")
    if not model_is_released(job):
        raise NotAllowed(f"The model of {job.public_id} is blocked: it did not pass the release gate.",
                         param=param, code="model_blocked")
    if job.model_status != ModelStatus.ACTIVE:
        raise NotAllowed(f"The model of {job.public_id} is {job.model_status}: {job.model_status_reason}",
                         param=param, code=f"model_{job.model_status}")
    if not hasattr(job, "model_card"):
        raise Conflict(f"The model of {job.public_id} has no signed model card yet.", param=param,
                       code="model_card_missing")


# --- the catalogue: publish, withdraw, hold, release ------------------------------------------------------------
@transaction.atomic
def specialist_publish(
    *, user: User, job, title: str, description: str, intended_use: str, out_of_scope_uses: list[str],
    languages: list[str], price_amount: int, price_currency: str = "usd", license_terms: str,
    domain: str | None = None,
) -> SpecialistModel:
    """Publish the provider's released model as a specialist model. Its domain is the listing's it was
    trained on, so the review rules of that domain (verification, two reviewers for medical and HR) applied."""
    org = user.organization
    if org is None or org.kind != OrganizationKind.PROVIDER:
        raise NotAllowed("Only approved providers publish specialist models.", code="not_a_provider")
    provider_require_approved(organization=org)
    job = _job_of_provider(org=org, job=job)
    job = FineTuningJob.objects.select_for_update().select_related("listing").get(pk=job.pk)
    _require_released(job)
    trained_domain = job.listing.domain
    if domain not in (None, "") and domain != trained_domain:
        if domain not in DOMAINS:
            raise _bad(f"domain must be one of {', '.join(DOMAINS)}.", "domain")
        raise _bad(f"This model was trained and reviewed for the {trained_domain} domain; it can be published only "
                   f"in that domain.", "domain", "domain_mismatch")
    if SpecialistModel.objects.filter(job=job).exists():
        raise Conflict("This model is already in the catalogue.", param="fine_tuned_model", code="already_published")
    if not isinstance(out_of_scope_uses, list) or not out_of_scope_uses or len(out_of_scope_uses) > 20:
        raise _bad("out_of_scope_uses must be a list of 1 to 20 uses the model is not for.", "out_of_scope_uses")
    uses = [_text(u, param="out_of_scope_uses", limit=500) for u in out_of_scope_uses]
    if not isinstance(languages, list) or not languages or len(languages) > 30:
        raise _bad("languages must be a non-empty list of language tags such as en-AU.", "languages")
    langs = list(dict.fromkeys(normalize_language(v) for v in languages))
    if not isinstance(price_amount, int) or isinstance(price_amount, bool) or not 0 <= price_amount <= MAX_PRICE:
        raise _bad(f"price.amount must be an integer number of minor units from 0 to {MAX_PRICE}.", "price.amount")
    currency = (price_currency or "").lower()
    if len(currency) != 3 or not currency.isalpha():
        raise _bad("price.currency must be a three-letter ISO currency code.", "price.currency")
    spec = SpecialistModel.objects.create(
        provider=org, job=job, created_by=user, title=_text(title, param="title", limit=TITLE_MAX_CHARS),
        domain=trained_domain, description=_text(description, param="description", limit=TEXT_MAX_CHARS),
        intended_use=_text(intended_use, param="intended_use", limit=TEXT_MAX_CHARS), out_of_scope_uses=uses,
        languages=langs, price_amount=price_amount, price_currency=currency,
        license_terms=_text(license_terms, param="license_terms", limit=TERMS_MAX_CHARS),
    )
    audit_record(action="specialist_model.published", actor=user, organization=org, target=spec,
                 job=job.public_id, domain=trained_domain)
    return spec


def _move(spec: SpecialistModel, *, to: str, actor: User | None, reason: str) -> SpecialistModel:
    spec = SpecialistModel.objects.select_for_update().get(pk=spec.pk)
    transition(spec, to=to, allowed=SPECIALIST_TRANSITIONS, entity="specialist model", actor=actor, reason=reason,
               updates={"status_reason": reason})
    return spec


@transaction.atomic
def specialist_withdraw(*, specialist: SpecialistModel, actor: User, reason: str = "") -> SpecialistModel:
    """The provider takes its specialist model off the market: it stops answering at once, for everyone."""
    org = actor.organization
    if org is None or org.pk != specialist.provider_id:
        raise NotFound(f"No specialist model with id '{specialist.public_id}'.", param="specialist_id")
    reason = (reason or "").strip()[:2000] or "Withdrawn by the provider."
    spec = _move(specialist, to=SpecialistStatus.WITHDRAWN, actor=actor, reason=reason)
    audit_record(action="specialist_model.withdrawn", actor=actor, organization=org, target=spec, reason=reason)
    return spec


def _require_staff(actor: User | None) -> None:
    if actor is None or not actor.is_staff:
        raise NotAllowed("Only Tunemarket staff may hold or release a specialist model.", code="not_staff")


@transaction.atomic
def specialist_hold(*, specialist: SpecialistModel, actor: User, reason: str) -> SpecialistModel:
    """An admin or reviewer stops a specialist model, with a reason; it stops answering at once."""
    _require_staff(actor)
    if not (reason or "").strip():
        raise DomainError("A reason is required to hold a specialist model.", param="reason", code="reason_required")
    spec = _move(specialist, to=SpecialistStatus.HELD, actor=actor, reason=reason.strip())
    audit_record(action="specialist_model.held", actor=actor, organization=spec.provider, target=spec, reason=reason)
    return spec


@transaction.atomic
def specialist_release(*, specialist: SpecialistModel, actor: User, reason: str) -> SpecialistModel:
    """Lift a hold. The provider must still be approved and the model still released by the gate."""
    _require_staff(actor)
    if not (reason or "").strip():
        raise DomainError("A reason is required to release a hold.", param="reason", code="reason_required")
    provider_require_approved(organization=specialist.provider)
    _require_released(specialist.job, param="specialist_id")
    spec = _move(specialist, to=SpecialistStatus.PUBLISHED, actor=actor, reason=reason.strip())
    audit_record(action="specialist_model.released", actor=actor, organization=spec.provider, target=spec,
                 reason=reason)
    return spec


# --- licensing: the gate, the payment (a captured PaymentIntent) and the ledger ---------------------------------
def _specialist_for_licensing(specialist) -> SpecialistModel:
    ref = specialist.public_id if isinstance(specialist, SpecialistModel) else str(specialist or "")
    spec = (SpecialistModel.objects.select_for_update(of=("self",)).select_related("provider", "job")
            .filter(public_id=ref, status=SpecialistStatus.PUBLISHED).first())
    if spec is not None:
        try:
            provider_require_approved(organization=spec.provider)
        except ProviderNotApproved:
            spec = None
    if spec is None:
        raise NotFound(f"No published specialist model with id '{ref}'.", param="specialist_id",
                       code="specialist_model_not_found")
    return spec


def _post_capture(lic: SpecialistLicense) -> None:
    """The provider's share, the platform's fee: one ledger posting per licence, whatever calls it again."""
    amount, fee = lic.amount, lic.platform_fee_amount
    ledger_post(
        key=f"specialist-capture:{lic.public_id}", kind=LedgerKind.CAPTURE, currency=lic.currency,
        memo=f"Specialist licence {lic.public_id} for {lic.specialist.public_id}",
        entries=[(ACCOUNT_CUSTOMER_PAYMENTS, -amount), (provider_account(lic.specialist.provider), amount - fee),
                 (ACCOUNT_PLATFORM_FEES, fee)],
    )


def _announce(lic: SpecialistLicense) -> None:
    """Mail the provider (once per licence, after the commit: notifications.services.notify) and tell listeners."""
    from django.conf import settings

    from notifications.services import notify

    spec = lic.specialist
    notify("specialist_licensed", obj=lic, organization=spec.provider,
           context={"customer": lic.organization.name, "model": spec.public_id,
                    "url": settings.TUNEMARKET_SITE_URL + f"/specialists/{spec.public_id}/"})
    transaction.on_commit(lambda: specialist_licensed.send(sender=SpecialistLicense, license=lic,
                                                           specialist=lic.specialist))


def specialist_license_create(*, user: User, specialist, accept_terms) -> SpecialistLicense:
    """License a published specialist model for the caller's organisation.

    Needs a customer organisation with an active Tunemarket licence whose plan covers the domain (medical
    and HR also a verified organisation), the terms accepted, and the price paid: a PaymentIntent held
    and captured at once on the card on file. A declined card is a 402 and leaves nothing behind."""
    org = user.organization
    if org is None or org.kind != OrganizationKind.CUSTOMER:
        raise NotAllowed("Only customer organisations license specialist models.", code="not_a_customer")
    with transaction.atomic():
        spec = _specialist_for_licensing(specialist)
        if accept_terms is not True:
            raise DomainError("Read the licence terms and accept them: accept_terms must be true.",
                              param="accept_terms", code="terms_not_accepted")
        payments.license_domain_check(organization=org, domain=spec.domain, param="specialist_id")
        # Serialises licensing per organisation: a double click cannot pay twice.
        customer = BillingCustomer.objects.select_for_update().filter(organization=org).first()
        if SpecialistLicense.objects.filter(specialist=spec, organization=org,
                                            status=SpecialistLicenseStatus.ACTIVE).exists():
            raise Conflict("Your organisation already holds a licence for this specialist model.",
                           param="specialist_id", code="specialist_already_licensed")
        lic_id = new_public_id(LICENSE_ID_PREFIX)
        fields = {"public_id": lic_id, "specialist": spec, "organization": org, "created_by": user,
                  "terms_sha256": terms_sha256(spec.license_terms), "terms_accepted_at": timezone.now(),
                  "amount": spec.price_amount, "currency": spec.price_currency,
                  "platform_fee_bps": payments.platform_fee_bps()}
        if spec.price_amount == 0:
            lic = SpecialistLicense.objects.create(**fields, captured_at=timezone.now())
        else:
            if customer is None or not customer.default_payment_method:
                raise PaymentRequired("Add a payment method before licensing: POST /v1/billing/payment_methods.",
                                      param="payment_method", code="payment_method_required")
            pi = _charge(lic_id=lic_id, spec=spec, org=org, customer=customer, terms=fields["terms_sha256"])
            lic = SpecialistLicense.objects.create(
                **fields, stripe_payment_intent_id=pi.id, captured_at=timezone.now(),
                platform_fee_amount=int(pi.get("amount_received") or spec.price_amount) * fields["platform_fee_bps"]
                // 10_000,
            )
            _post_capture(lic)
        audit_record(action="specialist_model.licensed", actor=user, organization=org, target=lic,
                     specialist=spec.public_id, amount=lic.amount, currency=lic.currency)
        _announce(lic)
    return lic


def _charge(*, lic_id: str, spec: SpecialistModel, org: Organization, customer: BillingCustomer, terms: str):
    """Hold the price and capture it at once (deterministic idempotency keys, so a retry is one charge)."""
    pi = gateway.payment_intent_authorize(
        amount=spec.price_amount, currency=spec.price_currency, customer=customer.stripe_customer_id,
        payment_method=customer.default_payment_method,
        metadata={"tm_specialist_license": lic_id, "tm_specialist": spec.public_id, "tm_org": org.public_id,
                  "tm_provider": spec.provider.public_id, "tm_terms_sha256": terms},
        idempotency_key=f"specialist-{lic_id}-authorize",
    )
    if pi.get("status") != "requires_capture":
        _cancel_quietly(pi.id, key=f"specialist-{lic_id}-abandon")
        raise PaymentRequired(
            f"The card could not be charged for this licence (payment {pi.get('status')}). "
            "Use another card: POST /v1/billing/payment_methods.", param="payment_method", code="authorization_failed")
    try:
        pi = gateway.payment_intent_capture(pi.id, idempotency_key=f"specialist-{lic_id}-capture")
    except DomainError:
        _cancel_quietly(pi.id, key=f"specialist-{lic_id}-abandon")
        raise
    if pi.get("status") != "succeeded":
        raise gateway.PaymentProviderError(f"The payment could not be captured (payment {pi.get('status')}).")
    return pi


def _cancel_quietly(payment_intent_id: str, *, key: str) -> None:
    try:
        gateway.payment_intent_cancel(payment_intent_id, idempotency_key=key)
    except DomainError:
        payments.logger.exception("could not cancel unusable payment intent %s", payment_intent_id)


def specialist_payment_refresh(*, payment_intent_id: str, reason: str) -> str | None:
    """A PaymentIntent webhook for a specialist licence (None: not one of ours). Applied once: the ledger
    posting is keyed by the licence, so a replayed event posts nothing. A licence whose request died after
    Stripe captured the money is created here from the intent's metadata."""
    pi = gateway.payment_intent_retrieve(payment_intent_id)
    metadata = pi.get("metadata") or {}
    lic_id = metadata.get("tm_specialist_license")
    if not lic_id:
        return None
    with transaction.atomic():
        lic = SpecialistLicense.objects.select_for_update().filter(public_id=lic_id).first()
        if lic is not None:
            _post_capture(lic)  # a no-op when it was posted (the usual case: the request posted it)
            return f"specialist licence {lic.public_id} already {lic.status}"
        if pi.get("status") != "succeeded":
            return f"specialist licence payment {pi.get('status')}: nothing to do"
        spec = SpecialistModel.objects.select_related("provider").filter(public_id=metadata.get("tm_specialist")).first()
        org = Organization.objects.filter(public_id=metadata.get("tm_org") or "").first()
        if spec is None or org is None:
            return "specialist licence payment for an unknown model or organisation: ignored"
        amount = int(pi.get("amount_received") or pi["amount"])
        bps = payments.platform_fee_bps()
        lic = SpecialistLicense.objects.create(
            public_id=lic_id, specialist=spec, organization=org, terms_sha256=metadata.get("tm_terms_sha256") or "",
            terms_accepted_at=timezone.now(), amount=amount, currency=str(pi["currency"]), platform_fee_bps=bps,
            platform_fee_amount=amount * bps // 10_000, stripe_payment_intent_id=payment_intent_id,
            captured_at=timezone.now(),
        )
        _post_capture(lic)
        audit_record(action="specialist_model.licensed", actor=None, organization=org, target=lic,
                     specialist=spec.public_id, recovered_from=reason)
        _announce(lic)
        return f"specialist licence {lic.public_id} created from its captured payment"


# --- use: chat resolution and metering ----------------------------------------------------------------------
def specialist_for_chat(*, user: User, model_id: str, param: str = "model") -> tuple[SpecialistModel, FineTuningJob]:
    """The specialist model and the job whose adapter answers, for an organisation that may use it.

    Unlicensed organisations get 404 (nothing leaks); licensed ones (and the provider) get a clear 403 once
    it is withdrawn, held, or its model is blocked, suspended or revoked."""
    org = getattr(user, "organization", None)
    spec = SpecialistModel.objects.select_related("job", "provider").filter(public_id=model_id).first()
    allowed = spec is not None and org is not None and (
        org.pk == spec.provider_id
        or SpecialistLicense.objects.filter(specialist=spec, organization=org,
                                            status=SpecialistLicenseStatus.ACTIVE).exists())
    if not allowed:
        raise NotFound(f"The model '{model_id}' does not exist or you do not have access to it.", param=param,
                       code="model_not_found")
    if spec.status != SpecialistStatus.PUBLISHED:
        raise NotAllowed(f"The specialist model '{model_id}' is {spec.status}: {spec.status_reason}", param=param,
                         code=f"specialist_model_{spec.status}")
    job = spec.job
    if not model_is_released(job):
        raise NotAllowed(f"The specialist model '{model_id}' is blocked: its model no longer passes the release gate.",
                         param=param, code="model_blocked")
    if job.model_status != ModelStatus.ACTIVE:
        raise NotAllowed(f"The specialist model '{model_id}' is {job.model_status}: {job.model_status_reason}",
                         param=param, code=f"model_{job.model_status}")
    return spec, job


def specialist_usage_record(*, specialist: SpecialistModel, organization: Organization, prompt_tokens: int,
                            completion_tokens: int, intervened: bool, now: datetime | None = None) -> None:
    """Meter one call: requests and tokens per organisation per day (an atomic increment, no lost updates)."""
    now = now or timezone.now()
    row, _ = SpecialistUsage.objects.get_or_create(
        specialist=specialist, organization=organization, day=timezone.localdate(now),
        defaults={"last_used_at": now},
    )
    SpecialistUsage.objects.filter(pk=row.pk).update(
        requests=F("requests") + 1, prompt_tokens=F("prompt_tokens") + max(int(prompt_tokens), 0),
        completion_tokens=F("completion_tokens") + max(int(completion_tokens), 0),
        guard_interventions=F("guard_interventions") + (1 if intervened else 0), last_used_at=now,
    )
