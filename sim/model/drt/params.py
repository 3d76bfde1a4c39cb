"""Operating rules of a DRT service and of walking, quotes and booked legs, as plain records
(seconds, metres, yen)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from sim.model.drt.dispatch import Dwell, Insertion, LegRequest, Stop, StopKind
from sim.model.drt.rebalance import Rebalancing


@dataclass(frozen=True, slots=True)
class DrtParams:
    """Operating rules of one DRT service (seconds, metres, yen)."""

    max_wait_s: float
    max_ride_factor: float
    max_ride_extra_s: float
    min_transfer_s: float
    dwell: Dwell
    capacity: int
    vehicle_type: str
    automation: str
    fare_within_yen: float
    fare_between_yen: float
    max_candidates: int | None = None
    insertion_search: str = "compiled"  # or "python": the reference search (same choices)
    wait_weight: float = 0.0
    delay_weight: float = 0.0
    ride_weight: float = 0.0
    cancel_share: float = 0.0
    cancel_lead_s: float = 3600.0
    no_show_share: float = 0.0
    no_show_wait_s: float = 0.0
    rebalancing: Rebalancing = field(default_factory=Rebalancing)
    plan_breaks: bool = False
    break_s: float = 1800.0
    break_interval_s: float = 14_400.0
    keep_promises: bool = False
    pickup_window_s: float = math.inf
    arrival_window_s: float = math.inf

    def breaks(self, depot: int, start_s: float, end_s: float, index: int) -> list[Stop]:
        """The planned breaks of the ``index``-th vehicle of an area (``plan_breaks``).

        One break of ``break_s`` at the depot in every ``break_interval_s``: the k-th starts in
        ``[t_k - break_s, t_k]`` with ``t_k = start_s + k × break_interval_s - stagger``, the
        stagger (0, 1, 2 or 3 × ``break_s`` by vehicle) spreading the fleet's breaks. A break
        ends at least ``t_k`` and the next starts by ``t_k + break_interval_s``, so no stretch of
        work between breaks exceeds ``break_interval_s`` (the 4-hour rule holds for driving,
        which is part of it). A break that would end after ``end_s`` is moved earlier to end by it.
        """
        stagger = (index % 4) * self.break_s
        out: list[Stop] = []
        t = start_s + self.break_interval_s - stagger
        while t < end_s:
            latest = min(t, end_s - self.break_s)
            if latest - self.break_s < start_s:
                break
            out.append(Stop(StopKind.BREAK, -1 - len(out), depot, 0, latest - self.break_s, latest,
                            duration_s=self.break_s))
            t = latest + self.break_interval_s
        return out

    def window(self, leg: LegRequest, ins: Insertion) -> tuple[float, float, float]:
        """The promise a booking makes: (earliest pickup, latest pickup, latest arrival), seconds.

        The rider is picked up no earlier than the quoted time and no later than quote +
        ``pickup_window_s`` (and never later than the max wait), and arrives no later than the
        quoted arrival + ``arrival_window_s``.
        """
        return (
            max(leg.earliest_s, ins.pickup_s),
            min(leg.latest_pickup_s, ins.pickup_s + self.pickup_window_s),
            min(leg.latest_dropoff_s, ins.dropoff_s + self.arrival_window_s),
        )

    def promise(self, leg: LegRequest, ins: Insertion) -> LegRequest:
        """The leg as booked: with ``keep_promises`` its :meth:`window` binds every later insertion.

        Without, only the max-wait and max-ride limits bind (the former behaviour: later bookings
        may delay a rider anywhere within them); the window is still recorded, so breaches show.
        """
        if not self.keep_promises:
            return leg
        earliest, latest_pick, latest_drop = self.window(leg, ins)
        return LegRequest(
            leg.leg_id, leg.origin, leg.dest, leg.pax, earliest, latest_pick, leg.max_ride_s, latest_drop
        )


@dataclass(frozen=True, slots=True)
class WalkParams:
    """Walking: speed (m/s), straight-line-to-path factor, longest walk to a stop (metres)."""

    speed_mps: float
    detour_factor: float
    max_walk_m: float


@dataclass(frozen=True, slots=True)
class DrtQuote:
    """A tentative DRT trip: legs with their best insertions, not yet booked.

    ``pickup_s`` is the first boarding and ``dropoff_s`` the last alighting (seconds).
    """

    service: str
    legs: tuple[tuple[int, LegRequest, Insertion], ...]
    origin_stop: int
    dest_stop: int
    pickup_s: float
    dropoff_s: float
    fare_yen: float


@dataclass(slots=True)
class PendingLeg:
    """A booked leg not yet completed: its vehicle, the promise made (seconds) and its boarding."""

    leg: LegRequest
    journey: int
    request_id: str
    vehicle_id: int
    direct_s: float
    direct_m: float
    promised_pickup_s: float
    promised_dropoff_s: float
    latest_pickup_s: float
    latest_dropoff_s: float
    pickup_s: float = math.nan
    next_leg: int | None = None  # the connecting leg after a change of vehicle at the hub


class VehicleMode(Enum):
    """What a DRT vehicle process is doing (its state machine in :mod:`sim.model.drt.simulation`)."""

    BEFORE_SHIFT = 0
    IDLE = 1
    WAIT = 2
    DRIVE = 3
    SERVE = 4
    DONE = 5
    HALT = 6
    CHARGE = 7
