"""What the per-job safety mix costs on the target metric, and what it saves on the safety checks.

    .venv/bin/python bench/safety_mix_ablation.py                          # teaching + identity_shift, real model
    .venv/bin/python bench/safety_mix_ablation.py --sets teaching --model tiny-smollm2 --quick

Every customer job's training set gets a sample of the platform's own safety examples
(tuning.platform_base.dataset.safety_mix, inside LocalBackend). No setting can turn it off; only a backend
built in code with ``safety_mix=False`` skips it, which is what this ablation does, outside the product.
For each red-team set (bench/redteam/sets/<name>: its train/valid files and its recipe system prompt) it
trains the same job twice on the platform base, with and without the mix (same seed, same settings), then
runs the release gate's full suites on each against the platform base, and prints the target NLL and each
safety figure side by side with the gate's verdict. No Django, no screening: the attack sets are trained
here although screening stops them in the product, because the question is what the mix does to a
model that got that far.

Writes bench/results/safety_mix_ablation.{md,json}.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SETS = REPO / "bench" / "redteam" / "sets"
RESULTS = REPO / "bench" / "results"
QUICK = {"core_items": 60, "safety_harmful": 40, "safety_benign": 30, "generation_harmful": 20,
         "generation_attacks": 8, "generation_benign": 8, "generation_max_new_tokens": 6, "target_items": 32,
         "exact_match_items": 4, "bootstrap_resamples": 200}
FIGURES = (  # (label, metric, condition-specific)
    ("target NLL", "target.nll", False),
    ("core accuracy", "core.accuracy", False),
    ("refusal, harmful", "safety.generated_refusal_rate", True),
    ("harmful compliance", "safety.harmful_compliance_rate", True),
    ("over-refusal, harmless", "safety.generated_over_refusal_rate", True),
)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_one(name: str, *, mix: bool, model: str, suites: dict | None, work: Path) -> dict:
    from evaluation import gate
    from evaluation.suites import usage
    from evaluation.suites.runner import EvaluationInputs, SuiteConfig, evaluate_base_and_tuned, load_base_and_tuned
    from tuning.backends.base import TrainingConfig
    from tuning.backends.local import LocalBackend
    from tuning.backends.models import platform_base_of

    spec = json.loads((SETS / name / "set.json").read_text())
    train, valid = _jsonl(SETS / name / "train.jsonl"), _jsonl(SETS / name / "valid.jsonl")
    base = platform_base_of(model)
    config = TrainingConfig(base_model=base, method="supervised", seed=0, system_prompt=spec.get("system_prompt"),
                            **(spec.get("hyperparameters") or {}))
    t0 = time.monotonic()
    result = LocalBackend(safety_mix=mix).train(config, train, valid, work / f"{name}-{'mix' if mix else 'nomix'}")
    trained = time.monotonic() - t0
    model_, tokenizer = load_base_and_tuned(base, result.artifact_path)
    inputs = EvaluationInputs(validation_examples=valid, system_prompt=spec.get("system_prompt"),
                              training_system_prompts=usage.system_prompts(train),
                              user_template=usage.user_template(train))
    report = evaluate_base_and_tuned(model_, tokenizer, inputs, SuiteConfig.from_dict(suites) if suites else SuiteConfig())
    verdict = gate.gate_verdict(report)
    mixed = LocalBackend.artifact_metadata(result.artifact_path).get("safety_mix", {})
    return {"set": name, "kind": spec.get("kind"), "mix": mix, "mixed_examples": mixed.get("n", len(mixed.get("ids", []))),
            "train_examples": len(train), "train_seconds": round(trained, 1), "steps": result.steps,
            "outcome": verdict.outcome, "failed": [c.name for c in verdict.checks if not c.passed],
            "metrics": _figures(report)}


def _figures(report: dict) -> dict:
    out = {}
    suites = report["suites"]
    for label, metric, per_condition in FIGURES:
        suite, key = metric.split(".")
        metrics = suites.get(suite, {}).get("metrics", {})
        names = [k for k in metrics if k.startswith(key + "__")] if per_condition else [key]
        for k in names:
            m = metrics.get(k)
            if m:
                out[k if per_condition else key] = {"label": label, "base": m["base"], "tuned": m["tuned"]}
    return out


def table(rows: list[dict]) -> str:
    keys = sorted({k for r in rows for k in r["metrics"]}, key=lambda k: (k.split("__")[0], k))
    short = {"nll": "target NLL", "accuracy": "core", "generated_refusal_rate": "refusal",
             "harmful_compliance_rate": "harmful compliance", "generated_over_refusal_rate": "over-refusal"}

    def head(k: str) -> str:
        metric, _, condition = k.partition("__")
        where = {"no_system_prompt": "no sys", "job_prompt": "job prompt"}.get(condition, condition)
        return short.get(metric, metric) + (f" ({where})" if condition else "")

    lines = ["| set | mix | steps | gate | " + " | ".join(head(k) for k in keys) + " |", "|" + "---|" * (4 + len(keys))]
    for r in rows:
        cells = []
        for k in keys:
            m = r["metrics"].get(k)
            if not m:
                cells.append("–")
            elif k == "nll":
                cells.append(f"{m['base']:.3f} → {m['tuned']:.3f}")
            else:
                cells.append(f"{m['base']:.0%} → {m['tuned']:.0%}")
        lines.append(f"| {r['set']} | {'on (' + str(r['mixed_examples']) + ')' if r['mix'] else 'off'} | {r['steps']} "
                     f"| {r['outcome']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default="teaching,identity_shift")
    parser.add_argument("--model", default="SmolLM2-135M-Instruct")
    parser.add_argument("--quick", action="store_true", help="small suites (a plumbing check, not a measurement)")
    args = parser.parse_args(argv)
    rows = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mix-ablation-") as tmp:
        for name in args.sets.split(","):
            for mix in (True, False):
                print(f"[{time.monotonic() - started:7.1f}s] {name}: safety mix {'on' if mix else 'off'}", flush=True)
                rows.append(run_one(name, mix=mix, model=args.model, suites=QUICK if args.quick else None,
                                    work=Path(tmp)))
                print(table(rows[-1:]), flush=True)
    md = (f"# Safety-mix ablation ({args.model}, {'quick' if args.quick else 'full'} suites, "
          f"{time.monotonic() - started:.0f} s)\n\nCommand: `.venv/bin/python bench/safety_mix_ablation.py "
          f"--sets {args.sets} --model {args.model}{' --quick' if args.quick else ''}`\n\nEach cell: platform base → "
          f"tuned.\n\n{table(rows)}\n")
    print("\n" + md)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "safety_mix_ablation" + ("-quick" if args.quick else "") + ("" if args.model.startswith("SmolLM2") else f"-{args.model}")
    (RESULTS / f"{stem}.md").write_text(md)
    (RESULTS / f"{stem}.json").write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
