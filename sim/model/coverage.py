"""Population coverage (人口カバー率) of the services of a scenario: pure functions, SI units.

A resident is *covered at hour h* (clock hour, ``[h, h + 1)``) within a radius *r* (300 m or
500 m) when

* a fixed line departs from any of its stops during that hour and one of its stops is within *r*
  walking of the resident's town, or
* a DRT service runs during part of that hour and the town's network node lies inside one of its
  areas (a DRT area serves every address in it; its stops are at most ``stop_spacing_m`` apart).

Residents are counted at their town's representative point; the walk is the straight line to the
nearest network node plus the shortest path along the road network in either direction
(docs/PARAMETERS.md#coverage-walk). Shares are averaged over the whole clock hours of the
coverage window (docs/PARAMETERS.md#coverage-hours); ``population_without_service`` counts the
residents not covered within 500 m at any hour of the window (交通空白地人口).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.model.drt.layout import DrtLayout
from sim.model.lines.timetable import LineLayout

#: Walking radii (m) of the coverage KPIs.
RADII_M: tuple[float, float] = (300.0, 500.0)

#: Scalar keys merged into ``metrics.json``.
COVERAGE_KPI_KEYS: tuple[str, ...] = (
    "population_coverage_share_300m",
    "population_coverage_share_500m",
    "population_without_service",
    "coverage_65plus_share_500m",
)


@dataclass(frozen=True, slots=True)
class CoverageZone:
    """Residents of one town, placed at a network node.

    ``offset_m`` is the straight-line distance from the town's point (``lat``, ``lon``, degrees)
    to ``node`` (metres).
    """

    name: str
    district: str
    lat: float
    lon: float
    node: int
    offset_m: float
    population: float
    population_65plus: float


@dataclass(frozen=True, slots=True)
class TownCoverage:
    """Coverage of one town over the window: walk to the nearest stop (m, ``inf`` if none within
    500 m) and the share of the window's hours it is covered within 300 m and 500 m."""

    name: str
    district: str
    lat: float
    lon: float
    population: float
    population_65plus: float
    walk_to_stop_m: float
    in_drt_area: bool
    share_of_hours_300m: float
    share_of_hours_500m: float


@dataclass(frozen=True, slots=True)
class Coverage:
    """Coverage of a scenario: the scalar KPIs, per town, and per clock hour (share within 500 m)."""

    population_coverage_share_300m: float
    population_coverage_share_500m: float
    population_without_service: float
    coverage_65plus_share_500m: float
    towns: tuple[TownCoverage, ...]
    hours: tuple[int, ...]
    share_500m_by_hour: tuple[float, ...]

    def kpis(self) -> dict[str, float]:
        """The :data:`COVERAGE_KPI_KEYS` of ``metrics.json``."""
        return {k: float(getattr(self, k)) for k in COVERAGE_KPI_KEYS}


def _line_hours(line: LineLayout, hours: Sequence[int]) -> np.ndarray:
    """Whether the line departs from some stop during each clock hour."""
    deps = np.array([t for trip in line.trips for t in trip.depart_s], dtype=float)
    return np.array([bool(((deps >= h * 3600.0) & (deps < (h + 1) * 3600.0)).any()) for h in hours])


def _drt_hours(layout: DrtLayout, hours: Sequence[int]) -> np.ndarray:
    return np.array([layout.start_s < (h + 1) * 3600.0 and layout.end_s > h * 3600.0 for h in hours])


def walk_distances(lengths: csr_matrix, sources: Sequence[int], limit_m: float) -> np.ndarray:
    """Shortest walk (m) from the nearest of ``sources`` to every node, either direction; ``inf`` beyond ``limit_m``."""
    if len(sources) == 0:
        return np.full(lengths.shape[0], np.inf)
    dist = dijkstra(lengths, directed=False, indices=np.unique(np.asarray(sources, dtype=np.int64)), limit=limit_m, min_only=True)
    return np.asarray(dist, dtype=float)


def compute_coverage(
    zones: Sequence[CoverageZone],
    lengths: csr_matrix,
    layouts: Sequence[DrtLayout | LineLayout],
    *,
    window_s: tuple[float, float],
) -> Coverage:
    """Coverage of ``zones`` by the services laid out in ``layouts`` over the clock hours of ``window_s``.

    ``lengths`` is the road network's edge-length matrix (metres); ``window_s`` is (start, end) in
    seconds since midnight: the hours counted are the whole clock hours from the one holding the
    start to the one before the end (09:00–17:00: hours 9 to 16).
    """
    first, last = int(window_s[0] // 3600), int(np.ceil(window_s[1] / 3600.0))
    hours = tuple(range(first, max(first + 1, last)))
    nodes = np.array([z.node for z in zones], dtype=np.int64)
    offset = np.array([z.offset_m for z in zones], dtype=float)
    pop = np.array([z.population for z in zones], dtype=float)
    old = np.array([z.population_65plus for z in zones], dtype=float)
    n_z, n_h = len(zones), len(hours)
    walk = np.full(n_z, np.inf)
    cov = {r: np.zeros((n_z, n_h), dtype=bool) for r in RADII_M}
    in_drt = np.zeros(n_z, dtype=bool)
    for layout in layouts:
        if isinstance(layout, LineLayout):
            d = walk_distances(lengths, layout.stop_nodes, max(RADII_M))[nodes] + offset
            walk = np.minimum(walk, d)
            running = _line_hours(layout, hours)
            for r in RADII_M:
                cov[r] |= (d <= r)[:, None] & running[None, :]
        else:
            inside = np.zeros(n_z, dtype=bool)
            for area in layout.areas:
                inside |= area.members[nodes]
            stops = np.concatenate([a.stops for a in layout.areas]) if layout.areas else np.array([], dtype=np.int64)
            walk = np.minimum(walk, walk_distances(lengths, stops, max(RADII_M))[nodes] + offset)
            in_drt |= inside
            running = _drt_hours(layout, hours)
            for r in RADII_M:
                cov[r] |= inside[:, None] & running[None, :]
    walk[walk > max(RADII_M)] = np.inf
    total, total_old = pop.sum(), old.sum()

    def share(mask: np.ndarray, weight: np.ndarray, whole: float) -> float:
        return float((weight[:, None] * mask).sum() / (whole * n_h)) if whole > 0 and n_h else 0.0

    towns = tuple(
        TownCoverage(z.name, z.district, z.lat, z.lon, z.population, z.population_65plus, float(walk[i]), bool(in_drt[i]),
                     float(cov[300.0][i].mean()) if n_h else 0.0, float(cov[500.0][i].mean()) if n_h else 0.0)
        for i, z in enumerate(zones)
    )
    by_hour = tuple(float(pop @ cov[500.0][:, k] / total) if total > 0 else 0.0 for k in range(n_h))
    return Coverage(
        population_coverage_share_300m=share(cov[300.0], pop, total),
        population_coverage_share_500m=share(cov[500.0], pop, total),
        population_without_service=float(pop[~cov[500.0].any(axis=1)].sum()),
        coverage_65plus_share_500m=share(cov[500.0], old, total_old),
        towns=towns,
        hours=hours,
        share_500m_by_hour=by_hour,
    )


__all__ = ["COVERAGE_KPI_KEYS", "RADII_M", "Coverage", "CoverageZone", "TownCoverage", "compute_coverage", "walk_distances"]
