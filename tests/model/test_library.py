"""The model as a library: a day on in-memory data, with nothing but ``sim.model``, numpy and networkx.

The network is a straight two-way road ``0 - 1 - ... - 5`` with 1,000 m edges at 36 km/h, so every
edge takes exactly 100 s and every value below can be checked by hand.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from sim.model import (
    DaySpec,
    DrtServiceSpec,
    LineSpec,
    Outcome,
    Request,
    RoadNetwork,
    VehicleSpec,
    compute_metrics,
    lay_out,
    simulate_day,
)

T7 = 7 * 3600.0  # 25,200 s
T8 = 8 * 3600.0  # 28,800 s


def road(n: int = 6) -> RoadNetwork:
    """Nodes 0..n-1 about 1 km apart along latitude 35; edges exactly 1,000 m at 36 km/h (100 s)."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    step = 1000.0 / (111_320.0 * math.cos(math.radians(35.0)))
    for k in range(n):
        g.add_node(k, x=139.9 + k * step, y=35.0)
    for k in range(n - 1):
        for a, b in ((k, k + 1), (k + 1, k)):
            g.add_edge(a, b, length=1000.0, highway="residential", maxspeed="36")
    return RoadNetwork.from_graph(g, name="road", synthetic=True, provenance="in-memory test road")


def trip(net: RoadNetwork, rid: str, t: float, o: int, d: int) -> Request:
    """An immediate request at time ``t`` (s) from node ``o`` to node ``d``, standing on the nodes."""
    return Request(rid, t, t, o, d, 1, float(net.lat[o]), float(net.lon[o]), float(net.lat[d]), float(net.lon[d]), "", "")


BUS = VehicleSpec("bus", capacity=30, stop_dwell_s=30.0)
MINIBUS = VehicleSpec("minibus", capacity=4, stop_dwell_s=60.0)


def line() -> LineSpec:
    # out-and-back 0 <-> 5: 500 s each way, 300 s layover: a cycle of 1,600 s < the 1,800 s headway
    return LineSpec("l", BUS, stops=(0, 5), departures_s=(T7, T7 + 1800), layover_s=300.0, recovery_share=0.0)


def drt() -> DrtServiceSpec:
    # one door-to-door minibus parked at node 2 from 08:00 to 09:00
    return DrtServiceSpec("d", MINIBUS, fleet_size=1, start_s=T8, end_s=T8 + 3600, door_to_door=True, depot=2)


def test_a_single_rider_on_a_line() -> None:
    net = road()
    day = simulate_day(net, [trip(net, "r", T7 - 300, 0, 5)], DaySpec(services=(line(),)))
    (r,) = day.log.requests
    assert r.outcome is Outcome.SERVED and r.mode == "line" and r.service == "l"
    assert r.pickup_s == T7 and r.wait_s == 300.0  # asked at 06:55, the 07:00 departure
    assert r.wait_at_stop_s == 120.0  # 30-min headway: the rider follows the timetable, 2 min buffer
    assert r.ride_s == 500.0 and r.dropoff_s == T7 + 500.0  # 5 km at 10 m/s, no stop between
    assert r.direct_m == 5000.0 and r.walk_access_m == 0.0
    (v,) = day.log.vehicles  # both departures on one vehicle: 1,600 s cycle < 1,800 s headway
    assert v.km == 20.0 and v.empty_km == 15.0 and v.pax_km == 5.0  # four 5 km trips, one with the rider
    assert v.shift_start_s == T7 and v.pull_in_s == T7 + 1800 + 500 + 300 + 500  # back at 07:51:40
    metrics = compute_metrics(day.log)
    assert metrics["vehicle_km"] == 20.0 and metrics["empty_km_share"] == 0.75
    assert metrics["vehicle_hours"] == pytest.approx(3100.0 / 3600.0)


def test_a_single_rider_on_a_drt_minibus_beside_the_line() -> None:
    net = road()
    day = simulate_day(net, [trip(net, "r", T8, 0, 3)], DaySpec(services=(line(), drt())))
    (r,) = day.log.requests
    # 0 -> 3 is not on the line (its stops are 0 and 5, 2 km from node 3): the minibus drives
    # 2 -> 0 (200 s), boards the rider (60 s dwell), drives 0 -> 3 (300 s)
    assert r.outcome is Outcome.SERVED and r.mode == "drt" and r.service == "d"
    assert r.wait_s == 200.0 and r.ride_s == 360.0 and r.direct_s == 300.0 and r.detour == pytest.approx(1.2)
    minibus = next(v for v in day.log.vehicles if v.service == "d")
    assert minibus.vehicle_id == 1  # numbered after the line's one vehicle, in service order
    assert minibus.km == 6.0 and minibus.empty_km == 3.0 and minibus.pax_km == 3.0  # 2 + 3, then 1 km home at 09:00
    assert minibus.pull_in_s == T8 + 3600 + 100


def test_layouts_of_a_door_to_door_area_and_a_line() -> None:
    net = road()
    layouts = lay_out(DaySpec(services=(line(), drt())), net)
    d = layouts["d"]
    assert [a.name for a in d.areas] == ["all"] and d.areas[0].depot == 2 and d.areas[0].stops.tolist() == [0, 1, 2, 3, 4, 5]
    ln = layouts["l"]
    assert ln.run_s == (500.0, 500.0) and ln.cycle_s == 1600.0 and ln.fleet_size == 1


def test_a_capped_vehicle_runs_at_its_cap() -> None:
    net = road()
    slow = VehicleSpec("av", capacity=10, speed_cap_mps=5.0, stop_dwell_s=30.0)  # 18 km/h: 200 s per edge
    day = simulate_day(net, [trip(net, "r", T7 - 600, 0, 5)], DaySpec(services=(LineSpec("l", slow, (0, 5), (T7,)),)))
    (r,) = day.log.requests
    assert r.ride_s == 1000.0


def test_the_model_runs_without_the_config_layer() -> None:
    code = (
        "import sys, tests.model.test_library as t\n"
        "t.test_a_single_rider_on_a_drt_minibus_beside_the_line()\n"
        "bad = sorted(m for m in sys.modules if m == 'pydantic' or m.split('.')[:2] in "
        "(['sim', 'scenario'], ['sim', 'run'], ['sim', 'studies'], ['sim', 'report'], ['sim', 'cli']))\n"
        "assert not bad, bad\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=root, check=False)
    assert done.returncode == 0, done.stderr
