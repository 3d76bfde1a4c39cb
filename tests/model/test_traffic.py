"""Travel times that vary (issue 11): time-of-day factors per road class and lognormal edge times.

The line network (``helpers.line_network``) has nodes ``0 .. 5``, 1000 m apart, road class
``residential``, every edge 100 s at free flow.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.eventlog import MoveKind, Outcome
from sim.model.traffic import TrafficParams, TravelTimes
from sim.network.speeds import road_class
from tests.helpers import (
    drt_params,
    grid_network,
    line_network,
    request,
    run_drt,
    single_area_layout,
)

NET = line_network()
PEAK = tuple(1.5 if h == 8 else 1.0 for h in range(24))


def test_road_class_drops_link_and_takes_the_first_of_a_list() -> None:
    assert road_class("primary_link") == "primary"
    assert road_class(["Secondary", "tertiary"]) == "secondary"
    assert road_class(None) == "unknown"
    assert set(NET.edge_class) == {"residential"}


def test_expected_times_follow_the_hour_and_the_class() -> None:
    tt = TravelTimes(NET, TrafficParams({"residential": PEAK}))
    assert tt.oracle_at(8 * 3600.0 + 10).time_s(0, 3) == 450.0  # 3 x 100 s x 1.5
    assert tt.oracle_at(9 * 3600.0).time_s(0, 3) == 300.0
    assert tt.next_change_s(7 * 3600.0 + 5) == 8 * 3600.0 and tt.next_change_s(8 * 3600.0) == 9 * 3600.0
    # another class's factor does not touch residential roads
    other = TravelTimes(NET, TrafficParams({"primary": PEAK}))
    assert other.oracle_at(8 * 3600.0).time_s(0, 3) == 300.0
    # "default" covers every class not named
    assert TravelTimes(NET, TrafficParams({"default": PEAK})).oracle_at(8 * 3600.0).time_s(0, 3) == 450.0


def test_a_trip_at_the_peak_hour_takes_exactly_factor_times_free_flow() -> None:
    """A rider at node 0 (the depot) asks at 08:00 to go to node 3: boards at 08:00, 60 s of
    dwell, then 3 x 100 s x 1.5 = 450 s of driving: arrives at 08:08:30. The trip back at 09:00
    takes the free-flow 300 s (the vehicle still stands at the stop of node 3: no new dwell)."""
    tt = TravelTimes(NET, TrafficParams({"residential": PEAK}))
    layout = single_area_layout(6, start_s=7 * 3600.0, end_s=12 * 3600.0)
    t8, t9 = 8 * 3600.0, 9 * 3600.0
    log = run_drt(NET, layout, [request(NET, "R8", t8, 0, 3), request(NET, "R9", t9, 3, 0)], drt_params(), travel=tt)
    out = {r.request_id: r for r in log.requests}
    assert (out["R8"].pickup_s, out["R8"].dropoff_s) == (t8, t8 + 60.0 + 450.0)
    assert (out["R9"].pickup_s, out["R9"].dropoff_s) == (t9, t9 + 300.0)
    drives = [(m.start_s, m.end_s) for m in log.moves if m.kind is MoveKind.DRIVE]
    assert drives[:2] == [(t8 + 60.0, t8 + 510.0), (t9, t9 + 300.0)]


def test_lognormal_draws_have_mean_one_and_the_class_cv() -> None:
    tt = TravelTimes(NET, TrafficParams({}, {"residential": 0.3}))
    rng = np.random.default_rng(7)
    ratios = np.array([tt.drive([0, 1], 0.0, rng)[-1] / 100.0 for _ in range(20_000)])
    assert ratios.mean() == pytest.approx(1.0, abs=0.01)
    assert ratios.std() / ratios.mean() == pytest.approx(0.3, abs=0.01)
    # a class without CV is never drawn for
    assert TravelTimes(NET, TrafficParams({}, {"primary": 0.3})).drive([0, 1, 2], 5.0, None) == [5.0, 105.0, 205.0]


GRID = grid_network(4, 4, 500.0)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0.1, 0.3, 0.6]), st.booleans())
def test_random_times_keep_the_day_consistent(seed: int, cv: float, peak: bool) -> None:
    """Vehicles drive realised times, plans are re-timed as they go: every request is served or
    rejected once, riders board and alight where the vehicle stands, never before their desired
    time, loads stay within capacity and the vehicles come home."""
    rng = np.random.default_rng(seed)
    factors = {"default": tuple(1.8 if h == 0 else 1.0 for h in range(24))} if peak else {}
    tt = TravelTimes(GRID, TrafficParams(factors, {"default": cv}))
    reqs = []
    for k in range(12):
        t = float(rng.integers(0, 3000))
        o, d = (int(x) for x in rng.choice(16, size=2, replace=False))
        reqs.append(request(GRID, f"R{k:02d}", t, o, d, earliest=t + float(rng.choice([0, 0, 600]))))
    layout = single_area_layout(16, depot=int(rng.integers(16)), fleet_size=2, end_s=3600.0)
    log = run_drt(GRID, layout, reqs, drt_params(), travel=tt, drive_rng=lambda vid: np.random.default_rng([seed, vid]))
    assert Counter(r.request_id for r in log.requests) == Counter(r.request_id for r in reqs)
    for r in log.requests:
        assert r.outcome in (Outcome.SERVED, Outcome.REJECTED)
    for v in log.vehicles:
        moves = sorted((m for m in log.moves if m.vehicle_id == v.vehicle_id), key=lambda m: m.start_s)
        pos, t = v.depot_node, v.shift_start_s
        for m in moves:
            assert m.start_s >= t - 1e-6 and m.from_node == pos
            t, pos = m.end_s, m.to_node
        assert pos == v.depot_node
        for lg in (g for g in log.legs if g.vehicle_id == v.vehicle_id):
            assert lg.earliest_s - 1e-6 <= lg.pickup_s < lg.dropoff_s
            for when, node in ((lg.pickup_s, lg.origin_node), (lg.dropoff_s, lg.dest_node)):
                at = [m for m in moves if m.kind is MoveKind.DRIVE and m.end_s <= when + 1e-6]
                assert (at[-1].to_node if at else v.depot_node) == node
                assert not any(m.kind is MoveKind.DRIVE and m.start_s < when - 1e-6 < m.end_s - 2e-6 for m in moves)
        events = sorted([(g.pickup_s, 1, g.pax) for g in log.legs if g.vehicle_id == v.vehicle_id]
                        + [(g.dropoff_s, 0, -g.pax) for g in log.legs if g.vehicle_id == v.vehicle_id])
        load = 0
        for _, _, delta in events:
            load += delta
            assert 0 <= load <= v.capacity


def test_no_variation_is_byte_identical_to_fixed_times() -> None:
    """Factors all 1 and CVs all 0: nothing is drawn and the day is the same record for record."""
    reqs = [request(NET, "R1", 100.0, 1, 4), request(NET, "R2", 150.0, 2, 5, earliest=900.0),
            request(NET, "R3", 200.0, 5, 0)]
    layout = single_area_layout(6, fleet_size=2, end_s=5000.0)
    fixed = run_drt(NET, layout, reqs, drt_params())
    flat = TravelTimes(NET, TrafficParams({"default": (1.0,) * 24, "primary": (1.0,) * 24}, {"default": 0.0}))
    assert not flat.varies and not math.isnan(fixed.legs[0].pickup_s)
    same = run_drt(NET, layout, reqs, drt_params(), travel=flat, drive_rng=lambda vid: np.random.default_rng(vid))
    assert repr(same) == repr(fixed)


def test_a_line_runs_late_at_the_peak_and_punctuality_is_reported() -> None:
    """Line 0 -> 2 -> 5, first departure 07:00, timetable on free-flow times (node 2 at 07:03:20,
    leaves 07:03:50). Hour 7 has factor 1.5: the bus reaches node 2 at 07:05:00 (300 s), so the
    rider waiting there boards 100 s later than the timetable's arrival there."""
    import simpy

    from sim.model.engine import Planner, simulate
    from sim.model.eventlog import EventLog
    from sim.model.lines.simulation import LineParams, LineSimulation
    from sim.model.lines.timetable import build_line
    from sim.model.metrics import compute_metrics
    from tests.helpers import WALK, no_incidents
    from tests.model.lines.test_lines import line_cfg, weights

    t7 = 7 * 3600.0
    peak7 = tuple(1.5 if h == 7 else 1.0 for h in range(24))
    tt = TravelTimes(NET, TrafficParams({"default": peak7}))
    env, log = simpy.Environment(), EventLog()
    planner = Planner(env=env, net=NET, log=log, walk=WALK, weights=weights(), hubs=[], min_transfer_s=120.0)
    oracle = NET.oracle()
    layout = build_line(line_cfg([0, 2, 5], end_s=t7), oracle.time_s)
    line = LineSimulation(name="l", layout=layout, params=LineParams(30, 30.0, 0.0, "bus", "human"), oracle=oracle,
                          env=env, log=log, first_vehicle_id=0, incidents=no_incidents,
                          on_leg_done=planner.on_line_leg, travel=tt, drive_rng=lambda vid: None)
    planner.add_line(line)
    simulate([request(NET, "r", t7 - 600, 2, 5, earliest=t7)], planner, env)
    (leg,) = log.legs
    assert leg.promised_pickup_s == t7 + 200.0 and leg.pickup_s == t7 + 300.0
    assert leg.dropoff_s == t7 + 330.0 + 450.0  # leaves 07:05:30, 3 edges x 150 s
    m = compute_metrics(log)
    assert m["line_late_mean_s"] == 100.0 and m["line_on_time_share"] == 1.0
