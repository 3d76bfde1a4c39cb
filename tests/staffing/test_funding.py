"""The 地域公共交通計画 KPI table: exact arithmetic on a hand-built day, subsidy split and per-resident burden."""

from __future__ import annotations

import pytest

from sim.errors import ScenarioError
from sim.model.eventlog import EventLog
from sim.scenario.schema import apply_overrides, validate
from sim.staffing.costs import CostItem, Costs
from sim.staffing.duties import compute_staffing
from sim.staffing.funding import FUNDING_KPI_KEYS, compute_funding
from tests.staffing.test_costs import served, vrec


def _scenario(**costs: object):  # type: ignore[no-untyped-def]
    return validate(
        {
            "name": "funding-test",
            "demand": {"population_total": 1000},
            "vehicles": {"bus": {"capacity": 10}, "av": {"capacity": 10, "automation": "level4_remote"}},
            "services": {
                "s": {"kind": "drt", "vehicle": "bus", "fleet_size": 1},
                "a": {"kind": "drt", "vehicle": "av", "fleet_size": 1},
            },
            "staffing": {"operating_days_per_year": 250},
            "costs": {"subsidy": {"prefecture_share": {"drt_system": 0.5}, "national_cap_yen_per_year": 10_000_000}, **costs},
        },
        source="test",
    )


def _day() -> EventLog:
    log = EventLog()
    log.vehicles += [vrec(0, service="s"), vrec(1, service="a", vtype="av", automation="level4_remote")]
    log.requests += [
        served("r1", fare=300, service="s"),
        served("r2", fare=300, service="s"),
        served("r3", fare=0, party=2, service="a"),
        served("r4", fare=600, service="s+a"),  # a transfer: a rider of both, fare split 300 / 300
    ]
    return log


def _costs() -> Costs:
    items = (
        CostItem("staff:driver", "staff", 10_000_000, "", ""),
        CostItem("vehicles:bus", "vehicles", 2_000_000, "", ""),
        CostItem("vehicles:av", "vehicles", 12_500_000, "", ""),
        CostItem("energy:a:av", "energy", 1_000_000, "", ""),
        CostItem("fixed:av_system", "fixed", 5_000_000, "", ""),
        CostItem("fixed:drt_system", "fixed", 3_000_000, "", ""),
    )
    # fares: (300 + 300 + 600) x 250 days; passenger trips: (1 + 1 + 2 + 1) x 250
    return Costs(items, fare_revenue_yen_per_year=300_000, trips_per_year=1250, vehicle_km_per_year=50_000)


def test_kpi_table_by_hand() -> None:
    sc = _scenario()
    log = _day()
    f = compute_funding(log, sc, compute_staffing(log, sc), _costs())
    rows = {r.scope: r for r in f.services}
    s, a, t = rows["s"], rows["a"], f.total
    # service s: driver 10 M + bus 2 M + half the DRT system 1.5 M; fares (300 + 300 + 300) x 250
    assert s.annual_cost_yen == pytest.approx(13_500_000)
    assert s.fare_revenue_yen_per_year == pytest.approx(225_000)
    assert s.farebox_ratio == pytest.approx(225_000 / 13_500_000)
    assert s.public_funding_yen_per_year == pytest.approx(13_275_000)
    assert s.national_funding_yen_per_year == 0.0
    assert s.prefecture_funding_yen_per_year == pytest.approx(750_000)  # half of its 1.5 M DRT system
    assert s.city_burden_yen_per_year == pytest.approx(12_525_000)
    assert s.riders_per_day == 3 and s.riders_per_year == pytest.approx(750)
    assert s.burden_per_resident_yen == pytest.approx(12_525)
    assert s.burden_per_rider_yen == pytest.approx(12_525_000 / 750)
    # service a: AV 12.5 M + energy 1 M + AV system 5 M (national 4/5 = 14.8 M, capped at 10 M) + DRT system 1.5 M
    assert a.annual_cost_yen == pytest.approx(20_000_000)
    assert a.national_funding_yen_per_year == pytest.approx(10_000_000)
    assert a.city_burden_yen_per_year == pytest.approx(20_000_000 - 75_000 - 10_000_000 - 750_000)
    assert a.riders_per_day == 3 and a.riders_per_year == pytest.approx(750)
    # the scenario: 33.5 M cost, 0.3 M fares, national capped at 10 M, prefecture 1.5 M
    assert t.annual_cost_yen == pytest.approx(33_500_000)
    assert t.public_funding_yen_per_year == pytest.approx(33_200_000)
    assert t.national_funding_yen_per_year == pytest.approx(10_000_000)
    assert t.prefecture_funding_yen_per_year == pytest.approx(1_500_000)
    assert t.city_burden_yen_per_year == pytest.approx(21_700_000)
    assert t.burden_per_resident_yen == pytest.approx(21_700)
    assert t.riders_per_year == 1250 and t.riders_per_day == 5
    assert t.burden_per_rider_yen == pytest.approx(17_360)
    assert set(t.to_metrics()) == set(FUNDING_KPI_KEYS)


def test_uncapped_national_share_and_fares_above_cost() -> None:
    sc = _scenario(subsidy={"national_share": {"vehicles_automated": 0.9}, "national_cap_yen_per_year": 1e10})
    log = _day()
    f = compute_funding(log, sc, compute_staffing(log, sc), _costs())
    assert f.total.national_funding_yen_per_year == pytest.approx(0.9 * 12_500_000)  # only the item given
    rich = Costs((CostItem("vehicles:bus", "vehicles", 100_000, "", ""),), 300_000, 1250, 1.0)
    g = compute_funding(log, sc, compute_staffing(log, sc), rich)
    assert g.total.public_funding_yen_per_year == 0.0 and g.total.city_burden_yen_per_year == 0.0


def test_subsidy_keys_are_checked() -> None:
    with pytest.raises(ScenarioError, match="national_share: unknown cost item 'buses'; valid: driver"):
        _scenario(subsidy={"national_share": {"buses": 0.5}})
    with pytest.raises(ScenarioError, match="exceed 1"):
        _scenario(subsidy={"national_share": {"other": 0.7}, "prefecture_share": {"other": 0.5}})
    raw = apply_overrides({"name": "x"}, ["costs.subsidy.national_share.av_system=0.9"], source="t")
    assert validate(raw, source="t").costs.subsidy.national_share == {"av_system": 0.9}
