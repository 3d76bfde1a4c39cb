"""Annual costs: exact arithmetic on hand-built days, sources and overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.staffing.costs import COST_KPI_KEYS, annualised_vehicle_cost, compute_costs
from sim.model.eventlog import EventLog, Outcome, RejectReason, RequestRecord, VehicleRecord
from sim.scenario.schema import load_scenario, validate
from sim.staffing.duties import compute_staffing
from tests.conftest import read_json

H = 3600.0
NAN = float("nan")


def vrec(vid: int, *, automation: str = "human", vtype: str = "bus", service: str = "s", km: float = 100.0) -> VehicleRecord:
    return VehicleRecord(
        vehicle_id=vid,
        service=service,
        area="A",
        vehicle_type=vtype,
        automation=automation,
        capacity=10,
        depot_node=0,
        shift_start_s=9 * H,
        shift_end_s=17 * H,
        pull_in_s=17 * H,
        hours=8.0,
        km=km,
        empty_km=0.0,
        boardings=0,
        pax_km=0.0,
    )


def served(rid: str, *, fare: float, party: int = 1, service: str = "s") -> RequestRecord:
    return RequestRecord(
        request_id=rid, request_time_s=10 * H, earliest_pickup_s=10 * H, party_size=party, prebooked=False,
        origin_zone="a", dest_zone="b", outcome=Outcome.SERVED, reason=RejectReason.NONE, service=service, legs=1,
        origin_stop=1, dest_stop=2, walk_access_m=0.0, walk_egress_m=0.0, walk_s=0.0, pickup_s=10 * H,
        dropoff_s=10.5 * H, wait_s=0.0, ride_s=1800.0, transfer_wait_s=0.0, direct_s=1800.0, direct_m=10000.0,
        detour=1.0, fare_yen=fare, vehicles="0",
    )


def scenario(**over: Any):  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {
        "name": "cost-test",
        "vehicles": {
            "bus": {
                "capacity": 10,
                "price_yen": 20_000_000,
                "lifetime_years": 10,
                "residual_share": 0.1,
                "energy_yen_per_km": 40,
                "maintenance_yen_per_km": 30,
            },
            "av": {"capacity": 10, "automation": "level4_remote", "price_yen": 100_000_000, "lifetime_years": 8},
        },
        "services": {"s": {"kind": "drt", "vehicle": "bus", "fleet_size": 2}},
        "staffing": {"operating_days_per_year": 250},
    }
    for key, value in over.items():
        data[key] = {**data.get(key, {}), **value}
    return validate(data, source="test")


def test_annualised_vehicle_cost() -> None:
    # straight line: (20.0 M - 10 % residual) / 10 years
    assert annualised_vehicle_cost(20_000_000, residual_share=0.1, lifetime_years=10, interest_rate=0.0) == 1_800_000
    # annuity at 5 % over 10 years, no residual: the textbook capital recovery factor 0.129505
    crf = 0.05 / (1 - 1.05**-10)
    assert annualised_vehicle_cost(10_000_000, residual_share=0.0, lifetime_years=10, interest_rate=0.05) == pytest.approx(10_000_000 * crf)
    assert 10_000_000 * crf == pytest.approx(1_295_045.75, abs=0.01)
    # a residual value is discounted back over the lifetime
    assert annualised_vehicle_cost(10_000_000, residual_share=0.2, lifetime_years=10, interest_rate=0.05) == pytest.approx(
        (10_000_000 - 2_000_000 / 1.05**10) * crf
    )


def test_two_driven_vehicles_cost_exactly() -> None:
    sc = scenario()
    log = EventLog(
        requests=[served("r1", fare=300), served("r2", fare=600, party=2)],
        vehicles=[vrec(0), vrec(1)],
    )
    staffing = compute_staffing(log, sc)
    # each vehicle stands 09:00-17:00: one duty each, 08:45-17:10
    assert [d.binding_s for d in staffing.duties] == [8 * H + 25 * 60] * 2
    fte = 2 * 250 / 260 * 1.15
    assert staffing.role("driver").fte == pytest.approx(fte)
    costs = compute_costs(log, sc, staffing)
    items = {i.term: i.yen_per_year for i in costs.items}
    assert items["staff:driver"] == pytest.approx(fte * 4_530_000 * 1.3)
    assert items["vehicles:bus"] == 2 * 1_800_000
    assert items["energy:s:bus"] == 200 * 250 * 40
    assert items["maintenance:s:bus"] == 200 * 250 * 30
    assert items["fixed:drt_system"] == 3_000_000
    assert "fixed:control_room" not in items and "fixed:av_system" not in items
    total = fte * 4_530_000 * 1.3 + 3_600_000 + 2_000_000 + 1_500_000 + 3_000_000
    k = costs.kpis()
    assert set(k) == set(COST_KPI_KEYS)
    assert k["annual_cost_yen"] == pytest.approx(total)
    assert k["fare_revenue_yen_per_year"] == 900 * 250
    assert k["subsidy_yen_per_year"] == pytest.approx(total - 225_000)
    assert k["trips_per_year"] == 3 * 250
    assert k["cost_per_trip_yen"] == pytest.approx(total / 750)
    assert k["cost_per_vehicle_km_yen"] == pytest.approx(total / (200 * 250))
    assert k["farebox_ratio"] == pytest.approx(225_000 / total)


def test_remote_vehicles_bring_control_room_and_operators() -> None:
    sc = scenario(services={"s": {"kind": "drt", "vehicle": "av", "fleet_size": 4}}, costs={"spare_vehicle_share": 0.25})
    log = EventLog(vehicles=[vrec(i, automation="level4_remote", vtype="av", km=50.0) for i in range(4)])
    staffing = compute_staffing(log, sc)
    k = staffing.kpis()
    assert k["drivers_fte"] == 0.0 and k["class2_drivers_fte"] == 0.0
    # 4 vehicles at 1 : 3 -> 2 operators 09:00-17:00, each 08:50-17:10 (10-min briefing)
    assert [d.binding_s for d in staffing.role("remote_operator").duties] == [8 * H + 20 * 60] * 2
    assert k["remote_operators_fte"] == pytest.approx(2 * 250 / 260 * 1.15)
    # field staff: ceil(4 / 5) = 1
    assert k["field_staff_fte"] == pytest.approx(250 / 260 * 1.15)
    costs = compute_costs(log, sc, staffing)
    items = {i.term: i for i in costs.items}
    assert items["vehicles:av"].yen_per_year == 5 * 100_000_000 / 8  # ceil(4 x 1.25) = 5 vehicles
    assert items["fixed:control_room"].yen_per_year == 10_000_000
    assert items["fixed:av_system"].yen_per_year == 5 * 5_000_000
    assert items["staff:remote_operator"].yen_per_year == pytest.approx(2 * 250 / 260 * 1.15 * 4_530_000 * 1.3)
    assert costs.kpis()["cost_per_trip_yen"] is None  # no trips


def test_sources_cite_parameters_or_the_scenario(tmp_path: Path) -> None:
    sc = scenario(costs={"staff_overhead_share": 0.5})
    log = EventLog(vehicles=[vrec(0)])
    costs = compute_costs(log, sc, compute_staffing(log, sc))
    staff = next(i for i in costs.items if i.term == "staff:driver")
    assert 'docs/PARAMETERS.md#bus-driver-pay "bus driver pay"' in staff.source
    assert "scenario setting costs.staff_overhead_share = 0.5" in staff.source
    assert next(i for i in costs.items if i.term == "fixed:drt_system").source.startswith("ASSUMPTION")


def test_costs_are_overridable_with_set(write_scenario) -> None:  # type: ignore[no-untyped-def]
    path = write_scenario()
    sc, _ = load_scenario(
        path, overrides=["costs.wage_yen_per_year.driver=5000000", "costs.interest_rate=0.02", "staffing.leave_spare_factor=0.2"]
    )
    assert sc.costs.wage_yen_per_year.driver == 5_000_000
    assert sc.costs.interest_rate == 0.02
    assert sc.staffing.leave_spare_factor == 0.2


def test_run_writes_costs_json(tiny_run: Path) -> None:
    costs = read_json(tiny_run / "costs.json")
    m = read_json(tiny_run / "metrics.json")
    for key in COST_KPI_KEYS:
        assert key in m, key
    assert m["annual_cost_yen"] == pytest.approx(sum(i["yen_per_year"] for i in costs["items"]))
    assert all(i["source"] and i["formula"] for i in costs["items"])
    assert costs["summary"]["annual_cost_yen"] == m["annual_cost_yen"]
