"""DRT service layout: service areas, virtual stops, depots and the fleet split, from a service record.

Pure code (no simpy). Areas are sets of network nodes: a node belongs to the district of its
nearest zone point (for Sodegaura, the 72 town points, whose districts are approximated from
the nearest community centre, see :mod:`sim.demand.zones`). An area with no districts covers every node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from sim.demand.zones import Zone
from sim.model.services import DrtAreaSpec, DrtServiceSpec
from sim.network.graph import RoadNetwork


@dataclass(frozen=True, slots=True)
class AreaLayout:
    """One service area: its nodes, stops, depot and vehicles.

    Attributes
    ----------
    name : str
    members : np.ndarray
        Boolean mask over network node indices.
    stops : np.ndarray
        Node indices of the area's stops (every member node when door-to-door).
    depot : int
        Node index where the area's vehicles start and end the day.
    fleet_size : int
    """

    name: str
    members: np.ndarray
    stops: np.ndarray
    depot: int
    fleet_size: int


@dataclass(frozen=True, slots=True)
class DrtLayout:
    """A DRT service laid out on a network (times in seconds since midnight)."""

    name: str
    areas: tuple[AreaLayout, ...]
    hub: int | None
    start_s: float
    end_s: float
    door_to_door: bool

    def area_of(self, node: int) -> int | None:
        """Index of the first area containing ``node``, or ``None``."""
        for k, area in enumerate(self.areas):
            if area.members[node]:
                return k
        return None


def node_districts(net: RoadNetwork, zones: Sequence[Zone]) -> np.ndarray:
    """District name of each node: that of the nearest zone point (straight line)."""
    zx, zy = net.project(np.array([z.lat for z in zones]), np.array([z.lon for z in zones]))
    _, idx = cKDTree(np.column_stack([zx, zy])).query(np.column_stack([net.x, net.y]))
    districts = np.array([z.district for z in zones], dtype=object)
    return districts[idx]


def select_stops(net: RoadNetwork, members: np.ndarray, spacing_m: float, forced: Sequence[int] = ()) -> np.ndarray:
    """Virtual stops: ``forced`` nodes first, then member nodes no closer than ``spacing_m`` to a chosen one.

    Greedy in node-index order, so the result is deterministic.
    """
    chosen: list[int] = []
    tree_pts: list[tuple[float, float]] = []
    candidates = [int(n) for n in forced if members[n]] + [int(n) for n in np.flatnonzero(members)]
    seen: set[int] = set()
    grid: dict[tuple[int, int], list[int]] = {}
    cell = spacing_m
    for n in candidates:
        if n in seen:
            continue
        seen.add(n)
        x, y = float(net.x[n]), float(net.y[n])
        cx, cy = int(x // cell), int(y // cell)
        close = False
        for gx in (cx - 1, cx, cx + 1):
            for gy in (cy - 1, cy, cy + 1):
                for m in grid.get((gx, gy), ()):
                    px, py = tree_pts[m]
                    if (px - x) ** 2 + (py - y) ** 2 < spacing_m**2:
                        close = True
                        break
                if close:
                    break
            if close:
                break
        if close and n not in forced:
            continue
        grid.setdefault((cx, cy), []).append(len(tree_pts))
        tree_pts.append((x, y))
        chosen.append(n)
    return np.array(sorted(chosen), dtype=np.int64)


def _split_fleet(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` vehicles by ``weights`` (largest remainder; at least one per area when possible)."""
    k = len(weights)
    if k == 0:
        return []
    w = np.asarray(weights, dtype=float)
    w = w / w.sum() if w.sum() > 0 else np.full(k, 1.0 / k)
    base = np.floor(w * total).astype(int)
    rem = total - int(base.sum())
    order = np.argsort(-(w * total - base), kind="stable")
    for idx in order[:rem]:
        base[idx] += 1
    # give an empty area one vehicle from the largest, if there are enough vehicles
    for idx in range(k):
        if base[idx] == 0 and total >= k:
            donor = int(np.argmax(base))
            base[donor] -= 1
            base[idx] += 1
    return [int(b) for b in base]


def _domain_reach(spec: DrtServiceSpec, net: RoadNetwork, depot: int) -> np.ndarray:
    """Nodes the service's vehicles reach from ``depot`` and back inside their operating domain
    (every node when the vehicle type has none)."""
    vt = spec.vehicle
    if vt.domain is None or not vt.domain.restricts:
        return np.ones(net.n, dtype=bool)
    oracle = net.oracle(speed_cap_mps=vt.speed_cap_mps, domain=vt.domain)
    return np.isfinite(oracle.times_from(depot)) & np.isfinite(oracle.times_to(depot))


def build_layout(
    spec: DrtServiceSpec,
    net: RoadNetwork,
    zones: Sequence[Zone] | None,
    *,
    extra_stops: Sequence[int] = (),
) -> DrtLayout:
    """Lay out DRT service ``spec`` on ``net``; ``zones`` give the districts areas are made of.

    ``extra_stops`` (node indices, e.g. the transfer hubs of passenger choice) become stops of the
    areas that contain them.

    Raises
    ------
    ValueError
        If an area names districts but ``zones`` has none, or a district no zone has.
    """
    districts = node_districts(net, zones) if zones else None
    known = sorted({z.district for z in zones}) if zones else []
    area_items = list(spec.areas) or [DrtAreaSpec("all")]
    hub = spec.hub
    masks: list[np.ndarray] = []
    for area in area_items:
        if not area.districts:
            masks.append(np.ones(net.n, dtype=bool))
            continue
        if districts is None:
            raise ValueError(f"area {area.name!r} of {spec.name!r} names districts, but there are no zones with districts")
        bad = [d for d in area.districts if d not in known]
        if bad:
            raise ValueError(f"area {area.name!r} of {spec.name!r}: unknown district {bad[0]!r}; valid: {', '.join(known)}")
        masks.append(np.isin(districts, list(area.districts)))
    given = [a.fleet_size for a in area_items] if spec.areas else [None]
    if all(g is not None for g in given):
        fleets = [int(g) for g in given]  # type: ignore[arg-type]
    else:
        fleets = _split_fleet(spec.fleet_size, [float(m.sum()) for m in masks])
    areas: list[AreaLayout] = []
    for area, mask, fleet in zip(area_items, masks, fleets):
        depot_node = area.depot if area.depot is not None else spec.depot
        if depot_node is not None:
            depot = int(depot_node)
        else:
            depot = hub if hub is not None else int(np.flatnonzero(mask)[0])
        reach = _domain_reach(spec, net, depot)
        mask = mask & reach
        if hub is not None and not reach[hub]:
            raise ValueError(f"{spec.name!r}: the transfer hub (node {hub}) is outside the operating domain of {spec.vehicle.name!r}")
        forced = [n for n in (hub, depot) if n is not None]
        stops = np.flatnonzero(mask) if spec.door_to_door else select_stops(net, mask, spec.stop_spacing_m, forced)
        # the service's own hub is a stop of every area; the scenario's transfer hubs only of the
        # areas that contain them (a feeder never drives out of its area to reach a hub)
        wanted = {hub} if hub is not None else set()
        wanted |= {int(n) for n in extra_stops if mask[n]}
        missing = sorted(wanted - set(stops.tolist()))
        if missing:
            stops = np.sort(np.append(stops, missing))
        areas.append(AreaLayout(area.name, mask, stops, depot, fleet))
    return DrtLayout(
        name=spec.name,
        areas=tuple(areas),
        hub=hub,
        start_s=spec.start_s,
        end_s=spec.end_s,
        door_to_door=spec.door_to_door,
    )
