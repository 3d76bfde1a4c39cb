"""One scenario run: network + demand + services -> event log -> metrics.

The only place that wires modules together; the CLI calls :func:`run_scenario` and
:func:`sim.results.write_results`.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import simpy

from sim.demand.generate import DemandSpec, Request, generate_demand, node_zones, read_demand_csv
from sim.model.drt.dispatch import Dwell
from sim.model.drt.layout import build_layout
from sim.model.choice import Weights
from sim.model.drt.rebalance import Rebalancing
from sim.model.traffic import TrafficParams, TravelTimes
from sim.model.drt.simulation import DrtParams, DrtSimulation, WalkParams
from sim.model.engine import Planner, simulate
from sim.model.lines.timetable import build_line, resolve_stop
from sim.model.incidents import IncidentProcess, vehicle_rng
from sim.model.lines.simulation import LineParams, LineSimulation
from sim.errors import NetworkError, ScenarioError
from sim.model.eventlog import EventLog
from sim.model.metrics import compute_metrics
from sim.staffing.costs import Costs, compute_costs
from sim.staffing.duties import Staffing, compute_staffing
from sim.network.graph import RoadNetwork
from sim.network.io import load_network
from sim.scenario.schema import FixedLine, Scenario, VehicleType
from sim.timeutil import parse_clock
from sim.demand.zones import Zone, load_attractors, load_sodegaura_zones


@dataclass(slots=True)
class RunResult:
    """Everything one run produced."""

    scenario: Scenario
    seed: int
    network: RoadNetwork
    demand: list[Request]
    log: EventLog
    metrics: dict[str, Any]
    layouts: dict[str, Any] = field(default_factory=dict)
    staffing: Staffing | None = None
    costs: Costs | None = None
    timings_s: dict[str, float] = field(default_factory=dict)


class NetworkCache:
    """Loads each network source once per process (a comparison reuses it across scenarios)."""

    def __init__(self) -> None:
        self._nets: dict[tuple[str, str], RoadNetwork] = {}

    def get(self, source: str, base_dir: Path) -> RoadNetwork:
        key = (source, str(base_dir))
        if key not in self._nets:
            self._nets[key] = load_network(source, base_dir=base_dir)
        return self._nets[key]


def seed_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent generators for demand and for the simulation, from one seed.

    Demand depends only on the seed, so scenarios run with the same seed see the same requests
    whatever randomness their services use.
    """
    demand_ss, sim_ss = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(demand_ss), np.random.default_rng(sim_ss)


def _zones(scenario: Scenario, net: RoadNetwork, rng: np.random.Generator) -> list[Zone]:
    d = scenario.demand
    if d.zones == "sodegaura":
        return load_sodegaura_zones(population_total=d.population_total)
    return node_zones(net, count=min(d.zone_count, net.n), rng=rng)


def prepare_zones(scenario: Scenario, net: RoadNetwork, rng: np.random.Generator) -> list[Zone] | None:
    """Census zones of a Sodegaura scenario (service areas and demand use them), else ``None``
    (pseudo-zones for demand are then drawn inside :func:`build_demand`)."""
    return _zones(scenario, net, rng) if scenario.demand.zones == "sodegaura" else None


def build_demand(
    scenario: Scenario,
    net: RoadNetwork,
    base_dir: Path,
    rng: np.random.Generator,
    zones: list[Zone] | None,
    *,
    source: str = "scenario",
) -> list[Request]:
    """The requests of a run: read from ``demand.csv`` (relative to ``base_dir``) or generated."""
    d = scenario.demand
    if d.csv:
        path = Path(d.csv)
        if not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            raise ScenarioError(f"{source}: key demand.csv: file {d.csv!r} not found (looked for {path})")
        return read_demand_csv(path, net)
    zone_list = zones if zones is not None else _zones(scenario, net, rng)
    attractors = load_attractors(weights=d.attractor_weights) if d.zones == "sodegaura" else []
    spec = DemandSpec(
        requests_per_day=d.requests_per_day,
        start_s=parse_clock(d.start),
        end_s=parse_clock(d.end),
        hourly_profile=tuple(d.hourly_profile) if d.hourly_profile else None,
        prebooked_share=d.prebooked_share,
        prebook_lead_min_s=d.prebook_lead_min_min * 60.0,
        prebook_lead_max_s=d.prebook_lead_max_min * 60.0,
        party_size_weights=tuple(d.party_size_weights),
        home_share=d.home_share if attractors else 1.0,
        min_trip_m=d.min_trip_m,
        jitter_m=d.jitter_m,
    )
    return generate_demand(net, zone_list, attractors, spec, rng=rng)


def network_summary(net: RoadNetwork) -> dict[str, Any]:
    """Provenance of the network, for every output that uses it."""
    return {
        "name": net.name,
        "synthetic": net.synthetic,
        "provenance": net.provenance,
        "nodes": net.n,
    }


def run_scenario(
    scenario: Scenario,
    base_dir: Path,
    *,
    seed: int | None = None,
    networks: NetworkCache | None = None,
    demand: list[Request] | None = None,
    progress: Callable[[int, int], None] | None = None,
    source: str | None = None,
) -> RunResult:
    """Simulate one service day of ``scenario``.

    Parameters
    ----------
    scenario
        The validated scenario.
    base_dir
        Folder that relative paths in the scenario are resolved against.
    seed
        Overrides ``scenario.seed``.
    networks
        A cache shared across runs of a comparison.
    demand
        Requests to use instead of building them (a comparison passes the same list to all).
    progress
        Called as ``progress(done, total)`` after each request is dispatched.
    source
        The scenario file, named in error messages.
    """
    seed = scenario.seed if seed is None else seed
    source = source or f"scenario {scenario.name!r}"
    try:
        net = (networks or NetworkCache()).get(scenario.network.source, base_dir)
    except NetworkError as exc:
        raise ScenarioError(f"{source}: key network.source: {exc}") from None
    t_start = time.perf_counter()  # timings exclude loading the network
    demand_rng, _sim_rng = seed_streams(seed)
    zones = prepare_zones(scenario, net, demand_rng)
    if demand is None:
        demand = build_demand(scenario, net, base_dir, demand_rng, zones, source=source)
    t_built = time.perf_counter()
    env = simpy.Environment()
    log = EventLog()
    layouts: dict[str, Any] = {}
    next_vehicle = 0
    walk = WalkParams(scenario.walk.speed_mps, scenario.walk.detour_factor, scenario.walk.max_walk_m)
    ch = scenario.choice
    hubs = [resolve_stop(net, h, where=f"choice.hubs[{k}]", source=source) for k, h in enumerate(ch.hubs)]
    planner = Planner(
        env=env,
        net=net,
        log=log,
        walk=walk,
        weights=Weights(ch.walk_weight, ch.wait_weight, ch.transfer_penalty_min * 60.0,
                        ch.timetable_headway_min * 60.0, ch.timetable_buffer_min * 60.0, scenario.walk.speed_mps),
        hubs=hubs,
        min_transfer_s=ch.min_transfer_min * 60.0,
    )
    sim_seed = np.random.SeedSequence(seed).spawn(2)[1]

    def incidents_for(vt: VehicleType, service: str, first_id: int) -> Callable[[int], IncidentProcess]:
        return lambda vid: IncidentProcess(vt, vehicle_rng(sim_seed, service, vid - first_id))

    traffic = TrafficParams(
        {k: tuple(v) for k, v in scenario.traffic.time_factors.items()}, dict(scenario.traffic.cv)
    )

    def travel_for(vt: VehicleType) -> TravelTimes | None:
        return TravelTimes(net, traffic, vt.speed_cap_kmh) if traffic.varies else None

    def drive_rng_for(service: str, first_id: int) -> Callable[[int], np.random.Generator]:
        return lambda vid: vehicle_rng(sim_seed, service + "#drive", vid - first_id)

    for name, svc in scenario.services.items():
        if not svc.enabled:
            continue
        vt = scenario.vehicles[svc.vehicle]
        oracle = net.oracle(speed_cap_kmh=vt.speed_cap_kmh)
        if isinstance(svc, FixedLine):
            line_layout = build_line(name, svc, net, oracle.time_s, vt.stop_dwell_s, source=source)
            layouts[name] = line_layout
            line = LineSimulation(
                name=name,
                layout=line_layout,
                params=LineParams(vt.capacity, vt.stop_dwell_s, vt.board_s_per_pax, svc.vehicle, vt.automation),
                oracle=oracle,
                env=env,
                log=log,
                first_vehicle_id=next_vehicle,
                incidents=incidents_for(vt, name, next_vehicle),
                on_leg_done=planner.on_line_leg,
                travel=travel_for(vt),
                drive_rng=drive_rng_for(name, next_vehicle),
            )
            next_vehicle += line.vehicle_count
            planner.add_line(line)
            continue
        layout = build_layout(name, svc, net, zones, source=source, extra_stops=hubs)
        layouts[name] = layout
        params = DrtParams(
            max_wait_s=svc.max_wait_min * 60.0,
            max_ride_factor=svc.max_ride_factor,
            max_ride_extra_s=svc.max_ride_extra_min * 60.0,
            min_transfer_s=svc.min_transfer_min * 60.0,
            dwell=Dwell(vt.stop_dwell_s, vt.board_s_per_pax),
            capacity=vt.capacity,
            vehicle_type=svc.vehicle,
            automation=vt.automation,
            fare_within_yen=svc.fare_within_area_yen,
            fare_between_yen=svc.fare_between_areas_yen,
            max_candidates=svc.max_candidate_vehicles,
            wait_weight=svc.wait_cost_weight,
            delay_weight=svc.delay_cost_weight,
            ride_weight=svc.ride_cost_weight,
            cancel_share=svc.cancel_share,
            cancel_lead_s=svc.cancel_lead_min * 60.0,
            no_show_share=svc.no_show_share,
            no_show_wait_s=svc.no_show_wait_min * 60.0,
            rebalancing=Rebalancing(svc.rebalancing, svc.rebalancing_zone_m, svc.rebalancing_horizon_min * 60.0),
            keep_promises=svc.keep_promises,
            pickup_window_s=svc.pickup_window_min * 60.0,
            arrival_window_s=svc.arrival_window_min * 60.0,
        )
        sim = DrtSimulation(
            name=name,
            layout=layout,
            params=params,
            walk=walk,
            net=net,
            oracle=oracle,
            env=env,
            log=log,
            first_vehicle_id=next_vehicle,
            incidents=incidents_for(vt, name, next_vehicle),
            on_leg_done=planner.on_drt_leg,
            leg_ids=planner.leg_ids,
            on_dropped=planner.on_drt_dropped,
            rng=rider_rng(sim_seed, name),
            forecast=[(r.earliest_pickup_s, r.origin_node) for r in demand] if svc.rebalancing == "demand" else (),
            travel=travel_for(vt),
            drive_rng=drive_rng_for(name, next_vehicle),
        )
        next_vehicle += len(sim.vehicles)
        planner.add_drt(sim)
    if not any(s.enabled for s in scenario.services.values()):
        raise ScenarioError(f"{source}: no enabled services; add a [services.NAME] table")
    t_setup = time.perf_counter()
    simulate(demand, planner, env, progress=progress)
    t_simulated = time.perf_counter()
    log.requests.sort(key=lambda r: (r.request_time_s, r.request_id))
    metrics = compute_metrics(log, network=network_summary(net))
    metrics = {"scenario": scenario.name, "seed": seed, **metrics}
    # --- staffing and costs (sim/staffing/duties.py, sim/staffing/costs.py): pure functions of the log ---
    t_metrics = time.perf_counter()
    staffing = compute_staffing(log, scenario)
    costs = compute_costs(log, scenario, staffing)
    metrics = {**metrics, **_clean_kpis(staffing.kpis()), **_clean_kpis(costs.kpis())}
    shares = staffing.per_service_kpis()
    zero = dict.fromkeys(next(iter(shares.values()), {}), 0.0)  # trips over several services: staff sit with vehicles
    for name, entry in metrics.get("per_service", {}).items():
        metrics["per_service"][name] = {**entry, **_clean_kpis(shares.get(name, zero))}
    # --- end staffing and costs ---
    timings = {
        "demand_s": t_built - t_start,
        "setup_s": t_setup - t_built,
        "simulate_s": t_simulated - t_setup,
        "metrics_s": t_metrics - t_simulated,
        "staffing_costs_s": time.perf_counter() - t_metrics,
    }
    return RunResult(scenario, seed, net, demand, log, metrics, layouts, staffing, costs, timings)


def rider_rng(sim_seed: np.random.SeedSequence, service: str) -> np.random.Generator:
    """The generator of the riders' cancellations and no-shows on ``service``, independent of
    every vehicle's (a spawn key one longer than theirs, keyed by the service's name)."""
    key = (*sim_seed.spawn_key, zlib.crc32(service.encode("utf-8")), 2**31, 0)
    return np.random.default_rng(np.random.SeedSequence(entropy=sim_seed.entropy, spawn_key=key))


def _clean_kpis(values: dict[str, Any]) -> dict[str, Any]:
    """Staffing/cost KPIs for ``metrics.json``: non-finite floats become ``None``."""
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in values.items()}
