"""The year's staffing and costs from its day types (``[year]``, :mod:`sim.scenario.year`).

Each day type was simulated and staffed on its own with ``operating_days_per_year`` = its days,
so every yearly total of a day type is its day × its days. The year adds them up:

* staff, per role: duty-days, binding hours and driving hours are summed over the day types and
  the headcount formula (:func:`sim.staffing.fte.fte_from_totals`) applied to the sums; the
  duties shown (``duties.csv``, duties per day) are those of the reference day type (the first
  with days);
* energy, maintenance, fare revenue, passenger trips and vehicle-km a year: summed over the day
  types (each already its day × its days);
* vehicles and fixed systems are paid once: per cost term, the largest over the day types that
  are not suspended (a driven backup's vehicles come from the operator's fleet);
* staff cost per role: the year's FTE × wage × (1 + overhead).

Pure functions; yen a year, hours, days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sim.scenario.staffing import CostConfig
from sim.staffing.costs import CostItem, Costs
from sim.staffing.duties import DRIVING_ROLES, RoleStaffing, Staffing
from sim.staffing.fte import fte_from_totals

#: Cost categories paid once a year whatever the days (the largest day type counts).
ONCE_CATEGORIES = frozenset({"vehicles", "fixed"})


@dataclass(frozen=True, slots=True)
class DayTypeCosts:
    """One simulated day type: its name, days a year, whether suspended, and its staffing and
    costs computed with ``operating_days_per_year`` = ``days`` (yearly contributions)."""

    name: str
    days: float
    suspended: bool
    staffing: Staffing
    costs: Costs
    services_run: frozenset[str]


def combine_staffing(parts: Sequence[DayTypeCosts]) -> Staffing:
    """The year's staffing: roles of the first part (the reference day) with their yearly terms and
    FTE from the sums over all parts; operating days per service = the days of the types it ran on."""
    ref = parts[0].staffing
    cfg = ref.config
    roles = []
    for r in ref.roles:
        same = [next(x for x in p.staffing.roles if x.role == r.role) for p in parts]
        duty_days = sum(x.duty_days_per_year for x in same)
        binding = sum(x.annual_binding_h for x in same)
        driving = sum(x.annual_driving_h for x in same)
        has = any(x.duties for x in same)
        f = fte_from_totals(duty_days, binding, driving, cfg, driving_role=r.role in DRIVING_ROLES, has_duties=has)
        roles.append(
            RoleStaffing(
                role=r.role, duties=r.duties, blocks=r.blocks, lower_bound=r.lower_bound,
                duty_days_per_year=f["duty_days_per_year"], annual_binding_h=f["annual_binding_h"],
                annual_driving_h=f["annual_driving_h"], fte_by_days=f["fte_by_days"],
                fte_by_annual_binding=f["fte_by_annual_binding"], fte_by_weekly_driving=f["fte_by_weekly_driving"],
                fte=f["fte"], limit=f["limit"],
            )
        )
    days: dict[str, float] = defaultdict(float)
    for p in parts:
        for svc in sorted(p.services_run):
            days[svc] += p.days
    notes = tuple(dict.fromkeys(n for p in parts for n in p.staffing.notes))
    notes += ("a year of day types (" + ", ".join(f"{p.name} {p.days:g} d" for p in parts) + "): duties per day are the "
              f"{parts[0].name!r} day's; duty-days, hours and FTE are summed over the day types",)
    return Staffing(tuple(roles), dict(days), cfg, ref.passengers_per_day, notes)


def combine_costs(parts: Sequence[DayTypeCosts], staffing: Staffing, cfg: CostConfig) -> Costs:
    """The year's costs (see the module docstring); ``staffing`` is :func:`combine_staffing`'s."""
    items: list[CostItem] = []
    overhead = cfg.staff_overhead_share
    for r in staffing.roles:
        if r.fte <= 0:
            continue
        wage = getattr(cfg.wage_yen_per_year, str(r.role))
        items.append(CostItem(
            f"staff:{r.role}", "staff", r.fte * wage * (1 + overhead),
            f"{r.fte:.3f} FTE (the year's day types) × ¥{wage:,.0f} × (1 + {overhead:g})",
            "FTE from staffing.json (summed over the day types); wage and overhead: [costs]",
        ))
    once: dict[str, CostItem] = {}
    summed: dict[str, list[tuple[str, CostItem]]] = defaultdict(list)
    paying = {p.name for p in parts if not p.suspended} or {p.name for p in parts}
    for p in parts:
        for item in p.costs.items:
            if item.category == "staff":
                continue  # from the year's FTE above
            if item.category in ONCE_CATEGORIES:
                if p.name in paying and (item.term not in once or item.yen_per_year > once[item.term].yen_per_year):
                    once[item.term] = CostItem(item.term, item.category, item.yen_per_year,
                                               f"{item.formula} (largest of the day types: {p.name})", item.source)
            else:
                summed[item.term].append((p.name, item))
    for term, got in summed.items():
        total = sum(i.yen_per_year for _, i in got)
        formula = " + ".join(f"{name}: {i.formula}" for name, i in got)
        items.append(CostItem(term, got[0][1].category, total, f"Σ over day types: {formula}", got[0][1].source))
    items.extend(once.values())
    order = {"staff": 0, "vehicles": 1, "energy": 2, "maintenance": 3, "fixed": 4}
    items.sort(key=lambda i: order.get(i.category, 5))
    notes = tuple(dict.fromkeys(n for p in parts for n in p.costs.notes))
    return Costs(
        tuple(items),
        sum(p.costs.fare_revenue_yen_per_year for p in parts),
        sum(p.costs.trips_per_year for p in parts),
        sum(p.costs.vehicle_km_per_year for p in parts),
        notes,
    )


__all__ = ["ONCE_CATEGORIES", "DayTypeCosts", "combine_costs", "combine_staffing"]
