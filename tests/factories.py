"""Test data built through the services, so every invariant a real user meets holds here too."""
from __future__ import annotations

import itertools

from accounts import services as acc
from accounts.models import ApplicationStatus, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def make_user(*, role: str = "customer", email: str | None = None, organization: str | None = None,
              password: str = PASSWORD, name: str = "Test User") -> User:
    n = next(_seq)
    return acc.user_register(
        email=email or f"{role}{n}@example.test", password=password, name=name, role=role,
        organization=organization or f"{role.capitalize()} Org {n}",
    )


def make_admin(*, email: str | None = None) -> User:
    n = next(_seq)
    return User.objects.create_superuser(email=email or f"admin{n}@example.test", password=PASSWORD, name="Admin")


def make_provider(*, approved: bool = True, domains: list[str] | None = None, **kwargs) -> User:
    user = make_user(role="provider", **kwargs)
    app = acc.provider_application_submit(
        user=user, headline="LoRA specialist", bio="We tune small models for support teams.",
        domains=domains or ["localization", "customer_service"], qualifications="10 years of NLP.",
        portfolio_url="https://example.test/portfolio", responsible_use_attestation=True,
    )
    if approved:
        admin = make_admin()
        acc.provider_application_transition(application=app, to=ApplicationStatus.APPROVED, actor=admin, reason="Vetted")
    return user


def api_key_for(user: User) -> str:
    return acc.api_key_create(user=user, name="test").secret
