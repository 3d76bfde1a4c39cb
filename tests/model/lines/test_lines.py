"""Fixed-route lines, passenger choice, hub transfers, speed caps and incidents.

All on the line network of ``tests/helpers.py``: nodes 0..5, 1,000 m apart, 100 s per edge at
36 km/h. A line dwells 30 s at each intermediate stop.
"""

from __future__ import annotations

from collections.abc import Sequence

from dataclasses import replace

import numpy as np
import pytest
import simpy

from tests.helpers import WALK, drt_params, line_network, no_incidents, request, single_area_layout
from sim.model.choice import Weights
from sim.model.drt.layout import AreaLayout, DrtLayout
from sim.model.drt.simulation import DrtSimulation, WalkParams
from sim.model.engine import Planner, simulate
from sim.model.eventlog import EventLog, MoveKind, Outcome, RejectReason
from sim.model.lines.timetable import build_line
from sim.model.incidents import IncidentProcess, IncidentSpec
from sim.model.lines.simulation import LineParams, LineSimulation
from sim.model.services import LineSpec, VehicleSpec

T7 = 7 * 3600.0  # 25,200 s


def weights(*, timetable_headway_s: float = 720.0, buffer_s: float = 120.0) -> Weights:
    return Weights(walk=2.0, wait=2.0, transfer_penalty_s=300.0, timetable_headway_s=timetable_headway_s,
                   buffer_s=buffer_s, walk_speed_mps=WALK.speed_mps)


BUS = VehicleSpec("bus", capacity=30, stop_dwell_s=30.0)


def line_cfg(
    stops: Sequence[int], *, headway_s: float = 600.0, start_s: float = T7, end_s: float = T7 + 3600,
    layover_s: float = 300.0, loop: bool = False, vehicle: VehicleSpec = BUS, name: str = "l",
) -> LineSpec:
    """A line over node indices ``stops`` departing every ``headway_s`` from ``start_s`` to ``end_s``."""
    count = int((end_s - start_s) // headway_s) + 1
    return LineSpec(name, vehicle, tuple(stops), tuple(start_s + k * headway_s for k in range(count)), loop=loop,
                    headway_s=headway_s, layover_s=layover_s, recovery_share=0.0)


def run(
    net,
    requests,
    *,
    lines: Sequence[tuple[str, LineSpec]] = (),
    drt: DrtLayout | None = None,
    capacity: int = 30,
    hubs: Sequence[int] = (),
    walk: WalkParams = WALK,
    w: Weights | None = None,
    speed_cap_kmh: float | None = None,
    incidents=no_incidents,
) -> EventLog:
    env = simpy.Environment()
    log = EventLog()
    planner = Planner(env=env, net=net, log=log, walk=walk, weights=w or weights(), hubs=list(hubs),
                      min_transfer_s=120.0)
    oracle = net.oracle(speed_cap_kmh=speed_cap_kmh)
    vid = 0
    for name, cfg in lines:
        layout = build_line(replace(cfg, name=name), oracle.time_s)
        line = LineSimulation(name=name, layout=layout, params=LineParams(capacity, 30.0, 0.0, "bus", "human"),
                              oracle=oracle, env=env, log=log, first_vehicle_id=vid, incidents=incidents,
                              on_leg_done=planner.on_line_leg)
        vid += line.vehicle_count
        planner.add_line(line)
    if drt is not None:
        sim = DrtSimulation(name=drt.name, layout=drt, params=drt_params(), walk=walk, net=net, oracle=oracle,
                            env=env, log=log, first_vehicle_id=vid, incidents=no_incidents,
                            on_leg_done=planner.on_drt_leg, leg_ids=planner.leg_ids)
        planner.add_drt(sim)
    simulate(sorted(requests, key=lambda r: r.request_time_s), planner, env)
    return log


def by_id(log: EventLog):
    return {r.request_id: r for r in log.requests}


# --------------------------------------------------------------------------- timetable and blocks


def test_timetable_and_blocks_follow_cycle_time_and_headway():
    net = line_network()
    # out 0 -> 2 -> 5: 200 + 30 + 300 = 530 s; back the same; layover 5 min at each end:
    # cycle = 2 * 530 + 2 * 300 = 1,660 s; headway 600 s -> ceil(1660 / 600) = 3 vehicles
    layout = build_line(line_cfg([0, 2, 5]), net.oracle().time_s)
    assert layout.run_s == (530.0, 530.0)
    assert layout.cycle_s == 1660.0
    assert layout.fleet_size == 3
    first = layout.trips[0]
    assert first.stops == (0, 2, 5)
    assert first.arrive_s == (T7, T7 + 200, T7 + 530)
    assert first.depart_s == (T7, T7 + 230, T7 + 530)
    # 7 departures 07:00..08:00; vehicle 0 is ready again at 07:00 + 1,660 s and takes 07:30
    outbound = [t for t in layout.trips if t.direction == 0]
    assert [t.depart_s[0] - T7 for t in outbound] == [0, 600, 1200, 1800, 2400, 3000, 3600]
    assert [t.vehicle for t in outbound] == [0, 1, 2, 0, 1, 2, 0]


def test_speed_cap_doubles_running_time_exactly():
    net = line_network()
    capped = build_line(line_cfg([0, 5]), net.oracle(speed_cap_kmh=18.0).time_s)
    free = build_line(line_cfg([0, 5]), net.oracle().time_s)
    assert build_line(line_cfg([0, 5]), net.oracle(speed_cap_mps=5.0).time_s).run_s == capped.run_s
    assert free.run_s[0] == 500.0  # 5 km at 10 m/s
    assert capped.run_s[0] == 1000.0  # capped at 18 km/h = 5 m/s


# --------------------------------------------------------------------------- riders on a line


def test_exact_trip_on_a_line_timed_to_the_second():
    net = line_network()
    # rider stands on node 2 and wants to leave at 07:05:00; frequent line (10 min < 12 min), so
    # the rider goes to the stop at once. The 07:00 trip was at node 2 at 07:03:20; the 07:10 trip
    # arrives at 07:13:20 (boarding), leaves at 07:13:50 and reaches node 5 at 07:18:50.
    log = run(net, [request(net, "r", T7 - 600, 2, 5, earliest=T7 + 300)], lines=[("l", line_cfg([0, 2, 5]))])
    r = by_id(log)["r"]
    assert r.outcome is Outcome.SERVED and r.mode == "line" and r.service == "l"
    assert r.pickup_s == T7 + 800
    assert r.dropoff_s == T7 + 1130
    assert r.wait_s == 500.0 and r.wait_at_stop_s == 500.0
    assert r.ride_s == 330.0
    assert r.walk_access_m == 0.0 and r.walk_egress_m == 0.0


def test_mean_wait_is_half_the_headway_for_random_arrivals():
    net = line_network()
    rng = np.random.default_rng(11)
    desired = rng.uniform(T7, T7 + 3 * 3600, size=600)
    reqs = [request(net, f"r{k}", t - 60, 1, 4, earliest=t) for k, t in enumerate(desired)]
    # riders board at the first stop, where a vehicle leaves every 600 s on the dot
    log = run(net, reqs, lines=[("l", line_cfg([1, 4], end_s=11 * 3600.0))], capacity=1000)
    waits = [r.wait_s for r in log.requests if r.outcome is Outcome.SERVED]
    assert len(waits) == 600
    assert np.mean(waits) == pytest.approx(300.0, rel=0.06)  # headway 600 s / 2
    assert max(waits) <= 600.0 + 1e-6


def test_riders_of_an_infrequent_line_follow_the_timetable():
    net = line_network()
    # hourly line: the rider who wants 07:10 waits 50 min in all, but only 2 min at the stop
    log = run(net, [request(net, "r", T7, 0, 5, earliest=T7 + 600)],
              lines=[("l", line_cfg([0, 5], headway_s=3600.0, end_s=9 * 3600.0))])
    r = by_id(log)["r"]
    assert r.pickup_s == T7 + 3600
    assert r.wait_s == 3000.0
    assert r.wait_at_stop_s == 120.0


def test_denied_boardings_at_capacity():
    net = line_network()
    reqs = [request(net, f"r{k}", T7 - 900, 2, 5, earliest=T7 + 100 + k) for k in range(3)]
    log = run(net, reqs, lines=[("l", line_cfg([0, 2, 5]))], capacity=2)
    recs = by_id(log)
    # the 07:00 trip reaches node 2 at 07:03:20 with room for two; the third rider takes 07:10's
    assert [recs[f"r{k}"].pickup_s for k in range(3)] == [T7 + 200, T7 + 200, T7 + 800]
    assert [recs[f"r{k}"].denied_boardings for k in range(3)] == [0, 0, 1]
    loads = [m.load for m in log.moves if m.kind is MoveKind.DRIVE and m.service == "l"]
    assert max(loads) == 2


# --------------------------------------------------------------------------- choice and transfers


def test_transfer_from_drt_to_a_line_timed_through_the_hub():
    net = line_network()
    members = np.zeros(net.n, dtype=bool)
    members[[0, 1, 2]] = True
    drt = DrtLayout("drt", (AreaLayout("A", members, np.array([0, 1, 2]), 0, 1),), None, T7 - 3600, T7 + 7200, True)
    walk = WalkParams(1.25, 1.3, 500.0)
    log = run(net, [request(net, "r", T7 - 1800, 0, 5, earliest=T7)], lines=[("l", line_cfg([2, 5]))],
              drt=drt, hubs=[2], walk=walk)
    r = by_id(log)["r"]
    # DRT: boards at the depot at 07:00:00, 60 s dwell, 200 s to the hub: 07:04:20.
    # Ready for the line 120 s later (07:06:20); the line leaves node 2 at 07:10:00, arrives 07:15:00.
    assert r.outcome is Outcome.SERVED and r.mode == "drt+line" and r.service == "drt+l"
    assert r.legs == 2
    assert r.pickup_s == T7 and r.wait_s == 0.0
    assert r.dropoff_s == T7 + 900
    assert r.transfer_wait_s == 600 - 260
    assert r.ride_s == 900.0
    assert r.fare_yen == 300.0  # the DRT fare; the test line is free


def test_choice_takes_the_faster_option():
    net = line_network()
    walk = WalkParams(1.25, 1.3, 500.0)
    # DRT vehicle waits at node 2: door-to-door now (60 s dwell + 300 s ride) beats the line,
    # whose next departure from node 2 is 07:13:50
    drt = single_area_layout(net.n, depot=2, start_s=T7 - 3600, end_s=T7 + 7200)
    log = run(net, [request(net, "r", T7 + 300, 2, 5)], lines=[("l", line_cfg([0, 2, 5]))], drt=drt, walk=walk)
    assert by_id(log)["r"].mode == "drt"
    # the same trip when the DRT vehicle is 500 s away and the line leaves in 10 s: the line
    drt_far = single_area_layout(net.n, depot=5, start_s=T7 - 3600, end_s=T7 + 7200)
    log = run(net, [request(net, "r", T7 + 220, 0, 5)], lines=[("l", line_cfg([0, 2, 5], start_s=T7 + 240, end_s=T7 + 3600))],
              drt=drt_far, walk=walk)
    r = by_id(log)["r"]
    assert r.mode == "line" and r.pickup_s == T7 + 240


def test_request_with_nothing_in_reach_is_unserved():
    net = line_network()
    members = np.zeros(net.n, dtype=bool)
    members[[0, 1]] = True
    drt = DrtLayout("drt", (AreaLayout("A", members, np.array([0, 1]), 0, 1),), None, T7, T7 + 7200, True)
    walk = WalkParams(1.25, 1.3, 500.0)
    log = run(net, [request(net, "r", T7, 2, 3)], lines=[("l", line_cfg([4, 5]))], drt=drt, walk=walk)
    r = by_id(log)["r"]
    assert r.outcome is Outcome.REJECTED
    assert r.reason in (RejectReason.NO_STOP_IN_WALKING_DISTANCE, RejectReason.OUTSIDE_AREA)
    assert not log.legs


# --------------------------------------------------------------------------- incidents


def test_incident_process_draws_from_its_own_generator():
    spec = IncidentSpec(rate_per_m=500.0 / 1e6, remote_share=0.5, remote_mean_s=120.0, onsite_mean_s=1200.0)
    proc = VehicleSpec("av", capacity=10, automation="level4_remote", incidents=spec).incident_process(np.random.default_rng(5))
    ref = np.random.default_rng(5)
    next_m = ref.exponential(1.0 / (500.0 / 1e6))  # mean 2,000 m between incidents
    got = proc.drive(10_000.0)
    expected = []
    while next_m <= 10_000.0:
        onsite = ref.random() >= 0.5
        expected.append((ref.exponential(1200.0 if onsite else 120.0), onsite))
        next_m += ref.exponential(1.0 / (500.0 / 1e6))
    assert [(i.duration_s, i.onsite) for i in got] == expected
    assert len(expected) > 0
    human = VehicleSpec("bus", capacity=10, incidents=spec).incident_process(np.random.default_rng(5))
    assert human.drive(100_000.0) == []


def test_an_incident_stops_the_line_vehicle_for_the_sampled_time():
    net = line_network()
    spec = IncidentSpec(rate_per_m=1e-3, remote_share=1.0, remote_mean_s=240.0)
    seed = 3
    log = run(net, [], lines=[("l", line_cfg([0, 5], headway_s=3600.0, end_s=T7, layover_s=60.0))],
              incidents=lambda vid: IncidentProcess(spec, np.random.default_rng(seed)))
    # what the vehicle's generator draws for its first 5 km drive (0 -> 5, 500 s)
    drawn = IncidentProcess(spec, np.random.default_rng(seed)).drive(5000.0)
    assert drawn, "with one incident per km a 5 km drive should have one"
    stops = [m for m in log.moves if m.kind is MoveKind.INCIDENT]
    first_leg = stops[: len(drawn)]
    assert first_leg[0].start_s == T7 + 500.0
    assert [m.end_s - m.start_s for m in first_leg] == pytest.approx([i.duration_s for i in drawn])
    assert all(m.detail == "remote" and m.to_node == 5 for m in first_leg)
    # the return trip leaves after the 60 s layover or, if later, once the vehicle is free again
    back = [m for m in log.moves if m.kind is MoveKind.DRIVE and m.from_node == 5]
    held = sum(i.duration_s for i in drawn)
    assert back[0].start_s == pytest.approx(max(T7 + 500.0 + 60.0, T7 + 500.0 + held))
