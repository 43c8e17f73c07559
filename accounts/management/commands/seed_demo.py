"""Seed a small, believable marketplace. Safe to run twice: it skips what exists."""
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services as acc
from accounts.models import ApplicationStatus, User
from accounts.roles import REVIEWER_GROUP
from marketplace import services as market

DEMO_PASSWORD = "tunemarket-demo-2026"

PROVIDERS = [
    {
        "email": "wattle@providers.test", "name": "Mia Nguyen", "organization": "Wattle Language Labs",
        "headline": "Localisation and support tone for Australian and NZ English",
        "bio": "Former contact-centre lead turned ML engineer. We adapt small models to regional English and house style.",
        "domains": ["localization", "customer_service"],
        "listings": [
            dict(title="Australian-English customer support tone", domain="localization", techniques=["supervised", "persona"],
                 description="LoRA tuning of SmolLM2 on your own support chats: en-AU spelling, warm and direct tone, "
                             "escalation etiquette. Includes base-vs-tuned evaluation and a model card.",
                 price_amount=24900, turnaround_days=2, languages=["en-AU", "en-NZ"]),
            dict(title="Support macro rewriting for telcos", domain="customer_service", techniques=["supervised"],
                 description="Teach a small assistant your macros and policies for billing, outages and plan changes.",
                 price_amount=19900, turnaround_days=3, languages=["en-AU", "en-GB"]),
        ],
    },
    {
        "email": "chalk@providers.test", "name": "Daniel Okafor", "organization": "Chalkboard AI",
        "headline": "Classroom helpers that explain, not answer",
        "bio": "Teachers and NLP researchers building Socratic tutoring assistants for years 5–10.",
        "domains": ["education"],
        "listings": [
            dict(title="Socratic maths tutor for years 7–9", domain="education", techniques=["supervised", "dpo"],
                 description="Preference-tuned tutor that asks guiding questions and checks working step by step.",
                 price_amount=34900, turnaround_days=5, languages=["en-GB", "en-AU"]),
        ],
    },
    {
        "email": "meridian@providers.test", "name": "Sofia Lindqvist", "organization": "Meridian Exec Assist",
        "headline": "Concise executive assistants",
        "bio": "We tune assistants to brief, summarise and draft in a house voice for leadership teams.",
        "domains": ["executive", "general"],
        "listings": [
            dict(title="Board-ready briefing style", domain="executive", techniques=["supervised", "calibration"],
                 description="Short, hedged, well-calibrated summaries with explicit uncertainty.",
                 price_amount=49900, turnaround_days=4, languages=["en-GB", "en-US"]),
        ],
    },
    {
        "email": "pulse@providers.test", "name": "Dr Priya Raman", "organization": "Pulse Clinical NLP",
        "headline": "Clinical documentation assistants (verified organisations only)",
        "bio": "Clinicians and NLP engineers. Medical tuning requires a verified organisation and two human reviewers.",
        "domains": ["medical"],
        "listings": [
            dict(title="Discharge-summary plain-language rewriting", domain="medical", techniques=["supervised"],
                 description="Rewrites discharge notes in plain language for patients; never gives diagnoses.",
                 price_amount=89900, turnaround_days=7, languages=["en-GB", "en-AU"]),
        ],
    },
]


class Command(BaseCommand):
    help = "Seed demo data: an admin, a reviewer, vetted providers with listings, a customer organisation."

    @transaction.atomic
    def handle(self, *args, **options):
        admin = User.objects.filter(email="admin@tunemarket.test").first()
        if admin is None:
            admin = User.objects.create_superuser(email="admin@tunemarket.test", password=DEMO_PASSWORD, name="Ada Admin")
        if not User.objects.filter(email="reviewer@tunemarket.test").exists():
            reviewer = User.objects.create_user(
                email="reviewer@tunemarket.test", password=DEMO_PASSWORD, name="Rui Reviewer", is_staff=True
            )
            reviewer.groups.add(Group.objects.get(name=REVIEWER_GROUP))
        if acc.agreement_current() is None:
            acc.agreement_publish(
                version=1, title="Tunemarket terms of use",
                body="Use tuned models only for the declared use case; no tier removes safety review or the release gate.",
                actor=admin,
            )
        for spec in PROVIDERS:
            if User.objects.filter(email=spec["email"]).exists():
                continue
            user = acc.user_register(email=spec["email"], password=DEMO_PASSWORD, name=spec["name"],
                                     role="provider", organization=spec["organization"])
            app = acc.provider_application_submit(
                user=user, headline=spec["headline"], bio=spec["bio"], domains=spec["domains"],
                qualifications="References and portfolio checked by the vetting team.",
                portfolio_url="https://example.test/" + user.organization.slug, responsible_use_attestation=True,
            )
            acc.provider_application_transition(application=app, to=ApplicationStatus.APPROVED, actor=admin,
                                                reason="Seeded demo provider: references checked")
            for listing in spec["listings"]:
                market.listing_create(
                    user=user, publish=True, base_models=["SmolLM2-135M-Instruct"], price_currency="usd",
                    recipe={"hyperparameters": {"n_epochs": "auto", "learning_rate_multiplier": "auto"},
                            "lora": {"r": 8, "alpha": 16, "target_modules": ["q_proj", "v_proj"]}, "system_prompt": ""},
                    **listing,
                )
        if not User.objects.filter(email="support@koala-telco.test").exists():
            acc.user_register(email="support@koala-telco.test", password=DEMO_PASSWORD, name="Jack Brown",
                              role="customer", organization="Koala Telco")
        pending = "newcomer@providers.test"
        if not User.objects.filter(email=pending).exists():
            user = acc.user_register(email=pending, password=DEMO_PASSWORD, name="Lee Newcomer",
                                     role="provider", organization="Newcomer Tuning Co")
            acc.provider_application_submit(
                user=user, headline="HR screening assistants", bio="We want to build fair screening helpers.",
                domains=["hr"], qualifications="Two years of HR analytics.", responsible_use_attestation=True,
            )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Password for every demo account: {DEMO_PASSWORD}"))
