"""Synthetic population of the demand zones: persons by town × age band × licence × car, as arrays.

Every resident is one entry of a few parallel numpy arrays (no Python object per person):

* ``town`` – index of the home zone (into the zone list);
* ``age`` – age band index into :data:`AGE_BANDS` (0–14, 15–64, 65–74, 75+);
* ``licence`` – holds a driving licence;
* ``car`` – lives in a household with a car;
* ``lift`` – someone else in the household can give a lift by car (car passenger).

Integerisation: town totals are the zone populations (already scaled to the scenario's
``population_total``) rounded by the largest-remainder method, so they sum exactly to the rounded
total and each differs from its scaled census value by less than one person. Within a town the age
bands are a multinomial draw from the town's age shares; licence, car and lift are Bernoulli draws
per person. Shares therefore match their inputs within sampling error (tests check both).

Sources of the defaults (copied from the project's table of sourced facts, PARAMETERS.md section
"Travel behaviour"; every other number is an ASSUMPTION and a scenario key under
``[demand.behaviour]``):

* age structure — 社人研 2018 projection for Sodegaura, 2025: 60,638 people, 0–14 7,691 (12.7 %),
  75+ 10,190 (16.8 %); 65–74: 11.7 % in 2010, 15.2 % projected for 2040 (chiiki-chienowa.net).
  The 65–74 share of 12.0 % is an ASSUMPTION between those two sourced values; 15–64 is the rest.
* 65+ above 30 % in the districts 根形, 平岡 and 中川富岡 (PARAMETERS.md, district ageing); the
  default 0.32 for their towns is an ASSUMPTION inside "over 30 %", other towns keep the city shares.
* licence holding — Gunma PT 2015: 84.8 % at 65–74, 28.9 % at 75+ (after surrenders of ≈ 5–6 %
  of 75+ holders a year, National Police Agency); 15–64: 80 % is an ASSUMPTION (under-18s hold
  none); 0–14: 0.
* cars — Chiba has 0.972 cars per household (自動車検査登録情報協会, 2019); the share of
  residents living in a household with a car, 0.80, is an ASSUMPTION consistent with it (households
  that own a car own ≈ 1.2 on average).
* lifts — the share of residents of car households for whom another member can drive them, by age
  band, is an ASSUMPTION (0.9, 0.5, 0.5, 0.6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.demand.zones import Zone
from sim.errors import DemandError

#: Age shares must sum to 1 within this (dimensionless; they are typed with three decimals).
SHARE_SUM_TOLERANCE = 1e-3

#: Age bands (labels used in outputs).
AGE_BANDS: tuple[str, ...] = ("0-14", "15-64", "65-74", "75+")

#: Districts whose towns have more than 30 % of residents aged 65+ (PARAMETERS.md).
OLDER_DISTRICTS: tuple[str, ...] = ("根形", "平岡", "中川富岡")


@dataclass(frozen=True, slots=True)
class PopulationParams:
    """Inputs of the synthetic population (shares are fractions in [0, 1]).

    Attributes
    ----------
    age_shares : tuple of 4 floats
        City-wide share of each age band (sums to 1).
    older_share_65plus : float
        Share aged 65+ in the towns of :data:`OLDER_DISTRICTS` (the 65–74 : 75+ ratio is kept).
    licence_by_age : tuple of 4 floats
        Share holding a driving licence, per age band.
    car_share : float
        Share of residents living in a household with a car.
    lift_by_age : tuple of 4 floats
        Share of residents of car households who can be driven by another member, per age band.
    """

    age_shares: tuple[float, float, float, float] = (0.127, 0.585, 0.120, 0.168)
    older_share_65plus: float = 0.32
    licence_by_age: tuple[float, float, float, float] = (0.0, 0.80, 0.848, 0.289)
    car_share: float = 0.80
    lift_by_age: tuple[float, float, float, float] = (0.9, 0.5, 0.5, 0.6)

    def __post_init__(self) -> None:
        for key in ("age_shares", "licence_by_age", "lift_by_age"):
            v = getattr(self, key)
            if len(v) != len(AGE_BANDS) or any(not 0.0 <= x <= 1.0 for x in v):
                raise DemandError(
                    f"demand.behaviour.{key}: {list(v)!r} must be 4 shares in [0, 1] "
                    f"(age bands {', '.join(AGE_BANDS)})"
                )
        if abs(sum(self.age_shares) - 1.0) > SHARE_SUM_TOLERANCE:
            raise DemandError(
                f"demand.behaviour.age_shares: {list(self.age_shares)!r} must sum to 1"
            )
        for key in ("older_share_65plus", "car_share"):
            v = getattr(self, key)
            if not 0.0 <= v <= 1.0:
                raise DemandError(
                    f"demand.behaviour.{key}: {v!r} must be a share in [0, 1]"
                )


@dataclass(frozen=True, slots=True)
class Population:
    """Residents as parallel arrays (one entry per person), with the zones' integer totals."""

    town: np.ndarray
    age: np.ndarray
    licence: np.ndarray
    car: np.ndarray
    lift: np.ndarray
    town_totals: np.ndarray
    town_age_shares: np.ndarray

    @property
    def size(self) -> int:
        """Number of persons."""
        return int(self.town.size)

    @property
    def drives(self) -> np.ndarray:
        """Can drive a car (licence and a car in the household)."""
        return self.licence & self.car


def integerise(values: np.ndarray) -> np.ndarray:
    """Largest-remainder rounding: integers summing to ``round(values.sum())``, each within 1.

    Ties in the remainders go to the lower index (deterministic).
    """
    values = np.asarray(values, dtype=float)
    floors = np.floor(values)
    short = int(np.rint(values.sum())) - int(floors.sum())
    rema = values - floors
    order = np.lexsort((np.arange(values.size), -rema))
    out = floors.astype(np.int64)
    out[order[:short]] += 1
    return out


def town_age_shares(zones: Sequence[Zone], params: PopulationParams) -> np.ndarray:
    """Age-band shares per zone (rows sum to 1): the city shares, with 65+ raised to
    ``older_share_65plus`` in the towns of :data:`OLDER_DISTRICTS`."""
    base = np.asarray(params.age_shares, dtype=float)
    out = np.tile(base, (len(zones), 1))
    old = base[2] + base[3]
    young = base[0] + base[1]
    if old > 0 and young > 0:
        aged = np.concatenate(
            [
                base[:2] * (1 - params.older_share_65plus) / young,
                base[2:] * params.older_share_65plus / old,
            ]
        )
        for k, z in enumerate(zones):
            if z.district in OLDER_DISTRICTS:
                out[k] = aged
    return out


def synthesize(
    zones: Sequence[Zone], params: PopulationParams, rng: np.random.Generator
) -> Population:
    """Draw the residents of ``zones`` (see the module docstring).

    Parameters
    ----------
    zones
        Demand zones with their (scaled) resident populations.
    params
        Population inputs.
    rng
        The run's demand generator (the only source of randomness).
    """
    pops = np.array([z.population for z in zones], dtype=float)
    if pops.size == 0 or not np.all(np.isfinite(pops)) or (pops < 0).any():
        raise DemandError(
            "population: zones must have finite, non-negative populations"
        )
    totals = integerise(pops)
    shares = town_age_shares(zones, params)
    counts = np.vstack(
        [rng.multinomial(int(n), shares[k]) for k, n in enumerate(totals)]
    )
    town = np.repeat(
        np.repeat(np.arange(len(zones), dtype=np.int32), len(AGE_BANDS)), counts.ravel()
    )
    age = np.repeat(
        np.tile(np.arange(len(AGE_BANDS), dtype=np.int8), len(zones)), counts.ravel()
    )
    n = town.size
    licence = rng.random(n) < np.asarray(params.licence_by_age)[age]
    car = rng.random(n) < params.car_share
    lift = car & (rng.random(n) < np.asarray(params.lift_by_age)[age])
    return Population(town, age, licence, car, lift, totals, shares)
