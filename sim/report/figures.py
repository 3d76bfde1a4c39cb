"""Charts of a study: waits, rejections, staff, costs, fleet use. One series per scenario.

Each function takes a :class:`~sim.report.data.Study` and a language and returns a
:class:`Chart` (a matplotlib figure with its title and caption), or ``None`` when the study has
no data for it (staffing and costs are optional). Call them inside
:func:`sim.report.style.chart_style`. Distributions pool all replications of a scenario;
counts per hour are divided by the number of replications (per simulated day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.report.data import RunData, ScenarioResult, Study, Value
from sim.report.i18n import fmt_yen, kpi_label, tr
from sim.report.style import bold_weight, new_figure, scenario_colour, scenario_line


@dataclass(frozen=True, slots=True)
class Chart:
    """A figure ready to render: ``name`` is the PNG file stem."""

    name: str
    title: str
    caption: str
    fig: Any


def mpl_text(text: str) -> str:
    """Text safe for matplotlib: ``$`` does not start mathtext, a leading ``_`` is not hidden from legends."""
    text = text.replace("$", r"\$")
    return " " + text if text.startswith("_") else text


# --------------------------------------------------------------------------- data helpers


def _served(run: RunData) -> pd.DataFrame:
    req = run.requests
    if req.empty or "outcome" not in req.columns:
        return req.iloc[0:0]
    return req[req["outcome"].astype(str) == "served"]


def _rejected(run: RunData) -> pd.DataFrame:
    req = run.requests
    if req.empty or "outcome" not in req.columns:
        return req.iloc[0:0]
    return req[req["outcome"].astype(str) != "served"]


def _hours(df: pd.DataFrame) -> np.ndarray:
    col = "earliest_pickup_s" if "earliest_pickup_s" in df.columns else "request_time_s"
    if df.empty or col not in df.columns:
        return np.array([], dtype=int)
    return np.floor(pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float) / 3600.0).astype(int)


def served_waits_min(scenario: ScenarioResult) -> np.ndarray:
    """Waits of served requests (minutes), pooled over replications."""
    parts = [pd.to_numeric(_served(r)["wait_s"], errors="coerce").to_numpy(dtype=float) for r in scenario.runs if "wait_s" in r.requests.columns]
    waits = np.concatenate(parts) if parts else np.array([], dtype=float)
    return waits[np.isfinite(waits)] / 60.0


def _hour_range(study: Study) -> np.ndarray:
    hours: list[int] = []
    for s in study.scenarios:
        for r in s.runs:
            hours += _hours(r.requests).tolist()
    if not hours:
        return np.arange(0, 0)
    return np.arange(min(hours), max(hours) + 1)


def _value(scenario: ScenarioResult, key: str) -> Value:
    return scenario.kpis.get(key, Value(None))


def _legend(ax: Any, **kwargs: Any) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kwargs)


def _figure_legend(fig: Any, ax: Any) -> None:
    """One legend under the plot (outside the data), in up to five columns."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(5, len(handles)))


def _clock_axis(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    ax.xaxis.set_major_locator(MultipleLocator(2 if np.ptp(ax.get_xlim()) > 12 else 1))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{int(v) % 24}:00"))


# --------------------------------------------------------------------------- charts


def wait_cdf(study: Study, lang: str) -> Chart | None:
    """Cumulative distribution of waits of served riders, one step line per scenario."""
    if not any(s.runs for s in study.scenarios):
        return None
    from matplotlib.ticker import PercentFormatter

    fig = new_figure(7.0, 3.8)
    ax = fig.add_subplot()
    every = [served_waits_min(s) for s in study.scenarios if s.runs]
    pooled = np.concatenate(every) if every else np.array([])
    p99 = wait_axis_limit(pooled)
    for k, s in enumerate(study.scenarios):
        if not s.runs:
            continue
        waits = np.sort(served_waits_min(s))
        style = scenario_line(k)
        if waits.size:
            x = np.concatenate([[0.0], waits])
            y = np.concatenate([[0.0], np.arange(1, waits.size + 1) / waits.size])
            ax.step(x, y, where="post", linewidth=1.8, label=mpl_text(s.name), markevery=max(1, waits.size // 8), markersize=4, **style)
        else:
            ax.plot([], [], label=mpl_text(s.name), **style)
    ax.set_xlabel(tr(lang, "fig_wait_cdf_x"))
    ax.set_ylabel(tr(lang, "fig_wait_cdf_y"))
    ax.set_title(tr(lang, "fig_wait_cdf"))
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    caption = tr(lang, "fig_wait_cdf_caption")
    if p99 is not None:
        ax.set_xlim(0, p99 * 1.03)
        beyond = int((pooled > p99).sum())
        caption += " " + tr(lang, "fig_wait_axis_clipped", p99=f"{p99:.1f}", n=beyond)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    _legend(ax, loc="lower right")
    return Chart("wait_cdf", tr(lang, "fig_wait_cdf"), caption, fig)


def wait_axis_limit(waits_min: np.ndarray) -> float | None:
    """The 99th percentile of waits (minutes) when the longest wait lies beyond it (the axis is cut there), else ``None``."""
    if waits_min.size < 2:
        return None
    p99 = float(np.percentile(waits_min, 99))
    return p99 if p99 > 0 and float(waits_min.max()) > p99 * 1.03 else None


def wait_by_hour(study: Study, lang: str) -> Chart | None:
    """Mean wait of served riders by hour of desired departure, one line per scenario."""
    hours = _hour_range(study)
    if not hours.size:
        return None
    fig = new_figure(7.0, 3.4)
    ax = fig.add_subplot()
    top = 0.0
    for k, s in enumerate(study.scenarios):
        if not s.runs:
            continue
        frames = [_served(r) for r in s.runs]
        frame = pd.concat(frames) if frames else pd.DataFrame()
        means = np.full(hours.size, np.nan)
        if not frame.empty and "wait_s" in frame.columns:
            h = _hours(frame)
            w = pd.to_numeric(frame["wait_s"], errors="coerce").to_numpy(dtype=float) / 60.0
            for j, hour in enumerate(hours):
                sel = (h == hour) & np.isfinite(w)
                if sel.any():
                    means[j] = float(w[sel].mean())
        ax.plot(hours + 0.5, means, markersize=4, linewidth=1.6, label=mpl_text(s.name), **scenario_line(k))
        top = max(top, float(np.nanmax(means))) if np.isfinite(means).any() else top
    ax.set_xlim(hours[0], hours[-1] + 1)
    _clock_axis(ax)
    ax.set_ylim(bottom=0)
    caption = tr(lang, "fig_wait_hour_caption")
    every = [served_waits_min(s) for s in study.scenarios if s.runs]
    p99 = wait_axis_limit(np.concatenate(every)) if every else None
    if p99 is not None and top > p99:
        ax.set_ylim(0, p99 * 1.05)
        caption += " " + tr(lang, "fig_wait_hour_clipped", p99=f"{p99:.1f}")
    ax.set_xlabel(tr(lang, "fig_wait_hour_x"))
    ax.set_ylabel(tr(lang, "fig_wait_hour_y"))
    ax.set_title(tr(lang, "fig_wait_hour"))
    _figure_legend(fig, ax)
    return Chart("wait_by_hour", tr(lang, "fig_wait_hour"), caption, fig)


def rejections_by_hour(study: Study, lang: str) -> Chart | None:
    """Rejected requests per day by hour of desired departure: grouped bars, one series per scenario."""
    hours = _hour_range(study)
    if not hours.size:
        return None
    with_runs = [(k, s) for k, s in enumerate(study.scenarios) if s.runs]
    fig = new_figure(7.0, 3.4)
    ax = fig.add_subplot()
    width = 0.8 / max(1, len(with_runs))
    for j, (k, s) in enumerate(with_runs):
        counts = np.zeros(hours.size)
        for r in s.runs:
            h = _hours(_rejected(r))
            for i, hour in enumerate(hours):
                counts[i] += float(np.sum(h == hour))
        counts /= len(s.runs)
        ax.bar(hours + 0.1 + width * (j + 0.5), counts, width=width, color=scenario_colour(k), label=mpl_text(s.name))
    ax.set_xlim(hours[0], hours[-1] + 1)
    _clock_axis(ax)
    ax.set_xlabel(tr(lang, "fig_wait_hour_x"))
    ax.set_ylabel(tr(lang, "fig_rejections_hour_y"))
    ax.set_title(tr(lang, "fig_rejections_hour"))
    ax.grid(axis="x", visible=False)
    _figure_legend(fig, ax)
    return Chart("rejections_by_hour", tr(lang, "fig_rejections_hour"), tr(lang, "fig_rejections_hour_caption"), fig)


#: KPI keys that are totals, not roles.
_FTE_TOTALS = frozenset({"staff_fte", "total_fte", "staff_total_fte", "staff_fte_total", "class2_drivers_fte"})


def staff_roles(study: Study) -> list[str]:
    """FTE keys by role present in any scenario (``drivers_fte`` first), totals excluded."""
    roles: list[str] = []
    for s in study.scenarios:
        for key, value in s.kpis.items():
            if key.endswith("_fte") and key not in _FTE_TOTALS and key not in roles and value.mean is not None:
                roles.append(key)
    roles = [r for r in roles if any((s.kpis.get(r, Value(None)).mean or 0.0) > 0 for s in study.scenarios)] or roles[:1]
    order = ["drivers_fte", "attendants_fte", "remote_operators_fte", "field_staff_fte", "booking_staff_fte"]
    return sorted(roles, key=lambda r: (order.index(r) if r in order else len(order), r))


def role_label(lang: str, key: str) -> str:
    """``drivers_fte`` -> ``Drivers`` / ``運転士``."""
    from sim.report.i18n import has

    role = key.removesuffix("_fte")
    return tr(lang, f"role_{role}") if has(f"role_{role}") else role.replace("_", " ")


def staff_by_role(study: Study, lang: str) -> Chart | None:
    """Staff needed by role (FTE) as stacked bars per scenario, with labels."""
    roles = staff_roles(study)
    if not roles:
        return None
    names = [mpl_text(s.name) for s in study.scenarios]
    fig = new_figure(7.0, 3.2 + 0.15 * len(names))
    ax = fig.add_subplot()
    x = np.arange(len(names))
    bottom = np.zeros(len(names))
    role_colours = ("#3b6ea8", "#e69f3c", "#6aaa5b", "#c4515d", "#8c6bb1", "#8c564b")
    for j, role in enumerate(roles):
        vals = np.array([_value(s, role).mean or 0.0 for s in study.scenarios])
        bars = ax.bar(x, vals, bottom=bottom, width=0.6, color=role_colours[j % len(role_colours)], label=mpl_text(role_label(lang, role)))
        for rect, v in zip(bars, vals):
            if len(roles) > 1 and v > 0 and rect.get_height() > 0:
                ax.annotate(f"{v:.1f}", (rect.get_x() + rect.get_width() / 2, rect.get_y() + rect.get_height() / 2),
                            ha="center", va="center", fontsize=8, color="white", fontweight=bold_weight(lang))
        bottom += vals
    for xi, total in zip(x, bottom):
        ax.annotate(f"{total:.1f}", (xi, total), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", fontweight=bold_weight(lang))
    ax.set_xticks(x, names)
    ax.set_ylabel(tr(lang, "fig_staff_y"))
    ax.set_title(tr(lang, "fig_staff"))
    ax.set_ylim(0, max(1.0, float(bottom.max()) * 1.18))
    ax.grid(axis="x", visible=False)
    _figure_legend(fig, ax)
    return Chart("staff_by_role", tr(lang, "fig_staff"), tr(lang, "fig_staff_caption"), fig)


#: Dict keys in costs.json that hold the annual cost split by component.
_COMPONENT_TABLES = ("annual_breakdown_yen", "breakdown_yen", "breakdown", "components", "annual_components_yen", "annual_by_component_yen", "annual")
_NOT_COMPONENTS = ("total", "subsidy", "revenue", "fare", "deficit", "per_trip", "per_passenger", "per_km", "per_hour")


def cost_components(costs: dict[str, Any] | None) -> dict[str, float]:
    """Annual cost by component (yen) from a ``costs.json`` dict, read defensively.

    Uses, in order: ``items`` (a list of ``{category, yen_per_year}``) summed by category; a table
    of components (``breakdown``, ``components``, ...); ``*_cost_yen_per_year`` keys of ``summary``
    or the top level; top-level ``annual_<component>_yen`` keys. Totals, revenue and subsidy are
    not components.
    """
    if not costs:
        return {}
    items = costs.get("items")
    if isinstance(items, list):
        out: dict[str, float] = {}
        for item in items:
            if not isinstance(item, dict):
                continue
            value = item.get("yen_per_year", item.get("annual_yen"))
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            category = str(item.get("category") or str(item.get("term", "other")).split(":")[0] or "other")
            out[category] = out.get(category, 0.0) + float(value)
        if out:
            return out

    def numeric_items(d: dict[str, Any]) -> dict[str, float]:
        found: dict[str, float] = {}
        for key, value in d.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if any(word in key for word in _NOT_COMPONENTS):
                continue
            found[key] = float(value)
        return found

    for table in _COMPONENT_TABLES:
        if isinstance(costs.get(table), dict):
            found = numeric_items(costs[table])
            if found:
                return found
    for where in (costs.get("summary"), costs):
        if isinstance(where, dict):
            found = {
                k.removesuffix("_cost_yen_per_year"): float(v)
                for k, v in where.items()
                if k.endswith("_cost_yen_per_year") and isinstance(v, (int, float)) and not isinstance(v, bool)
            }
            if found:
                return found
    out = {}
    for key, value in costs.items():
        if key.startswith("annual_") and key.endswith("_yen") and not isinstance(value, bool) and isinstance(value, (int, float)):
            part = key.removeprefix("annual_").removesuffix("_yen")
            if part and part != "cost" and not any(word in part for word in _NOT_COMPONENTS):
                out[part] = float(value)
    return out


def component_label(lang: str, key: str) -> str:
    """Label of a cost component key (``drivers_yen`` -> ``Drivers``)."""
    base = key.removesuffix("_yen").removeprefix("annual_").removesuffix("_cost").removeprefix("cost_")
    from sim.report.i18n import has

    return tr(lang, f"cost_{base}") if has(f"cost_{base}") else base.replace("_", " ")


def _scenario_components(s: ScenarioResult) -> dict[str, float]:
    parts = [cost_components(r.costs) for r in s.runs]
    parts = [p for p in parts if p]
    if not parts:
        return {}
    keys: list[str] = []
    for p in parts:
        keys += [k for k in p if k not in keys]
    return {k: float(np.mean([p.get(k, 0.0) for p in parts])) for k in keys}


def cost_breakdown(study: Study, lang: str) -> Chart | None:
    """Annual cost by component as horizontal stacked bars, labelled with the cost per trip."""
    comps = [_scenario_components(s) for s in study.scenarios]
    totals = [_value(s, "annual_cost_yen").mean for s in study.scenarios]
    if not any(comps) and not any(t is not None for t in totals):
        return None
    keys: list[str] = []
    for c in comps:
        keys += [k for k in c if k not in keys and any(abs(cc.get(k, 0.0)) > 0 for cc in comps)]
    names = [mpl_text(s.name) for s in study.scenarios]
    fig = new_figure(7.0, 1.8 + 0.55 * len(names))
    ax = fig.add_subplot()
    y = np.arange(len(names))[::-1]
    left = np.zeros(len(names))
    palette = ("#3b6ea8", "#e69f3c", "#6aaa5b", "#c4515d", "#8c6bb1", "#8c564b", "#7f7f7f", "#bcbd22")
    unit = 1e4 if lang == "ja" else 1e6  # 万円 / million yen
    if keys:
        for j, key in enumerate(keys):
            vals = np.array([c.get(key, 0.0) for c in comps]) / unit
            ax.barh(y, vals, left=left, height=0.55, color=palette[j % len(palette)], label=mpl_text(component_label(lang, key)))
            left += vals
    else:
        vals = np.array([t or 0.0 for t in totals]) / unit
        ax.barh(y, vals, height=0.55, color=palette[0], label=mpl_text(kpi_label(lang, "annual_cost_yen")))
        left += vals
    for k, s in enumerate(study.scenarios):
        total = totals[k] if totals[k] is not None else left[k] * unit
        text = fmt_yen(lang, total)
        per_trip = _value(s, "cost_per_trip_yen").mean
        if per_trip is not None:
            text += " · " + tr(lang, "fig_cost_per_trip", value=fmt_yen(lang, per_trip))
        ax.annotate(text, (left[k], y[k]), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8.5)
    ax.set_yticks(y, names)
    ax.set_xlabel(tr(lang, "fig_cost_x"))
    ax.set_title(tr(lang, "fig_cost"))
    ax.set_xlim(0, max(1.0, float(left.max())) * 1.5)
    ax.grid(axis="y", visible=False)
    from matplotlib.ticker import StrMethodFormatter

    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(handles)), fontsize=8)
    return Chart("cost_breakdown", tr(lang, "fig_cost"), tr(lang, "fig_cost_caption"), fig)


def fleet_profile(run: RunData, *, step_s: float = 300.0, bin_s: float = 900.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vehicles in service on a ``step_s`` grid and mean load per vehicle in ``bin_s`` bins.

    Returns ``(t_hours, vehicles, bin_centre_hours, mean_load)``; empty arrays without data.
    A vehicle is in service from its shift start until it is back at its depot (``pull_in_s``).
    """
    veh = run.vehicles
    empty = np.array([], dtype=float)
    if veh.empty or "shift_start_s" not in veh.columns:
        return empty, empty, empty, empty
    start = pd.to_numeric(veh["shift_start_s"], errors="coerce").to_numpy(dtype=float)
    end_col = "pull_in_s" if "pull_in_s" in veh.columns else "shift_end_s"
    end = pd.to_numeric(veh[end_col], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(start) & np.isfinite(end)
    start, end = start[ok], end[ok]
    if not start.size:
        return empty, empty, empty, empty
    t0 = np.floor(start.min() / bin_s) * bin_s
    t1 = np.ceil(end.max() / bin_s) * bin_s
    grid = np.arange(t0, t1 + step_s / 2, step_s)
    vehicles = ((start[None, :] <= grid[:, None]) & (grid[:, None] < end[None, :])).sum(axis=1).astype(float)
    edges = np.arange(t0, t1 + bin_s / 2, bin_s)
    lo, hi = edges[:-1], edges[1:]
    in_service = np.clip(np.minimum(hi[:, None], end[None, :]) - np.maximum(lo[:, None], start[None, :]), 0, None).sum(axis=1)
    pax_s = np.zeros(lo.size)
    moves = run.moves
    if not moves.empty and {"start_s", "end_s", "load"} <= set(moves.columns):
        ms = pd.to_numeric(moves["start_s"], errors="coerce").to_numpy(dtype=float)
        me = pd.to_numeric(moves["end_s"], errors="coerce").to_numpy(dtype=float)
        load = pd.to_numeric(moves["load"], errors="coerce").fillna(0).to_numpy(dtype=float)
        sel = np.isfinite(ms) & np.isfinite(me) & (load > 0)
        ms, me, load = ms[sel], me[sel], load[sel]
        for chunk in range(0, ms.size, 20000):
            a, b, w = ms[chunk : chunk + 20000], me[chunk : chunk + 20000], load[chunk : chunk + 20000]
            overlap = np.clip(np.minimum(hi[:, None], b[None, :]) - np.maximum(lo[:, None], a[None, :]), 0, None)
            pax_s += (overlap * w[None, :]).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_load = np.where(in_service > 0, pax_s / in_service, np.nan)
    return grid / 3600.0, vehicles, (lo + hi) / 2 / 3600.0, mean_load


def fleet_over_day(study: Study, lang: str) -> Chart | None:
    """Vehicles in service (top) and mean passengers on board per vehicle (bottom) over the day."""
    profiles: list[tuple[int, ScenarioResult, tuple[np.ndarray, ...]]] = []
    for k, s in enumerate(study.scenarios):
        runs = [fleet_profile(r) for r in s.runs]
        runs = [p for p in runs if p[0].size]
        if not runs:
            continue
        # average replications on the first run's grid (replications share service hours)
        t, v, tb, load = runs[0]
        if len(runs) > 1:
            v = np.mean([np.interp(t, p[0], p[1]) for p in runs], axis=0)
            load = np.nanmean([np.interp(tb, p[2], p[3]) for p in runs], axis=0)
        profiles.append((k, s, (t, v, tb, load)))
    if not profiles:
        return None
    fig = new_figure(7.0, 4.6)
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    for k, s, (t, v, tb, load) in profiles:
        style = scenario_line(k)
        ax1.step(t, v, where="post", linewidth=1.6, label=mpl_text(s.name), markevery=max(1, t.size // 12), markersize=3.5, **style)
        ax2.plot(tb, load, linewidth=1.6, markersize=2.5, label=mpl_text(s.name), **style)
    ax1.set_ylabel(tr(lang, "fig_fleet_y1"))
    ax2.set_ylabel(tr(lang, "fig_fleet_y2"))
    ax2.set_xlabel(tr(lang, "fig_fleet_x"))
    ax1.set_ylim(bottom=0)
    ax2.set_ylim(bottom=0)
    from matplotlib.ticker import MaxNLocator

    ax1.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax1.set_title(tr(lang, "fig_fleet"))
    _clock_axis(ax2)
    _figure_legend(fig, ax1)
    return Chart("fleet_over_day", tr(lang, "fig_fleet"), tr(lang, "fig_fleet_caption"), fig)


def passengers_per_vehicle_hour(study: Study, lang: str) -> Chart | None:
    """Passengers per vehicle-hour per scenario (bars; 95% CI whiskers with replications)."""
    key = "passengers_per_vehicle_hour"
    values = [_value(s, key) for s in study.scenarios]
    if not any(v.mean is not None for v in values):
        return None
    names = [mpl_text(s.name) for s in study.scenarios]
    fig = new_figure(7.0, 3.0)
    ax = fig.add_subplot()
    x = np.arange(len(names))
    for k, (s, v) in enumerate(zip(study.scenarios, values)):
        mean = v.mean if v.mean is not None else 0.0
        yerr = None
        if v.has_ci:
            yerr = [[max(0.0, mean - (v.low or mean))], [max(0.0, (v.high or mean) - mean)]]
        ax.bar([x[k]], [mean], width=0.6, color=scenario_colour(k), yerr=yerr, capsize=4, label=mpl_text(s.name))
        ax.annotate(f"{mean:.2f}", (x[k], mean), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom")
    ax.set_xticks(x, names)
    ax.set_ylabel(tr(lang, "fig_pphr_y"))
    ax.set_title(tr(lang, "fig_pphr"))
    top = max((v.high if v.has_ci else v.mean) or 0.0 for v in values)
    ax.set_ylim(0, max(0.5, top * 1.2))
    ax.grid(axis="x", visible=False)
    return Chart("passengers_per_vehicle_hour", tr(lang, "fig_pphr"), tr(lang, "fig_pphr_caption"), fig)


#: Chart builders in report order, grouped by section key.
CHARTS: dict[str, tuple[Callable[[Study, str], Chart | None], ...]] = {
    "sec_service": (wait_cdf, wait_by_hour, rejections_by_hour),
    "sec_staff_cost": (staff_by_role, cost_breakdown),
    "sec_operations": (fleet_over_day, passengers_per_vehicle_hour),
}
