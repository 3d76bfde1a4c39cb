"""Remote supervision of Level 4 vehicles: an operator queue, field staff and capacity gating.

Modelled on MATSim's DRT remote-operations extension (see README "Autonomous operations" and
docs/PARAMETERS.md): a control room of ``operators`` remote operators, each able to supervise
``vehicles_per_operator`` vehicles at once.

* **Capacity gating.** A supervised vehicle (automation ``level4_remote``) may be in service only
  while one of the ``operators × vehicles_per_operator`` supervision slots is free: it takes a slot
  when it leaves its depot and gives it back when it is back. Without a free slot it waits at its
  depot (first come, first served) and riders see the effect (a DRT vehicle held is offered to
  nobody; a line's trips run late). :class:`HoldRecord` logs each wait.
* **Incident queue (M/G/m, first come, first served).** An incident stops the vehicle where it is
  and waits for the operator who becomes free first; that operator then works for the incident's
  duration (:class:`~sim.model.incidents.SeverityClass`). Incidents are handled in the order they
  happen (the simulation processes them in time order), so assigning each to the earliest-free
  operator is exactly the FCFS multi-server queue. Several incidents found on one drive are
  handled back to back by the same operator (the later ones wait for nobody).
* **Field staff.** An incident of a ``field`` class also needs one of ``field_staff`` people, who
  leave their base (node ``field_base``) when the operator takes the incident, or when one of
  them is free, drive to the vehicle over the road network (the fastest path by car), do the
  on-site work (the incident's duration) and drive back to the base. The operator stays with the
  incident until the vehicle moves again. With ``field_staff = 0`` field response is not
  modelled (the duration alone).

Times are seconds since midnight; places are node indices.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import simpy

from sim.model.incidents import Incident

#: The automation level whose vehicles the control room supervises.
SUPERVISED = "level4_remote"


@dataclass(frozen=True, slots=True)
class Shift:
    """``operators`` remote operators on duty from ``start_s`` to ``end_s`` (seconds since midnight)."""

    start_s: float
    end_s: float
    operators: int


@dataclass(frozen=True, slots=True)
class FieldBase:
    """A field team: ``staff`` people based at node ``node``."""

    node: int
    staff: int


@dataclass(frozen=True, slots=True)
class RemoteOpsSpec:
    """The control room and the field team of a day.

    Attributes
    ----------
    operators : int
        Remote operators on duty all day (>= 1); with ``shifts``, the most on duty at once.
    vehicles_per_operator : int
        Vehicles one operator may supervise at once (>= 1).
    gating : bool
        Apply capacity gating (a vehicle in service only while a supervision slot is free).
    field_staff : int
        People who drive out to incidents of ``field`` classes (0: not modelled).
    field_base : int | None
        Node index of the field staff's base (required when ``field_staff > 0``).
    shifts : tuple[Shift, ...]
        Operators varying over the day (empty: ``operators`` all day). Operators on duty at ``t``
        = the sum over the shifts with ``start_s <= t < end_s``; outside every shift nobody.
    field_bases : tuple[FieldBase, ...]
        Several field teams (empty: ``field_staff`` at ``field_base``). The team member who can
        reach the vehicle first by the network drive time responds (the nearest free one).
    """

    operators: int
    vehicles_per_operator: int
    gating: bool = True
    field_staff: int = 0
    field_base: int | None = None
    shifts: tuple[Shift, ...] = ()
    field_bases: tuple[FieldBase, ...] = ()

    @property
    def capacity(self) -> int:
        """Vehicles that can be supervised at once (with shifts: at the busiest time)."""
        return self.operators * self.vehicles_per_operator

    def operators_at(self, t: float) -> int:
        """Operators on duty at time ``t`` (s)."""
        if not self.shifts:
            return self.operators
        return sum(s.operators for s in self.shifts if s.start_s <= t < s.end_s)

    def capacity_at(self, t: float) -> int:
        """Vehicles that can be supervised at time ``t`` (s)."""
        return self.operators_at(t) * self.vehicles_per_operator

    def operator_steps(self) -> list[tuple[float, float, int]]:
        """The shifts as a step function: ``(start_s, end_s, operators)`` per constant stretch with
        someone on duty (empty without shifts)."""
        times = sorted({t for s in self.shifts for t in (s.start_s, s.end_s)})
        steps = [(a, b, self.operators_at(a)) for a, b in zip(times, times[1:], strict=False)]
        return [x for x in steps if x[2] > 0]


@dataclass(frozen=True, slots=True)
class IncidentRecord:
    """One incident of a supervised vehicle (seconds since midnight).

    ``wait_s`` = ``operator_start_s - arrive_s`` is the wait for an operator; for a field
    incident ``field_arrive_s`` is when field staff reached the vehicle (else NaN) and
    ``field_wait_s`` the time from the operator taking it to that arrival. ``end_s``: the
    vehicle may move again.
    """

    vehicle_id: int
    service: str
    severity: str
    node: int
    arrive_s: float
    operator_start_s: float
    field_arrive_s: float
    end_s: float
    field: bool

    @property
    def wait_s(self) -> float:
        return self.operator_start_s - self.arrive_s

    @property
    def field_wait_s(self) -> float:
        return self.field_arrive_s - self.operator_start_s if self.field else math.nan


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """A supervised vehicle that wanted to go into service at ``want_s`` and got a slot at ``got_s``."""

    vehicle_id: int
    service: str
    want_s: float
    got_s: float


@dataclass(frozen=True, slots=True)
class FieldTrip:
    """One trip of a field staff member: leave base, reach the vehicle, work, back at base (s)."""

    member: int
    node: int
    leave_s: float
    arrive_s: float
    done_s: float
    back_s: float


class RemoteCenter:
    """The control room of one simulated day (see the module docstring).

    Parameters
    ----------
    spec
        Operators, slots and field team.
    env
        The day's simpy environment (for the supervision slots).
    drive_s
        ``drive_s(a, b)``: the field staff's drive time in seconds from node ``a`` to node ``b``.
    """

    def __init__(self, spec: RemoteOpsSpec, env: simpy.Environment, drive_s: Callable[[int, int], float]) -> None:
        if spec.operators < 1 or spec.vehicles_per_operator < 1:
            raise ValueError("remote operations need at least 1 operator supervising at least 1 vehicle")
        if spec.field_staff > 0 and spec.field_base is None:
            raise ValueError("field staff need a base node")
        self.spec = spec
        self.env = env
        self.drive_s = drive_s
        self._ops: list[tuple[float, int]] = [(0.0, k) for k in range(spec.operators)]
        self._field: list[tuple[float, int]] = [(0.0, k) for k in range(spec.field_staff)]
        # with shifts: each operator's [start, end) and when free; with bases: each member's base and when free
        self._shift_ops = [[0.0, s.start_s, s.end_s] for s in spec.shifts for _ in range(s.operators)]
        self._members = [[0.0, b.node] for b in spec.field_bases for _ in range(b.staff)]
        self.slots: simpy.Resource | None = None
        self._blockers: list[simpy.resources.resource.Request] = []
        if spec.gating and spec.shifts:
            # supervision slots that follow the shifts: a priority resource of the busiest capacity,
            # the slots not staffed held by blocker requests that go before any waiting vehicle
            self.slots = simpy.PriorityResource(env, capacity=max(1, spec.capacity))
            env.process(self._follow_shifts())
        elif spec.gating:
            self.slots = simpy.Resource(env, capacity=spec.capacity)
        self.incidents: list[IncidentRecord] = []
        self.holds: list[HoldRecord] = []
        self.field_trips: list[FieldTrip] = []
        self.operator_busy_s = 0.0
        self.first_s = math.inf
        self.last_s = -math.inf

    def _follow_shifts(self):
        """simpy process: at each shift change hold ``capacity - capacity_at(t)`` slots blocked (a
        vehicle in service keeps its slot until it is back; nobody new starts above the capacity)."""
        top = max(1, self.spec.capacity)
        changes = sorted({0.0, *(t for s in self.spec.shifts for t in (s.start_s, s.end_s))})
        for t in changes:
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            target = top - self.spec.capacity_at(t)
            while len(self._blockers) < target:
                self._blockers.append(self.slots.request(priority=-1))  # type: ignore[union-attr, call-arg]
            while len(self._blockers) > target:
                req = self._blockers.pop()  # the pending ones were added last
                if req.triggered:
                    self.slots.release(req)  # type: ignore[union-attr]
                else:
                    req.cancel()

    def _take_operator(self, now: float) -> tuple[float, int]:
        """With shifts: the operator who can start first at or after ``now`` within their shift
        (one whose shift has ended if nobody else comes: overtime); returns (start_s, index)."""
        best: tuple[float, int] | None = None
        late: tuple[float, int] | None = None
        for k, (free, a, b) in enumerate(self._shift_ops):
            start = max(now, free, a)
            if start < b and (best is None or start < best[0]):
                best = (start, k)
            if late is None or start < late[0]:
                late = (start, k)
        assert late is not None
        return best if best is not None else late

    def _take_member(self, t: float, node: int) -> tuple[float, float, int]:
        """With several bases: the member who reaches ``node`` first, leaving at or after ``t`` from
        their base by the network drive time; returns (leave_s, arrive_s, index)."""
        best: tuple[float, float, int] | None = None
        for k, (free, base) in enumerate(self._members):
            leave = max(t, free)
            arrive = leave + self.drive_s(int(base), node)
            if best is None or arrive < best[1]:
                best = (leave, arrive, k)
        assert best is not None
        return best

    # -- incidents -------------------------------------------------------------------------
    def resolve(
        self, now: float, vehicle_id: int, service: str, node: int, incidents: Sequence[Incident]
    ) -> list[tuple[float, float, Incident]]:
        """Queue the ``incidents`` a vehicle found at ``node`` at time ``now``.

        Returns one ``(start_s, end_s, incident)`` span per incident, back to back from ``now``
        (the first span includes the wait for an operator); the vehicle moves again at the last
        span's end.
        """
        if not incidents:
            return []
        if self._shift_ops:
            start, op = self._take_operator(now)
        else:
            free, op = heapq.heappop(self._ops)
            start = max(now, free)
        cursor = start
        spans: list[tuple[float, float, Incident]] = []
        t0 = now
        for k, inc in enumerate(incidents):
            arrive = now if k == 0 else cursor
            op_start = cursor
            field_arrive = math.nan
            if inc.onsite and self._members:
                leave, field_arrive, member = self._take_member(cursor, node)
                base = int(self._members[member][1])
                cursor = field_arrive + inc.duration_s
                back = cursor + self.drive_s(node, base)
                self._members[member][0] = back
                self.field_trips.append(FieldTrip(member, node, leave, field_arrive, cursor, back))
            elif inc.onsite and self._field:
                staff_free, member = heapq.heappop(self._field)
                leave = max(cursor, staff_free)
                field_arrive = leave + self.drive_s(self.spec.field_base, node)  # type: ignore[arg-type]
                cursor = field_arrive + inc.duration_s
                back = cursor + self.drive_s(node, self.spec.field_base)  # type: ignore[arg-type]
                heapq.heappush(self._field, (back, member))
                self.field_trips.append(FieldTrip(member, node, leave, field_arrive, cursor, back))
            else:
                cursor = cursor + inc.duration_s
            self.incidents.append(
                IncidentRecord(vehicle_id, service, inc.severity, node, arrive, op_start, field_arrive, cursor, inc.onsite)
            )
            spans.append((t0, cursor, inc))
            t0 = cursor
        self.operator_busy_s += cursor - start
        if self._shift_ops:
            self._shift_ops[op][0] = cursor
        else:
            heapq.heappush(self._ops, (cursor, op))
        return spans

    # -- capacity gating ---------------------------------------------------------------------
    def acquire(self, vehicle_id: int, service: str):
        """simpy generator: wait for a supervision slot (returns the request to release later)."""
        self.first_s = min(self.first_s, self.env.now)
        if self.slots is None:
            return None
        want = self.env.now
        req = self.slots.request()
        yield req
        if self.env.now > want:
            self.holds.append(HoldRecord(vehicle_id, service, want, self.env.now))
        return req

    def free_slots(self) -> int:
        """Supervision slots free now (a large number without gating); none while someone waits
        for a slot (a blocker of the shifts or a vehicle)."""
        if self.slots is None:
            return 1 << 30
        if self.spec.shifts and self.slots.queue:
            return 0
        return self.slots.capacity - self.slots.count

    def take_now(self) -> object:
        """Take a free slot now, without waiting (call only when :meth:`free_slots` > 0)."""
        self.first_s = min(self.first_s, self.env.now)
        if self.slots is None:
            return None
        req = self.slots.request()
        assert req.triggered, "take_now() without a free slot"
        return req

    def release(self, req: object) -> None:
        """Give a slot back (``req`` from :meth:`acquire`; ``None``: no gating)."""
        self.last_s = max(self.last_s, self.env.now)
        if req is not None and self.slots is not None:
            self.slots.release(req)  # type: ignore[arg-type]

    def log(self) -> RemoteLog:
        """What the control room saw over the day."""
        return RemoteLog(self.spec, tuple(self.incidents), tuple(self.holds), tuple(self.field_trips),
                         self.operator_busy_s, self.first_s, self.last_s)


@dataclass(frozen=True, slots=True)
class RemoteLog:
    """The control room's day: incidents, holds, field trips and operator busy time (seconds).

    ``first_s``/``last_s``: the first supervised vehicle leaving and the last one back.
    """

    spec: RemoteOpsSpec
    incidents: tuple[IncidentRecord, ...]
    holds: tuple[HoldRecord, ...]
    field_trips: tuple[FieldTrip, ...]
    operator_busy_s: float
    first_s: float
    last_s: float


def incident_spans(
    center: RemoteCenter | None, now: float, vehicle_id: int, service: str, node: int, incidents: Sequence[Incident]
) -> list[tuple[float, float, Incident]]:
    """The stops the ``incidents`` cause: queued at ``center``, or (``None``) back to back from ``now``
    for each incident's duration (the model without a control room)."""
    if center is not None:
        return center.resolve(now, vehicle_id, service, node, incidents)
    spans = []
    t = now
    for inc in incidents:
        spans.append((t, t + inc.duration_s, inc))
        t += inc.duration_s
    return spans


def remote_metrics(rl: RemoteLog) -> dict[str, float | int | None]:
    """KPIs of the control room (seconds unless named otherwise).

    ``operator_utilisation`` is operator busy time / (operators × the span from the first
    supervised vehicle leaving to the last one back; with shifts, the operator-seconds on duty in
    that span); ``vehicles_held`` counts vehicles that waited
    for a supervision slot and ``vehicle_hold_s`` their total wait.
    """
    waits = np.array([r.wait_s for r in rl.incidents], dtype=float)
    fwaits = np.array([r.field_wait_s for r in rl.incidents if r.field and not math.isnan(r.field_arrive_s)], dtype=float)
    span = rl.last_s - rl.first_s if math.isfinite(rl.first_s) and math.isfinite(rl.last_s) else 0.0
    on_duty = rl.spec.operators * span
    if rl.spec.shifts and span > 0:  # operator-seconds of the shifts inside the span
        on_duty = sum(n * max(0.0, min(b, rl.last_s) - max(a, rl.first_s)) for a, b, n in rl.spec.operator_steps())
    return {
        "incidents": len(rl.incidents),
        "incidents_field": sum(1 for r in rl.incidents if r.field),
        "incident_wait_mean_s": float(waits.mean()) if waits.size else None,
        "incident_wait_p95_s": float(np.percentile(waits, 95)) if waits.size else None,
        "field_wait_mean_s": float(fwaits.mean()) if fwaits.size else None,
        "field_wait_p95_s": float(np.percentile(fwaits, 95)) if fwaits.size else None,
        "operator_utilisation": rl.operator_busy_s / on_duty if on_duty > 0 else None,
        "vehicles_held": len({(h.service, h.vehicle_id) for h in rl.holds}),
        "vehicle_hold_s": float(sum(h.got_s - h.want_s for h in rl.holds)),
        "remote_operators": rl.spec.operators,
        "field_staff": rl.spec.field_staff,
    }
