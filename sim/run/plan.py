"""A scenario laid out on its network without simulating it (for ``export gtfs``)."""

from __future__ import annotations

from pathlib import Path

from sim.interop.layouts import Plan
from sim.model.drt.layout import DrtLayout, build_layout
from sim.model.lines.timetable import LineLayout, build_line, resolve_stop
from sim.network.graph import RoadNetwork
from sim.run.runner import NetworkCache, prepare_zones, seed_streams
from sim.scenario.schema import DrtService, FixedLine, Scenario


def plan_scenario(scenario: Scenario, base_dir: Path, *, source: str, net: RoadNetwork | None = None) -> Plan:
    """Lay out the enabled services of ``scenario`` (no simulation)."""
    network = net or NetworkCache().get(scenario.network.source, base_dir)
    demand_rng, _ = seed_streams(scenario.seed)
    zones = prepare_zones(scenario, network, demand_rng)
    hubs = [resolve_stop(network, h, where=f"choice.hubs[{k}]", source=source) for k, h in enumerate(scenario.choice.hubs)]
    lines: dict[str, LineLayout] = {}
    drt: dict[str, DrtLayout] = {}
    for name, svc in scenario.services.items():
        if not svc.enabled:
            continue
        vt = scenario.vehicles[svc.vehicle]
        if isinstance(svc, FixedLine):
            if svc.gtfs is not None:
                from sim.interop.gtfs_import import expand_gtfs_line

                svc, _ = expand_gtfs_line(name, svc, network, base_dir, source=source)
            oracle = network.oracle(speed_cap_kmh=vt.speed_cap_kmh)
            lines[name] = build_line(name, svc, network, oracle.time_s, vt.stop_dwell_s, source=source)
        elif isinstance(svc, DrtService):
            drt[name] = build_layout(name, svc, network, zones, source=source, extra_stops=hubs)
    return Plan(scenario, network, lines, drt)
