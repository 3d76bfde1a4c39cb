"""Maps drawn on the road network: service areas and stops, trip-start density, served vs rejected by town.

Every map states the network's provenance under it (the embedded Sodegaura network is a
reconstruction, not OpenStreetMap data). Node ids in the results are those of the network file;
the network is loaded with :func:`sim.network.io.load_network` from ``[network].source`` of the
run's ``scenario.toml``. If it cannot be loaded, maps are drawn without roads and say why.
"""

from __future__ import annotations

import csv
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimError
from sim.network.cache import NetworkCache
from sim.network.graph import RoadNetwork
from sim.report.data import RunData, ScenarioResult, Study
from sim.report.figures import Chart, mpl_text
from sim.report.i18n import tr
from sim.report.landmarks import draw_landmarks
from sim.report.roads import RoadGeometry, area_paths, draw_roads, line_collection, road_geometry
from sim.report.style import AREA_COLOURS
from sim.paths import repo_root

#: Repository root (for the key places file and relative network paths).
REPO = repo_root()


@dataclass(slots=True)
class RunNetworks:
    """The road networks of the runs of one report, through the one :class:`~sim.network.cache.NetworkCache`.

    A run's network is ``[network].source`` of its ``scenario.toml``, looked up relative to the run
    directory, the repository's ``scenarios/`` and the working folder; failures are remembered with
    their message.
    """

    networks: NetworkCache = field(default_factory=NetworkCache)
    errors: dict[str, str] = field(default_factory=dict)
    geometry: dict[int, tuple[RoadNetwork, RoadGeometry]] = field(default_factory=dict)

    def roads(self, net: RoadNetwork) -> RoadGeometry:
        """The road segments of ``net``, computed on first use (:func:`~sim.report.roads.road_geometry`)."""
        found = self.geometry.get(id(net))
        if found is None or found[0] is not net:
            found = self.geometry[id(net)] = (net, road_geometry(net))
        return found[1]

    @staticmethod
    def source(run: RunData) -> str:
        """The run's network source."""
        return str((run.scenario.get("network") or {}).get("source", "sodegaura"))

    def get(self, run: RunData) -> RoadNetwork | None:
        """The run's road network, or ``None`` (see :meth:`error`)."""
        source = self.source(run)
        if source in self.errors:
            return None
        last = ""
        for base in (run.directory, REPO / "scenarios", Path.cwd()):
            try:
                return self.networks.get(source, base)
            except SimError as exc:
                last = str(exc)
        self.errors[source] = last
        return None

    def error(self, run: RunData) -> str:
        """Why the run's network could not be loaded ("" if it was)."""
        return self.errors.get(self.source(run), "")


# --------------------------------------------------------------------------- labels and provenance


def provenance_text(run: RunData | None, lang: str, *, short: bool = False) -> str:
    """The network provenance sentence (``short`` for map footers)."""
    info = (run.metrics.get("network") if run is not None else None) or {}
    name = str(info.get("name") or "")
    prov = str(info.get("provenance") or "")
    if not info and run is not None:
        for line in run.header_comments:
            if line.startswith("network:"):
                name, _, prov = line.removeprefix("network:").strip().partition(" — ")
    if not prov:
        return tr(lang, "provenance_unknown")
    synthetic = bool(info.get("synthetic", "not OpenStreetMap" in prov))
    if synthetic and name == "sodegaura":
        return tr(lang, "map_provenance_sodegaura" if short else "provenance_sodegaura")
    if synthetic:
        return tr(lang, "map_provenance_synthetic" if short else "provenance_synthetic", name=name, provenance=prov)
    return tr(lang, "map_provenance_other" if short else "provenance_other", name=name, provenance=prov)


def place_names(lang: str) -> dict[str, str]:
    """Key place id -> display name (Japanese or English) from the Sodegaura key places file."""
    from sim.demand.zones import data_dir

    path = data_dir() / "sodegaura_key_places.csv"
    out: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                name = row.get("name_ja" if lang == "ja" else "name_en") or row.get("name_ja") or ""
                if row.get("id") and name:
                    out[row["id"]] = name.split(" (")[0]
    except OSError:
        return {}
    return out


def zone_label(zone: str, names: dict[str, str]) -> str:
    """Display name of an origin zone: a key place's name, else the zone (town) name."""
    return names.get(zone, zone)


# --------------------------------------------------------------------------- drawing helpers


def _node_index(net: Any, node_id: Any) -> int | None:
    for candidate in (node_id, _as_int(node_id), str(node_id)):
        if candidate is None:
            continue
        try:
            return int(net.index_of(candidate))
        except Exception:  # noqa: BLE001 - unknown id: skip the point
            continue
    return None


def _as_int(value: Any) -> int | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return int(f) if math.isfinite(f) and f.is_integer() else None


def _node_indices(net: Any, ids: Any) -> np.ndarray:
    return np.array([i for i in (_node_index(net, v) for v in ids) if i is not None], dtype=int)


def _draw_roads(ax: Any, net: Any, cache: RunNetworks | None = None) -> None:
    """The network's roads as one collection (segments from ``cache``, computed once per network)."""
    draw_roads(ax, (cache or RunNetworks()).roads(net))


def _frame(ax: Any, lats: np.ndarray, lons: np.ndarray) -> None:
    if lats.size == 0:
        return
    pad_lat = max(0.003, float(np.ptp(lats)) * 0.04)
    pad_lon = max(0.003, float(np.ptp(lons)) * 0.04)
    ax.set_xlim(float(lons.min()) - pad_lon, float(lons.max()) + pad_lon)
    ax.set_ylim(float(lats.min()) - pad_lat, float(lats.max()) + pad_lat)
    ax.set_aspect(1.0 / math.cos(math.radians(float(np.mean(lats)))))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#cccccc")


@dataclass(frozen=True, slots=True)
class _Grid:
    """A map figure with a fixed layout: panels on top, an optional legend band, the provenance footer."""

    fig: Any
    axes: list[Any]
    legend_y: float  # figure fraction of the legend band's top


def _panels(n: int, *, legend_h: float = 0.0, colorbar: bool = False) -> _Grid:
    """``n`` square map panels (1, 2 or 3 columns) above a legend band of ``legend_h`` inches."""
    from matplotlib.figure import Figure

    cols = 1 if n == 1 else 2 if n <= 4 else 3
    rows = math.ceil(n / cols)
    width = 6.0 if n == 1 else 7.0
    bar_w = 0.9 if colorbar else 0.0
    panel = (width - bar_w - 0.15 * (cols + 1)) / cols
    title_h, footer_h = 0.3, 0.35
    height = rows * (panel + title_h) + legend_h + footer_h + 0.1
    fig = Figure(figsize=(width, height))
    bottom = (legend_h + footer_h) / height
    fig.subplots_adjust(
        left=0.15 / width, right=1 - (bar_w + 0.15) / width, top=1 - title_h / height, bottom=bottom,
        wspace=0.15 * cols / panel, hspace=title_h / panel,
    )
    axes = fig.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return _Grid(fig, axes[:n], bottom - 0.02 / height)


def _footer(fig: Any, text: str) -> None:
    fig.text(0.5, 0.012, "\n".join(textwrap.wrap(text, 110)), ha="center", va="bottom", fontsize=7, color="#555555")


def _colorbar(fig: Any, mappable: Any, axes: list[Any], label: str) -> Any:
    """A colour bar to the right of the panels."""
    boxes = [ax.get_position() for ax in axes]
    top = max(b.y1 for b in boxes)
    bottom = min(b.y0 for b in boxes)
    right = max(b.x1 for b in boxes)
    height = (top - bottom) * 0.7
    cax = fig.add_axes((right + 0.03, bottom + (top - bottom - height) / 2, 0.022, height))
    cbar = fig.colorbar(mappable, cax=cax)
    cbar.set_label(label)
    return cbar


def _bounds(study: Study, cache: RunNetworks) -> tuple[np.ndarray, np.ndarray]:
    for s in study.scenarios:
        for r in s.runs:
            net = cache.get(r)
            if net is not None:
                return net.lat, net.lon
    lats, lons = [], []
    for s in study.scenarios:
        for r in s.runs:
            if {"origin_lat", "origin_lon"} <= set(r.demand.columns):
                lats += r.demand["origin_lat"].tolist()
                lons += r.demand["origin_lon"].tolist()
    return np.array(lats, dtype=float), np.array(lons, dtype=float)


# --------------------------------------------------------------------------- service layout


@dataclass(frozen=True, slots=True)
class AreaPoints:
    """One DRT area: ``members`` is a boolean mask over node indices (may be empty), ``stops`` node indices."""

    label: str
    members: np.ndarray
    stops: np.ndarray
    depot: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class Layout:
    """What the service map of one run shows (degrees); ``error`` says what could not be rebuilt."""

    areas: list[AreaPoints]
    hub: tuple[float, float] | None
    lines: list[tuple[str, np.ndarray, np.ndarray]]
    error: str


def _path_latlon(net: Any, nodes: list[int], speed_cap_kmh: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lat/lon along the fastest roads through ``nodes`` in order."""
    path: list[int] = []
    oracle = net.oracle(speed_cap_kmh=speed_cap_kmh)
    for a, b in zip(nodes, nodes[1:]):
        seg = list(oracle.path(a, b))
        path += seg if not path else seg[1:]
    path = path or list(nodes)
    arr = np.array(path, dtype=int)
    return net.lat[arr], net.lon[arr]


def _used_stops(run: RunData, net: Any) -> AreaPoints:
    req = run.requests
    ids: list[Any] = []
    for col in ("origin_stop", "dest_stop"):
        if col in req.columns:
            ids += [v for v in req[col].dropna().unique().tolist() if str(v) != ""]
    return AreaPoints("", np.zeros(0, dtype=bool), _node_indices(net, sorted(set(ids), key=str)), None)


def fixed_lines(run: RunData, net: Any) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Fixed lines as (name, lat, lon) polylines from the run's ``lines.csv``, or ``[]``.

    ``lines.csv`` needs a line column (``line``, ``route``, ``service`` or ``name``) and either
    ``lat``/``lon`` columns or a node column (``node``, ``node_id``, ``stop_node``); rows are in
    route order (sorted by a ``seq``/``sequence``/``order`` column when present).
    """
    df = run.lines
    if df is None or df.empty:
        return []
    cols = set(df.columns)
    line_col = next((c for c in ("line", "route", "service", "name") if c in cols), None)
    if line_col is None:
        return []
    seq_col = next((c for c in ("seq", "sequence", "order", "stop_sequence") if c in cols), None)
    node_col = next((c for c in ("node", "node_id", "stop_node") if c in cols), None)
    out: list[tuple[str, np.ndarray, np.ndarray]] = []
    for name, group in df.groupby(line_col, sort=False):
        g = group.sort_values(seq_col) if seq_col else group
        if {"lat", "lon"} <= cols:
            lat = pd.to_numeric(g["lat"], errors="coerce").to_numpy(dtype=float)
            lon = pd.to_numeric(g["lon"], errors="coerce").to_numpy(dtype=float)
        elif node_col is not None and net is not None:
            lat, lon = _path_latlon(net, _node_indices(net, g[node_col].tolist()).tolist())
        else:
            continue
        ok = np.isfinite(lat) & np.isfinite(lon)
        if ok.sum() >= 2:
            out.append((str(name), lat[ok], lon[ok]))
    return out


def _latlon(place: Any) -> tuple[float, float] | None:
    """``(lat, lon)`` of a ``layout.json`` place, or ``None``."""
    if not isinstance(place, dict):
        return None
    lat, lon = _as_float(place.get("lat")), _as_float(place.get("lon"))
    return (lat, lon) if lat is not None and lon is not None else None


def _as_float(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


#: :attr:`Layout.error` of a run directory without ``layout.json``.
NO_LAYOUT_FILE = "no layout.json"


def service_layout(run: RunData, net: Any) -> Layout:
    """DRT areas and fixed lines of a run, as recorded in its ``layout.json`` (see
    :mod:`sim.run.layout_file`; the model is never rebuilt here). A ``lines.csv`` in the run
    directory replaces the lines. A run directory written before ``layout.json`` existed shows the
    stops used by its requests, and ``error`` says to rerun it.
    """
    record = run.layout
    if record is None:
        return Layout([_used_stops(run, net)], None, fixed_lines(run, net), NO_LAYOUT_FILE)
    areas: list[AreaPoints] = []
    hub: tuple[float, float] | None = None
    lines: list[tuple[str, np.ndarray, np.ndarray]] = []
    drt = [d for d in record.get("drt") or [] if isinstance(d, dict)]
    for svc in drt:
        name = str(svc.get("service", ""))
        for area in svc.get("areas") or []:
            label = f"{name} {area.get('name', '')}" if len(drt) > 1 or area.get("name") == "all" else str(area.get("name", ""))
            members = area.get("members")
            if members == "all":
                mask = np.ones(net.n, dtype=bool)
            else:
                mask = np.zeros(net.n, dtype=bool)
                mask[_node_indices(net, members or [])] = True
            areas.append(AreaPoints(label, mask, _node_indices(net, area.get("stops") or []), _latlon(area.get("depot"))))
        hub = _latlon(svc.get("hub")) or hub
    for line in record.get("lines") or []:
        path = np.array([p for p in line.get("path") or [] if isinstance(p, list) and len(p) == 2], dtype=float).reshape(-1, 2)
        if len(path) >= 2:
            lines.append((str(line.get("service", "")), path[:, 0], path[:, 1]))
    return Layout(areas, hub, fixed_lines(run, net) or lines, "")


def _draw_area(ax: Any, net: Any, area: AreaPoints, colour: str, cache: RunNetworks) -> None:
    """Colour the roads inside an area (both ends members) and mark its stops."""
    if area.members.size:
        paths = area_paths(cache.roads(net), area.members)
        # no data limits: the panel's view is the network's extent (_frame)
        ax.add_collection(line_collection(paths, colors=colour, linewidths=2.2, alpha=0.45, zorder=2), autolim=False)
    if area.stops.size:
        ax.scatter(net.lon[area.stops], net.lat[area.stops], s=2.5, color="#1a1a1a", linewidths=0, zorder=3)


def service_map(study: Study, lang: str, cache: RunNetworks) -> Chart | None:
    """One panel per scenario: roads, DRT areas, stops, hub, depots and fixed lines."""
    scenarios = [s for s in study.scenarios if s.first is not None]
    if not scenarios:
        return None
    from matplotlib.lines import Line2D

    legend_rows = 3
    grid = _panels(len(scenarios), legend_h=0.2 * legend_rows + 0.15)
    fig, axes = grid.fig, grid.axes
    lats, lons = _bounds(study, cache)
    seen: dict[str, Any] = {}
    line_colours = ("#d62728", "#9467bd", "#8c564b", "#17becf", "#e377c2", "#bcbd22", "#2f4b7c", "#7a5195")
    # one colour per area and per line across every panel: the same service looks the same everywhere
    area_colour: dict[str, str] = {}
    line_colour: dict[str, str] = {}
    marked = False
    for ax, s in zip(axes, scenarios):
        run = s.first
        assert run is not None
        net = cache.get(run)
        ax.set_title(mpl_text(s.name), fontsize=10)
        if net is None:
            ax.text(0.5, 0.5, mpl_text(tr(lang, "map_no_network", error=cache.error(run)[:80])), ha="center", va="center",
                    transform=ax.transAxes, wrap=True, fontsize=8)
            _frame(ax, lats, lons)
            continue
        _draw_roads(ax, net, cache)
        handles: list[Any] = [Line2D([], [], color="#b9b9b9", linewidth=1, label=tr(lang, "legend_roads"))]
        layout = service_layout(run, net)
        stops = 0
        for area in layout.areas:
            colour = area_colour.setdefault(area.label, AREA_COLOURS[len(area_colour) % len(AREA_COLOURS)])
            _draw_area(ax, net, area, colour, cache)
            stops += int(area.stops.size)
            if area.members.size:
                handles.append(Line2D([], [], color=colour, linewidth=4, alpha=0.6,
                                      label=mpl_text(tr(lang, "legend_area", name=area.label))))
            if area.depot is not None:
                ax.scatter([area.depot[1]], [area.depot[0]], marker="s", s=40, color="#333333", edgecolors="white", zorder=5)
        if stops:
            handles.append(Line2D([], [], marker="o", markersize=3, linestyle="", color="#1a1a1a",
                                  label=tr(lang, "legend_stops")))
        if any(a.depot is not None for a in layout.areas):
            handles.append(Line2D([], [], marker="s", linestyle="", color="#333333", label=tr(lang, "legend_depot")))
        if layout.hub is not None:
            ax.scatter([layout.hub[1]], [layout.hub[0]], marker="*", s=170, color="#ffd21f", edgecolors="#333333",
                       linewidths=0.8, zorder=6)
            handles.append(Line2D([], [], marker="*", markersize=10, linestyle="", color="#ffd21f", markeredgecolor="#333333",
                                  label=tr(lang, "legend_hub")))
        for name, la, lo in layout.lines:
            colour = line_colour.setdefault(name, line_colours[len(line_colour) % len(line_colours)])
            ax.plot(lo, la, color=colour, linewidth=2.0, zorder=4, solid_capstyle="round")
            ax.scatter([lo[0], lo[-1]], [la[0], la[-1]], s=14, color=colour, zorder=4)
            handles.append(Line2D([], [], color=colour, linewidth=2.0, label=mpl_text(tr(lang, "legend_line", name=name))))
        if layout.error:
            note = tr(lang, "map_no_layout_file") if layout.error == NO_LAYOUT_FILE else tr(lang, "map_no_layout", error=layout.error)
            ax.text(0.01, 0.01, mpl_text(note), transform=ax.transAxes,
                    fontsize=6.5, color="#a00000")
        _frame(ax, lats, lons)
        marked = draw_landmarks(ax, lang) or marked
        for h in handles:
            seen.setdefault(h.get_label(), h)
    if seen:
        ncols = max(1, math.ceil(len(seen) / legend_rows))
        fig.legend(list(seen.values()), list(seen.keys()), loc="upper center", bbox_to_anchor=(0.5, grid.legend_y),
                   ncols=ncols, fontsize=7.5, frameon=False, columnspacing=1.2, handlelength=1.6)
    _footer(fig, provenance_text(scenarios[0].first, lang, short=True))
    caption = tr(lang, "map_service_caption") + (" " + tr(lang, "map_landmarks_note") if marked else "")
    return Chart("map_service", tr(lang, "map_service"), caption, fig)


# --------------------------------------------------------------------------- demand


def _origins(run: RunData) -> tuple[np.ndarray, np.ndarray]:
    d = run.demand
    if d.empty or not {"origin_lat", "origin_lon"} <= set(d.columns):
        return np.array([], dtype=float), np.array([], dtype=float)
    lat = pd.to_numeric(d["origin_lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(d["origin_lon"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    return lat[ok], lon[ok]


def _same_demand(runs: list[RunData]) -> bool:
    first = _origins(runs[0])
    return all(np.array_equal(first[0], _origins(r)[0]) and np.array_equal(first[1], _origins(r)[1]) for r in runs[1:])


def demand_density(study: Study, lang: str, cache: RunNetworks) -> Chart | None:
    """Hexbin density of trip origins on the roads; one panel, or one per scenario if demand differs."""
    runs = [s.first for s in study.scenarios if s.first is not None and _origins(s.first)[0].size]
    if not runs:
        return None
    shared = _same_demand(runs)
    panels: list[tuple[str, RunData]] = [("", runs[0])] if shared else [(r.name, r) for r in runs]
    grid = _panels(len(panels), colorbar=True)
    fig, axes = grid.fig, grid.axes
    lats, lons = _bounds(study, cache)
    gridsize = 28
    hb = None
    vmax = max(1, max(_max_hex(r, gridsize, lats, lons) for _, r in panels))
    for ax, (title, run) in zip(axes, panels):
        net = cache.get(run)
        if net is not None:
            _draw_roads(ax, net, cache)
        lat, lon = _origins(run)
        extent = (float(lons.min()), float(lons.max()), float(lats.min()), float(lats.max())) if lats.size else None
        hb = ax.hexbin(lon, lat, gridsize=gridsize, extent=extent, mincnt=1, cmap="YlOrRd", alpha=0.85, zorder=2,
                       linewidths=0.2, edgecolors="white", vmin=1, vmax=vmax)
        if title:
            ax.set_title(mpl_text(title), fontsize=10)
        _frame(ax, lats, lons)
    if hb is not None:
        _colorbar(fig, hb, axes, tr(lang, "map_density_cbar"))
    _footer(fig, provenance_text(runs[0], lang, short=True))
    return Chart("map_trip_starts", tr(lang, "map_density"), tr(lang, "map_density_caption"), fig)


def _max_hex(run: RunData, gridsize: int, lats: np.ndarray, lons: np.ndarray) -> int:
    lat, lon = _origins(run)
    if not lat.size or not lats.size:
        return 1
    nx = gridsize
    ny = max(1, int(gridsize / math.sqrt(3)))
    h, _, _ = np.histogram2d(lon, lat, bins=[nx, ny], range=[[lons.min(), lons.max()], [lats.min(), lats.max()]])
    return int(h.max())


# --------------------------------------------------------------------------- towns


def town_outcomes(run: RunData) -> pd.DataFrame:
    """Requests by origin zone: columns ``zone, requests, served, rejected, lat, lon`` (mean origin)."""
    req = run.requests
    if req.empty or not {"origin_zone", "outcome"} <= set(req.columns):
        return pd.DataFrame(columns=["zone", "requests", "served", "rejected", "lat", "lon"])
    df = req[["request_id", "origin_zone", "outcome"]].copy() if "request_id" in req.columns else req[["origin_zone", "outcome"]].copy()
    df["served"] = (df["outcome"].astype(str) == "served").astype(int)
    dem = run.demand
    if "request_id" in df.columns and not dem.empty and {"request_id", "origin_lat", "origin_lon"} <= set(dem.columns):
        df = df.merge(dem[["request_id", "origin_lat", "origin_lon"]], on="request_id", how="left")
    else:
        df["origin_lat"] = np.nan
        df["origin_lon"] = np.nan
    g = df.groupby(df["origin_zone"].astype(str), sort=False)
    out = pd.DataFrame({
        "zone": list(g.groups.keys()),
        "requests": g.size().to_numpy(),
        "served": g["served"].sum().to_numpy(),
        "lat": g["origin_lat"].mean().to_numpy(),
        "lon": g["origin_lon"].mean().to_numpy(),
    })
    out["rejected"] = out["requests"] - out["served"]
    return out.sort_values(["rejected", "requests", "zone"], ascending=[False, False, True]).reset_index(drop=True)


def towns_map(study: Study, lang: str, cache: RunNetworks) -> Chart | None:
    """One panel per scenario: a circle per origin town (area = requests, colour = share served)."""
    scenarios = [s for s in study.scenarios if s.first is not None and not town_outcomes(s.first).empty]
    if not scenarios:
        return None
    grid = _panels(len(scenarios), colorbar=True)
    fig, axes = grid.fig, grid.axes
    lats, lons = _bounds(study, cache)
    names = place_names(lang)
    sc = None
    marked = False
    biggest = max(int(town_outcomes(s.first).requests.max()) for s in scenarios if s.first is not None)
    for ax, s in zip(axes, scenarios):
        run = s.first
        assert run is not None
        net = cache.get(run)
        if net is not None:
            _draw_roads(ax, net, cache)
        towns = town_outcomes(run).dropna(subset=["lat", "lon"])
        share = towns["served"] / towns["requests"]
        size = 12 + 260 * towns["requests"] / max(1, biggest)
        sc = ax.scatter(towns["lon"], towns["lat"], s=size, c=share, cmap="RdYlGn", vmin=0, vmax=1,
                        edgecolors="#333333", linewidths=0.5, alpha=0.9, zorder=3)
        for _, row in towns[towns["rejected"] > 0].head(4).iterrows():
            ax.annotate(mpl_text(zone_label(str(row["zone"]), names)), (row["lon"], row["lat"]), xytext=(4, 4),
                        textcoords="offset points", fontsize=6.5, zorder=4,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
        ax.set_title(mpl_text(s.name), fontsize=10)
        _frame(ax, lats, lons)
        marked = draw_landmarks(ax, lang) or marked
    if sc is not None:
        cbar = _colorbar(fig, sc, axes, tr(lang, "map_towns_cbar"))
        cbar.ax.yaxis.set_major_formatter(_percent())
    first = scenarios[0].first
    _footer(fig, provenance_text(first, lang, short=True))
    caption = tr(lang, "map_towns_caption") + (" " + tr(lang, "map_landmarks_note") if marked else "")
    return Chart("map_towns", tr(lang, "map_towns"), caption, fig)


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0)


MAPS = (service_map, demand_density, towns_map)


def all_maps(study: Study, lang: str, cache: RunNetworks | None = None) -> list[Chart]:
    """Every map that the study has data for."""
    cache = cache or RunNetworks()
    out = []
    for make in MAPS:
        chart = make(study, lang, cache)
        if chart is not None:
            out.append(chart)
    return out


def scenario_towns(s: ScenarioResult) -> pd.DataFrame:
    """Town outcomes of a scenario's first run (empty without runs)."""
    return town_outcomes(s.first) if s.first is not None else town_outcomes_empty()


def town_outcomes_empty() -> pd.DataFrame:
    """An empty town table."""
    return pd.DataFrame(columns=["zone", "requests", "served", "rejected", "lat", "lon"])
