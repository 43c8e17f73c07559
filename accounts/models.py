"""Users, organisations and their members, API keys, vetting, agreements and the audit log."""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from core.ids import PublicIdField

DOMAINS = ["medical", "education", "hr", "localization", "executive", "customer_service", "general"]
HIGH_RISK_DOMAINS = frozenset({"medical", "hr"})


class Domain(models.TextChoices):
    MEDICAL = "medical"
    EDUCATION = "education"
    HR = "hr", "HR"
    LOCALIZATION = "localization", "Localisation"  # the API value stays as it is
    EXECUTIVE = "executive"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    GENERAL = "general"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("An email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    public_id = PublicIdField(prefix="user_")
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self) -> str:
        return self.email

    @property
    def membership(self) -> "Membership | None":
        """The user's organisation membership (one per user in this version of the product)."""
        cached = getattr(self, "_membership_cache", None)
        if cached is None:
            cached = self.memberships.select_related("organization").first()
            self._membership_cache = cached
        return cached

    @property
    def organization(self) -> "Organization | None":
        m = self.membership
        return m.organization if m else None


class OrganizationKind(models.TextChoices):
    CUSTOMER = "customer"
    PROVIDER = "provider"
    PLATFORM = "platform"


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"


class VerificationCategory(models.TextChoices):
    """The eligibility groups the product is built around."""

    PREMIUM = "premium", "Premium customer"
    PARTNER = "partner", "Qualified partner"
    ACADEMIC = "academic", "Academic collaborator"
    CORE_CONTRIBUTOR = "core_contributor", "Core contributor"
    SPONSORED = "sponsored", "Sponsored project"


class Organization(models.Model):
    public_id = PublicIdField(prefix="org_")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    verification_status = models.CharField(
        max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.UNVERIFIED, editable=False
    )
    verification_category = models.CharField(max_length=30, choices=VerificationCategory.choices, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED


class Role(models.TextChoices):
    CUSTOMER = "customer"
    PROVIDER = "provider"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class ApiKey(models.Model):
    """A bearer key. Only its SHA-256 is stored; the key itself is shown once, at creation."""

    public_id = PublicIdField(prefix="key_")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class ProviderApplication(models.Model):
    """A provider organisation's request to be vetted. Only `approved` providers may sell."""

    public_id = PublicIdField(prefix="papp_")
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="provider_application")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    headline = models.CharField(max_length=200)
    bio = models.TextField()
    domains = models.JSONField(default=list)
    qualifications = models.TextField()
    portfolio_url = models.URLField(blank=True)
    responsible_use_attestation = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED, editable=False, db_index=True
    )
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return f"{self.organization} — {self.get_status_display()}"


class ProviderApplicationDecision(models.Model):
    """History row: who moved an application, when, from what, to what and why."""

    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class OrganizationVerification(models.Model):
    """A customer organisation's claim to an eligibility group, decided by an admin."""

    public_id = PublicIdField(prefix="orgver_")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="verifications")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30, choices=VerificationCategory.choices)
    evidence = models.TextField()
    status = models.CharField(
        max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.SUBMITTED, editable=False, db_index=True
    )
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["submitted_at"]

    def __str__(self) -> str:
        return f"{self.organization} — {self.get_category_display()} ({self.status})"


class OrganizationVerificationDecision(models.Model):
    verification = models.ForeignKey(OrganizationVerification, on_delete=models.CASCADE, related_name="decisions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, choices=VerificationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=VerificationStatus.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class Agreement(models.Model):
    """A version of the terms of use. The newest published version is the current one."""

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}: {self.title}"


class AgreementAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_acceptances")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agreement"], name="acceptance_unique_user_agreement")]


class AuditEvent(models.Model):
    """Security-relevant actions. Written by services only; read-only everywhere on the site."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_email = models.CharField(max_length=254, blank=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_email or 'anonymous'}"


# --- state tables (core.states.transition checks every move against these) ----------------------
APPLICATION_TRANSITIONS: dict[str, set[str]] = {
    ApplicationStatus.SUBMITTED: {ApplicationStatus.IN_REVIEW, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED},
    ApplicationStatus.IN_REVIEW: {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED},
    ApplicationStatus.APPROVED: {ApplicationStatus.SUSPENDED},
    ApplicationStatus.SUSPENDED: {ApplicationStatus.APPROVED},
    ApplicationStatus.REJECTED: {ApplicationStatus.SUBMITTED},  # a resubmission
}
# One verification request.
VERIFICATION_TRANSITIONS: dict[str, set[str]] = {
    VerificationStatus.SUBMITTED: {VerificationStatus.VERIFIED, VerificationStatus.REJECTED},
    VerificationStatus.VERIFIED: {VerificationStatus.REJECTED},  # revocation
    VerificationStatus.REJECTED: set(),
}
# The organisation's standing, which follows its requests.
ORGANIZATION_VERIFICATION_TRANSITIONS: dict[str, set[str]] = {
    # A request staff created for the organisation (a provider's, say) is decided without a submission.
    VerificationStatus.UNVERIFIED: {VerificationStatus.SUBMITTED, VerificationStatus.VERIFIED, VerificationStatus.REJECTED},
    VerificationStatus.SUBMITTED: {VerificationStatus.VERIFIED, VerificationStatus.REJECTED},
    VerificationStatus.VERIFIED: {VerificationStatus.REJECTED},  # revocation
    VerificationStatus.REJECTED: {VerificationStatus.SUBMITTED},  # a new request
}
