"""Cancellations and no-shows of DRT riders (issue 11) on the line network of ``tests.helpers``
(nodes 0..5, every edge 100 s, dwell 60 s, one vehicle of 4 seats at depot 0)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.model.eventlog import EventLog, MoveKind, Outcome
from sim.model.metrics import compute_metrics
from tests.helpers import drt_params, line_network, request, run_drt, single_area_layout

NET = line_network()


def _booked_in_order(log: EventLog) -> list[str]:
    """Request ids that got a booking, in booking order (request time; the tests use distinct times)."""
    return [r.request_id for r in sorted(log.requests, key=lambda r: r.request_time_s) if r.outcome is not Outcome.REJECTED]


def test_a_no_show_keeps_the_vehicle_exactly_no_show_wait_then_it_goes_on() -> None:
    """R1 (2 -> 4 at t=0) does not show up: the vehicle reaches node 2 at 200 s, waits 180 s
    (no dwell of its own), leaves at 380 s. R2 (3 -> 5, asked at 100 s, booked behind R1 at
    pickup 200 + 60 + 100 = 360 s) shows up: with R1 gone the vehicle is at 3 at 480 s."""
    params = dataclasses.replace(drt_params(max_wait_s=1800.0), no_show_share=0.5, no_show_wait_s=180.0)
    layout = single_area_layout(6, end_s=7200.0)
    draws = np.random.default_rng(3).random((2, 2))  # (u_cancel, u_show) per booking
    assert draws[0, 1] < 0.5 <= draws[1, 1]  # R1 does not show up, R2 does
    log = run_drt(NET, layout, [request(NET, "R1", 0.0, 2, 4), request(NET, "R2", 100.0, 3, 5)], params,
                  rng=np.random.default_rng(3))
    out = {r.request_id: r for r in log.requests}
    assert out["R1"].outcome is Outcome.NO_SHOW and out["R2"].outcome is Outcome.SERVED
    waits = [m for m in log.moves if m.detail == "no_show"]
    assert len(waits) == 1
    w = waits[0]
    assert (w.kind, w.start_s, w.end_s, w.from_node, w.load) == (MoveKind.DWELL, 200.0, 380.0, 2, 0)
    assert out["R2"].pickup_s == 480.0  # 380 + 100 s from node 2 to node 3
    assert [lg.request_id for lg in log.legs] == ["R2"]
    metrics = compute_metrics(log)
    assert metrics["no_shows"] == sum(r.outcome is Outcome.NO_SHOW for r in log.requests)
    assert metrics["requests_rejected"] == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_show_and_cancellation_counts_equal_the_draws(seed: int) -> None:
    """Twenty riders booking a DRT-only trip, every other one prebooked an hour ahead: each booking
    draws (u_cancel, u_show) in booking order; prebooked riders with u_cancel < 0.3 cancel, the
    others with u_show < 0.25 do not show up, and the vehicles wait exactly 120 s for each."""
    rs = np.random.default_rng(100 + seed)
    reqs = []
    for k in range(20):
        t = 60.0 * k + 7.0
        o, d = (int(x) for x in rs.choice(6, size=2, replace=False))
        reqs.append(request(NET, f"R{k:02d}", t, o, d, earliest=t + (3600.0 if k % 2 else 0.0)))
    params = dataclasses.replace(
        drt_params(max_wait_s=3600.0, max_ride_factor=3.0), cancel_share=0.3, cancel_lead_s=1800.0,
        no_show_share=0.25, no_show_wait_s=120.0, keep_promises=True, pickup_window_s=600.0, arrival_window_s=600.0,
    )
    layout = single_area_layout(6, fleet_size=3, end_s=20_000.0)
    log = run_drt(NET, layout, reqs, params, rng=np.random.default_rng(seed))
    booked = _booked_in_order(log)
    draws = np.random.default_rng(seed).random((len(booked), 2))
    prebooked = {r.request_id for r in reqs if r.earliest_pickup_s > r.request_time_s}
    want_cancel = {rid for rid, (uc, _) in zip(booked, draws) if rid in prebooked and uc < 0.3}
    want_no_show = {rid for rid, (uc, us) in zip(booked, draws) if rid not in want_cancel and us < 0.25}
    got = {o: {r.request_id for r in log.requests if r.outcome is o} for o in Outcome}
    assert got[Outcome.CANCELLED] == want_cancel and got[Outcome.NO_SHOW] == want_no_show
    assert want_cancel or want_no_show  # the seeds exercise the behaviour
    metrics = compute_metrics(log)
    assert (metrics["cancellations"], metrics["no_shows"]) == (len(want_cancel), len(want_no_show))
    # neither boards: no legs, no fares; the vehicles wait exactly 120 s at each no-show
    dropped = want_cancel | want_no_show
    assert not any(lg.request_id in dropped for lg in log.legs)
    waits = [m for m in log.moves if m.detail == "no_show"]
    assert len(waits) == len(want_no_show) and all(m.end_s - m.start_s == 120.0 for m in waits)
    # every rider who was not dropped and booked is served, within their promise unless the
    # vehicle waited for a no-show before (the plan does not foresee that wait)
    for r in log.requests:
        if r.request_id in booked and r.request_id not in dropped:
            assert r.outcome is Outcome.SERVED
    for lg in log.legs:
        if lg.pickup_s > lg.latest_pickup_s + 1e-6 or lg.dropoff_s > lg.latest_dropoff_s + 1e-6:
            assert any(m.vehicle_id == lg.vehicle_id and m.end_s <= lg.dropoff_s for m in waits)


def test_nothing_is_drawn_when_riders_never_cancel() -> None:
    """Shares at zero: no generator is needed and the day is the same as without one."""
    reqs = [request(NET, "R1", 0.0, 1, 4), request(NET, "R2", 50.0, 2, 5, earliest=3600.0)]
    plain = run_drt(NET, single_area_layout(6, end_s=7200.0), reqs)
    rng = np.random.default_rng(9)
    with_rng = run_drt(NET, single_area_layout(6, end_s=7200.0), reqs, rng=rng)
    assert repr(plain) == repr(with_rng)
    assert rng.random() == np.random.default_rng(9).random()  # untouched
