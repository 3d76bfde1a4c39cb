"""One scenario run: network + demand + services -> event log -> metrics, staffing and costs.

The scenario becomes model records in :mod:`sim.run.assemble` (the one assembly step); the day
is simulated by :func:`sim.model.day.simulate_day`. The CLI calls :func:`run_scenario` and
:func:`sim.run.results.write_results`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.demand.generate import Request
from sim.demand.zones import Zone, load_attractors
from sim.errors import ScenarioError
from sim.model.day import DaySpec, Layout, simulate_day
from sim.model.coverage import Coverage, CoverageZone, compute_coverage
from sim.model.engine import Planner
from sim.model.eventlog import EventLog
from sim.interop.observed import RidershipRow, load_observed, ridership_of_run
from sim.model.metrics import compute_metrics
from sim.network.graph import RoadNetwork
from sim.run.assemble import (
    NetworkCache,
    assemble,
    build_demand,
    census_zones,
    load_net,
)
from sim.run.behaviour import BehaviouralDay, plan_day
from sim.run.behaviour_outputs import behaviour_metrics
from sim.run.year import YearRun, annual_availability_of_year, run_year, year_table
from sim.scenario.behaviour import BehaviourConfig
from sim.scenario.schema import Scenario
from sim.staffing.costs import Costs, compute_costs
from sim.staffing.duties import Staffing, compute_staffing
from sim.staffing.emissions import compute_emissions
from sim.staffing.funding import Funding, compute_funding
from sim.demand.zones import share_65plus
from sim.timeutil import parse_clock
from sim.tolerance import EPS

__all__ = [
    "NetworkCache",
    "RunResult",
    "build_demand",
    "network_summary",
    "prepare_zones",
    "run_scenario",
    "seed_streams",
]


@dataclass(slots=True)
class RunResult:
    """Everything one run produced."""

    scenario: Scenario
    seed: int
    network: RoadNetwork
    demand: list[Request]
    log: EventLog
    metrics: dict[str, Any]
    layouts: dict[str, Layout] = field(default_factory=dict)
    staffing: Staffing | None = None
    costs: Costs | None = None
    timings_s: dict[str, float] = field(default_factory=dict)
    day: DaySpec | None = None
    behaviour: BehaviouralDay | None = None
    funding: Funding | None = None
    coverage: Coverage | None = None
    year: YearRun | None = None
    ridership: list[RidershipRow] | None = None  # observed counts beside the simulated ones ([ridership])


def seed_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent generators for demand and for the simulation, from one seed.

    Demand depends only on the seed, so scenarios run with the same seed see the same requests
    whatever randomness their services use.
    """
    demand_ss, sim_ss = np.random.SeedSequence(seed).spawn(2)
    return np.random.default_rng(demand_ss), np.random.default_rng(sim_ss)


def prepare_zones(scenario: Scenario, net: RoadNetwork, rng: np.random.Generator) -> list[Zone] | None:
    """Census zones of a Sodegaura scenario (service areas and demand use them), else ``None``
    (pseudo-zones for demand are then drawn inside :func:`build_demand`). ``net`` and ``rng`` are
    unused (kept for callers that pass them)."""
    return census_zones(scenario)


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
    stage: Callable[[str], None] | None = None,
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
    stage
        Called as ``stage(description)`` when a stage after the simulation starts (run-cutting).
    """
    seed = scenario.seed if seed is None else seed
    source = source or f"scenario {scenario.name!r}"
    if scenario.year is not None:
        return _run_year(scenario, base_dir, seed, networks=networks, progress=progress, source=source, stage=stage)
    net = load_net(scenario, base_dir, networks, source=source)
    observed = load_observed(scenario, base_dir, net, source=source)  # checked before the day is simulated
    t_start = time.perf_counter()  # timings exclude loading the network
    c_start = time.process_time()
    demand_rng, _ = seed_streams(seed)
    zones = census_zones(scenario)
    behavioural = scenario.demand.model == "behavioural"
    if behavioural:
        _check_behavioural(scenario, zones, source)
    elif demand is None:
        demand = build_demand(scenario, net, base_dir, demand_rng, zones, source=source)
    t_built = time.perf_counter()
    asm = assemble(scenario, base_dir, net=net, zones=zones, source=source)
    sim_seed = np.random.SeedSequence(seed).spawn(2)[1]
    t_setup = time.perf_counter()
    planned: list[tuple[BehaviouralDay, list[Request]]] = []

    def plan(planner: Planner) -> tuple[list[Request], BehaviouralDay]:
        assert zones is not None
        planned.append(_plan_behaviour(scenario, zones, net, planner, demand_rng, seed))
        return planned[0][1], planned[0][0]

    day = simulate_day(net, demand or [], asm.day, zones=zones, seed=sim_seed, layouts=asm.layouts, progress=progress,
                       plan=plan if behavioural else None)
    log, layouts = day.log, day.layouts
    behaviour = planned[0][0] if planned else None
    if planned:
        # the requests asked of the services: a return trip dropped because its outbound was
        # refused (the tour changed mode) was never asked, so it is not in demand.csv either
        asked = {r.request_id for r in log.requests}
        demand = [q for q in planned[0][1] if q.request_id in asked]
    t_simulated = time.perf_counter()
    metrics = compute_metrics(log, network=network_summary(net))
    metrics = {"scenario": scenario.name, "seed": seed, **metrics}
    coverage = scenario_coverage(scenario, net, zones, layouts)
    if coverage is not None:
        metrics.update(coverage.kpis())
    if behaviour is not None:
        line_trips = sum(len(lay.trips) for lay in layouts.values() if hasattr(lay, "trips"))
        metrics = {**metrics, **behaviour_metrics(behaviour, log, line_trips)}
    domains = domain_summary(net, asm.day, zones)
    if domains:
        metrics["operating_domain"] = domains
    # --- staffing and costs (sim/staffing/duties.py, sim/staffing/costs.py): pure functions of the log ---
    t_metrics = time.perf_counter()
    c_metrics = time.process_time()
    staffing = compute_staffing(log, scenario, progress=stage)
    costs = compute_costs(log, scenario, staffing)
    if "availability" in metrics:  # after the behavioural KPIs, as in the KPI registry
        metrics["annual_service_availability"] = annual_availability(metrics["availability"], staffing.operating_days, scenario)
    funding = compute_funding(log, scenario, staffing, costs)
    emissions = compute_emissions(log, scenario, staffing.operating_days)
    metrics = {**metrics, **_year_kpis(staffing, costs, funding)}
    metrics["co2_t_per_year"] = emissions.co2_t_per_year
    shares = staffing.per_service_kpis()
    zero = dict.fromkeys(next(iter(shares.values()), {}), 0.0)  # trips over several services: staff sit with vehicles
    council = {row.scope: {**_clean_kpis(row.to_metrics()), "co2_t_per_year": emissions.by_service.get(row.scope, 0.0)}
               for row in funding.services}
    for name, entry in metrics.get("per_service", {}).items():
        metrics["per_service"][name] = {**entry, **_clean_kpis(shares.get(name, zero)), **council.get(name, {})}
    metrics = registry_order(metrics)
    # --- end staffing and costs ---
    timings = {
        "demand_s": t_built - t_start,
        "setup_s": t_setup - t_built,
        "simulate_s": t_simulated - t_setup,
        "metrics_s": t_metrics - t_simulated,
        "staffing_costs_s": time.perf_counter() - t_metrics,
        "cpu_s": c_metrics - c_start,  # process time of demand, set-up, simulation and metrics
        "staffing_costs_cpu_s": time.process_time() - c_metrics,
    }
    if asm.from_feeds:  # the run directory's scenario.toml then replays the day without the feed
        scenario = scenario.model_copy(update={"services": {**scenario.services, **asm.from_feeds}})
    if observed is not None:  # the run directory's scenario.toml names the count files wherever it is
        rs = scenario.ridership
        scenario = scenario.model_copy(update={"ridership": rs.model_copy(update={
            "observed": list(observed.files), "feed": str((base_dir / rs.feed).resolve()) if rs.feed else None})})
    result = RunResult(scenario, seed, net, demand or [], log, metrics, layouts, staffing, costs, timings, asm.day, behaviour,
                       funding=funding, coverage=coverage)
    if observed is not None:
        result.ridership = ridership_of_run(observed, result)
    return result


def _year_kpis(staffing: Staffing, costs: Costs, funding: Funding) -> dict[str, Any]:
    """The staffing, headcount, cost and funding keys of ``metrics.json`` (yearly figures)."""
    # headcount beside FTE: people to hire, each role rounded up (as in staffing.json)
    heads = {"drivers_headcount": 0, "staff_headcount": 0}
    for role in staffing.roles:
        heads["staff_headcount"] += math.ceil(role.fte - EPS)
        heads["drivers_headcount"] += math.ceil(role.fte - EPS) if str(role.role) == "driver" else 0
    return {**_clean_kpis(staffing.kpis()), **heads, **_clean_kpis(costs.kpis()), **_clean_kpis(funding.total.to_metrics())}


def _run_year(
    scenario: Scenario, base_dir: Path, seed: int, *, networks: NetworkCache | None,
    progress: Callable[[int, int], None] | None, source: str, stage: Callable[[str], None] | None,
) -> RunResult:
    """A scenario with ``[year]``: each day type run (sim/run/year.py), the year their weighted sum."""
    def run_day(day_sc: Scenario, day_seed: int, name: str) -> RunResult:
        if stage is not None:
            stage(f"day type {name}")
        return run_scenario(day_sc, base_dir, seed=day_seed, networks=networks, progress=progress,
                            source=f"{source} (day type {name!r})", stage=stage)

    yr = run_year(scenario, seed, run_day, source=source)
    ref = yr.reference
    assert isinstance(ref, RunResult)
    funding = compute_funding(ref.log, ref.scenario, yr.staffing, yr.costs)
    metrics = {**ref.metrics, "seed": seed, **_year_kpis(yr.staffing, yr.costs, funding)}
    metrics["co2_t_per_year"] = sum(r.co2_t_per_year for r in yr.rows)
    if "availability" in metrics:
        metrics["annual_service_availability"] = annual_availability_of_year(yr, scenario)
    metrics["year"] = year_table(yr)
    timings: dict[str, float] = {}
    for _, day in yr.days:
        for k, v in day.timings_s.items():  # type: ignore[attr-defined]
            timings[k] = timings.get(k, 0.0) + v
    return RunResult(scenario, seed, ref.network, ref.demand, ref.log, registry_order(metrics), ref.layouts, yr.staffing,
                     yr.costs, timings, ref.day, ref.behaviour, funding=funding, coverage=ref.coverage, year=yr,
                     ridership=ref.ridership)


def scenario_coverage(scenario: Scenario, net: RoadNetwork, zones: list[Zone] | None, layouts: dict[str, Layout]) -> Coverage | None:
    """Population coverage by the scenario's services (census towns only: ``None`` without them)."""
    if not zones:
        return None
    nodes, offsets = net.nearest_many([z.lat for z in zones], [z.lon for z in zones])
    czones = [
        CoverageZone(z.name, z.district, z.lat, z.lon, int(n), float(d), z.population, z.population * share_65plus(z.district))
        for z, n, d in zip(zones, nodes, offsets)
    ]
    window = (parse_clock(scenario.coverage.start), parse_clock(scenario.coverage.end))
    return compute_coverage(czones, net.lengths_matrix(), list(layouts.values()), window_s=window)


def registry_order(metrics: dict[str, Any]) -> dict[str, Any]:
    """``metrics`` with its scalar KPIs in the registry's order (``scenario`` and ``seed`` first, the
    tables — reasons, per service, modes, network — after the scalars)."""
    from sim import kpis as registry

    head = {k: metrics[k] for k in ("scenario", "seed") if k in metrics}
    scalars = {k: metrics[k] for k in registry.names() if k in metrics}
    rest = {k: v for k, v in metrics.items() if k not in head and k not in scalars}
    return {**head, **scalars, **rest}


def _check_behavioural(scenario: Scenario, zones: list[Zone] | None, source: str) -> None:
    d = scenario.demand
    if zones is None:
        raise ScenarioError(f"{source}: key demand.model: 'behavioural' needs demand.zones = 'sodegaura' "
                            f"(census towns), got {d.zones!r}; use demand.model = 'fixed'")
    if d.csv:
        raise ScenarioError(f"{source}: key demand.csv: {d.csv!r} is read only with demand.model = 'fixed'; "
                            "the behavioural model draws its own trips (remove csv or set demand.model = 'fixed')")


def _plan_behaviour(scenario: Scenario, zones: list[Zone], net: RoadNetwork, planner: Planner,
                    rng: np.random.Generator, seed: int) -> tuple[BehaviouralDay, list[Request]]:
    """Population, tours and mode choice of a behavioural scenario (sim/run/behaviour.py)."""
    d = scenario.demand
    cfg = d.behaviour or BehaviourConfig()
    return plan_day(
        cfg=cfg, zones=zones, attractors=load_attractors(weights=d.attractor_weights), net=net, planner=planner,
        walk=planner.walk, weights=planner.weights, jitter_m=d.jitter_m, prebooked_share=d.prebooked_share,
        lead_range_s=(d.prebook_lead_min_min * 60.0, d.prebook_lead_max_min * 60.0), rng=rng, taste_seed=seed,
    )


def annual_availability(avail: dict[str, Any], days: dict[str, float], scenario: Scenario) -> float | None:
    """The year's ``service_availability``: each service's day weighted by its planned vehicle-hours
    and its operating days, a day suspended and cancelled counting as planned but not operated
    (``suspended_days_per_year``); a suspended day run by a driven backup counts as operated. Adds
    ``annual_service_availability`` to each service's entry of ``avail``."""
    planned = operated = 0.0
    for name, entry in avail["per_service"].items():
        svc = scenario.services.get(name)
        run_days = days.get(name, 0.0)
        lost_days = svc.suspended_days_per_year if svc is not None and svc.suspension_fallback == "cancel" else 0.0
        full = run_days + lost_days
        entry["annual_service_availability"] = entry["service_availability"] * run_days / full if full > 0 else None
        planned += entry["planned_vehicle_h"] * full
        operated += entry["planned_vehicle_h"] * run_days * entry["service_availability"]
    return operated / planned if planned > 0 else None


def domain_summary(net: RoadNetwork, day: DaySpec, zones: list[Zone] | None) -> dict[str, dict[str, Any]]:
    """Per vehicle type with an operating domain: its permitted road km (directed), their share of
    the network's, the nodes on a permitted road and the share of the zones' population whose
    nearest node is one of them (``None`` without census zones). Empty without domains."""
    out: dict[str, dict[str, Any]] = {}
    tail, head, length = net.edge_arrays()
    for svc in day.services:
        vt = svc.vehicle
        if vt.domain is None or vt.name in out:
            continue
        keep = net.domain_edges(vt.domain)
        inside = np.zeros(net.n, dtype=bool)
        inside[tail[keep]] = True
        inside[head[keep]] = True
        pop_share = None
        if zones:
            idx, _ = net.nearest_many(np.array([z.lat for z in zones]), np.array([z.lon for z in zones]))
            pop = np.array([z.population for z in zones], dtype=float)
            pop_share = float(pop[inside[idx]].sum() / pop.sum()) if pop.sum() > 0 else None
        out[vt.name] = {
            "road_km": float(length[keep].sum() / 1000.0),
            "network_share": float(length[keep].sum() / length.sum()) if length.sum() > 0 else None,
            "nodes_inside": int(inside.sum()),
            "population_share": pop_share,
        }
    return out


def _clean_kpis(values: dict[str, Any]) -> dict[str, Any]:
    """Staffing/cost KPIs for ``metrics.json``: non-finite floats become ``None``."""
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in values.items()}
