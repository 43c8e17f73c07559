"""Calibration of multiple-choice answers: ECE, Brier score and the reliability diagram.

The model's probability for each option is the softmax of the options' log-likelihoods;
its confidence is the largest of them and it is right when that option is the gold one.
"""

from __future__ import annotations

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
