"""A run of a scenario with ``[year]``: each day type simulated, the year's figures their weighted sum.

:func:`sim.run.runner.run_scenario` calls :func:`run_year` when the scenario has day types
(:mod:`sim.scenario.year`). Each day type with days is run as its own scenario
(:func:`sim.scenario.schema.day_scenario`) with its own seed (:func:`day_type_seed`); staffing
and costs are combined by :mod:`sim.staffing.year`. The run's ``metrics.json`` holds the day
KPIs of the *reference* day type (the first with days: waits, riders a day, ...), the year's
staffing, cost, trip and availability figures, and the table ``year`` (one row per day type, and
the totals); ``year.csv`` is that table.

Seed rule per day type: the day type named ``weekday`` runs with the run's seed itself (so its
day is exactly ``run`` of its scenario with that seed); any other day type *n* runs with
``SeedSequence(seed, spawn_key=(DAY_TYPE_KEY, crc32(n))).generate_state(1)[0]``. The seed depends
only on the run's seed and the day type's name, so every scenario of ``compare`` or point of
``sweep`` sees the same demand draws on the same day type (common random numbers), and adding or
reordering day types moves no other day type's draws. Two-element spawn keys never meet the
replication seeds (one-element keys, :func:`sim.studies.plan.replication_seed`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from sim.model.eventlog import EventLog
from sim.scenario.schema import Scenario, day_scenario
from sim.staffing.costs import Costs
from sim.staffing.duties import Staffing
from sim.staffing.year import DayTypeCosts, combine_costs, combine_staffing

#: The first element of a day type's spawn key ("YEAR" in ASCII).
DAY_TYPE_KEY = 0x59454152

#: Columns of ``year.csv`` (one row per day type, then ``total``).
YEAR_COLUMNS: tuple[str, ...] = (
    "day_type", "days", "weekday", "suspended", "demand_factor", "demand_source", "seed", "requests",
    "requests_served", "passenger_trips_per_day", "vehicle_km_per_day", "duties_per_day", "staff_hours_per_day",
    "service_availability", "trips_per_year", "vehicle_km_per_year", "duty_days_per_year",
    "running_cost_yen_per_year", "fare_revenue_yen_per_year", "co2_t_per_year",
)


def day_type_seed(seed: int, name: str) -> int:
    """The seed of day type ``name`` in a run of seed ``seed`` (see the module docstring)."""
    if name == "weekday":
        return int(seed)
    ss = np.random.SeedSequence(int(seed), spawn_key=(DAY_TYPE_KEY, zlib.crc32(name.encode("utf-8"))))
    return int(ss.generate_state(1)[0])


class DayResult(Protocol):
    """What :func:`run_year` needs of one simulated day (a :class:`sim.run.runner.RunResult`)."""

    scenario: Scenario
    log: EventLog
    metrics: dict[str, Any]
    staffing: Staffing | None
    costs: Costs | None


@dataclass(frozen=True, slots=True)
class DayTypeRow:
    """One day type of the year: its settings and its day's figures, and its yearly contributions
    (the day × its days)."""

    day_type: str
    days: float
    weekday: str
    suspended: bool
    demand_factor: float
    demand_source: str
    seed: int
    requests: int
    requests_served: int
    passenger_trips_per_day: float
    vehicle_km_per_day: float
    duties_per_day: int
    staff_hours_per_day: float
    service_availability: float | None
    trips_per_year: float
    vehicle_km_per_year: float
    duty_days_per_year: float
    running_cost_yen_per_year: float
    fare_revenue_yen_per_year: float
    co2_t_per_year: float


@dataclass(frozen=True, slots=True)
class YearRun:
    """The day types run and the year they add up to."""

    rows: tuple[DayTypeRow, ...]
    days: tuple[tuple[str, DayResult], ...]
    staffing: Staffing
    costs: Costs

    @property
    def reference(self) -> DayResult:
        """The reference day (the first day type with days and a service running)."""
        return self.days[0][1]


def run_year(scenario: Scenario, seed: int, run_day: Callable[[Scenario, int, str], DayResult], *, source: str) -> YearRun:
    """Run every day type of ``scenario`` with days > 0 through ``run_day(day_scenario, seed, name)``
    and combine them (raises ``ValueError`` when no day type has days)."""
    year = scenario.year
    assert year is not None
    rows: list[DayTypeRow] = []
    days: list[tuple[str, DayResult]] = []
    parts: list[DayTypeCosts] = []
    for name, cfg in year.day_types.items():
        if cfg.days <= 0:
            continue
        day_sc = day_scenario(scenario, name, source=source)
        s = day_type_seed(seed, name)
        if not any(svc.enabled for svc in day_sc.services.values()):  # nothing runs (e.g. all cancelled)
            rows.append(DayTypeRow(name, cfg.days, year.weekday_of(name), year.is_suspended(name), cfg.demand_factor,
                                   cfg.demand_source, s, 0, 0, 0.0, 0.0, 0, 0.0, None, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
            continue
        res = run_day(day_sc, s, name)
        assert res.staffing is not None and res.costs is not None
        run = frozenset(n for n, svc in day_sc.services.items() if svc.enabled)
        parts.append(DayTypeCosts(name, cfg.days, year.is_suspended(name), res.staffing, res.costs, run))
        days.append((name, res))
        m = res.metrics
        passengers = res.staffing.passengers_per_day
        rows.append(DayTypeRow(
            name, cfg.days, year.weekday_of(name), year.is_suspended(name), cfg.demand_factor, cfg.demand_source, s,
            int(m.get("requests_total", 0)), int(m.get("requests_served", 0)), float(passengers),
            float(m.get("vehicle_km", 0.0)), sum(len(r.duties) for r in res.staffing.roles),
            sum(r.paid_h_per_day for r in res.staffing.roles), m.get("service_availability"),
            res.costs.trips_per_year, res.costs.vehicle_km_per_year,
            sum(r.duty_days_per_year for r in res.staffing.roles),
            res.costs.by_category("energy") + res.costs.by_category("maintenance"),
            res.costs.fare_revenue_yen_per_year, float(m.get("co2_t_per_year") or 0.0),
        ))
    if not parts:
        raise ValueError("no day type has days and a service running")
    staffing = combine_staffing(parts)
    costs = combine_costs(parts, staffing, scenario.costs)
    return YearRun(tuple(rows), tuple(days), staffing, costs)


def year_table(run: YearRun) -> dict[str, Any]:
    """The ``year`` entry of ``metrics.json``: the rows by day type and their totals."""
    rows = [asdict(r) for r in run.rows]
    total: dict[str, Any] = {"day_type": "total", "days": sum(r.days for r in run.rows)}
    for key in ("trips_per_year", "vehicle_km_per_year", "duty_days_per_year", "running_cost_yen_per_year",
                "fare_revenue_yen_per_year", "co2_t_per_year"):
        total[key] = sum(getattr(r, key) for r in run.rows)
    return {"reference_day_type": run.days[0][0], "day_types": rows, "total": total}


def annual_availability_of_year(run: YearRun, scenario: Scenario) -> float | None:
    """The year's ``service_availability``: every service's planned vehicle-hours × days on each day
    type it runs, operated at that day's availability; on a suspended day type a cancelled service
    counts its reference day's planned hours as planned and not operated (``None`` without
    availability figures)."""
    year = scenario.year
    assert year is not None
    ref = run.reference.metrics.get("availability")
    if ref is None:
        return None
    planned = operated = 0.0
    results = dict(run.days)
    for row in run.rows:
        name, res = row.day_type, results.get(row.day_type)
        per = (res.metrics.get("availability") or {}).get("per_service", {}) if res is not None else {}
        for svc, entry in per.items():
            planned += entry["planned_vehicle_h"] * row.days
            operated += entry["planned_vehicle_h"] * row.days * entry["service_availability"]
        if year.is_suspended(name):  # the automated services cancelled that day: planned, not operated
            for svc, entry in ref["per_service"].items():
                cfg = scenario.services.get(svc)
                if svc in per or cfg is None or cfg.suspension_fallback != "cancel" or row.weekday not in cfg.days:
                    continue
                if scenario.vehicles[cfg.vehicle].automation != "human":
                    planned += entry["planned_vehicle_h"] * row.days
    return operated / planned if planned > 0 else None
