"""Seed tm_bench: 10,000 providers and 50,000 listings (plus jobs and reviews so ratings are real).

Rows go in with PostgreSQL COPY (tens of thousands of rows a second); PostgreSQL fills each listing's
generated search_vector as it goes. Deterministic (fixed seed), so every run measures the same data.
"""
from __future__ import annotations

import json
import random
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from core.ids import new_public_id
from marketplace.languages import language_tags

N_PROVIDERS = 10_000
N_LISTINGS = 50_000
N_REVIEWED_JOBS = 20_000
SUSPENDED_SHARE = 0.02

# Domain vocabularies (about 40 words each) and a shared vocabulary, so that a search word matches a
# realistic share of listings (a few per cent overall, more within its domain), not nearly all of them.
DOMAIN_WORDS = {
    "medical": """clinical discharge summary patient triage radiology nursing medication symptom referral pharmacy
        cardiology oncology pediatric dosage allergy diagnosis prognosis consultation ward surgery anaesthesia
        outpatient inpatient chronic diabetes asthma vaccination pathology imaging physician clinician hospital
        gp telehealth dermatology orthopaedic midwifery dementia palliative rehabilitation""".split(),
    "education": """tutor classroom maths socratic homework curriculum reading science feedback quiz lesson students
        teacher primary secondary algebra geometry essay literacy numeracy phonics revision exam rubric grading
        coursework tutorial lecture syllabus kindergarten university chemistry physics biology history geography
        vocabulary comprehension pedagogy scaffolding assessment""".split(),
    "hr": """screening interview onboarding policy benefits candidate recruiting payroll leave handbook fairness
        hiring resume job description offboarding appraisal performance compensation grievance harassment
        diversity inclusion retention promotion contract probation overtime timesheet roster workforce talent
        apprenticeship internship referral shortlist competency succession wellbeing""".split(),
    "localization": """australian british canadian spelling locale translation dialect regional idioms french spanish
        german japanese portuguese brazilian mexican italian dutch korean chinese cantonese mandarin hindi
        arabic swahili maori kiwi aussie slang formality honorifics currency dates units transliteration
        glossary terminology subtitles localisation""".split(),
    "executive": """briefing board memo strategy investor agenda minutes forecast calibrated concise leadership
        quarterly earnings shareholder governance risk compliance audit budget roadmap okr kpi dashboard
        stakeholder negotiation merger acquisition due diligence pitch deck keynote speech press release
        announcement summary synopsis digest chief officer""".split(),
    "customer_service": """billing support refund outage telco escalation macro ticket chat returns warranty complaint
        invoice subscription cancellation upgrade downgrade roaming broadband mobile plan delivery tracking
        shipping exchange voucher loyalty apology empathy callback helpline sla queue agent deflection
        troubleshooting password login account""".split(),
    "general": """assistant writing style tone persona knowledge faq search email drafting notes helpdesk
        summarise rewrite proofread grammar brainstorm outline blog newsletter copywriting marketing social
        caption headline slogan product catalogue description review feedback survey report translation
        formatting markdown spreadsheet meeting calendar reminder""".split(),
}
COMMON = (
    "model tuning lora adapter evaluation release gate safety careful fast accurate friendly formal informal "
    "warm direct polite plain language small efficient offline private encrypted dataset examples review "
    "quality baseline compare metrics report card transparent documented reproducible seed hyperparameters "
    "epochs batch learning rate validation holdout team experts vetted years experience production ready "
    "monitoring feedback iteration delivery support weekly daily answers questions customers staff users "
    "workflow integration api export format json chat instruction following refusals boundaries policies "
    "guidelines brand voice house style glossary terminology domain specific tasks examples curated cleaned "
    "annotated labelled balanced diverse multilingual bilingual consistent reliable robust secure compliant "
    "audited certified accredited trusted proven tested benchmarked measured tracked logged versioned "
    "packaged deployed hosted managed maintained updated refreshed retrained improved optimised compact "
    "lightweight quantised distilled aligned preference ranking pairs ratings judgments rubric criteria "
    "handover documentation onboarding training session workshop consultation call meeting kickoff scoping "
    "discovery requirements acceptance criteria milestones timeline schedule estimate quote invoice payment "
    "refund guarantee satisfaction revision rounds unlimited priority express standard premium basic starter "
    "growth enterprise startup agency studio lab collective partners network community open source research"
).split()
SERVICES = ["assistant", "tuning", "adapter", "package", "service", "helper", "fine-tune", "recipe"]
ADJ = ["Careful", "Fast", "Calibrated", "Friendly", "Concise", "Regional", "Expert", "Plain-language", "Secure"]
TECHNIQUES = ["supervised", "dpo", "calibration", "persona"]
LANGS = ["en", "en-AU", "en-GB", "en-US", "en-NZ", "fr", "fr-CA", "de", "es", "es-419", "ja", "pt-BR"]
MODELS = ["SmolLM2-135M-Instruct", "tiny-smollm2"]
DOMAINS = list(DOMAIN_WORDS)

# Queries the load generator sends: search terms of varied selectivity, each with its domain, and
# most with one or two more filters (price range, technique, base model, language); the last few
# have no search at all (filters only, newest first). Prices are minor units, as in the API.
BENCH_QUERIES = [
    {"search": "billing", "domain": "customer_service"},
    {"search": "refund invoice", "domain": "customer_service", "max_price": 80000},
    {"search": "discharge summary", "domain": "medical", "technique": "dpo"},
    {"search": "clinical", "domain": "medical", "language": "en-AU"},
    {"search": "tutor", "domain": "education", "base_model": "SmolLM2-135M-Instruct", "max_price": 120000},
    {"search": "socratic maths", "domain": "education", "min_price": 20000},
    {"search": "interview", "domain": "hr", "technique": "supervised", "max_price": 150000},
    {"search": "australian spelling", "domain": "localization", "language": "en"},
    {"search": "board briefing", "domain": "executive", "min_price": 50000, "max_price": 150000},
    {"search": "assistant", "domain": "general", "technique": "persona"},
    {"search": "careful", "domain": "medical", "base_model": "tiny-smollm2"},
    {"search": "friendly support", "domain": "customer_service", "language": "fr"},
    {"domain": "medical", "technique": "calibration", "max_price": 60000},
    {"domain": "hr", "language": "en-GB"},
    {"technique": "dpo", "base_model": "SmolLM2-135M-Instruct", "max_price": 30000},
    {"domain": "localization", "min_price": 100000},
]


def _text(rng: random.Random, domain: str, n: int) -> str:
    words = DOMAIN_WORDS[domain]
    return " ".join(rng.choice(words) if rng.random() < 0.25 else rng.choice(COMMON) for _ in range(n))


def _copy(table: str, columns: list[str], rows) -> int:
    n = 0
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def _next_id(table: str) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return cur.fetchone()[0]


def _reset_sequence(table: str) -> None:
    with connection.cursor() as cur:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def seeded() -> bool:
    from marketplace.models import Listing

    return Listing.objects.count() >= N_LISTINGS


@transaction.atomic
def seed(stdout=print) -> None:
    rng = random.Random(20261125)
    now = timezone.now()
    t0 = time.perf_counter()
    user0, org0, listing0 = _next_id("accounts_user"), _next_id("accounts_organization"), _next_id("marketplace_listing")

    def users():
        for i in range(N_PROVIDERS + 1):
            kind = "customer" if i == N_PROVIDERS else "provider"
            yield (user0 + i, "!", False, new_public_id("user_"), f"bench-{kind}-{i}@bench.test", f"Bench {i}",
                   False, True, now)

    _copy("accounts_user", ["id", "password", "is_superuser", "public_id", "email", "name", "is_staff",
                            "is_active", "date_joined"], users())

    def orgs():
        for i in range(N_PROVIDERS + 1):
            kind = "customer" if i == N_PROVIDERS else "provider"
            verified = kind == "provider" and rng.random() < 0.2
            yield (org0 + i, new_public_id("org_"), f"Bench {kind.title()} {i}", f"bench-{kind}-{i}", kind,
                   "verified" if verified else "unverified", "partner" if verified else "", now)

    _copy("accounts_organization", ["id", "public_id", "name", "slug", "kind", "verification_status",
                                    "verification_category", "created_at"], orgs())
    _copy("accounts_membership", ["user_id", "organization_id", "role", "created_at"],
          ((user0 + i, org0 + i, "customer" if i == N_PROVIDERS else "provider", now) for i in range(N_PROVIDERS + 1)))

    def apps():
        for i in range(N_PROVIDERS):
            domains = rng.sample(DOMAINS, 2)
            status = "suspended" if rng.random() < SUSPENDED_SHARE else "approved"
            yield (new_public_id("papp_"), org0 + i, user0 + i, f"{rng.choice(ADJ)} {domains[0].replace('_', ' ')} tuning",
                   _text(rng, domains[0], 40), json.dumps(domains), "Vetted by the bench.", "", True, status, now, now, now)

    _copy("accounts_providerapplication", [
        "public_id", "organization_id", "submitted_by_id", "headline", "bio", "domains", "qualifications",
        "portfolio_url", "responsible_use_attestation", "status", "submitted_at", "decided_at", "updated_at"], apps())
    stdout(f"  users, organisations, applications: {time.perf_counter() - t0:.1f}s")

    def listings():
        for i in range(N_LISTINGS):
            provider = i % N_PROVIDERS
            domain = rng.choice(DOMAINS)
            title = f"{rng.choice(ADJ)} {' '.join(rng.sample(DOMAIN_WORDS[domain], 2))} {rng.choice(SERVICES)}"
            languages = rng.sample(LANGS, rng.randint(1, 3))
            created = now - timedelta(minutes=N_LISTINGS - i)
            status = "published" if rng.random() < 0.95 else "draft"
            recipe = {"hyperparameters": {"n_epochs": rng.randint(1, 4)},
                      "lora": {"r": rng.choice([8, 16]), "alpha": 16, "target_modules": ["q_proj", "v_proj"]},
                      "system_prompt": ""}
            yield (listing0 + i, new_public_id("lst_"), org0 + provider, user0 + provider, title,
                   _text(rng, domain, rng.randint(30, 70)), domain, json.dumps(rng.sample(TECHNIQUES, rng.randint(1, 3))),
                   json.dumps(rng.sample(MODELS, rng.randint(1, 2))), rng.randrange(5_000, 200_000, 100), "usd",
                   rng.randint(1, 14), json.dumps(languages), json.dumps(language_tags(languages)), json.dumps(recipe),
                   "", 0, status, False, created, created, created if status == "published" else None)

    _copy("marketplace_listing", [
        "id", "public_id", "provider_id", "created_by_id", "title", "description", "domain", "techniques",
        "base_models", "price_amount", "price_currency", "turnaround_days", "languages", "language_tags", "recipe",
        "domain_eval_set", "domain_eval_rows", "status", "held_by_admin", "created_at", "updated_at", "published_at"],
        listings())
    for table in ("accounts_user", "accounts_organization", "marketplace_listing"):
        _reset_sequence(table)
    stdout(f"  listings (with generated search vectors): {time.perf_counter() - t0:.1f}s")
    _seed_jobs_and_reviews(rng, now, customer_user=user0 + N_PROVIDERS, customer_org=org0 + N_PROVIDERS,
                           listing0=listing0, org0=org0)
    stdout(f"  jobs and reviews: {time.perf_counter() - t0:.1f}s")


def vacuum_analyze() -> None:
    """After the bulk load: fresh planner statistics, and the GIN pending list merged into the index."""
    connection.ensure_connection()
    previous = connection.connection.autocommit
    connection.connection.autocommit = True
    try:
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    finally:
        connection.connection.autocommit = previous


def _seed_jobs_and_reviews(rng, now, *, customer_user, customer_org, listing0, org0) -> None:
    """Succeeded jobs (Django bulk_create fills the model defaults) with a review each, revealed."""
    from marketplace.models import Review
    from tuning.models import FineTuningJob

    jobs = []
    for _ in range(N_REVIEWED_JOBS):
        i = rng.randrange(N_LISTINGS)
        jobs.append(FineTuningJob(
            public_id=new_public_id("ftjob-"), organization_id=customer_org, created_by_id=customer_user,
            listing_id=listing0 + i, provider_id=org0 + i % N_PROVIDERS, model="SmolLM2-135M-Instruct",
            use_case="Benchmark job.", status="succeeded", finished_at=now,
        ))
    FineTuningJob.objects.bulk_create(jobs, batch_size=2000)
    reviews = [
        Review(public_id=new_public_id("rev_"), job_id=j.pk, provider_id=j.provider_id, customer_id=customer_org,
               listing_id=j.listing_id, author_id=customer_user, rating=rng.choice([3, 4, 4, 5, 5]),
               body="Solid work.", reveal_at=now - timedelta(days=1))
        for j in jobs
    ]
    Review.objects.bulk_create(reviews, batch_size=2000)
