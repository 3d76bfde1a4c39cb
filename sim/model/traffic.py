"""Travel times that vary: time-of-day factors per road class and random edge-time variation.

Plans use *expected* times: the free-flow time of each edge times the factor of its road class
for the clock hour (one :class:`~sim.network.oracle.TravelOracle` per distinct set of hourly
factors). Vehicles drive *realised* times: each edge's expected time (at the hour the drive
starts) times an independent lognormal draw with mean 1 and the coefficient of variation of its
road class, from the vehicle's own generator. With every factor 1 and every CV 0 nothing is drawn
and the free-flow oracle is used unchanged, so results are identical to fixed times.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from sim.network.domain import RoadDomain
from sim.network.graph import RoadNetwork
from sim.network.oracle import TravelOracle

HOURS = 24


@dataclass(frozen=True, slots=True)
class TrafficParams:
    """Hourly travel-time factors and lognormal CV per road class.

    ``factors[class]`` holds 24 multipliers of the free-flow time (hour 0 = 00:00-01:00);
    ``cv[class]`` the coefficient of variation of an edge's time. The class ``"default"``
    applies to every road class not named (factor 1 and CV 0 when it is not given either).
    """

    factors: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    cv: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for cls, values in self.factors.items():
            if len(values) != HOURS or any(not (v > 0 and math.isfinite(v)) for v in values):
                raise ValueError(f"factors[{cls!r}] must be {HOURS} positive numbers, got {values!r}")
        for cls, c in self.cv.items():
            if not (c >= 0 and math.isfinite(c)):
                raise ValueError(f"cv[{cls!r}] must be a non-negative number, got {c!r}")

    @property
    def time_of_day(self) -> bool:
        """Whether any hourly factor differs from 1."""
        return any(v != 1.0 for values in self.factors.values() for v in values)

    @property
    def random(self) -> bool:
        """Whether any edge time is drawn at random."""
        return any(c > 0 for c in self.cv.values())

    @property
    def varies(self) -> bool:
        return self.time_of_day or self.random

    def hour_factors(self, hour: int) -> dict[str, float]:
        """The factor of every named class (and ``default``) in clock hour ``hour`` (0-23)."""
        return {cls: values[hour % HOURS] for cls, values in self.factors.items()}


class TravelTimes:
    """Expected travel times by clock hour and realised drives, for one vehicle type.

    Parameters
    ----------
    net : RoadNetwork
    params : TrafficParams
    speed_cap_mps : float | None
        The vehicle type's speed cap (m/s).
    domain : RoadDomain | None
        The vehicle type's operating domain (its permitted roads and class caps).
    """

    def __init__(
        self, net: RoadNetwork, params: TrafficParams, *, speed_cap_mps: float | None = None,
        domain: RoadDomain | None = None,
    ) -> None:
        self.params = params
        self._free = net.oracle(speed_cap_mps=speed_cap_mps, domain=domain)
        self._hourly = [
            net.oracle(speed_cap_mps=speed_cap_mps, class_factors=params.hour_factors(h), domain=domain)
            if params.time_of_day else self._free
            for h in range(HOURS)
        ]
        default_cv = float(params.cv.get("default", 0.0))
        cv = np.array([float(params.cv.get(c, default_cv)) for c in net.edge_class], dtype=float)
        self._sigma = np.sqrt(np.log1p(cv**2))  # lognormal with mean 1: mu = -sigma^2 / 2
        self._random = bool(np.any(cv > 0))

    @property
    def varies(self) -> bool:
        return self.params.varies

    def oracle_at(self, t: float) -> TravelOracle:
        """The expected-time oracle of the clock hour of ``t`` (seconds since midnight)."""
        return self._hourly[int(t // 3600.0) % HOURS]

    def next_change_s(self, t: float) -> float:
        """The next time after ``t`` at which the expected-time oracle changes (``inf`` if never)."""
        h = int(t // 3600.0)
        for k in range(1, HOURS + 1):
            if self._hourly[(h + k) % HOURS] is not self._hourly[h % HOURS]:
                return (h + k) * 3600.0
        return math.inf

    def drive(self, path: list[int], t0: float, rng: np.random.Generator | None) -> list[float]:
        """Realised times (seconds since midnight) at each node of ``path`` for a drive leaving at ``t0``.

        Each edge takes its expected time in the hour of ``t0`` times, when its class has a CV,
        a lognormal draw with mean 1 (one draw per edge, from ``rng``).
        """
        if len(path) < 2:
            return [t0] * len(path)
        times, edges = self.oracle_at(t0).path_edges(path)
        if self._random:
            if rng is None:
                raise ValueError("random travel times need a generator")
            sigma = self._sigma[edges]
            times = times * np.exp(sigma * rng.standard_normal(len(times)) - sigma**2 / 2.0)
        return [t0, *(t0 + np.cumsum(times)).tolist()]
