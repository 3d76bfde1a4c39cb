"""The simpy model: request arrivals, DRT dispatch, vehicles driving, dwelling and idling.

Each vehicle is a simpy process that follows its :class:`~sim.dispatch.VehiclePlan`: it
waits where it is until it must leave (lazy departure), drives the fastest path to the next
stop, dwells, and repeats; when idle it stays where it is, and at the end of its service
window it drives back to its depot. A request is dispatched the moment it is made; a new plan
may divert a driving vehicle at the next node of its path. Because the engine realises exactly
the times :func:`~sim.dispatch.plan_times` computed, every promise is kept.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import simpy

from sim.demand import Request
from sim.dispatch import EPS, Dwell, LegRequest, StopKind, VehiclePlan, best_insertion, insert, with_latest_dropoff
from sim.drt import DrtLayout
from sim.eventlog import EventLog, LegRecord, MoveKind, Outcome, RejectReason, RequestRecord, VehicleMove, VehicleRecord
from sim.network import RoadNetwork, TravelOracle

NAN = math.nan


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


@dataclass(frozen=True, slots=True)
class WalkParams:
    """Walking: speed (m/s), straight-line-to-path factor, longest walk to a stop (metres)."""

    speed_mps: float
    detour_factor: float
    max_walk_m: float


class _Mode(Enum):
    BEFORE_SHIFT = 0
    IDLE = 1
    WAIT = 2
    DRIVE = 3
    SERVE = 4
    DONE = 5


@dataclass(slots=True)
class _PendingLeg:
    """A leg assigned to a vehicle and not yet completed."""

    leg: LegRequest
    request_index: int
    vehicle_id: int
    direct_s: float
    direct_m: float
    pickup_s: float = NAN


class _Vehicle:
    """One vehicle process following its plan."""

    def __init__(self, sim: DrtSimulation, plan: VehiclePlan, depot: int, area: str, start_s: float) -> None:
        self.sim = sim
        self.plan = plan
        self.depot = depot
        self.area = area
        self.start_s = start_s
        self.pos = depot
        self.mode = _Mode.BEFORE_SHIFT
        self.seg_nodes: list[int] = []
        self.seg_times: list[float] = []
        self.seg_start_s = 0.0
        self.wake_s = start_s
        self.interruptible = False
        self.km = 0.0
        self.empty_km = 0.0
        self.pax_km = 0.0
        self.boardings = 0
        self.pull_in_s = NAN
        self.proc = sim.env.process(self.run())

    # -- dispatcher side ------------------------------------------------------------------
    def update_anchor(self, now: float) -> None:
        """Set the plan's anchor to where the vehicle is next free to change course."""
        plan = self.plan
        if self.mode is _Mode.BEFORE_SHIFT:
            plan.node, plan.time_s, plan.at_stop = self.pos, max(now, self.start_s), False
        elif self.mode is _Mode.DRIVE:
            k = bisect.bisect_left(self.seg_times, now - EPS)
            k = min(k, len(self.seg_nodes) - 1)
            plan.node, plan.time_s, plan.at_stop = self.seg_nodes[k], self.seg_times[k], False
        elif self.mode is _Mode.SERVE:
            plan.node, plan.time_s, plan.at_stop = self.pos, self.wake_s, True
        elif self.mode is _Mode.DONE:
            plan.node, plan.time_s, plan.at_stop = self.pos, math.inf, False
        else:
            # idle or waiting where it stands; ``at_stop`` stays as set by the last stop served
            # here (a vehicle still standing at a stop shares that stop's dwell)
            plan.node, plan.time_s = self.pos, now

    def plan_changed(self) -> None:
        """The dispatcher changed the plan: cut the current drive at the anchor and re-decide."""
        if self.mode is _Mode.DRIVE:
            # keep the path up to the anchor: the first path node at or after now
            k = bisect.bisect_left(self.seg_times, self.plan.time_s - EPS)
            del self.seg_nodes[k + 1 :]
            del self.seg_times[k + 1 :]
        if self.interruptible and self.proc.is_alive:
            self.interruptible = False
            self.proc.interrupt()

    # -- the process ----------------------------------------------------------------------
    def run(self):  # noqa: C901 - a small state machine reads best in one place
        env = self.sim.env
        plan = self.plan
        if env.now < self.start_s:
            yield env.timeout(self.start_s - env.now)
        self.mode = _Mode.IDLE
        plan.time_s = env.now
        while True:
            now = env.now
            if self.mode is _Mode.DRIVE:
                wake = self.seg_times[-1]
            elif not plan.stops:
                if now >= plan.shift_end_s - EPS:
                    yield from self._pull_in()
                    return
                self.mode = _Mode.IDLE
                wake = plan.shift_end_s
            else:
                s0 = plan.stops[0]
                board0 = plan.board_s[0]
                if s0.node == self.pos:
                    if now < board0 - EPS:
                        self.mode = _Mode.WAIT
                        wake = board0
                    else:
                        self._serve_first(now)
                        wake = self.wake_s
                else:
                    tt = self.sim.oracle.time_s(self.pos, s0.node)
                    depart = board0 - tt
                    if depart > now + EPS:
                        self.mode = _Mode.WAIT
                        wake = depart
                    else:
                        self._start_drive(now, s0.node)
                        wake = self.seg_times[-1]
            self.wake_s = wake
            self.interruptible = self.mode in (_Mode.IDLE, _Mode.WAIT, _Mode.DRIVE)
            try:
                yield env.timeout(max(0.0, wake - now))
            except simpy.Interrupt:
                continue
            self.interruptible = False
            if self.mode is _Mode.DRIVE:
                self._finish_drive()
            elif self.mode is _Mode.SERVE:
                self.mode = _Mode.IDLE
            elif self.mode is _Mode.WAIT:
                self.mode = _Mode.IDLE

    def _start_drive(self, now: float, target: int) -> None:
        oracle = self.sim.oracle
        path = oracle.path(self.pos, target)
        row = oracle.times_from(self.pos)
        self.seg_nodes = path
        self.seg_times = [now + float(row[n]) for n in path]
        self.seg_start_s = now
        self.mode = _Mode.DRIVE
        self.plan.at_stop = False

    def _finish_drive(self) -> None:
        start, end = self.seg_nodes[0], self.seg_nodes[-1]
        if end != start:
            dist = self.sim.oracle.path_length_m(self.seg_nodes)
            self._record_drive(start, end, self.seg_start_s, self.seg_times[-1], dist)
        self.pos = end
        self.mode = _Mode.IDLE
        self.seg_nodes, self.seg_times = [], []

    def _record_drive(self, a: int, b: int, t0: float, t1: float, dist: float) -> None:
        load = self.plan.load
        self.km += dist / 1000.0
        if load == 0:
            self.empty_km += dist / 1000.0
        self.pax_km += load * dist / 1000.0
        self.sim.log.moves.append(
            VehicleMove(self.plan.vehicle_id, self.sim.name, MoveKind.DRIVE, t0, t1, a, b, dist, load)
        )

    def _serve_first(self, now: float) -> None:
        """Serve the plan's first stop now: board or alight, and dwell until its departure."""
        plan = self.plan
        board, depart = plan.board_s[0], plan.depart_s[0]
        stop = plan.serve_first()
        pending = self.sim.pending[stop.leg_id]
        if stop.kind is StopKind.PICKUP:
            pending.pickup_s = board
            self.boardings += stop.pax
        else:
            self.sim.complete_leg(pending, pending.pickup_s, board)
        if depart > now + EPS:
            self.sim.log.moves.append(
                VehicleMove(plan.vehicle_id, self.sim.name, MoveKind.DWELL, now, depart, self.pos, self.pos, 0.0, plan.load)
            )
        self.mode = _Mode.SERVE
        self.wake_s = depart

    def _pull_in(self):
        env = self.sim.env
        self.mode = _Mode.DONE
        self.plan.time_s = math.inf
        now = env.now
        if self.pos != self.depot:
            tt = self.sim.oracle.time_s(self.pos, self.depot)
            dist = self.sim.oracle.dist_m(self.pos, self.depot)
            yield env.timeout(tt)
            self._record_drive(self.pos, self.depot, now, now + tt, dist)
            self.pos = self.depot
        self.pull_in_s = env.now

    def record(self) -> VehicleRecord:
        p = self.plan
        sim = self.sim
        pull_in = self.pull_in_s if not math.isnan(self.pull_in_s) else p.shift_end_s
        return VehicleRecord(
            vehicle_id=p.vehicle_id,
            service=sim.name,
            area=self.area,
            vehicle_type=sim.params.vehicle_type,
            automation=sim.params.automation,
            capacity=p.capacity,
            depot_node=self.depot,
            shift_start_s=self.start_s,
            shift_end_s=p.shift_end_s,
            pull_in_s=pull_in,
            hours=(pull_in - self.start_s) / 3600.0,
            km=self.km,
            empty_km=self.empty_km,
            boardings=self.boardings,
            pax_km=self.pax_km,
        )


@dataclass(slots=True)
class _RequestState:
    request: Request
    access_m: float = NAN
    egress_m: float = NAN
    origin_stop: int = -1
    dest_stop: int = -1
    legs: list[_PendingLeg] = field(default_factory=list)
    done_legs: list[LegRecord] = field(default_factory=list)


class DrtSimulation:
    """One DRT service simulated over one day (``run``), writing into ``log``."""

    def __init__(
        self,
        *,
        name: str,
        layout: DrtLayout,
        params: DrtParams,
        walk: WalkParams,
        net: RoadNetwork,
        oracle: TravelOracle,
        env: simpy.Environment | None = None,
        log: EventLog | None = None,
        first_vehicle_id: int = 0,
    ) -> None:
        self.name = name
        self.layout = layout
        self.params = params
        self.walk = walk
        self.net = net
        self.oracle = oracle
        self.env = env or simpy.Environment()
        self.log = log or EventLog()
        self.pending: dict[int, _PendingLeg] = {}
        self.states: list[_RequestState] = []
        self._next_leg = 0
        self.vehicles: list[_Vehicle] = []
        self.area_vehicles: list[list[_Vehicle]] = []
        vid = first_vehicle_id
        for area in layout.areas:
            members: list[_Vehicle] = []
            for _ in range(area.fleet_size):
                plan = VehiclePlan(vid, params.capacity, area.depot, layout.start_s, layout.end_s)
                vehicle = _Vehicle(self, plan, area.depot, area.name, layout.start_s)
                members.append(vehicle)
                self.vehicles.append(vehicle)
                vid += 1
            self.area_vehicles.append(members)
        self._stop_xy = [
            (np.column_stack([net.x[a.stops], net.y[a.stops]]), a.stops) for a in layout.areas
        ]

    # -- request handling -------------------------------------------------------------------
    def _nearest_stop(self, area: int, lat: float, lon: float, node: int) -> tuple[int, float]:
        """Stop for a rider at (lat, lon) snapped to ``node``: (stop node, walk metres)."""
        x, y = self.net.project(np.array([lat]), np.array([lon]))
        if self.layout.door_to_door:
            stop = node
        else:
            pts, stops = self._stop_xy[area]
            d2 = (pts[:, 0] - x[0]) ** 2 + (pts[:, 1] - y[0]) ** 2
            stop = int(stops[int(np.argmin(d2))])
        straight = math.hypot(float(self.net.x[stop]) - float(x[0]), float(self.net.y[stop]) - float(y[0]))
        return stop, straight * self.walk.detour_factor

    def submit(self, req: Request) -> None:
        """Dispatch one request now (called at its request time)."""
        idx = len(self.states)
        st = _RequestState(req)
        self.states.append(st)
        reason = self._dispatch(idx, st)
        if reason is not RejectReason.NONE:
            self._reject(idx, st, reason)

    def _dispatch(self, idx: int, st: _RequestState) -> RejectReason:
        req, lay, p = st.request, self.layout, self.params
        if req.party_size > p.capacity:
            return RejectReason.TOO_LARGE
        a_o = lay.area_of(req.origin_node)
        a_d = lay.area_of(req.dest_node)
        if a_o is None or a_d is None:
            return RejectReason.OUTSIDE_AREA
        st.origin_stop, st.access_m = self._nearest_stop(a_o, req.origin_lat, req.origin_lon, req.origin_node)
        st.dest_stop, st.egress_m = self._nearest_stop(a_d, req.dest_lat, req.dest_lon, req.dest_node)
        if max(st.access_m, st.egress_m) > self.walk.max_walk_m:
            return RejectReason.NO_STOP_IN_WALKING_DISTANCE
        earliest = req.earliest_pickup_s + st.access_m / self.walk.speed_mps
        if not (lay.start_s <= earliest < lay.end_s):
            return RejectReason.OUTSIDE_HOURS
        if st.origin_stop == st.dest_stop:
            return RejectReason.SAME_STOP
        now = self.env.now
        if a_o == a_d or lay.hub is None:
            leg = self._leg(st.origin_stop, st.dest_stop, req.party_size, earliest)
            ins = self._best(a_o, leg, now)
            if ins is None:
                return RejectReason.NO_VEHICLE
            self._assign(idx, st, a_o, leg, ins)
            return RejectReason.NONE
        hub = lay.hub
        if st.origin_stop == hub or hub == st.dest_stop:
            # the trip starts or ends at the hub: one leg in the other area's fleet
            area = a_d if st.origin_stop == hub else a_o
            leg = self._leg(st.origin_stop, st.dest_stop, req.party_size, earliest)
            ins = self._best(area, leg, now)
            if ins is None:
                return RejectReason.NO_VEHICLE
            self._assign(idx, st, area, leg, ins)
            return RejectReason.NONE
        leg1 = self._leg(st.origin_stop, hub, req.party_size, earliest)
        ins1 = self._best(a_o, leg1, now)
        if ins1 is None:
            return RejectReason.NO_VEHICLE
        earliest2 = ins1.dropoff_s + p.min_transfer_s
        leg2 = self._leg(hub, st.dest_stop, req.party_size, earliest2)
        ins2 = self._best(a_d, leg2, now)
        if ins2 is None:
            return RejectReason.NO_TRANSFER
        leg1 = LegRequest(
            leg1.leg_id, leg1.origin, leg1.dest, leg1.pax, leg1.earliest_s, leg1.latest_pickup_s,
            leg1.max_ride_s, ins2.pickup_s - p.min_transfer_s,
        )
        self._assign(idx, st, a_o, leg1, ins1)
        self._assign(idx, st, a_d, leg2, ins2)
        return RejectReason.NONE

    def _leg(self, o: int, d: int, pax: int, earliest: float) -> LegRequest:
        p = self.params
        direct = self.oracle.time_s(o, d)
        leg = LegRequest(
            leg_id=self._next_leg,
            origin=o,
            dest=d,
            pax=pax,
            earliest_s=earliest,
            latest_pickup_s=earliest + p.max_wait_s,
            max_ride_s=p.max_ride_factor * direct + p.max_ride_extra_s,
        )
        self._next_leg += 1
        return leg

    def _best(self, area: int, leg: LegRequest, now: float):
        vehicles = self.area_vehicles[area]
        for v in vehicles:
            v.update_anchor(now)
        plans = [v.plan for v in vehicles]
        return best_insertion(
            plans, leg, self.oracle.times_to, self.oracle.times_from, self.params.dwell,
            max_candidates=self.params.max_candidates,
        )

    def _assign(self, idx: int, st: _RequestState, area: int, leg: LegRequest, ins) -> None:
        vehicle = next(v for v in self.area_vehicles[area] if v.plan.vehicle_id == ins.vehicle_id)
        insert(vehicle.plan, leg, ins, self.oracle.time_s, self.params.dwell)
        pending = _PendingLeg(
            leg, idx, ins.vehicle_id, self.oracle.time_s(leg.origin, leg.dest), self.oracle.dist_m(leg.origin, leg.dest)
        )
        self.pending[leg.leg_id] = pending
        st.legs.append(pending)
        vehicle.plan_changed()

    def complete_leg(self, pending: _PendingLeg, boarded: float, dropped: float) -> None:
        """Called by a vehicle when a leg's riders alight."""
        del self.pending[pending.leg.leg_id]
        st = self.states[pending.request_index]
        leg = pending.leg
        rec = LegRecord(
            leg.leg_id, st.request.request_id, self.name, pending.vehicle_id, leg.origin, leg.dest, leg.pax,
            leg.earliest_s, boarded, dropped, pending.direct_s, pending.direct_m,
        )
        self.log.legs.append(rec)
        st.done_legs.append(rec)
        if len(st.done_legs) == len(st.legs):
            self._served(st)

    # -- records ------------------------------------------------------------------------------
    def _served(self, st: _RequestState) -> None:
        req = st.request
        legs = sorted(st.done_legs, key=lambda r: r.pickup_s)
        first, last = legs[0], legs[-1]
        walk_m = st.access_m + st.egress_m
        direct_s = self.oracle.time_s(st.origin_stop, st.dest_stop)
        ride = last.dropoff_s - first.pickup_s
        transfer = sum(b.pickup_s - a.dropoff_s for a, b in zip(legs, legs[1:]))
        fare = self.params.fare_between_yen if len(legs) > 1 else self.params.fare_within_yen
        self.log.requests.append(
            RequestRecord(
                request_id=req.request_id,
                request_time_s=req.request_time_s,
                earliest_pickup_s=req.earliest_pickup_s,
                party_size=req.party_size,
                prebooked=req.prebooked,
                origin_zone=req.origin_zone,
                dest_zone=req.dest_zone,
                outcome=Outcome.SERVED,
                reason=RejectReason.NONE,
                service=self.name,
                legs=len(legs),
                origin_stop=st.origin_stop,
                dest_stop=st.dest_stop,
                walk_access_m=st.access_m,
                walk_egress_m=st.egress_m,
                walk_s=walk_m / self.walk.speed_mps,
                pickup_s=first.pickup_s,
                dropoff_s=last.dropoff_s,
                wait_s=first.pickup_s - first.earliest_s,
                ride_s=ride,
                transfer_wait_s=transfer,
                direct_s=direct_s,
                direct_m=self.oracle.dist_m(st.origin_stop, st.dest_stop),
                detour=ride / direct_s if direct_s > 0 else 1.0,
                fare_yen=fare * req.party_size,
                vehicles=";".join(str(r.vehicle_id) for r in legs),
            )
        )

    def _reject(self, idx: int, st: _RequestState, reason: RejectReason) -> None:
        req = st.request
        self.log.requests.append(
            RequestRecord(
                request_id=req.request_id,
                request_time_s=req.request_time_s,
                earliest_pickup_s=req.earliest_pickup_s,
                party_size=req.party_size,
                prebooked=req.prebooked,
                origin_zone=req.origin_zone,
                dest_zone=req.dest_zone,
                outcome=Outcome.REJECTED,
                reason=reason,
                service=self.name,
                legs=0,
                origin_stop=st.origin_stop,
                dest_stop=st.dest_stop,
                walk_access_m=st.access_m,
                walk_egress_m=st.egress_m,
                walk_s=NAN,
                pickup_s=NAN,
                dropoff_s=NAN,
                wait_s=NAN,
                ride_s=NAN,
                transfer_wait_s=NAN,
                direct_s=NAN,
                direct_m=NAN,
                detour=NAN,
                fare_yen=0.0,
                vehicles="",
            )
        )

    def finish(self) -> None:
        """Append the vehicle records (after the environment has run to completion)."""
        if self.pending:
            raise RuntimeError(f"{self.name}: {len(self.pending)} legs were never completed")
        self.log.vehicles.extend(v.record() for v in self.vehicles)


def simulate(
    requests: Sequence[Request],
    services: Sequence[DrtSimulation],
    env: simpy.Environment,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run a day: feed ``requests`` (sorted by request time) to the first service in ``services``
    whose areas contain the trip's origin and destination, until every vehicle is home."""

    def arrivals():
        total = len(requests)
        for k, req in enumerate(requests):
            if req.request_time_s > env.now:
                yield env.timeout(req.request_time_s - env.now)
            chosen = services[0]
            for svc in services:
                lay = svc.layout
                if lay.area_of(req.origin_node) is not None and lay.area_of(req.dest_node) is not None:
                    chosen = svc
                    break
            chosen.submit(req)
            if progress is not None:
                progress(k + 1, total)

    env.process(arrivals())
    env.run()
    for svc in services:
        svc.finish()
