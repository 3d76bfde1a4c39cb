"""DRT in simpy: vehicles following their plans, and the service that quotes and books rides.

Each vehicle is a simpy process that follows its :class:`~sim.model.drt.dispatch.VehiclePlan`:
it waits where it is until it must leave (lazy departure), drives the fastest path to the next
stop, dwells, and repeats; when idle it stays or rebalances (:mod:`sim.model.drt.rebalance`),
and at the end of its service window it drives back to its depot. A new booking may divert a
driving vehicle at the next node of its path. A booking turns the quote into a promise
(:meth:`DrtParams.promise`) that later insertions keep. With fixed travel times vehicles realise
exactly the planned times, so every promise is kept unless an incident stops an automated
vehicle or a rider does not show up; with varying times (:mod:`sim.model.traffic`) plans are
re-timed as vehicles go. A re-timed plan moves the promises it breaks; the leg records keep the
original ones, so such a leg counts as a breach.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import simpy

from sim.model.drt.access import StopAccess
from sim.model.drt.dispatch import (
    EPS,
    Insertion,
    LegRequest,
    Stop,
    StopKind,
    VehiclePlan,
    best_insertion,
    insert,
    retime,
)
from sim.model.drt.fleet import FleetArrays
from sim.model.drt.layout import DrtLayout
from sim.model.drt.params import DrtParams, DrtQuote, PendingLeg, VehicleMode, WalkParams
from sim.model.drt.rebalance import DemandZones, rebalance_target
from sim.model.drt.riders import RiderDropouts
from sim.model.energy import BatteryPool
from sim.model.eventlog import EventLog, LegRecord, MoveKind, Outcome, RejectReason, VehicleMove, VehicleRecord
from sim.model.incidents import IncidentProcess
from sim.model.traffic import TravelTimes
from sim.model.remote import RemoteCenter, incident_spans
from sim.network.graph import RoadNetwork
from sim.network.oracle import TravelOracle

NAN = math.nan


_Mode = VehicleMode


class _Vehicle:
    """One vehicle process following its plan."""

    def __init__(
        self, sim: DrtSimulation, plan: VehiclePlan, depot: int, area: str, start_s: float, incidents: IncidentProcess,
        area_index: int = 0,
    ) -> None:
        self.sim = sim
        self.area_index = area_index
        self.seek = True  # look for a rebalancing target when next idle
        self.rebalancing = False  # the current drive is a rebalancing drive
        self.heading: int | None = None  # the node a rebalancing drive goes to
        self.rng: np.random.Generator | None = None  # realised travel times (when they vary)
        self.incidents = incidents
        self.halt_until = -math.inf
        self.held = False  # waiting at the depot for a supervision slot (capacity gating)
        self.slot: object = None
        self.unit = -1  # the physical vehicle (battery) in this fleet place (sim/model/energy.py)
        self.low = False  # charge below the battery's low mark: no bookings, to the depot to charge
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
        elif self.mode is _Mode.HALT:
            plan.node, plan.time_s, plan.at_stop = self.pos, self.halt_until, False
        elif self.mode is _Mode.CHARGE:
            plan.node, plan.time_s, plan.at_stop = self.pos, self.wake_s, False
        else:
            # idle or waiting where it stands; ``at_stop`` stays as set by the last stop served
            # here (a vehicle still standing at a stop shares that stop's dwell)
            plan.node, plan.time_s = self.pos, now
            if plan.stops:
                # only here does the anchor time move without the plan being re-timed
                plan.reanchor(self.sim.oracle.time_s)

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
        self.sim.touch(self)

    # -- the process ----------------------------------------------------------------------
    def run(self):  # noqa: C901 - a small state machine reads best in one place
        env = self.sim.env
        plan = self.plan
        if env.now < self.start_s:
            yield env.timeout(self.start_s - env.now)
        center = self.sim.center
        if center is not None and self.slot is None:
            yield from self._take_slot(center)
        self.mode = _Mode.IDLE
        plan.time_s = env.now
        while True:
            now = env.now
            if self.mode is _Mode.DRIVE:
                wake = self.seg_times[-1]
            elif self.mode is _Mode.HALT:
                wake = self.halt_until
            elif not plan.stops:
                if now >= plan.shift_end_s - EPS:
                    yield from self._pull_in()
                    return
                target = None if self.low else (self.sim.rebalance_target(self, now) if self.seek else None)
                self.seek = self.seek and self.low
                if self.low and self.pos != self.depot:
                    self._start_drive(now, self.depot)
                    wake = self.seg_times[-1]
                elif self.low:
                    wake = self._charge(now)
                elif target is not None:
                    self._start_drive(now, target)
                    self.rebalancing, self.heading = True, target
                    wake = self.seg_times[-1]
                else:
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
            self.sim.touch(self)
            try:
                yield env.timeout(max(0.0, wake - now))
            except simpy.Interrupt:
                continue
            self.interruptible = False
            if self.mode is _Mode.DRIVE:
                self._finish_drive()
            elif self.mode in (_Mode.SERVE, _Mode.WAIT, _Mode.HALT):
                self.mode = _Mode.IDLE
            elif self.mode is _Mode.CHARGE:
                self.mode, self.low = _Mode.IDLE, False

    def _take_slot(self, center: RemoteCenter):
        """Wait at the depot for a supervision slot (a vehicle without one has no bookings: it
        takes its slot when first booked, see :meth:`bookable`); held, it is offered to nobody."""
        env = self.sim.env
        self.held = True
        self.slot = yield from center.acquire(self.plan.vehicle_id, self.sim.name)
        self.held = False
        if env.now > self.start_s + EPS:
            self.start_s = env.now

    def bookable(self) -> bool:
        """May take a booking: not going to charge, and under capacity gating it has a
        supervision slot, or it has not started and a slot is free (it takes that slot when booked)."""
        if self.low:
            return False
        pool = self.sim.pool
        if pool is not None and pool.charge_m(self.unit) - self._committed_m() < pool.spec.low_m:
            return False  # what it has booked would take it below the low mark: no more
        center = self.sim.center
        if center is None or center.slots is None or self.slot is not None:
            return True
        return self.mode is _Mode.BEFORE_SHIFT and not self.held and center.free_slots() > 0

    def _committed_m(self, node: int | None = None) -> float:
        """Metres still to drive from ``node`` (default: where it is) for the rides booked, and back to the depot."""
        oracle, dist = self.sim.oracle, 0.0
        node = self.pos if node is None else node
        for s in self.plan.stops:
            dist += oracle.dist_m(node, s.node)
            node = s.node
        return dist + oracle.dist_m(node, self.depot)

    def _charge(self, now: float) -> float:
        """At the depot with a low battery: continue with the pool's vehicle charged enough
        first (``resume_share`` of the range); returns when (a ``charge`` move until then)."""
        pool = self.sim.pool
        assert pool is not None
        self.unit, ready = pool.swap(self.unit, now, pool.spec.resume_share * pool.spec.range_m)
        if ready > now:
            self.sim.log.moves.append(
                VehicleMove(self.plan.vehicle_id, self.sim.name, MoveKind.CHARGE, now, ready, self.pos, self.pos, 0.0, 0)
            )
        self.mode = _Mode.CHARGE
        return ready

    def _start_drive(self, now: float, target: int) -> None:
        oracle = self.sim.oracle
        path = oracle.path(self.pos, target)
        self.seg_nodes = path
        if self.sim.travel is not None:
            self.seg_times = self.sim.travel.drive(path, now, self.rng)
        else:
            row = oracle.times_from(self.pos)
            self.seg_times = [now + float(row[n]) for n in path]
        self.seg_start_s = now
        self.mode = _Mode.DRIVE
        self.plan.at_stop = False

    def _finish_drive(self) -> None:
        start, end = self.seg_nodes[0], self.seg_nodes[-1]
        dist = 0.0
        if end != start:
            dist = self.sim.oracle.path_length_m(self.seg_nodes)
            self._record_drive(start, end, self.seg_start_s, self.seg_times[-1], dist,
                               "rebalance" if self.rebalancing else "")
        self.rebalancing, self.heading = False, None
        self.pos = end
        self.mode = _Mode.IDLE
        self.seg_nodes, self.seg_times = [], []
        if self.sim.travel is not None:
            self._retime_on_arrival()
        if getattr(self.incidents, "needs_roads", False):  # a class limited to some roads
            incidents = self.incidents.drive(dist, self.sim.net.path_edges(self.seg_nodes) if end != start else [])
        else:
            incidents = self.incidents.drive(dist)
        if incidents:
            self._halt(incidents)

    def _retime_on_arrival(self) -> None:
        """Times vary: re-time the plan from where and when the vehicle really is."""
        plan, sim = self.plan, self.sim
        plan.node, plan.time_s, plan.at_stop = self.pos, sim.env.now, False
        if plan.stops and retime(plan, sim.oracle.time_s, sim.params.dwell):
            sim.hold_connections(plan)

    def _halt(self, incidents: list) -> None:
        """Stop where the vehicle is for the incidents' resolution and re-time its plan."""
        t = self.sim.env.now
        for t0, t1, inc in incident_spans(self.sim.center, t, self.plan.vehicle_id, self.sim.name, self.pos, incidents):
            self.sim.log.moves.append(
                VehicleMove(
                    self.plan.vehicle_id, self.sim.name, MoveKind.INCIDENT, t0, t1, self.pos, self.pos,
                    0.0, self.plan.load, _detail(inc),
                )
            )
            t = t1
        self.halt_until = t
        self.mode = _Mode.HALT
        plan = self.plan
        plan.node, plan.time_s, plan.at_stop = self.pos, t, False
        plan.retime_relaxed(self.sim.oracle.time_s, self.sim.params.dwell)
        self.sim.hold_connections(plan)

    def _record_drive(self, a: int, b: int, t0: float, t1: float, dist: float, detail: str = "") -> None:
        pool = self.sim.pool
        if pool is not None:
            pool.drive(self.unit, dist)
            self.low = self.low or pool.charge_m(self.unit) - self._committed_m(b) < pool.spec.low_m
        load = self.plan.load
        self.km += dist / 1000.0
        if load == 0:
            self.empty_km += dist / 1000.0
        self.pax_km += load * dist / 1000.0
        self.sim.log.moves.append(
            VehicleMove(self.plan.vehicle_id, self.sim.name, MoveKind.DRIVE, t0, t1, a, b, dist, load, detail)
        )

    def _serve_first(self, now: float) -> None:
        """Serve the plan's first stop now: board or alight, and dwell until its departure."""
        plan = self.plan
        board, depart = plan.board_s[0], plan.depart_s[0]
        if plan.stops[0].kind is StopKind.PICKUP and plan.stops[0].leg_id in self.sim.dropouts.no_shows:
            self._no_show(now)
            return
        stop = plan.serve_first()
        self.seek = True
        if stop.kind is StopKind.PICKUP:
            self.sim.pending[stop.leg_id].pickup_s = board
            self.boardings += stop.pax
        elif stop.kind is StopKind.DROPOFF:
            self.sim.complete_leg(self.sim.pending[stop.leg_id], board)
        if depart > now + EPS:
            detail = "break" if stop.kind is StopKind.BREAK else ""
            self.sim.log.moves.append(
                VehicleMove(plan.vehicle_id, self.sim.name, MoveKind.DWELL, now, depart, self.pos, self.pos, 0.0,
                            plan.load, detail)
            )
        self.mode = _Mode.SERVE
        self.wake_s = depart

    def _no_show(self, now: float) -> None:
        """The rider of the first stop is not there: wait ``no_show_wait_s``, then drop the journey."""
        sim, plan = self.sim, self.plan
        leave = now + sim.params.no_show_wait_s
        sim.log.moves.append(VehicleMove(plan.vehicle_id, sim.name, MoveKind.DWELL, now, leave, self.pos, self.pos,
                                         0.0, plan.load, "no_show"))
        plan.node, plan.time_s, plan.at_stop = self.pos, leave, True
        self.seek, self.mode, self.wake_s = True, _Mode.SERVE, leave
        sim.dropouts.drop(sim.pending[plan.stops[0].leg_id].journey, Outcome.NO_SHOW)

    def _pull_in(self):
        env = self.sim.env
        self.mode = _Mode.DONE
        self.plan.time_s = math.inf
        self.sim.touch(self)
        now = env.now
        if self.pos != self.depot:
            a0 = self.pos
            oracle = self.sim.oracle
            tt = oracle.time_s(self.pos, self.depot)
            dist = oracle.dist_m(self.pos, self.depot)
            if self.sim.travel is not None:
                path = oracle.path(self.pos, self.depot)
                tt = self.sim.travel.drive(path, now, self.rng)[-1] - now
                dist = oracle.path_length_m(path)
            yield env.timeout(tt)
            self._record_drive(self.pos, self.depot, now, now + tt, dist)
            self.pos = self.depot
            t = env.now
            if getattr(self.incidents, "needs_roads", False):
                found = self.incidents.drive(dist, self.sim.net.path_edges(self.sim.oracle.path(a0, self.depot)))
            else:
                found = self.incidents.drive(dist)
            spans = incident_spans(self.sim.center, t, self.plan.vehicle_id, self.sim.name, self.pos, found)
            for t0, t1, inc in spans:
                self.sim.log.moves.append(
                    VehicleMove(
                        self.plan.vehicle_id, self.sim.name, MoveKind.INCIDENT, t0, t1, self.pos,
                        self.pos, 0.0, 0, _detail(inc),
                    )
                )
                t = t1
            if t > env.now:
                yield env.timeout(t - env.now)
        self.pull_in_s = env.now
        if self.sim.center is not None:
            self.sim.center.release(self.slot)
            self.slot = None

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
            shift_end_s=p.shift_end_s + p.overrun_s,  # the window, plus any incident overrun
            pull_in_s=pull_in,
            hours=(pull_in - self.start_s) / 3600.0,
            km=self.km,
            empty_km=self.empty_km,
            boardings=self.boardings,
            pax_km=self.pax_km,
        )

def _detail(inc) -> str:
    """The ``detail`` of an incident move: its severity class, else ``remote`` or ``onsite``."""
    return inc.severity or ("onsite" if inc.onsite else "remote")


class DrtSimulation:
    """One DRT service: its vehicles, and quoting and booking of rides between its stops."""

    def __init__(
        self,
        *,
        name: str,
        layout: DrtLayout,
        params: DrtParams,
        walk: WalkParams,
        net: RoadNetwork,
        oracle: TravelOracle,
        env: simpy.Environment,
        log: EventLog,
        first_vehicle_id: int,
        incidents: Callable[[int], IncidentProcess],
        on_leg_done: Callable[[int, LegRecord], None],
        leg_ids: Iterator[int],
        on_dropped: Callable[[int, Outcome], None] | None = None,
        rng: np.random.Generator | None = None,
        forecast: Sequence[tuple[float, int]] = (),
        travel: TravelTimes | None = None,
        drive_rng: Callable[[int], np.random.Generator] | None = None,
        center: RemoteCenter | None = None,
        pool: BatteryPool | None = None,
    ) -> None:
        self.name = name
        self.center = center
        self.pool = pool
        self.layout = layout
        self.params = params
        self.walk = walk
        self.net = net
        self._oracle = oracle
        self.travel = travel if travel is not None and travel.varies else None
        self._drive_rng = drive_rng
        self.env = env
        self.log = log
        self.on_leg_done = on_leg_done
        self.on_dropped = on_dropped
        self.dropouts = RiderDropouts(self, rng)
        self.pending: dict[int, PendingLeg] = {}
        self._leg_ids = leg_ids
        self.vehicles: list[_Vehicle] = []
        self.area_vehicles: list[list[_Vehicle]] = []
        self._zones: list[DemandZones] = []
        if params.rebalancing.strategy == "demand":
            self._zones = [
                DemandZones(net.x, net.y, a.stops, [(t, n) for t, n in forecast if a.members[n]], params.rebalancing.zone_m)
                for a in layout.areas
            ]
        vid = first_vehicle_id
        for k, area in enumerate(layout.areas):
            members: list[_Vehicle] = []
            for _ in range(area.fleet_size):
                plan = VehiclePlan(vid, params.capacity, area.depot, layout.start_s, layout.end_s)
                if params.plan_breaks and params.automation in ("human", "level2"):
                    plan.stops = params.breaks(area.depot, layout.start_s, layout.end_s, len(members))
                    plan.refresh(oracle.time_s, params.dwell)
                vehicle = _Vehicle(self, plan, area.depot, area.name, layout.start_s, incidents(vid), k)
                vehicle.unit = vid - first_vehicle_id
                members.append(vehicle)
                self.vehicles.append(vehicle)
                vid += 1
            self.area_vehicles.append(members)
        stop_access = StopAccess(layout, net, walk)
        self.access = stop_access.access  # (area, stop, walk m) of a rider's point, or None
        self.area_of_stop = stop_access.area_of_stop  # first area with this stop, or None
        self.by_id = {v.plan.vehicle_id: v for v in self.vehicles}
        self.fleet = None if params.insertion_search == "python" else FleetArrays(  # None: the reference search
            [(v.plan.vehicle_id, v.area_index) for v in self.vehicles], len(layout.areas), net.x, net.y,
            oracle.straight_line_speed_mps(net.x, net.y))
        for v in self.vehicles:
            self.touch(v)
        self._synced = oracle  # the expected-time oracle every plan was last timed on
        if self.travel is not None:
            for v in self.vehicles:
                v.rng = drive_rng(v.plan.vehicle_id) if drive_rng is not None else None
            if self.travel.params.time_of_day:
                env.process(self._retime_hourly())

    @property
    def oracle(self) -> TravelOracle:
        """Expected travel times now: the oracle of the current clock hour when times vary."""
        return self._oracle if self.travel is None else self.travel.oracle_at(self.env.now)

    def _sync(self, v: _Vehicle) -> None:
        """Times vary: re-time ``v``'s plan on the current expected times from its anchor."""
        if not v.plan.stops or v.mode is _Mode.DONE:
            return
        if retime(v.plan, self.oracle.time_s, self.params.dwell):
            self.hold_connections(v.plan)
        self.touch(v)
        if v.mode is not _Mode.DRIVE:  # a driving vehicle goes on; it is re-timed on arrival
            v.plan_changed()

    def _retime_hourly(self):
        """When the hour's expected times change, re-time every plan on them."""
        assert self.travel is not None
        nxt = self.travel.next_change_s(self.env.now)
        while math.isfinite(nxt) and nxt < self.layout.end_s:
            yield self.env.timeout(nxt - self.env.now)
            self._retime_all()
            nxt = self.travel.next_change_s(self.env.now)

    def _retime_all(self) -> None:
        if self.oracle is self._synced:
            return
        self._synced = self.oracle
        for v in self.vehicles:
            v.update_anchor(self.env.now)
            self._sync(v)

    # -- quoting ----------------------------------------------------------------------------
    def quote(
        self, o_stop: int, a_o: int, d_stop: int, a_d: int, pax: int, earliest: float
    ) -> DrtQuote | RejectReason:
        """The best way to carry ``pax`` riders from ``o_stop`` (area ``a_o``) to ``d_stop``
        (area ``a_d``), boarding no earlier than ``earliest``: one leg inside an area, or two
        legs changing vehicles at the hub. Nothing is booked."""
        lay, p = self.layout, self.params
        if pax > p.capacity:
            return RejectReason.TOO_LARGE
        if not (lay.start_s <= earliest < lay.end_s):
            return RejectReason.OUTSIDE_HOURS
        if o_stop == d_stop:
            return RejectReason.SAME_STOP
        now = self.env.now
        hub = lay.hub
        if a_o == a_d or hub is None or o_stop == hub or d_stop == hub:
            area = a_d if o_stop == hub else a_o
            leg = self._leg(o_stop, d_stop, pax, earliest)
            ins = self._best(area, leg, now)
            if ins is None:
                return RejectReason.NO_VEHICLE
            fare = p.fare_within_yen * pax
            return DrtQuote(self.name, ((area, leg, ins),), o_stop, d_stop, ins.pickup_s, ins.dropoff_s, fare)
        leg1 = self._leg(o_stop, hub, pax, earliest)
        ins1 = self._best(a_o, leg1, now)
        if ins1 is None:
            return RejectReason.NO_VEHICLE
        leg2 = self._leg(hub, d_stop, pax, ins1.dropoff_s + p.min_transfer_s)
        ins2 = self._best(a_d, leg2, now)
        if ins2 is None:
            return RejectReason.NO_TRANSFER
        # couple the legs: leg 1 must arrive min_transfer before leg 2's promised pickup, and leg 2
        # may not be brought forward (a shared dwell could otherwise cut the transfer short)
        leg1 = LegRequest(
            leg1.leg_id, leg1.origin, leg1.dest, leg1.pax, leg1.earliest_s, leg1.latest_pickup_s,
            leg1.max_ride_s, ins2.pickup_s - p.min_transfer_s,
        )
        leg2 = LegRequest(
            leg2.leg_id, leg2.origin, leg2.dest, leg2.pax, ins2.pickup_s, leg2.latest_pickup_s,
            leg2.max_ride_s, leg2.latest_dropoff_s,
        )
        center = self.center
        if center is not None and center.slots is not None:
            new = {i.vehicle_id for i in (ins1, ins2) if self.by_id[i.vehicle_id].slot is None}
            if len(new) > center.free_slots():  # two vehicles not yet in service, one supervision slot
                return RejectReason.NO_TRANSFER
        fare = p.fare_between_yen * pax
        return DrtQuote(
            self.name, ((a_o, leg1, ins1), (a_d, leg2, ins2)), o_stop, d_stop, ins1.pickup_s, ins2.dropoff_s, fare
        )

    def _leg(self, o: int, d: int, pax: int, earliest: float) -> LegRequest:
        p = self.params
        direct = self.oracle.time_s(o, d)
        leg = LegRequest(
            leg_id=next(self._leg_ids),
            origin=o,
            dest=d,
            pax=pax,
            earliest_s=earliest,
            latest_pickup_s=earliest + p.max_wait_s,
            max_ride_s=p.max_ride_factor * direct + p.max_ride_extra_s,
        )
        return leg

    def touch(self, v: _Vehicle) -> None:
        """``v``'s plan or state changed: update its row of the compiled search's arrays."""
        if self.fleet is not None:
            self.fleet.touch(v, self.env.now, self.oracle.time_s)

    def _best(self, area: int, leg: LegRequest, now: float) -> Insertion | None:
        """The best insertion of ``leg`` into the vehicles of ``area`` that may take bookings."""
        vehicles, p, fleet = self.area_vehicles[area], self.params, self.fleet
        if filtered := (self.center is not None and self.center.slots is not None) or self.pool is not None:
            vehicles = [v for v in vehicles if v.bookable()]
        if fleet is None or filtered or self.travel is not None:
            for v in vehicles:
                v.update_anchor(now)
        else:  # the compiled search finds the anchors itself (lazily, as update_anchor would)
            fleet.note_search(area, now)
        if self.travel is not None:
            self._retime_all()  # if the hour's times changed
            for v in vehicles:
                if v.mode is _Mode.DRIVE:  # only a driving vehicle's anchor can be off its plan
                    self._sync(v)
        weights = {"max_candidates": p.max_candidates, "wait_weight": p.wait_weight, "delay_weight": p.delay_weight, "ride_weight": p.ride_weight}  # noqa: E501
        if fleet is None:
            return best_insertion([v.plan for v in vehicles], leg, self.oracle.times_to, self.oracle.times_from,
                                  p.dwell, **weights)
        rows = fleet.rows([v.plan.vehicle_id for v in vehicles]) if filtered else fleet.area_rows[area]
        ins, _, _ = fleet.search(now, rows, leg, self.oracle.times_to, self.oracle.times_from, p.dwell,
                                 prune=self.travel is None, **weights)
        if ins is not None:
            self.by_id[ins.vehicle_id].update_anchor(now)  # the booking inserts from its anchor
        return ins

    # -- booking ----------------------------------------------------------------------------
    def book(
        self, quote: DrtQuote, journey: int, request_id: str, *, prebooked: bool = False, may_drop: bool = False
    ) -> None:
        """Book every leg of ``quote`` (made now) for ``journey``; ``may_drop``: see :meth:`RiderDropouts.draw`."""
        if may_drop:
            self.dropouts.draw(quote, journey, prebooked)
        for k, (area, leg, ins) in enumerate(quote.legs):
            vehicle = self.by_id[ins.vehicle_id]
            _, latest_pick, latest_drop = self.params.window(leg, ins)
            # the plan keeps the promise; the record keeps the rider's own request
            insert(vehicle.plan, self.params.promise(leg, ins), ins, self.oracle.time_s, self.params.dwell)
            if self.center is not None and self.center.slots is not None and vehicle.slot is None:
                vehicle.slot = self.center.take_now()  # booked before its start: in service from now on
            nxt = quote.legs[k + 1][1].leg_id if k + 1 < len(quote.legs) else None
            self.pending[leg.leg_id] = PendingLeg(
                leg, journey, request_id, ins.vehicle_id, self.oracle.time_s(leg.origin, leg.dest),
                self.oracle.dist_m(leg.origin, leg.dest), ins.pickup_s, ins.dropoff_s, latest_pick, latest_drop,
                next_leg=nxt,
            )
            vehicle.plan_changed()

    def rebalance_target(self, vehicle: _Vehicle, now: float) -> int | None:
        """Where idle ``vehicle`` should drive now (``None``: stay; see :func:`rebalance_target`)."""
        others = [o.heading if o.heading is not None else o.pos for o in self.area_vehicles[vehicle.area_index]
                  if o is not vehicle and not o.plan.stops and o.mode is not _Mode.DONE]
        zones = self._zones[vehicle.area_index] if self._zones else None
        rules, end = self.params.rebalancing, vehicle.plan.shift_end_s
        return rebalance_target(rules, zones, vehicle.pos, vehicle.depot, now, end, others, self.oracle)

    def hold_connections(self, plan: VehiclePlan) -> None:
        """After ``plan`` was delayed, make connecting vehicles wait for transferring riders.

        A connecting pickup is moved to the delayed arrival at the hub plus the minimum transfer
        time, and the connecting vehicle's plan is re-timed (its promises move with it).
        """
        for stop, arrive in zip(plan.stops, plan.board_s):
            if stop.kind is not StopKind.DROPOFF:
                continue
            nxt = self.pending[stop.leg_id].next_leg
            if nxt is None:
                continue
            ready = arrive + self.params.min_transfer_s
            other = self.by_id[self.pending[nxt].vehicle_id]
            stops = other.plan.stops
            for idx, s in enumerate(stops):
                if s.leg_id == nxt and s.kind is StopKind.PICKUP:
                    if s.earliest_s < ready - EPS:
                        stops[idx] = Stop(s.kind, s.leg_id, s.node, s.pax, ready, max(s.latest_s, ready), s.max_ride_s)
                        other.update_anchor(self.env.now)
                        other.plan.retime_relaxed(self.oracle.time_s, self.params.dwell)
                        self.hold_connections(other.plan)
                        other.plan_changed()
                    break

    def complete_leg(self, pending: PendingLeg, dropped: float) -> None:
        """Called by a vehicle when a leg's riders alight."""
        del self.pending[pending.leg.leg_id]
        leg = pending.leg
        rec = LegRecord(
            leg.leg_id, pending.request_id, self.name, pending.vehicle_id, leg.origin, leg.dest, leg.pax,
            leg.earliest_s, pending.pickup_s, dropped, pending.direct_s, pending.direct_m,
            pending.promised_pickup_s, pending.promised_dropoff_s, pending.latest_pickup_s,
            pending.latest_dropoff_s,
        )
        self.log.legs.append(rec)
        self.on_leg_done(pending.journey, rec)

    def finish(self) -> None:
        """Append the vehicle records (after the environment has run to completion)."""
        if self.pending:
            raise RuntimeError(f"{self.name}: {len(self.pending)} legs were never completed")
        self.log.vehicles.extend(v.record() for v in self.vehicles)
        if self.pool is not None:
            self.pool.finish(max([self.layout.end_s, *(v.pull_in_s for v in self.vehicles if not math.isnan(v.pull_in_s))]))
            self.log.energy.append(self.pool.log())
