"""Operating design domain (ODD) of a vehicle type on the road network: the roads it may drive.

A :class:`RoadDomain` permits edges by road class (OSM ``highway`` value: an edge whose
``highway`` lists several classes is permitted only if every one of them is) and/or by an explicit
list of edges (``(u, v)`` node ids of the network file, both directions to be listed), and caps
the speed per road class (m/s). :meth:`RoadNetwork.oracle <sim.network.graph.RoadNetwork.oracle>`
builds a travel-time oracle over the permitted edges only, so an automated vehicle's fastest path
never leaves its domain; a node no permitted path reaches is at an infinite time.

Level 4 services in Japan run on approved routes at low speed (永平寺 12 km/h on a dedicated
path; ひたちBRT ≤ 40 km/h on a 6.1 km dedicated lane; see README "Autonomous operations").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class RoadDomain:
    """The roads a vehicle type may drive and its speed cap per road class.

    Attributes
    ----------
    road_classes : frozenset[str] | None
        Permitted OSM ``highway`` classes (lower case); ``None``: every class.
    edges : frozenset[tuple[int, int]] | None
        Permitted directed edges as ``(tail, head)`` node *indices*; ``None``: no edge list.
        With both ``road_classes`` and ``edges``, an edge is permitted if either permits it.
    class_caps_mps : tuple[tuple[str, float], ...]
        Speed cap in m/s per road class (sorted by class; an edge of several classes takes the lowest).
    """

    road_classes: frozenset[str] | None = None
    edges: frozenset[tuple[int, int]] | None = None
    class_caps_mps: tuple[tuple[str, float], ...] = ()

    @property
    def restricts(self) -> bool:
        """True if some edge may be excluded."""
        return self.road_classes is not None or self.edges is not None

    def edge_mask(self, classes: Sequence[tuple[str, ...]], tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Permitted edges (bool per edge) given each edge's classes and end indices."""
        if not self.restricts:
            return np.ones(len(classes), dtype=bool)
        mask = np.zeros(len(classes), dtype=bool)
        if self.road_classes is not None:
            allowed = self.road_classes
            memo: dict[tuple[str, ...], bool] = {}
            for k, cls in enumerate(classes):
                ok = memo.get(cls)
                if ok is None:
                    memo[cls] = ok = bool(cls) and all(c in allowed for c in cls)
                mask[k] = ok
        if self.edges is not None:
            pairs = self.edges
            mask |= np.fromiter(((int(a), int(b)) in pairs for a, b in zip(tail, head, strict=True)), dtype=bool, count=len(tail))
        return mask

    def edge_caps_mps(self, classes: Sequence[tuple[str, ...]]) -> np.ndarray | None:
        """Per-edge speed cap in m/s (inf where none), or ``None`` without class caps."""
        if not self.class_caps_mps:
            return None
        caps = dict(self.class_caps_mps)
        return np.array([min((caps.get(c, np.inf) for c in cls), default=np.inf) for cls in classes], dtype=float)


def edge_classes(highway: object) -> tuple[str, ...]:
    """The road classes of an edge's OSM ``highway`` value (a string or a list), lower case."""
    values = highway if isinstance(highway, list) else [highway]
    return tuple(str(v).strip().lower() for v in values if v is not None and str(v).strip())
