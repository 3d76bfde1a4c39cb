"""``layout.json`` of a run directory: where the services ran, for the report's maps.

The report never rebuilds the model: what its service map draws is recorded here when the run
is written. Nodes are given by their id in the network file (``node``) with WGS84 degrees
(``lat``, ``lon``); a line's ``path`` is its route along the fastest roads for its vehicle, as
``[lat, lon]`` pairs. Format (``format`` = 1)::

    {"format": 1, "network": {"source", "name"},
     "hubs": [place],                                # choice.hubs (transfers between services)
     "drt": [{"service", "vehicle", "start_s", "end_s", "door_to_door", "hub": place | null,
              "areas": [{"name", "fleet_size", "depot": place, "stops": [node id],
                         "members": [node id] | "all"}]}],
     "lines": [{"service", "vehicle", "loop", "depot": place,
                "stops": [place + "label"], "path": [[lat, lon]]}]}

where ``place`` is ``{"node", "lat", "lon"}``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from sim.model.day import DaySpec, Layout, oracle_of
from sim.model.drt.layout import DrtLayout
from sim.model.lines.timetable import LineLayout
from sim.model.services import LineSpec
from sim.network.graph import RoadNetwork

#: File name in a run directory.
LAYOUT_FILE = "layout.json"
#: Version of the format above.
LAYOUT_FORMAT = 1


def _node_id(net: RoadNetwork, index: int) -> Any:
    value = net.node_ids[index]
    return value.item() if hasattr(value, "item") else value


def _place(net: RoadNetwork, index: int) -> dict[str, Any]:
    return {"node": _node_id(net, index), "lat": round(float(net.lat[index]), 7), "lon": round(float(net.lon[index]), 7)}


def _drt(net: RoadNetwork, layout: DrtLayout, vehicle: str) -> dict[str, Any]:
    areas = []
    for area in layout.areas:
        members: Any = "all" if bool(np.all(area.members)) else [_node_id(net, int(i)) for i in np.flatnonzero(area.members)]
        areas.append({
            "name": area.name,
            "fleet_size": area.fleet_size,
            "depot": _place(net, area.depot),
            "stops": [_node_id(net, int(i)) for i in area.stops],
            "members": members,
        })
    return {
        "service": layout.name,
        "vehicle": vehicle,
        "start_s": layout.start_s,
        "end_s": layout.end_s,
        "door_to_door": layout.door_to_door,
        "hub": _place(net, layout.hub) if layout.hub is not None else None,
        "areas": areas,
    }


def _line(net: RoadNetwork, layout: LineLayout, spec: LineSpec) -> dict[str, Any]:
    oracle = oracle_of(net, spec.vehicle)
    pattern = layout.patterns[0]  # outbound (or the loop back to the first stop)
    path: list[int] = []
    for a, b in itertools.pairwise(pattern):
        seg = oracle.path(a, b)
        path += seg if not path else seg[1:]
    return {
        "service": layout.name,
        "vehicle": spec.vehicle.name,
        "loop": spec.loop,
        "depot": _place(net, layout.depot),
        "stops": [{**_place(net, n), "label": label} for n, label in zip(layout.stop_nodes, layout.stop_labels)],
        "path": [[round(float(net.lat[i]), 7), round(float(net.lon[i]), 7)] for i in (path or list(pattern))],
    }


def layout_record(net: RoadNetwork, day: DaySpec, layouts: dict[str, Layout], *, source: str) -> dict[str, Any]:
    """The ``layout.json`` content of a run on ``net`` (``source``: the scenario's ``network.source``)."""
    drt: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for spec in day.services:
        layout = layouts[spec.name]
        if isinstance(layout, LineLayout):
            assert isinstance(spec, LineSpec)
            lines.append(_line(net, layout, spec))
        else:
            drt.append(_drt(net, layout, spec.vehicle.name))
    return {
        "format": LAYOUT_FORMAT,
        "network": {"source": source, "name": net.name},
        "hubs": [_place(net, h) for h in day.hubs],
        "drt": drt,
        "lines": lines,
    }
