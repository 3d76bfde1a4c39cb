"""Batteries and charging (sim/model/energy.py): exact charging times on a hand-checkable line,
spares taking over, DRT vehicles leaving service to charge, never below zero range."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import (
    DaySpec,
    DrtServiceSpec,
    LineSpec,
    VehicleSpec,
    compute_metrics,
    simulate_day,
)
from sim.model.energy import BatteryPool, BatterySpec
from sim.model.eventlog import MoveKind
from tests.model.test_library import road, trip

T7 = 7 * 3600.0
# 12 km on a full charge, 1,200 s from empty to full: 10 m of range per second of charging
SMALL = BatterySpec(range_m=12_000.0, full_charge_s=1_200.0)


def shuttle(spares: int) -> LineSpec:
    bus = VehicleSpec("ev", capacity=20, stop_dwell_s=0.0, battery=SMALL)
    # 0 <-> 5 out and back (5 km, 500 s each way), departures every 1,000 s: one block of 6 trips
    return LineSpec("l", bus, stops=(0, 5), departures_s=(T7, T7 + 1000, T7 + 2000), layover_s=0.0,
                    recovery_share=0.0, spare_vehicles=spares)


def test_pool_charges_linearly_and_picks_the_vehicle_ready_first() -> None:
    pool = BatteryPool("s", "ev", SMALL, in_service=1, spares=1)
    pool.drive(0, 9_000.0)
    assert pool.charge_m(0) == 3_000.0
    # a full spare is ready at once
    unit, ready = pool.swap(0, 100.0, 10_000.0)
    assert (unit, ready) == (1, 100.0) and pool.swaps == 1
    pool.drive(1, 11_000.0)
    # the first vehicle has charged since t = 100 s: at t = 600 s it holds 3,000 + 5,000 m
    unit, ready = pool.swap(1, 600.0, 10_000.0)
    assert unit == 0 and ready == 800.0  # 2,000 m more at 10 m/s
    (rec,) = pool.charges
    assert (rec.unit, rec.start_s, rec.end_s, rec.from_m, rec.to_m) == (0, 100.0, 800.0, 3_000.0, 10_000.0)
    with pytest.raises(ValueError, match="more than the full range"):
        pool.swap(0, 900.0, 13_000.0)


def test_a_line_vehicle_charges_exactly_as_long_as_the_rate_needs() -> None:
    net = road(6)
    day = simulate_day(net, [], DaySpec(services=(shuttle(0),)))
    log = day.log
    charges = [m for m in log.moves if m.kind is MoveKind.CHARGE]
    # out (5 km) and back (5 km) leave 2 km; the next trip needs 10 km (out, and back to the depot):
    # 8 km more at 10 m/s = 800 s at the depot from 07:16:40; two trips later the battery is empty
    # (it charged just enough) and needs 10 km = 1,000 s
    assert [(m.start_s, m.end_s, m.from_node) for m in charges] == [
        (T7 + 1000.0, T7 + 1800.0, 0), (T7 + 2800.0, T7 + 3800.0, 0),
    ]
    (pool,) = log.energy
    assert pool.min_charge_m == 0.0 and pool.swaps == 0 and pool.spares_used == 0
    assert [(c.from_m, c.to_m) for c in pool.charges][:2] == [(2_000.0, 10_000.0), (0.0, 10_000.0)]
    m = compute_metrics(log)
    assert m["min_charge_km"] == 0.0 and m["battery_swaps"] == 0 and m["charging_h"] >= 1800 / 3600
    # the second departure (07:16:40) left 800 s late, when the charge was done
    second = [d for d in log.moves if d.kind is MoveKind.DRIVE and d.from_node == 0][1]
    assert second.start_s == T7 + 1800.0


def test_a_spare_takes_over_at_once() -> None:
    net = road(6)
    log = simulate_day(net, [], DaySpec(services=(shuttle(1),))).log
    assert not [m for m in log.moves if m.kind is MoveKind.CHARGE]  # no wait: the spare was full
    (pool,) = log.energy
    # after two trips the spare takes over; two trips later the first vehicle, charged full in the
    # 2,000 s since (20 km at 10 m/s, capped at 12 km), takes over again
    assert pool.swaps == 2 and pool.spares_used == 1 and pool.min_charge_m == 2_000.0
    assert compute_metrics(log)["spare_vehicles"] == 1


def test_drt_vehicles_leave_service_to_charge_and_never_run_empty() -> None:
    net = road(6)
    t0 = 8 * 3600.0
    battery = BatterySpec(range_m=30_000.0, full_charge_s=1_800.0, low_share=0.4, resume_share=0.9)
    van = VehicleSpec("ev", capacity=4, stop_dwell_s=30.0, battery=battery)
    svc = DrtServiceSpec("d", van, fleet_size=2, start_s=t0, end_s=t0 + 4 * 3600, door_to_door=True, depot=0)
    reqs = [trip(net, f"r{k}", t0 + 300 * k, k % 6, (k * 5 + 1) % 6) for k in range(40) if k % 6 != (k * 5 + 1) % 6]
    log = simulate_day(net, reqs, DaySpec(services=(svc,)), seed=np.random.SeedSequence(3)).log
    (pool,) = log.energy
    assert pool.min_charge_m >= -1e-6
    charges = [m for m in log.moves if m.kind is MoveKind.CHARGE]
    assert charges and all(m.from_node == 0 for m in charges)
    # charging at 1,800 s per 30 km: each charge lasts what the missing range needs
    for c in pool.charges:
        assert c.end_s - c.start_s == pytest.approx((c.to_m - c.from_m) / (30_000.0 / 1_800.0))
    # no ride is picked up by a vehicle while it charges
    for m in charges:
        assert not [g for g in log.legs if g.vehicle_id == m.vehicle_id and m.start_s < g.pickup_s < m.end_s]


def test_availability_is_planned_hours_less_the_charging_wait() -> None:
    net = road(6)
    log = simulate_day(net, [], DaySpec(services=(shuttle(0),))).log
    m = compute_metrics(log)
    # one block planned from 07:00 to the last planned arrival (6 trips of 500 s ending 07:50:00)
    assert log.planned_vehicle_s == {"l": 3000.0}
    assert m["availability_lost_charging_h"] == (800.0 + 1000.0) / 3600.0
    assert m["service_availability"] == pytest.approx(1 - 1800.0 / 3000.0)
    assert m["availability"]["per_service"]["l"]["lost_h"] == {"incidents": 0.0, "supervision": 0.0, "charging": 0.5}


def test_availability_counts_at_most_the_planned_hours_of_a_service_as_lost() -> None:
    from sim.model.availability import availability
    from sim.model.eventlog import EventLog, VehicleMove

    log = EventLog()
    # service a: 1 h planned, 2 h of charging waits logged; service b: 3 h planned, 0.5 h of incidents
    log.moves += [VehicleMove(0, "a", MoveKind.CHARGE, 0.0, 7200.0, 0, 0, 0.0, 0),
                  VehicleMove(1, "b", MoveKind.INCIDENT, 0.0, 1800.0, 0, 0, 0.0, 0, "takeover")]
    out = availability(log, {"a": 3600.0, "b": 10800.0})
    assert out["availability"]["per_service"]["a"]["service_availability"] == 0.0
    assert out["availability"]["per_service"]["b"]["service_availability"] == pytest.approx(1 - 1800 / 10800)
    assert out["service_availability"] == pytest.approx(1 - (3600 + 1800) / 14400)
    assert out["availability_lost_charging_h"] == 2.0 and out["availability_lost_incidents_h"] == 0.5


def test_charging_points_charge_during_layovers_at_the_rate() -> None:
    """Chargers at both ends of a 5 km out-and-back with a 200 s layover at the far end: each
    layover adds exactly 10 m of range a second (up to full) and the vehicle never goes to the
    depot to charge; without them it does, and leaves late."""
    bus = VehicleSpec("ev", capacity=20, stop_dwell_s=0.0, battery=SMALL)

    def run(points: tuple[int, ...]):
        spec = LineSpec("l", bus, stops=(0, 5), departures_s=(T7, T7 + 2000, T7 + 4000), layover_s=200.0,
                        recovery_share=0.0, charging_nodes=points)
        return simulate_day(road(6), [], DaySpec(services=(spec,))).log

    log = run((0, 5))
    (pool,) = log.energy
    assert not [m for m in log.moves if m.kind is MoveKind.CHARGE]
    assert [(c.start_s - T7, c.end_s - T7, c.from_m, c.to_m) for c in pool.charges] == [
        (500.0, 700.0, 7_000.0, 9_000.0),      # 200 s at the far end: +2 km
        (1200.0, 2000.0, 4_000.0, 12_000.0),   # 800 s back at the start: +8 km, full
        (2500.0, 2700.0, 7_000.0, 9_000.0), (3200.0, 4000.0, 4_000.0, 12_000.0), (4500.0, 4700.0, 7_000.0, 9_000.0),
    ]
    assert all(c.layover and c.to_m - c.from_m == SMALL.rate_mps * (c.end_s - c.start_s) for c in pool.charges)
    assert pool.min_charge_m == 4_000.0 >= 0
    m = compute_metrics(log)
    assert m["layover_charging_h"] == pytest.approx(2200 / 3600) and m["charging_h"] == 0.0
    # no charging points: to the depot twice, never below zero, and the last trip leaves late
    plain = run(())
    charges = [(c.start_s - T7, c.end_s - T7) for c in plain.moves if c.kind is MoveKind.CHARGE]
    assert charges == [(1200.0, 2000.0), (3200.0, 4200.0)] and plain.energy[0].min_charge_m == 0.0
    assert "layover_charging_h" not in compute_metrics(plain)


def test_a_layover_charge_too_small_for_the_next_trip_sends_the_vehicle_to_the_depot() -> None:
    bus = VehicleSpec("ev", capacity=20, stop_dwell_s=0.0, battery=SMALL)
    # charger only at the far end; after the return (4 km left) the next trip needs 10 km: depot
    spec = LineSpec("l", bus, stops=(0, 5), departures_s=(T7, T7 + 2000), layover_s=200.0, recovery_share=0.0,
                    charging_nodes=(5,))
    log = simulate_day(road(6), [], DaySpec(services=(spec,))).log
    (pool,) = log.energy
    assert [(c.layover, c.start_s - T7, c.end_s - T7) for c in pool.charges] == [
        (True, 500.0, 700.0), (False, 1200.0, 1800.0), (True, 2500.0, 2700.0),
    ]
    assert pool.min_charge_m >= 0
