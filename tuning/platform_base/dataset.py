"""The platform's own safety data (``data/*.jsonl``), in the shapes training needs.

``refusals.jsonl``: harmful requests, each with a refusal that redirects (``chosen``) and a compliant
opening (``rejected``). ``helpful.jsonl``: harmless requests, many of them look-alikes of harmful ones,
each with a helpful answer (``chosen``) and an unnecessary refusal (``rejected``). ``data/README.md``
says how they were written and the rule that keeps them apart from the evaluation prompts.

Used twice: to build the platform base (build.py), and as the safety sample mixed into every job's
training data (``safety_mix``), so no recipe can tune the refusals away unopposed.
"""
from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = {"refusals": DATA_DIR / "refusals.jsonl", "helpful": DATA_DIR / "helpful.jsonl"}


def files() -> dict[str, Path]:
    return dict(FILES)


def _read(path: Path) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    return tuple(_read(FILES["refusals"])), tuple(_read(FILES["helpful"]))


def load() -> tuple[list[dict], list[dict]]:
    refusals, helpful = _load()
    return [dict(r, kind="refusal") for r in refusals], [dict(h, kind="helpful") for h in helpful]


def spread(rows: list[dict], n: int) -> list[dict]:
    """At most ``n`` rows, taken round-robin over categories (in file order within each)."""
    by_cat: dict[str, list[dict]] = {}
    for r in rows:
        by_cat.setdefault(r["category"], []).append(r)
    out: list[dict] = []
    depth = 0
    while len(out) < n and any(depth < len(v) for v in by_cat.values()):
        for cat in sorted(by_cat):
            if depth < len(by_cat[cat]) and len(out) < n:
                out.append(by_cat[cat][depth])
        depth += 1
    return out


def interleave(a: list[dict], b: list[dict]) -> list[dict]:
    """a[0], b[0], a[1], b[1], ... then the rest: so any prefix or split is balanced."""
    out = []
    for k in range(max(len(a), len(b))):
        if k < len(a):
            out.append(a[k])
        if k < len(b):
            out.append(b[k])
    return out


def category_counts(refusals: list[dict], helpful: list[dict]) -> dict[str, dict[str, int]]:
    return {"refusals": dict(sorted(Counter(r["category"] for r in refusals).items())),
            "helpful": dict(sorted(Counter(h["category"] for h in helpful).items()))}


def _prompt(row: dict) -> list[dict[str, str]]:
    messages = []
    if row.get("system"):
        messages.append({"role": "system", "content": row["system"]})
    messages.append({"role": "user", "content": row["user"]})
    return messages


def as_supervised(row: dict) -> dict:
    return {"messages": [*_prompt(row), {"role": "assistant", "content": row["chosen"]}]}


def as_preference(row: dict) -> dict:
    return {"input": {"messages": _prompt(row)},
            "preferred_output": [{"role": "assistant", "content": row["chosen"]}],
            "non_preferred_output": [{"role": "assistant", "content": row["rejected"]}]}


# --- the safety mix --------------------------------------------------------------------------------
# Every job's training data gets a small sample of these examples (tuning/backends/local.py), spread
# over the harm categories: refusals of harmful requests and helpful answers to harmless look-alikes.
# Diverse safety examples of a fraction of a percent of the data cut the harm fine-tuning causes
# ("How to Fine-Tune Safely on a Budget", EMNLP 2025 industry track); a small job gets a floor of them.
SAFETY_MIX_FRACTION = 0.10
SAFETY_MIX_MIN = 8
SAFETY_MIX_MAX = 48


def safety_mix_size(n_examples: int) -> int:
    return max(SAFETY_MIX_MIN, min(SAFETY_MIX_MAX, round(SAFETY_MIX_FRACTION * n_examples)))


def safety_mix(n_examples: int, *, method: str, seed: int) -> tuple[list[dict], dict[str, Any]]:
    """The examples mixed into a job of ``n_examples`` (its shape follows ``method``), and what to record."""
    import random

    refusals, helpful = load()
    size = safety_mix_size(n_examples)
    rng = random.Random(f"safety-mix:{seed}")
    picked: list[dict] = []
    for rows, share in ((refusals, (size + 1) // 2), (helpful, size // 2)):
        shuffled = list(rows)
        rng.shuffle(shuffled)
        picked.extend(spread(shuffled, share))
    shape = as_preference if method == "dpo" else as_supervised
    record = {"n": len(picked), "ids": [r["id"] for r in picked],
              "categories": dict(sorted(Counter(r["category"] for r in picked).items())),
              "fraction": SAFETY_MIX_FRACTION, "min": SAFETY_MIX_MIN, "max": SAFETY_MIX_MAX}
    return [shape(r) for r in picked], record
