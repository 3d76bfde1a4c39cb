"""The road layer of the report's maps, computed once per network and drawn as one collection.

A report draws the roads of a network in up to a dozen panels (service, trip starts, towns and
coverage maps, one panel per scenario, in every language); walking the networkx graph for each
panel cost ≈ 0.03 CPU-s a panel on the 800-node Sodegaura network. :func:`road_geometry` walks it
once and keeps the segments as arrays (degrees) and as matplotlib paths, shared by every panel's
:class:`~matplotlib.collections.LineCollection` (building 3,000 paths per panel was most of the
rest); the segments, their order and their values are those the per-panel walk gave, so the
maps' pixels are unchanged (``tests/report/test_roads.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class RoadGeometry:
    """Road segments of one network, in degrees.

    ``roads`` holds each road once (one direction of a two-way pair), shape ``(k, 2, 2)`` as
    ``[[lon_u, lat_u], [lon_v, lat_v]]``; ``edge_u``/``edge_v`` are the internal node indices of
    every directed edge in the graph's order and ``edges`` their segments, shape ``(m, 2, 2)``
    (for colouring the roads inside an area); ``road_paths`` and ``edge_paths`` are the same
    segments as :class:`matplotlib.path.Path` objects.
    """

    roads: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edges: np.ndarray
    road_paths: tuple[Any, ...]
    edge_paths: tuple[Any, ...]


def road_geometry(net: Any) -> RoadGeometry:
    """The :class:`RoadGeometry` of ``net`` (a :class:`~sim.network.graph.RoadNetwork`)."""
    from matplotlib.path import Path

    g = net.graph
    us: list[int] = []
    vs: list[int] = []
    edges: list[tuple[tuple[float, float], tuple[float, float]]] = []
    roads: list[tuple[tuple[float, float], tuple[float, float]]] = []
    seen: set[tuple[Any, Any]] = set()
    index: dict[Any, int] = {}
    for u, v in g.edges():
        a, b = g.nodes[u], g.nodes[v]
        seg = ((a["x"], a["y"]), (b["x"], b["y"]))
        edges.append(seg)
        for node in (u, v):
            if node not in index:
                index[node] = int(net.index_of(node))
        us.append(index[u])
        vs.append(index[v])
        key = (u, v) if str(u) <= str(v) else (v, u)
        if key not in seen:
            seen.add(key)
            roads.append(seg)
    road_array = np.array(roads, dtype=float).reshape(-1, 2, 2)
    edge_array = np.array(edges, dtype=float).reshape(-1, 2, 2)
    return RoadGeometry(
        roads=road_array,
        edge_u=np.array(us, dtype=np.int64),
        edge_v=np.array(vs, dtype=np.int64),
        edges=edge_array,
        road_paths=tuple(Path(seg) for seg in road_array),  # as LineCollection.set_segments makes them
        edge_paths=tuple(Path(seg) for seg in edge_array),
    )


def line_collection(paths: Any, **style: Any) -> Any:
    """A :class:`~matplotlib.collections.LineCollection` of ready-made ``paths`` (shared, not copied):
    the collection ``LineCollection(segments, **style)`` would be, without building the paths again."""
    from matplotlib.collections import LineCollection

    collection = LineCollection([], **style)
    collection.get_paths().extend(paths)
    return collection


def draw_roads(ax: Any, geometry: RoadGeometry) -> None:
    """Every road of the network as one grey :class:`~matplotlib.collections.LineCollection`.

    The data limits are not updated (``autolim=False``, which saves measuring 3,000 paths a panel):
    the maps set their view to the network's extent themselves.
    """
    ax.add_collection(line_collection(geometry.road_paths, colors="#b9b9b9", linewidths=0.45, zorder=1), autolim=False)


def area_paths(geometry: RoadGeometry, members: np.ndarray) -> list[Any]:
    """Paths of the directed edges with both ends in ``members`` (a boolean mask over node
    indices), in the graph's order."""
    inside = np.flatnonzero(members[geometry.edge_u] & members[geometry.edge_v])
    return [geometry.edge_paths[i] for i in inside.tolist()]
