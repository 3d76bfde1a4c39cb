"""Where a DRT rider boards: the stop of a service area nearest to a point, and the walk to it."""

from __future__ import annotations

import math

import numpy as np

from sim.model.drt.layout import DrtLayout
from sim.model.drt.params import WalkParams
from sim.network.graph import RoadNetwork


class StopAccess:
    """The stops of a DRT service's areas, for finding a rider's stop (metres)."""

    def __init__(self, layout: DrtLayout, net: RoadNetwork, walk: WalkParams) -> None:
        self.layout = layout
        self.net = net
        self.walk = walk
        self._stop_xy = [(np.column_stack([net.x[a.stops], net.y[a.stops]]), a.stops) for a in layout.areas]
        self._stop_sets = [set(a.stops.tolist()) for a in layout.areas]

    def access(self, lat: float, lon: float, node: int) -> tuple[int, int, float] | None:
        """(area, stop node, walk metres) for a rider at (lat, lon) snapped to ``node``, or ``None``
        if the node is outside every service area."""
        area = self.layout.area_of(node)
        if area is None:
            return None
        x, y = self.net.project(np.array([lat]), np.array([lon]))
        if self.layout.door_to_door:
            stop = node
        else:
            pts, stops = self._stop_xy[area]
            d2 = (pts[:, 0] - x[0]) ** 2 + (pts[:, 1] - y[0]) ** 2
            stop = int(stops[int(np.argmin(d2))])
        straight = math.hypot(float(self.net.x[stop]) - float(x[0]), float(self.net.y[stop]) - float(y[0]))
        return area, stop, straight * self.walk.detour_factor

    def area_of_stop(self, stop: int) -> int | None:
        """First area whose stops include ``stop`` (the hub is a stop of every area), or ``None``."""
        for k, stops in enumerate(self._stop_sets):
            if stop in stops:
                return k
        return None
