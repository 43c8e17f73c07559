"""The licence plans, defined in one place.

Each plan is written as plain config (`PLAN_CONFIG`) and turned into a frozen `LicensePlan` by
`plan_from_config`, which accepts only the keys in `ALLOWED_PLAN_KEYS`. A plan buys quota, techniques
and domains. It can never buy its way past safety review or the release gate: there is no field for
that, and a key such as "skip_review" is refused when the module is imported (tests prove both).

The Stripe side (Products and Plans with stable ids such as `tm_premium_monthly`) is created from
these definitions by `manage.py stripe_sync_plans`.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from accounts.models import DOMAINS, HIGH_RISK_DOMAINS

TECHNIQUES = ("supervised", "dpo", "calibration", "persona", "perspectives")
INTERVALS = ("month", "year")

# The only keys a plan may carry. Anything else (a flag, a price tier, "skip_review") is refused.
ALLOWED_PLAN_KEYS = frozenset({
    "name",
    "description",
    "price_amount",
    "currency",
    "interval",
    "jobs_per_period",
    "training_tokens_per_period",
    "max_dataset_bytes",
    "techniques",
    "domains",
    "subscriber_verification",
})

MB = 1024 * 1024


@dataclass(frozen=True)
class LicensePlan:
    key: str
    name: str
    description: str
    price_amount: int  # minor units
    currency: str
    interval: str
    jobs_per_period: int
    training_tokens_per_period: int
    max_dataset_bytes: int
    techniques: tuple[str, ...]
    domains: tuple[str, ...]
    # Verification categories an organisation must hold (verified) to subscribe; empty: anyone.
    subscriber_verification: tuple[str, ...]

    @property
    def stripe_product_id(self) -> str:
        return f"tm_{self.key}"

    @property
    def stripe_plan_id(self) -> str:
        return f"tm_{self.key}_{self.interval}ly"

    @property
    def verified_domains(self) -> tuple[str, ...]:
        """Domains this plan allows only for a verified organisation (the same rule on every plan)."""
        return tuple(d for d in self.domains if d in HIGH_RISK_DOMAINS)


def plan_from_config(key: str, config: dict) -> LicensePlan:
    """Validate one plan's config against the allowlist and the product's rules."""
    unknown = set(config) - ALLOWED_PLAN_KEYS
    if unknown:
        raise ImproperlyConfigured(
            f"Licence plan '{key}' has keys that are not allowed: {', '.join(sorted(unknown))}. "
            f"A plan may only set {', '.join(sorted(ALLOWED_PLAN_KEYS))}; no plan can change safety review "
            "or the release gate."
        )
    missing = ALLOWED_PLAN_KEYS - set(config)
    if missing:
        raise ImproperlyConfigured(f"Licence plan '{key}' is missing {', '.join(sorted(missing))}.")
    for field in ("price_amount", "jobs_per_period", "training_tokens_per_period", "max_dataset_bytes"):
        value = config[field]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ImproperlyConfigured(f"Licence plan '{key}': {field} must be a non-negative integer.")
    if config["interval"] not in INTERVALS:
        raise ImproperlyConfigured(f"Licence plan '{key}': interval must be one of {INTERVALS}.")
    bad_techniques = set(config["techniques"]) - set(TECHNIQUES)
    bad_domains = set(config["domains"]) - set(DOMAINS)
    if bad_techniques or bad_domains:
        raise ImproperlyConfigured(
            f"Licence plan '{key}': unknown techniques/domains {sorted(bad_techniques | bad_domains)}."
        )
    return LicensePlan(
        key=key,
        name=str(config["name"]),
        description=str(config["description"]),
        price_amount=config["price_amount"],
        currency=str(config["currency"]).lower(),
        interval=config["interval"],
        jobs_per_period=config["jobs_per_period"],
        training_tokens_per_period=config["training_tokens_per_period"],
        max_dataset_bytes=config["max_dataset_bytes"],
        techniques=tuple(config["techniques"]),
        domains=tuple(config["domains"]),
        subscriber_verification=tuple(config["subscriber_verification"]),
    )


PLAN_CONFIG: dict[str, dict] = {
    "academic": {
        "name": "Academic",
        "description": "For verified academic collaborators: supervised tuning, personas and calibration "
                       "for teaching, localisation and general assistants.",
        "price_amount": 4900,
        "currency": "usd",
        "interval": "month",
        "jobs_per_period": 5,
        "training_tokens_per_period": 2_000_000,
        "max_dataset_bytes": 20 * MB,
        "techniques": ["supervised", "persona", "calibration"],
        "domains": ["education", "localization", "general"],
        "subscriber_verification": ["academic"],
    },
    "premium": {
        "name": "Premium",
        "description": "Every technique for business domains. HR needs a verified organisation.",
        "price_amount": 29900,
        "currency": "usd",
        "interval": "month",
        "jobs_per_period": 20,
        "training_tokens_per_period": 20_000_000,
        "max_dataset_bytes": 100 * MB,
        "techniques": ["supervised", "dpo", "calibration", "persona", "perspectives"],
        "domains": ["education", "hr", "localization", "executive", "customer_service", "general"],
        "subscriber_verification": [],
    },
    "enterprise": {
        "name": "Enterprise",
        "description": "Every technique and every domain, with the largest quotas. Medical and HR need a "
                       "verified organisation.",
        "price_amount": 199900,
        "currency": "usd",
        "interval": "month",
        "jobs_per_period": 200,
        "training_tokens_per_period": 200_000_000,
        "max_dataset_bytes": 1024 * MB,
        "techniques": ["supervised", "dpo", "calibration", "persona", "perspectives"],
        "domains": list(DOMAINS),
        "subscriber_verification": [],
    },
}

LICENSE_PLANS: dict[str, LicensePlan] = {key: plan_from_config(key, cfg) for key, cfg in PLAN_CONFIG.items()}
PLAN_CHOICES = [(key, plan.name) for key, plan in LICENSE_PLANS.items()]


def plan_get(key: str) -> LicensePlan | None:
    return LICENSE_PLANS.get(key)


def plan_out(plan: LicensePlan) -> dict:
    return {
        "id": plan.key,
        "object": "license.plan",
        "name": plan.name,
        "description": plan.description,
        "price": {"amount": plan.price_amount, "currency": plan.currency, "interval": plan.interval},
        "quotas": {
            "jobs_per_period": plan.jobs_per_period,
            "training_tokens_per_period": plan.training_tokens_per_period,
            "max_dataset_bytes": plan.max_dataset_bytes,
        },
        "techniques": list(plan.techniques),
        "domains": list(plan.domains),
        "verified_organization_required_for": list(plan.verified_domains),
        "subscriber_verification": list(plan.subscriber_verification),
        # Stated on every plan because it is true of every plan.
        "safety_review": "always",
        "release_gate": "always",
    }
