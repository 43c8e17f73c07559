"""Writes for accounts: each service is one transaction, checks its rules and writes an audit row.

grep -n "^def " accounts/services.py lists every action.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from core.errors import Conflict, DomainError, NotAllowed
from core.states import check_transition, transition

from .models import (
    APPLICATION_TRANSITIONS,
    ORGANIZATION_VERIFICATION_TRANSITIONS,
    VERIFICATION_TRANSITIONS,
    Agreement,
    AgreementAcceptance,
    ApiKey,
    ApplicationStatus,
    AuditEvent,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationVerification,
    OrganizationVerificationDecision,
    ProviderApplication,
    ProviderApplicationDecision,
    Role,
    User,
    VerificationStatus,
)


# --- audit ------------------------------------------------------------------------------------
def audit_record(
    *,
    action: str,
    actor: User | None = None,
    organization: Organization | None = None,
    target: object | None = None,
    ip_address: str | None = None,
    actor_email: str = "",
    **metadata,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor and actor.pk else None,
        actor_email=actor_email or (actor.email if actor else ""),
        organization=organization,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "") or "") if target is not None else "",
        ip_address=ip_address,
        metadata=metadata,
    )


# --- registration and login -----------------------------------------------------------------
@transaction.atomic
def user_register(*, email: str, password: str, name: str, role: str, organization: str) -> User:
    """A new user and their organisation. Customers and providers each get their own kind."""
    email = User.objects.normalize_email(email).strip().lower()
    if role not in (Role.CUSTOMER, Role.PROVIDER):
        raise DomainError("role must be 'customer' or 'provider'.", param="role", code="invalid_role")
    if not organization or not organization.strip():
        raise DomainError("organization is required.", param="organization", code="missing_organization")
    if User.objects.filter(email=email).exists():
        raise Conflict("An account with this email already exists.", param="email", code="email_taken")
    candidate = User(email=email, name=name)
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise DomainError(" ".join(exc.messages), param="password", code="weak_password")
    try:
        user = User.objects.create_user(email=email, password=password, name=name)
    except IntegrityError:
        raise Conflict("An account with this email already exists.", param="email", code="email_taken")
    org = Organization.objects.create(
        name=organization.strip(),
        slug=_unique_slug(organization),
        kind=OrganizationKind.PROVIDER if role == Role.PROVIDER else OrganizationKind.CUSTOMER,
    )
    Membership.objects.create(user=user, organization=org, role=role)
    audit_record(action="user.registered", actor=user, organization=org, target=user, role=role)
    return user


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "org"
    slug = base
    while Organization.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _pair_key(email: str, ip_address: str | None) -> str:
    return "login-fail:pair:" + hashlib.sha256(f"{email}\0{ip_address or '-'}".encode()).hexdigest()


def _ip_key(ip_address: str) -> str:
    return "login-fail:ip:" + ip_address


def login_is_locked(*, email: str, ip_address: str | None) -> bool:
    """Locked: this email from this address failed LOGIN_MAX_FAILURES times, or the address alone failed
    LOGIN_IP_MAX_FAILURES times (any emails), within LOGIN_FAILURE_WINDOW."""
    if (cache.get(_pair_key(email, ip_address)) or 0) >= settings.LOGIN_MAX_FAILURES:
        return True
    return bool(ip_address) and (cache.get(_ip_key(ip_address)) or 0) >= settings.LOGIN_IP_MAX_FAILURES


def login_failed(*, email: str, ip_address: str | None) -> None:
    window = int(settings.LOGIN_FAILURE_WINDOW.total_seconds())
    for key in [_pair_key(email, ip_address)] + ([_ip_key(ip_address)] if ip_address else []):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def login_succeeded(*, email: str, ip_address: str | None) -> None:
    """A correct password clears its own pair's failures (never the address's throttle)."""
    cache.delete(_pair_key(email, ip_address))


class LoginThrottled(DomainError):
    status_code = 429
    type = "rate_limit_error"
    code = "too_many_failed_logins"


class InvalidCredentials(DomainError):
    status_code = 401
    type = "authentication_error"
    code = "invalid_credentials"


def user_login(*, email: str, password: str, ip_address: str | None = None, request=None) -> User:
    """Check a password. Lockout, failure counting and their audit rows are in the authentication
    backend (accounts.backends.LockoutModelBackend), which the admin's login goes through too."""
    email = (email or "").strip().lower()
    if login_is_locked(email=email, ip_address=ip_address):
        audit_record(action="auth.login_throttled", actor_email=email, ip_address=ip_address)
        raise LoginThrottled("Too many failed sign-in attempts. Try again later.")
    user = authenticate(request, email=email, password=password, ip_address=ip_address)
    if user is None:
        raise InvalidCredentials("Incorrect email or password.")
    audit_record(action="auth.login", actor=user, organization=user.organization, ip_address=ip_address)
    return user


# --- API keys -----------------------------------------------------------------------------------
KEY_PREFIX = "tm_"


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret: str  # shown once; never stored


def _hash_key(secret: str) -> str:
    # The key holds 256 random bits, so a fast hash is safe: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, user: User, name: str = "", ip_address: str | None = None) -> IssuedKey:
    org = user.organization
    if org is None:
        raise NotAllowed("This user belongs to no organisation.", code="no_organization")
    prefix = secrets.token_hex(6)  # 48 bits, only for lookup and display
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"  # + 256 random bits
    key = ApiKey.objects.create(user=user, organization=org, name=name, prefix=prefix, key_hash=_hash_key(secret))
    audit_record(action="api_key.created", actor=user, organization=org, target=key, ip_address=ip_address, prefix=prefix)
    return IssuedKey(api_key=key, secret=secret)


def api_key_authenticate(*, secret: str) -> ApiKey | None:
    """The active key that `secret` belongs to, or None. Constant-time comparison of hashes."""
    if not secret.startswith(KEY_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(KEY_PREFIX):].split("_", 1)[0]
    key = ApiKey.objects.select_related("user", "organization").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash_key(secret)):
        return None
    if key.revoked_at is not None or not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > settings.API_KEY_LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: User, ip_address: str | None = None) -> ApiKey:
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            action="api_key.revoked", actor=actor, organization=api_key.organization, target=api_key,
            ip_address=ip_address, prefix=api_key.prefix,
        )
    return api_key


# --- provider vetting --------------------------------------------------------------------------


class ProviderNotApproved(NotAllowed):
    code = "provider_not_approved"


def provider_require_approved(*, organization: Organization | None) -> None:
    """The single check every interface goes through before a provider sells or accepts work."""
    status = None
    if organization is not None and organization.kind == OrganizationKind.PROVIDER:
        status = (
            ProviderApplication.objects.filter(organization=organization).values_list("status", flat=True).first()
        )
    if status != ApplicationStatus.APPROVED:
        shown = status or "not submitted"
        raise ProviderNotApproved(
            f"Only approved providers may do this; this provider's application is {shown}."
        )


@transaction.atomic
def provider_application_submit(
    *, user: User, headline: str, bio: str, domains: list[str], qualifications: str,
    portfolio_url: str = "", responsible_use_attestation: bool,
) -> ProviderApplication:
    org = user.organization
    if org is None or org.kind != OrganizationKind.PROVIDER:
        raise NotAllowed("Only provider organisations can apply to be vetted.", code="not_a_provider")
    if not responsible_use_attestation:
        raise DomainError(
            "You must attest to the responsible-use policy.", param="responsible_use_attestation", code="attestation_required"
        )
    fields = dict(
        headline=headline, bio=bio, domains=domains, qualifications=qualifications,
        portfolio_url=portfolio_url, responsible_use_attestation=True,
    )
    app = ProviderApplication.objects.select_for_update().filter(organization=org).first()
    if app is None:
        app = ProviderApplication.objects.create(organization=org, submitted_by=user, **fields)
        ProviderApplicationDecision.objects.create(
            application=app, actor=user, from_status="", to_status=ApplicationStatus.SUBMITTED, reason="Submitted"
        )
    elif app.status == ApplicationStatus.REJECTED:
        for k, v in fields.items():
            setattr(app, k, v)
        app.submitted_by = user
        app.submitted_at = timezone.now()
        app.save()
        app = provider_application_transition(application=app, to=ApplicationStatus.SUBMITTED, actor=user, reason="Resubmitted")
    elif app.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
        for k, v in fields.items():
            setattr(app, k, v)
        app.save()
    else:
        raise Conflict(f"This application is already {app.status}.", code="application_decided")
    audit_record(action="provider_application.submitted", actor=user, organization=org, target=app)
    return app


def require_independent_reviewer(*, actor: User | None, organization: Organization) -> None:
    """A person may not decide on their own organisation's vetting or verification (conflict of interest).

    Every vetting, verification and request-review decision calls this, from the API and the admin alike."""
    if actor is not None and Membership.objects.filter(user=actor, organization=organization).exists():
        raise NotAllowed(
            f"You are a member of {organization.name}, so you cannot decide on its own case; another reviewer must.",
            code="conflict_of_interest",
        )


@transaction.atomic
def provider_application_transition(
    *, application: ProviderApplication, to: str, actor: User | None, reason: str = ""
) -> ProviderApplication:
    """The one way an application's status changes: checked, timed, with a history row."""
    application = ProviderApplication.objects.select_for_update().get(pk=application.pk)
    if to != ApplicationStatus.SUBMITTED:
        require_independent_reviewer(actor=actor, organization=application.organization)
    check_transition(entity="provider application", allowed=APPLICATION_TRANSITIONS, current=application.status, to=to)
    decisive = to in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.SUSPENDED)
    if decisive and not reason.strip() and to != ApplicationStatus.APPROVED:
        raise DomainError("A reason is required for this decision.", param="reason", code="reason_required")
    from_status = application.status
    transition(application, to=to, allowed=APPLICATION_TRANSITIONS, entity="provider application", actor=actor,
               reason=reason, updates={"decided_at": timezone.now()} if decisive else None)
    ProviderApplicationDecision.objects.create(
        application=application, actor=actor, from_status=from_status, to_status=to, reason=reason
    )
    audit_record(
        action=f"provider_application.{to}", actor=actor, organization=application.organization, target=application,
        from_status=from_status, reason=reason,
    )
    if to == ApplicationStatus.SUSPENDED:
        from .signals import provider_suspended

        organization = application.organization
        transaction.on_commit(lambda: provider_suspended.send(sender=ProviderApplication, organization=organization,
                                                              reason=reason))
    return application


def provider_application_start_review(*, application: ProviderApplication, actor: User, reason: str = "") -> ProviderApplication:
    return provider_application_transition(application=application, to=ApplicationStatus.IN_REVIEW, actor=actor, reason=reason)


def provider_application_approve(*, application: ProviderApplication, actor: User, reason: str) -> ProviderApplication:
    return provider_application_transition(application=application, to=ApplicationStatus.APPROVED, actor=actor, reason=reason)


def provider_application_reject(*, application: ProviderApplication, actor: User, reason: str) -> ProviderApplication:
    return provider_application_transition(application=application, to=ApplicationStatus.REJECTED, actor=actor, reason=reason)


def provider_application_suspend(*, application: ProviderApplication, actor: User, reason: str) -> ProviderApplication:
    return provider_application_transition(application=application, to=ApplicationStatus.SUSPENDED, actor=actor, reason=reason)


def provider_application_reinstate(*, application: ProviderApplication, actor: User, reason: str) -> ProviderApplication:
    return provider_application_transition(application=application, to=ApplicationStatus.APPROVED, actor=actor, reason=reason)


# --- organisation verification ------------------------------------------------------------------
def _organization_verification_move(org: Organization, *, to: str, actor: User | None, reason: str,
                                    category: str | None = None) -> None:
    """The organisation's own verification status (what the catalogue and licences read). Staying
    verified while the category changes is not a move: only the category is saved."""
    updates = {} if category is None else {"verification_category": category}
    if org.verification_status == to:
        if updates:
            org.verification_category = category
            org.save(update_fields=list(updates))
        return
    transition(org, to=to, allowed=ORGANIZATION_VERIFICATION_TRANSITIONS, entity="organisation verification",
               field="verification_status", actor=actor, reason=reason, updates=updates)


@transaction.atomic
def organization_verification_submit(*, user: User, category: str, evidence: str) -> OrganizationVerification:
    org = user.organization
    # Providers too: one that builds a medical or HR specialist model orders as its own customer.
    if org is None or org.kind not in (OrganizationKind.CUSTOMER, OrganizationKind.PROVIDER):
        raise NotAllowed("Only customer and provider organisations can request verification.", code="not_a_customer")
    if not evidence or not evidence.strip():
        raise DomainError("evidence is required.", param="evidence", code="missing_evidence")
    if OrganizationVerification.objects.filter(organization=org, status=VerificationStatus.SUBMITTED).exists():
        raise Conflict("A verification request is already waiting for a decision.", code="verification_pending")
    ver = OrganizationVerification.objects.create(organization=org, submitted_by=user, category=category, evidence=evidence)
    OrganizationVerificationDecision.objects.create(
        verification=ver, actor=user, from_status="", to_status=VerificationStatus.SUBMITTED, reason="Submitted"
    )
    if org.verification_status != VerificationStatus.VERIFIED:
        org = Organization.objects.select_for_update().get(pk=org.pk)
        _organization_verification_move(org, to=VerificationStatus.SUBMITTED, actor=user, reason="Verification requested")
    audit_record(action="organization_verification.submitted", actor=user, organization=org, target=ver, category=category)
    return ver


@transaction.atomic
def organization_verification_decide(
    *, verification: OrganizationVerification, to: str, actor: User, reason: str
) -> OrganizationVerification:
    verification = OrganizationVerification.objects.select_for_update().get(pk=verification.pk)
    require_independent_reviewer(actor=actor, organization=verification.organization)
    check_transition(entity="verification request", allowed=VERIFICATION_TRANSITIONS, current=verification.status, to=to)
    if to == VerificationStatus.REJECTED and not reason.strip():
        raise DomainError("A reason is required to reject.", param="reason", code="reason_required")
    from_status = verification.status
    transition(verification, to=to, allowed=VERIFICATION_TRANSITIONS, entity="verification request", actor=actor,
               reason=reason, updates={"decided_at": timezone.now()})
    OrganizationVerificationDecision.objects.create(
        verification=verification, actor=actor, from_status=from_status, to_status=to, reason=reason
    )
    org = Organization.objects.select_for_update().get(pk=verification.organization_id)
    if to == VerificationStatus.VERIFIED:
        _organization_verification_move(org, to=VerificationStatus.VERIFIED, actor=actor, reason=reason,
                                        category=verification.category)
    elif org.verification_category == verification.category or org.verification_status != VerificationStatus.VERIFIED:
        _organization_verification_move(org, to=VerificationStatus.REJECTED, actor=actor, reason=reason, category="")
    audit_record(
        action=f"organization_verification.{to}", actor=actor, organization=org, target=verification,
        from_status=from_status, reason=reason,
    )
    return verification


def organization_verify(*, verification: OrganizationVerification, actor: User, reason: str = "") -> OrganizationVerification:
    return organization_verification_decide(verification=verification, to=VerificationStatus.VERIFIED, actor=actor, reason=reason)


def organization_reject_verification(*, verification: OrganizationVerification, actor: User, reason: str) -> OrganizationVerification:
    return organization_verification_decide(verification=verification, to=VerificationStatus.REJECTED, actor=actor, reason=reason)


# --- agreements -------------------------------------------------------------------------------
class AgreementNotAccepted(NotAllowed):
    code = "agreement_not_accepted"


def agreement_current() -> Agreement | None:
    return Agreement.objects.filter(published_at__lte=timezone.now()).order_by("-version").first()


@transaction.atomic
def agreement_publish(*, version: int, title: str, body: str, actor: User | None = None) -> Agreement:
    if Agreement.objects.filter(version__gte=version).exists():
        raise Conflict("A newer or equal agreement version already exists.", param="version", code="version_exists")
    agreement = Agreement.objects.create(version=version, title=title, body=body)
    audit_record(action="agreement.published", actor=actor, target=agreement, version=version)
    return agreement


@transaction.atomic
def agreement_accept(*, user: User, version: int | None = None, ip_address: str | None = None) -> AgreementAcceptance:
    current = agreement_current()
    if current is None:
        raise DomainError("There is no agreement to accept.", code="no_agreement")
    if version is not None and version != current.version:
        raise Conflict(
            f"Version {version} is not the current agreement; the current version is {current.version}.",
            param="version", code="stale_agreement_version",
        )
    acceptance, created = AgreementAcceptance.objects.get_or_create(
        user=user, agreement=current, defaults={"ip_address": ip_address}
    )
    if created:
        audit_record(action="agreement.accepted", actor=user, organization=user.organization, target=current,
                     ip_address=ip_address, version=current.version)
    return acceptance


def agreement_pending(*, user: User) -> Agreement | None:
    """The current terms of use when this user has not accepted them yet (what an order form must ask)."""
    current = agreement_current()
    if current is None or AgreementAcceptance.objects.filter(user=user, agreement=current).exists():
        return None
    return current


def agreement_require_current(*, user: User) -> None:
    """The check job creation calls: the user has accepted the current terms of use."""
    current = agreement_current()
    if current is None:
        return
    if not AgreementAcceptance.objects.filter(user=user, agreement=current).exists():
        raise AgreementNotAccepted(
            f"Accept the current terms of use (version {current.version}) before creating tuning jobs: "
            "POST /v1/agreements/accept."
        )
