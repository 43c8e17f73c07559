"""The chat guard's latency overhead on chat completions with the real model, side by side.

For each prompt, the same greedy chat completion on the safety-aligned platform base of
SmolLM2-135M-Instruct (the model every base-model chat really runs), timed two ways in one run:
- **unguarded**: the backend's generation alone (what chat completions did before the guard);
- **guarded**: the guard's input screen, the same generation, and the guard's output screen
  (what tuning.inference.chat_completion does now).
The guard's own time is measured separately too. Prompts: the harmless prompts of the guard's held-out
set (review/guard_labelled.py); the model, the embedding model and the guard's neighbour index are
warmed up first, so the figures are the steady state of a serving process.

    .venv/bin/python bench/guard_latency.py [--n 40] [--max-tokens 64]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()

    import django

    django.setup()
    import torch

    from review import guard, guard_labelled
    from tuning import conf
    from tuning.backends.base import get_backend

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    backend = get_backend("local")
    base = conf.training_base_model(conf.SMOLLM2)
    model, tokenizer = backend.load_for_inference(base, None)
    prompts = [text for text, label, _ in guard_labelled.PROMPTS if label == "harmless"][: args.n]

    def messages(text):
        return [{"role": "user", "content": text}]

    # Warm up: the model, the embedding model and the neighbour index.
    backend.generate(model, tokenizer, messages("Hello"), max_new_tokens=4, temperature=0.0)
    guard.screen_output(messages("Hello"), guard.screen_input(messages("Hello")).suspicion and "Hi" or "Hi there.")

    unguarded, guarded, guard_only, tokens, blocked = [], [], [], [], 0
    for text in prompts:
        started = time.perf_counter()
        result = backend.generate(model, tokenizer, messages(text), max_new_tokens=args.max_tokens, temperature=0.0)
        unguarded.append(time.perf_counter() - started)
        tokens.append(result.completion_tokens)

        started = time.perf_counter()
        screened = guard.screen_input(messages(text))
        guard_in = time.perf_counter() - started
        if screened.blocked:
            blocked += 1
            guarded.append(guard_in)
            guard_only.append(guard_in)
            continue
        generated = backend.generate(model, tokenizer, messages(text), max_new_tokens=args.max_tokens, temperature=0.0)
        mid = time.perf_counter()
        verdict = guard.screen_output(messages(text), generated.text, suspicion=screened.suspicion)
        end = time.perf_counter()
        blocked += verdict.blocked
        guarded.append(end - started)
        guard_only.append(guard_in + (end - mid))

    def summary(values):
        values = sorted(values)
        return {"median_ms": round(1000 * statistics.median(values), 1),
                "p90_ms": round(1000 * values[int(0.9 * (len(values) - 1))], 1),
                "mean_ms": round(1000 * statistics.mean(values), 1)}

    report = {
        "model": base, "prompts": len(prompts), "max_tokens": args.max_tokens,
        "mean_completion_tokens": round(statistics.mean(tokens), 1), "torch_threads": torch.get_num_threads(),
        "unguarded_completion": summary(unguarded), "guarded_completion": summary(guarded),
        "guard_alone": summary(guard_only),
        "overhead_of_median": round(statistics.median(guard_only) / statistics.median(unguarded), 3),
        "harmless_prompts_blocked": blocked,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
