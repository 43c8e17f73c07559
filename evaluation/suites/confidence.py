"""The calibration technique on a model: ask the labelled items, fit the confidence, measure it held out.

Each item (tuning/validation.py ``calibration_item``) is asked as a chat, with the job's system prompt,
exactly as a chat completion would ask it: the model answers greedily and the answer is right when it
names an accepted answer (a multiple-choice item: its gold option, and no other option). The answer's
confidence is the geometric mean of its tokens' probabilities under temperature T
(``tuning.backends.generation.answer_mean_logprobs``, the function chat completions call too).

The items are split in two by the job's seed: T and the caution levels' abstention thresholds are fitted
on one half; ECE, Brier, the reliability diagram and the risk–coverage curve, before (T = 1) and after,
are measured on the other. Torch + transformers (through the backend's generation module); no Django.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tuning.backends.chat import end_of_turn_token
from tuning.backends.generation import answer_mean_logprobs
from tuning.validation import item_messages

from . import calibration, stats
from .scoring import generate_greedy

METHOD = ("Temperature scaling (Guo et al. 2017) of the answer token log-probabilities, fitted by minimising the "
          "right/wrong negative log-likelihood on a grid of temperatures; abstention thresholds read off the "
          "risk–coverage curve of the fit split")
SPLIT = "The labelled items, shuffled by the job's seed: the first half fits, the second half is held out and measured"
MAX_NEW_TOKENS = 16
FORMAT = 1


def _normalise(text: str, *, fold: bool = True) -> str:
    text = text.casefold() if fold else text
    text = re.sub(r"[^\w\s]", " ", text)
    return " " + " ".join(text.split()) + " "


def _mentions(answer: str, phrase: str, *, fold: bool = True) -> bool:
    """Whether ``phrase`` appears in ``answer`` as whole words (punctuation and spacing ignored)."""
    needle = _normalise(phrase, fold=fold).strip()
    return bool(needle) and f" {needle} " in _normalise(answer, fold=fold)


def is_correct(item: dict[str, Any], answer: str) -> bool:
    """Right when the answer names an accepted answer; for a multiple-choice item, the gold option and no
    other option (hedging between options is not an answer)."""
    if item.get("choices"):
        named = [k for k, c in enumerate(item["choices"]) if _mentions(answer, c)]
        if len(named) > 1:  # options that differ only in case or punctuation ("river", "RIVER")
            named = [k for k in named if _mentions(answer, item["choices"][k], fold=False)]
        return named == [item["gold"]]
    return any(_mentions(answer, a) for a in item["answers"])


def split_items(n: int, seed: int) -> tuple[list[int], list[int]]:
    """(fit indices, held-out indices): a seeded shuffle, halved (the fit half gets the odd one)."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    half = (n + 1) // 2
    return sorted(order[:half]), sorted(order[half:])


def answer_items(model: Any, tokenizer: Any, items: Sequence[dict[str, Any]], *, system_prompt: str | None,
                 grid: Sequence[float] = calibration.TEMPERATURE_GRID, max_new_tokens: int = MAX_NEW_TOKENS,
                 batch_size: int = 16, progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """Each item's greedy answer, whether it is right, and its mean answer log-probability at every grid T."""
    chats = []
    for item in items:
        chat = [item_messages(item)[0]]
        if system_prompt:
            chat.insert(0, {"role": "system", "content": system_prompt})
        chats.append(chat)
    prompts = [tokenizer.apply_chat_template(c, add_generation_prompt=True, tokenize=True, return_dict=True)["input_ids"]
               for c in chats]
    eot = tokenizer.convert_tokens_to_ids(end_of_turn_token(tokenizer))
    generated = generate_greedy(model, tokenizer, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size,
                                stop_token_id=eot)
    out = []
    for k, (item, chat, tokens) in enumerate(zip(items, chats, generated)):
        text = tokenizer.decode(tokens, skip_special_tokens=True).strip()
        out.append({"answer": text, "correct": is_correct(item, text),
                    "mean_logprobs": answer_mean_logprobs(model, tokenizer, chat, tokens, grid)})
        if progress is not None:
            progress(k + 1, len(items))
    return out


def _ece_statistic(conf: np.ndarray, ok: np.ndarray) -> stats.Statistic:
    return lambda idx: calibration.expected_calibration_error(conf[idx].tolist(), ok[idx].astype(bool).tolist())


def _metric(n: int, before: stats.Statistic, after: stats.Statistic, *, resamples: int, seed: int,
            higher_is_better: bool) -> dict[str, Any]:
    # "base" is before calibration and "tuned" after it, on the same held-out items (the gate's shape).
    return {**stats.paired_comparison(n, before, after, resamples=resamples, seed=seed),
            "higher_is_better": higher_is_better}


def fit_and_measure(answered: Sequence[dict[str, Any]], *, target_risk: float, seed: int,
                    grid: Sequence[float] = calibration.TEMPERATURE_GRID,
                    resamples: int = stats.DEFAULT_RESAMPLES) -> dict[str, Any]:
    """The calibration suite of a report from answered items: the fitted temperature and caution levels
    (fit split) and every figure before and after on the held-out split. Pure numbers, no model."""
    fit_idx, held_idx = split_items(len(answered), seed)
    if not fit_idx or not held_idx:
        raise ValueError("calibration needs items in both the fit and the held-out split")
    one = min(range(len(grid)), key=lambda k: abs(math.log(grid[k])))
    fit_rows = [answered[i]["mean_logprobs"] for i in fit_idx]
    fit_ok = [answered[i]["correct"] for i in fit_idx]
    temperature, k = calibration.fit_temperature(fit_rows, fit_ok, grid)
    levels = calibration.caution_thresholds(calibration.confidences_at(fit_rows, k), fit_ok, target_risk)

    held_rows = [answered[i]["mean_logprobs"] for i in held_idx]
    held_ok = [answered[i]["correct"] for i in held_idx]
    before = calibration.confidences_at(held_rows, one)
    after = calibration.confidences_at(held_rows, k)
    ok = np.array(held_ok, dtype=np.float64)
    b, a = np.array(before), np.array(after)
    n = len(held_idx)
    kw = {"resamples": resamples, "seed": seed}
    metrics = {
        "ece": _metric(n, _ece_statistic(b, ok), _ece_statistic(a, ok), higher_is_better=False, **kw),
        "brier": _metric(n, stats.mean_of((b - ok) ** 2), stats.mean_of((a - ok) ** 2), higher_is_better=False, **kw),
        "nll": _metric(n, lambda idx: calibration.binary_nll(b[idx].tolist(), ok[idx].astype(bool).tolist()),
                       lambda idx: calibration.binary_nll(a[idx].tolist(), ok[idx].astype(bool).tolist()),
                       higher_is_better=False, **kw),
        "mean_confidence": _metric(n, stats.mean_of(b), stats.mean_of(a), higher_is_better=True, **kw),
    }
    curve_before = calibration.risk_coverage(before, held_ok)
    curve_after = calibration.risk_coverage(after, held_ok)
    held_levels = {name: {**calibration.operating_point(after, held_ok, level["threshold"]),
                          "target_risk": level["target_risk"]} for name, level in levels.items()}
    return {
        "format": FORMAT,
        "method": METHOD,
        "split": {"description": SPLIT, "seed": seed, "n_fit": len(fit_idx), "n_heldout": n},
        "n": n,
        "accuracy": float(ok.mean()),
        "temperature": temperature,
        "target_risk": target_risk,
        "levels_fit": levels,
        "levels_heldout": held_levels,
        "metrics": metrics,
        "reliability": {"before": calibration.reliability_bins(before, held_ok),
                        "after": calibration.reliability_bins(after, held_ok)},
        "risk_coverage": {"before": curve_before, "after": curve_after,
                          "aurc_before": calibration.area_under_risk_coverage(curve_before),
                          "aurc_after": calibration.area_under_risk_coverage(curve_after)},
        "items": [{"index": i, "split": "fit" if i in set(fit_idx) else "heldout", "answer": answered[i]["answer"][:200],
                   "correct": bool(answered[i]["correct"])} for i in range(len(answered))],
    }


def fitted_calibration(suite: dict[str, Any]) -> dict[str, Any]:
    """What a released model keeps (calibration.json beside its adapter, and its card): the method, the
    temperature and the threshold of each caution level, with the held-out figures behind them."""
    return {
        "format": FORMAT,
        "method": suite["method"],
        "temperature": suite["temperature"],
        "target_risk": suite["target_risk"],
        "default_caution": "cautious",
        "levels": {name: {"threshold": level["threshold"], "target_risk": level["target_risk"],
                          "heldout_coverage": suite["levels_heldout"][name]["coverage"],
                          "heldout_risk": suite["levels_heldout"][name]["risk"]}
                   for name, level in suite["levels_fit"].items()},
        "heldout": {"n": suite["n"], "ece_before": suite["metrics"]["ece"]["base"],
                    "ece_after": suite["metrics"]["ece"]["tuned"]},
    }


def run_calibration(model: Any, tokenizer: Any, items: Sequence[dict[str, Any]], *, target_risk: float, seed: int,
                    system_prompt: str | None = None, resamples: int = stats.DEFAULT_RESAMPLES, batch_size: int = 16,
                    progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Answer the items with ``model`` (the tuned one: its adapter enabled) and fit and measure its confidence."""
    answered = answer_items(model, tokenizer, items, system_prompt=system_prompt, batch_size=batch_size,
                            progress=progress)
    return fit_and_measure(answered, target_risk=target_risk, seed=seed, resamples=resamples)
