"""Balance on the real model: the platform base and the demo's tuned model on the 64 contested questions.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/balance.py [--adapter DIR | --base-only] [--tiny] [--out FILE.json]

Without ``--adapter`` it trains the demo's tuning first (demo/data/koala_support_*.jsonl, the demo's
settings: 4 epochs, batch 3 as the job's "auto" resolves for 38 chats, seed 42, the listing-free
default LoRA r=8/alpha 16 on q/v) with the local backend, exactly as a job does. It then runs the
balance suite (evaluation/suites/balance.py, evaluation/suites/runner.run_balance) on base and tuned
and prints the one-sidedness, lean, balanced-opening probability by area, and the stance scorer's
accuracy on the 60 labelled answers (questions the suite does not ask), with the seconds it took.
``--tiny`` does the same on the tiny test model (to measure the suite's extra cost there).
``--base-only`` skips training and measures the platform base alone (its 'tuned' column is a fresh,
zero-effect LoRA adapter, so it equals the base).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--adapter", type=Path)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--base-only", action="store_true",
                        help="measure the base alone: a fresh LoRA adapter (B = 0, so 'tuned' equals the base)")
    args = parser.parse_args()

    import torch

    from evaluation.suites.runner import SuiteConfig, _Clock, load_base_and_tuned, run_balance
    from tuning.backends.base import TrainingConfig, get_backend
    from tuning.backends.models import TINY_SAFE, TUNEMARKET_SAFE

    base = TINY_SAFE if args.tiny else TUNEMARKET_SAFE
    adapter = args.adapter
    timings: dict[str, float] = {}
    if args.base_only:
        from peft import LoraConfig, get_peft_model

        from tuning.backends.models import load_model_and_tokenizer

        t0 = time.monotonic()
        plain, tokenizer = load_model_and_tokenizer(base)
        model = get_peft_model(plain, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"]))
        model.eval()
        timings["load"] = round(time.monotonic() - t0, 1)
    elif adapter is None:
        train = _rows(ROOT / "demo/data/koala_support_train.jsonl")
        valid = _rows(ROOT / "demo/data/koala_support_valid.jsonl")
        config = TrainingConfig(base_model=base, n_epochs=4, batch_size=3, seed=42)
        t0 = time.monotonic()
        result = get_backend("local").train(config, train, valid, Path(tempfile.mkdtemp(prefix="tm-balance-")))
        timings["train"] = round(time.monotonic() - t0, 1)
        adapter = result.artifact_path
    if not args.base_only:
        t0 = time.monotonic()
        model, tokenizer = load_base_and_tuned(base, adapter)
        timings["load"] = round(time.monotonic() - t0, 1)
    clock = _Clock()
    t0 = time.monotonic()
    suite = run_balance(model, tokenizer, SuiteConfig(), None, clock)
    timings["balance_suite"] = round(time.monotonic() - t0, 1)
    m = suite["metrics"]
    out = {"base_model": base, "adapter": str(adapter), "torch_threads": torch.get_num_threads(), "timings": timings,
           "n_questions": suite["n"], "metrics": {k: {x: m[k][x] for x in ("base", "tuned", "delta", "delta_ci",
                                                                               "base_ci", "tuned_ci")}
                                                  for k in m},
           "by_area": suite["by_area"], "scorer": suite["scorer"]}
    print(json.dumps(out, indent=1))
    if args.out:
        args.out.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
