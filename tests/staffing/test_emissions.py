"""Vehicle CO₂: km a day × operating days × kg per km, by hand."""

from __future__ import annotations

import pytest

from sim.model.eventlog import EventLog
from sim.scenario.schema import validate
from sim.staffing.emissions import compute_emissions
from tests.staffing.test_costs import vrec


def test_co2_by_hand() -> None:
    sc = validate({
        "name": "co2",
        "vehicles": {"bus": {"capacity": 10, "co2_kg_per_km": 0.645}, "ev": {"capacity": 8, "co2_kg_per_km": 0.0}},
        "services": {"s": {"vehicle": "bus", "fleet_size": 1}, "e": {"vehicle": "ev", "fleet_size": 1}},
    }, source="t")
    log = EventLog()
    log.vehicles += [vrec(0, service="s", km=100.0), vrec(1, service="s", km=50.0), vrec(2, service="e", vtype="ev", km=80.0)]
    em = compute_emissions(log, sc, {"s": 250.0, "e": 300.0})
    # 150 km a day x 250 days x 0.645 kg = 24,187.5 kg
    assert em.co2_t_per_year == pytest.approx(24.1875)
    assert em.by_service == pytest.approx({"s": 24.1875, "e": 0.0})
    assert em.uncounted == ("ev",)  # no factor given: said, not silently zero
