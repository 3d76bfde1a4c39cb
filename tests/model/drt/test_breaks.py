"""Planned drivers' breaks (issue 11): a break of 30 min in every 4 h kept in the vehicles' plans.

A fully busy day on the grid of ``tests.helpers`` (4 x 4 nodes 500 m apart, 50 s per edge): one
or two vehicles and a request every 90 s for 10 hours, far more than they can carry.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.model.drt.dispatch import StopKind
from sim.model.eventlog import MoveKind, Outcome
from sim.staffing.runcut import continuous_driving
from tests.helpers import drt_params, grid_network, request, run_drt, single_area_layout

GRID = grid_network(4, 4, 500.0)
DAY_S = 10 * 3600.0


def _busy_day(plan_breaks: bool, fleet: int = 1, automation: str = "human"):
    rng = np.random.default_rng(5)
    reqs = []
    for k in range(int(DAY_S / 90)):
        o, d = (int(x) for x in rng.choice(16, size=2, replace=False))
        reqs.append(request(GRID, f"R{k:03d}", 90.0 * k, o, d))
    params = dataclasses.replace(
        drt_params(max_wait_s=1800.0, automation=automation), plan_breaks=plan_breaks, break_s=1800.0,
        break_interval_s=14_400.0,
    )
    layout = single_area_layout(16, depot=5, fleet_size=fleet, end_s=DAY_S)
    return run_drt(GRID, layout, reqs, params), params


def _longest_continuous(log, vid: int) -> float:
    drives = sorted((m.start_s, m.end_s) for m in log.moves if m.vehicle_id == vid and m.kind is MoveKind.DRIVE)
    return continuous_driving(drives, break_piece_s=600.0, break_total_s=1800.0)[0]


def test_breaks_are_planned_staggered_and_at_the_depot() -> None:
    p = dataclasses.replace(drt_params(), plan_breaks=True, break_s=1800.0, break_interval_s=14_400.0)
    first = p.breaks(5, 0.0, DAY_S, 0)
    assert [(s.kind, s.node, s.earliest_s, s.latest_s, s.duration_s) for s in first] == [
        (StopKind.BREAK, 5, 12_600.0, 14_400.0, 1800.0), (StopKind.BREAK, 5, 27_000.0, 28_800.0, 1800.0)
    ]
    # the fourth vehicle of an area breaks 1.5 h earlier (its last stretch is 3.5 h: no third break)
    assert [s.latest_s for s in p.breaks(5, 0.0, DAY_S, 3)] == [9_000.0, 23_400.0]
    # a break that would end after the day moves earlier to end by it
    assert [s.latest_s for s in p.breaks(5, 0.0, 30_000.0, 0)] == [14_400.0, 28_200.0]
    # a day shorter than 4 h needs none
    assert p.breaks(5, 0.0, 14_000.0, 0) == []


@pytest.mark.parametrize("fleet", [1, 2])
def test_no_duty_of_a_fully_busy_fleet_breaks_the_four_hour_rule(fleet: int) -> None:
    log, _ = _busy_day(True, fleet)
    served = sum(r.outcome is Outcome.SERVED for r in log.requests)
    assert served < len(log.requests)  # the fleet is saturated
    for v in log.vehicles:
        assert _longest_continuous(log, v.vehicle_id) <= 14_400.0 + 1e-6
        breaks = [m for m in log.moves if m.vehicle_id == v.vehicle_id and m.detail == "break"]
        assert breaks and all(
            m.kind is MoveKind.DWELL and m.end_s - m.start_s == 1800.0 and m.load == 0 and m.from_node == 5
            for m in breaks
        )
        # nobody rides through a break
        for lg in (g for g in log.legs if g.vehicle_id == v.vehicle_id):
            assert not any(lg.pickup_s < m.end_s and m.start_s < lg.dropoff_s for m in breaks)


def test_without_planned_breaks_the_busy_vehicle_drives_over_four_hours() -> None:
    log, _ = _busy_day(False)
    assert _longest_continuous(log, 0) > 14_400.0
    assert not [m for m in log.moves if m.detail == "break"]


def test_level4_vehicles_plan_no_breaks() -> None:
    log, _ = _busy_day(True, automation="level4_remote")
    assert not [m for m in log.moves if m.detail == "break"]
