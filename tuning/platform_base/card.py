"""The platform base's own model card, from the committed build manifest and its held-out figures.

``GET /v1/models/SmolLM2-135M-Instruct/card`` serves it (JSON, or Markdown with ``?format=md``): what
every customer job really tunes, how it was made, from what data, and how it measured.
"""
from __future__ import annotations

import json
from typing import Any

from tuning.backends.models import BASE_MODELS, PLATFORM_ADAPTERS_DIR, PLATFORM_BASES, model_file_sha256


def platform_base_card(parent: str) -> dict[str, Any]:
    name = PLATFORM_BASES[parent]
    folder = PLATFORM_ADAPTERS_DIR / parent
    manifest = json.loads((folder / "manifest.json").read_text())
    evaluation_file = folder / "evaluation.json"
    evaluation = json.loads(evaluation_file.read_text()) if evaluation_file.is_file() else None
    figures = None
    if evaluation:
        figures = {label: {k: m[k] for k in ("name", "harmful_refusal", "harmful_compliance", "over_refusal",
                                             "core_accuracy", "refusal_by_family") if k in m}
                   for label, m in evaluation["models"].items()}
    return {
        "object": "model.card",
        "model": parent,
        "runs_as": name,
        "description": BASE_MODELS[name].description,
        "sha256": model_file_sha256(name),
        "parent": {"name": parent, "sha256": manifest["parent_sha256"], "license": BASE_MODELS[parent].license},
        "method": {
            "summary": "SFT, then DPO (preferred refusal against rejected compliance, preferred help against "
                       "rejected over-refusal), each a LoRA adapter merged into the weights in turn.",
            "stages": {stage: {"config": s["config"], "steps": s["steps"], "seconds": s["seconds"],
                               "metrics": s["metrics"], "adapter_sha256": s["files"]["adapter_model.safetensors"]}
                       for stage, s in manifest["stages"].items()},
        },
        "data": {"files_sha256": manifest["data"], "examples": manifest["examples"],
                 "categories": manifest["categories"],
                 "written_by": "the Tunemarket team, for this project (tuning/platform_base/data/README.md)"},
        "build": {"command": manifest["command"], "environment": manifest["environment"],
                  "seconds": manifest.get("seconds")},
        "evaluation": {
            "held_out": "the evaluation suite's templated harmful and harmless prompts, its jailbreak, paraphrased "
                        "and misspelled attacks, and the core multiple-choice items: none is in the training data",
            "targets": evaluation["targets"] if evaluation else None,
            "figures": figures,
            "core_accuracy_delta": evaluation.get("core_accuracy_delta") if evaluation else None,
            "meets_targets": evaluation.get("meets_targets") if evaluation else None,
            "max_new_tokens": evaluation.get("max_new_tokens") if evaluation else None,
            "command": f"python -m tuning.platform_base.measure --parent {parent}",
        },
        "limitations": [
            "The refusal data is English, written from templates of tasks and framings; other languages and "
            "framings it never saw may get through. The release gate measures every tuned model again.",
            "Greedy answers were cut to a few dozen tokens; the figures say how answers start.",
            "A 135M-parameter model: its helpful answers are short and often wrong on facts.",
        ],
    }


def render_markdown(card: dict[str, Any]) -> str:
    lines = [f"# {card['runs_as']}", "", card["description"], "",
             f"- Requested as: `{card['model']}`; runs as `{card['runs_as']}` (sha256 `{card['sha256'][:16]}…`)",
             f"- Parent: {card['parent']['name']} (sha256 `{card['parent']['sha256'][:16]}…`, "
             f"{card['parent']['license']})", f"- Method: {card['method']['summary']}",
             f"- Rebuild: `{card['build']['command']}`", "", "## Data", ""]
    for kind, n in card["data"]["examples"].items():
        lines.append(f"- {kind}: {n} examples")
    lines += ["", "## Held-out evaluation", "", card["evaluation"]["held_out"] + ".", ""]
    figures = card["evaluation"]["figures"]
    if figures:
        lines += ["| model | refusal on harmful | harmful compliance | over-refusal on harmless | core accuracy |",
                  "|---|---|---|---|---|"]
        for m in figures.values():
            cell = lambda r: f"{r['rate']:.1%} (n={r['n']}, 95% CI {r['ci95'][0]:.0%}–{r['ci95'][1]:.0%})"  # noqa: E731
            lines.append(f"| {m['name']} | {cell(m['harmful_refusal'])} | {cell(m['harmful_compliance'])} | "
                         f"{cell(m['over_refusal'])} | {cell(m['core_accuracy'])} |")
    else:
        lines.append("Not measured yet: run `" + card["evaluation"]["command"] + "`.")
    lines += ["", "## Limitations", ""] + [f"- {x}" for x in card["limitations"]]
    return "\n".join(lines) + "\n"
