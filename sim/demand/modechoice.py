"""Multinomial logit mode choice in generalised minutes (pure numpy, hand-checkable).

The utility of alternative ``m`` for decision-maker ``i`` is

    V[i, m] = ASC[m] + beta_time × (generalised minutes[i, m] + fare_yen[i, m] / value_of_time)

with ``beta_time`` < 0 (per generalised minute) and the value of time in yen per minute. The
choice probabilities are the multinomial logit

    P[i, m] = exp(V[i, m]) / Σ_k exp(V[i, k])      over the alternatives available to i,

and a choice is simulated exactly by adding independent standard Gumbel draws to the utilities and
taking the largest (the order of ``V + ε`` also gives each decision-maker's next choices, used
when a service refuses the first one). Draws are keyed by the alternative's name
(:func:`keyed_gumbel`): the same person, tour and taste draw for "walk" or for the service
"choisoko" in every scenario of a comparison (common random numbers), so adding or removing a
service changes only the choices it wins or loses.

Defaults, in generalised minutes (from PARAMETERS.md "Travel behaviour" or ASSUMPTION, all scenario
keys under ``[demand.behaviour]``):

* value of time 40 ¥/min: the Osaka-area nested logit of commuting (time −0.3696 /min, cost
  −0.0091 /¥, i.e. ≈ ¥2,400/h; nippon.zaidan.info, 2002), close to the MLIT bus-simulator default
  of 48.89 ¥/min (LINKS-Mobilys);
* ``beta_time`` −0.04 per generalised minute: ASSUMPTION chosen so that halving a line's headway
  raises its ridership by ×1.23–×1.62, the frequency elasticity 0.3–0.7 of the MLIT bus-service
  simulator (LINKS-Mobilys: 0.5 by default, urban 0.3–0.4, suburban 0.5–0.7). A choice over a whole
  day's trip (including every unobserved reason) is much less sensitive to one minute than the
  commuter route choice of the Osaka study, whose −0.37 /min would give elasticities of several units;
* alternative-specific constants: fitted by ``python main.py calibrate``.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

#: Modes available to everyone or by household (public-transport alternatives are added per scenario).
PRIVATE_MODES: tuple[str, ...] = ("walk", "bike", "car", "lift", "taxi")


def utilities(
    asc: np.ndarray,
    gen_min: np.ndarray,
    fare_yen: np.ndarray,
    available: np.ndarray,
    *,
    beta_time: float,
    value_of_time_yen_per_min: float,
) -> np.ndarray:
    """Utilities (n, m): ``asc`` broadcast over rows, ``-inf`` where an alternative is unavailable.

    Parameters
    ----------
    asc
        Constants, shape (m,) or (n, m).
    gen_min
        Generalised minutes (already weighted walk, wait and ride), shape (n, m).
    fare_yen
        Money cost in yen, shape (n, m).
    available
        Boolean, shape (n, m).
    beta_time
        Utility per generalised minute (negative).
    value_of_time_yen_per_min
        Yen worth one generalised minute (> 0).
    """
    v = asc + beta_time * (gen_min + fare_yen / value_of_time_yen_per_min)
    return np.where(available, v, -np.inf)


def probabilities(v: np.ndarray) -> np.ndarray:
    """Multinomial logit probabilities of utilities ``v`` (rows; ``-inf`` = unavailable).

    A row with nothing available gets probability 0 everywhere.
    """
    v = np.asarray(v, dtype=float)
    top = np.max(v, axis=-1, keepdims=True)
    finite = np.isfinite(top)
    e = np.where(np.isfinite(v), np.exp(v - np.where(finite, top, 0.0)), 0.0)
    total = e.sum(axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def logsum(v: np.ndarray) -> np.ndarray:
    """Expected maximum utility ``log Σ exp(V)`` per row (``-inf`` if nothing is available)."""
    v = np.asarray(v, dtype=float)
    top = np.max(v, axis=-1)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(
            np.where(np.isfinite(v), np.exp(v - safe[..., None]), 0.0).sum(axis=-1)
        )


def keyed_gumbel(seed: int, key: str, n: int) -> np.ndarray:
    """``n`` standard Gumbel draws that depend only on ``seed`` and the alternative ``key``.

    The key is hashed with CRC-32 (stable across processes and Python versions).
    """
    ss = np.random.SeedSequence(
        entropy=int(seed), spawn_key=(0xC0FFEE, zlib.crc32(key.encode("utf-8")))
    )
    return np.random.default_rng(ss).gumbel(size=n)


def ranking(v: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Alternatives in order of preference per row (index of the best first); unavailable ones
    (``-inf`` utility) come last, in column order."""
    total = np.where(np.isfinite(v), v + eps, -np.inf)
    return np.argsort(-total, axis=1, kind="stable")


def tour_choice(
    v_out: np.ndarray, v_back: np.ndarray, seed: int, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Tour-level choice: the utility of a tour's mode is the sum over its two trips; one keyed
    draw per tour and alternative. Returns (utilities, ranking)."""
    v = v_out + v_back
    eps = (
        np.column_stack([keyed_gumbel(seed, name, v.shape[0]) for name in names])
        if names
        else np.zeros_like(v)
    )
    return v, ranking(v, eps)
