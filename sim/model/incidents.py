"""Incidents of automated vehicles: a Poisson process in driven distance.

Each automated vehicle draws the distance to its next incident from an exponential
distribution with mean ``1 / rate_per_m`` metres. When its odometer passes that mark
the vehicle stops at the next node for a resolution time drawn from an exponential distribution
with mean ``remote_mean_s`` (resolved remotely, with probability ``remote_share``)
or ``onsite_mean_s`` (field staff drive out). Every vehicle has its own generator, spawned
from the run's simulation stream by service name and place in the fleet, so one vehicle's incidents do not depend on what
the others do.

Severity classes (issue 12): instead of the two exponential kinds above, a vehicle type may list
:class:`SeverityClass` records, each with its own rate per metre and a lognormal (or exponential)
duration, and a flag for classes that need field staff to drive out. The classes are independent
Poisson processes in distance; their superposition has rate ``sum(rate_per_m)`` and each incident
belongs to class ``k`` with probability ``rate_k / sum``. With ``classes`` empty (the default) the
process draws exactly as before (same numbers from the same generator). MATSim's remote-operations
extension uses the same model (incidents Poisson per metre per class; lognormal duration, median
≈ 300 s, sigma 0.5): see docs/PARAMETERS.md / README "Autonomous operations".
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DISTRIBUTIONS = ("lognormal", "exponential")


@dataclass(frozen=True, slots=True)
class SeverityClass:
    """One class of automation incidents.

    Attributes
    ----------
    name : str
        The class's name (``detail`` of its incident moves, ``severity`` of its records).
    rate_per_m : float
        Incidents of this class per metre driven (>= 0).
    median_s : float
        Median duration (seconds) of the operator's (or, with ``field``, the on-site) work.
    sigma : float
        Lognormal shape (standard deviation of the log duration); unused when exponential.
    distribution : str
        ``lognormal`` (median ``median_s``, shape ``sigma``) or ``exponential`` (median
        ``median_s``, so mean ``median_s / ln 2``).
    field : bool
        The incident needs field staff on site (they drive out from their base).
    road_classes : frozenset[str] | None
        The class happens only on roads of these OSM ``highway`` classes (its rate is then per
        metre driven on them; an edge of several classes counts if one of them is listed), e.g.
        interventions for on-street parking on residential streets; ``None``: on every road.
    """

    name: str
    rate_per_m: float
    median_s: float
    sigma: float = 0.5
    distribution: str = "lognormal"
    field: bool = False
    road_classes: frozenset[str] | None = None

    def draw_s(self, rng: np.random.Generator) -> float:
        """One duration in seconds."""
        if self.median_s <= 0.0:
            return 0.0
        if self.distribution == "exponential":
            return float(rng.exponential(self.median_s / math.log(2.0)))
        return float(rng.lognormal(math.log(self.median_s), self.sigma))


@dataclass(frozen=True, slots=True)
class IncidentSpec:
    """The incident rates of a vehicle type.

    Attributes
    ----------
    rate_per_m : float
        Incidents per metre driven (>= 0; 0: none).
    remote_share : float
        Probability that an incident is resolved remotely (0..1).
    remote_mean_s, onsite_mean_s : float
        Mean resolution time (seconds) of a remote and of an on-site incident.
    classes : tuple[SeverityClass, ...]
        Severity classes; when given they replace the four fields above.
    """

    rate_per_m: float = 0.0
    remote_share: float = 1.0
    remote_mean_s: float = 0.0
    onsite_mean_s: float = 0.0
    classes: tuple[SeverityClass, ...] = ()

    @property
    def total_rate_per_m(self) -> float:
        """Incidents per metre over every class."""
        return sum(c.rate_per_m for c in self.classes) if self.classes else self.rate_per_m


#: No incidents (human-driven vehicles).
NO_INCIDENTS = IncidentSpec()


@dataclass(frozen=True, slots=True)
class Incident:
    """One incident: how long the vehicle stops (seconds) and whether staff had to drive out."""

    duration_s: float
    onsite: bool
    severity: str = ""


class IncidentProcess:
    """The incident process of one vehicle (inactive with a zero rate or no generator)."""

    def __init__(self, spec: IncidentSpec, rng: np.random.Generator | None) -> None:
        self.rate_per_m = spec.total_rate_per_m
        self.classes = spec.classes
        self._class_p: np.ndarray | None = None
        if spec.classes and self.rate_per_m > 0:
            self._class_p = np.array([c.rate_per_m for c in spec.classes]) / self.rate_per_m
        self.remote_share = spec.remote_share
        self.remote_mean_s = spec.remote_mean_s
        self.onsite_mean_s = spec.onsite_mean_s
        self.rng = rng
        self.odometer_m = 0.0
        self.next_m = self._gap() if self.active else float("inf")
        # classes limited to some roads: one process per class in its own exposure (metres on its roads)
        self.needs_roads = self.active and any(c.road_classes is not None for c in self.classes)
        self._odo = [0.0] * len(self.classes)
        self._next = [self._class_gap(c) for c in self.classes] if self.needs_roads else []

    @property
    def active(self) -> bool:
        """True if this vehicle can have incidents."""
        return self.rate_per_m > 0.0 and self.rng is not None

    def _gap(self) -> float:
        assert self.rng is not None
        return float(self.rng.exponential(1.0 / self.rate_per_m))

    def _class_gap(self, c: SeverityClass) -> float:
        assert self.rng is not None
        return float(self.rng.exponential(1.0 / c.rate_per_m)) if c.rate_per_m > 0 else float("inf")

    def drive(self, dist_m: float, edges: Sequence[tuple[tuple[str, ...], float]] | None = None) -> list[Incident]:
        """Advance the odometer by ``dist_m`` metres; return the incidents that occurred on the way.

        ``edges``: the road classes and length (m) of every edge driven, required when
        :attr:`needs_roads` (a class limited to some roads), unused otherwise.
        """
        if not self.active:
            return []
        assert self.rng is not None
        if self.needs_roads:
            if edges is None:
                raise ValueError("incident classes limited to road classes need the edges driven")
            return self._drive_roads(dist_m, edges)
        self.odometer_m += dist_m
        out: list[Incident] = []
        while self.odometer_m >= self.next_m:
            if self._class_p is not None:
                cls = self.classes[int(self.rng.choice(len(self.classes), p=self._class_p))]
                out.append(Incident(cls.draw_s(self.rng), cls.field, cls.name))
                self.next_m += self._gap()
                continue
            onsite = bool(self.rng.random() >= self.remote_share)
            mean = self.onsite_mean_s if onsite else self.remote_mean_s
            out.append(Incident(float(self.rng.exponential(mean)) if mean > 0 else 0.0, onsite))
            self.next_m += self._gap()
        return out

    def _drive_roads(self, dist_m: float, edges: Sequence[tuple[tuple[str, ...], float]]) -> list[Incident]:
        assert self.rng is not None
        self.odometer_m += dist_m
        out: list[Incident] = []
        for k, c in enumerate(self.classes):
            if c.road_classes is None:
                exposure = dist_m
            else:
                allowed = c.road_classes
                exposure = sum(length for cls, length in edges if any(x in allowed for x in cls))
            self._odo[k] += exposure
            while self._odo[k] >= self._next[k]:
                out.append(Incident(c.draw_s(self.rng), c.field, c.name))
                self._next[k] += self._class_gap(c)
        return out


def vehicle_rng(sim_seed: np.random.SeedSequence, service: str, index: int) -> np.random.Generator:
    """The generator of the ``index``-th vehicle of ``service``, independent of every other one.

    Keyed by the service's name and the vehicle's place in its fleet (not by its global id), so
    adding or removing another service does not change this vehicle's incidents.
    """
    key = (*sim_seed.spawn_key, zlib.crc32(service.encode("utf-8")), index)
    return np.random.default_rng(np.random.SeedSequence(entropy=sim_seed.entropy, spawn_key=key))
