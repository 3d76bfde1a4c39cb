"""One simulated service day from plain records: the model's entry point as a library.

:func:`lay_out` places every service on the network (DRT areas and stops, line timetables and
blocks); :func:`simulate_day` runs the requests through the services and returns the event log.
Everything is in SI units (s, m, m/s) and node indices; nothing here reads a file or a scenario.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.demand.generate import Request
from sim.demand.zones import Zone
from sim.model.choice import Weights
from sim.model.drt.dispatch import Dwell
from sim.model.drt.layout import DrtLayout, build_layout
from sim.model.drt.simulation import DrtParams, DrtSimulation, WalkParams
from sim.model.energy import BatteryPool
from sim.model.engine import DemandScreen, Planner, simulate
from sim.model.eventlog import EventLog
from sim.model.incidents import IncidentProcess, vehicle_rng
from sim.model.lines.simulation import LineParams, LineSimulation
from sim.model.lines.scheduled import lay_line
from sim.model.lines.timetable import LineLayout
from sim.model.remote import SUPERVISED, RemoteCenter, RemoteOpsSpec
from sim.model.services import DrtServiceSpec, LineSpec, ServiceSpec, VehicleSpec
from sim.model.traffic import TrafficParams, TravelTimes
from sim.network.graph import RoadNetwork
from sim.network.oracle import TravelOracle

Layout = DrtLayout | LineLayout


@dataclass(frozen=True, slots=True)
class DaySpec:
    """What runs on the day.

    Attributes
    ----------
    services : tuple[ServiceSpec, ...]
        The services in order (vehicle ids are numbered in this order).
    walk : WalkParams
        Walking speed (m/s), detour factor and longest walk (m).
    weights : Weights
        Passenger choice weights (seconds).
    hubs : tuple[int, ...]
        Node indices where riders may transfer between services.
    min_transfer_s : float
        Shortest transfer at a hub (seconds).
    traffic : TrafficParams
        Travel-time variation (default none: fixed free-flow times).
    remote : RemoteOpsSpec | None
        The control room supervising ``level4_remote`` vehicles (operator queue, capacity gating,
        field staff; :mod:`sim.model.remote`). ``None``: incidents stop a vehicle for their
        duration only, and nothing limits the vehicles in service.

    The defaults are those of a scenario that leaves ``[walk]`` and ``[choice]`` unset
    (1 m/s, detour factor 1.3, 800 m; walk and wait weighted 2, a transfer 5 min, timetables
    followed from a 12 min headway with a 2 min buffer, 3 min transfers).
    """

    services: tuple[ServiceSpec, ...]
    walk: WalkParams = field(default_factory=lambda: WalkParams(1.0, 1.3, 800.0))
    weights: Weights = field(default_factory=lambda: Weights(2.0, 2.0, 300.0, 720.0, 120.0, 1.0))
    hubs: tuple[int, ...] = ()
    min_transfer_s: float = 180.0
    traffic: TrafficParams = field(default_factory=TrafficParams)
    remote: RemoteOpsSpec | None = None


@dataclass(slots=True)
class DayResult:
    """The event log of a simulated day and the layouts of its services by name."""

    log: EventLog
    layouts: dict[str, Layout]


def oracle_of(net: RoadNetwork, vehicle: VehicleSpec) -> TravelOracle:
    """The travel-time oracle of ``vehicle`` on ``net`` (its speed cap and operating domain applied;
    cached by the network)."""
    if vehicle.domain is not None:
        return net.oracle(speed_cap_mps=vehicle.speed_cap_mps, domain=vehicle.domain)
    return net.oracle(speed_cap_mps=vehicle.speed_cap_mps)


def lay_out(
    day: DaySpec, net: RoadNetwork, zones: Sequence[Zone] | None = None
) -> dict[str, Layout]:
    """The layout of every service of ``day`` on ``net`` by name (``zones``: districts of DRT areas).

    Raises
    ------
    ValueError
        From :func:`~sim.model.drt.layout.build_layout` or :func:`~sim.model.lines.scheduled.lay_line`.
    """
    layouts: dict[str, Layout] = {}
    for svc in day.services:
        if isinstance(svc, LineSpec):
            layouts[svc.name] = lay_line(svc, oracle_of(net, svc.vehicle).time_s)
        else:
            layouts[svc.name] = build_layout(svc, net, zones, extra_stops=day.hubs)
    return layouts


def drt_params(svc: DrtServiceSpec) -> DrtParams:
    """The operating rules the DRT simulation reads, from a service record."""
    vt = svc.vehicle
    return DrtParams(
        max_wait_s=svc.max_wait_s,
        max_ride_factor=svc.max_ride_factor,
        max_ride_extra_s=svc.max_ride_extra_s,
        min_transfer_s=svc.min_transfer_s,
        dwell=Dwell(vt.stop_dwell_s, vt.board_s_per_pax),
        capacity=vt.capacity,
        vehicle_type=vt.name,
        automation=vt.automation,
        fare_within_yen=svc.fare_within_yen,
        fare_between_yen=svc.fare_between_yen,
        max_candidates=svc.max_candidates,
        insertion_search=svc.insertion_search,
        wait_weight=svc.wait_weight,
        delay_weight=svc.delay_weight,
        ride_weight=svc.ride_weight,
        cancel_share=svc.cancel_share,
        cancel_lead_s=svc.cancel_lead_s,
        no_show_share=svc.no_show_share,
        no_show_wait_s=svc.no_show_wait_s,
        rebalancing=svc.rebalancing,
        plan_breaks=svc.plan_breaks,
        break_s=svc.break_s,
        break_interval_s=svc.break_interval_s,
        keep_promises=svc.keep_promises,
        pickup_window_s=svc.pickup_window_s,
        arrival_window_s=svc.arrival_window_s,
    )


def rider_rng(seed: np.random.SeedSequence, service: str) -> np.random.Generator:
    """The generator of the riders' cancellations and no-shows on ``service``, independent of
    every vehicle's (a spawn key one longer than theirs, keyed by the service's name)."""
    key = (*seed.spawn_key, zlib.crc32(service.encode("utf-8")), 2**31, 0)
    return np.random.default_rng(np.random.SeedSequence(entropy=seed.entropy, spawn_key=key))


def simulate_day(
    net: RoadNetwork,
    demand: Sequence[Request],
    day: DaySpec,
    *,
    zones: Sequence[Zone] | None = None,
    seed: np.random.SeedSequence | None = None,
    layouts: dict[str, Layout] | None = None,
    progress: Callable[[int, int], None] | None = None,
    plan: Callable[[Planner], tuple[Sequence[Request], DemandScreen]] | None = None,
) -> DayResult:
    """Simulate one service day of ``day`` on ``net`` for ``demand`` (sorted by request time).

    Parameters
    ----------
    seed
        The simulation's seed sequence; each vehicle's incidents and realised travel times draw
        from its own generators keyed by service name and place in the fleet, the riders'
        cancellations and no-shows from one per service. ``None``: no incidents (and random
        travel times, cancellations or no-shows cannot be drawn).
    layouts
        Layouts from :func:`lay_out` (computed here if not given).
    progress
        Called as ``progress(done, total)`` after each request is dispatched.
    plan
        A demand model that reacts to the services (the behavioural demand): called with the
        planner once every service is built, it returns the requests to simulate (replacing
        ``demand``) and the screen the planner consults on every request and refusal.
    """
    if layouts is None:
        layouts = lay_out(day, net, zones)
    env = simpy.Environment()
    log = EventLog()
    planner = Planner(
        env=env, net=net, log=log, walk=day.walk, weights=day.weights, hubs=list(day.hubs), min_transfer_s=day.min_transfer_s
    )

    def incidents_for(vt: VehicleSpec, service: str, first_id: int) -> Callable[[int], IncidentProcess]:
        if seed is None:
            return lambda vid: vt.incident_process(None)
        return lambda vid: vt.incident_process(vehicle_rng(seed, service, vid - first_id))

    def travel_for(vt: VehicleSpec) -> TravelTimes | None:
        if not day.traffic.varies:
            return None
        return TravelTimes(net, day.traffic, speed_cap_mps=vt.speed_cap_mps, domain=vt.domain)

    def drive_rng_for(service: str, first_id: int) -> Callable[[int], np.random.Generator | None]:
        if seed is None:
            return lambda vid: None
        return lambda vid: vehicle_rng(seed, service + "#drive", vid - first_id)
    center = RemoteCenter(day.remote, env, net.oracle().time_s) if day.remote is not None else None

    def center_for(vt: VehicleSpec) -> RemoteCenter | None:
        return center if vt.automation == SUPERVISED else None

    next_vehicle = 0
    for svc in day.services:
        vt = svc.vehicle
        oracle = oracle_of(net, vt)
        layout = layouts[svc.name]
        if isinstance(svc, LineSpec):
            assert isinstance(layout, LineLayout)
            line = LineSimulation(
                name=svc.name,
                layout=layout,
                params=LineParams(vt.capacity, vt.stop_dwell_s, vt.board_s_per_pax, vt.name, vt.automation, svc.max_wait_s),
                oracle=oracle,
                env=env,
                log=log,
                first_vehicle_id=next_vehicle,
                incidents=incidents_for(vt, svc.name, next_vehicle),
                on_leg_done=planner.on_line_leg,
                on_give_up=planner.on_line_give_up,
                travel=travel_for(vt),
                drive_rng=drive_rng_for(svc.name, next_vehicle),
                center=center_for(vt),
                pool=BatteryPool(svc.name, vt.name, vt.battery, len(layout.blocks), svc.spare_vehicles,
                                 frozenset(svc.charging_nodes)) if vt.battery else None,
                path_edges=net.path_edges,
            )
            next_vehicle += line.vehicle_count
            log.planned_vehicle_s[svc.name] = sum(
                max(t.arrive_s[-1] for t in layout.trips if t.vehicle == b) - min(t.depart_s[0] for t in layout.trips if t.vehicle == b)
                for b in range(len(layout.blocks))
            )
            planner.add_line(line)
            continue
        assert isinstance(layout, DrtLayout)
        sim = DrtSimulation(
            name=svc.name,
            layout=layout,
            params=drt_params(svc),
            walk=day.walk,
            net=net,
            oracle=oracle,
            env=env,
            log=log,
            first_vehicle_id=next_vehicle,
            incidents=incidents_for(vt, svc.name, next_vehicle),
            on_leg_done=planner.on_drt_leg,
            leg_ids=planner.leg_ids,
            on_dropped=planner.on_drt_dropped,
            rng=rider_rng(seed, svc.name) if seed is not None else None,
            # the forecast of demand-weighted rebalancing: the day's requests (a perfect forecast)
            forecast=[(r.earliest_pickup_s, r.origin_node) for r in demand] if svc.rebalancing.strategy == "demand" else (),
            travel=travel_for(vt),
            drive_rng=drive_rng_for(svc.name, next_vehicle),
            center=center_for(vt),
            pool=BatteryPool(svc.name, vt.name, vt.battery, sum(a.fleet_size for a in layout.areas), svc.spare_vehicles)
            if vt.battery
            else None,
        )
        next_vehicle += len(sim.vehicles)
        log.planned_vehicle_s[svc.name] = len(sim.vehicles) * (layout.end_s - layout.start_s)
        planner.add_drt(sim)
    if plan is not None:
        demand, planner.screen = plan(planner)
    simulate(demand, planner, env, progress=progress)
    log.requests.sort(key=lambda r: (r.request_time_s, r.request_id))
    if center is not None:
        log.remote = center.log()
    return DayResult(log, layouts)
