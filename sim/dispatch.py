"""DRT dispatch: the insertion heuristic, as pure code (no simpy).

A vehicle's *plan* is an anchor (the node where the vehicle is next free to change course, and
the time it is there) followed by an ordered list of :class:`Stop` (pickups and drop-offs of ride
*legs*). :func:`plan_times` turns a plan into the exact service times the vehicle will realise;
the engine follows those times, so every promise made at insertion is kept.

Timing rules (all times in seconds since midnight)
--------------------------------------------------
* From one stop to the next the vehicle drives the fastest path: ``arrive = depart_prev + tt``.
* A pickup is served at ``max(arrive, earliest_s)`` (the vehicle waits for the rider); a drop-off
  at ``arrive``.
* Dwell: a fixed ``stop_s`` whenever the vehicle stops at a node different from the previous
  stop's node (consecutive stops at one node share it), plus ``board_s_per_pax`` per boarding
  rider.
* Feasibility: the load never exceeds capacity; every pickup is served by its ``latest_s``
  (earliest desired departure + max wait); every drop-off happens within ``max_ride_s`` of the
  leg's boarding and by its ``latest_s``; the last departure is no later than the vehicle's
  ``shift_end_s``.

The insertion of a new leg tries every pickup position ``i`` and drop-off position ``j >= i`` in
every candidate vehicle and picks the feasible one that delays the end of the vehicle's plan the
least (ties: lowest vehicle id, then earliest positions). Vehicles that cannot reach the pickup
in time even directly are skipped with one vectorised test.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

INF = math.inf
EPS = 1e-6


class StopKind(IntEnum):
    """What happens at a stop."""

    PICKUP = 0
    DROPOFF = 1


@dataclass(frozen=True, slots=True)
class Stop:
    """One pickup or drop-off of a ride leg.

    Attributes
    ----------
    kind : StopKind
    leg_id : int
        The ride leg this stop belongs to.
    node : int
        Network node index.
    pax : int
        Riders boarding or alighting.
    earliest_s : float
        Pickups: the rider's desired departure; the vehicle waits until then (seconds).
        Drop-offs: ``-inf``.
    latest_s : float
        Pickups: latest boarding time; drop-offs: latest arrival (``inf`` if unconstrained).
    max_ride_s : float
        Drop-offs: the longest allowed ride from boarding (seconds); ``inf`` for pickups.
    """

    kind: StopKind
    leg_id: int
    node: int
    pax: int
    earliest_s: float
    latest_s: float
    max_ride_s: float = INF


@dataclass(frozen=True, slots=True)
class Dwell:
    """Dwell model: ``stop_s`` per stop at a new node plus ``board_s_per_pax`` per boarding rider."""

    stop_s: float = 60.0
    board_s_per_pax: float = 0.0

    def __post_init__(self) -> None:
        if self.stop_s < 0 or self.board_s_per_pax < 0:
            raise ValueError(f"Negative dwell time: stop_s={self.stop_s}, board_s_per_pax={self.board_s_per_pax}")


@dataclass(frozen=True, slots=True)
class LegRequest:
    """A ride leg to insert.

    ``latest_pickup_s`` is ``earliest_s`` + max wait; ``max_ride_s`` is α·direct + β;
    ``latest_dropoff_s`` bounds the arrival (``inf`` unless the leg feeds a transfer).
    """

    leg_id: int
    origin: int
    dest: int
    pax: int
    earliest_s: float
    latest_pickup_s: float
    max_ride_s: float
    latest_dropoff_s: float = INF


@dataclass(slots=True)
class VehiclePlan:
    """A vehicle's commitments from its anchor on.

    Attributes
    ----------
    vehicle_id, capacity : int
    node : int
        Anchor node: where the vehicle is next free to change course.
    time_s : float
        When the vehicle is at the anchor node (seconds).
    at_stop : bool
        True if the vehicle is dwelling at a stop at the anchor node (a stop at the same node
        then shares that dwell).
    load : int
        Riders on board at the anchor.
    pickup_times : dict[int, float]
        Boarding time of every leg on board (for max-ride checks).
    stops : list[Stop]
    shift_end_s : float
        The vehicle's last allowed departure from a stop.
    board_s, depart_s : list[float]
        Service start and departure per stop, filled by :meth:`refresh`.
    """

    vehicle_id: int
    capacity: int
    node: int
    time_s: float
    shift_end_s: float
    at_stop: bool = False
    load: int = 0
    pickup_times: dict[int, float] = field(default_factory=dict)
    stops: list[Stop] = field(default_factory=list)
    board_s: list[float] = field(default_factory=list)
    depart_s: list[float] = field(default_factory=list)
    loads: list[int] = field(default_factory=list)

    def end_time(self) -> float:
        """Departure from the last stop, or the anchor time when there is none (seconds)."""
        return self.depart_s[-1] if self.depart_s else self.time_s

    def refresh(self, tt: Callable[[int, int], float], dwell: Dwell) -> None:
        """Recompute ``board_s``, ``depart_s`` and ``loads`` from the anchor.

        Raises
        ------
        ValueError
            If the plan is infeasible (a promise would be broken): this is a bug, never input.
        """
        times = plan_times(self, self.stops, tt, dwell)
        if times is None:
            raise ValueError(f"vehicle {self.vehicle_id}: plan became infeasible at t={self.time_s}")
        self.board_s, self.depart_s, self.loads = times


def plan_times(
    plan: VehiclePlan, stops: Sequence[Stop], tt: Callable[[int, int], float], dwell: Dwell
) -> tuple[list[float], list[float], list[int]] | None:
    """Service start, departure and load after each stop of ``stops`` driven from ``plan``'s anchor.

    Returns ``None`` if any constraint is violated.
    """
    prev_node = plan.node
    merge_node = plan.node if plan.at_stop else -1
    t = plan.time_s
    load = plan.load
    picked: dict[int, float] = {}
    boards: list[float] = []
    departs: list[float] = []
    loads: list[int] = []
    for s in stops:
        arrive = t + (tt(prev_node, s.node) if s.node != prev_node else 0.0)
        fixed = dwell.stop_s if s.node != merge_node else 0.0
        if s.kind is StopKind.PICKUP:
            start = arrive if arrive >= s.earliest_s else s.earliest_s
            if start > s.latest_s + EPS:
                return None
            load += s.pax
            if load > plan.capacity:
                return None
            picked[s.leg_id] = start
            t = start + fixed + dwell.board_s_per_pax * s.pax
        else:
            start = arrive
            boarded = picked.get(s.leg_id)
            if boarded is None:
                boarded = plan.pickup_times[s.leg_id]
            if start - boarded > s.max_ride_s + EPS or start > s.latest_s + EPS:
                return None
            load -= s.pax
            t = start + fixed
        boards.append(start)
        departs.append(t)
        loads.append(load)
        prev_node = s.node
        merge_node = s.node
    if departs and departs[-1] > plan.shift_end_s + EPS:
        return None
    return boards, departs, loads


@dataclass(frozen=True, slots=True)
class Insertion:
    """A feasible insertion: pickup before original stop ``i``, drop-off before original stop ``j``.

    ``cost_s`` is the delay it adds to the end of the vehicle's plan (seconds);
    ``pickup_s`` and ``dropoff_s`` are the promised boarding and arrival times.
    """

    vehicle_id: int
    i: int
    j: int
    cost_s: float
    pickup_s: float
    dropoff_s: float

    def stops(self, leg: LegRequest) -> tuple[Stop, Stop]:
        """The two stops this insertion adds for ``leg``."""
        return (
            Stop(StopKind.PICKUP, leg.leg_id, leg.origin, leg.pax, leg.earliest_s, leg.latest_pickup_s),
            Stop(StopKind.DROPOFF, leg.leg_id, leg.dest, leg.pax, -INF, leg.latest_dropoff_s, leg.max_ride_s),
        )


def _propagate(
    plan: VehiclePlan,
    k0: int,
    prev_node: int,
    t: float,
    new_boards: dict[int, float],
    tt: Callable[[int, int], float],
    dwell: Dwell,
) -> float | None:
    """Re-time original stops ``k0..`` after an insertion that leaves ``prev_node`` at ``t``.

    Boarding times already moved by the insertion are in ``new_boards`` (it is updated).
    Returns the new departure of the plan's last stop, or ``None`` if a promise breaks.
    An insertion only ever delays stops, so once a stop departs at its original time the rest
    of the plan is unchanged and is not re-checked.
    """
    stops = plan.stops
    for k in range(k0, len(stops)):
        s = stops[k]
        if s.node != prev_node:
            arrive = t + tt(prev_node, s.node)
            fixed = dwell.stop_s
        else:
            arrive = t
            fixed = 0.0
        if s.kind is StopKind.PICKUP:
            start = arrive if arrive >= s.earliest_s else s.earliest_s
            if start > s.latest_s + EPS:
                return None
            new_boards[s.leg_id] = start
            t = start + fixed + dwell.board_s_per_pax * s.pax
        else:
            start = arrive
            boarded = new_boards.get(s.leg_id)
            if boarded is None:
                boarded = _boarding_time(plan, s.leg_id)
            if start - boarded > s.max_ride_s + EPS or start > s.latest_s + EPS:
                return None
            t = start + fixed
        prev_node = s.node
        if t <= plan.depart_s[k] + EPS:
            return plan.depart_s[-1]
    return t


def _boarding_time(plan: VehiclePlan, leg_id: int) -> float:
    """Planned or actual boarding time of a leg in ``plan``."""
    boarded = plan.pickup_times.get(leg_id)
    if boarded is not None:
        return boarded
    return plan.board_s[_pickup_index(plan, leg_id)]


def _pickup_index(plan: VehiclePlan, leg_id: int) -> int:
    for idx, s in enumerate(plan.stops):
        if s.leg_id == leg_id and s.kind is StopKind.PICKUP:
            return idx
    raise KeyError(leg_id)


def best_insertion_in(
    plan: VehiclePlan,
    leg: LegRequest,
    tt: Callable[[int, int], float],
    dwell: Dwell,
    *,
    to_o: np.ndarray | None = None,
    to_d: np.ndarray | None = None,
) -> Insertion | None:
    """The cheapest feasible insertion of ``leg`` into ``plan`` (``None`` if there is none).

    The optional arrays are travel-time columns for the leg's origin ``o`` and destination
    ``d`` (``to_o[n]`` = seconds from node ``n`` to ``o``); they only speed things up.
    """
    o, d, pax = leg.origin, leg.dest, leg.pax
    if pax > plan.capacity:
        return None

    def t_to_o(n: int) -> float:
        return 0.0 if n == o else (float(to_o[n]) if to_o is not None else tt(n, o))

    def t_to_d(n: int) -> float:
        return 0.0 if n == d else (float(to_d[n]) if to_d is not None else tt(n, d))

    stops = plan.stops
    n_stops = len(stops)
    old_end = plan.end_time()
    stop_s, board_per = dwell.stop_s, dwell.board_s_per_pax
    best: Insertion | None = None
    start_load = plan.load

    for i in range(n_stops + 1):
        if i == 0:
            prev_node, prev_dep = plan.node, plan.time_s
            merge = plan.node if plan.at_stop else -1
            load_before = start_load
        else:
            prev_node, prev_dep = stops[i - 1].node, plan.depart_s[i - 1]
            merge = prev_node
            load_before = plan.loads[i - 1]
        if prev_dep > leg.latest_pickup_s + EPS:
            break  # departures only grow along the plan
        if load_before + pax > plan.capacity:
            continue
        arrive_o = prev_dep + t_to_o(prev_node)
        board = arrive_o if arrive_o >= leg.earliest_s else leg.earliest_s
        if board > leg.latest_pickup_s + EPS:
            continue
        dep_o = board + (stop_s if o != merge else 0.0) + board_per * pax
        # Walk the drop-off position j from i upwards, carrying the chain pickup -> stops i..j-1.
        chain_node, chain_t = o, dep_o
        new_boards: dict[int, float] = {}
        for j in range(i, n_stops + 1):
            if j > i:
                # extend the chain over original stop j-1 with the new rider on board
                k = j - 1
                s = stops[k]
                if s.node != chain_node:
                    arrive = chain_t + tt(chain_node, s.node)
                    fixed = stop_s
                else:
                    arrive = chain_t
                    fixed = 0.0
                if s.kind is StopKind.PICKUP:
                    start = arrive if arrive >= s.earliest_s else s.earliest_s
                    if start > s.latest_s + EPS or plan.loads[k] + pax > plan.capacity:
                        break
                    new_boards[s.leg_id] = start
                    chain_t = start + fixed + board_per * s.pax
                else:
                    start = arrive
                    boarded = new_boards.get(s.leg_id)
                    if boarded is None:
                        boarded = _boarding_time(plan, s.leg_id)
                    if start - boarded > s.max_ride_s + EPS or start > s.latest_s + EPS:
                        break
                    chain_t = start + fixed
                chain_node = s.node
            arrive_d = chain_t + t_to_d(chain_node)
            if arrive_d - board > leg.max_ride_s + EPS or arrive_d > leg.latest_dropoff_s + EPS:
                # later drop-off positions arrive no earlier (triangle inequality)
                break
            dep_d = arrive_d + (stop_s if d != chain_node else 0.0)
            if j < n_stops:
                new_end = _propagate(plan, j, d, dep_d, dict(new_boards), tt, dwell)
                if new_end is None:
                    continue
            else:
                new_end = dep_d
            if new_end > plan.shift_end_s + EPS:
                continue
            cost = new_end - old_end
            if best is None or cost < best.cost_s - EPS:
                best = Insertion(plan.vehicle_id, i, j, cost, board, arrive_d)
    return best


def insert(plan: VehiclePlan, leg: LegRequest, ins: Insertion, tt: Callable[[int, int], float], dwell: Dwell) -> None:
    """Apply insertion ``ins`` of ``leg`` to ``plan`` and re-time it."""
    pick, drop = ins.stops(leg)
    stops = list(plan.stops)
    stops.insert(ins.j, drop)
    stops.insert(ins.i, pick)
    plan.stops = stops
    plan.refresh(tt, dwell)


def with_latest_dropoff(plan: VehiclePlan, leg_id: int, latest_s: float, tt: Callable[[int, int], float], dwell: Dwell) -> None:
    """Tighten the latest arrival of ``leg_id``'s drop-off (used to couple transfer legs)."""
    stops = list(plan.stops)
    for idx, s in enumerate(stops):
        if s.leg_id == leg_id and s.kind is StopKind.DROPOFF:
            stops[idx] = Stop(s.kind, s.leg_id, s.node, s.pax, s.earliest_s, min(s.latest_s, latest_s), s.max_ride_s)
            break
    else:
        raise KeyError(f"leg {leg_id} has no drop-off in vehicle {plan.vehicle_id}")
    plan.stops = stops
    plan.refresh(tt, dwell)


def best_insertion(
    plans: Sequence[VehiclePlan],
    leg: LegRequest,
    times_to: Callable[[int], np.ndarray],
    tt: Callable[[int, int], float],
    dwell: Dwell,
) -> Insertion | None:
    """The cheapest feasible insertion of ``leg`` over all ``plans`` (``None``: reject).

    ``times_to(n)`` gives the travel times from every node to ``n`` (seconds); ``tt(a, b)`` one
    travel time.
    Vehicles whose anchor cannot reach the origin by the latest pickup time, even directly,
    are skipped (a valid bound because travel times obey the triangle inequality).
    """
    if not plans:
        return None
    to_o = times_to(leg.origin)
    anchors = np.fromiter((p.node for p in plans), dtype=np.int64, count=len(plans))
    anchor_t = np.fromiter((p.time_s for p in plans), dtype=float, count=len(plans))
    reach = anchor_t + to_o[anchors]
    candidates = np.flatnonzero(reach <= leg.latest_pickup_s + EPS)
    if candidates.size == 0:
        return None
    to_d = times_to(leg.dest)
    best: Insertion | None = None
    for c in candidates.tolist():
        plan = plans[c]
        if plan.time_s > plan.shift_end_s + EPS:
            continue
        ins = best_insertion_in(plan, leg, tt, dwell, to_o=to_o, to_d=to_d)
        if ins is not None and (best is None or ins.cost_s < best.cost_s - EPS):
            best = ins
    return best
