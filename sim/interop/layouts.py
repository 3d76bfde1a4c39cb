"""The planned services of a scenario (:class:`Plan`) and their shapes in WGS84.

:func:`sim.run.plan.plan_scenario` lays out every enabled service the way a run does (lines with
their planned timetable and blocks, DRT services with their areas and stops), for exports that
need the plan but not a simulated day. :func:`area_polygon` draws a DRT area as the union of discs of
``buffer_m`` metres around its member road nodes (the simulator knows areas as sets of nodes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sim.model.drt.layout import DrtLayout
from sim.model.eventlog import EventLog
from sim.model.lines.timetable import LineLayout
from sim.network.graph import RoadNetwork
from sim.scenario.schema import Scenario

#: Radius (m) of the disc around each member node when an area is drawn as a polygon.
#: ASSUMPTION: about half the Sodegaura network's typical node spacing, so neighbouring nodes'
#: discs merge into one area.
AREA_BUFFER_M = 250.0


class FinishedRun(Protocol):
    """What the writers of this layer read of a finished run (``sim.run.runner.RunResult``, which
    sits a floor above and is therefore not imported here)."""

    scenario: Scenario
    seed: int
    network: RoadNetwork
    log: EventLog
    metrics: dict[str, Any]
    layouts: dict[str, Any]
    staffing: Any
    costs: Any


@dataclass(slots=True)
class Plan:
    """A scenario laid out on its network: line and DRT layouts by service name."""

    scenario: Scenario
    network: RoadNetwork
    lines: dict[str, LineLayout]
    drt: dict[str, DrtLayout]


def stop_id(plan: Plan, node: int) -> str:
    """GTFS ``stop_id`` of a road node index (``n<node id>``), shared by every export."""
    return f"n{plan.network.node_ids[node]}"


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
