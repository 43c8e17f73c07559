"""Reads for specialist models, each with a constant query count."""
from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Sum

from accounts.models import DOMAINS, User
from core.errors import DomainError, NotFound
from core.http import unix_seconds
from evaluation.selectors import job_evaluation_out

from .models import (
    SpecialistLicense,
    SpecialistLicenseStatus,
    SpecialistModel,
    SpecialistStatus,
    SpecialistUsage,
)

SEARCH_MAX_CHARS = 200


def specialist_search(*, search: str = "", domain: str = "") -> QuerySet[SpecialistModel]:
    """The published catalogue (approved providers only), filtered by free text and domain."""
    qs = (SpecialistModel.objects.filter(status=SpecialistStatus.PUBLISHED,
                                         provider__provider_application__status="approved")
          .select_related("provider", "job"))
    if domain:
        if domain not in DOMAINS:
            raise DomainError(f"domain must be one of {', '.join(DOMAINS)}.", param="domain", code="invalid_domain")
        qs = qs.filter(domain=domain)
    search = (search or "").strip()
    if len(search) > SEARCH_MAX_CHARS:
        raise DomainError(f"search must be at most {SEARCH_MAX_CHARS} characters.", param="search",
                          code="invalid_search")
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(description__icontains=search)
                       | Q(intended_use__icontains=search) | Q(provider__name__icontains=search))
    return qs


def _licensed_org_ids(spec: SpecialistModel) -> set[int]:
    return set(SpecialistLicense.objects.filter(specialist=spec, status=SpecialistLicenseStatus.ACTIVE)
               .values_list("organization_id", flat=True))


def specialist_visible(*, user: User | None, specialist_id: str) -> SpecialistModel:
    """A published specialist model, for anyone; a withdrawn or held one only for its provider and licensees
    (so they can read why it stopped). Anything else is a 404."""
    spec = (SpecialistModel.objects.select_related("provider", "job", "job__model_card")
            .filter(public_id=str(specialist_id or "")).first())
    org = getattr(user, "organization", None) if user is not None and user.is_authenticated else None
    if spec is not None and spec.status != SpecialistStatus.PUBLISHED:
        if org is None or (org.pk != spec.provider_id and org.pk not in _licensed_org_ids(spec)):
            spec = None
    if spec is None:
        raise NotFound(f"No specialist model with id '{specialist_id}'.", param="specialist_id",
                       code="specialist_model_not_found")
    return spec


def specialist_for_provider(*, user: User, specialist_id: str) -> SpecialistModel:
    org = user.organization
    spec = SpecialistModel.objects.select_related("provider", "job").filter(public_id=str(specialist_id or "")).first()
    if spec is None or org is None or spec.provider_id != org.pk:
        raise NotFound(f"No specialist model with id '{specialist_id}'.", param="specialist_id",
                       code="specialist_model_not_found")
    return spec


def evaluation_summary(spec: SpecialistModel) -> dict[str, Any] | None:
    """The gate's verdict and the base-vs-tuned headline figures of the model behind the specialist."""
    out = job_evaluation_out(spec.job)
    if out is None:
        return None
    return {"status": out.get("status"), "passed": out.get("passed"), "reasons": out.get("reasons", []),
            "metrics": out.get("metrics", {})}


def specialist_out(spec: SpecialistModel, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": spec.public_id, "object": "specialist_model", "title": spec.title, "domain": spec.domain,
        "description": spec.description, "intended_use": spec.intended_use,
        "out_of_scope_uses": list(spec.out_of_scope_uses), "languages": list(spec.languages),
        "price": {"amount": spec.price_amount, "currency": spec.price_currency},
        "license_terms": spec.license_terms,
        "provider": {"id": spec.provider.public_id, "name": spec.provider.name},
        "base_model": spec.job.model, "status": spec.status, "created_at": unix_seconds(spec.created_at),
        "card_url": f"/specialists/{spec.public_id}/card", "page_url": f"/specialists/{spec.public_id}/",
    }
    if spec.status != SpecialistStatus.PUBLISHED:
        out["status_reason"] = spec.status_reason
    if detail:
        out["evaluation"] = evaluation_summary(spec)
        card = getattr(spec.job, "model_card", None) if hasattr(spec.job, "model_card") else None
        out["card"] = ({"id": card.public_id, "sha256": card.card_sha256, "html": out["card_url"],
                        "json": f"/v1/specialist_models/{spec.public_id}/card"} if card is not None else None)
    return out


def licenses_of(*, organization) -> QuerySet[SpecialistLicense]:
    return (SpecialistLicense.objects.filter(organization=organization)
            .select_related("specialist", "specialist__provider", "specialist__job"))


def usage_totals(*, specialist: SpecialistModel, organization=None) -> dict[str, int]:
    qs = SpecialistUsage.objects.filter(specialist=specialist)
    if organization is not None:
        qs = qs.filter(organization=organization)
    totals = qs.aggregate(requests=Sum("requests"), prompt_tokens=Sum("prompt_tokens"),
                          completion_tokens=Sum("completion_tokens"), guard_interventions=Sum("guard_interventions"))
    return {k: int(v or 0) for k, v in totals.items()}


def usage_by_organization(*, specialist: SpecialistModel) -> list[dict[str, Any]]:
    """For the provider: each organisation's totals (one query)."""
    rows = (SpecialistUsage.objects.filter(specialist=specialist)
            .values("organization__public_id", "organization__name")
            .annotate(requests=Sum("requests"), prompt_tokens=Sum("prompt_tokens"),
                      completion_tokens=Sum("completion_tokens"), guard_interventions=Sum("guard_interventions"))
            .order_by("organization__name"))
    return [{"organization": {"id": r["organization__public_id"], "name": r["organization__name"]},
             "requests": int(r["requests"] or 0), "prompt_tokens": int(r["prompt_tokens"] or 0),
             "completion_tokens": int(r["completion_tokens"] or 0),
             "guard_interventions": int(r["guard_interventions"] or 0)} for r in rows]


def license_out(lic: SpecialistLicense, *, usage: dict[str, int] | None = None) -> dict[str, Any]:
    spec = lic.specialist
    out = {
        "id": lic.public_id, "object": "specialist_model.license", "specialist_model": spec.public_id,
        "title": spec.title, "domain": spec.domain, "status": lic.status,
        "specialist_status": spec.status, "amount": lic.amount, "currency": lic.currency,
        "terms_sha256": lic.terms_sha256, "created_at": unix_seconds(lic.created_at),
        "captured_at": unix_seconds(lic.captured_at),
    }
    if usage is not None:
        out["usage"] = usage
    return out
