"""Incidents of automated vehicles: a Poisson process in driven distance.

Each automated vehicle draws the distance to its next incident from an exponential
distribution with mean ``1000 / incidents_per_1000_km`` km. When its odometer passes that mark
the vehicle stops at the next node for a resolution time drawn from an exponential distribution
with mean ``incident_remote_min`` (resolved remotely, with probability ``incident_remote_share``)
or ``incident_onsite_min`` (field staff drive out). Every vehicle has its own generator, spawned
from the run's simulation stream by service name and place in the fleet, so one vehicle's incidents do not depend on what
the others do.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from sim.scenario.schema import VehicleType


@dataclass(frozen=True, slots=True)
class Incident:
    """One incident: how long the vehicle stops (seconds) and whether staff had to drive out."""

    duration_s: float
    onsite: bool


class IncidentProcess:
    """The incident process of one vehicle (inactive for human-driven vehicles or a zero rate)."""

    def __init__(self, vt: VehicleType, rng: np.random.Generator | None) -> None:
        self.rate_per_km = vt.incidents_per_1000_km / 1000.0 if vt.automation != "human" else 0.0
        self.remote_share = vt.incident_remote_share
        self.remote_mean_s = vt.incident_remote_min * 60.0
        self.onsite_mean_s = vt.incident_onsite_min * 60.0
        self.rng = rng
        self.odometer_km = 0.0
        self.next_km = self._gap() if self.active else float("inf")

    @property
    def active(self) -> bool:
        """True if this vehicle can have incidents."""
        return self.rate_per_km > 0.0 and self.rng is not None

    def _gap(self) -> float:
        assert self.rng is not None
        return float(self.rng.exponential(1.0 / self.rate_per_km))

    def drive(self, km: float) -> list[Incident]:
        """Advance the odometer by ``km``; return the incidents that occurred on the way."""
        if not self.active:
            return []
        assert self.rng is not None
        self.odometer_km += km
        out: list[Incident] = []
        while self.odometer_km >= self.next_km:
            onsite = bool(self.rng.random() >= self.remote_share)
            mean = self.onsite_mean_s if onsite else self.remote_mean_s
            out.append(Incident(float(self.rng.exponential(mean)) if mean > 0 else 0.0, onsite))
            self.next_km += self._gap()
        return out


def vehicle_rng(sim_seed: np.random.SeedSequence, service: str, index: int) -> np.random.Generator:
    """The generator of the ``index``-th vehicle of ``service``, independent of every other one.

    Keyed by the service's name and the vehicle's place in its fleet (not by its global id), so
    adding or removing another service does not change this vehicle's incidents.
    """
    key = (*sim_seed.spawn_key, zlib.crc32(service.encode("utf-8")), index)
    return np.random.default_rng(np.random.SeedSequence(entropy=sim_seed.entropy, spawn_key=key))
