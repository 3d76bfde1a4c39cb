"""DRT dispatch: the insertion heuristic, as pure code (no simpy).

A vehicle's *plan* is an anchor (the node where the vehicle is next free to change course, and
the time it is there) followed by an ordered list of :class:`Stop` (pickups and drop-offs of ride
*legs*). :func:`plan_times` turns a plan into the service times the vehicle will realise with
expected travel times. A booked leg's stops carry its promise (pickup no earlier than quoted and
within the pickup window, arrival by the latest arrival: see
:meth:`sim.model.drt.params.DrtParams.promise`), so later insertions keep it; only realised
travel times or incidents can break it, and the vehicle's plan is then re-timed.

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
every candidate vehicle and picks the feasible one with the least score: the vehicle time it
adds (driving and dwelling; a vehicle idling until a booked pickup is not working) plus weights
times the new rider's wait, the delay it imposes on the riders already booked (riders × seconds
later than planned at their pickups and drop-offs) and the new rider's ride beyond the direct
drive (ties: lowest vehicle id, then earliest positions). Vehicles that cannot reach the pickup
in time even directly are skipped with one vectorised test.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from sim.tolerance import EPS_S

INF = math.inf
EPS = EPS_S  # seconds (sim/tolerance.py)


class StopKind(IntEnum):
    """What happens at a stop."""

    PICKUP = 0
    DROPOFF = 1
    BREAK = 2  # a driver's planned break: no rider on board, ``duration_s`` standing at ``node``


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
    duration_s : float
        Breaks: how long the vehicle stands (seconds), starting between ``earliest_s`` and
        ``latest_s`` with nobody on board; breaks have ``pax = 0`` and a negative ``leg_id``.
    """

    kind: StopKind
    leg_id: int
    node: int
    pax: int
    earliest_s: float
    latest_s: float
    max_ride_s: float = INF
    duration_s: float = 0.0


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
    loads : list[int]
        Riders on board after each stop.
    leg_tt : list[float]
        Drive time to each stop from the previous stop (from the anchor for the first).
    board_of : dict[int, float]
        Boarding time (actual or planned) of every leg on board or picked up in the plan.
    wait_suffix : list[float]
        Idle time the vehicle spends waiting for riders at stops ``k..`` (``len(stops) + 1``
        entries, the last 0), seconds.
    overrun_s : float
        How far incidents pushed the plan past ``shift_end_s`` (seconds); new bookings may not
        add to it.
    version : int
        Bumped whenever the stops or their times change (:meth:`refresh`, :meth:`serve_first`),
        so the compiled search (:mod:`sim.model.drt.fleet`) repacks only changed plans.
    reanchors, reanchored_s : int, float
        How many times :meth:`reanchor` ran, and the anchor time (seconds) of the last one.
    served : int
        How many stops :meth:`serve_first` served (a plan changed only by that is its old
        arrays shifted).
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
    leg_tt: list[float] = field(default_factory=list)
    board_of: dict[int, float] = field(default_factory=dict)
    wait_suffix: list[float] = field(default_factory=list)
    overrun_s: float = 0.0
    version: int = 0
    reanchors: int = 0
    reanchored_s: float = -INF
    served: int = 0

    def __post_init__(self) -> None:
        if not self.wait_suffix:
            self.wait_suffix = [0.0] * (len(self.stops) + 1)

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
        prev = self.node
        self.leg_tt = []
        for s in self.stops:
            self.leg_tt.append(tt(prev, s.node) if s.node != prev else 0.0)
            prev = s.node
        waits = []
        t = self.time_s
        for s, board, dep, step in zip(self.stops, self.board_s, self.depart_s, self.leg_tt):
            waits.append(board - (t + step) if s.kind is not StopKind.DROPOFF else 0.0)
            t = dep
        self.wait_suffix = [0.0] * (len(waits) + 1)
        for k in range(len(waits) - 1, -1, -1):
            self.wait_suffix[k] = self.wait_suffix[k + 1] + waits[k]
        self._index_boards()
        self.version += 1

    def retime_relaxed(self, tt: Callable[[int, int], float], dwell: Dwell) -> None:
        """Re-time the plan after a delay (an incident), moving every promise it breaks.

        A pickup later than its latest time gets that later time as its new latest; a drop-off
        whose ride or arrival limit is broken gets the realised values as new limits. The plan is
        then feasible again, so later bookings keep the moved promises.
        """
        relaxed = plan_times(self, self.stops, tt, dwell, check=False)
        assert relaxed is not None
        boards = relaxed[0]
        picked = dict(self.pickup_times)
        stops: list[Stop] = []
        for s, start in zip(self.stops, boards):
            latest, max_ride = max(s.latest_s, start), s.max_ride_s
            if s.kind is StopKind.PICKUP:
                picked[s.leg_id] = start
            elif s.kind is StopKind.DROPOFF:
                max_ride = max(max_ride, start - picked[s.leg_id])
            stops.append(Stop(s.kind, s.leg_id, s.node, s.pax, s.earliest_s, latest, max_ride, s.duration_s))
        self.stops = stops
        if relaxed[1]:
            self.overrun_s = max(0.0, relaxed[1][-1] - self.shift_end_s)
        self.refresh(tt, dwell)

    def reanchor(self, tt: Callable[[int, int], float]) -> None:
        """Update the drive to the first stop and the idle time there after the anchor moved.

        The stops' times do not change (the anchor moves along the vehicle's own timetable); only
        the share of the wait before the first stop that is still ahead does. The new value
        depends only on the anchor (not on earlier calls), so the compiled search can compute
        it when needed instead of on every request (:mod:`sim.model.drt.kernel`).
        """
        s0 = self.stops[0]
        step = tt(self.node, s0.node) if s0.node != self.node else 0.0
        new = self.board_s[0] - (self.time_s + step) if s0.kind is not StopKind.DROPOFF else 0.0
        self.leg_tt[0] = step
        self.wait_suffix[0] = self.wait_suffix[1] + new
        self.reanchors += 1
        self.reanchored_s = self.time_s

    def _index_boards(self) -> None:
        self.board_of = dict(self.pickup_times)
        for s, b in zip(self.stops, self.board_s):
            if s.kind is StopKind.PICKUP:
                self.board_of[s.leg_id] = b

    def serve_first(self) -> Stop:
        """Serve the first stop: update load and boarding records, drop it from the plan.

        The anchor becomes the stop's node at its departure time, dwelling there; the times of
        the remaining stops are unchanged.
        """
        stop = self.stops[0]
        if stop.kind is StopKind.PICKUP:
            self.load += stop.pax
            self.pickup_times[stop.leg_id] = self.board_s[0]
        elif stop.kind is StopKind.DROPOFF:
            self.load -= stop.pax
            del self.pickup_times[stop.leg_id]
            self.board_of.pop(stop.leg_id, None)
        self.node, self.time_s, self.at_stop = stop.node, self.depart_s[0], True
        del self.stops[0], self.board_s[0], self.depart_s[0], self.loads[0], self.leg_tt[0], self.wait_suffix[0]
        self.version += 1
        self.served += 1
        return stop


def plan_times(
    plan: VehiclePlan, stops: Sequence[Stop], tt: Callable[[int, int], float], dwell: Dwell, *, check: bool = True
) -> tuple[list[float], list[float], list[int]] | None:
    """Service start, departure and load after each stop of ``stops`` driven from ``plan``'s anchor.

    Returns ``None`` if any constraint is violated (only checked when ``check``).
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
            if check and start > s.latest_s + EPS:
                return None
            load += s.pax
            if check and load > plan.capacity:
                return None
            picked[s.leg_id] = start
            t = start + fixed + dwell.board_s_per_pax * s.pax
        elif s.kind is StopKind.BREAK:
            start = arrive if arrive >= s.earliest_s else s.earliest_s
            if check and (start > s.latest_s + EPS or load > 0):
                return None
            t = start + s.duration_s
        else:
            start = arrive
            boarded = picked.get(s.leg_id)
            if boarded is None:
                boarded = plan.pickup_times[s.leg_id]
            if check and (start - boarded > s.max_ride_s + EPS or start > s.latest_s + EPS):
                return None
            load -= s.pax
            t = start + fixed
        boards.append(start)
        departs.append(t)
        loads.append(load)
        prev_node = s.node
        merge_node = s.node
    if check and departs and departs[-1] > plan.shift_end_s + plan.overrun_s + EPS:
        return None
    return boards, departs, loads


@dataclass(frozen=True, slots=True)
class Insertion:
    """A feasible insertion: pickup before original stop ``i``, drop-off before original stop ``j``.

    ``cost_s`` is the delay it adds to the end of the vehicle's plan (seconds); ``score`` is
    what the dispatcher minimises: the vehicle's added busy time (driving and dwelling, not idle
    waiting) + wait weight × the new rider's wait + delay weight × the booked riders' delay +
    ride weight × the new rider's ride beyond direct (see :func:`best_insertion_in`);
    ``pickup_s`` and ``dropoff_s`` are the promised boarding and arrival times.
    """

    vehicle_id: int
    i: int
    j: int
    cost_s: float
    pickup_s: float
    dropoff_s: float
    score: float = field(default=0.0, compare=False)

    def stops(self, leg: LegRequest) -> tuple[Stop, Stop]:
        """The two stops this insertion adds for ``leg``."""
        return (
            Stop(StopKind.PICKUP, leg.leg_id, leg.origin, leg.pax, leg.earliest_s, leg.latest_pickup_s),
            Stop(StopKind.DROPOFF, leg.leg_id, leg.dest, leg.pax, -INF, leg.latest_dropoff_s, leg.max_ride_s),
        )


def _propagate(
    plan: VehiclePlan,
    k0: int,
    t: float,
    tt_first: float,
    same_node: bool,
    new_boards: dict[int, float],
    dwell: Dwell,
    earlier: bool,
) -> tuple[float, float, float] | None:
    """Re-time original stops ``k0..`` after an insertion; return the new end, or ``None``.

    The vehicle leaves the inserted stop at ``t`` and drives ``tt_first`` seconds to stop
    ``k0`` (``same_node``: the two are at one node and share its dwell). ``earlier`` says that a
    pickup before ``k0`` already moved earlier than planned.
    Returns the new end, the vehicle's idle waiting at stops ``k0..`` and the riders' delay there
    (the sum over stops of riders × how much later than planned the stop is served), seconds.
    Boarding times moved by the insertion are in ``new_boards``. Once a stop departs exactly at
    its original time the rest of the plan is unchanged and needs no check — unless a pickup
    moved *earlier* (a drop-off inserted at the node of the next stop takes over that stop's
    dwell), which can break its rider's ride limit further on; then every stop is checked.
    """
    stops = plan.stops
    depart = plan.depart_s
    planned = plan.board_s
    leg_tt = plan.leg_tt
    board_of = plan.board_of
    stop_s = dwell.stop_s
    board_per = dwell.board_s_per_pax
    waited = 0.0
    delay = 0.0
    # ``earlier``: a pickup moved earlier (in the inserted chain, or below); its drop-off must then
    # be re-checked wherever it is
    for k in range(k0, len(stops)):
        s = stops[k]
        if k == k0:
            arrive = t + tt_first
            fixed = 0.0 if same_node else stop_s
        else:
            arrive = t + leg_tt[k]
            fixed = stop_s if s.node != stops[k - 1].node else 0.0
        if s.kind is StopKind.PICKUP:
            start = arrive if arrive >= s.earliest_s else s.earliest_s
            if start > s.latest_s + EPS:
                return None
            waited += start - arrive
            new_boards[s.leg_id] = start
            if start < planned[k] - EPS:
                earlier = True
            t = start + fixed + board_per * s.pax
        elif s.kind is StopKind.BREAK:  # nobody on board here: the plan was feasible and loads are unchanged
            start = arrive if arrive >= s.earliest_s else s.earliest_s
            if start > s.latest_s + EPS:
                return None
            waited += start - arrive
            t = start + s.duration_s
        else:
            start = arrive
            boarded = new_boards.get(s.leg_id)
            if boarded is None:
                boarded = board_of[s.leg_id]
            if start - boarded > s.max_ride_s + EPS or start > s.latest_s + EPS:
                return None
            t = start + fixed
        if start > planned[k]:
            delay += s.pax * (start - planned[k])
        if not earlier and abs(t - depart[k]) <= EPS:
            return depart[-1], waited + plan.wait_suffix[k + 1], delay
    return t, waited, delay


def best_insertion_in(
    plan: VehiclePlan,
    leg: LegRequest,
    dwell: Dwell,
    to_o: np.ndarray,
    from_o: np.ndarray,
    to_d: np.ndarray,
    from_d: np.ndarray,
    wait_weight: float = 0.0,
    delay_weight: float = 0.0,
    ride_weight: float = 0.0,
) -> Insertion | None:
    """The best feasible insertion of ``leg`` into ``plan`` (``None`` if there is none).

    ``to_o``/``from_o`` are the travel times (seconds) from every node to the leg's origin and
    from the origin to every node; ``to_d``/``from_d`` the same for its destination. The best
    insertion minimises the vehicle's added busy time (driving and dwelling; idle waiting for
    riders is free) plus ``wait_weight`` × the rider's wait, plus ``delay_weight`` × the delay it
    imposes on the riders already booked (the sum, over their planned pickups and drop-offs, of
    riders × seconds later than planned), plus ``ride_weight`` × the new rider's ride beyond the
    direct drive. With the two last weights at zero the choice is exactly the former one.
    """
    o, d, pax = leg.origin, leg.dest, leg.pax
    cap = plan.capacity
    if pax > cap:
        return None
    stops = plan.stops
    n_stops = len(stops)
    depart = plan.depart_s
    loads = plan.loads
    leg_tt = plan.leg_tt
    board_of = plan.board_of
    plan_board = plan.board_s
    old_end = depart[-1] if n_stops else plan.time_s
    stop_s, board_per = dwell.stop_s, dwell.board_s_per_pax
    earliest, latest_pick = leg.earliest_s, leg.latest_pickup_s
    max_ride, latest_drop = leg.max_ride_s, leg.latest_dropoff_s
    # a plan an incident pushed past the end of service may keep its end, not extend it
    shift_end = max(plan.shift_end_s, old_end)
    od = 0.0 if o == d else float(from_o[d])
    best: Insertion | None = None
    best_cost = INF

    for i in range(n_stops + 1):
        if i == 0:
            prev_node, prev_dep = plan.node, plan.time_s
            merge = plan.node if plan.at_stop else -1
            load_before = plan.load
        else:
            prev_node, prev_dep = stops[i - 1].node, depart[i - 1]
            merge = prev_node
            load_before = loads[i - 1]
        if prev_dep > latest_pick + EPS:
            break  # departures only grow along the plan
        if load_before + pax > cap:
            continue
        arrive_o = prev_dep + (0.0 if prev_node == o else float(to_o[prev_node]))
        board = arrive_o if arrive_o >= earliest else earliest
        if board > latest_pick + EPS:
            continue
        dep_o = board + (stop_s if o != merge else 0.0) + board_per * pax
        # Walk the drop-off position j from i upwards, carrying the chain pickup -> stops i..j-1.
        chain_node, chain_t = o, dep_o
        new_boards: dict[int, float] = {}
        chain_earlier = False
        chain_wait = board - arrive_o  # the vehicle's idle time, pickup included
        chain_delay = 0.0  # booked riders' delay at stops i..j-1 (rider-seconds)
        old_wait = plan.wait_suffix[i]
        for j in range(i, n_stops + 1):
            if j > i:
                # Re-time original stop j-1 with the new rider on board. The same rule as in
                # _propagate, written out inline: this is the innermost loop of the dispatcher.
                k = j - 1
                s = stops[k]
                if s.kind is StopKind.BREAK:
                    break  # the new rider would be on board during a driver's break
                if k == i:
                    step = 0.0 if s.node == o else float(from_o[s.node])
                else:
                    step = leg_tt[k]
                if s.node != chain_node:
                    arrive = chain_t + step
                    fixed = stop_s
                else:
                    arrive = chain_t
                    fixed = 0.0
                if s.kind is StopKind.PICKUP:
                    start = arrive if arrive >= s.earliest_s else s.earliest_s
                    if start > s.latest_s + EPS or loads[k] + pax > cap:
                        break
                    chain_wait += start - arrive
                    new_boards[s.leg_id] = start
                    if start < plan_board[k] - EPS:
                        chain_earlier = True
                    chain_t = start + fixed + board_per * s.pax
                else:
                    start = arrive
                    boarded = new_boards.get(s.leg_id)
                    if boarded is None:
                        boarded = board_of[s.leg_id]
                    if start - boarded > s.max_ride_s + EPS or start > s.latest_s + EPS:
                        break
                    chain_t = start + fixed
                if start > plan_board[k]:
                    chain_delay += s.pax * (start - plan_board[k])
                chain_node = s.node
            if chain_node == o:
                arrive_d = chain_t + od
            else:
                arrive_d = chain_t + (0.0 if chain_node == d else float(to_d[chain_node]))
            if arrive_d - board > max_ride + EPS or arrive_d > latest_drop + EPS:
                # later drop-off positions arrive no earlier (triangle inequality)
                break
            dep_d = arrive_d + (stop_s if d != chain_node else 0.0)
            if j < n_stops:
                nxt = stops[j].node
                same = nxt == d
                res = _propagate(
                    plan, j, dep_d, 0.0 if same else float(from_d[nxt]), same, dict(new_boards), dwell, chain_earlier
                )
                if res is None:
                    continue
                new_end, rest_wait, rest_delay = res
            else:
                new_end, rest_wait, rest_delay = dep_d, 0.0, 0.0
            if new_end > shift_end + EPS:
                continue
            cost = new_end - old_end
            # busy time added: the end moves by cost, less any change in idle waiting at stops
            busy = cost - (chain_wait + rest_wait - old_wait)
            score = busy + wait_weight * (board - earliest)
            if delay_weight:
                score += delay_weight * (chain_delay + rest_delay)
            if ride_weight:
                score += ride_weight * pax * (arrive_d - board - od)
            if score < best_cost - EPS:
                best_cost = score
                best = Insertion(plan.vehicle_id, i, j, cost, board, arrive_d, score)
    return best


def insert(plan: VehiclePlan, leg: LegRequest, ins: Insertion, tt: Callable[[int, int], float], dwell: Dwell) -> None:
    """Apply insertion ``ins`` of ``leg`` to ``plan`` and re-time it."""
    pick, drop = ins.stops(leg)
    stops = list(plan.stops)
    stops.insert(ins.j, drop)
    stops.insert(ins.i, pick)
    plan.stops = stops
    plan.refresh(tt, dwell)


def retime(plan: VehiclePlan, tt: Callable[[int, int], float], dwell: Dwell) -> bool:
    """Re-time ``plan`` from its anchor: exactly when every promise still fits, else with
    :meth:`VehiclePlan.retime_relaxed` (moving the promises that do not). Returns whether it relaxed."""
    if plan_times(plan, plan.stops, tt, dwell) is None:
        plan.retime_relaxed(tt, dwell)
        return True
    plan.refresh(tt, dwell)
    return False


def remove_legs(plan: VehiclePlan, leg_ids: set[int], tt: Callable[[int, int], float], dwell: Dwell) -> bool:
    """Drop every stop of ``leg_ids`` (riders not on board) from ``plan`` and re-time it.

    Removing stops only moves the rest earlier, but a pickup moved earlier can lengthen its
    rider's ride beyond the limit (when its earliest time is before the planned one): then the
    plan is re-timed with :meth:`VehiclePlan.retime_relaxed`. Returns whether any stop was removed.
    """
    stops = [s for s in plan.stops if s.leg_id not in leg_ids]
    if len(stops) == len(plan.stops):
        return False
    plan.stops = stops
    retime(plan, tt, dwell)
    return True


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
    times_from: Callable[[int], np.ndarray],
    dwell: Dwell,
    *,
    max_candidates: int | None = None,
    wait_weight: float = 0.0,
    delay_weight: float = 0.0,
    ride_weight: float = 0.0,
) -> Insertion | None:
    """The best feasible insertion of ``leg`` over all ``plans`` (``None``: reject).

    The best one adds the least busy vehicle time (driving and dwelling) plus ``wait_weight`` ×
    the rider's wait plus ``delay_weight`` × the booked riders' delay plus ``ride_weight`` × the
    new rider's ride beyond the direct drive (seconds; see :func:`best_insertion_in`); with all
    weights 0 it adds the least vehicle time.

    ``times_to(n)``/``times_from(n)`` give the travel times (seconds) from every node to ``n``
    and from ``n`` to every node. Vehicles whose anchor cannot reach the origin by the latest
    pickup time, even directly, are skipped (a valid bound: travel times obey the triangle
    inequality). With ``max_candidates``, only that many vehicles that can reach the origin
    soonest are searched (a heuristic for large fleets; ``None`` searches all).
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
    if max_candidates is not None and candidates.size > max_candidates:
        order = np.argsort(reach[candidates], kind="stable")[:max_candidates]
        candidates = np.sort(candidates[order])
    from_o = times_from(leg.origin)
    to_d = times_to(leg.dest)
    from_d = times_from(leg.dest)
    best: Insertion | None = None
    for c in candidates.tolist():
        plan = plans[c]
        if plan.time_s > plan.shift_end_s + EPS:
            continue
        ins = best_insertion_in(plan, leg, dwell, to_o, from_o, to_d, from_d, wait_weight, delay_weight, ride_weight)
        if ins is not None and (best is None or ins.score < best.score - EPS):
            best = ins
    return best
