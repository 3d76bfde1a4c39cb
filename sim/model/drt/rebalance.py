"""Rebalancing of idle DRT vehicles: where a vehicle goes when it has nothing to do.

Pure code (no simpy). Strategies:

* ``stay``: the vehicle waits where it dropped its last rider (the behaviour before issue 11);
* ``depot``: it drives back to its area's depot;
* ``demand``: it drives to the zone of its area with the most forecast demand per vehicle
  already there. Zones are square cells of ``zone_m`` metres; a zone's forecast demand at time
  ``t`` is the number of forecast requests starting there in ``[t, t + horizon_s)``; the vehicle
  goes to the zone with the largest ``demand / (idle vehicles in or heading to it + 1)`` (ties:
  the nearer zone, then the lower index) — a greedy share of the forecast, in the spirit of
  MATSim's demand-supply balancing — unless that zone is the one it stands in. The target node of
  a zone is its stop with the most forecast requests (ties: the lowest node index).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sim.network.oracle import TravelOracle

STRATEGIES = ("stay", "depot", "demand")


@dataclass(frozen=True, slots=True)
class Rebalancing:
    """Rebalancing rules (metres, seconds)."""

    strategy: str = "stay"
    zone_m: float = 2000.0
    horizon_s: float = 3600.0

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown rebalancing strategy {self.strategy!r}; valid: {', '.join(STRATEGIES)}")
        if self.zone_m <= 0 or self.horizon_s <= 0:
            raise ValueError(f"zone_m and horizon_s must be positive, got {self.zone_m}, {self.horizon_s}")


class DemandZones:
    """Forecast demand per zone of one service area.

    Parameters
    ----------
    x, y : np.ndarray
        Projected coordinates of every network node (metres).
    stops : np.ndarray
        The area's stop nodes (vehicles rebalance to stops).
    forecast : sequence of (time_s, node)
        Forecast request start times (seconds since midnight) and origin nodes; those whose
        origin is in no zone of the area's stops are ignored.
    zone_m : float
        Side of a zone (metres).
    """

    def __init__(
        self, x: np.ndarray, y: np.ndarray, stops: np.ndarray, forecast: Sequence[tuple[float, int]], zone_m: float
    ) -> None:
        cells: dict[tuple[int, int], int] = {}
        self._zone_of_node: dict[int, int] = {}

        def cell(node: int) -> tuple[int, int]:
            return int(np.floor(float(x[node]) / zone_m)), int(np.floor(float(y[node]) / zone_m))

        self._cell = cell
        for s in sorted(int(v) for v in stops):
            z = cells.setdefault(cell(s), len(cells))
            self._zone_of_node[s] = z
        self._cells = cells
        n = len(cells)
        times: list[list[float]] = [[] for _ in range(n)]
        per_stop: dict[int, int] = {}
        stops_by_zone: list[list[int]] = [[] for _ in range(n)]
        for s, z in self._zone_of_node.items():
            stops_by_zone[z].append(s)
        stop_set = set(self._zone_of_node)
        for t, node in forecast:
            z = cells.get(cell(int(node)))
            if z is None:
                continue
            times[z].append(float(t))
            if int(node) in stop_set:
                per_stop[int(node)] = per_stop.get(int(node), 0) + 1
        self._times = [sorted(ts) for ts in times]
        # a zone's target: its stop with the most forecast requests, else its lowest stop
        self.target = [max(ss, key=lambda s: (per_stop.get(s, 0), -s)) for ss in stops_by_zone]

    def zone_of(self, node: int) -> int | None:
        """Zone index of ``node`` (any node of the network), or ``None`` outside every zone."""
        z = self._zone_of_node.get(node)
        return z if z is not None else self._cells.get(self._cell(node))

    def demand(self, zone: int, t: float, horizon_s: float) -> int:
        """Forecast requests starting in ``zone`` during ``[t, t + horizon_s)``."""
        ts = self._times[zone]
        return bisect.bisect_left(ts, t + horizon_s) - bisect.bisect_left(ts, t)

    def choose(
        self, pos: int, t: float, horizon_s: float, supply: Sequence[int], time_to: Callable[[int], float]
    ) -> int | None:
        """Target node for an idle vehicle at ``pos`` at ``t``, or ``None`` to stay.

        ``supply[z]`` counts the other idle vehicles in or heading to zone ``z``;
        ``time_to(node)`` is the drive time from ``pos`` (seconds).
        """
        best: tuple[float, float, int] | None = None
        best_zone = None
        for z in range(len(self.target)):
            d = self.demand(z, t, horizon_s)
            if d == 0:
                continue
            key = (-d / (supply[z] + 1), time_to(self.target[z]), z)
            if best is None or key < best:
                best, best_zone = key, z
        if best_zone is None or best_zone == self.zone_of(pos):
            return None
        return self.target[best_zone]


def rebalance_target(
    rules: Rebalancing,
    zones: DemandZones | None,
    pos: int,
    depot: int,
    now: float,
    shift_end_s: float,
    others: Sequence[int],
    oracle: TravelOracle,
) -> int | None:
    """Where an idle vehicle at ``pos`` should drive at ``now`` (``None``: stay).

    ``others`` are the nodes where the area's other idle vehicles stand or are heading; a drive
    that would end after ``shift_end_s`` is not started.
    """
    target: int | None = None
    if rules.strategy == "depot":
        target = depot if pos != depot else None
    elif rules.strategy == "demand" and zones is not None:
        supply = [0] * len(zones.target)
        for node in others:
            z = zones.zone_of(node)
            if z is not None:
                supply[z] += 1
        row = oracle.times_from(pos)
        target = zones.choose(pos, now, rules.horizon_s, supply, lambda n: float(row[n]))
    if target is None or now + oracle.time_s(pos, target) > shift_end_s:
        return None
    return target
