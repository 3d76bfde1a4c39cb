"""Annual cost of a scenario and the subsidy it needs: pure functions of the log, staffing and scenario.

Terms (yen a year; *d* = operating days a year of the service, from :mod:`sim.staffing.duties`):

* staff, per role: FTE × annual wage × (1 + ``staff_overhead_share``);
* vehicles, per vehicle type: n × annualised price, with n = ⌈vehicles simulated ×
  (1 + ``spare_vehicle_share``)⌉ and the annualised price
  (P − R) / L at ``interest_rate`` 0, else the annuity (P − R / (1 + i)^L) × i / (1 − (1 + i)^−L),
  P = ``price_yen``, R = ``residual_share`` × P, L = ``lifetime_years``;
* energy and maintenance, per service and vehicle type: km a day × *d* × yen per km;
* fixed: ``control_room_yen_per_year`` (if any ``level4_remote`` vehicle),
  ``av_system_yen_per_vehicle_year`` × automated vehicles, ``drt_system_yen_per_service_year``
  × DRT services, ``other_fixed_yen_per_year``.

Fare revenue = Σ fares of served requests × *d* (for a trip over several services, the fewest
days among them); subsidy = cost − fare revenue. Trips are
passenger trips (party sizes summed) a year; cost per vehicle-km uses the simulated km × *d*.
Every term in ``costs.json`` carries its formula with the numbers used and the source of each
default (the field description of :class:`~sim.staffing_config.CostConfig`, or the scenario's
vehicle type for per-vehicle values).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sim.model.eventlog import EventLog, Outcome
from sim.staffing.duties import Staffing
from sim.scenario.staffing import CostConfig, RoleWages
from sim.model.services import ServiceKind
from sim.tolerance import EPS
from sim import kpis as kpi_registry
from sim.kpis import Group

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

#: Cost keys merged into ``metrics.json`` (and so into comparison tables).
COST_KPI_KEYS: tuple[str, ...] = kpi_registry.names(Group.COST)


@dataclass(frozen=True, slots=True)
class CostItem:
    """One term of the annual cost (yen a year), with its formula and the source of its inputs."""

    term: str
    category: str
    yen_per_year: float
    formula: str
    source: str


@dataclass(frozen=True, slots=True)
class Costs:
    """The annual cost of a scenario, term by term, and the revenue and traffic it is divided by."""

    items: tuple[CostItem, ...]
    fare_revenue_yen_per_year: float
    trips_per_year: float
    vehicle_km_per_year: float
    notes: tuple[str, ...] = ()

    @property
    def total_yen(self) -> float:
        """Total annual cost."""
        return sum(i.yen_per_year for i in self.items)

    def by_category(self, category: str) -> float:
        """Annual cost of one category (staff, vehicles, energy, maintenance, fixed)."""
        return sum(i.yen_per_year for i in self.items if i.category == category)

    def kpis(self) -> dict[str, Any]:
        """The cost keys of ``metrics.json`` (:data:`COST_KPI_KEYS`)."""
        total = self.total_yen
        subsidy = total - self.fare_revenue_yen_per_year
        trips = self.trips_per_year
        return {
            "annual_cost_yen": total,
            "staff_cost_yen_per_year": self.by_category("staff"),
            "vehicle_cost_yen_per_year": self.by_category("vehicles"),
            "running_cost_yen_per_year": self.by_category("energy") + self.by_category("maintenance"),
            "fixed_cost_yen_per_year": self.by_category("fixed"),
            "fare_revenue_yen_per_year": self.fare_revenue_yen_per_year,
            "subsidy_yen_per_year": subsidy,
            "trips_per_year": trips,
            "cost_per_trip_yen": total / trips if trips > 0 else None,
            "subsidy_per_trip_yen": subsidy / trips if trips > 0 else None,
            "staff_cost_per_trip_yen": self.by_category("staff") / trips if trips > 0 else None,
            "cost_per_vehicle_km_yen": total / self.vehicle_km_per_year if self.vehicle_km_per_year > 0 else None,
            "farebox_ratio": self.fare_revenue_yen_per_year / total if total > 0 else None,
        }

    def to_json(self) -> dict[str, Any]:
        """The content of ``costs.json``."""
        return {
            "summary": self.kpis(),
            "items": [
                {
                    "term": i.term,
                    "category": i.category,
                    "yen_per_year": i.yen_per_year,
                    "formula": i.formula,
                    "source": i.source,
                }
                for i in self.items
            ],
            "fare_revenue_yen_per_year": self.fare_revenue_yen_per_year,
            "trips_per_year": self.trips_per_year,
            "vehicle_km_per_year": self.vehicle_km_per_year,
            "notes": list(self.notes),
            "method": (
                "annual cost = staff (FTE x wage x (1 + overhead)) + vehicles (annualised price) + energy and"
                " maintenance (km x operating days x yen/km) + fixed systems; subsidy = cost - fare revenue."
                " See sim/staffing/costs.py."
            ),
        }


def annualised_vehicle_cost(price_yen: float, *, residual_share: float, lifetime_years: float, interest_rate: float) -> float:
    """Yearly capital cost of one vehicle (yen a year): straight line at rate 0, else an annuity."""
    if lifetime_years <= 0:
        raise ValueError(f"lifetime_years must be positive, got {lifetime_years}")
    residual = residual_share * price_yen
    if interest_rate <= 0:
        return (price_yen - residual) / lifetime_years
    i, n = interest_rate, lifetime_years
    return (price_yen - residual / (1 + i) ** n) * i / (1 - (1 + i) ** -n)


def _source(cfg: Any, key: str, prefix: str) -> str:
    """The source of a setting: its default's description, or the scenario if it was changed."""
    info = type(cfg).model_fields[key]
    value = getattr(cfg, key)
    if value == info.default:
        return info.description or "default"
    return f"scenario setting {prefix}.{key} = {value!r}"


def _yen(x: float) -> str:
    return f"¥{x:,.0f}"


def compute_costs(log: EventLog, scenario: Scenario, staffing: Staffing) -> Costs:
    """Annual cost terms of a simulated day of ``scenario`` (see the module docstring)."""
    cfg: CostConfig = scenario.costs
    days = staffing.operating_days
    default_days = max(days.values(), default=0.0)
    items: list[CostItem] = []
    wages: RoleWages = cfg.wage_yen_per_year
    overhead = cfg.staff_overhead_share
    oh_src = _source(cfg, "staff_overhead_share", "costs")
    for r in staffing.roles:
        if r.fte <= 0:
            continue
        wage = getattr(wages, str(r.role))
        items.append(
            CostItem(
                term=f"staff:{r.role}",
                category="staff",
                yen_per_year=r.fte * wage * (1 + overhead),
                formula=f"{r.fte:.3f} FTE × {_yen(wage)} × (1 + {overhead:g})",
                source=f"FTE from staffing.json; wage: {_source(wages, str(r.role), 'costs.wage_yen_per_year')}; overhead: {oh_src}",
            )
        )
    by_type: dict[str, int] = defaultdict(int)
    automated = 0
    remote = False
    km_by: dict[tuple[str, str], float] = defaultdict(float)
    for v in log.vehicles:
        by_type[v.vehicle_type] += 1
        km_by[(v.service, v.vehicle_type)] += v.km
        automated += v.automation != "human"
        remote = remote or v.automation == "level4_remote"
    for pool in log.energy:  # spare vehicles kept for charging (sim/model/energy.py)
        by_type[pool.vehicle_type] += pool.spares
    spare = cfg.spare_vehicle_share
    notes: list[str] = []
    for name, count in sorted(by_type.items()):
        vt = scenario.vehicles.get(name)
        fleet = math.ceil(count * (1 + spare) - EPS)
        if vt is None:
            notes.append(f"vehicle type {name!r} is not in the scenario: no vehicle, energy or maintenance cost counted")
            continue
        unset = [k for k in ("price_yen", "energy_yen_per_km", "maintenance_yen_per_km") if getattr(vt, k) == 0]
        if unset:
            notes.append(f"vehicles.{name}: {', '.join(unset)} = 0 (not set): those cost terms are zero")
        unit = annualised_vehicle_cost(
            vt.price_yen, residual_share=vt.residual_share, lifetime_years=vt.lifetime_years, interest_rate=cfg.interest_rate
        )
        items.append(
            CostItem(
                term=f"vehicles:{name}",
                category="vehicles",
                yen_per_year=fleet * unit,
                formula=(
                    f"{fleet} vehicles (⌈{count} × (1 + {spare:g})⌉) × {_yen(unit)} a year (price {_yen(vt.price_yen)},"
                    f" residual {vt.residual_share:g}, {vt.lifetime_years:g} years, interest {cfg.interest_rate:g})"
                ),
                source=f"scenario vehicles.{name}.price_yen / residual_share / lifetime_years; interest: {_source(cfg, 'interest_rate', 'costs')}",
            )
        )
    vkm_year = 0.0
    for (service, name), km in sorted(km_by.items()):
        d = days.get(service, default_days)
        vkm_year += km * d
        vt = scenario.vehicles.get(name)
        if vt is None:
            continue
        for cat, rate in (("energy", vt.energy_yen_per_km), ("maintenance", vt.maintenance_yen_per_km)):
            items.append(
                CostItem(
                    term=f"{cat}:{service}:{name}",
                    category=cat,
                    yen_per_year=km * d * rate,
                    formula=f"{km:,.1f} km a day × {d:.1f} days × ¥{rate:g}/km",
                    source=f"scenario vehicles.{name}.{cat}_yen_per_km; km from the simulation; days from staffing.json",
                )
            )
    for name, svc in sorted(scenario.services.items()):
        # suspended days run by a driven backup vehicle: one driver-day per vehicle of the day
        if svc.suspended_days_per_year > 0 and svc.suspension_fallback == "driven_backup":
            n_veh = sum(1 for v in log.vehicles if v.service == name)
            wage = cfg.wage_yen_per_year.driver * (1 + cfg.staff_overhead_share)
            per_day = wage / scenario.staffing.working_days_per_employee
            items.append(
                CostItem(
                    f"staff:backup_drivers:{name}",
                    "staff",
                    svc.suspended_days_per_year * n_veh * per_day,
                    f"{svc.suspended_days_per_year:g} suspended days × {n_veh} vehicles × one driver-day"
                    f" ({_yen(cfg.wage_yen_per_year.driver)} × (1 + {cfg.staff_overhead_share:g}) ÷"
                    f" {scenario.staffing.working_days_per_employee:g} days)",
                    f"scenario services.{name}.suspended_days_per_year (ASSUMPTION: no published count) and"
                    " suspension_fallback; the backup vehicle from the operator's fleet (not bought)",
                )
            )
    if remote and cfg.control_room_yen_per_year > 0:
        items.append(
            CostItem("fixed:control_room", "fixed", cfg.control_room_yen_per_year, _yen(cfg.control_room_yen_per_year), _source(cfg, "control_room_yen_per_year", "costs"))
        )
    if automated and cfg.av_system_yen_per_vehicle_year > 0:
        n_auto = math.ceil(automated * (1 + spare) - EPS)
        items.append(
            CostItem(
                "fixed:av_system",
                "fixed",
                n_auto * cfg.av_system_yen_per_vehicle_year,
                f"{n_auto} automated vehicles × {_yen(cfg.av_system_yen_per_vehicle_year)}",
                _source(cfg, "av_system_yen_per_vehicle_year", "costs"),
            )
        )
    drt_services = sorted(
        {v.service for v in log.vehicles if getattr(scenario.services.get(v.service), "kind", ServiceKind.DRT) == ServiceKind.DRT}
    )
    if drt_services and cfg.drt_system_yen_per_service_year > 0:
        items.append(
            CostItem(
                "fixed:drt_system",
                "fixed",
                len(drt_services) * cfg.drt_system_yen_per_service_year,
                f"{len(drt_services)} DRT service(s) ({', '.join(drt_services)}) × {_yen(cfg.drt_system_yen_per_service_year)}",
                _source(cfg, "drt_system_yen_per_service_year", "costs"),
            )
        )
    if cfg.other_fixed_yen_per_year > 0:
        items.append(
            CostItem("fixed:other", "fixed", cfg.other_fixed_yen_per_year, _yen(cfg.other_fixed_yen_per_year), _source(cfg, "other_fixed_yen_per_year", "costs"))
        )
    fares = trips = 0.0
    for req in log.requests:
        if req.outcome is Outcome.SERVED:
            # a trip over several services ("a+b") runs on the days all of them run
            known = [days[s] for s in req.service.split("+") if s in days]
            d = min(known) if known else default_days
            fares += req.fare_yen * d
            trips += req.party_size * d
    return Costs(tuple(items), fares, trips, vkm_year, tuple(notes))


__all__ = ["COST_KPI_KEYS", "CostItem", "Costs", "annualised_vehicle_cost", "compute_costs"]
