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
class RemoteOpsSpec:
    """The control room and the field team of a day.

    Attributes
    ----------
    operators : int
        Remote operators on duty all day (>= 1).
    vehicles_per_operator : int
        Vehicles one operator may supervise at once (>= 1).
    gating : bool
        Apply capacity gating (a vehicle in service only while a supervision slot is free).
    field_staff : int
        People who drive out to incidents of ``field`` classes (0: not modelled).
    field_base : int | None
        Node index of the field staff's base (required when ``field_staff > 0``).
    """

    operators: int
    vehicles_per_operator: int
    gating: bool = True
    field_staff: int = 0
    field_base: int | None = None

    @property
    def capacity(self) -> int:
        """Vehicles that can be supervised at once."""
        return self.operators * self.vehicles_per_operator


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
        self.slots = simpy.Resource(env, capacity=spec.capacity) if spec.gating else None
        self.incidents: list[IncidentRecord] = []
        self.holds: list[HoldRecord] = []
        self.field_trips: list[FieldTrip] = []
        self.operator_busy_s = 0.0
        self.first_s = math.inf
        self.last_s = -math.inf

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
        free, op = heapq.heappop(self._ops)
        start = max(now, free)
        cursor = start
        spans: list[tuple[float, float, Incident]] = []
        t0 = now
        for k, inc in enumerate(incidents):
            arrive = now if k == 0 else cursor
            op_start = cursor
            field_arrive = math.nan
            if inc.onsite and self._field:
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
        """Supervision slots free now (a large number without gating)."""
        return self.spec.capacity - self.slots.count if self.slots is not None else 1 << 30

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
    supervised vehicle leaving to the last one back); ``vehicles_held`` counts vehicles that waited
    for a supervision slot and ``vehicle_hold_s`` their total wait.
    """
    waits = np.array([r.wait_s for r in rl.incidents], dtype=float)
    fwaits = np.array([r.field_wait_s for r in rl.incidents if r.field and not math.isnan(r.field_arrive_s)], dtype=float)
    span = rl.last_s - rl.first_s if math.isfinite(rl.first_s) and math.isfinite(rl.last_s) else 0.0
    return {
        "incidents": len(rl.incidents),
        "incidents_field": sum(1 for r in rl.incidents if r.field),
        "incident_wait_mean_s": float(waits.mean()) if waits.size else None,
        "incident_wait_p95_s": float(np.percentile(waits, 95)) if waits.size else None,
        "field_wait_mean_s": float(fwaits.mean()) if fwaits.size else None,
        "field_wait_p95_s": float(np.percentile(fwaits, 95)) if fwaits.size else None,
        "operator_utilisation": rl.operator_busy_s / (rl.spec.operators * span) if span > 0 else None,
        "vehicles_held": len({(h.service, h.vehicle_id) for h in rl.holds}),
        "vehicle_hold_s": float(sum(h.got_s - h.want_s for h in rl.holds)),
        "remote_operators": rl.spec.operators,
        "field_staff": rl.spec.field_staff,
    }
