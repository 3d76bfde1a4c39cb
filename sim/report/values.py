"""KPI values in reports: unit kinds, formatting with confidence intervals, which is best, row order.

Shared by the summary (:mod:`sim.report.summary`), the KPI tables (:mod:`sim.report.content`) and
the council pages (:mod:`sim.report.council`).
"""

from __future__ import annotations

from sim.report.data import ScenarioResult, Study, Value
from sim.report.i18n import fmt_kind, fmt_range

#: KPI table order after the metrics keys.
_EXTRA_ORDER = (
    "drivers_fte", "drivers_headcount", "class2_drivers_fte", "attendants_fte", "remote_operators_fte", "field_staff_fte", "booking_staff_fte",
    "staff_fte", "staff_headcount", "duties_per_day", "staff_hours_per_day", "staff_hours_per_passenger", "duty_rule_violations",
    "annual_cost_yen", "staff_cost_yen_per_year", "vehicle_cost_yen_per_year", "running_cost_yen_per_year",
    "fixed_cost_yen_per_year", "annual_fare_revenue_yen", "annual_subsidy_yen", "trips_per_year", "cost_per_trip_yen",
    "subsidy_per_trip_yen", "staff_cost_per_trip_yen", "cost_per_vehicle_km_yen", "farebox_ratio",
)

#: Which direction is better for a KPI (others are descriptive: no best is marked).
BETTER: dict[str, str] = {
    "requests_served": "high",
    "requests_rejected": "low",
    "rejection_rate": "low",
    "passengers_served": "high",
    "wait_mean_s": "low",
    "wait_p50_s": "low",
    "wait_p90_s": "low",
    "wait_p95_s": "low",
    "ride_mean_s": "low",
    "detour_mean": "low",
    "walk_mean_m": "low",
    "empty_km_share": "low",
    "passengers_per_vehicle_hour": "high",
    "occupancy_mean": "high",
    "fare_revenue_yen": "high",
    "drivers_fte": "low",
    "staff_fte": "low",
    "staff_headcount": "low",
    "drivers_headcount": "low",
    "riders_per_year": "high",
    "public_funding_yen_per_year": "low",
    "city_burden_yen_per_year": "low",
    "burden_per_resident_yen": "low",
    "burden_per_rider_yen": "low",
    "population_coverage_share_300m": "high",
    "population_coverage_share_500m": "high",
    "coverage_65plus_share_500m": "high",
    "population_without_service": "low",
    "annual_cost_yen": "low",
    "annual_subsidy_yen": "low",
    "cost_per_trip_yen": "low",
    "subsidy_per_trip_yen": "low",
    "staff_cost_per_trip_yen": "low",
    "cost_per_vehicle_km_yen": "low",
    "farebox_ratio": "high",
    "duty_rule_violations": "low",
    "staff_hours_per_passenger": "low",
}

_INT_KEYS = frozenset({"requests_total", "requests_served", "requests_rejected", "passengers_served", "transfers", "vehicles", "duties_per_day"})
_SKIP_KEYS = frozenset({"seed", "root_seed", "replications", "replication", "n"})


def kpi_kind(key: str) -> str:
    """Unit kind of a KPI key for :func:`sim.report.i18n.fmt_kind`."""
    if key in _INT_KEYS or key.startswith(("requests_", "trips_", "riders_", "population_without")) or key.endswith(("_violations", "_headcount")):
        return "int"
    if key.endswith("_s"):
        return "min"
    if key.endswith("_rate") or key.endswith("_share") or key.endswith("_ratio"):
        return "pct"
    if key.endswith("_yen") or "_yen_" in key:
        return "yen"
    if key.endswith("_fte"):
        return "fte"
    if key.endswith("_m"):
        return "m"
    if key.endswith("_km"):
        return "km"
    if key.endswith("_hours") or "hours_per" in key:
        return "h"
    return "x"


def fmt_value(lang: str, key: str, value: Value, *, kind: str | None = None, ci: bool = True) -> str:
    """A KPI value with its confidence interval in brackets when known."""
    kind = kind or kpi_kind(key)
    text = fmt_kind(lang, kind, value.mean)
    if ci and value.has_ci and value.mean is not None and (value.high or 0.0) > (value.low or 0.0):
        # every KPI here is non-negative: a Student-t interval reaching below zero is cut at zero
        low = max(0.0, value.low or 0.0) if (value.mean or 0.0) >= 0 else value.low
        text += f" ({fmt_range(lang, kind, low or 0.0, value.high or 0.0, value.mean or 0.0)})"
    return text


def best_of(study: Study, key: str, better: str) -> tuple[list[ScenarioResult], ScenarioResult | None]:
    """Scenarios tied for best on ``key`` and, if the best one's CI overlaps another's, the closest such rival.

    Empty when fewer than two scenarios have the KPI or all have the same value.
    """
    have = [s for s in study.scenarios if s.kpis.get(key, Value(None)).mean is not None]
    if len(have) < 2:
        return [], None
    sign = 1.0 if better == "low" else -1.0
    ranked = sorted(have, key=lambda s: sign * (s.kpis[key].mean or 0.0))
    top = ranked[0].kpis[key].mean or 0.0
    tol = 1e-9 * max(1.0, abs(top))
    tied = [s for s in ranked if abs((s.kpis[key].mean or 0.0) - top) <= tol]
    if len(tied) == len(have):
        return [], None  # all equal: nothing to pick
    rival = None
    best = tied[0].kpis[key]
    if best.has_ci:
        for s in ranked[len(tied):]:
            v = s.kpis[key]
            if v.has_ci and (v.low or 0.0) <= (best.high or 0.0) and (best.low or 0.0) <= (v.high or 0.0):
                rival = s
                break
    return tied, rival


def present(study: Study, key: str) -> bool:
    return any(s.kpis.get(key, Value(None)).mean is not None for s in study.scenarios)


def kpi_keys(study: Study) -> list[str]:
    """KPI rows of the KPI table: the metrics keys, staffing and costs, then anything else found."""
    from sim.model.metrics import KPI_KEYS

    order = [k for k in (*KPI_KEYS, *_EXTRA_ORDER) if present(study, k)]
    for s in study.scenarios:
        for key in s.kpis:
            if key not in order and key not in _SKIP_KEYS and present(study, key):
                order.append(key)
    return order
