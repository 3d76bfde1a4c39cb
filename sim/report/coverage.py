"""Population coverage in the report: the per-town table and the coverage map (from ``coverage.csv``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.report.data import Study
from sim.report.document import Cell, Paragraph, Table
from sim.report.figures import Chart, mpl_text
from sim.report.i18n import fmt_kind, tr
from sim.report.landmarks import draw_landmarks
from sim.tolerance import EPS


def _coverage(study: Study) -> list[tuple[str, pd.DataFrame]]:
    """``(scenario, coverage.csv of its first run)`` for scenarios that have one."""
    out = []
    for s in study.scenarios:
        cov = s.first.coverage if s.first is not None else None
        if cov is not None and not cov.empty and {"town", "population", "share_of_hours_500m"} <= set(cov.columns):
            out.append((s.name, cov))
    return out


def _window(study: Study) -> str:
    for s in study.scenarios:
        cfg = (s.first.scenario.get("coverage") or {}) if s.first is not None else {}
        if cfg:
            return f"{cfg.get('start', '09:00')}–{cfg.get('end', '17:00')}"
    return "09:00–17:00"


def coverage_blocks(study: Study, lang: str, *, top: int = 15) -> list[Any]:
    """Towns not fully covered within 500 m in some scenario (most residents left out first), or a sentence saying none is."""
    found = _coverage(study)
    if not found:
        return []
    window = _window(study)
    names = [n for n, _ in found]
    base = found[0][1].set_index("town")
    shares = pd.DataFrame({n: c.set_index("town")["share_of_hours_500m"].astype(float) for n, c in found})
    gap = (1.0 - shares).mul(base["population"].astype(float), axis=0).max(axis=1)
    towns = gap[gap > EPS].sort_values(ascending=False).head(top).index
    blocks: list[Any] = [Paragraph(tr(lang, "coverage_intro", window=window))]
    if len(towns) == 0:
        blocks.append(Paragraph(tr(lang, "coverage_all", window=window)))
        return blocks
    rows = []
    for town in towns:
        row = base.loc[town]
        rows.append((
            Cell(str(town)),
            Cell(str(row.get("district", ""))),
            Cell(fmt_kind(lang, "int", float(row["population"])), numeric=True),
            Cell(fmt_kind(lang, "int", float(row.get("population_65plus", float("nan")))), numeric=True),
            *(Cell(fmt_kind(lang, "pct", float(shares.loc[town, n])), numeric=True) for n in names),
        ))
    header = (tr(lang, "col_cov_town"), tr(lang, "col_district"), tr(lang, "col_population"), tr(lang, "col_population_65plus"), *names)
    blocks.append(Table(header, tuple(rows), caption=tr(lang, "coverage_caption", window=window), title=tr(lang, "coverage_title")))
    return blocks


def coverage_map(study: Study, lang: str, cache: Any = None) -> Chart | None:
    """One panel per scenario: a circle per town (area = residents, colour = share of the window's hours covered within 500 m)."""
    from sim.report.maps import RunNetworks, _bounds, _colorbar, _draw_roads, _footer, _frame, _panels, _percent, provenance_text

    found = [(n, c) for n, c in _coverage(study) if {"lat", "lon"} <= set(c.columns)]
    if not found:
        return None
    cache = cache or RunNetworks()
    grid = _panels(len(found), colorbar=True)
    lats, lons = _bounds(study, cache)
    biggest = max(float(c["population"].max()) for _, c in found) or 1.0
    runs = {s.name: s.first for s in study.scenarios}
    sc = None
    marked = False
    for ax, (name, cov) in zip(grid.axes, found):
        run = runs.get(name)
        net = cache.get(run) if run is not None else None
        if net is not None:
            _draw_roads(ax, net, cache)
        size = 8 + 220 * cov["population"].astype(float) / biggest
        sc = ax.scatter(cov["lon"], cov["lat"], s=size, c=cov["share_of_hours_500m"].astype(float), cmap="RdYlGn",
                        vmin=0, vmax=1, edgecolors="#333333", linewidths=0.5, alpha=0.9, zorder=3)
        ax.set_title(mpl_text(name), fontsize=10)
        _frame(ax, lats, lons)
        marked = draw_landmarks(ax, lang) or marked
    cbar = _colorbar(grid.fig, sc, grid.axes, tr(lang, "coverage_cbar"))
    cbar.ax.yaxis.set_major_formatter(_percent())
    _footer(grid.fig, provenance_text(study.scenarios[0].first, lang, short=True))
    window = _window(study)
    caption = tr(lang, "coverage_map_caption", window=window) + (" " + tr(lang, "map_landmarks_note") if marked else "")
    return Chart("map_coverage", tr(lang, "coverage_map_title"), caption, grid.fig)


__all__ = ["coverage_blocks", "coverage_map"]
