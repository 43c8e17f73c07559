"""Validate the platform base's training data and keep it held out from the safety suite.

Run: ``.venv/bin/python -m tuning.platform_base.check_data`` (pure Python, no Django);
``--draft`` accepts half the final counts (the first, smaller version of the data).

Checks every line of ``data/refusals.jsonl`` and ``data/helpful.jsonl``: the fields and their
types, non-empty text, unique ids with the right prefix, known categories, the minimum counts,
no duplicated user prompt, and that no user prompt contains a task phrase of the evaluation
suite (``HARMFUL_TASKS``/``BENIGN_TASKS`` in ``evaluation/suites/safety.py``), so the
numbers measured on that suite stay held out. Exits 1 and lists the problems if any.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from evaluation.suites.safety import BENIGN_TASKS, HARMFUL_TASKS

DATA_DIR = Path(__file__).resolve().parent / "data"

REFUSAL_CATEGORIES = (
    "weapons", "malware", "illegal_drugs", "fraud", "self_harm", "harassment", "child_sexual",
    "violence", "extremism", "privacy_violation", "discrimination", "ai_deception",
    "political_persuasion", "dangerous_misinformation",
)
LOOKALIKE_CATEGORIES = (
    "tech_lookalike", "household_lookalike", "knowledge_lookalike", "fiction_lookalike",
    "sport_lookalike", "medicine_safety", "mental_health_support", "security_defence",
    "legal_drugs_alcohol", "privacy_protection",
)
ORDINARY_CATEGORIES = (
    "medical_intake", "teaching_kids", "hr", "au_customer_support", "leadership_coaching",
    "customer_service", "general_knowledge", "maths", "coding", "writing",
)
HELPFUL_CATEGORIES = LOOKALIKE_CATEGORIES + ORDINARY_CATEGORIES

FIELDS = ("id", "category", "system", "user", "chosen", "rejected")

MIN_REFUSALS = 300
MIN_PER_REFUSAL_CATEGORY = 20
MIN_HELPFUL = 320
MIN_LOOKALIKES = 160
MIN_ORDINARY = 120


def eval_task_phrases() -> list[str]:
    return [t.lower() for tasks in (HARMFUL_TASKS, BENIGN_TASKS) for group in tasks.values() for t in group]


def load(path: Path, problems: list[str]) -> list[dict]:
    rows = []
    if not path.exists():
        problems.append(f"{path.name}: missing")
        return rows
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            problems.append(f"{path.name}:{n}: blank line")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{n}: not JSON ({exc})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{path.name}:{n}: not an object")
            continue
        row["_where"] = f"{path.name}:{n}"
        rows.append(row)
    return rows


def check_rows(rows: list[dict], *, prefix: str, categories: tuple[str, ...], problems: list[str]) -> None:
    for row in rows:
        where = row["_where"]
        keys = set(row) - {"_where"}
        if keys != set(FIELDS):
            problems.append(f"{where}: fields {sorted(keys)} != {sorted(FIELDS)}")
            continue
        for field in ("id", "category", "user", "chosen", "rejected"):
            if not isinstance(row[field], str) or not row[field].strip():
                problems.append(f"{where}: {field} must be a non-empty string")
        if row["system"] is not None and (not isinstance(row["system"], str) or not row["system"].strip()):
            problems.append(f"{where}: system must be null or a non-empty string")
        if row["category"] not in categories:
            problems.append(f"{where}: unknown category {row['category']!r}")
        if isinstance(row["id"], str) and not row["id"].startswith(f"{prefix}-{row['category']}-"):
            problems.append(f"{where}: id {row['id']!r} does not start with {prefix}-{row['category']}-")
        if isinstance(row["chosen"], str) and row["chosen"] == row["rejected"]:
            problems.append(f"{where}: chosen equals rejected")


def check_all(*, draft: bool = False) -> tuple[list[str], dict]:
    problems: list[str] = []
    refusals = load(DATA_DIR / "refusals.jsonl", problems)
    helpful = load(DATA_DIR / "helpful.jsonl", problems)
    check_rows(refusals, prefix="r", categories=REFUSAL_CATEGORIES, problems=problems)
    check_rows(helpful, prefix="h", categories=HELPFUL_CATEGORIES, problems=problems)
    rows = refusals + helpful

    ids = Counter(r.get("id") for r in rows)
    problems += [f"duplicated id {i!r}" for i, c in ids.items() if c > 1]
    users = Counter(str(r.get("user", "")).strip().lower() for r in rows)
    problems += [f"duplicated user prompt {u!r}" for u, c in users.items() if c > 1]

    phrases = eval_task_phrases()
    for r in rows:
        text = f"{r.get('system') or ''} {r.get('user', '')}".lower()
        for phrase in phrases:
            if phrase in text:
                problems.append(f"{r['_where']}: contains the evaluation task {phrase!r}")

    ref_counts = Counter(r.get("category") for r in refusals)
    help_counts = Counter(r.get("category") for r in helpful)
    # A draft (the first, smaller version) needs half the final counts, but every category.
    scale = 0.5 if draft else 1.0
    minimum = {k: int(v * scale) for k, v in (
        ("refusals", MIN_REFUSALS), ("per_category", MIN_PER_REFUSAL_CATEGORY), ("helpful", MIN_HELPFUL),
        ("lookalikes", MIN_LOOKALIKES), ("ordinary", MIN_ORDINARY))}
    if len(refusals) < minimum["refusals"]:
        problems.append(f"refusals: {len(refusals)} lines < {minimum['refusals']}")
    for cat in REFUSAL_CATEGORIES:
        if ref_counts[cat] < minimum["per_category"]:
            problems.append(f"refusals: category {cat} has {ref_counts[cat]} < {minimum['per_category']}")
    lookalikes = sum(help_counts[c] for c in LOOKALIKE_CATEGORIES)
    ordinary = sum(help_counts[c] for c in ORDINARY_CATEGORIES)
    if len(helpful) < minimum["helpful"]:
        problems.append(f"helpful: {len(helpful)} lines < {minimum['helpful']}")
    if lookalikes < minimum["lookalikes"]:
        problems.append(f"helpful: {lookalikes} look-alikes < {minimum['lookalikes']}")
    if ordinary < minimum["ordinary"]:
        problems.append(f"helpful: {ordinary} ordinary requests < {minimum['ordinary']}")
    for cat in HELPFUL_CATEGORIES:
        if help_counts[cat] == 0:
            problems.append(f"helpful: category {cat} is empty")

    summary = {
        "refusals": len(refusals),
        "refusals_by_category": dict(sorted(ref_counts.items())),
        "refusals_with_system": sum(1 for r in refusals if r.get("system")),
        "distinct_refusal_openings_5_words": len({" ".join(str(r.get("chosen", "")).split()[:5]) for r in refusals}),
        "helpful": len(helpful),
        "helpful_lookalikes": lookalikes,
        "helpful_ordinary": ordinary,
        "helpful_by_category": dict(sorted(help_counts.items())),
        "helpful_with_system": sum(1 for r in helpful if r.get("system")),
    }
    return problems, summary


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    problems, summary = check_all(draft="--draft" in argv)
    print(json.dumps(summary, indent=2))
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for p in problems[:200]:
            print(f"  {p}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
