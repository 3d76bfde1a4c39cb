"""The simulation core as a library: plain records in SI units in, an event log out.

Nothing in :mod:`sim.model` reads a file, a scenario or pydantic; everything is seconds, metres,
m/s and yen, places are node indices of a :class:`~sim.network.graph.RoadNetwork`. A day on
in-memory data::

    from sim.model import RoadNetwork, Request, VehicleSpec, LineSpec, DaySpec, simulate_day, compute_metrics

    net = RoadNetwork.from_graph(graph, name="toy")          # a networkx MultiDiGraph
    bus = VehicleSpec("bus", capacity=30, stop_dwell_s=30.0)
    line = LineSpec("l", bus, stops=(0, 5), departures_s=(25200.0,))
    day = simulate_day(net, [Request(...)], DaySpec(services=(line,)))
    compute_metrics(day.log)

The names below are loaded on first use (importing one submodule does not load the rest).
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public names, each loaded from the module that defines it.
__all__ = [
    "DayResult", "DaySpec", "DrtAreaSpec", "DrtServiceSpec", "EventLog", "IncidentSpec", "LineSpec", "Outcome",
    "Rebalancing", "Request", "RoadNetwork", "TrafficParams", "VehicleSpec", "WalkParams", "Weights", "Zone",
    "compute_metrics", "lay_out", "simulate_day",
]

_EXPORTS = {
    "RoadNetwork": "sim.network.graph",
    "Request": "sim.demand.generate",
    "Zone": "sim.demand.zones",
    "VehicleSpec": "sim.model.services",
    "DrtServiceSpec": "sim.model.services",
    "DrtAreaSpec": "sim.model.services",
    "LineSpec": "sim.model.services",
    "IncidentSpec": "sim.model.incidents",
    "WalkParams": "sim.model.drt.params",
    "Rebalancing": "sim.model.drt.rebalance",
    "TrafficParams": "sim.model.traffic",
    "Weights": "sim.model.choice",
    "DaySpec": "sim.model.day",
    "DayResult": "sim.model.day",
    "lay_out": "sim.model.day",
    "simulate_day": "sim.model.day",
    "EventLog": "sim.model.eventlog",
    "Outcome": "sim.model.eventlog",
    "compute_metrics": "sim.model.metrics",
}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
