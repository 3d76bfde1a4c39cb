"""Shared fixtures for the dispatcher and engine tests: tiny hand-checkable networks and DRT runs.

Every network here has explicit edge ``length`` attributes and a ``maxspeed`` so travel times are
exact: ``time_s = length_m / (speed_kmh / 3.6)``; at the default 36 km/h (10 m/s) a 1000 m edge
takes exactly 100 s (``1000 / (36 / 3.6) == 100.0`` in floating point).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import networkx as nx
import numpy as np
import simpy

from sim.model.choice import Weights
from sim.demand.generate import Request
from sim.model.drt.dispatch import Dwell
from sim.model.drt.layout import AreaLayout, DrtLayout
from sim.model.drt.simulation import DrtParams, DrtSimulation, WalkParams
from sim.model.engine import Planner, simulate
from sim.model.eventlog import EventLog
from sim.model.incidents import NO_INCIDENTS, IncidentProcess
from sim.model.traffic import TravelTimes
from sim.network.graph import RoadNetwork

LAT0 = 35.0
LON0 = 139.9
#: metres per degree of latitude (spherical approximation, only used to place nodes)
M_PER_DEG_LAT = 111_320.0


def _lon_step(spacing_m: float, lat: float = LAT0) -> float:
    """Degrees of longitude that span about ``spacing_m`` metres at latitude ``lat``."""
    return spacing_m / (M_PER_DEG_LAT * math.cos(math.radians(lat)))


def _add_two_way(g: nx.MultiDiGraph, u: int, v: int, length_m: float, speed_kmh: float) -> None:
    for a, b in ((u, v), (v, u)):
        g.add_edge(a, b, length=float(length_m), highway="residential", maxspeed=f"{speed_kmh:g}")


def line_network(n_nodes: int = 6, spacing_m: float = 1000.0, speed_kmh: float = 36.0) -> RoadNetwork:
    """A straight two-way road ``0 - 1 - ... - n_nodes-1`` along latitude 35.0.

    Consecutive nodes are about ``spacing_m`` apart (longitude step) and the edge ``length`` is
    exactly ``spacing_m``; the internal index of node ``k`` is ``k``. At the defaults every edge
    takes exactly 100 s, so ``time(a, b) = 100 * |a - b|`` seconds and ``dist = 1000 * |a - b|`` m.
    """
    g = nx.MultiDiGraph(crs="epsg:4326")
    step = _lon_step(spacing_m)
    for k in range(n_nodes):
        g.add_node(k, x=LON0 + k * step, y=LAT0)
    for k in range(n_nodes - 1):
        _add_two_way(g, k, k + 1, spacing_m, speed_kmh)
    return RoadNetwork.from_graph(g, name=f"line{n_nodes}", synthetic=True, provenance="test line")


def grid_network(
    nx_nodes: int = 4,
    ny_nodes: int = 4,
    spacing_m: float = 500.0,
    speed_kmh: float = 36.0,
    *,
    speeds_kmh: Sequence[float] | None = None,
    rng: np.random.Generator | None = None,
) -> RoadNetwork:
    """A two-way ``nx_nodes`` x ``ny_nodes`` grid; node ``r * nx_nodes + c`` is at row ``r``, column ``c``.

    Edges are exactly ``spacing_m`` long. With ``speeds_kmh`` and ``rng`` each street (both
    directions) gets a speed drawn from ``speeds_kmh``; otherwise all run at ``speed_kmh``.
    """
    g = nx.MultiDiGraph(crs="epsg:4326")
    dlon = _lon_step(spacing_m)
    dlat = spacing_m / M_PER_DEG_LAT
    for r in range(ny_nodes):
        for c in range(nx_nodes):
            g.add_node(r * nx_nodes + c, x=LON0 + c * dlon, y=LAT0 + r * dlat)

    def speed() -> float:
        if speeds_kmh is not None and rng is not None:
            return float(speeds_kmh[int(rng.integers(len(speeds_kmh)))])
        return speed_kmh

    for r in range(ny_nodes):
        for c in range(nx_nodes):
            k = r * nx_nodes + c
            if c + 1 < nx_nodes:
                _add_two_way(g, k, k + 1, spacing_m, speed())
            if r + 1 < ny_nodes:
                _add_two_way(g, k, k + nx_nodes, spacing_m, speed())
    return RoadNetwork.from_graph(g, name=f"grid{nx_nodes}x{ny_nodes}", synthetic=True, provenance="test grid")


def area(name: str, nodes: Sequence[int], n: int, depot: int, fleet_size: int) -> AreaLayout:
    """A door-to-door service area over ``nodes`` (every member node is a stop)."""
    members = np.zeros(n, dtype=bool)
    members[list(nodes)] = True
    return AreaLayout(name, members, np.flatnonzero(members), depot, fleet_size)


def single_area_layout(
    n: int, *, depot: int = 0, fleet_size: int = 1, start_s: float = 0.0, end_s: float = 3600.0, name: str = "drt"
) -> DrtLayout:
    """One door-to-door area covering all ``n`` nodes, no hub."""
    a = AreaLayout("all", np.ones(n, dtype=bool), np.arange(n, dtype=np.int64), depot, fleet_size)
    return DrtLayout(name=name, areas=(a,), hub=None, start_s=start_s, end_s=end_s, door_to_door=True)


def two_area_layout(
    n: int,
    nodes_a: Sequence[int],
    nodes_b: Sequence[int],
    *,
    hub: int,
    depot_a: int,
    depot_b: int,
    fleet_a: int = 1,
    fleet_b: int = 1,
    start_s: float = 0.0,
    end_s: float = 3600.0,
    name: str = "drt",
) -> DrtLayout:
    """Two door-to-door areas joined at ``hub`` (a node of both; ``area_of(hub)`` is area A)."""
    return DrtLayout(
        name=name,
        areas=(area("A", nodes_a, n, depot_a, fleet_a), area("B", nodes_b, n, depot_b, fleet_b)),
        hub=hub,
        start_s=start_s,
        end_s=end_s,
        door_to_door=True,
    )


def drt_params(
    *,
    max_wait_s: float = 1800.0,
    max_ride_factor: float = 2.0,
    max_ride_extra_s: float = 0.0,
    min_transfer_s: float = 120.0,
    stop_s: float = 60.0,
    board_s_per_pax: float = 0.0,
    capacity: int = 4,
    fare_within_yen: float = 300.0,
    fare_between_yen: float = 500.0,
    automation: str = "human",
) -> DrtParams:
    """DRT operating rules with test defaults (seconds, yen)."""
    return DrtParams(
        max_wait_s=max_wait_s,
        max_ride_factor=max_ride_factor,
        max_ride_extra_s=max_ride_extra_s,
        min_transfer_s=min_transfer_s,
        dwell=Dwell(stop_s, board_s_per_pax),
        capacity=capacity,
        vehicle_type="van",
        automation=automation,
        fare_within_yen=fare_within_yen,
        fare_between_yen=fare_between_yen,
    )


#: Walking: 1.25 m/s, detour factor 1.3, up to 10 km (riders on a node walk 0 m).
WALK = WalkParams(speed_mps=1.25, detour_factor=1.3, max_walk_m=10_000.0)


def request(
    net: RoadNetwork,
    rid: str,
    t: float,
    o: int,
    d: int,
    *,
    earliest: float | None = None,
    party: int = 1,
) -> Request:
    """A request made at ``t`` from node ``o`` to node ``d``, the rider standing exactly on the nodes."""
    return Request(
        request_id=rid,
        request_time_s=float(t),
        earliest_pickup_s=float(t if earliest is None else earliest),
        origin_node=int(o),
        dest_node=int(d),
        party_size=int(party),
        origin_lat=float(net.lat[o]),
        origin_lon=float(net.lon[o]),
        dest_lat=float(net.lat[d]),
        dest_lon=float(net.lon[d]),
    )


def no_incidents(vehicle_id: int) -> IncidentProcess:
    """The incident process of a human-driven vehicle: never any incident."""
    return IncidentProcess(NO_INCIDENTS, None)


def run_drt(
    net: RoadNetwork,
    layout: DrtLayout,
    requests: Sequence[Request],
    params: DrtParams | None = None,
    *,
    walk: WalkParams = WALK,
    speed_cap_kmh: float | None = None,
    incidents: Callable[[int], IncidentProcess] = no_incidents,
    rng: np.random.Generator | None = None,
    travel: TravelTimes | None = None,
    drive_rng: Callable[[int], np.random.Generator] | None = None,
) -> EventLog:
    """Simulate ``requests`` (sorted here by request time) with one DRT service as the only option.

    The planner has no lines and no hubs of its own, so every request is offered exactly the DRT
    quote (or rejected with its reason); the DRT layout's own hub handles area-to-area trips.
    ``rng`` draws the riders' cancellations and no-shows (needed when ``params`` has any);
    ``travel`` and ``drive_rng`` make travel times vary (see :mod:`sim.model.traffic`).
    """
    params = params or drt_params()
    env = simpy.Environment()
    log = EventLog()
    planner = Planner(
        env=env,
        net=net,
        log=log,
        walk=walk,
        weights=Weights(1.0, 1.0, 0.0, 0.0, 0.0, walk.speed_mps),
        hubs=[],
        min_transfer_s=params.min_transfer_s,
    )
    sim = DrtSimulation(
        name=layout.name,
        layout=layout,
        params=params,
        walk=walk,
        net=net,
        oracle=net.oracle(speed_cap_kmh=speed_cap_kmh),
        env=env,
        log=log,
        first_vehicle_id=0,
        incidents=incidents,
        on_leg_done=planner.on_drt_leg,
        leg_ids=planner.leg_ids,
        on_dropped=planner.on_drt_dropped,
        rng=rng,
        forecast=[(r.earliest_pickup_s, r.origin_node) for r in requests],  # as simulate_day does
        travel=travel,
        drive_rng=drive_rng,
    )
    planner.add_drt(sim)
    simulate(sorted(requests, key=lambda r: r.request_time_s), planner, env)
    return log
