"""Calibration of multiple-choice answers: ECE, Brier score and the reliability diagram.

The model's probability for each option is the softmax of the options' log-likelihoods;
its confidence is the largest of them and it is right when that option is the gold one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

N_BINS = 10


def reliability_bins(confidences: Sequence[float], correct: Sequence[bool], n_bins: int = N_BINS) -> list[dict]:
    """Equal-width confidence bins: count, mean confidence and accuracy of each."""
    bins = [{"lo": i / n_bins, "hi": (i + 1) / n_bins, "count": 0, "confidence": 0.0, "accuracy": 0.0}
            for i in range(n_bins)]
    for conf, ok in zip(confidences, correct):
        k = min(int(conf * n_bins), n_bins - 1)
        b = bins[k]
        b["count"] += 1
        b["confidence"] += conf
        b["accuracy"] += 1.0 if ok else 0.0
    for b in bins:
        if b["count"]:
            b["confidence"] /= b["count"]
            b["accuracy"] /= b["count"]
    return bins


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], n_bins: int = N_BINS) -> float:
    """ECE: the count-weighted mean |accuracy - confidence| over equal-width bins."""
    n = len(confidences)
    if not n:
        return 0.0
    return sum(b["count"] / n * abs(b["accuracy"] - b["confidence"]) for b in reliability_bins(confidences, correct, n_bins))


def brier_score(probabilities: Sequence[Sequence[float]], gold: Sequence[int]) -> float:
    """Multi-class Brier score: mean over items of the squared error to the one-hot answer."""
    if not probabilities:
        return 0.0
    total = 0.0
    for probs, g in zip(probabilities, gold):
        total += sum((p - (1.0 if k == g else 0.0)) ** 2 for k, p in enumerate(probs))
    return total / len(probabilities)


def item_brier(probs: Sequence[float], gold: int) -> float:
    return sum((p - (1.0 if k == gold else 0.0)) ** 2 for k, p in enumerate(probs))


# --- confidence calibration of answers (the ``calibration`` technique) ------------------------------
#
# A calibration job asks the tuned model each labelled item and scores its answer: the answer's
# confidence is the geometric mean of its tokens' probabilities, each token's distribution taken from
# the logits divided by a temperature T (temperature scaling, Guo et al. 2017, "On Calibration of Modern
# Neural Networks"). T = 1 is the model as it is; T > 1 makes it less sure of every answer, T < 1 more.
# T is the one that minimises the negative log-likelihood of right/wrong on the fit split; the
# abstention thresholds are read off the fit split's risk–coverage curve; every figure the card shows is
# measured on the other, held-out split. Plain Python: the model side (evaluation/suites/confidence.py)
# hands in, per item, the mean token log-probability of its answer at each temperature of the grid.

# Log-spaced from 0.05 to 20 (ratio ~1.078 between neighbours); T = 1 is on the grid.
TEMPERATURE_GRID: tuple[float, ...] = tuple(round(math.exp(math.log(0.05) + k * (math.log(20.0) - math.log(0.05)) / 80), 6)
                                            for k in range(81))
# Caution levels a chat request may ask for, from the most cautious to the most proactive.
CAUTION_LEVELS = ("cautious", "balanced", "proactive")
_EPS = 1e-6


def binary_brier(confidences: Sequence[float], correct: Sequence[bool]) -> float:
    """Mean squared error of the confidence against 1 (right) or 0 (wrong)."""
    if not confidences:
        return float("nan")
    return sum((c - (1.0 if ok else 0.0)) ** 2 for c, ok in zip(confidences, correct)) / len(confidences)


def binary_nll(confidences: Sequence[float], correct: Sequence[bool]) -> float:
    """Mean negative log-likelihood of right/wrong under the confidence (clipped away from 0 and 1)."""
    if not confidences:
        return float("nan")
    total = 0.0
    for c, ok in zip(confidences, correct):
        c = min(max(c, _EPS), 1 - _EPS)
        total -= math.log(c) if ok else math.log(1 - c)
    return total / len(confidences)


def confidences_at(mean_logprobs: Sequence[Sequence[float]], k: int) -> list[float]:
    """Each item's confidence at grid temperature ``k``: exp(mean token log-probability)."""
    return [min(1.0, math.exp(row[k])) for row in mean_logprobs]


def fit_temperature(mean_logprobs: Sequence[Sequence[float]], correct: Sequence[bool],
                    grid: Sequence[float] = TEMPERATURE_GRID) -> tuple[float, int]:
    """(T, its grid index) minimising the right/wrong NLL on these (fit-split) items.

    ``mean_logprobs[i][k]`` is item i's mean answer-token log-probability at temperature ``grid[k]``.
    A tie keeps the temperature nearest 1 (the model unchanged)."""
    if not mean_logprobs:
        raise ValueError("cannot fit a temperature on no items")
    one = min(range(len(grid)), key=lambda k: abs(math.log(grid[k])))
    best = min(range(len(grid)), key=lambda k: (round(binary_nll(confidences_at(mean_logprobs, k), correct), 12),
                                                abs(k - one)))
    return float(grid[best]), best


def risk_coverage(confidences: Sequence[float], correct: Sequence[bool]) -> list[dict[str, float]]:
    """The risk–coverage curve: answer only the items at or above each confidence, from the most
    confident down. Each point: the threshold, the share answered (coverage) and the share of those
    answers that is wrong (risk). Tied confidences enter together."""
    order = sorted(range(len(confidences)), key=lambda i: -confidences[i])
    n = len(order)
    points: list[dict[str, float]] = []
    wrong = 0
    for rank, i in enumerate(order, start=1):
        wrong += 0 if correct[i] else 1
        if rank < n and confidences[order[rank]] == confidences[i]:
            continue
        points.append({"threshold": float(confidences[i]), "coverage": rank / n, "risk": wrong / rank})
    return points


def area_under_risk_coverage(points: Sequence[dict[str, float]]) -> float:
    """Mean risk over coverage (a step integral from coverage 0): lower means confidence ranks better."""
    area, last = 0.0, 0.0
    for p in points:
        area += (p["coverage"] - last) * p["risk"]
        last = p["coverage"]
    return area / last if last else float("nan")


def threshold_for_risk(confidences: Sequence[float], correct: Sequence[bool], target_risk: float) -> dict[str, float]:
    """The lowest threshold (the most answers) whose answers are wrong at most ``target_risk`` of the time.

    Answer when confidence >= threshold; abstain below it. When no threshold meets the target the model
    abstains on everything (threshold above 1, coverage 0)."""
    best = {"threshold": 1.0 + _EPS, "coverage": 0.0, "risk": 0.0}
    for p in risk_coverage(confidences, correct):
        if p["risk"] <= target_risk + 1e-12:
            best = dict(p)
    return best


def operating_point(confidences: Sequence[float], correct: Sequence[bool], threshold: float) -> dict[str, float]:
    """Coverage and risk of answering exactly the items at or above ``threshold``."""
    answered = [ok for c, ok in zip(confidences, correct) if c >= threshold]
    n = len(confidences)
    return {"threshold": threshold, "coverage": len(answered) / n if n else 0.0,
            "risk": (sum(1 for ok in answered if not ok) / len(answered)) if answered else 0.0}


def caution_thresholds(confidences: Sequence[float], correct: Sequence[bool], target_risk: float) -> dict[str, dict]:
    """The threshold of each caution level, chosen on the fit split.

    - ``cautious``: wrong at most ``target_risk`` of the time among the answers it gives (the customer's target);
    - ``balanced``: halfway, in risk, between that target and answering everything;
    - ``proactive``: answers everything (threshold 0), reporting its confidence.
    A lower target never gets a lower threshold, so abstentions fall from cautious to proactive."""
    n = len(confidences)
    full_risk = sum(1 for ok in correct if not ok) / n if n else 0.0
    balanced_target = max(target_risk, (target_risk + full_risk) / 2)
    cautious = threshold_for_risk(confidences, correct, target_risk)
    balanced = threshold_for_risk(confidences, correct, balanced_target)
    if balanced["threshold"] > cautious["threshold"]:  # pragma: no cover - monotone by construction
        balanced = cautious
    return {
        "cautious": {**cautious, "target_risk": target_risk},
        "balanced": {**balanced, "target_risk": balanced_target},
        "proactive": {"threshold": 0.0, "coverage": 1.0, "risk": full_risk, "target_risk": None},
    }
