"""KPI values in reports: unit kinds, formatting with confidence intervals, which is best, row order.

Units, "better" and physical bounds come from the KPI registry (:mod:`sim.kpis`). Shared by the
summary (:mod:`sim.report.summary`), the KPI tables (:mod:`sim.report.content`) and the council
pages (:mod:`sim.report.council`).
"""

from __future__ import annotations

from sim import kpis
from sim.kpis import Better, Group
from sim.report.data import ScenarioResult, Study, Value
from sim.report.i18n import fmt_kind, fmt_range
from sim.tolerance import EPS

#: KPI table order after the metrics keys (report names; aliases of registry names resolve through it).
_EXTRA_ORDER = (
    "drivers_fte", "drivers_headcount", "class2_drivers_fte", "attendants_fte", "remote_operators_fte", "field_staff_fte",
    "booking_staff_fte", "staff_fte", "staff_headcount", "duties_per_day", "staff_hours_per_day", "staff_hours_per_passenger",
    "duty_rule_violations", "annual_cost_yen", "staff_cost_yen_per_year", "vehicle_cost_yen_per_year",
    "running_cost_yen_per_year", "fixed_cost_yen_per_year", "annual_fare_revenue_yen", "annual_subsidy_yen", "trips_per_year",
    "cost_per_trip_yen", "subsidy_per_trip_yen", "staff_cost_per_trip_yen", "cost_per_vehicle_km_yen", "farebox_ratio",
)  # fmt: skip

_SKIP_KEYS = frozenset({"seed", "root_seed", "replications", "replication", "n"})


def better(key: str) -> str | None:
    """``"low"``/``"high"`` when a lower/higher value of ``key`` is better (registry), else ``None``."""
    k = kpis.get(key)
    if k is None or k.better is Better.NEITHER:
        return None
    return "low" if k.better is Better.LOWER else "high"


def kpi_kind(key: str) -> str:
    """Unit kind of a KPI key for :func:`sim.report.i18n.fmt_kind`: the registry's, else from its suffix."""
    k = kpis.get(key)
    if k is not None:
        return k.kind
    if key.startswith(("requests_", "trips_", "riders_")) or key.endswith(("_violations", "_headcount")):
        return "int"
    for suffix, kind in (("_s", "min"), ("_rate", "pct"), ("_share", "pct"), ("_ratio", "pct"), ("_yen", "yen"),
                         ("_fte", "fte"), ("_m", "m"), ("_km", "km"), ("_hours", "h")):
        if key.endswith(suffix):
            return kind
    return "yen" if "_yen_" in key else "h" if "hours_per" in key else "x"


def fmt_value(lang: str, key: str, value: Value, *, kind: str | None = None, ci: bool = True) -> str:
    """A KPI value with its confidence interval in brackets when known (clipped to the KPI's bounds)."""
    kind = kind or kpi_kind(key)
    text = fmt_kind(lang, kind, value.mean)
    if ci and value.has_ci and value.mean is not None and (value.high or 0.0) > (value.low or 0.0):
        # clipped to the KPI's physical bounds like every other output (the study already did)
        low, high = kpis.clip_interval(key, value.low or 0.0, value.high or 0.0)
        text += f" ({fmt_range(lang, kind, low, high, value.mean or 0.0)})"
    return text


def best_of(study: Study, key: str, side: str) -> tuple[list[ScenarioResult], ScenarioResult | None]:
    """Scenarios tied for best on ``key`` and, if the best one's CI overlaps another's, the closest such rival.

    Empty when fewer than two scenarios have the KPI or all have the same value.
    """
    have = [s for s in study.scenarios if s.kpis.get(key, Value(None)).mean is not None]
    if len(have) < 2:
        return [], None
    sign = 1.0 if side == "low" else -1.0
    ranked = sorted(have, key=lambda s: sign * (s.kpis[key].mean or 0.0))
    top = ranked[0].kpis[key].mean or 0.0
    tol = EPS * max(1.0, abs(top))
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
    """Whether some scenario of ``study`` has a value of ``key``."""
    return any(s.kpis.get(key, Value(None)).mean is not None for s in study.scenarios)


def kpi_keys(study: Study) -> list[str]:
    """KPI rows of the KPI table: the metrics keys, staffing and costs, then anything else found."""
    order = [k for k in (*kpis.names(Group.MODEL), *_EXTRA_ORDER) if present(study, k)]
    for s in study.scenarios:
        for key in s.kpis:
            if key not in order and key not in _SKIP_KEYS and present(study, key):
                order.append(key)
    return order
