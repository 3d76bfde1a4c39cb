"""Staff needs of a simulated day: vehicle blocks → duties per role → FTE.

Pure functions of the event log and the scenario's ``[staffing]`` settings
(:class:`~sim.staffing_config.StaffingConfig`). The run-cutting itself is in :mod:`sim.staffing.runcut`.

Roles
-----
``driver``
    One per vehicle of automation ``human`` (class-2 licence): fixed lines and driven DRT.
``level2_operator``
    One on board each ``level2`` vehicle. At Level 2 the operator is legally the driver
    (class-2 licence), so the driving-time rules apply.
``level4_crew``
    One on board each ``level4_crew`` vehicle; not driving, so only the binding-time rule.
``remote_operator``
    Control room for ``level4_remote`` vehicles: ⌈vehicles out / ratio⌉ on duty ([remote_ops]: its numbers,
    or its shifts as planned).
``field_staff``
    Field response for automated vehicles (levels in ``field_staff_automation``): at each moment
    ⌈vehicles out / ``field_vehicles_per_staff``⌉, or ``field_staff_per_area`` for every service
    area with such a vehicle out.
``booking_staff``
    Optional phone booking centre: ``booking_staff`` people through the booking hours.

Blocks. A vehicle's block runs from pull-out (``shift_start_s``) to pull-in (``pull_in_s``),
with ``prep_min`` before and ``handover_min`` after. Its driving intervals are the ``drive``
moves. ``incident`` moves (the vehicle stopped on the road, waiting for a remote operator or
field staff) are not driving; like any other non-driving span between two drives they count
towards a break of driving (運転の中断) when long enough (``min_break_piece_min``). They are
not relief points either: nobody can take over a vehicle stranded on the road. Staff may change
only while it stands: at the start or end of a dwell or of idle time between moves (at a stop,
or at the depot when the node is the depot), and on a ``relief_grid_min`` clock grid while it
stands longer. A relief away from the depot costs
``relief_travel_min`` each way plus ``relief_handover_min`` for each of the two people.
Control-room, field and booking needs are step functions of time; layer *k* (the time with at
least *k* people needed) gives blocks with no driving, reliefs on the clock grid and wherever
the need changes, and ``desk_handover_min`` at start and end.

Headcount. For each role, with *d* the operating days a year of a duty's service (the most of
its services; ``days a week / 7 × (365 − closed_days_per_year)`` unless
``operating_days_per_year`` is set)::

    FTE = max( Σ d / working_days_per_employee,
               Σ binding_h × d / annual_binding_limit_h,          (3,300 h a year)
               Σ driving_h × d / (max_weekly_driving_h × 365 / 7) )  (40 h a week; driving roles)
          × (1 + leave_spare_factor)

The first term is the usual "duties per day × operating days ÷ working days"; ``limit`` in
``staffing.json`` says which term is the largest (binds).
"""

from __future__ import annotations

import bisect

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sim.model.eventlog import EventLog, MoveKind, Outcome, VehicleMove, VehicleRecord
from sim.staffing.fte import fte_from_totals
from sim.staffing.runcut import EPS, Block, Duty, DutyRules, Relief, cut_duties, lower_bound
from sim.scenario.staffing import StaffingConfig
from sim.timeutil import format_clock, parse_clock
from sim.model.services import ServiceKind
from sim.tolerance import EPS as EPS_RATIO
from sim import kpis as kpi_registry
from sim.kpis import Group

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

__all__ = [
    "DUTY_COLUMNS",
    "Block",
    "Duty",
    "DutyRules",
    "Relief",
    "Role",
    "RoleStaffing",
    "STAFFING_KPI_KEYS",
    "STAFFING_SERVICE_KPI_KEYS",
    "Staffing",
    "compute_staffing",
    "cut_duties",
    "duty_rows",
    "layer_blocks",
    "lsa_break_s",
    "need_profile",
    "operating_days",
    "role_blocks",
    "role_fte",
    "rules_for",
    "staff_days_per_year",
    "vehicle_block",
]


class Role(StrEnum):
    """Who is needed."""

    DRIVER = "driver"
    LEVEL2_OPERATOR = "level2_operator"
    LEVEL4_CREW = "level4_crew"
    REMOTE_OPERATOR = "remote_operator"
    FIELD_STAFF = "field_staff"
    BOOKING_STAFF = "booking_staff"


#: The person on board each vehicle, by automation level (``level4_remote``: nobody).
ON_BOARD: dict[str, Role] = {"human": Role.DRIVER, "level2": Role.LEVEL2_OPERATOR, "level4_crew": Role.LEVEL4_CREW}
DRIVING_ROLES = frozenset({Role.DRIVER, Role.LEVEL2_OPERATOR})
DESK_ROLES = frozenset({Role.REMOTE_OPERATOR, Role.FIELD_STAFF, Role.BOOKING_STAFF})

#: Staffing keys merged into ``metrics.json`` (and so into comparison tables).
STAFFING_KPI_KEYS: tuple[str, ...] = kpi_registry.names(Group.STAFFING)

#: Staffing keys of each ``per_service`` entry of ``metrics.json`` (:meth:`Staffing.per_service_kpis`).
STAFFING_SERVICE_KPI_KEYS: tuple[str, ...] = tuple(sorted(kpi_registry.names(Group.STAFFING, per_service=True)))

#: Columns of ``duties.csv``.
DUTY_COLUMNS: tuple[str, ...] = (
    "role",
    "duty_id",
    "start",
    "end",
    "binding_h",
    "driving_h",
    "max_continuous_driving_h",
    "break_total_min",
    "vehicles",
    "paid_h",
    "pieces",
    "services",
    "days_per_year",
    "violations",
)


def rules_for(role: Role, cfg: StaffingConfig) -> DutyRules:
    """The duty rules of a role under the scenario's settings (seconds)."""
    common = {
        "max_binding_s": cfg.max_binding_h * 3600.0,
        "break_piece_s": cfg.min_break_piece_min * 60.0,
        "break_total_s": cfg.min_break_total_min * 60.0,
    }
    if role in DESK_ROLES:
        return DutyRules(**common, relief_handover_s=cfg.desk_handover_min * 60.0, free_connections=True)
    relief = {"relief_handover_s": cfg.relief_handover_min * 60.0, "relief_travel_s": cfg.relief_travel_min * 60.0}
    if role in DRIVING_ROLES:
        return DutyRules(
            **common,
            **relief,
            max_driving_s=cfg.max_driving_h * 3600.0,
            max_continuous_s=cfg.max_continuous_driving_h * 3600.0,
        )
    return DutyRules(**common, **relief)


# --------------------------------------------------------------------------- blocks from the log


def _grid(a: float, b: float, step_s: float) -> list[float]:
    """Multiples of ``step_s`` strictly inside ``(a, b)``."""
    k = math.floor(a / step_s) + 1
    out = []
    while k * step_s < b - EPS:
        out.append(k * step_s)
        k += 1
    return out


def _points(a: float, b: float, step_s: float, extra: Iterable[float] = ()) -> list[float]:
    """Relief times strictly inside ``(a, b)``: the clock grid plus ``extra`` (sorted, unique)."""
    pts = sorted({*_grid(a, b, step_s), *(x for x in extra if a + EPS < x < b - EPS)})
    out: list[float] = []
    for x in pts:
        if not out or x - out[-1] > EPS:
            out.append(x)
    return out


#: Relief points closer than this to the previous kept one are dropped, and a stand shorter than
#: this offers only its end as a relief point (seconds): a busy DRT vehicle stops every few
#: minutes, and cutting within 5 minutes of the best point changes no duty count while keeping
#: run-cutting fast on big fleets.
RELIEF_MIN_GAP_S = 300.0


def _thin(points: Sequence[tuple[float, bool]]) -> tuple[Relief, ...]:
    """Keep relief points at least :data:`RELIEF_MIN_GAP_S` apart (depot points always)."""
    kept: list[Relief] = []
    for x, base in points:
        if base or not kept or x - kept[-1].time_s >= RELIEF_MIN_GAP_S - EPS:
            kept.append(Relief(x, base))
    return tuple(kept)


def vehicle_block(
    record: VehicleRecord,
    moves: Sequence[VehicleMove],
    *,
    prep_s: float,
    handover_s: float,
    grid_s: float,
) -> Block:
    """The block of one vehicle: pull-out to pull-in, its drives and its relief points (seconds).

    Reliefs are the start and end of every span in which the vehicle stands (dwell or idle),
    plus the ``grid_s`` clock grid inside such spans; ``at_base`` when it stands at its depot.
    ``drive`` moves are the drives. ``incident`` moves (stopped on the road) are neither drives
    nor stands: they offer no relief point, and as a gap between drives they count towards a
    break of driving like any non-driving span (see :func:`sim.runcut.continuous_driving`).
    """
    start = record.shift_start_s
    end = max(record.pull_in_s, start)
    drives: list[tuple[float, float]] = []
    stands: list[tuple[float, float, int]] = []
    pos, t = record.depot_node, start

    def stand(a: float, b: float, node: int) -> None:
        a, b = max(a, start), min(b, end)
        if b - a <= EPS:
            return
        if stands and stands[-1][2] == node and a - stands[-1][1] <= EPS:
            stands[-1] = (stands[-1][0], b, node)
        else:
            stands.append((a, b, node))

    for m in sorted(moves, key=lambda m: (m.start_s, m.end_s)):
        if m.start_s > t + EPS:
            stand(t, m.start_s, pos)
        if m.kind is MoveKind.DWELL:
            stand(m.start_s, m.end_s, m.from_node)
        elif m.kind is MoveKind.INCIDENT:
            pass  # stopped on the road: not driving, and no place to change staff
        else:
            a, b = max(m.start_s, start), min(m.end_s, end)
            if b > a + EPS:
                if drives and a <= drives[-1][1] + EPS:
                    drives[-1] = (drives[-1][0], max(b, drives[-1][1]))
                else:
                    drives.append((a, b))
        pos = m.to_node
        t = max(t, m.end_s)
    if end > t + EPS:
        stand(t, end, pos)
    points: dict[float, bool] = {}
    drive_starts = [d0 for d0, _ in drives]
    for a, b, node in stands:
        # a short stand offers one relief point, its end; a long one also its start and the grid
        for x in ((a, *_grid(a, b, grid_s), b) if b - a >= RELIEF_MIN_GAP_S else (b,)):
            k = bisect.bisect_left(drive_starts, x - EPS) - 1  # the last drive starting before x
            inside = k >= 0 and drives[k][0] + EPS < x < drives[k][1] - EPS
            if start + EPS < x < end - EPS and not inside:
                points[x] = points.get(x, False) or node == record.depot_node
    return Block(
        block_id=f"{record.service}/v{record.vehicle_id}",
        start_s=start,
        end_s=end,
        drives=tuple(drives),
        reliefs=_thin(sorted(points.items())),
        lead_in_s=prep_s,
        lead_out_s=handover_s,
        vehicles=(record.vehicle_id,),
        services=(record.service,),
    )


def need_profile(
    vehicles: Sequence[VehicleRecord], count: Any
) -> list[tuple[float, float, int, tuple[VehicleRecord, ...]]]:
    """Step function of people needed: ``(start_s, end_s, n, vehicles out)`` per constant stretch.

    ``count(vehicles_out)`` gives the people needed while those vehicles are out (pull-out to pull-in).
    """
    spans = [(v.shift_start_s, max(v.pull_in_s, v.shift_start_s), v) for v in vehicles]
    spans = [s for s in spans if s[1] > s[0] + EPS]
    times = sorted({t for a, b, _ in spans for t in (a, b)})
    out = []
    for a, b in zip(times, times[1:], strict=False):
        active = tuple(v for s, e, v in spans if s <= a + EPS and e >= b - EPS)
        n = int(count(active)) if active else 0
        if n > 0:
            out.append((a, b, n, active))
    return out


def layer_blocks(
    profile: Sequence[tuple[float, float, int, tuple[VehicleRecord, ...]]],
    *,
    prefix: str,
    lead_s: float,
    grid_s: float,
) -> list[Block]:
    """Blocks of a need profile: layer *k* covers the time at least *k* people are needed."""
    top = max((n for _, _, n, _ in profile), default=0)
    blocks: list[Block] = []
    for k in range(1, top + 1):
        runs: list[list[tuple[float, float, int, tuple[VehicleRecord, ...]]]] = []
        for seg in profile:
            if seg[2] < k:
                continue
            if runs and abs(runs[-1][-1][1] - seg[0]) <= EPS:
                runs[-1].append(seg)
            else:
                runs.append([seg])
        for j, run in enumerate(runs, start=1):
            a, b = run[0][0], run[-1][1]
            vs = {v for seg in run for v in seg[3]}
            blocks.append(
                Block(
                    block_id=f"{prefix}/L{k}.{j}",
                    start_s=a,
                    end_s=b,
                    reliefs=tuple(Relief(x, True) for x in _points(a, b, grid_s, [seg[0] for seg in run[1:]])),
                    lead_in_s=lead_s,
                    lead_out_s=lead_s,
                    vehicles=tuple(sorted(v.vehicle_id for v in vs)),
                    services=tuple(sorted({v.service for v in vs})),
                )
            )
    return blocks


def _booking_blocks(
    vehicles: Sequence[VehicleRecord], drt_services: set[str], cfg: StaffingConfig, *, lead_s: float, grid_s: float
) -> list[Block]:
    if cfg.booking_staff <= 0:
        return []
    drt = [v for v in vehicles if v.service in drt_services]
    if not drt:
        return []
    if cfg.booking_start is not None and cfg.booking_end is not None:
        a, b = parse_clock(cfg.booking_start), parse_clock(cfg.booking_end)
    else:
        a, b = min(v.shift_start_s for v in drt), max(v.shift_end_s for v in drt)
    services = tuple(sorted({v.service for v in drt}))
    return [
        Block(
            block_id=f"booking/{k}",
            start_s=a,
            end_s=b,
            reliefs=tuple(Relief(x, True) for x in _grid(a, b, grid_s)),
            lead_in_s=lead_s,
            lead_out_s=lead_s,
            services=services,
        )
        for k in range(1, cfg.booking_staff + 1)
    ]


def _desk_counts(log: EventLog, cfg: StaffingConfig) -> tuple[Any, Any]:
    """Control-room and field people for the vehicles out: ratio rules, or ``[remote_ops]``'s numbers."""
    ops, team = (log.remote.spec.operators, log.remote.spec.field_staff) if log.remote is not None else (0, 0)
    remote = (lambda a: ops) if ops else (lambda a: math.ceil(len(a) / cfg.remote_vehicles_per_operator - EPS_RATIO))
    if team:
        return remote, lambda a: team
    if cfg.field_staff_mode == "per_area":
        return remote, lambda a: cfg.field_staff_per_area * len({(v.service, v.area) for v in a})
    return remote, lambda a: math.ceil(len(a) / cfg.field_vehicles_per_staff - EPS_RATIO)


def role_blocks(log: EventLog, cfg: StaffingConfig, *, drt_services: set[str]) -> dict[Role, list[Block]]:
    """Blocks of every role for one simulated day."""
    grid_s = cfg.relief_grid_min * 60.0
    desk_s = cfg.desk_handover_min * 60.0
    moves: dict[tuple[str, int], list[VehicleMove]] = defaultdict(list)
    for m in log.moves:
        moves[(m.service, m.vehicle_id)].append(m)
    out: dict[Role, list[Block]] = {r: [] for r in Role}
    for v in sorted(log.vehicles, key=lambda v: (v.service, v.vehicle_id)):
        role = ON_BOARD.get(v.automation)
        if role is not None:
            out[role].append(
                vehicle_block(
                    v, moves[(v.service, v.vehicle_id)], prep_s=cfg.prep_min * 60.0, handover_s=cfg.handover_min * 60.0, grid_s=grid_s
                )
            )
    remote = [v for v in log.vehicles if v.automation == "level4_remote"]
    remote_count, field_count = _desk_counts(log, cfg)
    profile = need_profile(remote, remote_count)
    if log.remote is not None and log.remote.spec.shifts:  # the control room's shifts, as planned
        profile = [(a, b, n, tuple(v for v in remote if v.shift_start_s < b and v.pull_in_s > a))
                   for a, b, n in log.remote.spec.operator_steps()]
    out[Role.REMOTE_OPERATOR] = layer_blocks(profile, prefix="remote", lead_s=desk_s, grid_s=grid_s)
    field_vs = [v for v in log.vehicles if v.automation in cfg.field_staff_automation]
    out[Role.FIELD_STAFF] = layer_blocks(need_profile(field_vs, field_count), prefix="field", lead_s=desk_s, grid_s=grid_s)
    out[Role.BOOKING_STAFF] = _booking_blocks(log.vehicles, drt_services, cfg, lead_s=desk_s, grid_s=grid_s)
    return out


# --------------------------------------------------------------------------- days and FTE


def lsa_break_s(work_s: float) -> float:
    """Break the Labour Standards Act (art. 34) requires for a working time (seconds).

    45 min over 6 h, 60 min over 8 h. Reported only (``duties_short_of_lsa_break``), not enforced.
    """
    if work_s > 8 * 3600.0 + EPS:
        return 3600.0
    if work_s > 6 * 3600.0 + EPS:
        return 2700.0
    return 0.0


def operating_days(service_days: dict[str, int], cfg: StaffingConfig) -> dict[str, float]:
    """Operating days a year of each service: ``days a week / 7 × (365 − closed days)`` or the override."""
    if cfg.operating_days_per_year is not None:
        return {s: float(cfg.operating_days_per_year) for s in service_days}
    return {s: n / 7.0 * (365.0 - cfg.closed_days_per_year) for s, n in service_days.items()}


def staff_days_per_year(duty: Duty, days: dict[str, float]) -> float:
    """Days a year a duty is worked: the most operating days among its services."""
    found = [days[s] for s in duty.services if s in days]
    if found:
        return max(found)
    return max(days.values(), default=0.0)


def paid_s_by_service(duty: Duty) -> Iterator[tuple[str, float]]:
    """A duty's paid time (s) shared out to services: over its pieces by their length, a piece's
    share equally over its services; yields ``(service, seconds)`` per piece and service."""
    spans = [(p, p.off_s - p.on_s) for p in duty.pieces]
    total = sum(x for _, x in spans) or 1.0
    for p, x in spans:
        share = duty.paid_s * x / total / max(1, len(p.services))
        for svc in p.services:
            yield svc, share


@dataclass(frozen=True, slots=True)
class RoleStaffing:
    """Duties and headcount of one role (hours and years as named)."""

    role: Role
    duties: tuple[Duty, ...]
    blocks: tuple[Block, ...]
    lower_bound: int
    duty_days_per_year: float
    annual_binding_h: float
    annual_driving_h: float
    fte_by_days: float
    fte_by_annual_binding: float
    fte_by_weekly_driving: float
    fte: float
    limit: str

    @property
    def paid_h_per_day(self) -> float:
        return sum(d.paid_s for d in self.duties) / 3600.0

    @property
    def binding_h_per_day(self) -> float:
        return sum(d.binding_s for d in self.duties) / 3600.0

    @property
    def driving_h_per_day(self) -> float:
        return sum(d.driving_s for d in self.duties) / 3600.0

    @property
    def violations(self) -> int:
        return sum(len(d.violations) for d in self.duties)

    def summary(self, cfg: StaffingConfig) -> dict[str, Any]:
        """The role's entry in ``staffing.json``."""
        people = self.fte / (1.0 + cfg.leave_spare_factor) if self.fte > 0 else 0.0
        return {
            "duties_per_day": len(self.duties),
            "duties_lower_bound": self.lower_bound,
            "paid_hours_per_day": self.paid_h_per_day,
            "binding_hours_per_day": self.binding_h_per_day,
            "driving_hours_per_day": self.driving_h_per_day,
            "duty_days_per_year": self.duty_days_per_year,
            "fte": self.fte,
            "headcount": math.ceil(self.fte - EPS_RATIO),
            "fte_by_days": self.fte_by_days,
            "fte_by_annual_binding": self.fte_by_annual_binding,
            "fte_by_weekly_driving": self.fte_by_weekly_driving,
            "limit": self.limit,
            "annual_binding_h_per_person": self.annual_binding_h / people if people > 0 else None,
            "annual_binding_limit_binds": self.limit == "annual_binding",
            "longest_duty_h": max((d.binding_s for d in self.duties), default=0.0) / 3600.0,
            "duties_over_14h": sum(1 for d in self.duties if d.binding_s > 14 * 3600.0 + EPS),
            "duties_short_of_lsa_break": sum(1 for d in self.duties if d.break_total_s < lsa_break_s(d.paid_s) - EPS),
            "rule_violations": self.violations,
            "blocks": len(self.blocks),
            "vehicles": sorted({v for b in self.blocks for v in b.vehicles}),
        }


def role_fte(role: Role, duties: Sequence[Duty], days: dict[str, float], cfg: StaffingConfig) -> dict[str, Any]:
    """FTE of a role from its duties (see the module docstring); returns the terms and which binds."""
    per_duty = [staff_days_per_year(d, days) for d in duties]
    binding = sum(d.binding_s / 3600.0 * n for d, n in zip(duties, per_duty, strict=True))
    driving = sum(d.driving_s / 3600.0 * n for d, n in zip(duties, per_duty, strict=True))
    return fte_from_totals(sum(per_duty), binding, driving, cfg, driving_role=role in DRIVING_ROLES, has_duties=bool(duties))


@dataclass(frozen=True, slots=True)
class Staffing:
    """Staff needs of one simulated day and their yearly headcount."""

    roles: tuple[RoleStaffing, ...]
    operating_days: dict[str, float]
    config: StaffingConfig
    passengers_per_day: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def role(self, role: Role | str) -> RoleStaffing:
        """The entry of one role."""
        return next(r for r in self.roles if r.role == role)

    @property
    def duties(self) -> tuple[Duty, ...]:
        """Every duty, role by role."""
        return tuple(d for r in self.roles for d in r.duties)

    def kpis(self) -> dict[str, Any]:
        """The staffing keys of ``metrics.json`` (:data:`STAFFING_KPI_KEYS`)."""
        fte = {r.role: r.fte for r in self.roles}
        hours = sum(r.paid_h_per_day for r in self.roles)
        return {
            "drivers_fte": fte[Role.DRIVER],
            "class2_drivers_fte": fte[Role.DRIVER] + fte[Role.LEVEL2_OPERATOR],
            "attendants_fte": fte[Role.LEVEL2_OPERATOR] + fte[Role.LEVEL4_CREW],
            "remote_operators_fte": fte[Role.REMOTE_OPERATOR],
            "field_staff_fte": fte[Role.FIELD_STAFF],
            "booking_staff_fte": fte[Role.BOOKING_STAFF],
            "staff_fte_total": sum(fte.values()),
            "duties_per_day": sum(len(r.duties) for r in self.roles),
            "staff_hours_per_day": hours,
            "staff_hours_per_passenger": hours / self.passengers_per_day if self.passengers_per_day else None,
            "duty_rule_violations": sum(r.violations for r in self.roles),
        }

    def per_service_kpis(self) -> dict[str, dict[str, float]]:
        """FTE and paid hours shared out to services (for ``metrics.json`` ``per_service``).

        Each duty's paid time is split over its pieces in proportion to their length (lead
        times included) and a piece's share over its services equally; a role's FTE is split
        in proportion to that paid time × the service's operating days. The parts add up to
        the totals.
        """
        keys = {
            Role.DRIVER: ("drivers_fte", "class2_drivers_fte"),
            Role.LEVEL2_OPERATOR: ("attendants_fte", "class2_drivers_fte"),
            Role.LEVEL4_CREW: ("attendants_fte",),
            Role.REMOTE_OPERATOR: ("remote_operators_fte",),
            Role.FIELD_STAFF: ("field_staff_fte",),
            Role.BOOKING_STAFF: ("booking_staff_fte",),
        }
        names = sorted({*self.operating_days, *(s for d in self.duties for s in d.services)})
        columns = list(STAFFING_SERVICE_KPI_KEYS)  # the role keys above, then the totals
        out = {s: dict.fromkeys(columns, 0.0) for s in names}
        for r in self.roles:
            weight: dict[str, float] = defaultdict(float)
            for d in r.duties:
                for svc, share in paid_s_by_service(d):
                    out[svc]["staff_hours_per_day"] += share / 3600.0
                    weight[svc] += share * self.operating_days.get(svc, 0.0)
            total_w = sum(weight.values())
            if total_w <= 0:
                continue
            for svc, w in weight.items():
                part = r.fte * w / total_w
                for key in keys[r.role]:
                    out[svc][key] += part
                out[svc]["staff_fte_total"] += part
        return out

    def to_json(self) -> dict[str, Any]:
        """The content of ``staffing.json``."""
        cfg = self.config
        return {
            "roles": {str(r.role): r.summary(cfg) for r in self.roles},
            "totals": self.kpis(),
            "per_service": self.per_service_kpis(),
            "operating_days_per_year": self.operating_days,
            "rules": {
                "max_binding_h": cfg.max_binding_h,
                "min_rest_h": cfg.min_rest_h,
                "max_driving_h": cfg.max_driving_h,
                "max_continuous_driving_h": cfg.max_continuous_driving_h,
                "min_break_total_min": cfg.min_break_total_min,
                "min_break_piece_min": cfg.min_break_piece_min,
                "max_weekly_driving_h": cfg.max_weekly_driving_h,
                "annual_binding_limit_h": cfg.annual_binding_limit_h,
                "source": 'docs/PARAMETERS.md#working-time-rules "Driver shortage and working-time rules for bus drivers (改善基準告示, from April 2024)"',
            },
            "settings": cfg.model_dump(mode="json"),
            "sources": {k: f.description for k, f in type(cfg).model_fields.items() if f.description},
            "method": (
                "Vehicle blocks (pull-out to pull-in plus preparation and handover) are cut at relief points"
                " (the vehicle standing at a stop or the depot) into duties under the rules above; control-room,"
                " field and booking needs are layered step functions cut the same way. FTE = max(duty-days a year /"
                " working days, binding hours a year / annual limit, driving hours a year / weekly limit x weeks)"
                " x (1 + leave and spare factor). See sim/staffing/runcut.py and sim/staffing/duties.py."
            ),
            "notes": list(self.notes),
        }


def _service_info(scenario: Scenario) -> tuple[dict[str, int], set[str]]:
    days = {name: len(set(getattr(svc, "days", ()) or ())) or 7 for name, svc in scenario.services.items()}
    drt = {name for name, svc in scenario.services.items() if getattr(svc, "kind", ServiceKind.DRT) == ServiceKind.DRT}
    return days, drt


def compute_staffing(log: EventLog, scenario: Scenario, progress: Callable[[str], None] | None = None) -> Staffing:
    """Duties and FTE of every role for a simulated day of ``scenario`` (``progress(stage)`` per role)."""
    cfg: StaffingConfig = scenario.staffing
    service_days, drt = _service_info(scenario)
    for v in log.vehicles:
        service_days.setdefault(v.service, 7)
    days = operating_days(service_days, cfg)
    for name, svc in scenario.services.items():  # suspended days cancelled: the service does not run
        if name in days and svc.suspended_days_per_year > 0 and svc.suspension_fallback == "cancel":
            days[name] = max(0.0, days[name] - svc.suspended_days_per_year)
    roles = []
    for role, blocks in role_blocks(log, cfg, drt_services=drt).items():
        if progress is not None:
            progress(f"run-cutting: {role} duties ({len(blocks)} vehicle or desk blocks)")
        rules = rules_for(role, cfg)
        duties = cut_duties(blocks, rules, role=str(role))
        f = role_fte(role, duties, days, cfg)
        roles.append(
            RoleStaffing(
                role=role,
                duties=tuple(duties),
                blocks=tuple(blocks),
                lower_bound=lower_bound(blocks, rules) if blocks else 0,
                duty_days_per_year=f["duty_days_per_year"],
                annual_binding_h=f["annual_binding_h"],
                annual_driving_h=f["annual_driving_h"],
                fte_by_days=f["fte_by_days"],
                fte_by_annual_binding=f["fte_by_annual_binding"],
                fte_by_weekly_driving=f["fte_by_weekly_driving"],
                fte=f["fte"],
                limit=f["limit"],
            )
        )
    passengers = sum(r.party_size for r in log.requests if r.outcome is Outcome.SERVED)
    notes = []
    bad = sum(r.violations for r in roles)
    if bad:
        notes.append(
            f"{bad} rule violation(s): some stretch between relief points is longer than any legal duty"
            " (see the violations column of duties.csv)"
        )
    return Staffing(tuple(roles), days, cfg, passengers, tuple(notes))


# --------------------------------------------------------------------------- duties.csv


def _clock_span(a: float, b: float) -> str:
    return f"{format_clock(a)}-{format_clock(b)}"


def duty_rows(staffing: Staffing) -> Iterable[list[Any]]:
    """Rows of ``duties.csv`` (columns :data:`DUTY_COLUMNS`)."""
    for r in staffing.roles:
        for d in r.duties:
            yield [
                str(r.role),
                d.duty_id,
                format_clock(d.start_s),
                format_clock(d.end_s),
                round(d.binding_s / 3600.0, 3),
                round(d.driving_s / 3600.0, 3),
                round(d.max_continuous_s / 3600.0, 3),
                round(d.break_total_s / 60.0, 1),
                ";".join(str(v) for v in d.vehicles),
                round(d.paid_s / 3600.0, 3),
                "; ".join(f"{p.block_id} {_clock_span(p.start_s, p.end_s)}" for p in d.pieces),
                ";".join(d.services),
                round(staff_days_per_year(d, staffing.operating_days), 2),
                "; ".join(d.violations),
            ]
