"""Terminal tables of the CLI (rich): labels, units, digits and "better" from the KPI registry.

Values are shown in the registry's display unit (:attr:`sim.kpis.Kpi.kind`: seconds as minutes,
shares in %, yen from a million as ``¥12.3 M``) with its ``decimals``; intervals are the ones
the study computed (clipped to each KPI's physical bounds).
"""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from sim import kpis as registry
from sim.tolerance import EPS

#: Rows of the ``run`` table, in order.
RUN_KPIS: tuple[str, ...] = (
    "trips_total", "pt_share", "unmet_trips", "requests_total", "requests_served", "rejection_rate", "wait_mean_s", "wait_p50_s", "wait_p90_s", "ride_mean_s",
    "detour_mean", "walk_mean_m", "transfers", "vehicles", "vehicle_km", "vehicle_hours", "empty_km_share",
    "passengers_per_vehicle_hour", "occupancy_mean", "fare_revenue_yen", "drivers_fte", "staff_fte_total",
    "annual_cost_yen", "cost_per_trip_yen",
)  # fmt: skip

#: Rows of the ``compare`` table, in order.
COMPARE_KPIS: tuple[str, ...] = (
    "pt_share", "unmet_trips", "requests_served", "rejection_rate", "wait_mean_s", "wait_p90_s", "ride_mean_s", "walk_mean_m", "vehicles",
    "vehicle_km", "vehicle_hours", "occupancy_mean", "drivers_fte", "staff_fte_total", "annual_cost_yen", "cost_per_trip_yen",
)  # fmt: skip

_SCALE_UNIT: dict[str, tuple[float, str]] = {"min": (1 / 60, "min"), "pct": (100.0, "%"), "m": (1.0, "m"), "km": (1.0, "km"), "h": (1.0, "h")}


def _scale(kpi: str, like: float | None = None) -> tuple[float, str, int]:
    """Scale, unit and digits of ``kpi`` on screen (``like``: a typical value, for yen in millions)."""
    k = registry.get(kpi)
    if k is None:
        return 1.0, "", 2
    if k.kind == "yen":
        return (1e-6, "¥M", 1) if like is not None and abs(like) >= 1e6 else (1.0, "¥", k.decimals)
    scale, unit = _SCALE_UNIT.get(k.kind, (1.0, ""))
    return scale, unit, k.decimals


def label(kpi: str, like: float | None = None) -> str:
    """English label of ``kpi`` with its screen unit, e.g. ``Mean wait (min)``."""
    k = registry.get(kpi)
    unit = _scale(kpi, like)[1]
    text = k.en if k is not None else kpi
    return f"{text} ({unit})" if unit else text


def number(value: Any, kpi: str, like: float | None = None) -> str:
    """``value`` of ``kpi`` in its screen unit and digits (``–`` when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    scale, _, digits = _scale(kpi, like)
    return f"{float(value) * scale:,.{digits}f}"


def run_table(metrics: dict[str, Any], title: str) -> Table:
    """The KPI table ``run`` prints (rows = :data:`RUN_KPIS` present in ``metrics``)."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key in RUN_KPIS:
        if key in metrics:
            v = metrics[key]
            table.add_row(label(key, v), number(v, key, v))
    return table


def comparison_table(comp: Any) -> Table:
    """KPIs as rows, scenarios as columns (mean, and ± the half-width of the clipped 95% interval
    with replications; an asymmetric clipped interval shows as ``[low, high]``)."""
    table = Table(title="comparison (same demand for every scenario)", header_style="bold")
    table.add_column("KPI", no_wrap=True)
    for name in comp.names:
        table.add_column(name, justify="right")
    estimates = [comp.estimates(n) for n in comp.names]
    for key in COMPARE_KPIS:
        if not any(key in est for est in estimates):
            continue
        means = [est[key].mean for est in estimates if key in est and not math.isnan(est[key].mean)]
        like = max((abs(m) for m in means), default=None)
        cells = [label(key, like)]
        for est in estimates:
            e = est.get(key)
            if e is None or math.isnan(e.mean):
                cells.append("–")
            elif e.n > 1 and e.high > e.low:
                if math.isclose(e.high - e.mean, e.mean - e.low, rel_tol=EPS, abs_tol=EPS):
                    cells.append(f"{number(e.mean, key, like)} ±{number(e.high - e.mean, key, like)}")
                else:
                    cells.append(f"{number(e.mean, key, like)} [{number(e.low, key, like)}, {number(e.high, key, like)}]")
            else:
                cells.append(number(e.mean, key, like))
        table.add_row(*cells)
    return table


__all__ = ["COMPARE_KPIS", "RUN_KPIS", "comparison_table", "label", "number", "run_table"]
