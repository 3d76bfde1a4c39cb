"""Rebalancing of idle DRT vehicles (issue 11) on a two-zone line network.

``line_network(10)``: nodes 0..9 about 1 km apart along latitude 35, every edge 100 s. Their
projected x runs from 399,621 m (node 0) to 408,628 m (node 9), node 4 at 403,624 m and node 5 at
404,625 m; zones of 5,050 m have a cell
boundary at 404,000 m only: zone "west" holds nodes 0-4, zone "east" nodes 5-9.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.model.drt.rebalance import DemandZones, Rebalancing
from sim.model.eventlog import MoveKind
from sim.model.metrics import compute_metrics
from tests.helpers import drt_params, line_network, request, run_drt, single_area_layout

NET = line_network(10)
ZONE_M = 5050.0


def _zones(forecast: list[tuple[float, int]]) -> DemandZones:
    return DemandZones(NET.x, NET.y, np.arange(10), forecast, ZONE_M)


def test_zones_split_the_line_in_two_and_target_the_busiest_stop() -> None:
    z = _zones([(100.0, 8), (200.0, 8), (300.0, 7), (400.0, 1)])
    zone_ids = [z.zone_of(n) for n in range(10)]
    assert zone_ids == [zone_ids[0]] * 5 + [zone_ids[5]] * 5 and zone_ids[0] != zone_ids[5]
    east = z.zone_of(8)
    assert z.target[east] == 8  # its stop with the most forecast requests
    assert z.demand(east, 0.0, 3600.0) == 3 and z.demand(east, 150.0, 100.0) == 1  # [150, 250)
    assert z.demand(z.zone_of(1), 0.0, 3600.0) == 1


def test_demand_share_sends_the_second_idle_vehicle_to_the_other_zone() -> None:
    """Four forecast requests in the east zone, three in the west. An idle vehicle at node 4
    (west) goes east (4 > 3). With one vehicle already east, the east offers 4 / 2 = 2 < 3: an
    idle vehicle at node 9 (east) goes west, to node 1 (the west's busiest stop)."""
    forecast = [(600.0, 8)] * 4 + [(600.0, 1)] * 3
    z = _zones(forecast)
    east, west = z.zone_of(8), z.zone_of(1)
    assert west != east
    supply = [0, 0]
    assert z.choose(4, 0.0, 3600.0, supply, lambda n: 100.0 * abs(n - 4)) == 8
    supply[east] = 1
    assert z.choose(9, 0.0, 3600.0, supply, lambda n: 100.0 * abs(n - 9)) == 1
    # the best zone is the one it stands in: stay
    assert z.choose(9, 0.0, 3600.0, [0, 0], lambda n: 100.0 * abs(n - 9)) is None
    assert z.choose(2, 0.0, 3600.0, supply, lambda n: 100.0 * abs(n - 2)) is None
    # nothing forecast within the horizon: stay
    assert z.choose(4, 4300.0, 3600.0, [0, 0], lambda n: 0.0) is None


def _day(strategy: str) -> tuple:
    """One vehicle at depot 0 carries a rider 0 -> 3 at t=0 (drops at 360 s, leaves 420 s);
    the forecast (the day's demand) has a request at node 8 at 2,000 s."""
    params = dataclasses.replace(drt_params(), rebalancing=Rebalancing(strategy, ZONE_M, 3600.0))
    layout = single_area_layout(10, end_s=5000.0)
    reqs = [request(NET, "R1", 0.0, 0, 3), request(NET, "R2", 2000.0, 8, 6)]
    log = run_drt(NET, layout, reqs, params)
    return log, {r.request_id: r for r in log.requests}


def test_demand_strategy_waits_where_the_demand_is() -> None:
    """At 420 s the vehicle is idle at node 3 (west); the forecast's only request in the next
    hour is at node 8 (east): it drives 3 -> 8 (500 s) and stands there at 920 s, so R2 (at
    2,000 s) boards at once and waits nothing. It does not go back: its zone is where demand is."""
    log, out = _day("demand")
    rb = [m for m in log.moves if m.detail == "rebalance"]
    # at the start (t=0) the vehicle is booked at once, so the first rebalancing drive is after R1
    assert [(m.from_node, m.to_node, m.start_s, m.end_s) for m in rb] == [(3, 8, 420.0, 920.0)]
    assert out["R2"].pickup_s == 2000.0 and out["R2"].wait_s == 0.0
    assert compute_metrics(log)["rebalancing_km"] == pytest.approx(5.0)


def test_depot_strategy_returns_home_and_stay_is_todays_behaviour() -> None:
    log, out = _day("depot")
    rb = [(m.from_node, m.to_node, m.start_s, m.end_s) for m in log.moves if m.detail == "rebalance"]
    assert rb[0] == (3, 0, 420.0, 720.0)  # home after R1
    assert out["R2"].pickup_s == 2000.0 + 800.0  # 0 -> 8 takes 800 s after the request
    stay_log, stay = _day("stay")
    assert not [m for m in stay_log.moves if m.detail == "rebalance"]
    assert stay["R2"].pickup_s == 2000.0 + 500.0  # from node 3
    # stay is exactly the default: the same day as without any rebalancing parameter
    plain = run_drt(NET, single_area_layout(10, end_s=5000.0),
                    [request(NET, "R1", 0.0, 0, 3), request(NET, "R2", 2000.0, 8, 6)], drt_params())
    assert repr(plain) == repr(stay_log)
    assert all(m.kind is not MoveKind.INCIDENT for m in stay_log.moves)


def test_a_booking_diverts_a_rebalancing_vehicle() -> None:
    """Demand strategy, R2 asked at 500 s from node 5 while the vehicle drives 3 -> 8 (left at
    420 s, at node 4 at 520 s): it is diverted at the next node and picks R2 up at node 5 at 620 s."""
    params = dataclasses.replace(drt_params(), rebalancing=Rebalancing("demand", ZONE_M, 3600.0))
    reqs = [request(NET, "R1", 0.0, 0, 3), request(NET, "R2", 500.0, 5, 6), request(NET, "R3", 3000.0, 8, 9)]
    log = run_drt(NET, single_area_layout(10, end_s=5000.0), reqs, params)
    out = {r.request_id: r for r in log.requests}
    assert out["R2"].pickup_s == 620.0
    first = next(m for m in log.moves if m.detail == "rebalance")
    assert (first.from_node, first.start_s) == (3, 420.0) and first.to_node in (4, 5)
