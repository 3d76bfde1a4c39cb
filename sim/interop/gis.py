"""GIS layers of a run: ``geo/results.gpkg`` (GeoPackage, WGS84 / EPSG:4326) for QGIS.

Layers and their attributes (:data:`LAYERS`; units in the names: ``_m`` metres, ``_min``
minutes, ``_kmh`` km/h). Node ids are those of the network file, as in the CSVs.

* ``network`` (LineString): every directed road edge used by the simulation, straight from node
  to node.
* ``stops`` (Point): line stops in order and DRT virtual stops.
* ``lines`` (LineString): each line direction along the roads its vehicles drive between the stops.
* ``drt_areas`` (MultiPolygon): each DRT area, drawn :data:`sim.interop.layouts.AREA_BUFFER_M`
  around its road nodes.
* ``depots_hubs`` (Point): depots of lines and DRT areas, transfer hubs.
* ``towns`` (Point): per-town KPIs over the requests starting in the town (``requests.csv``
  ``origin_zone``; attractors such as stations count as towns of their own): ``served``, ``refused`` (a service was there but had no vehicle, seat or
  connection: reasons ``no_feasible_vehicle``, ``no_feasible_transfer_connection``,
  ``party_larger_than_vehicle``), ``unmet`` (no service could take it: every other reason),
  ``wait_mean_min`` (served requests), ``coverage`` = 1 − unmet / requests.
* ``od_flows`` (LineString): served requests between towns by ``mode`` (``requests.csv`` ``mode``),
  with ``requests`` and ``persons`` (party sizes).
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from sim.interop.layouts import FinishedRun
from sim.model.eventlog import Outcome, RejectReason

#: Reasons counted as ``refused`` (service present, capacity short); every other rejection is ``unmet``.
REFUSED_REASONS = frozenset(
    {RejectReason.NO_VEHICLE.value, RejectReason.NO_TRANSFER.value, RejectReason.TOO_LARGE.value}
)

#: Layer name -> attribute columns (the geometry column is ``geometry``).
LAYERS: dict[str, tuple[str, ...]] = {
    "network": ("from_node", "to_node", "length_m", "speed_kmh", "highway"),
    "stops": ("service", "kind", "area", "direction", "position", "node_id", "name"),
    "lines": ("service", "direction", "stops", "trips", "first_departure", "last_departure", "vehicles"),
    "drt_areas": ("service", "area", "nodes", "stops", "fleet_size", "start", "end"),
    "depots_hubs": ("service", "kind", "area", "node_id"),
    "towns": ("town", "requests", "served", "refused", "unmet", "wait_mean_min", "coverage"),
    "od_flows": ("origin_town", "dest_town", "mode", "requests", "persons"),
}


def _clock(seconds: float) -> str:
    from sim.timeutil import format_clock

    return format_clock(seconds)


def town_points(result: FinishedRun) -> dict[str, tuple[float, float]]:
    """(lon, lat) of every zone named in the run's requests: census towns at their points,
    attractors (places of the network) and ``node:<id>`` pseudo-zones at their road node."""
    net = result.network
    pts: dict[str, tuple[float, float]] = {}
    names = {r.origin_zone for r in result.log.requests} | {r.dest_zone for r in result.log.requests}
    if result.scenario.demand.zones == "sodegaura" and not result.scenario.demand.csv:
        from sim.demand.zones import load_sodegaura_zones

        for z in load_sodegaura_zones(population_total=result.scenario.demand.population_total):
            pts[z.name] = (z.lon, z.lat)
    for name in names:
        if name not in pts and name in net.places:  # an attractor (station, hospital ...) on the network
            k = net.places[name]
            pts[name] = (float(net.lon[k]), float(net.lat[k]))
        elif name not in pts and name.startswith("node:"):
            raw = name[5:]
            try:
                k = net.index_of(int(raw)) if raw.lstrip("-").isdigit() else net.index_of(raw)
            except Exception:  # noqa: BLE001 - a zone of another network: no point
                continue
            pts[name] = (float(net.lon[k]), float(net.lat[k]))
    return pts


def _road_path(result: FinishedRun, service: str, pattern: tuple[int, ...]) -> list[int]:
    """Nodes along the roads the line's vehicles drive between its stops (their own oracle: speed
    cap and operating domain), or the stops themselves when the run has no model records."""
    from sim.model.day import oracle_of
    from sim.model.services import LineSpec

    day = getattr(result, "day", None)
    spec = next((s for s in getattr(day, "services", ()) if isinstance(s, LineSpec) and s.name == service), None)
    if spec is None:
        return list(pattern)
    oracle = oracle_of(result.network, spec.vehicle)
    path: list[int] = [pattern[0]]
    for a, b in zip(pattern, pattern[1:]):
        if a != b:
            path += oracle.path(a, b)[1:]
    return path


def layer_rows(result: FinishedRun) -> dict[str, tuple[list[dict[str, Any]], list[Any]]]:
    """Attribute rows and shapely geometries of every layer."""
    import shapely

    from sim.interop.layouts import area_polygon
    from sim.model.drt.layout import DrtLayout
    from sim.model.lines.timetable import LineLayout

    net = result.network
    nid = lambda k: net.node_ids[k].item() if hasattr(net.node_ids[k], "item") else net.node_ids[k]  # noqa: E731
    pt = lambda k: (float(net.lon[k]), float(net.lat[k]))  # noqa: E731
    out: dict[str, tuple[list[dict[str, Any]], list[Any]]] = {k: ([], []) for k in LAYERS}

    tail, head = net._tail, net._head  # noqa: SLF001 - the network's own edge arrays
    coords = np.stack([np.column_stack([net.lon[tail], net.lat[tail]]), np.column_stack([net.lon[head], net.lat[head]])], axis=1)
    rows, geoms = out["network"]
    hw = [str(d.get("highway", "")) for _, _, d in net.graph.edges(data=True)]
    geoms.extend(shapely.linestrings(coords))
    for k in range(len(tail)):
        rows.append({"from_node": nid(int(tail[k])), "to_node": nid(int(head[k])), "length_m": float(net._length[k]),  # noqa: SLF001
                     "speed_kmh": float(net._speed[k]), "highway": hw[k]})  # noqa: SLF001

    hubs = set()
    for name, layout in result.layouts.items():
        if isinstance(layout, LineLayout):
            for direction, pattern in enumerate(layout.patterns):
                trips = [t for t in layout.trips if t.direction == direction]
                for pos, node in enumerate(pattern):
                    label = layout.stop_labels[pos] if direction == 0 and pos < len(layout.stop_labels) else ""
                    out["stops"][0].append({"service": name, "kind": "line", "area": "", "direction": direction,
                                            "position": pos, "node_id": nid(node), "name": label})
                    out["stops"][1].append(shapely.Point(pt(node)))
                out["lines"][0].append({
                    "service": name, "direction": direction, "stops": len(pattern), "trips": len(trips),
                    "first_departure": _clock(min(t.depart_s[0] for t in trips)) if trips else "",
                    "last_departure": _clock(max(t.depart_s[0] for t in trips)) if trips else "",
                    "vehicles": layout.fleet_size,
                })
                out["lines"][1].append(shapely.LineString([pt(n) for n in _road_path(result, name, pattern)]))
            out["depots_hubs"][0].append({"service": name, "kind": "depot", "area": "", "node_id": nid(layout.depot)})
            out["depots_hubs"][1].append(shapely.Point(pt(layout.depot)))
        elif isinstance(layout, DrtLayout):
            for area in layout.areas:
                for node in area.stops:
                    out["stops"][0].append({"service": name, "kind": "drt", "area": area.name, "direction": 0,
                                            "position": 0, "node_id": nid(int(node)), "name": ""})
                    out["stops"][1].append(shapely.Point(pt(int(node))))
                out["drt_areas"][0].append({"service": name, "area": area.name, "nodes": int(area.members.sum()),
                                            "stops": len(area.stops), "fleet_size": int(area.fleet_size),
                                            "start": _clock(layout.start_s), "end": _clock(layout.end_s)})
                poly = area_polygon(net, area.members)
                out["drt_areas"][1].append(shapely.MultiPolygon([poly]) if poly.geom_type == "Polygon" else poly)
                out["depots_hubs"][0].append({"service": name, "kind": "depot", "area": area.name, "node_id": nid(area.depot)})
                out["depots_hubs"][1].append(shapely.Point(pt(area.depot)))
            if layout.hub is not None and (name, layout.hub) not in hubs:
                hubs.add((name, layout.hub))
                out["depots_hubs"][0].append({"service": name, "kind": "hub", "area": "", "node_id": nid(layout.hub)})
                out["depots_hubs"][1].append(shapely.Point(pt(layout.hub)))

    towns = town_points(result)
    stats: dict[str, dict[str, Any]] = defaultdict(lambda: {"requests": 0, "served": 0, "refused": 0, "unmet": 0, "waits": []})
    flows: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in result.log.requests:
        s = stats[r.origin_zone]
        s["requests"] += 1
        if r.outcome == Outcome.SERVED:
            s["served"] += 1
            if not math.isnan(r.wait_s):
                s["waits"].append(r.wait_s)
            f = flows[(r.origin_zone, r.dest_zone, r.mode)]
            f[0] += 1
            f[1] += r.party_size
        elif str(r.reason) in REFUSED_REASONS:
            s["refused"] += 1
        else:
            s["unmet"] += 1
    for town in sorted(stats):
        if town not in towns:
            continue
        s = stats[town]
        out["towns"][0].append({
            "town": town, "requests": s["requests"], "served": s["served"], "refused": s["refused"], "unmet": s["unmet"],
            "wait_mean_min": float(np.mean(s["waits"]) / 60.0) if s["waits"] else None,
            "coverage": 1.0 - s["unmet"] / s["requests"],
        })
        out["towns"][1].append(shapely.Point(towns[town]))
    for (o, d, mode), (n, persons) in sorted(flows.items()):
        if o in towns and d in towns:
            out["od_flows"][0].append({"origin_town": o, "dest_town": d, "mode": mode, "requests": n, "persons": persons})
            out["od_flows"][1].append(shapely.LineString([towns[o], towns[d]]))
    return out


def write_gpkg(result: FinishedRun, path: Path) -> dict[str, int]:
    """Write every layer to ``path`` (a GeoPackage, replaced whole); return the feature counts.

    GDAL writes into a private temporary folder; the finished file is then copied beside ``path``
    and renamed (:func:`sim.atomic.atomic_open`), so a reader never sees half a file.
    """
    import tempfile

    import geopandas as gpd
    import pandas as pd
    import pyogrio

    from sim.atomic import atomic_open

    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="sim-gpkg-") as tmpdir:
        tmp = Path(tmpdir) / "results.gpkg"
        # a fresh private file: no need for SQLite to sync every layer to disk
        # and a fixed last_change date, so that the same run gives the same bytes
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_CURRENT_DATE": "2000-01-01T00:00:00Z"})
        for layer, (rows, geoms) in layer_rows(result).items():
            df = pd.DataFrame(rows, columns=list(LAYERS[layer]))
            gdf = gpd.GeoDataFrame(df, geometry=list(geoms) if geoms else gpd.GeoSeries([], crs=4326), crs=4326)
            pyogrio.write_dataframe(gdf, tmp, layer=layer, driver="GPKG", append=bool(counts))
            counts[layer] = len(rows)
        with atomic_open(path, "wb") as fh:
            fh.write(tmp.read_bytes())
    return counts
