"""Confidence calibration on the real SmolLM2-135M-Instruct: ECE before and after temperature scaling on a
held-out split of the core multiple-choice items, and the risk–coverage curve.

The very code a calibration job runs (evaluation/suites/confidence.py): each item is asked as a chat with
its options listed, the model answers greedily, the answer's confidence is the geometric mean of its
token probabilities at temperature T; T and the caution thresholds are fitted on one half of the items
(seeded), every figure below is measured on the other half.

    TUNEMARKET_MODEL_CACHE=/work/main/var/models HF_HUB_OFFLINE=1 .venv/bin/python bench/calibration.py --items 120

Not part of the test suite. Prints a table and, with --json, writes every figure.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="SmolLM2-135M-Instruct")
    parser.add_argument("--items", type=int, default=120, help="core items, the same share of every category")
    parser.add_argument("--target-risk", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=20251208)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from evaluation.suites import confidence, core
    from tuning.backends.models import load_model_and_tokenizer
    from tuning.validation import calibration_item

    items = [calibration_item({"question": i.question, "choices": list(i.choices), "answer": i.gold})
             for i in core.subset(core.core_items(), args.items)]
    t0 = time.monotonic()
    model, tokenizer = load_model_and_tokenizer(args.model)
    model.eval()
    load_s = time.monotonic() - t0
    t0 = time.monotonic()
    answered = confidence.answer_items(model, tokenizer, items, system_prompt=None)
    answer_s = time.monotonic() - t0
    suite = confidence.fit_and_measure(answered, target_risk=args.target_risk, seed=args.seed)
    m = suite["metrics"]
    print(f"model {args.model}; {len(items)} core items ({suite['split']['n_fit']} fit, {suite['n']} held out); "
          f"load {load_s:.1f} s, answering and scoring {answer_s:.1f} s; load average {os.getloadavg()[0]:.1f}")
    print(f"held-out accuracy {suite['accuracy']:.1%}; fitted temperature T = {suite['temperature']:.3f}")
    print(f"{'held out':<18}{'before (T=1)':>14}{'after':>10}")
    for name in ("ece", "brier", "nll", "mean_confidence"):
        print(f"{name:<18}{m[name]['base']:>14.4f}{m[name]['tuned']:>10.4f}")
    rc = suite["risk_coverage"]
    print(f"{'aurc':<18}{rc['aurc_before']:>14.4f}{rc['aurc_after']:>10.4f}")
    print("risk–coverage after calibration (held out): coverage -> risk at threshold")
    after = rc["after"]
    for want in (0.1, 0.25, 0.5, 0.75, 1.0):
        point = next((p for p in after if p["coverage"] >= want - 1e-9), after[-1])
        print(f"  coverage {point['coverage']:.2f}  risk {point['risk']:.3f}  threshold {point['threshold']:.4f}")
    print(f"caution levels (fit split thresholds; target risk {args.target_risk:.0%} at 'cautious'), held out:")
    for name, level in suite["levels_heldout"].items():
        print(f"  {name:<10} threshold {level['threshold']:.4f}  coverage {level['coverage']:.2f}  risk {level['risk']:.3f}")
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "suite": suite,
                                         "load_seconds": load_s, "answer_seconds": answer_s}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
