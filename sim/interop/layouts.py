"""The planned services of a scenario without simulating it, and their shapes in WGS84.

:func:`plan_scenario` lays out every enabled service the way a run does (lines with their
planned timetable and blocks, DRT services with their areas and stops), for exports that need
the plan but not a simulated day. :func:`area_polygon` draws a DRT area as the union of discs of
``buffer_m`` metres around its member road nodes (the simulator knows areas as sets of nodes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.model.drt.layout import DrtLayout, build_layout
from sim.model.lines.timetable import LineLayout, build_line, resolve_stop
from sim.network.graph import RoadNetwork
from sim.scenario.schema import DrtService, FixedLine, Scenario

#: Radius (m) of the disc around each member node when an area is drawn as a polygon.
#: ASSUMPTION: about half the Sodegaura network's typical node spacing, so neighbouring nodes'
#: discs merge into one area.
AREA_BUFFER_M = 250.0


@dataclass(slots=True)
class Plan:
    """A scenario laid out on its network: line and DRT layouts by service name."""

    scenario: Scenario
    network: RoadNetwork
    lines: dict[str, LineLayout]
    drt: dict[str, DrtLayout]


def plan_scenario(scenario: Scenario, base_dir: Path, *, source: str, net: RoadNetwork | None = None) -> Plan:
    """Lay out the enabled services of ``scenario`` (no simulation)."""
    from sim.run.runner import NetworkCache, prepare_zones, seed_streams

    network = net or NetworkCache().get(scenario.network.source, base_dir)
    demand_rng, _ = seed_streams(scenario.seed)
    zones = prepare_zones(scenario, network, demand_rng)
    hubs = [resolve_stop(network, h, where=f"choice.hubs[{k}]", source=source) for k, h in enumerate(scenario.choice.hubs)]
    lines: dict[str, LineLayout] = {}
    drt: dict[str, DrtLayout] = {}
    for name, svc in scenario.services.items():
        if not svc.enabled:
            continue
        vt = scenario.vehicles[svc.vehicle]
        if isinstance(svc, FixedLine):
            if svc.gtfs is not None:
                from sim.interop.gtfs_import import expand_gtfs_line

                svc, _ = expand_gtfs_line(name, svc, network, base_dir, source=source)
            oracle = network.oracle(speed_cap_kmh=vt.speed_cap_kmh)
            lines[name] = build_line(name, svc, network, oracle.time_s, vt.stop_dwell_s, source=source)
        elif isinstance(svc, DrtService):
            drt[name] = build_layout(name, svc, network, zones, source=source, extra_stops=hubs)
    return Plan(scenario, network, lines, drt)


def to_wgs84(net: RoadNetwork, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Projected metres of ``net`` back to (lon, lat) degrees."""
    from pyproj import Transformer

    back = Transformer.from_crs(net._epsg, 4326, always_xy=True)  # noqa: SLF001 - the network's own zone
    lon, lat = back.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon), np.asarray(lat)


def area_polygon(net: RoadNetwork, members: np.ndarray, buffer_m: float = AREA_BUFFER_M):
    """A shapely (Multi)Polygon in lon/lat around the member nodes of an area."""
    import shapely

    idx = np.flatnonzero(members)
    pts = shapely.points(net.x[idx], net.y[idx])
    shape = shapely.union_all(shapely.buffer(pts, buffer_m, quad_segs=4)).simplify(buffer_m / 10.0)

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(net, xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.set_precision(shapely.transform(shape, project), 1e-6)
