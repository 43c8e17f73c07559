"""Seed the six specialist use cases (Med, Edu, HR, AU, Exec, CX) as listings of the demo's providers, each
with its domain evaluation set. Run after seed_demo; safe to run twice (it skips what exists).

The training and validation chats are bench/redteam/sets/<set>/{train,valid}.jsonl: the provider uploads
them when it orders its own listing to build the specialist model (docs/specialists.md)."""
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from marketplace import services as market
from marketplace.models import Listing
from specialists.seed import USE_CASES


class Command(BaseCommand):
    help = "Seed the six specialist use cases as listings of the demo providers (after seed_demo)."

    @transaction.atomic
    def handle(self, *args, **options):
        made = 0
        for case in USE_CASES:
            user = User.objects.filter(email=case.provider_email).first()
            if user is None:
                self.stderr.write(f"{case.code}: provider {case.provider_email} not found; run seed_demo first.")
                continue
            title = f"{case.code} specialist: {case.title}"
            if Listing.objects.filter(provider=user.organization, title=title).exists():
                continue
            meta = case.meta
            listing = market.listing_create(
                user=user, publish=True, title=title, description=meta["listing_description"], domain=case.domain,
                techniques=["supervised"], base_models=["SmolLM2-135M-Instruct"], price_amount=0,
                price_currency="usd", turnaround_days=2, languages=list(case.languages),
                recipe={"hyperparameters": meta.get("hyperparameters") or {"n_epochs": 2},
                        "lora": {"r": 8, "alpha": 16, "target_modules": ["q_proj", "v_proj"]},
                        "system_prompt": meta.get("system_prompt", "")},
            )
            market.listing_domain_eval_set_upload(listing=listing, user=user, content=case.eval_file.read_bytes())
            made += 1
        self.stdout.write(self.style.SUCCESS(f"Specialist use-case listings ready ({made} new)."))
