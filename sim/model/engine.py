"""The simulated day: request arrivals, passenger choice, journeys across services, records.

At its request time each request is offered every option it can reach within walking limits —
each DRT service whose areas hold its origin and destination, each fixed line, and one-transfer
combinations of a DRT service and a line at the scenario's hubs — and takes the one with the
least generalised time (:mod:`sim.model.choice`); it is rejected if none is feasible. A journey is a
sequence of stages (a DRT ride, possibly itself two legs, or a line ride). A DRT stage after a
line is booked when the rider reaches the hub, so a late line never strands a booked vehicle.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import simpy

from sim.model.choice import LineOption, StopCandidate, Weights, best_line_ride, generalised_s, wait_at_stop
from sim.demand.generate import Request
from sim.model.drt.simulation import DrtQuote, DrtSimulation, WalkParams
from sim.model.eventlog import EventLog, LegRecord, Outcome, RejectReason, RequestRecord
from sim.model.lines.timetable import Timetable
from sim.model.lines.simulation import LineRider, LineSimulation
from sim.model.services import Mode, ServiceKind
from sim.network.graph import RoadNetwork
from sim.network.oracle import TravelOracle

NAN = math.nan


class DemandScreen(Protocol):
    """What a behavioural demand model tells the engine (the fixed model uses none).

    ``skip`` drops a request whose trip no longer uses public transport (its tour changed mode
    after the outbound was refused); ``allowed`` names the service (``"+"``-joined for a journey
    over several) the rider chose, ``None`` for any; ``refused`` is told of every refusal and may
    return a request for the rider's next public-transport choice, to be submitted at once
    (``retry`` is false at the end of the day).
    """

    def skip(self, req: Request) -> bool: ...

    def allowed(self, req: Request) -> str | None: ...

    def refused(self, req: Request, reason: RejectReason, retry: bool) -> Request | None: ...


@dataclass(frozen=True, slots=True)
class _Stage:
    """One part of a journey: a DRT ride or a line ride."""

    kind: ServiceKind
    service: str
    drt: DrtQuote | None = None
    line: LineOption | None = None
    # a DRT stage booked on arrival at the hub: (service, hub stop, hub area, dest stop, dest area)
    deferred: tuple[DrtSimulation, int, int, int, int] | None = None


@dataclass(slots=True)
class _Option:
    mode: Mode
    cost_s: float
    stages: list[_Stage]
    access_m: float
    egress_m: float
    origin_stop: int
    dest_stop: int
    follows_schedule: bool


@dataclass(slots=True)
class _Journey:
    index: int
    request: Request
    option: _Option
    stage: int = 0
    stage_legs: int = 0
    legs: list[LegRecord] = field(default_factory=list)
    fare_yen: float = 0.0
    denied: int = 0
    at_stop_s: float = NAN
    done: bool = False


class Planner:
    """Offers each request its options, books the chosen one and writes the request records."""

    def __init__(
        self,
        *,
        env: simpy.Environment,
        net: RoadNetwork,
        log: EventLog,
        walk: WalkParams,
        weights: Weights,
        hubs: Sequence[int],
        min_transfer_s: float,
    ) -> None:
        self.env = env
        self.net = net
        self.log = log
        self.walk = walk
        self.weights = weights
        self.hubs = list(hubs)
        self.min_transfer_s = min_transfer_s
        self.drts: list[DrtSimulation] = []
        self.lines: list[LineSimulation] = []
        self._timetables: dict[str, Timetable] = {}
        self._line_stops: dict[str, list[tuple[int, int, int]]] = {}
        self.journeys: list[_Journey] = []
        self._base: TravelOracle = net.oracle()
        self.leg_ids = itertools.count()
        self.screen: DemandScreen | None = None
        self._day_over = False

    def add_drt(self, svc: DrtSimulation) -> None:
        self.drts.append(svc)

    def add_line(self, svc: LineSimulation) -> None:
        self.lines.append(svc)
        self._timetables[svc.name] = Timetable(svc.layout)
        self._line_stops[svc.name] = [
            (direction, pos, node)
            for direction, pattern in enumerate(svc.layout.patterns)
            for pos, node in enumerate(pattern)
        ]

    # -- options ------------------------------------------------------------------------------
    def _candidates(self, line: LineSimulation, x: float, y: float) -> list[StopCandidate]:
        out = []
        for direction, pos, node in self._line_stops[line.name]:
            d = math.hypot(float(self.net.x[node]) - x, float(self.net.y[node]) - y) * self.walk.detour_factor
            if d <= self.walk.max_walk_m:
                out.append(StopCandidate(direction, pos, d))
        return out

    def _hub_candidates(self, line: LineSimulation, hub: int) -> list[StopCandidate]:
        return [StopCandidate(d, p, 0.0) for d, p, n in self._line_stops[line.name] if n == hub]

    def _drt_gap(self, q: DrtQuote, earliest: float, prebooked: bool) -> tuple[float, float]:
        gap = q.pickup_s - earliest
        return gap, wait_at_stop(gap, prebooked, self.weights.buffer_s)

    def options(self, req: Request, only: set[str] | None = None) -> tuple[list[_Option], list[RejectReason]]:
        """Every feasible option for ``req`` now, and why the others failed; with ``only``, just
        the options using no service outside that set."""
        w = self.weights
        speed = self.walk.speed_mps
        max_walk = self.walk.max_walk_m
        desired = req.earliest_pickup_s
        pax = req.party_size
        (ox,), (oy,) = self.net.project(np.array([req.origin_lat]), np.array([req.origin_lon]))
        (dx,), (dy,) = self.net.project(np.array([req.dest_lat]), np.array([req.dest_lon]))
        opts: list[_Option] = []
        reasons: list[RejectReason] = []
        accesses = []
        for s in self.drts:
            if only is not None and s.name not in only:
                accesses.append((None, None))
                continue
            acc = s.access(req.origin_lat, req.origin_lon, req.origin_node)
            egr = s.access(req.dest_lat, req.dest_lon, req.dest_node)
            accesses.append((acc, egr))
            if acc is None or egr is None:
                reasons.append(RejectReason.OUTSIDE_AREA)
                continue
            if max(acc[2], egr[2]) > max_walk:
                reasons.append(RejectReason.NO_STOP_IN_WALKING_DISTANCE)
                continue
            earliest = desired + acc[2] / speed
            q = s.quote(acc[1], acc[0], egr[1], egr[0], pax, earliest)
            if isinstance(q, RejectReason):
                reasons.append(q)
                continue
            gap, at_stop = self._drt_gap(q, earliest, req.prebooked)
            cost = generalised_s(w, walk_m=acc[2] + egr[2], gap_s=gap, at_stop_s=at_stop,
                                 ride_s=q.dropoff_s - q.pickup_s, transfers=len(q.legs) - 1)
            opts.append(_Option(Mode.DRT, cost, [_Stage(ServiceKind.DRT, s.name, drt=q)], acc[2], egr[2], acc[1], egr[1], req.prebooked))
        for line in self.lines:
            if only is not None and line.name not in only:
                continue
            if pax > line.params.capacity:
                reasons.append(RejectReason.TOO_LARGE)
                continue
            boards = self._candidates(line, ox, oy)
            alights = self._candidates(line, dx, dy)
            if not boards or not alights:
                reasons.append(RejectReason.NO_STOP_IN_WALKING_DISTANCE)
                continue
            lo = best_line_ride(line.layout, self._timetables[line.name], boards, alights, desired, w,
                                max_wait_s=line.params.max_wait_s)
            if lo is None:
                later = best_line_ride(line.layout, self._timetables[line.name], boards, alights, desired, w)
                reasons.append(RejectReason.NO_TRIP if later is None else RejectReason.GAVE_UP)
                continue
            opts.append(_Option(Mode.LINE, lo.cost_s, [_Stage(ServiceKind.LINE, line.name, line=lo)],
                                self._walk_of(boards, lo.quote, True), self._walk_of(alights, lo.quote, False),
                                lo.quote.board_node, lo.quote.alight_node, lo.at_stop_s < lo.gap_s))
        for hub in self.hubs:
            for s, (acc, egr) in zip(self.drts, accesses):
                hub_area = s.area_of_stop(hub)
                if hub_area is None:
                    continue
                for line in self.lines:
                    if only is not None and line.name not in only:
                        continue
                    hub_cands = self._hub_candidates(line, hub)
                    if not hub_cands or pax > line.params.capacity:
                        continue
                    tt = self._timetables[line.name]
                    # DRT to the hub, then the line
                    if acc is not None and acc[2] <= max_walk and acc[1] != hub:
                        earliest = desired + acc[2] / speed
                        q = s.quote(acc[1], acc[0], hub, hub_area, pax, earliest)
                        alights = self._candidates(line, dx, dy)
                        if not isinstance(q, RejectReason) and alights:
                            gap, at_stop = self._drt_gap(q, earliest, req.prebooked)
                            ready = q.dropoff_s + self.min_transfer_s
                            lo = best_line_ride(line.layout, tt, hub_cands, alights, ready, w,
                                                extra_walk_m=acc[2], transfers=1, max_wait_s=line.params.max_wait_s)
                            if lo is not None:
                                ride = lo.quote.arrive_s - q.pickup_s
                                cost = generalised_s(w, walk_m=lo.walk_m, gap_s=gap, at_stop_s=at_stop,
                                                     ride_s=ride, transfers=len(q.legs))
                                opts.append(_Option(
                                    Mode.DRT_LINE, cost,
                                    [_Stage(ServiceKind.DRT, s.name, drt=q), _Stage(ServiceKind.LINE, line.name, line=lo)],
                                    acc[2], lo.walk_m - acc[2], acc[1], lo.quote.alight_node, req.prebooked,
                                ))
                    # the line to the hub, then DRT (booked on arrival at the hub)
                    if egr is not None and egr[2] <= max_walk and egr[1] != hub:
                        boards = self._candidates(line, ox, oy)
                        lo = best_line_ride(line.layout, tt, boards, hub_cands, desired, w, max_wait_s=line.params.max_wait_s)
                        if lo is not None:
                            q = s.quote(hub, hub_area, egr[1], egr[0], pax, lo.quote.arrive_s + self.min_transfer_s)
                            if not isinstance(q, RejectReason):
                                ride = q.dropoff_s - lo.quote.depart_s
                                walk = lo.walk_m + egr[2]
                                cost = generalised_s(w, walk_m=walk, gap_s=lo.gap_s, at_stop_s=lo.at_stop_s,
                                                     ride_s=ride, transfers=len(q.legs))
                                opts.append(_Option(
                                    Mode.LINE_DRT, cost,
                                    [_Stage(ServiceKind.LINE, line.name, line=lo),
                                     _Stage(ServiceKind.DRT, s.name, deferred=(s, hub, hub_area, egr[1], egr[0]))],
                                    lo.walk_m, egr[2], lo.quote.board_node, egr[1], lo.at_stop_s < lo.gap_s,
                                ))
        return opts, reasons

    @staticmethod
    def _walk_of(cands: Sequence[StopCandidate], q, board: bool) -> float:
        pos = q.board_pos if board else q.alight_pos
        return min(c.walk_m for c in cands if c.direction == q.direction and c.position == pos)

    # -- requests -----------------------------------------------------------------------------
    def submit(self, req: Request) -> None:
        """Offer ``req`` its options now and book the best, or reject it."""
        if self.screen is not None and self.screen.skip(req):
            return
        if not self.drts and not self.lines:
            self._reject(req, RejectReason.NO_SERVICE)
            return
        chosen = self.screen.allowed(req) if self.screen is not None else None
        opts, reasons = self.options(req, None if chosen is None else set(chosen.split("+")))
        if chosen is not None:
            opts = [o for o in opts if "+".join(st.service for st in o.stages) == chosen]
        if not opts:
            self._reject(req, _main_reason(reasons))
            return
        best = min(opts, key=lambda o: o.cost_s)  # min keeps the first of equal options
        j = _Journey(len(self.journeys), req, best)
        self.journeys.append(j)
        self._start_stage(j)

    def _start_stage(self, j: _Journey) -> None:
        stage = j.option.stages[j.stage]
        j.stage_legs = 0
        now = self.env.now
        if stage.kind is ServiceKind.DRT:
            q = stage.drt
            if q is None:  # booked now, on arrival at the hub
                assert stage.deferred is not None
                s, hub, hub_area, dest, dest_area = stage.deferred
                q2 = s.quote(hub, hub_area, dest, dest_area, j.request.party_size, now + self.min_transfer_s)
                if isinstance(q2, RejectReason):
                    self._strand(j, RejectReason.STRANDED_AT_HUB)
                    return
                q = q2
                j.option.stages[j.stage] = _Stage(ServiceKind.DRT, s.name, drt=q)
            svc = next(s for s in self.drts if s.name == q.service)
            # riders may cancel or not show up only where the journey is this DRT ride alone
            alone = j.stage == 0 and len(j.option.stages) == 1
            svc.book(q, j.index, j.request.request_id, prebooked=j.request.prebooked, may_drop=alone)
            j.fare_yen += q.fare_yen
        else:
            lo = stage.line
            assert lo is not None
            line = next(x for x in self.lines if x.name == stage.service)
            q = lo.quote
            if j.stage == 0:
                at_stop = lo.at_stop_from_s
                ready = q.depart_s - lo.gap_s  # when the rider could have been at the stop
            else:
                at_stop = ready = now + self.min_transfer_s
            line.add_rider(LineRider(
                j.index, j.request.request_id, next(self.leg_ids), q.direction, q.board_pos, q.alight_pos,
                j.request.party_size, at_stop, q.depart_s, q.arrive_s, give_up_s=ready + line.params.max_wait_s,
            ))
            j.fare_yen += line.layout.fare_yen * j.request.party_size

    def on_drt_leg(self, journey: int, rec: LegRecord) -> None:
        j = self.journeys[journey]
        j.legs.append(rec)
        j.stage_legs += 1
        q = j.option.stages[j.stage].drt
        assert q is not None
        if j.stage_legs == len(q.legs):
            self._next_stage(j)

    def on_drt_dropped(self, journey: int, outcome: Outcome) -> None:
        """A booked DRT journey ended without a ride: the rider cancelled or did not show up."""
        j = self.journeys[journey]
        j.done = True
        self._record(j.request, outcome, RejectReason.NONE, j.option, 0)

    def on_line_leg(self, rider: LineRider, rec: LegRecord) -> None:
        j = self.journeys[rider.journey]
        j.legs.append(rec)
        j.denied += rider.denied
        if j.stage == 0:
            j.at_stop_s = rec.pickup_s - rider.at_stop_s
        self._next_stage(j)

    def on_line_give_up(self, rider: LineRider) -> None:
        """A rider left the stop unboarded after the line's ``max_wait_s``: refused (``gave_up_waiting``)."""
        j = self.journeys[rider.journey]
        j.denied += rider.denied
        # refused at the stop, after the day's plan was made: recorded, not re-planned (the demand
        # model hears only of refusals when a trip is asked for, so demand.csv stays the requests asked)
        self._strand(j, RejectReason.GAVE_UP, tell=False)

    def _next_stage(self, j: _Journey) -> None:
        j.stage += 1
        if j.stage < len(j.option.stages):
            self._start_stage(j)
        else:
            self._served(j)

    def finish(self) -> None:
        """Close the day: riders still waiting for a line are stranded."""
        self._day_over = True
        for line in self.lines:
            for r in line.stranded():
                j = self.journeys[r.journey]
                j.denied += r.denied
                self._strand(j, RejectReason.STRANDED if r.denied else RejectReason.NO_TRIP)

    def _refused(self, req: Request, reason: RejectReason) -> None:
        """Tell the demand model; submit the rider's next public-transport choice, if any."""
        if self.screen is None:
            return
        retry = self.screen.refused(req, reason, not self._day_over)
        if retry is not None and not self._day_over:
            self.submit(retry)

    # -- records ------------------------------------------------------------------------------
    def _served(self, j: _Journey) -> None:
        req, opt = j.request, j.option
        legs = sorted(j.legs, key=lambda r: r.pickup_s)
        first, last = legs[0], legs[-1]
        desired_at_stop = req.earliest_pickup_s + opt.access_m / self.walk.speed_mps
        wait = first.pickup_s - desired_at_stop
        if opt.stages[0].kind is ServiceKind.DRT:
            promised = first.promised_pickup_s
            late = max(0.0, first.pickup_s - promised) if not math.isnan(promised) else 0.0
            at_stop = wait_at_stop(wait - late, opt.follows_schedule, self.weights.buffer_s) + late
        else:
            at_stop = j.at_stop_s
        direct = self._base.time_s(opt.origin_stop, opt.dest_stop)
        ride = last.dropoff_s - first.pickup_s
        j.done = True
        self._record(
            req, Outcome.SERVED, RejectReason.NONE, opt, j.denied,
            legs=len(legs),
            walk_s=(opt.access_m + opt.egress_m) / self.walk.speed_mps,
            pickup_s=first.pickup_s,
            dropoff_s=last.dropoff_s,
            wait_s=wait,
            ride_s=ride,
            transfer_wait_s=sum(b.pickup_s - a.dropoff_s for a, b in zip(legs, legs[1:])),
            direct_s=direct,
            direct_m=self._base.dist_m(opt.origin_stop, opt.dest_stop),
            detour=ride / direct if direct > 0 else 1.0,
            fare_yen=j.fare_yen,
            vehicles=";".join(f"{r.vehicle_id}" for r in legs),
            wait_at_stop_s=at_stop,
        )

    def _strand(self, j: _Journey, reason: RejectReason, *, tell: bool = True) -> None:
        """The journey cannot be completed. Legs already ridden stay in the record (with the fares
        paid for them), so ``legs.csv``, fares and boardings agree with ``requests.csv``."""
        if j.done:
            return
        j.done = True
        legs = sorted(j.legs, key=lambda r: r.pickup_s)
        ridden: dict[str, Any] = {}
        if legs:
            ridden = {
                "legs": len(legs),
                "pickup_s": legs[0].pickup_s,
                "fare_yen": j.fare_yen,
                "vehicles": ";".join(f"{r.vehicle_id}" for r in legs),
            }
        self._record(j.request, Outcome.REJECTED, reason, j.option, j.denied, **ridden)
        if tell:
            self._refused(j.request, reason)

    def _reject(self, req: Request, reason: RejectReason) -> None:
        self._record(req, Outcome.REJECTED, reason, None, 0)
        self._refused(req, reason)

    def _record(
        self, req: Request, outcome: Outcome, reason: RejectReason, opt: _Option | None, denied: int, **served: Any
    ) -> None:
        """Append the request's record; what only a served request has is ``nan`` otherwise."""
        fields: dict[str, Any] = {
            "legs": 0, "walk_s": NAN, "pickup_s": NAN, "dropoff_s": NAN, "wait_s": NAN, "ride_s": NAN,
            "transfer_wait_s": NAN, "direct_s": NAN, "direct_m": NAN, "detour": NAN, "fare_yen": 0.0,
            "vehicles": "", "wait_at_stop_s": NAN,
        }
        fields.update(served)
        self.log.requests.append(RequestRecord(
            request_id=req.request_id,
            request_time_s=req.request_time_s,
            earliest_pickup_s=req.earliest_pickup_s,
            party_size=req.party_size,
            prebooked=req.prebooked,
            origin_zone=req.origin_zone,
            dest_zone=req.dest_zone,
            outcome=outcome,
            reason=reason,
            service="+".join(st.service for st in opt.stages) if opt else "",
            origin_stop=opt.origin_stop if opt else -1,
            dest_stop=opt.dest_stop if opt else -1,
            walk_access_m=opt.access_m if opt else NAN,
            walk_egress_m=opt.egress_m if opt else NAN,
            mode=opt.mode if opt else "",
            denied_boardings=denied,
            **fields,
        ))


_REASON_PRIORITY = (
    RejectReason.NO_VEHICLE,
    RejectReason.NO_TRANSFER,
    RejectReason.TOO_LARGE,
    RejectReason.GAVE_UP,
    RejectReason.NO_TRIP,
    RejectReason.OUTSIDE_HOURS,
    RejectReason.SAME_STOP,
    RejectReason.NO_STOP_IN_WALKING_DISTANCE,
    RejectReason.OUTSIDE_AREA,
)


def _main_reason(reasons: Sequence[RejectReason]) -> RejectReason:
    """The most telling reason among the options' failures (capacity before geography)."""
    for r in _REASON_PRIORITY:
        if r in reasons:
            return r
    return reasons[0] if reasons else RejectReason.NO_OPTION


def simulate(
    requests: Sequence[Request],
    planner: Planner,
    env: simpy.Environment,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run the day: submit ``requests`` (sorted by request time) until every vehicle is home."""

    def arrivals():
        total = len(requests)
        for k, req in enumerate(requests):
            if req.request_time_s > env.now:
                yield env.timeout(req.request_time_s - env.now)
            planner.submit(req)
            if progress is not None:
                progress(k + 1, total)

    env.process(arrivals())
    env.run()
    planner.finish()
    for svc in planner.drts:
        svc.finish()
    for line in planner.lines:
        line.finish()
