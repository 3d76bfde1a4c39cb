"""Figures of sweeps, sizing and sensitivity studies (matplotlib, Agg canvas, no pyplot state).

* :func:`plot_sweep`: a KPI against each varied parameter, mean with its 95 % confidence band,
  one line per combination of the other parameters.
* :func:`plot_size_curve`: the sizing curve of one target KPI, the target and the answer.
* :func:`plot_tornado`: one-at-a-time sensitivity of one KPI (a tornado chart).

Each returns a matplotlib :class:`~matplotlib.figure.Figure` (drawn inside
:func:`sim.report.style.chart_style`); :mod:`sim.report.studies` turns them into PNG files and the
report. Axis labels come from the KPI registry (:mod:`sim.kpis`) in the report's language; KPIs in
seconds are drawn in minutes, shares in percent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim import kpis as registry
from sim.report.i18n import kpi_label, tr
from sim.studies.grid import format_value

#: Most lines drawn in one sweep figure; further combinations of the other parameters are left out.
MAX_LINES = 8


#: Display unit of a registry display kind: (scale from the stored value, English, Japanese).
_UNITS: dict[str, tuple[float, str, str]] = {
    "min": (1.0 / 60.0, "min", "分"),
    "pct": (100.0, "%", "%"),
    "yen": (1.0, "yen", "円"),
    "m": (1.0, "m", "m"),
    "km": (1.0, "km", "km"),
    "h": (1.0, "h", "時間"),
    "fte": (1.0, "FTE", "常勤換算人"),
}


def kpi_axis(kpi: str, lang: str = "en") -> tuple[float, str]:
    """Scale factor and axis label of a KPI in ``lang`` (seconds shown in minutes, shares in %)."""
    k = registry.get(kpi)
    scale, en, ja = _UNITS.get(k.kind if k else "", (1.0, "", ""))
    unit = ja if lang == "ja" else en
    label = kpi_label(lang, kpi)
    if not unit:
        return scale, label
    return scale, f"{label}（{unit}）" if lang == "ja" else f"{label} ({unit})"


def _figure(width: float = 6.4, height: float = 4.0) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _f(x: float) -> float:
    return math.nan if x is None else float(x)


def plot_sweep(
    keys: Sequence[str],
    summaries: Sequence[Any],
    kpis: Sequence[str],
    *,
    lang: str = "en",
) -> list[tuple[str, str, Any]]:
    """Every KPI of ``kpis`` against every key of ``keys``: ``(file stem, key, figure)`` each.

    ``summaries`` are :class:`sim.studies.summary.PointSummary` (``point.row`` holds the key
    values, ``estimates[kpi]`` the mean and clipped interval). File stems: ``<kpi>__vs__<key>``.
    """
    out: list[tuple[str, str, Any]] = []
    for key in keys:
        others = [k for k in keys if k != key]
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for s in summaries:
            gk = tuple(format_value(s.point.row.get(k)) for k in others)
            groups.setdefault(gk, []).append(s)
        xs_all = []
        for s in summaries:
            v = s.point.row.get(key)
            if v not in xs_all:
                xs_all.append(v)
        numeric = _numeric(xs_all)
        for kpi in kpis:
            factor, label = kpi_axis(kpi, lang)
            fig = _figure()
            ax = fig.add_subplot()
            for gk, members in list(groups.items())[:MAX_LINES]:
                pts = sorted(
                    members,
                    key=lambda s: s.point.row.get(key) if numeric else xs_all.index(s.point.row.get(key)),
                )
                xs = [s.point.row.get(key) if numeric else xs_all.index(s.point.row.get(key)) for s in pts]
                mean = [_f(s.estimates[kpi].mean) * factor for s in pts]
                low = [_f(s.estimates[kpi].low) * factor for s in pts]
                high = [_f(s.estimates[kpi].high) * factor for s in pts]
                name = ", ".join(f"{k}={v}" for k, v in zip(others, gk, strict=True)) or None
                line = ax.plot(xs, mean, marker="o", label=name)[0]
                ax.fill_between(xs, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
            if not numeric:
                ax.set_xticks(range(len(xs_all)), [format_value(v) for v in xs_all])
            elif all(isinstance(v, int) for v in xs_all):
                from matplotlib.ticker import MaxNLocator

                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel(key)
            ax.set_ylabel(label)
            if len(groups) > MAX_LINES:
                ax.set_title(tr(lang, "sweep_fig_more", shown=MAX_LINES, total=len(groups)).strip(), fontsize=9)
            ax.grid(True, alpha=0.3)
            if others:
                ax.legend(fontsize=7)
            out.append((f"{_safe(kpi)}__vs__{_safe(key)}", key, fig))
    return out


def plot_size_curve(
    key: str,
    values: Sequence[Any],
    estimates: Sequence[Any],
    *,
    kpi: str,
    threshold: float,
    op: str,
    answer: Any | None,
    lang: str = "en",
) -> Any:
    """The evaluated sizing curve of one target KPI: mean and 95 % CI, the target and the answer.

    ``estimates[i]`` is the :class:`sim.stats.Estimate` of ``kpi`` at ``values[i]``.
    """
    factor, label = kpi_axis(kpi, lang)
    order = sorted(range(len(values)), key=lambda i: values[i])
    xs = [values[i] for i in order]
    mean = [_f(estimates[i].mean) * factor for i in order]
    low = [_f(estimates[i].low) * factor for i in order]
    high = [_f(estimates[i].high) * factor for i in order]
    fig = _figure()
    ax = fig.add_subplot()
    ax.errorbar(
        xs,
        mean,
        yerr=[[m - lo for m, lo in zip(mean, low, strict=True)], [hi - m for m, hi in zip(mean, high, strict=True)]],
        marker="o",
        capsize=3,
        label=tr(lang, "mean_ci_legend"),
    )
    ax.axhline(threshold * factor, color="tab:red", linestyle="--", label=tr(lang, "target_legend", target=f"{kpi} {op} {threshold:g}"))
    if answer is not None:
        ax.axvline(answer, color="tab:green", linestyle=":", label=tr(lang, "answer_legend", param=key, value=format_value(answer)))
    if all(isinstance(v, int) and not isinstance(v, bool) for v in xs):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(key)
    ax.set_ylabel(label)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    return fig


@dataclass(frozen=True, slots=True)
class TornadoBar:
    """One parameter of a tornado chart: its label, the KPI mean at its low and high value, and
    the (clipped) 95 % intervals there, in the KPI's stored unit."""

    label: str
    low: float
    high: float
    low_ci: tuple[float, float] | None = None
    high_ci: tuple[float, float] | None = None


def plot_tornado(
    kpi: str,
    base: float,
    rows: Sequence[TornadoBar],
    *,
    lang: str = "en",
) -> Any:
    """Tornado chart of ``kpi``: for each parameter a bar from the base to its low and high result (widest swing first)."""
    factor, label = kpi_axis(kpi, lang)
    b = _f(base) * factor
    fig = _figure(8.0, 1.4 + 0.6 * max(1, len(rows)))
    ax = fig.add_subplot()
    ys = list(range(len(rows)))[::-1]
    for y, row in zip(ys, rows, strict=True):
        for side, colour in (("low", "tab:blue"), ("high", "tab:orange")):
            v = _f(getattr(row, side)) * factor
            if math.isnan(v) or math.isnan(b):
                continue
            legend = tr(lang, f"sens_at_{side}") if y == ys[0] else None
            ax.barh(y, v - b, left=b, height=0.6, color=colour, alpha=0.8, label=legend)
            ci = getattr(row, f"{side}_ci")
            if ci is not None and not any(math.isnan(_f(c)) for c in ci):
                yy = y + (0.15 if side == "low" else -0.15)
                ax.plot([_f(ci[0]) * factor, _f(ci[1]) * factor], [yy, yy], color="black", linewidth=1)
    ax.axvline(b, color="black", linewidth=1, label=tr(lang, "sens_base_line", value=f"{b:.4g}"))
    ax.set_yticks(ys, [r.label for r in rows], fontsize=8)
    ax.set_xlabel(label)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return fig
