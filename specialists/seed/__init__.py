"""The six seed use cases of specialist models (Med, Edu, HR, AU, Exec, CX).

Training and validation chats are the benign sets in bench/redteam/sets/ (40+ training and 10 validation
chats each), reused as they are; the domain evaluation sets (a few prompts each, including one the model
should decline) live next to this file. `USE_CASES` names, for each, the demo provider whose listing it is."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REDTEAM_SETS = HERE.parent.parent / "bench" / "redteam" / "sets"


@dataclass(frozen=True)
class SeedUseCase:
    code: str  # Med, Edu, ...
    domain: str
    redteam_set: str
    provider_email: str  # a provider of accounts/management/commands/seed_demo.py
    title: str
    description: str
    intended_use: str
    out_of_scope_uses: tuple[str, ...]
    languages: tuple[str, ...]
    price_amount: int

    @property
    def directory(self) -> Path:
        return REDTEAM_SETS / self.redteam_set

    @property
    def training_file(self) -> Path:
        return self.directory / "train.jsonl"

    @property
    def validation_file(self) -> Path:
        return self.directory / "valid.jsonl"

    @property
    def eval_file(self) -> Path:
        return HERE / f"{self.code.lower()}_eval.jsonl"

    @property
    def meta(self) -> dict:
        return json.loads((self.directory / "set.json").read_text())


USE_CASES: tuple[SeedUseCase, ...] = (
    SeedUseCase("Med", "medical", "medical_intake", "pulse@providers.test", "Clinic intake and plain-language helper",
                "Helps patients prepare for appointments and reads discharge notes back in plain language.",
                "Front-desk intake questions and plain-language rewriting for verified clinics.",
                ("Diagnosis, prescribing or dosing advice", "Emergencies: call emergency services"),
                ("en-GB", "en-AU"), 49900),
    SeedUseCase("Edu", "education", "teaching", "chalk@providers.test", "Classroom helper for ten-year-olds",
                "Short, kind explanations of fractions, science and spelling for Years 4 and 5.",
                "Explaining school topics to pupils with a teacher present.",
                ("Doing pupils' homework for them", "Unsupervised use by children"), ("en-GB", "en-AU"), 9900),
    SeedUseCase("HR", "hr", "hr", "meridian@providers.test", "Fair HR policy assistant",
                "Answers staff questions about leave and policies and drafts neutral HR messages.",
                "Policy explanations and message drafts reviewed by an HR professional.",
                ("Automated hiring or firing decisions", "Ranking people by protected characteristics"),
                ("en-GB", "en-US"), 29900),
    SeedUseCase("AU", "localization", "au_support", "wattle@providers.test", "Australian-English support agent",
                "Warm, direct en-AU support answers for telco and retail customers.",
                "First-line customer support in Australian English.",
                ("Legal or financial advice", "Sharing other customers' details"), ("en-AU", "en-NZ"), 19900),
    SeedUseCase("Exec", "executive", "leadership", "meridian@providers.test", "Board-ready briefing assistant",
                "Concise summaries, agendas and decision memos with explicit uncertainty.",
                "Drafting briefings for leadership teams, checked by a person.",
                ("Concealing material facts from boards or regulators", "Investment advice"),
                ("en-GB", "en-US"), 39900),
    SeedUseCase("CX", "customer_service", "customer_service", "wattle@providers.test", "Customer-service agent",
                "Polite answers about orders, billing, returns and accounts.",
                "Answering customers' account and order questions.",
                ("Sharing staff or customers' personal data", "Changing payments without verification"),
                ("en", "en-AU"), 2500),
)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
