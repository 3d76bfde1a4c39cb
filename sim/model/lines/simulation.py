"""Fixed-route lines in simpy: vehicles running their blocks, riders queueing at stops.

A vehicle leaves its depot so as to reach its first stop at its first departure, runs its trips
in order (never leaving a stop before the planned departure; late if a stop or an incident held
it up), rests at the terminals, and returns to the depot after its last trip. At each stop riders
for it alight, then waiting riders board first-come first-served up to the vehicle's capacity;
those left behind count a denied boarding and wait for the next vehicle.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.model.eventlog import EventLog, LegRecord, MoveKind, VehicleMove, VehicleRecord
from sim.model.lines.timetable import LineLayout
from sim.model.incidents import IncidentProcess
from sim.model.energy import BatteryPool
from sim.model.remote import RemoteCenter, incident_spans
from sim.model.traffic import TravelTimes
from sim.network.oracle import TravelOracle
from sim.tolerance import EPS_S as EPS


@dataclass(slots=True)
class LineRider:
    """A party riding one line from ``board_pos`` to ``alight_pos`` of ``direction``."""

    journey: int
    request_id: str
    leg_id: int
    direction: int
    board_pos: int
    alight_pos: int
    pax: int
    at_stop_s: float
    planned_depart_s: float
    planned_arrive_s: float
    denied: int = 0
    give_up_s: float = math.inf  # leaves the stop unboarded at this time (the line's max_wait_s after it was ready)
    last_denied: tuple[int, int] = (-1, -1)
    board_s: float = math.nan
    vehicle_id: int = -1


@dataclass(frozen=True, slots=True)
class LineParams:
    """Vehicle parameters of a line (seconds, passengers)."""

    capacity: int
    stop_s: float
    board_s_per_pax: float
    vehicle_type: str
    automation: str
    max_wait_s: float = math.inf


@dataclass(slots=True)
class _VehicleState:
    vehicle_id: int
    load: int = 0
    km: float = 0.0
    empty_km: float = 0.0
    pax_km: float = 0.0
    boardings: int = 0
    pull_out_s: float = math.nan
    last_arrival_s: float = math.nan
    pull_in_s: float = math.nan
    unit: int = 0  # the physical vehicle (battery) running the block (sim/model/energy.py)
    onboard: list[LineRider] = field(default_factory=list)
    rng: np.random.Generator | None = None  # realised travel times (when they vary)


def trip_m(oracle: TravelOracle, stops) -> float:
    """Length in metres of a trip through ``stops`` in order (fastest paths between stops)."""
    return float(sum(oracle.dist_m(a, b) for a, b in itertools.pairwise(stops)))


def battery_need_m(layout: LineLayout, oracle: TravelOracle, reserve_m: float) -> float:
    """The most range one trip of ``layout`` needs from the depot: out to its first stop, the trip,
    back to the depot, and the reserve (metres). A battery must hold at least this much."""
    d = layout.depot
    return max(
        (oracle.dist_m(d, t.stops[0]) + trip_m(oracle, t.stops) + oracle.dist_m(t.stops[-1], d) + reserve_m for t in layout.trips),
        default=0.0,
    )


class LineSimulation:
    """One fixed-route line simulated over one day."""

    def __init__(
        self,
        *,
        name: str,
        layout: LineLayout,
        params: LineParams,
        oracle: TravelOracle,
        env: simpy.Environment,
        log: EventLog,
        first_vehicle_id: int,
        incidents: Callable[[int], IncidentProcess],
        on_leg_done: Callable[[LineRider, LegRecord], None],
        on_give_up: Callable[[LineRider], None] | None = None,
        travel: TravelTimes | None = None,
        drive_rng: Callable[[int], np.random.Generator] | None = None,
        center: RemoteCenter | None = None,
        pool: BatteryPool | None = None,
        path_edges: Callable[[list[int]], list[tuple[tuple[str, ...], float]]] | None = None,
    ) -> None:
        self.name = name
        self.travel = travel if travel is not None and travel.varies else None
        self._drive_rng = drive_rng
        self.path_edges = path_edges
        self.center = center
        self.pool = pool
        self.layout = layout
        self.params = params
        self.oracle = oracle
        self.env = env
        self.log = log
        self.on_leg_done = on_leg_done
        self.on_give_up = on_give_up
        self.queues: dict[tuple[int, int], deque[LineRider]] = {}
        for direction, pattern in enumerate(layout.patterns):
            for pos in range(len(pattern)):
                self.queues[(direction, pos)] = deque()
        self.states: list[_VehicleState] = []
        trips = {t.trip_id: t for t in layout.trips}
        for k, block in enumerate(layout.blocks):
            vid = first_vehicle_id + k
            state = _VehicleState(vid, unit=k)
            if self.travel is not None and drive_rng is not None:
                state.rng = drive_rng(vid)
            self.states.append(state)
            env.process(self._run(state, [trips[t] for t in block], incidents(vid)))

    @property
    def vehicle_count(self) -> int:
        return len(self.states)

    # -- riders -------------------------------------------------------------------------------
    def add_rider(self, rider: LineRider) -> None:
        """Queue ``rider`` at its stop at ``rider.at_stop_s`` (now or later)."""

        queue = self.queues[(rider.direction, rider.board_pos)]

        def arrive():
            if rider.at_stop_s > self.env.now:
                yield self.env.timeout(rider.at_stop_s - self.env.now)
            queue.append(rider)
            if math.isfinite(rider.give_up_s) and self.on_give_up is not None:
                yield self.env.timeout(max(0.0, rider.give_up_s - self.env.now))
                if any(r is rider for r in queue):  # still waiting: gives up and goes home
                    queue.remove(rider)
                    self.on_give_up(rider)

        self.env.process(arrive())

    def stranded(self) -> list[LineRider]:
        """Riders still waiting when the day is over."""
        return [r for q in self.queues.values() for r in q]

    # -- vehicles -----------------------------------------------------------------------------
    def _drive(self, state: _VehicleState, a: int, b: int, incidents: IncidentProcess):
        env = self.env
        if a == b:
            return
        t0 = env.now
        if self.travel is None:
            tt = self.oracle.time_s(a, b)
            dist = self.oracle.dist_m(a, b)
        else:  # the timetable was planned on free-flow times; the vehicle drives realised ones
            oracle = self.travel.oracle_at(t0)
            path = oracle.path(a, b)
            tt = self.travel.drive(path, t0, state.rng)[-1] - t0
            dist = oracle.path_length_m(path)
        yield env.timeout(tt)
        km = dist / 1000.0
        state.km += km
        if self.pool is not None:
            self.pool.drive(state.unit, dist)
        state.pax_km += state.load * km
        if state.load == 0:
            state.empty_km += km
        self.log.moves.append(VehicleMove(state.vehicle_id, self.name, MoveKind.DRIVE, t0, env.now, a, b, dist, state.load))
        if getattr(incidents, "needs_roads", False):  # a class limited to some roads
            assert self.path_edges is not None, "incident classes limited to road classes need the network's edges"
            found = incidents.drive(dist, self.path_edges(self.oracle.path(a, b)))
        else:
            found = incidents.drive(dist)
        for t1, t2, inc in incident_spans(self.center, env.now, state.vehicle_id, self.name, b, found):
            # without a control room exactly the old arithmetic (results unchanged)
            yield env.timeout(inc.duration_s if self.center is None else max(0.0, t2 - env.now))
            self.log.moves.append(
                VehicleMove(
                    state.vehicle_id, self.name, MoveKind.INCIDENT, t1, env.now, b, b, 0.0, state.load,
                    inc.severity or ("onsite" if inc.onsite else "remote"),
                )
            )

    def _board(self, state: _VehicleState, direction: int, pos: int, trip_id: int) -> int:
        """Board waiting riders first-come first-served; count one denial per rider and vehicle
        call at the stop. Returns the riders boarded."""
        queue = self.queues[(direction, pos)]
        boarded = 0
        left: deque[LineRider] = deque()
        while queue:
            r = queue.popleft()
            if state.load + r.pax <= self.params.capacity:
                state.load += r.pax
                state.boardings += r.pax
                r.board_s = self.env.now
                r.vehicle_id = state.vehicle_id
                state.onboard.append(r)
                boarded += r.pax
            else:
                if r.last_denied != (trip_id, pos):
                    r.denied += 1
                    r.last_denied = (trip_id, pos)
                left.append(r)
        queue.extend(left)
        return boarded

    def _alight(self, state: _VehicleState, node: int, direction: int, pos: int, last: bool) -> int:
        now = self.env.now
        staying: list[LineRider] = []
        alighted = 0
        for r in state.onboard:
            if r.alight_pos == pos or last:
                state.load -= r.pax
                alighted += r.pax
                trip_nodes = self.layout.patterns[direction]
                o, d = trip_nodes[r.board_pos], trip_nodes[r.alight_pos]
                rec = LegRecord(
                    r.leg_id, r.request_id, self.name, r.vehicle_id, o, d, r.pax, r.at_stop_s, r.board_s, now,
                    self.oracle.time_s(o, d), self.oracle.dist_m(o, d), r.planned_depart_s, r.planned_arrive_s,
                )
                self.log.legs.append(rec)
                self.on_leg_done(r, rec)
            else:
                staying.append(r)
        state.onboard = staying
        return alighted

    def _run(self, state: _VehicleState, trips: list, incidents: IncidentProcess):
        env = self.env
        lay = self.layout
        first = trips[0]
        pull_out_tt = self.oracle.time_s(lay.depot, first.stops[0]) if lay.depot != first.stops[0] else 0.0
        start = max(0.0, first.depart_s[0] - pull_out_tt)
        if start > env.now:
            yield env.timeout(start - env.now)
        slot = None
        if self.center is not None:
            slot = yield from self.center.acquire(state.vehicle_id, self.name)
        state.pull_out_s = env.now
        pos_node = lay.depot
        yield from self._drive(state, pos_node, first.stops[0], incidents)
        pos_node = first.stops[0]
        for trip in trips:
            if self.pool is not None:
                self._layover_charge(state, pos_node, trip)
                pos_node = yield from self._ensure_charge(state, pos_node, trip, incidents)
            if pos_node != trip.stops[0]:
                yield from self._drive(state, pos_node, trip.stops[0], incidents)
                pos_node = trip.stops[0]
            if env.now < trip.depart_s[0]:
                yield env.timeout(trip.depart_s[0] - env.now)
            n = len(trip.stops)
            self._board(state, trip.direction, 0, trip.trip_id)
            for k in range(1, n):
                yield from self._drive(state, trip.stops[k - 1], trip.stops[k], incidents)
                pos_node = trip.stops[k]
                last = k == n - 1
                t_arr = env.now
                alighted = self._alight(state, pos_node, trip.direction, k, last)
                if last:
                    if alighted:
                        yield env.timeout(self.params.stop_s)
                        self._dwell(state, pos_node, t_arr)
                    break
                boarded = self._board(state, trip.direction, k, trip.trip_id)
                dwell = self.params.stop_s + self.params.board_s_per_pax * boarded
                leave = max(trip.depart_s[k], t_arr + dwell)
                if leave > env.now:
                    yield env.timeout(leave - env.now)
                    # riders who reached the stop while the vehicle stood there get on too
                    if self.queues[(trip.direction, k)]:
                        self._board(state, trip.direction, k, trip.trip_id)
                self._dwell(state, pos_node, t_arr)
            state.last_arrival_s = env.now
        yield from self._drive(state, pos_node, lay.depot, incidents)
        state.pull_in_s = env.now
        if self.center is not None:
            self.center.release(slot)

    def _layover_charge(self, state: _VehicleState, pos: int, trip) -> None:
        """At a charging point, standing there until ``trip`` leaves: charge during the layover if
        that covers the trip, the way back to the depot and the reserve (else the vehicle goes to
        the depot, :meth:`_ensure_charge`, and gets no layover charge)."""
        pool, o = self.pool, self.oracle
        assert pool is not None
        if pos not in pool.charging_nodes or pos != trip.stops[0] or self.env.now >= trip.depart_s[0]:
            return
        need = trip_m(o, trip.stops) + o.dist_m(trip.stops[-1], self.layout.depot) + pool.spec.reserve_m
        if pool.charge_m(state.unit) + pool.layover_gain_m(state.unit, self.env.now, trip.depart_s[0]) >= need:
            pool.charge_layover(state.unit, self.env.now, trip.depart_s[0])

    def _ensure_charge(self, state: _VehicleState, pos: int, trip, incidents: IncidentProcess):
        """Before ``trip``: if the charge does not cover reaching it, running it, the way back to
        the depot and the reserve, go to the depot and continue with the pool's vehicle charged
        enough first (waiting there until then). Returns where the block now stands."""
        pool, lay, o = self.pool, self.layout, self.oracle
        assert pool is not None
        rest = trip_m(o, trip.stops) + o.dist_m(trip.stops[-1], lay.depot) + pool.spec.reserve_m
        if pool.charge_m(state.unit) >= o.dist_m(pos, trip.stops[0]) + rest:
            return pos
        yield from self._drive(state, pos, lay.depot, incidents)
        t0 = self.env.now
        state.unit, ready = pool.swap(state.unit, t0, o.dist_m(lay.depot, trip.stops[0]) + rest)
        if ready > t0:
            yield self.env.timeout(ready - t0)
            self.log.moves.append(
                VehicleMove(state.vehicle_id, self.name, MoveKind.CHARGE, t0, ready, lay.depot, lay.depot, 0.0, state.load)
            )
        return lay.depot

    def _dwell(self, state: _VehicleState, node: int, t0: float) -> None:
        if self.env.now > t0 + EPS:
            self.log.moves.append(
                VehicleMove(state.vehicle_id, self.name, MoveKind.DWELL, t0, self.env.now, node, node, 0.0, state.load)
            )

    def finish(self) -> None:
        """Append one vehicle record per block (after the day has run), and the battery pool's day."""
        if self.pool is not None:
            ends = [s.pull_in_s for s in self.states if not math.isnan(s.pull_in_s)]
            self.pool.finish(max(ends, default=self.env.now))
            self.log.energy.append(self.pool.log())
        for s in self.states:
            pull_in = s.pull_in_s if not math.isnan(s.pull_in_s) else s.last_arrival_s
            self.log.vehicles.append(
                VehicleRecord(
                    vehicle_id=s.vehicle_id,
                    service=self.name,
                    area="",
                    vehicle_type=self.params.vehicle_type,
                    automation=self.params.automation,
                    capacity=self.params.capacity,
                    depot_node=self.layout.depot,
                    shift_start_s=s.pull_out_s,
                    shift_end_s=s.last_arrival_s,
                    pull_in_s=pull_in,
                    hours=(pull_in - s.pull_out_s) / 3600.0,
                    km=s.km,
                    empty_km=s.empty_km,
                    boardings=s.boardings,
                    pax_km=s.pax_km,
                )
            )
