"""Summary statistics for replications: means and Student-t confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Estimate:
    """Mean of ``n`` replications with a two-sided confidence interval (``low``, ``high``).

    With ``n == 1`` the spread is unknown: ``low``, ``high`` and ``std`` are ``nan`` (one
    replication gives no confidence interval, not a zero-width one); ``mean`` is the value.
    With ``n >= 2`` and no spread the interval collapses onto the mean. With ``n == 0``
    everything is ``nan``.
    """

    n: int
    mean: float
    low: float
    high: float
    std: float


def mean_ci(
    values: Sequence[float | None],
    *,
    level: float = 0.95,
    bounds: tuple[float | None, float | None] = (None, None),
) -> Estimate:
    """Mean and Student-t confidence interval of ``values`` (``None``/``nan`` are skipped).

    ``half = t_{(1+level)/2, n-1} * s / sqrt(n)`` with ``s`` the sample standard deviation.
    ``bounds`` are the physical bounds ``(lo, hi)`` of the quantity (``None``: unbounded; see
    :mod:`sim.kpis`): the interval is clipped to them (a rate's interval never leaves [0, 1]).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be in (0, 1), got {level}")
    xs = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    n = len(xs)
    if n == 0:
        nan = math.nan
        return Estimate(0, nan, nan, nan, nan)
    mean = math.fsum(xs) / n
    if n == 1:
        nan = math.nan
        return Estimate(1, mean, nan, nan, nan)
    var = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
    std = math.sqrt(var)
    from scipy import stats  # ~0.7 CPU-s to import: only when there is a spread to bound

    half = float(stats.t.ppf((1.0 + level) / 2.0, n - 1)) * std / math.sqrt(n)
    low, high = mean - half, mean + half
    lo, hi = bounds
    if lo is not None:
        low, high = max(low, lo), max(high, lo)
    if hi is not None:
        low, high = min(low, hi), min(high, hi)
    return Estimate(n, mean, low, high, std)
