"""Level-of-service skims: what each way of travelling would give a trip, vectorised over trips.

Used by the behavioural demand model to pre-screen mode choice before any vehicle is asked
(only the trips that choose public transport are then booked with the services, which answer with
their real quotes and may refuse). Times in seconds, distances in metres, fares in yen.

* **Road** (:func:`road_skim`): every trip's end points snapped to the nearest nodes; fastest
  driving time and its path length on the network (all-pairs, the network is small).
* **Line** (:func:`line_skim`): exact against the planned timetable, as the engine's own choice
  does (:func:`sim.model.choice.best_line_ride`): every boarding and alighting stop within walking
  distance, the first trip leaving the boarding stop after the walk, boarding when the vehicle
  arrives; the least generalised time over stop pairs. Capacity is not foreseen (a full bus
  refuses at boarding in the simulation).
* **DRT** (:func:`drt_skim`): exact on service area, stops, walk, hours, fares and transfers
  between areas; the wait and ride are estimates (``wait_min`` before boarding and the direct
  drive × ``ride_factor``) because the dispatcher's answer depends on the vehicles' plans at the
  time of booking. The engine then asks the dispatcher for every trip that chose DRT; a trip it
  refuses falls back to its next choice.

Generalised minutes of a public-transport option (the engine's valuation,
:mod:`sim.model.choice`, with the time spent at home before a scheduled departure weighted by
``home_wait_weight``):

    walk_weight × walk + wait_weight × wait at the stop + home_wait_weight × wait at home
    + ride + transfer_penalty × transfers
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from sim.model.choice import Weights, effective_headway_s
from sim.model.drt.simulation import DrtSimulation, WalkParams
from sim.model.lines.timetable import LineLayout
from sim.network.graph import RoadNetwork
from sim.network.oracle import TravelOracle
from sim.tolerance import EPS


class TripEnd:
    """One end of n trips: points (degrees), their projection (metres) and nearest nodes, with
    caches of walks to stops and of DRT access (shared by the outbound and the return)."""

    def __init__(self, net: RoadNetwork, lat: np.ndarray, lon: np.ndarray) -> None:
        self.lat = np.asarray(lat, dtype=float)
        self.lon = np.asarray(lon, dtype=float)
        self.x, self.y = net.project(self.lat, self.lon)
        self.node, _ = net.nearest_many(self.lat, self.lon)
        self._walk: dict[tuple[int, float], np.ndarray] = {}
        self.drt: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def walk_to(self, net: RoadNetwork, node: int, detour: float) -> np.ndarray:
        """Walking metres to ``node``: straight line × ``detour`` (as the engine walks to stops)."""
        key = (int(node), float(detour))
        out = self._walk.get(key)
        if out is None:
            out = self._walk[key] = (
                np.hypot(net.x[node] - self.x, net.y[node] - self.y) * detour
            )
        return out


@dataclass(frozen=True, slots=True)
class TripPoints:
    """n trips from ``o`` to ``d`` leaving at ``t_s`` (seconds since midnight)."""

    o: TripEnd
    d: TripEnd
    t_s: np.ndarray

    @property
    def size(self) -> int:
        return int(self.t_s.size)


@dataclass(frozen=True, slots=True)
class RoadSkim:
    """Per trip: snapped nodes, straight-line metres, fastest driving seconds and path metres."""

    o_node: np.ndarray
    d_node: np.ndarray
    straight_m: np.ndarray
    car_s: np.ndarray
    road_m: np.ndarray


@dataclass(frozen=True, slots=True)
class PtSkim:
    """One public-transport alternative for n trips.

    ``gen_min`` is the generalised time in minutes (formula in the module docstring), ``fare_yen``
    the fare for one rider, ``available`` whether the option exists for the trip; ``covers_place``
    whether both ends are served by it at some hour (for classifying unmet demand).
    """

    name: str
    kind: str
    gen_min: np.ndarray
    fare_yen: np.ndarray
    available: np.ndarray
    covers_place: np.ndarray


@dataclass(frozen=True, slots=True)
class SkimParams:
    """Weights of the generalised time and the DRT estimates."""

    weights: Weights
    walk: WalkParams
    home_wait_weight: float = 0.8
    drt_wait_min: float = 10.0
    drt_ride_factor: float = 1.25
    prebooked_share: float = 0.0
    min_transfer_s: float = 180.0


def road_skim(net: RoadNetwork, pts: TripPoints) -> RoadSkim:
    """Drive times and distances between the snapped end points of every trip."""
    straight = np.hypot(pts.d.x - pts.o.x, pts.d.y - pts.o.y)
    times, dists = _matrices(net.oracle(), net.n)
    o, d = pts.o.node, pts.d.node
    return RoadSkim(o, d, straight, times[o, d], dists[o, d])


def _matrices(oracle: TravelOracle, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All-pairs driving seconds and metres (the oracle's full matrices; the networks this model
    runs on are small: 800 nodes for Sodegaura)."""
    oracle.precompute()
    idx = np.arange(n)
    return np.vstack([oracle.times_from(i) for i in idx]), np.vstack(
        [oracle.dists_from(i) for i in idx]
    )


def _line_best(
    layout: LineLayout,
    board_walk: Callable[[tuple[int, ...]], np.ndarray],
    alight_walk: Callable[[tuple[int, ...]], np.ndarray],
    ready_s: np.ndarray,
    p: SkimParams,
    *,
    at_stop_weight: float,
    home_weight: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least generalised seconds of a ride on ``layout`` per trip, its arrival time, and whether
    a stop pair is within walking distance. ``board_walk(pattern)`` and ``alight_walk(pattern)``
    give walk metres (n, stops) to each stop of a direction (``inf`` where not allowed); riders
    leave at ``ready_s``."""
    w, max_walk = p.weights, p.walk.max_walk_m
    n = ready_s.size
    best = np.full(n, np.inf)
    best_arr = np.full(n, np.nan)
    covers = np.zeros(n, dtype=bool)
    follows = effective_headway_s(layout) >= w.timetable_headway_s
    for direction, pattern in enumerate(layout.patterns):
        trips = sorted(
            (t for t in layout.trips if t.direction == direction),
            key=lambda t: t.depart_s[0],
        )
        if not trips:
            continue
        arrive = np.array(
            [t.arrive_s for t in trips], dtype=float
        )  # (trips, positions)
        depart = np.array([t.depart_s for t in trips], dtype=float)
        walk_o = board_walk(pattern)
        walk_d = alight_walk(pattern)
        for b in range(len(pattern) - 1):
            idx = np.flatnonzero(
                walk_o[:, b] <= max_walk
            )  # only trips near this boarding stop
            if idx.size == 0:
                continue
            order = np.argsort(depart[:, b], kind="stable")
            deps = depart[order, b]
            wb = walk_o[idx, b]
            ready = ready_s[idx] + wb / w.walk_speed_mps
            k = np.searchsorted(
                deps, ready - EPS, side="left"
            )  # as Timetable.next_trip
            has = k < len(deps)
            trip = order[np.minimum(k, len(deps) - 1)]
            board = np.maximum(arrive[trip, b], ready)
            gap = board - ready
            at_stop = np.minimum(gap, w.buffer_s) if follows else gap
            for a in range(b + 1, len(pattern)):
                if pattern[a] == pattern[b]:
                    continue
                wa = walk_d[idx, a]
                ok = wa <= max_walk
                covers[idx] |= ok
                sel = has & ok
                if not sel.any():
                    continue
                ride = arrive[trip, a] - board
                cost = (
                    w.walk * np.where(sel, wb + wa, 0.0) / w.walk_speed_mps
                    + at_stop_weight * at_stop
                    + home_weight * (gap - at_stop)
                    + ride
                )
                better = sel & (cost < best[idx])
                best[idx] = np.where(better, cost, best[idx])
                best_arr[idx] = np.where(better, arrive[trip, a], best_arr[idx])
    return best, best_arr, covers


def _walks(
    net: RoadNetwork, end: TripEnd, detour: float
) -> Callable[[tuple[int, ...]], np.ndarray]:
    return lambda pattern: np.column_stack(
        [end.walk_to(net, node, detour) for node in pattern]
    )


def _at(node: int, n: int) -> Callable[[tuple[int, ...]], np.ndarray]:
    return lambda pattern: np.tile(
        np.where(np.asarray(pattern) == node, 0.0, np.inf), (n, 1)
    )


def line_skim(
    layout: LineLayout,
    net: RoadNetwork,
    pts: TripPoints,
    p: SkimParams,
    kind: str = "line",
) -> PtSkim:
    """The best timetabled ride on one line for every trip (see the module docstring)."""
    det = p.walk.detour_factor
    best, _, covers = _line_best(
        layout,
        _walks(net, pts.o, det),
        _walks(net, pts.d, det),
        pts.t_s,
        p,
        at_stop_weight=p.weights.wait,
        home_weight=p.home_wait_weight,
    )
    avail = np.isfinite(best)
    fare = np.full(pts.size, float(layout.fare_yen))
    return PtSkim(
        layout.name, kind, np.where(avail, best / 60.0, np.nan), fare, avail, covers
    )


def drt_times(svc: DrtSimulation, net: RoadNetwork) -> np.ndarray:
    """All-pairs driving seconds of the service's vehicles (their speed cap)."""
    return _matrices(svc.oracle, net.n)[0]


def _drt_access(
    svc: DrtSimulation, net: RoadNetwork, end: TripEnd
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(area index or −1, stop node or −1, walk metres or inf) per point, as ``svc.access``."""
    cached = end.drt.get(svc.name)
    if cached is not None:
        return cached
    area = np.full(end.node.size, -1)
    for k in range(
        len(svc.layout.areas) - 1, -1, -1
    ):  # the first area containing a node wins
        area[svc.layout.areas[k].members[end.node]] = k
    stop, walk_m = _nearest_stops(svc, net, area, end.node, end.x, end.y)
    end.drt[svc.name] = (area, stop, walk_m)
    return area, stop, walk_m


def _drt_leg(
    svc: DrtSimulation,
    times: np.ndarray,
    stop_a: np.ndarray,
    area_a: np.ndarray,
    stop_b: np.ndarray,
    area_b: np.ndarray,
    p: SkimParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimated ride seconds, whether it changes vehicle at the service's hub, and the fare
    (the dispatcher's rule: one leg within an area or to/from the hub, else two via the hub)."""
    lay, prm = svc.layout, svc.params
    sa, sb = np.maximum(stop_a, 0), np.maximum(stop_b, 0)
    direct = times[sa, sb]
    transfer = np.zeros(sa.size, dtype=bool)
    if lay.hub is not None:
        hub = lay.hub
        transfer = (area_a != area_b) & (stop_a != hub) & (stop_b != hub)
        direct = np.where(
            transfer, times[sa, hub] + times[hub, sb] + prm.min_transfer_s, direct
        )
    fare = np.where(transfer, prm.fare_between_yen, prm.fare_within_yen).astype(float)
    return direct * p.drt_ride_factor, transfer, fare


def _drt_wait(p: SkimParams) -> tuple[float, float]:
    """(gap, part of it at the stop) of a DRT booking, seconds."""
    gap = p.drt_wait_min * 60.0
    return gap, p.prebooked_share * min(gap, p.weights.buffer_s) + (
        1.0 - p.prebooked_share
    ) * gap


def drt_skim(
    svc: DrtSimulation,
    net: RoadNetwork,
    pts: TripPoints,
    p: SkimParams,
    times: np.ndarray | None = None,
) -> PtSkim:
    """The estimated DRT ride of one service for every trip (see the module docstring)."""
    w, walk = p.weights, p.walk
    lay = svc.layout
    times = drt_times(svc, net) if times is None else times
    area_o, stop_o, walk_o = _drt_access(svc, net, pts.o)
    area_d, stop_d, walk_d = _drt_access(svc, net, pts.d)
    inside = (
        (area_o >= 0)
        & (area_d >= 0)
        & (walk_o <= walk.max_walk_m)
        & (walk_d <= walk.max_walk_m)
    )
    inside &= stop_o != stop_d
    earliest = pts.t_s + np.where(inside, walk_o, 0.0) / w.walk_speed_mps
    in_hours = (earliest >= lay.start_s) & (earliest < lay.end_s)
    ride, transfer, fare = _drt_leg(svc, times, stop_o, area_o, stop_d, area_d, p)
    gap, at_stop = _drt_wait(p)
    walked = np.where(inside, walk_o + walk_d, 0.0)
    cost = (
        w.walk * walked / w.walk_speed_mps
        + w.wait * at_stop
        + p.home_wait_weight * (gap - at_stop)
        + ride
        + w.transfer_penalty_s * transfer
    )
    avail = inside & in_hours
    return PtSkim(
        svc.name, "drt", np.where(avail, cost / 60.0, np.nan), fare, avail, inside
    )


def combo_skim(
    svc: DrtSimulation,
    layout: LineLayout,
    hubs: Sequence[int],
    net: RoadNetwork,
    pts: TripPoints,
    p: SkimParams,
    *,
    drt_first: bool,
    times: np.ndarray | None = None,
) -> PtSkim:
    """A DRT ride to a hub then the line (``drt_first``), or the line to a hub then DRT, for every
    trip: the best over ``hubs`` that are both a stop of the line and of the service, valued as
    the engine values its combined options (the wait at the hub counts as ride time, one transfer
    plus any change of DRT vehicle). Named ``"<drt>+<line>"`` or ``"<line>+<drt>"``."""
    w, walk = p.weights, p.walk
    lay = svc.layout
    times = drt_times(svc, net) if times is None else times
    n = pts.size
    best = np.full(n, np.inf)
    best_fare = np.zeros(n)
    covers = np.zeros(n, dtype=bool)
    gap, at_stop = _drt_wait(p)
    det = walk.detour_factor
    line_nodes = {node for pattern in layout.patterns for node in pattern}
    if drt_first:
        area, stop, walk_m = _drt_access(svc, net, pts.o)
        other = _walks(net, pts.d, det)
    else:
        area, stop, walk_m = _drt_access(svc, net, pts.d)
        other = _walks(net, pts.o, det)
    near = (area >= 0) & (walk_m <= walk.max_walk_m)
    walked_drt = np.where(near, walk_m, 0.0)
    for hub in hubs:
        hub_area = svc.area_of_stop(hub)
        if hub_area is None or hub not in line_nodes:
            continue
        ok = near & (stop != hub)
        hub_stop = np.full(n, hub)
        hub_areas = np.full(n, hub_area)
        if drt_first:
            earliest = pts.t_s + walked_drt / w.walk_speed_mps
            ride, transfer, fare = _drt_leg(
                svc, times, stop, area, hub_stop, hub_areas, p
            )
            pickup = earliest + gap
            ready = pickup + ride + p.min_transfer_s
            line_cost, _, cov = _line_best(
                layout,
                _at(hub, n),
                other,
                ready,
                p,
                at_stop_weight=1.0,
                home_weight=1.0,
            )
            cost = (
                w.walk * walked_drt / w.walk_speed_mps
                + w.wait * at_stop
                + p.home_wait_weight * (gap - at_stop)
                + (ready - pickup)
                + line_cost
            )
        else:
            line_cost, arrive, cov = _line_best(
                layout,
                other,
                _at(hub, n),
                pts.t_s,
                p,
                at_stop_weight=w.wait,
                home_weight=p.home_wait_weight,
            )
            earliest = np.nan_to_num(arrive, nan=-1.0) + p.min_transfer_s
            ride, transfer, fare = _drt_leg(
                svc, times, hub_stop, hub_areas, stop, area, p
            )
            cost = (
                line_cost
                + p.min_transfer_s
                + gap
                + ride
                + w.walk * walked_drt / w.walk_speed_mps
            )
        cost = cost + w.transfer_penalty_s * (1 + transfer)
        in_hours = (earliest >= lay.start_s) & (earliest < lay.end_s)
        covers |= ok & cov
        sel = ok & in_hours & np.isfinite(line_cost) & (cost < best)
        best = np.where(sel, cost, best)
        best_fare = np.where(sel, fare + layout.fare_yen, best_fare)
    avail = np.isfinite(best)
    name = f"{svc.name}+{layout.name}" if drt_first else f"{layout.name}+{svc.name}"
    return PtSkim(
        name, "drt+line", np.where(avail, best / 60.0, np.nan), best_fare, avail, covers
    )


def _nearest_stops(
    svc: DrtSimulation,
    net: RoadNetwork,
    area: np.ndarray,
    node: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Stop node and walk metres per point (−1 and inf outside every area), as ``svc.access``."""
    stop = np.full(area.size, -1, dtype=np.int64)
    walk_m = np.full(area.size, np.inf)
    detour = svc.walk.detour_factor
    for k, a in enumerate(svc.layout.areas):
        sel = area == k
        if not sel.any():
            continue
        if svc.layout.door_to_door:
            chosen = node[sel]
        else:
            tree = cKDTree(np.column_stack([net.x[a.stops], net.y[a.stops]]))
            _, idx = tree.query(np.column_stack([x[sel], y[sel]]))
            chosen = a.stops[np.asarray(idx, dtype=np.int64)]
        stop[sel] = chosen
        walk_m[sel] = np.hypot(net.x[chosen] - x[sel], net.y[chosen] - y[sel]) * detour
    return stop, walk_m
