from rest_framework import serializers

from .models import DOMAINS, Role, VerificationCategory


class RegisterIn(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True)
    name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=[Role.CUSTOMER, Role.PROVIDER])
    organization = serializers.CharField(max_length=200)


class TokenIn(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ProviderApplicationIn(serializers.Serializer):
    headline = serializers.CharField(max_length=200)
    bio = serializers.CharField()
    domains = serializers.ListField(child=serializers.ChoiceField(choices=DOMAINS), min_length=1)
    qualifications = serializers.CharField()
    portfolio_url = serializers.URLField(required=False, allow_blank=True, default="")
    responsible_use_attestation = serializers.BooleanField()


class VerificationIn(serializers.Serializer):
    category = serializers.ChoiceField(choices=VerificationCategory.values)
    evidence = serializers.CharField()


class AgreementAcceptIn(serializers.Serializer):
    version = serializers.IntegerField(required=False)


def user_out(user) -> dict:
    m = user.membership
    org = m.organization if m else None
    return {
        "object": "user",
        "id": user.public_id,
        "email": user.email,
        "name": user.name,
        "role": m.role if m else None,
        "organization": organization_out(org) if org else None,
    }


def organization_out(org) -> dict:
    return {
        "object": "organization",
        "id": org.public_id,
        "name": org.name,
        "kind": org.kind,
        "verification": {"status": org.verification_status, "category": org.verification_category or None},
    }


def api_key_out(key, secret: str | None = None) -> dict:
    body = {
        "object": "api_key",
        "id": key.public_id,
        "name": key.name,
        "prefix": f"tm_{key.prefix}",
        "created_at": int(key.created_at.timestamp()),
        "last_used_at": int(key.last_used_at.timestamp()) if key.last_used_at else None,
        "revoked": key.revoked_at is not None,
    }
    if secret is not None:
        body["token"] = secret
    return body


def decision_out(d) -> dict:
    return {
        "from": d.from_status or None,
        "to": d.to_status,
        "reason": d.reason,
        "actor": d.actor.email if d.actor_id and d.actor else None,
        "created_at": int(d.created_at.timestamp()),
    }


def provider_application_out(app) -> dict:
    return {
        "object": "provider.application",
        "id": app.public_id,
        "status": app.status,
        "headline": app.headline,
        "bio": app.bio,
        "domains": app.domains,
        "qualifications": app.qualifications,
        "portfolio_url": app.portfolio_url,
        "responsible_use_attestation": app.responsible_use_attestation,
        "submitted_at": int(app.submitted_at.timestamp()),
        "decided_at": int(app.decided_at.timestamp()) if app.decided_at else None,
        "history": [decision_out(d) for d in app.decisions.all()],
    }


def verification_out(v) -> dict:
    last_reason = next((d.reason for d in reversed(list(v.decisions.all())) if d.to_status == v.status), "")
    return {
        "object": "organization.verification",
        "id": v.public_id,
        "category": v.category,
        "status": v.status,
        "reason": last_reason if v.status != "submitted" else None,
        "submitted_at": int(v.submitted_at.timestamp()),
        "decided_at": int(v.decided_at.timestamp()) if v.decided_at else None,
    }


def agreement_out(a, accepted: bool | None = None) -> dict:
    body = {
        "object": "agreement",
        "version": a.version,
        "title": a.title,
        "body": a.body,
        "published_at": int(a.published_at.timestamp()),
    }
    if accepted is not None:
        body["accepted"] = accepted
    return body
