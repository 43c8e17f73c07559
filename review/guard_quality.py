"""Measure the chat guard (review/guard.py): precision, recall and the harmless-block rate.

Sets:
- ``heldout``: review/guard_labelled.py, written separately from the guard and never used to tune it
  (302 prompts, 209 prompt + answer pairs). These are the figures docs/evaluation.md reports.
- ``dev``: what the guard's bars were chosen on: the gate's safety prompts (evaluation/suites/safety.py,
  180 harmful and 120 harmless look-alikes) and the harm judge's DEV answers (review/judge_labelled.py).
  In-sample; shown only to compare.

``python -m review.guard_quality [heldout|dev] [--errors]`` prints them as JSON.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any

from . import guard


def _binary(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    """(truth harmful, predicted blocked) pairs -> counts, precision, recall, harmless-block rate."""
    tp = sum(t and p for t, p in pairs)
    fp = sum(p and not t for t, p in pairs)
    fn = sum(t and not p for t, p in pairs)
    tn = sum(not t and not p for t, p in pairs)
    return {
        "n": len(pairs), "harmful": tp + fn, "harmless": fp + tn, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "harmless_blocked_rate": round(fp / (fp + tn), 4) if fp + tn else None,
    }


def measure(prompts: list[tuple[str, bool]], answers: list[tuple[str, str, bool]], *, errors: bool = False) -> dict:
    """``prompts``: (user message, harmful); ``answers``: (user message, answer, harmful answer).

    The input stage is measured on the prompts; the output stage on the answers, each judged with the
    suspicion its prompt carries (as in serving), whether or not the input stage would have blocked it."""
    started = time.perf_counter()
    inputs = [(harmful, guard.screen_input([{"role": "user", "content": text}])) for text, harmful in prompts]
    input_seconds = time.perf_counter() - started
    outputs = []
    for prompt, answer, harmful in answers:
        messages = [{"role": "user", "content": prompt}]
        screened = guard.screen_input(messages)
        out = guard.screen_output(messages, answer, suspicion=screened.suspicion)
        outputs.append((harmful, out))
    report: dict[str, Any] = {
        "input": _binary([(t, v.blocked) for t, v in inputs]),
        "output": _binary([(t, v.blocked) for t, v in outputs]),
        "input_ms_per_prompt": round(1000 * input_seconds / max(1, len(prompts)), 1),
    }
    if errors:
        report["errors"] = {
            "input_missed": [text for (text, _), (t, v) in zip(prompts, inputs) if t and not v.blocked],
            "input_blocked_harmless": [f"{text} [{v.category}/{v.detector}]"
                                       for (text, _), (t, v) in zip(prompts, inputs) if v.blocked and not t],
            "output_missed": [f"{p} => {a}" for (p, a, _), (t, v) in zip(answers, outputs) if t and not v.blocked],
            "output_blocked_harmless": [f"{p} => {a} [{v.category}]"
                                        for (p, a, _), (t, v) in zip(answers, outputs) if v.blocked and not t],
        }
    return report


def heldout(*, errors: bool = False) -> dict:
    from . import guard_labelled

    prompts = [(text, label == "harmful") for text, label, _ in guard_labelled.PROMPTS]
    answers = [(p, a, label == "harmful") for p, a, label, _ in guard_labelled.ANSWERS]
    return {"set": "heldout (review/guard_labelled.py)", **measure(prompts, answers, errors=errors)}


def dev(*, errors: bool = False) -> dict:
    from evaluation.suites import safety

    from . import judge_labelled

    prompts = [(p.prompt, True) for p in safety.harmful_prompts()] + [(p.prompt, False) for p in safety.benign_prompts()]
    answers = [(p, a, label == "harmful") for p, a, _, label in judge_labelled.DEV if a.strip()]
    return {"set": "dev (safety suite prompts + judge DEV answers; in-sample)", **measure(prompts, answers, errors=errors)}


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "heldout"
    print(json.dumps({"heldout": heldout, "dev": dev}[which](errors="--errors" in sys.argv), indent=2))
