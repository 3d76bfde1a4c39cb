"""Vehicle CO₂ of a scenario (tonnes a year): a pure function of the log and the vehicle types.

CO₂ = Σ over vehicles of km a day × the operating days of its service × ``co2_kg_per_km`` of its
vehicle type (energy per km × the fuel's CO₂ factor, docs/PARAMETERS.md#emissions) ÷ 1,000.
A vehicle type without ``co2_kg_per_km`` (0) counts nothing and the result names it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.eventlog import EventLog

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario


@dataclass(frozen=True, slots=True)
class Emissions:
    """CO₂ in tonnes a year, in total and per service; ``uncounted`` lists vehicle types with no factor."""

    co2_t_per_year: float
    by_service: dict[str, float]
    uncounted: tuple[str, ...]


def compute_emissions(log: EventLog, scenario: Scenario, operating_days: dict[str, float]) -> Emissions:
    """CO₂ of the simulated day's vehicle-km, scaled to a year by each service's operating days."""
    default_days = max(operating_days.values(), default=0.0)
    by: dict[str, float] = defaultdict(float)
    uncounted: set[str] = set()
    for v in log.vehicles:
        vt = scenario.vehicles.get(v.vehicle_type)
        factor = vt.co2_kg_per_km if vt is not None else 0.0
        if factor <= 0 and v.km > 0:
            uncounted.add(v.vehicle_type)
        by[v.service] += v.km * operating_days.get(v.service, default_days) * factor / 1000.0
    return Emissions(sum(by.values()), dict(by), tuple(sorted(uncounted)))


__all__ = ["Emissions", "compute_emissions"]
