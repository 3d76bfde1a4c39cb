"""A scenario laid out on its network without simulating it (for ``export gtfs`` and ridership)."""

from __future__ import annotations

from pathlib import Path

from sim.interop.layouts import Plan
from sim.model.drt.layout import DrtLayout
from sim.model.lines.timetable import LineLayout
from sim.network.graph import RoadNetwork
from sim.run.assemble import assemble
from sim.scenario.schema import Scenario


def plan_scenario(scenario: Scenario, base_dir: Path, *, source: str, net: RoadNetwork | None = None) -> Plan:
    """Lay out the enabled services of ``scenario`` through the one assembly step (no simulation).

    ``Plan.scenario`` has its ``gtfs =`` lines replaced by the stops and timetable read from the feed.
    """
    asm = assemble(scenario, base_dir, net=net, source=source)
    if asm.from_feeds:
        scenario = scenario.model_copy(update={"services": {**scenario.services, **asm.from_feeds}})
    return Plan(
        scenario,
        asm.net,
        {n: lay for n, lay in asm.layouts.items() if isinstance(lay, LineLayout)},
        {n: lay for n, lay in asm.layouts.items() if isinstance(lay, DrtLayout)},
    )
