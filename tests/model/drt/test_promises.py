"""Promises kept (issue 11): pickup windows and latest arrivals as hard constraints, the insertion
objective that counts the delay to booked riders, and a brute-force check of the insertion search.

Hand cases use the straight line ``0 - 1 - ... - 9`` of ``test_dispatch`` (every edge 100 s, dwell
60 s per stop at a new node).
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.demand.generate import Request
from sim.model.drt.dispatch import (
    EPS,
    Dwell,
    Insertion,
    LegRequest,
    StopKind,
    VehiclePlan,
    best_insertion,
    insert,
    plan_times,
)
from sim.model.drt.layout import DrtLayout
from sim.model.drt.simulation import DrtParams
from sim.model.metrics import promise_kpis
from tests.helpers import drt_params, run_drt
from tests.model.drt.test_dispatch import (
    DWELL,
    LINE,
    _grid_matrix,
    drop,
    leg,
    line_tt,
    pick,
    tt_of,
)
from tests.model.test_engine import GRID, check_invariants, instances

P = StopKind.PICKUP


def _score_parts(plan: VehiclePlan, stops: list, tt, dwell: Dwell) -> tuple[float, float, list[float]] | None:
    """(end, idle waiting, boarding times) of ``stops`` driven from ``plan``'s anchor, or ``None``."""
    times = plan_times(plan, stops, tt, dwell)
    if times is None:
        return None
    boards, departs, _ = times
    idle, t, prev = 0.0, plan.time_s, plan.node
    for s, b, dep in zip(stops, boards, departs):
        arrive = t + (tt(prev, s.node) if s.node != prev else 0.0)
        if s.kind is P:
            idle += b - arrive
        t, prev = dep, s.node
    return (departs[-1] if departs else plan.time_s), idle, boards


def brute_force(
    plans: list[VehiclePlan], new: LegRequest, tt, dwell: Dwell, *, wait_w: float, delay_w: float, ride_w: float
) -> list[tuple[float, int, int, int]]:
    """Every feasible insertion (score, vehicle, i, j) by trying each position pair with plan_times.

    Score = added busy time (end moved, less idle waiting added) + wait_w × wait + delay_w × the
    booked riders' delay (riders × seconds later than planned, per stop) + ride_w × riders × ride
    beyond the direct drive.
    """
    out = []
    direct = 0.0 if new.origin == new.dest else tt(new.origin, new.dest)
    for plan in plans:
        if plan.time_s > plan.shift_end_s + EPS:
            continue
        base = _score_parts(plan, plan.stops, tt, dwell)
        assert base is not None
        old_end, old_idle, old_boards = base
        ins0 = Insertion(plan.vehicle_id, 0, 0, 0.0, 0.0, 0.0)
        pick_stop, drop_stop = ins0.stops(new)
        n = len(plan.stops)
        for i in range(n + 1):
            for j in range(i, n + 1):
                stops = list(plan.stops)
                stops.insert(j, drop_stop)
                stops.insert(i, pick_stop)
                parts = _score_parts(plan, stops, tt, dwell)
                if parts is None:
                    continue
                end, idle, boards = parts
                if end > max(plan.shift_end_s, old_end) + EPS:
                    continue
                board, arrive = boards[i], boards[j + 1]
                rest = [b for k, b in enumerate(boards) if k not in (i, j + 1)]
                delay = sum(s.pax * max(0.0, b - ob) for s, b, ob in zip(plan.stops, rest, old_boards))
                score = (end - old_end) - (idle - old_idle) + wait_w * (board - new.earliest_s)
                score += delay_w * delay + ride_w * new.pax * (arrive - board - direct)
                out.append((score, plan.vehicle_id, i, j))
    return out


# --------------------------------------------------------------------------------------------------
# the objective
# --------------------------------------------------------------------------------------------------


def test_the_old_objective_breaks_a_window_the_new_dispatcher_takes_another_vehicle() -> None:
    """Vehicle A at node 2 carries rider 7 to node 6 (on board, planned arrival 400 s). B idles
    at node 7. A trip 3 -> 5 asked at t=0:

    * A, pickup and drop-off before node 6: 3 at 100 (dep 160), 5 at 360 (dep 420), 6 at 520:
      the plan's end moves from 460 to 580 (+120 s), the new rider waits 100 s: score 220.
      Rider 7 arrives 120 s later than promised.
    * A after node 6: 6 at 400 (dep 460), 3 at 760 (dep 820), 5 at 1,020: +620 s, wait 760 s.
    * B: 3 at 400 (dep 460), 5 at 660 (dep 720): 720 s of work, wait 400 s: score 1,120.

    Today's objective (and the new one with its weights at zero) picks A and delays rider 7 by
    120 s. With rider 7 promised arrival within 30 s of the quote (latest 430 s), every insertion
    into A breaks it: the dispatcher picks B.
    """
    a = VehiclePlan(0, 4, 2, 0.0, 10_000.0, load=1, pickup_times={7: 0.0}, stops=[drop(7, 6)])
    a.refresh(line_tt, DWELL)
    assert a.board_s == [400.0]
    b = VehiclePlan(1, 4, 7, 0.0, 10_000.0)
    b.refresh(line_tt, DWELL)
    new = leg(1, 3, 5, factor=10.0)
    args = (lambda n: LINE[:, n], lambda n: LINE[n, :], DWELL)
    old = best_insertion([a, b], new, *args, wait_weight=1.0)
    zero = best_insertion([a, b], new, *args, wait_weight=1.0, delay_weight=0.0, ride_weight=0.0)
    assert old is not None and (old.vehicle_id, old.i, old.j, old.cost_s, old.score) == (0, 0, 0, 120.0, 220.0)
    assert zero == old and zero.score == old.score
    insert(a, new, old, line_tt, DWELL)
    assert a.board_s[-1] == 520.0  # rider 7: 120 s later than promised
    # the same booking with rider 7's promise kept (arrival by 400 + 30 s)
    a = VehiclePlan(0, 4, 2, 0.0, 10_000.0, load=1, pickup_times={7: 0.0}, stops=[drop(7, 6, latest=430.0)])
    a.refresh(line_tt, DWELL)
    kept = best_insertion([a, b], new, *args, wait_weight=1.0, delay_weight=1.0, ride_weight=1.0)
    assert kept is not None and (kept.vehicle_id, kept.pickup_s, kept.dropoff_s) == (1, 400.0, 660.0)
    assert kept.score == 1120.0 + 60.0  # + the new rider's 60 s of dwell beyond the direct 200 s


def test_the_delay_weight_alone_changes_the_choice() -> None:
    """A at node 3 carries rider 7 (on board) to node 0 (300 s); B idles at node 5. A trip 4 -> 2:

    * A first: 4 at 100 (dep 160), 2 at 360 (dep 420), 0 at 620: +320 s of work, wait 100 s,
      rider 7 arrives 320 s late (score 420 today, 740 with the delay counted); A with the new
      drop-off after node 0 costs more (+520 s, wait 100, delay 260).
    * B: 4 at 100 (dep 160), 2 at 360 (dep 420): 420 s of work, wait 100 s: 520 either way.

    No window binds: the delay weight alone moves the booking from A to B.
    """
    a = VehiclePlan(0, 4, 3, 0.0, 10_000.0, load=1, pickup_times={7: 0.0}, stops=[drop(7, 0)])
    a.refresh(line_tt, DWELL)  # 0 at 300, dep 360
    b = VehiclePlan(1, 4, 5, 0.0, 10_000.0)
    b.refresh(line_tt, DWELL)
    new = leg(1, 4, 2, factor=10.0)
    args = (lambda n: LINE[:, n], lambda n: LINE[n, :], DWELL)
    # A: back to 4 at 100 (dep 160), 2 at 360 (dep 420), 0 at 620 (dep 680): +320 s busy, wait
    # 100 s, rider 7 arrives 320 s late. B: 4 at 100 (dep 160), 2 at 360 (dep 420): +420 s, wait 100.
    old = best_insertion([a, b], new, *args, wait_weight=1.0)
    assert old is not None and (old.vehicle_id, old.score) == (0, 420.0)
    new_choice = best_insertion([a, b], new, *args, wait_weight=1.0, delay_weight=1.0)
    assert new_choice is not None and (new_choice.vehicle_id, new_choice.score) == (1, 520.0)
    # and rider 7's delay was what A would have cost: 420 + 320 = 740 > 520
    only_a = best_insertion([a], new, *args, wait_weight=1.0, delay_weight=1.0)
    assert only_a is not None and only_a.score == 740.0


def test_ride_weight_counts_the_new_riders_detour() -> None:
    """A at node 0 will pick rider 7 up at node 1 (earliest 0) and drop at node 9. A trip 2 -> 3
    pooled: 1 at 100 (dep 160), 2 at 260 (dep 320), 3 at 420 (dep 480), 9 at 1080: the new rider
    rides 160 s for 100 s direct (60 s beyond). With the ride weight that costs 60 more."""
    a = VehiclePlan(0, 4, 0, 0.0, 10_000.0, stops=[pick(7, 1), drop(7, 9)])
    a.refresh(line_tt, DWELL)
    new = leg(1, 2, 3, factor=10.0)
    args = (lambda n: LINE[:, n], lambda n: LINE[n, :], DWELL)
    plain = best_insertion([a], new, *args)
    ride = best_insertion([a], new, *args, ride_weight=1.0)
    assert plain is not None and ride is not None
    assert (plain.i, plain.j) == (ride.i, ride.j) == (1, 1)
    assert ride.score - plain.score == pytest.approx(60.0)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_legs=st.integers(1, 10),
    n_vehicles=st.integers(1, 3),
    capacity=st.integers(1, 4),
    stop_s=st.sampled_from([0.0, 30.0, 60.0]),
    weights=st.sampled_from([(0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (1.0, 1.0, 0.0), (1.0, 1.0, 1.0), (0.5, 2.0, 0.5)]),
    window=st.sampled_from([None, 0.0, 120.0, 600.0]),
)
def test_insertion_is_the_brute_force_best_and_keeps_every_window(
    seed: int, n_legs: int, n_vehicles: int, capacity: int, stop_s: float,
    weights: tuple[float, float, float], window: float | None,
) -> None:
    """Random grids, fleets and bookings: the dispatcher's choice has the least score among all
    feasible position pairs found by brute force (weights at zero: the former objective), and with
    promise windows every booked rider stays within [quote, quote + window] and arrives by the
    quoted arrival + window after every later insertion."""
    rng = np.random.default_rng(seed)
    T = _grid_matrix(rng)
    tt = tt_of(T)
    dwell = Dwell(stop_s, 0.0)
    n = T.shape[0]
    wait_w, delay_w, ride_w = weights
    params = dataclasses.replace(
        drt_params(capacity=capacity), keep_promises=window is not None,
        pickup_window_s=math.inf if window is None else window, arrival_window_s=math.inf if window is None else window,
    )
    plans = []
    for v in range(n_vehicles):
        p = VehiclePlan(v, capacity, int(rng.integers(n)), 0.0, 6000.0)
        p.refresh(tt, dwell)
        plans.append(p)
    promised: dict[int, tuple[float, float, float]] = {}
    for k in range(n_legs):
        o, d = (int(x) for x in rng.choice(n, size=2, replace=False))
        earliest = float(rng.integers(0, 1500))
        new = LegRequest(k, o, d, int(rng.integers(1, capacity + 1)), earliest, earliest + 900.0, 2.0 * float(T[o, d]) + 60.0)
        ins = best_insertion(plans, new, lambda x: T[:, x], lambda x: T[x, :], dwell,
                             wait_weight=wait_w, delay_weight=delay_w, ride_weight=ride_w)
        found = brute_force(plans, new, tt, dwell, wait_w=wait_w, delay_w=delay_w, ride_w=ride_w)
        if ins is None:
            assert found == []
            continue
        best_score = min(f[0] for f in found)
        assert ins.score == pytest.approx(best_score, abs=1e-6)
        assert (ins.score, ins.vehicle_id, ins.i, ins.j) in [
            pytest.approx(f, abs=1e-6) for f in found if f[0] <= best_score + EPS
        ]
        plan = plans[ins.vehicle_id]
        if window is not None:
            promised[k] = params.window(new, ins)
        insert(plan, params.promise(new, ins), ins, tt, dwell)
        for p in plans:  # every booked rider's window still holds in every plan
            for s, b in zip(p.stops, p.board_s):
                if s.leg_id in promised:
                    lo, hi_pick, hi_drop = promised[s.leg_id]
                    if s.kind is P:
                        assert lo - EPS <= b <= hi_pick + EPS
                    else:
                        assert b <= hi_drop + EPS


# --------------------------------------------------------------------------------------------------
# the simulated day
# --------------------------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, derandomize=True)
@given(instances(), st.sampled_from([0.0, 60.0, 300.0, 600.0]))
def test_simulated_days_keep_every_promise(instance: tuple[DrtLayout, DrtParams, list[Request]], window: float) -> None:
    """Zero travel-time variation, no incidents: every leg is picked up within [quote, quote +
    window], arrives by the quoted arrival + window, and the metrics count zero breaches."""
    layout, params, reqs = instance
    params = dataclasses.replace(
        params, keep_promises=True, pickup_window_s=window, arrival_window_s=window, delay_weight=1.0, ride_weight=1.0
    )
    log = run_drt(GRID, layout, reqs, params)
    check_invariants(log, layout, params, reqs)
    for lg in log.legs:
        assert lg.promised_pickup_s - EPS <= lg.pickup_s <= lg.promised_pickup_s + window + 1e-6
        assert lg.latest_pickup_s <= lg.promised_pickup_s + window + 1e-9
        assert lg.dropoff_s <= lg.latest_dropoff_s + 1e-6 <= lg.promised_dropoff_s + window + 1e-6
    kpi = promise_kpis(log.legs)
    assert kpi["promised_legs"] == len(log.legs) and kpi["promise_breaches"] == 0


def test_promise_kpis_count_breaches_and_lateness() -> None:
    """Quoted pickup 100 s, window end 400 s, quoted arrival 300 s, latest arrival 500 s."""
    from sim.model.eventlog import LegRecord

    def rec(pick_s: float, drop_s: float) -> LegRecord:
        return LegRecord(0, "R", "drt", 0, 0, 1, 1, 0.0, pick_s, drop_s, 100.0, 1000.0, 100.0, 300.0, 400.0, 500.0)

    legs = [rec(100.0, 300.0), rec(400.0, 500.0), rec(400.5, 300.0), rec(100.0, 500.5), rec(99.0, 300.0)]
    kpi = promise_kpis(legs)
    assert kpi["promise_breaches"] == 3  # too late, arrives late, picked up before the quote
    assert kpi["pickup_late_mean_s"] == pytest.approx((0 + 300 + 300.5 + 0 + 0) / 5)
