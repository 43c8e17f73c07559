"""Paired bootstrap confidence intervals for base-versus-tuned comparisons.

Both models are scored on the same items, so the difference is estimated per resample of
items (the same resampled items for both models): the interval then reflects which items
happened to be in the set, not noise between two unrelated samples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 20251125
LEVEL = 0.95

Statistic = Callable[[np.ndarray], float]


def mean_of(values: Sequence[float]) -> Statistic:
    arr = np.asarray(values, dtype=np.float64)
    return lambda idx: float(arr[idx].mean()) if len(idx) else float("nan")


def ratio_of(numerators: Sequence[float], denominators: Sequence[float]) -> Statistic:
    """sum(num[idx]) / sum(den[idx]): a token-weighted mean over resampled items."""
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)

    def stat(idx: np.ndarray) -> float:
        d = den[idx].sum()
        return float(num[idx].sum() / d) if d else float("nan")

    return stat


def _indices(n: int, resamples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(resamples, n))


def _interval(samples: np.ndarray) -> list[float]:
    alpha = (1 - LEVEL) / 2
    samples = samples[~np.isnan(samples)]
    if not len(samples):
        return [float("nan"), float("nan")]
    return [float(np.quantile(samples, alpha)), float(np.quantile(samples, 1 - alpha))]


def paired_comparison(
    n: int,
    base: Statistic,
    tuned: Statistic,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> dict[str, float | list[float] | int]:
    """Point estimates of a statistic for both models, their difference, and 95 % intervals
    from ``resamples`` paired bootstrap resamples of the ``n`` items (seeded)."""
    full = np.arange(n)
    b, t = base(full), tuned(full)
    out: dict = {"base": b, "tuned": t, "delta": t - b, "n": n}
    if n < 2 or resamples < 1:
        out.update(base_ci=[b, b], tuned_ci=[t, t], delta_ci=[t - b, t - b])
        return out
    idx = _indices(n, resamples, seed)
    bs = np.array([base(i) for i in idx])
    ts = np.array([tuned(i) for i in idx])
    out.update(base_ci=_interval(bs), tuned_ci=_interval(ts), delta_ci=_interval(ts - bs), resamples=resamples)
    return out
