"""The one assembly step: a validated scenario -> the model's plain records.

Everything that turns configuration into model objects lives here, once: the network (through the
one :class:`~sim.network.cache.NetworkCache`), the census zones of a Sodegaura scenario
(:func:`census_zones`, the only test of ``demand.zones``), places (through
:func:`~sim.network.places.resolve_place`), vehicle types, DRT services and lines with their
timetables, passenger choice and the demand specification. Units are converted here and nowhere
else: scenario minutes (``_min``) to seconds, km/h to m/s, clock strings to seconds since
midnight, incidents per 1000 km to incidents per metre.

``run`` (:mod:`sim.run.runner`), ``validate`` (:mod:`sim.cli.app`) and the run directory's
``layout.json`` (:mod:`sim.run.results`, which the report's maps read) all use :func:`assemble`.
Every error names the scenario file and key.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.demand.generate import (
    DemandSpec,
    Request,
    generate_demand,
    node_zones,
)
from sim.demand.io import read_demand_csv
from sim.demand.zones import Zone, load_attractors, load_sodegaura_zones
from sim.errors import NetworkError, ScenarioError
from sim.model.choice import Weights
from sim.model.day import DaySpec, Layout, lay_out, oracle_of
from sim.model.drt.rebalance import Rebalancing
from sim.model.lines.simulation import battery_need_m
from sim.model.lines.timetable import LineLayout
from sim.model.drt.simulation import WalkParams
from sim.model.energy import BatterySpec
from sim.model.incidents import IncidentSpec, SeverityClass
from sim.model.remote import FieldBase, RemoteOpsSpec, Shift
from sim.model.services import (
    DrtAreaSpec,
    DrtServiceSpec,
    LineSpec,
    ScheduledTrip,
    ServiceSpec,
    VehicleSpec,
)
from sim.model.traffic import TrafficParams
from sim.network.cache import NetworkCache
from sim.network.domain import RoadDomain
from sim.network.graph import RoadNetwork
from sim.network.places import resolve_place
from sim.scenario.schema import DrtService, FixedLine, Scenario, VehicleType
from sim.scenario.staffing import StaffingConfig
from sim.timeutil import parse_clock
from sim.tolerance import EPS

__all__ = [
    "Assembly",
    "NetworkCache",
    "assemble",
    "build_demand",
    "census_zones",
    "day_spec",
    "demand_spec",
    "drt_spec",
    "line_spec",
    "load_net",
    "place",
    "vehicle_spec",
]

MIN_S = 60.0  #: seconds per minute
KMH_MPS = 3.6  #: km/h per m/s


@dataclass(slots=True)
class Assembly:
    """A scenario turned into model objects.

    Attributes
    ----------
    net : RoadNetwork
    zones : list[Zone] | None
        Census zones (a Sodegaura scenario), else ``None``.
    day : DaySpec
        The enabled services in scenario order, walking and choice.
    layouts : dict[str, Layout]
        Every enabled service laid out on ``net``.
    from_feeds : dict[str, FixedLine]
        The lines given as ``gtfs = "feed.zip"`` as they run: stops and timetable read from the
        feed (:func:`sim.interop.gtfs_import.expand_gtfs_line`).
    """

    net: RoadNetwork
    zones: list[Zone] | None
    day: DaySpec
    layouts: dict[str, Layout]
    from_feeds: dict[str, FixedLine] = field(default_factory=dict)


def load_net(scenario: Scenario, base_dir: Path, networks: NetworkCache | None = None, *, source: str) -> RoadNetwork:
    """The scenario's road network (through ``networks``, else loaded now)."""
    try:
        net = (networks or NetworkCache()).get(scenario.network.source, base_dir)
    except NetworkError as exc:
        raise ScenarioError(f"{source}: key network.source: {exc}") from None
    net.set_cache_rows(scenario.network.cache_rows)
    return net


def census_zones(scenario: Scenario) -> list[Zone] | None:
    """The census zones of a scenario with ``demand.zones = "sodegaura"`` (the 72 towns with their
    districts and population), else ``None`` (pseudo-zones are then drawn on the network for demand)."""
    d = scenario.demand
    if d.zones == "sodegaura":
        return load_sodegaura_zones(population_total=d.population_total)
    return None


def place(net: RoadNetwork, text: str, *, where: str, source: str) -> int:
    """Node index of the place ``text`` given at key ``where`` (a place id or name, ``node:<id>`` or ``"lat,lon"``)."""
    try:
        return resolve_place(net, text)
    except NetworkError as exc:
        raise ScenarioError(f"{source}: key {where}: {exc}") from None


def road_domain(name: str, vt: VehicleType, net: RoadNetwork | None, *, source: str) -> RoadDomain | None:
    """The operating design domain of vehicle type ``name`` (``None`` without ``odd_*`` keys);
    ``odd_edges`` need ``net`` to turn node ids into indices."""
    if vt.odd_road_classes is None and vt.odd_edges is None and not vt.odd_speed_cap_kmh:
        return None
    edges: set[tuple[int, int]] | None = None
    if vt.odd_edges is not None:
        if net is None:
            raise ScenarioError(f"{source}: vehicles.{name}.odd_edges: need the network to resolve node ids")
        edges = set()
        for k, text in enumerate(vt.odd_edges):
            u, v = text.split("-")
            try:
                a, b = net.index_of(u), net.index_of(v)
            except NetworkError as exc:
                raise ScenarioError(f"{source}: key vehicles.{name}.odd_edges[{k}] = {text!r}: {exc}") from None
            edges |= {(a, b), (b, a)}
    return RoadDomain(
        road_classes=frozenset(c.strip().lower() for c in vt.odd_road_classes) if vt.odd_road_classes is not None else None,
        edges=frozenset(edges) if edges is not None else None,
        class_caps_mps=tuple(sorted((c.strip().lower(), kmh / KMH_MPS) for c, kmh in vt.odd_speed_cap_kmh.items())),
    )


def vehicle_spec(name: str, vt: VehicleType, net: RoadNetwork | None = None, *, source: str = "scenario") -> VehicleSpec:
    """The model's record of vehicle type ``name`` (km/h -> m/s, minutes -> seconds, per 1000 km -> per metre)."""
    return VehicleSpec(
        name=name,
        capacity=vt.capacity,
        automation=vt.automation,
        speed_cap_mps=vt.speed_cap_kmh / KMH_MPS if vt.speed_cap_kmh is not None else None,
        stop_dwell_s=vt.stop_dwell_s,
        board_s_per_pax=vt.board_s_per_pax,
        incidents=IncidentSpec(
            rate_per_m=vt.incidents_per_1000_km / 1_000_000.0,
            remote_share=vt.incident_remote_share,
            remote_mean_s=vt.incident_remote_min * MIN_S,
            onsite_mean_s=vt.incident_onsite_min * MIN_S,
            classes=tuple(
                SeverityClass(
                    cname, c.per_1000_km / 1_000_000.0, c.median_min * MIN_S, c.sigma, c.distribution, c.field,
                    frozenset(x.strip().lower() for x in c.road_classes) if c.road_classes is not None else None,
                )
                for cname, c in vt.incident_classes.items()
            ),
        ),
        domain=road_domain(name, vt, net, source=source),
        battery=BatterySpec(
            vt.range_km * 1000.0, vt.full_charge_h * 3600.0, vt.range_reserve_km * 1000.0,
            vt.charge_below_share, vt.charge_resume_share,
        )
        if vt.range_km is not None
        else None,
    )


def remote_spec(scenario: Scenario, net: RoadNetwork, *, source: str) -> RemoteOpsSpec | None:
    """The control room of ``[remote_ops]`` (``None`` without the table); the field base resolved."""
    ro = scenario.remote_ops
    if ro is None:
        return None
    if ro.field_staff > 0 and ro.field_base is None and not ro.field_bases:
        raise ScenarioError(
            f"{source}: remote_ops.field_base is missing; field_staff = {ro.field_staff} need a base"
            " (a place: node:<id>, lat,lon or a named place), or set field_staff = 0"
        )
    base = place(net, ro.field_base, where="remote_ops.field_base", source=source) if ro.field_base and not ro.field_bases else None
    shifts = tuple(Shift(parse_clock(s.start), parse_clock(s.end), s.operators) for s in ro.shifts or ())
    operators = ro.operators if ro.operators is not None else max(
        sum(s.operators for s in shifts if s.start_s <= t < s.end_s) for t in {s.start_s for s in shifts})
    bases = tuple(FieldBase(place(net, b.place, where=f"remote_ops.field_bases[{k}].place", source=source), b.staff)
                  for k, b in enumerate(ro.field_bases or ()))
    staff = sum(b.staff for b in bases) if bases else ro.field_staff
    return RemoteOpsSpec(operators, ro.vehicles_per_operator, ro.capacity_gating, staff,
                         bases[0].node if bases else base, shifts, bases)


def drt_spec(
    name: str, svc: DrtService, vehicle: VehicleSpec, net: RoadNetwork, zones: list[Zone] | None, *, source: str,
    staffing: StaffingConfig | None = None,
) -> DrtServiceSpec:
    """The model's record of DRT service ``name``: places resolved, districts checked, minutes -> seconds.

    ``staffing`` gives the working-time rules that planned breaks follow (``plan_breaks``)."""
    staffing = staffing or StaffingConfig()
    key = f"services.{name}"
    hub = place(net, svc.transfer_hub, where=f"{key}.transfer_hub", source=source) if svc.transfer_hub else None
    known = sorted({z.district for z in zones}) if zones else []
    for area_name, area in svc.areas.items():
        if not area.districts:
            continue
        if not zones:
            raise ScenarioError(
                f"{source}: key {key}.areas.{area_name}.districts: districts need zones with districts "
                f"(demand.zones = \"sodegaura\"); this network has none"
            )
        bad = [d for d in area.districts if d not in known]
        if bad:
            raise ScenarioError(
                f"{source}: key {key}.areas.{area_name}.districts: unknown district {bad[0]!r}; valid: {', '.join(known)}"
            )
    areas = tuple(
        DrtAreaSpec(
            name=area_name,
            districts=tuple(area.districts),
            fleet_size=area.fleet_size,
            depot=place(net, area.depot, where=f"{key}.areas.{area_name}.depot", source=source) if area.depot else None,
        )
        for area_name, area in svc.areas.items()
    )
    depot = place(net, svc.depot, where=f"{key}.depot", source=source) if svc.depot else None
    if vehicle.domain is not None and vehicle.domain.restricts:
        oracle = oracle_of(net, vehicle)
        named = [(f"{key}.depot", svc.depot, depot), (f"{key}.transfer_hub", svc.transfer_hub, hub)]
        named += [(f"{key}.areas.{n}.depot", a.depot, d.depot) for (n, a), d in zip(svc.areas.items(), areas, strict=True)]
        named = [(k, t, n) for k, t, n in named if n is not None]
        for (k, text, node), (_, _, other) in itertools.product(named, named):
            if node != other and not (math.isfinite(oracle.time_s(node, other)) and math.isfinite(oracle.time_s(other, node))):
                raise ScenarioError(f"{source}: key {k} = {text!r}: {_outside(vehicle, other)}")
        for k, text, node in named:
            if int(np.isfinite(oracle.times_from(node)).sum()) < 2:
                raise ScenarioError(f"{source}: key {k} = {text!r}: no permitted road leaves it; {_outside(vehicle, None)}")
    return DrtServiceSpec(
        name=name,
        vehicle=vehicle,
        fleet_size=svc.fleet_size,
        start_s=parse_clock(svc.start),
        end_s=parse_clock(svc.end),
        door_to_door=svc.mode == "door",
        stop_spacing_m=svc.stop_spacing_m,
        depot=depot,
        hub=hub,
        areas=areas,
        max_wait_s=svc.max_wait_min * MIN_S,
        max_ride_factor=svc.max_ride_factor,
        max_ride_extra_s=svc.max_ride_extra_min * MIN_S,
        min_transfer_s=svc.min_transfer_min * MIN_S,
        fare_within_yen=svc.fare_within_area_yen,
        fare_between_yen=svc.fare_between_areas_yen,
        max_candidates=svc.max_candidate_vehicles,
        insertion_search=svc.insertion_search,
        wait_weight=svc.wait_cost_weight,
        delay_weight=svc.delay_cost_weight,
        ride_weight=svc.ride_cost_weight,
        keep_promises=svc.keep_promises,
        pickup_window_s=svc.pickup_window_min * MIN_S,
        arrival_window_s=svc.arrival_window_min * MIN_S,
        cancel_share=svc.cancel_share,
        cancel_lead_s=svc.cancel_lead_min * MIN_S,
        no_show_share=svc.no_show_share,
        no_show_wait_s=svc.no_show_wait_min * MIN_S,
        rebalancing=Rebalancing(svc.rebalancing, svc.rebalancing_zone_m, svc.rebalancing_horizon_min * MIN_S),
        plan_breaks=svc.plan_breaks,
        break_s=staffing.min_break_total_min * MIN_S,
        break_interval_s=staffing.max_continuous_driving_h * 3600.0,
        spare_vehicles=svc.spare_vehicles,
    )


def _valid_domain(vehicle: VehicleSpec) -> str:
    d = vehicle.domain
    assert d is not None
    classes = ", ".join(sorted(d.road_classes)) if d.road_classes is not None else "(none)"
    return (
        f"its domain permits road classes {classes}"
        + (f" and {len(d.edges) // 2} listed edges" if d.edges is not None else "")
        + f"; widen vehicles.{vehicle.name}.odd_road_classes / odd_edges or move the place onto a permitted road"
    )


def _outside(vehicle: VehicleSpec, other: int | None) -> str:
    where = f" (node index {other})" if other is not None else ""
    return f"outside the operating domain of vehicle type {vehicle.name!r}{where}; {_valid_domain(vehicle)}"


def first_departures(line: FixedLine) -> tuple[float, ...]:
    """Departure times from the first stop (seconds since midnight), from the headway or the explicit list."""
    if line.departures is not None:
        return tuple(sorted(parse_clock(t) for t in line.departures))
    start, end = parse_clock(line.start), parse_clock(line.end)
    step = float(line.headway_min) * MIN_S  # type: ignore[arg-type]
    count = math.floor((end - start) / step + EPS) + 1
    return tuple(start + k * step for k in range(count))


def stop_time(cell: str) -> tuple[float, float]:
    """A timetable cell, ``"07:03"`` or ``"07:03:00/07:03:30"`` (arrival/departure), in seconds."""
    parts = str(cell).split("/")
    arrive = parse_clock(parts[0])
    return arrive, (parse_clock(parts[1]) if len(parts) > 1 else arrive)


def scheduled_trips(name: str, svc: FixedLine, *, source: str) -> tuple[ScheduledTrip, ...]:
    """The trips of a line's ``timetable`` and ``return_timetable`` (clock strings -> seconds)."""
    out: list[ScheduledTrip] = []
    for direction, key in enumerate(("timetable", "return_timetable")):
        for k, row in enumerate(getattr(svc, key) or []):
            times = [stop_time(c) for c in row]
            flat = [x for a, d in times for x in (a, d)]
            if any(b < a for a, b in itertools.pairwise(flat)):
                raise ScenarioError(
                    f"{source}: key services.{name}.{key}[{k}]: times {row!r} go back in time; each stop's "
                    "arrival/departure must be at or after the one before"
                )
            out.append(ScheduledTrip(direction, tuple(a for a, _ in times), tuple(d for _, d in times)))
    return tuple(out)


def line_spec(name: str, svc: FixedLine, vehicle: VehicleSpec, net: RoadNetwork, *, source: str) -> LineSpec:
    """The model's record of line ``name``: stops and depot resolved, timetable in seconds."""
    key = f"services.{name}"
    stops = tuple(place(net, s, where=f"{key}.stops[{k}]", source=source) for k, s in enumerate(svc.stops))
    depot = place(net, svc.depot, where=f"{key}.depot", source=source) if svc.depot else None
    if svc.timetable is not None:  # a real timetable: times as given, stops may share a node
        trips = scheduled_trips(name, svc, source=source)
        back = (
            tuple(place(net, s, where=f"{key}.return_stops[{k}]", source=source) for k, s in enumerate(svc.return_stops))
            if svc.return_stops is not None else None
        )
        if vehicle.domain is not None and vehicle.domain.restricts:
            oracle = oracle_of(net, vehicle)
            for label, seq in (("stops", stops), ("return_stops", back or tuple(reversed(stops)))):
                for k, (a, b) in enumerate(itertools.pairwise(seq)):
                    if a != b and not math.isfinite(oracle.time_s(a, b)):
                        raise ScenarioError(
                            f"{source}: key {key}.{label}[{k + 1}]: not reachable from the stop before it inside the "
                            f"operating domain of vehicle type {vehicle.name!r}; {_valid_domain(vehicle)}"
                        )
        return LineSpec(
            name=name,
            vehicle=vehicle,
            stops=stops,
            departures_s=tuple(sorted(t.depart_s[0] for t in trips if t.direction == 0)),
            stop_labels=tuple(svc.stops),
            layover_s=svc.layover_min * MIN_S,
            recovery_share=svc.recovery_share,
            depot=depot,
            fare_yen=svc.fare_yen,
            spare_vehicles=svc.spare_vehicles,
            trips=trips,
            return_stops=back,
            max_wait_s=svc.max_wait_min * MIN_S,
            charging_nodes=_charging_nodes(name, svc, stops + (back or ()), net, source=source),
        )
    for a, b in itertools.pairwise(stops):
        if a == b:
            raise ScenarioError(f"{source}: key {key}.stops: two consecutive stops are the same node")
    if vehicle.domain is not None and vehicle.domain.restricts:
        oracle = oracle_of(net, vehicle)
        order = list(range(len(stops))) + ([0] if svc.pattern == "loop" else list(range(len(stops) - 2, -1, -1)))
        if depot is not None:
            for k, a, b in ((0, depot, stops[0]), (0, stops[0], depot), (len(stops) - 1, stops[-1], depot)):
                if not math.isfinite(oracle.time_s(a, b)):
                    raise ScenarioError(
                        f"{source}: key {key}.stops[{k}] = {svc.stops[k]!r}: {_outside(vehicle, None)} (to or from {key}.depot)"
                    )
        for i, j in itertools.pairwise(order):
            if not math.isfinite(oracle.time_s(stops[i], stops[j])):
                raise ScenarioError(
                    f"{source}: key {key}.stops[{j}] = {svc.stops[j]!r}: not reachable from stop {svc.stops[i]!r} "
                    f"inside the operating domain of vehicle type {vehicle.name!r}; {_valid_domain(vehicle)}"
                )
    return LineSpec(
        name=name,
        vehicle=vehicle,
        stops=stops,
        departures_s=first_departures(svc),
        loop=svc.pattern == "loop",
        stop_labels=tuple(svc.stops),
        headway_s=float(svc.headway_min) * MIN_S if svc.headway_min is not None else None,
        layover_s=svc.layover_min * MIN_S,
        recovery_share=svc.recovery_share,
        depot=depot,
        fare_yen=svc.fare_yen,
        spare_vehicles=svc.spare_vehicles,
        max_wait_s=svc.max_wait_min * MIN_S,
        charging_nodes=_charging_nodes(name, svc, stops, net, source=source),
    )


def _charging_nodes(name: str, svc: FixedLine, stops: tuple[int, ...], net: RoadNetwork, *, source: str) -> tuple[int, ...]:
    """The line's stops with a charger (``charging_points``), each one of its stops."""
    out = []
    for k, label in enumerate(svc.charging_points or ()):
        node = place(net, label, where=f"services.{name}.charging_points[{k}]", source=source)
        if node not in stops:
            raise ScenarioError(
                f"{source}: key services.{name}.charging_points[{k}] = {label!r}: not a stop of the line; valid: one of"
                f" its stops ({', '.join(svc.stops)})"
            )
        out.append(node)
    return tuple(out)


def day_spec(scenario: Scenario, net: RoadNetwork, zones: list[Zone] | None, *, source: str) -> DaySpec:
    """The enabled services, walking and passenger choice of ``scenario`` as model records."""
    ch = scenario.choice
    hubs = tuple(place(net, h, where=f"choice.hubs[{k}]", source=source) for k, h in enumerate(ch.hubs))
    vehicles: dict[str, VehicleSpec] = {}
    services: list[ServiceSpec] = []
    for name, svc in scenario.services.items():
        if not svc.enabled:
            continue
        if svc.vehicle not in vehicles:
            vehicles[svc.vehicle] = vehicle_spec(svc.vehicle, scenario.vehicles[svc.vehicle], net, source=source)
        vehicle = vehicles[svc.vehicle]
        if isinstance(svc, FixedLine):
            services.append(line_spec(name, svc, vehicle, net, source=source))
        else:
            services.append(drt_spec(name, svc, vehicle, net, zones, source=source, staffing=scenario.staffing))
    if not services and scenario.demand.model != "behavioural":  # behavioural: everyone travels without
        raise ScenarioError(f"{source}: no enabled services; add a [services.NAME] table")
    walk = scenario.walk
    return DaySpec(
        services=tuple(services),
        walk=WalkParams(walk.speed_mps, walk.detour_factor, walk.max_walk_m),
        weights=Weights(
            ch.walk_weight,
            ch.wait_weight,
            ch.transfer_penalty_min * MIN_S,
            ch.timetable_headway_min * MIN_S,
            ch.timetable_buffer_min * MIN_S,
            walk.speed_mps,
        ),
        hubs=hubs,
        min_transfer_s=ch.min_transfer_min * MIN_S,
        traffic=TrafficParams(
            {road: tuple(v) for road, v in scenario.traffic.time_factors.items()}, dict(scenario.traffic.cv)
        ),
        remote=remote_spec(scenario, net, source=source),
    )


def feed_lines(scenario: Scenario, net: RoadNetwork, base_dir: Path, *, source: str) -> dict[str, FixedLine]:
    """The enabled ``gtfs =`` lines with their stops and timetable read from the feed (relative to
    ``base_dir``), stops snapped to ``net``."""
    from sim.interop.gtfs_import import expand_gtfs_line

    out: dict[str, FixedLine] = {}
    for name, svc in scenario.services.items():
        if svc.enabled and isinstance(svc, FixedLine) and svc.gtfs is not None:
            out[name], _ = expand_gtfs_line(name, svc, net, base_dir, source=source)
    return out


def assemble(
    scenario: Scenario,
    base_dir: Path,
    *,
    networks: NetworkCache | None = None,
    net: RoadNetwork | None = None,
    zones: list[Zone] | None = None,
    source: str | None = None,
) -> Assembly:
    """Network, census zones, model records and layouts of ``scenario`` (relative paths against ``base_dir``).

    ``net`` and ``zones``, when given, are the scenario's network and census zones already loaded.
    """
    source = source or f"scenario {scenario.name!r}"
    if net is None:
        net = load_net(scenario, base_dir, networks, source=source)
    if zones is None:
        zones = census_zones(scenario)
    from_feeds = feed_lines(scenario, net, base_dir, source=source)
    if from_feeds:
        scenario = scenario.model_copy(update={"services": {**scenario.services, **from_feeds}})
    day = day_spec(scenario, net, zones, source=source)
    try:
        layouts = lay_out(day, net, zones)
    except ValueError as exc:  # checked above with the key; kept for a clear message if the model refuses
        raise ScenarioError(f"{source}: {exc}") from None
    for svc in day.services:
        battery, layout = svc.vehicle.battery, layouts[svc.name]
        if battery is not None and isinstance(layout, LineLayout):
            need = battery_need_m(layout, oracle_of(net, svc.vehicle), battery.reserve_m)
            if need > battery.range_m:
                raise ScenarioError(
                    f"{source}: key vehicles.{svc.vehicle.name}.range_km = {battery.range_m / 1000:g}: line {svc.name!r} has a"
                    f" trip needing {need / 1000:.1f} km from the depot and back (with range_reserve_km); give a range of"
                    " at least that, or shorten the line"
                )
    return Assembly(net, zones, day, layouts, from_feeds)


def demand_spec(scenario: Scenario, *, with_attractors: bool = True) -> DemandSpec:
    """The demand generator's parameters (minutes -> seconds, clock strings -> seconds since midnight)."""
    d = scenario.demand
    return DemandSpec(
        requests_per_day=d.requests_per_day,
        start_s=parse_clock(d.start),
        end_s=parse_clock(d.end),
        hourly_profile=tuple(d.hourly_profile) if d.hourly_profile else None,
        prebooked_share=d.prebooked_share,
        prebook_lead_min_s=d.prebook_lead_min_min * MIN_S,
        prebook_lead_max_s=d.prebook_lead_max_min * MIN_S,
        party_size_weights=tuple(d.party_size_weights),
        home_share=d.home_share if with_attractors else 1.0,
        min_trip_m=d.min_trip_m,
        jitter_m=d.jitter_m,
    )


def demand_csv_path(scenario: Scenario, base_dir: Path, *, source: str) -> Path | None:
    """The demand CSV a scenario replays (``demand.csv`` relative to ``base_dir``), or ``None`` if demand is generated."""
    d = scenario.demand
    if not d.csv:
        return None
    path = Path(d.csv)
    if not path.is_absolute():
        path = base_dir / path
    if path.is_dir():
        raise ScenarioError(f"{source}: key demand.csv: {d.csv!r} is a directory ({path}); give a CSV file")
    if not path.is_file():
        raise ScenarioError(f"{source}: key demand.csv: file {d.csv!r} not found (looked for {path})")
    return path


def build_demand(
    scenario: Scenario,
    net: RoadNetwork,
    base_dir: Path,
    rng: np.random.Generator,
    zones: list[Zone] | None,
    *,
    source: str = "scenario",
) -> list[Request]:
    """The requests of a run: read from ``demand.csv`` or generated from ``zones`` (the census zones;
    ``None``: ``demand.zone_count`` random nodes drawn from ``rng``) and, with census zones, the key places."""
    path = demand_csv_path(scenario, base_dir, source=source)
    if path is not None:
        return read_demand_csv(path, net, encoding=scenario.demand.csv_encoding)
    d = scenario.demand
    census = zones if zones is not None else census_zones(scenario)
    zone_list = census if census is not None else node_zones(net, count=min(d.zone_count, net.n), rng=rng)
    attractors = load_attractors(weights=d.attractor_weights) if census is not None else []
    return generate_demand(net, zone_list, attractors, demand_spec(scenario, with_attractors=bool(attractors)), rng=rng)
