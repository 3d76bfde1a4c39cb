"""Batteries and charging: each service's vehicles and spares as a pool of batteries at its depot.

A vehicle type with a :class:`BatterySpec` drives at most ``range_m`` metres on a full charge and
charges at the depot at ``range_m / full_charge_s`` metres of range per second (linear charging).
A service with such vehicles has a :class:`BatteryPool`: one physical vehicle per block (line) or
per fleet place (DRT), plus ``spares`` more, all full at the start of the day.

* **Lines**: before each trip the vehicle checks that its charge covers the drive to the trip's
  first stop, the trip, the drive from its last stop back to the depot and the reserve. If not,
  it drives to the depot, plugs in, and the block continues at once with the pool's vehicle that
  is (or will be) charged enough first (a spare, or itself once charged enough); the block waits
  at the depot until then, so its trips run late.
* **DRT**: a vehicle whose charge falls below ``low_m`` (and the reserve) takes no more bookings,
  serves the rides it has, drives to the depot and swaps to the pool's vehicle charged enough
  first (itself after charging when there is no spare), then takes bookings again.

* **Charging points** (lines): at a stop named as a charging point a vehicle charges during its
  layover, at the depot's rate, until it leaves or is full, when that charge (with what it has)
  covers the next trip, the way back to the depot and the reserve; otherwise it goes to the depot
  as above (it leaves service).

The pool keeps the time and range each vehicle charged (:class:`ChargeRecord`) and the lowest
charge any vehicle had (never below zero for lines, by the check above). Everything is in SI
units (m, s). Facts: Navya ARMA ≈ 100 km or 9 h per charge, 4–8 h to recharge; 境町 runs 3
vehicles for 2 in service (README "Autonomous operations").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.tolerance import EPS_S


@dataclass(frozen=True, slots=True)
class BatterySpec:
    """The battery of a vehicle type.

    Attributes
    ----------
    range_m : float
        Distance on a full charge (metres, > 0).
    full_charge_s : float
        Time to charge from empty to full at the depot (seconds, > 0).
    reserve_m : float
        Range always kept in hand (metres).
    low_share : float
        DRT: share of the range below which a vehicle stops taking bookings and goes to charge.
    resume_share : float
        DRT: share of the range a vehicle needs to take bookings again after charging.
    """

    range_m: float
    full_charge_s: float
    reserve_m: float = 0.0
    low_share: float = 0.25
    resume_share: float = 0.8

    @property
    def rate_mps(self) -> float:
        """Range gained per second of charging (m/s)."""
        return self.range_m / self.full_charge_s

    @property
    def low_m(self) -> float:
        """DRT threshold: below this charge (m) a vehicle goes to charge."""
        return max(self.reserve_m, self.low_share * self.range_m)


@dataclass(frozen=True, slots=True)
class ChargeRecord:
    """One vehicle of a pool charging from ``start_s`` to ``end_s`` (from/to metres of range), at
    the depot or (``layover``) at a charging point during a line's layover."""

    service: str
    unit: int
    start_s: float
    end_s: float
    from_m: float
    to_m: float
    layover: bool = False


@dataclass(slots=True)
class _Unit:
    unit: int
    charge_m: float
    since_s: float = math.nan  # plugged in since (NaN: in service)
    used: bool = False


@dataclass(frozen=True, slots=True)
class EnergyLog:
    """A service's battery pool over the day (one per service with batteries)."""

    service: str
    vehicle_type: str
    in_service: int
    spares: int
    spares_used: int
    swaps: int
    charges: tuple[ChargeRecord, ...]
    min_charge_m: float
    range_m: float
    charging_points: bool = False  # the service has charging points (layover charging)


class BatteryPool:
    """The vehicles (in service and spare) of one service and their batteries (see the module)."""

    def __init__(
        self, service: str, vehicle_type: str, spec: BatterySpec, in_service: int, spares: int,
        charging_nodes: frozenset[int] = frozenset(),
    ) -> None:
        self.service = service
        self.charging_nodes = charging_nodes
        self.vehicle_type = vehicle_type
        self.spec = spec
        self.in_service = in_service
        self.spares = spares
        self.units = [_Unit(k, spec.range_m, math.nan if k < in_service else -math.inf) for k in range(in_service + spares)]
        for u in self.units[:in_service]:
            u.used = True
        self.charges: list[ChargeRecord] = []
        self.swaps = 0
        self.min_charge_m = spec.range_m

    def initial(self, k: int) -> int:
        """The vehicle that starts the day in place ``k`` (0 <= k < in_service)."""
        return k

    def charge_m(self, unit: int) -> float:
        """Charge of ``unit`` now in service (metres of range)."""
        return self.units[unit].charge_m

    def drive(self, unit: int, dist_m: float) -> None:
        """``unit`` drove ``dist_m`` metres."""
        u = self.units[unit]
        u.charge_m -= dist_m
        self.min_charge_m = min(self.min_charge_m, u.charge_m)

    def layover_gain_m(self, unit: int, start_s: float, end_s: float) -> float:
        """Range ``unit`` would gain charging from ``start_s`` to ``end_s`` (m; up to full)."""
        return min(self.spec.range_m - self.units[unit].charge_m, self.spec.rate_mps * max(0.0, end_s - start_s))

    def charge_layover(self, unit: int, start_s: float, end_s: float) -> None:
        """``unit`` charges at a charging point from ``start_s`` until ``end_s`` or until full,
        whichever is first, at the depot's rate (a :class:`ChargeRecord` with ``layover``)."""
        gain = self.layover_gain_m(unit, start_s, end_s)
        if gain <= 0:
            return
        u = self.units[unit]
        self.charges.append(ChargeRecord(self.service, unit, start_s, start_s + gain / self.spec.rate_mps, u.charge_m,
                                         u.charge_m + gain, layover=True))
        u.charge_m += gain

    def _charge_at(self, u: _Unit, t: float) -> float:
        if math.isnan(u.since_s):
            return u.charge_m
        if u.since_s == -math.inf:  # a spare standing full since the start
            return u.charge_m
        return min(self.spec.range_m, u.charge_m + self.spec.rate_mps * (t - u.since_s))

    def swap(self, unit: int, now: float, need_m: float) -> tuple[int, float]:
        """Plug ``unit`` in at the depot at ``now``; return the pool's vehicle that first has
        ``need_m`` of range and when (seconds since midnight; ``now`` if one has it already).

        Raises
        ------
        ValueError
            If ``need_m`` exceeds the full range (no charge can cover it).
        """
        if need_m > self.spec.range_m + EPS_S:
            raise ValueError(
                f"{self.service}: a stretch needs {need_m / 1000:.1f} km of range, more than the full range "
                f"{self.spec.range_m / 1000:.1f} km of {self.vehicle_type!r}"
            )
        self.units[unit].since_s = now
        best: tuple[float, int] | None = None
        for u in self.units:
            if math.isnan(u.since_s):
                continue  # in service elsewhere
            have = self._charge_at(u, now)
            ready = now if have >= need_m else now + (need_m - have) / self.spec.rate_mps
            if best is None or (ready, u.unit) < best:
                best = (ready, u.unit)
        assert best is not None  # ``unit`` itself is plugged in
        ready, chosen = best
        u = self.units[chosen]
        got = self._charge_at(u, ready)
        if u.since_s != -math.inf and ready > u.since_s:
            self.charges.append(ChargeRecord(self.service, chosen, u.since_s, ready, u.charge_m, got))
        u.charge_m, u.since_s = got, math.nan
        if chosen != unit:
            self.swaps += 1
            if not u.used:
                u.used = True
        return chosen, ready

    def finish(self, end_s: float) -> None:
        """Record the charging still going on at ``end_s`` (vehicles plugged in, not yet taken)."""
        for u in self.units:
            if not math.isnan(u.since_s) and u.since_s != -math.inf and end_s > u.since_s:
                got = self._charge_at(u, end_s)
                self.charges.append(ChargeRecord(self.service, u.unit, u.since_s, end_s, u.charge_m, got))
                u.charge_m, u.since_s = got, end_s

    def log(self) -> EnergyLog:
        """The pool's day."""
        used = sum(1 for u in self.units[self.in_service :] if u.used)
        return EnergyLog(
            self.service, self.vehicle_type, self.in_service, self.spares, used, self.swaps,
            tuple(self.charges), self.min_charge_m, self.spec.range_m, bool(self.charging_nodes),
        )


def energy_metrics(logs: list[EnergyLog]) -> dict[str, float | int]:
    """KPIs of the battery pools: hours charging at the depot (and, with charging points, during
    layovers), swaps, spares, the lowest charge (km)."""
    out: dict[str, float | int] = {
        "charging_h": sum(c.end_s - c.start_s for g in logs for c in g.charges if not c.layover) / 3600.0,
        "battery_swaps": sum(g.swaps for g in logs),
        "spare_vehicles": sum(g.spares for g in logs),
        "spare_vehicles_used": sum(g.spares_used for g in logs),
        "min_charge_km": min(g.min_charge_m for g in logs) / 1000.0,
    }
    if any(g.charging_points for g in logs):
        out["layover_charging_h"] = sum(c.end_s - c.start_s for g in logs for c in g.charges if c.layover) / 3600.0
    return out
