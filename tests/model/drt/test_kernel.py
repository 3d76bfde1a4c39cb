"""The compiled insertion search (sim.model.drt.kernel via sim.model.drt.fleet) against the
pure-Python reference (sim.model.drt.dispatch.best_insertion), and its pruning index.

Random instances: a random road graph with node coordinates (edge times from lengths at least the
straight line and random speeds), 1–6 vehicles whose plans are built by booking random legs with
the reference search (so every plan is feasible), some with riders on board, driver breaks,
served stops, promise windows (tightened pickup and arrival limits, as booking does) and
transfer-like arrival limits; then a random new leg. Travel times are whole multiples of 5 s so
that exact ties between vehicles and positions occur and the tie-breaking is checked too.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from sim.model.drt.dispatch import (
    EPS,
    INF,
    Dwell,
    Insertion,
    LegRequest,
    Stop,
    StopKind,
    VehiclePlan,
    best_insertion,
    best_insertion_in,
    insert,
)
from sim.model.drt.fleet import FleetArrays
from sim.model.drt.params import VehicleMode
from sim.network.oracle import TravelOracle


def _network(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(x, y, all-pairs times, straight-line speed bound) of a random strongly connected graph."""
    n = int(rng.integers(8, 22))
    x = rng.uniform(0, 8000, n).round(0)
    y = rng.uniform(0, 8000, n).round(0)
    tail, head = [], []
    for a in range(n):  # a ring (strongly connected) plus random chords
        tail += [a, (a + 1) % n]
        head += [(a + 1) % n, a]
    for _ in range(2 * n):
        a, b = rng.integers(0, n, 2)
        if a != b:
            tail.append(int(a))
            head.append(int(b))
    tail_a, head_a = np.array(tail), np.array(head)
    chord = np.hypot(x[head_a] - x[tail_a], y[head_a] - y[tail_a])
    # times in whole 5 s: length >= chord at 18-60 km/h
    speed_mps = rng.uniform(5.0, 16.7, len(tail_a))
    times = np.maximum(5.0, np.ceil(chord * rng.uniform(1.0, 1.4, len(tail_a)) / speed_mps / 5.0) * 5.0)
    length = times * speed_mps  # so the oracle's time is length / speed = times (up to rounding)
    oracle = TravelOracle(n, tail_a, head_a, length, speed_mps * 3.6)
    oracle.precompute()
    T = np.vstack([oracle.times_from(i) for i in range(n)])
    return x, y, T, oracle.straight_line_speed_mps(x, y)


def _leg(rng: np.random.Generator, T: np.ndarray, leg_id: int, t0: float, *, transfer: bool) -> LegRequest:
    n = T.shape[0]
    o, d = (int(v) for v in rng.choice(n, 2, replace=False))
    earliest = t0 + float(rng.integers(0, 360)) * 5.0
    direct = float(T[o, d])
    latest_drop = earliest + direct + float(rng.integers(60, 360)) * 5.0 if transfer else INF
    return LegRequest(
        leg_id, o, d, int(rng.integers(1, 4)), earliest, earliest + float(rng.choice([300.0, 600.0, 1200.0])),
        float(rng.choice([1.5, 2.0])) * direct + float(rng.choice([300.0, 600.0, 1200.0])), latest_drop,
    )


def _instance(seed: int):
    """A random fleet of feasible plans and a new leg (see the module docstring)."""
    rng = np.random.default_rng(seed)
    x, y, T = (a for a in _network(rng)[:3])
    vmax = _network(np.random.default_rng(seed))[3]
    n = T.shape[0]
    tt = lambda a, b: float(T[a, b])
    dwell = Dwell(stop_s=float(rng.choice([0.0, 30.0, 60.0])), board_s_per_pax=float(rng.choice([0.0, 5.0])))
    weights = dict(wait_weight=float(rng.choice([0.0, 1.0])), delay_weight=float(rng.choice([0.0, 1.0, 2.0])),
                   ride_weight=float(rng.choice([0.0, 0.5, 1.0])))
    t0 = 21_600.0
    plans: list[VehiclePlan] = []
    leg_id = 0
    for vid in range(int(rng.integers(1, 7))):
        cap = int(rng.integers(1, 9))
        plan = VehiclePlan(vid, cap, int(rng.integers(0, n)), t0 + float(rng.integers(0, 60)) * 5.0,
                           t0 + float(rng.choice([1800.0, 7200.0, 36_000.0])), at_stop=bool(rng.random() < 0.3))
        if rng.random() < 0.25 and plan.shift_end_s > t0 + 7200:  # a break where the vehicle is (as at the depot)
            e = plan.time_s + float(rng.integers(0, 240)) * 5.0
            plan.stops = [Stop(StopKind.BREAK, -1, plan.node, 0, e, e + 900.0, duration_s=600.0)]
        plan.refresh(tt, dwell)
        for _ in range(int(rng.integers(0, 9))):
            leg = _leg(rng, T, leg_id, plan.time_s, transfer=rng.random() < 0.2)
            leg_id += 1
            ins = best_insertion_in(plan, leg, dwell, T[:, leg.origin], T[leg.origin, :], T[:, leg.dest], T[leg.dest, :],
                                    **weights)
            if ins is None:
                continue
            if rng.random() < 0.5:  # a promise: pickup within 10 min of the quote, arrival likewise
                leg = LegRequest(leg.leg_id, leg.origin, leg.dest, leg.pax, leg.earliest_s,
                                 min(leg.latest_pickup_s, ins.pickup_s + 600.0), leg.max_ride_s,
                                 min(leg.latest_dropoff_s, ins.dropoff_s + 600.0))
            insert(plan, leg, ins, tt, dwell)
        for _ in range(int(rng.integers(0, 3))):  # the vehicle moves on: serve the first stops
            if plan.stops and plan.stops[0].kind is not StopKind.BREAK:
                plan.serve_first()
        if plan.stops and rng.random() < 0.3 and plan.stops[0].node != plan.node:
            plan.time_s += 5.0  # standing a little longer: re-anchored later on its own timetable
            if plan.time_s + tt(plan.node, plan.stops[0].node) <= plan.board_s[0]:
                plan.reanchor(tt)
            else:
                plan.time_s -= 5.0
        plans.append(plan)
        if rng.random() < 0.2:  # an identical twin: ties between vehicles
            twin = VehiclePlan(vid + 100, plan.capacity, plan.node, plan.time_s, plan.shift_end_s, plan.at_stop,
                               plan.load, dict(plan.pickup_times), list(plan.stops))
            twin.refresh(tt, dwell)
            plans.append(twin)
    leg = _leg(rng, T, 10_000, t0 + float(rng.integers(0, 120)) * 5.0, transfer=rng.random() < 0.2)
    max_cand = int(rng.integers(1, 4)) if rng.random() < 0.15 else None
    return x, y, T, vmax, plans, leg, dwell, weights, max_cand


def _compiled(x, y, T, vmax, plans, leg, dwell, weights, max_cand, *, prune: bool = True):
    fleet = FleetArrays([(p.vehicle_id, 0) for p in plans], 1, x, y, vmax)
    for p in plans:
        fleet.load_plan(p)
    now = min((p.time_s for p in plans), default=0.0)
    return fleet.search(now, fleet.area_rows[0], leg, lambda k: T[:, k], lambda k: T[k, :], dwell,
                        max_candidates=max_cand, prune=prune, **weights)


def _same(a: Insertion | None, b: Insertion | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.vehicle_id, a.i, a.j, a.cost_s, a.pickup_s, a.dropoff_s, a.score) == (
        b.vehicle_id, b.i, b.j, b.cost_s, b.pickup_s, b.dropoff_s, b.score)


def test_kernel_matches_the_reference_on_1000_random_instances() -> None:
    found = ties = 0
    for seed in range(1000):
        x, y, T, vmax, plans, leg, dwell, weights, max_cand = _instance(seed)
        ref = best_insertion(plans, leg, lambda k: T[:, k], lambda k: T[k, :], dwell, max_candidates=max_cand, **weights)
        got, _, _ = _compiled(x, y, T, vmax, plans, leg, dwell, weights, max_cand)
        assert _same(ref, got), f"seed {seed}: reference {ref} != compiled {got}"
        found += ref is not None
        ties += any(p.vehicle_id >= 100 for p in plans)
    # the instances exercise both outcomes and the twins' ties
    assert 300 < found < 1000 and ties > 100


def test_pruning_never_excludes_the_chosen_vehicle() -> None:
    pruned_total = 0
    for seed in range(1000, 1600):
        x, y, T, vmax, plans, leg, dwell, weights, max_cand = _instance(seed)
        full, none_pruned, _ = _compiled(x, y, T, vmax, plans, leg, dwell, weights, max_cand, prune=False)
        got, pruned, _ = _compiled(x, y, T, vmax, plans, leg, dwell, weights, max_cand, prune=True)
        assert none_pruned == 0
        assert _same(full, got), f"seed {seed}: pruning changed the choice"
        pruned_total += pruned
    assert pruned_total > 100  # the index does set vehicles aside on these instances


def test_straight_line_bound_is_below_every_travel_time() -> None:
    for seed in range(50):
        x, y, T, vmax = _network(np.random.default_rng(seed))
        bound = np.hypot(np.subtract.outer(x, x), np.subtract.outer(y, y)) / vmax
        assert np.all(bound <= T.T + 1e-9)  # bound[i, j] = |i - j| / v <= time i -> j and j -> i
        assert np.all(bound <= T + 1e-9)


def test_hand_case_pruning_drops_a_far_vehicle_only() -> None:
    """Line 0-1-2 of 1 km edges at 10 m/s (100 s each): a vehicle at node 0 can reach node 2 in
    200 s; with 150 s left it is set aside by the index, the one at node 1 is searched."""
    x, y = np.array([0.0, 1000.0, 2000.0]), np.zeros(3)
    oracle = TravelOracle(3, np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1]), np.full(4, 1000.0), np.full(4, 36.0))
    T = np.vstack([oracle.times_from(i) for i in range(3)])
    assert oracle.straight_line_speed_mps(x, y) == pytest.approx(10.0)
    far, near = VehiclePlan(0, 4, 0, 0.0, 3600.0), VehiclePlan(1, 4, 1, 0.0, 3600.0)
    dwell = Dwell(0.0, 0.0)
    for p in (far, near):
        p.refresh(lambda a, b: float(T[a, b]), dwell)
    leg = LegRequest(0, 2, 1, 1, 0.0, 150.0, 1000.0)
    ins, pruned, searched = _compiled(x, y, T, 10.0, [far, near], leg, dwell, {}, None)
    assert (pruned, searched) == (1, 1)
    assert ins is not None and (ins.vehicle_id, ins.pickup_s, ins.dropoff_s) == (1, 100.0, 200.0)
    assert math.isfinite(ins.score)


@dataclass
class _State:
    """A vehicle process's state as FleetArrays.touch reads it (simulation._Vehicle)."""

    plan: VehiclePlan
    mode: VehicleMode
    pos: int
    start_s: float = 0.0
    wake_s: float = 0.0
    halt_until: float = 0.0
    seg_nodes: list[int] = field(default_factory=list)
    seg_times: list[float] = field(default_factory=list)


def _anchor_as_reference(st: _State, now: float, tt) -> None:
    """What simulation._Vehicle.update_anchor does to the plan (the reference re-anchors every
    vehicle on every request)."""
    plan = st.plan
    if st.mode is VehicleMode.DRIVE:
        k = min(bisect.bisect_left(st.seg_times, now - EPS), len(st.seg_nodes) - 1)
        plan.node, plan.time_s, plan.at_stop = st.seg_nodes[k], st.seg_times[k], False
    elif st.mode is VehicleMode.BEFORE_SHIFT:
        plan.node, plan.time_s, plan.at_stop = st.pos, max(now, st.start_s), False
    elif st.mode is VehicleMode.SERVE:
        plan.node, plan.time_s, plan.at_stop = st.pos, st.wake_s, True
    else:
        plan.node, plan.time_s = st.pos, now
        if plan.stops:
            plan.reanchor(tt)


def test_lazy_anchors_and_shifted_plans_match_the_reference() -> None:
    """Vehicles driving along a path, standing (re-anchored at the search time), before their
    shift and serving, some after serving their first stops (arrays shifted, not repacked): the
    compiled search at a later time picks what the reference picks after update_anchor."""
    checked = 0
    for seed in range(300):
        x, y, T, vmax, plans, leg, dwell, weights, max_cand = _instance(seed)
        tt = lambda a, b, T=T: float(T[a, b])  # noqa: E731
        rng = np.random.default_rng(seed + 7)
        fleet = FleetArrays([(p.vehicle_id, 0) for p in plans], 1, x, y, vmax)
        states = []
        t0 = max(p.time_s for p in plans)
        for p in plans:
            fleet.load_plan(p)
            if p.stops and rng.random() < 0.3 and p.stops[0].kind is not StopKind.BREAK:
                p.serve_first()  # served since it was packed: the row is shifted on touch
            mode = rng.choice([VehicleMode.DRIVE, VehicleMode.IDLE, VehicleMode.BEFORE_SHIFT, VehicleMode.SERVE])
            st = _State(p, mode, p.node, start_s=p.time_s + 30.0, wake_s=p.time_s + 20.0)
            if mode is VehicleMode.DRIVE:  # driving from its anchor towards its first stop (or anywhere)
                target = p.stops[0].node if p.stops else int(rng.integers(0, T.shape[0]))
                path = [p.node] + [int(v) for v in rng.choice(T.shape[0], 3, replace=False) if v != target] + [target]
                times = np.cumsum([p.time_s] + [T[a, b] for a, b in zip(path[:-1], path[1:])]).tolist()
                st.seg_nodes, st.seg_times = path, times
            elif mode is VehicleMode.IDLE and p.stops and p.board_s[0] < p.time_s + tt(p.node, p.stops[0].node):
                st.mode = VehicleMode.SERVE  # standing would not leave in time: serving instead
            fleet.touch(st, p.time_s, tt)
            states.append(st)
        now = t0 + float(rng.integers(0, 60)) * 5.0
        fleet.note_search(0, now)
        for st in states:
            _anchor_as_reference(st, now, tt)
        ref = best_insertion(plans, leg, lambda k, T=T: T[:, k], lambda k, T=T: T[k, :], dwell,
                             max_candidates=max_cand, **weights)
        got, _, _ = fleet.search(now, fleet.area_rows[0], leg, lambda k, T=T: T[:, k], lambda k, T=T: T[k, :],
                                 dwell, max_candidates=max_cand, **weights)
        assert _same(ref, got), f"seed {seed}: reference {ref} != compiled {got}"
        checked += ref is not None
    assert checked > 50
