"""Tests for sim.model.engine: exact timings on a line, and invariants on random small instances.

The line network (``helpers.line_network``) has nodes ``0 .. 5``, 1000 m apart at 36 km/h, so
every edge takes exactly 100 s: ``time(a, b) = 100 * |a - b|`` s, ``dist(a, b) = 1000 * |a - b|`` m.
Riders stand exactly on their nodes (walks are 0 m). Unless stated otherwise: one vehicle of 4
seats at depot 0, service 0..3600 s, dwell 60 s per stop, no boarding time, max wait 1800 s,
max ride 2 x direct, min transfer 120 s, fares 300 yen (one area) / 500 yen (two areas).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import (
    LAT0,
    M_PER_DEG_LAT,
    WALK,
    drt_params,
    grid_network,
    line_network,
    no_incidents,
    request,
    run_drt,
    single_area_layout,
    two_area_layout,
)
from sim.demand.generate import Request
from sim.model.drt.layout import DrtLayout
from sim.model.drt.simulation import DrtParams
from sim.model.eventlog import EventLog, LegRecord, MoveKind, Outcome, RejectReason, VehicleMove, VehicleRecord
from sim.model.incidents import Incident, IncidentProcess, IncidentSpec
from sim.network.graph import RoadNetwork

TOL = 1e-6
LINE = line_network()
#: 4 x 4 grid, 500 m edges, street speeds drawn from 20..50 km/h (fixed seed): times are not round.
GRID = grid_network(4, 4, 500.0, speeds_kmh=(20.0, 30.0, 40.0, 50.0), rng=np.random.default_rng(1))


def drive(vid: int, t0: float, t1: float, a: int, b: int, load: int) -> VehicleMove:
    return VehicleMove(vid, "drt", MoveKind.DRIVE, t0, t1, a, b, 1000.0 * abs(a - b), load)


def dwell(vid: int, t0: float, t1: float, node: int, load: int) -> VehicleMove:
    return VehicleMove(vid, "drt", MoveKind.DWELL, t0, t1, node, node, 0.0, load)


def core(lg: LegRecord) -> tuple:
    """The fields of a leg record the engine has always filled (later fields have defaults)."""
    return (lg.leg_id, lg.request_id, lg.service, lg.vehicle_id, lg.origin_node, lg.dest_node, lg.pax,
            lg.earliest_s, lg.pickup_s, lg.dropoff_s, lg.direct_s, lg.direct_m)


def by_id(log: EventLog) -> dict[str, object]:
    return {r.request_id: r for r in log.requests}


def legs_of(log: EventLog, rid: str) -> list[LegRecord]:
    return sorted((lg for lg in log.legs if lg.request_id == rid), key=lambda lg: lg.pickup_s)


def moves_of(log: EventLog, vid: int) -> list[VehicleMove]:
    return [m for m in log.moves if m.vehicle_id == vid]


def vehicle(log: EventLog, vid: int) -> VehicleRecord:
    return next(v for v in log.vehicles if v.vehicle_id == vid)


# --------------------------------------------------------------------------------------------------
# Exact cases on the line
# --------------------------------------------------------------------------------------------------


def test_single_request_exact() -> None:
    log = run_drt(LINE, single_area_layout(6), [request(LINE, "A", 0.0, 2, 5)])
    (rec,) = log.requests
    # drive 0 -> 2 (200 s), board at 200, dwell to 260, drive 2 -> 5 (300 s), alight at 560
    assert rec.outcome is Outcome.SERVED and rec.reason is RejectReason.NONE
    assert (rec.legs, rec.origin_stop, rec.dest_stop, rec.vehicles) == (1, 2, 5, "0")
    assert (rec.walk_access_m, rec.walk_egress_m, rec.walk_s) == (0.0, 0.0, 0.0)
    assert (rec.pickup_s, rec.dropoff_s) == (200.0, 560.0)
    assert rec.wait_s == 200.0
    assert rec.ride_s == 360.0  # 60 s dwell + 300 s driving
    assert rec.transfer_wait_s == 0.0
    assert (rec.direct_s, rec.direct_m) == (300.0, 3000.0)
    assert rec.detour == pytest.approx(1.2)
    assert rec.fare_yen == 300.0 and rec.prebooked is False
    (lg,) = log.legs
    assert core(lg) == (0, "A", "drt", 0, 2, 5, 1, 0.0, 200.0, 560.0, 300.0, 3000.0)
    assert log.moves == [
        drive(0, 0.0, 200.0, 0, 2, 0),
        dwell(0, 200.0, 260.0, 2, 1),
        drive(0, 260.0, 560.0, 2, 5, 1),
        dwell(0, 560.0, 620.0, 5, 0),
        drive(0, 3600.0, 4100.0, 5, 0, 0),  # pull-in at the end of service: 5 km, 500 s
    ]
    v = vehicle(log, 0)
    assert (v.shift_start_s, v.shift_end_s, v.pull_in_s) == (0.0, 3600.0, 4100.0)
    assert v.hours == pytest.approx(4100.0 / 3600.0)
    assert v.km == pytest.approx(10.0)  # 2 empty + 3 loaded + 5 pull-in
    assert v.empty_km == pytest.approx(7.0)
    assert v.pax_km == pytest.approx(3.0)
    assert (v.boardings, v.capacity, v.depot_node, v.area) == (1, 4, 0, "all")


def test_party_and_boarding_time() -> None:
    params = drt_params(board_s_per_pax=5.0)
    log = run_drt(LINE, single_area_layout(6), [request(LINE, "A", 0.0, 2, 5, party=3)], params)
    (rec,) = log.requests
    # board at 200, dwell 60 + 3 x 5 = 75 -> depart 275, arrive 575
    assert (rec.pickup_s, rec.dropoff_s, rec.ride_s) == (200.0, 575.0, 375.0)
    assert rec.fare_yen == 900.0  # 3 x 300
    v = vehicle(log, 0)
    assert v.boardings == 3 and v.pax_km == pytest.approx(9.0)


def test_two_requests_pool_in_one_vehicle() -> None:
    reqs = [request(LINE, "A", 0.0, 1, 5), request(LINE, "B", 0.0, 2, 4)]
    log = run_drt(LINE, single_area_layout(6), reqs)
    a, b = by_id(log)["A"], by_id(log)["B"]
    # A alone: pick 1 at 100, drop 5 at 560. Adding B between (pick 2 at 260, drop 4 at 520)
    # delays A's drop-off to 680 and the plan end by 120 s: the cheapest insertion.
    assert (a.pickup_s, a.dropoff_s, a.wait_s, a.ride_s) == (100.0, 680.0, 100.0, 580.0)
    assert (b.pickup_s, b.dropoff_s, b.wait_s, b.ride_s) == (260.0, 520.0, 260.0, 260.0)
    assert a.vehicles == b.vehicles == "0"
    assert log.moves[:8] == [
        drive(0, 0.0, 100.0, 0, 1, 0),
        dwell(0, 100.0, 160.0, 1, 1),
        drive(0, 160.0, 260.0, 1, 2, 1),
        dwell(0, 260.0, 320.0, 2, 2),
        drive(0, 320.0, 520.0, 2, 4, 2),
        dwell(0, 520.0, 580.0, 4, 1),
        drive(0, 580.0, 680.0, 4, 5, 1),
        dwell(0, 680.0, 740.0, 5, 0),
    ]
    v = vehicle(log, 0)
    assert v.km == pytest.approx(10.0) and v.empty_km == pytest.approx(6.0)
    assert v.pax_km == pytest.approx(1 * 1 + 2 * 2 + 1 * 1)
    assert v.boardings == 2


def test_request_out_of_reach_within_max_wait_is_rejected() -> None:
    # the vehicle needs 500 s to reach node 5
    log = run_drt(LINE, single_area_layout(6), [request(LINE, "A", 0.0, 5, 0)], drt_params(max_wait_s=499.0))
    (rec,) = log.requests
    assert rec.outcome is Outcome.REJECTED and rec.reason is RejectReason.NO_VEHICLE
    assert rec.legs == 0 and rec.fare_yen == 0.0 and rec.vehicles == ""
    assert math.isnan(rec.pickup_s) and math.isnan(rec.wait_s)
    assert log.legs == [] and log.moves == []
    v = vehicle(log, 0)
    assert (v.km, v.pull_in_s, v.boardings) == (0.0, 3600.0, 0)  # idle at the depot all day
    # with 500 s allowed it is served, waiting exactly 500 s
    log = run_drt(LINE, single_area_layout(6), [request(LINE, "A", 0.0, 5, 0)], drt_params(max_wait_s=500.0))
    assert log.requests[0].outcome is Outcome.SERVED and log.requests[0].wait_s == 500.0


def test_other_rejection_reasons() -> None:
    lay = single_area_layout(6, end_s=3600.0)
    reqs = [
        request(LINE, "big", 0.0, 1, 2, party=5),  # 4 seats
        request(LINE, "late", 0.0, 1, 2, earliest=3600.0),  # service ends at 3600
        request(LINE, "same", 0.0, 3, 3),
    ]
    reasons = {r.request_id: r.reason for r in run_drt(LINE, lay, reqs).requests}
    assert reasons == {
        "big": RejectReason.TOO_LARGE,
        "late": RejectReason.OUTSIDE_HOURS,
        "same": RejectReason.SAME_STOP,
    }


def test_prebooked_request_lazy_departure() -> None:
    log = run_drt(LINE, single_area_layout(6), [request(LINE, "A", 0.0, 2, 5, earliest=1000.0)])
    (rec,) = log.requests
    assert rec.prebooked is True
    assert (rec.pickup_s, rec.wait_s, rec.dropoff_s, rec.ride_s) == (1000.0, 0.0, 1360.0, 360.0)
    # the vehicle stays at the depot until 800 and arrives exactly at 1000
    assert log.moves[:4] == [
        drive(0, 800.0, 1000.0, 0, 2, 0),
        dwell(0, 1000.0, 1060.0, 2, 1),
        drive(0, 1060.0, 1360.0, 2, 5, 1),
        dwell(0, 1360.0, 1420.0, 5, 0),
    ]


def test_requests_before_the_service_start() -> None:
    lay = single_area_layout(6, start_s=600.0, end_s=3600.0)
    log = run_drt(LINE, lay, [request(LINE, "A", 0.0, 2, 5, earliest=700.0)])
    (rec,) = log.requests
    # the vehicle is free at 600 at the depot: earliest arrival at 2 is 800 -> wait 100
    assert (rec.pickup_s, rec.wait_s, rec.dropoff_s) == (800.0, 100.0, 1160.0)
    assert log.moves[0] == drive(0, 600.0, 800.0, 0, 2, 0)
    v = vehicle(log, 0)
    assert v.shift_start_s == 600.0 and v.hours == pytest.approx((4100.0 - 600.0) / 3600.0)


def test_diversion_picks_up_ahead_without_returning() -> None:
    reqs = [request(LINE, "A", 0.0, 0, 5), request(LINE, "B", 150.0, 3, 4)]
    log = run_drt(LINE, single_area_layout(6), reqs)
    a, b = by_id(log)["A"], by_id(log)["B"]
    # A boards at the depot at 0 and leaves at 60 for 5 (planned arrival 560). At 150 the vehicle
    # is between 0 and 1; it can change course at node 1 (t=160): on to 3 (360), dwell to 420,
    # 4 at 520 (B off, dwell to 580), 5 at 680.
    assert (b.pickup_s, b.dropoff_s, b.wait_s) == (360.0, 520.0, 210.0)
    assert (a.pickup_s, a.dropoff_s) == (0.0, 680.0)
    assert log.moves[:8] == [
        dwell(0, 0.0, 60.0, 0, 1),
        drive(0, 60.0, 160.0, 0, 1, 1),
        drive(0, 160.0, 360.0, 1, 3, 1),
        dwell(0, 360.0, 420.0, 3, 2),
        drive(0, 420.0, 520.0, 3, 4, 2),
        dwell(0, 520.0, 580.0, 4, 1),
        drive(0, 580.0, 680.0, 4, 5, 1),
        dwell(0, 680.0, 740.0, 5, 0),
    ]
    assert vehicle(log, 0).km == pytest.approx(10.0)


def test_diversion_behind_the_vehicle_turns_at_the_next_node() -> None:
    reqs = [request(LINE, "A", 0.0, 0, 5), request(LINE, "B", 170.0, 1, 4)]
    log = run_drt(LINE, single_area_layout(6), reqs)
    a, b = by_id(log)["A"], by_id(log)["B"]
    # at 170 the vehicle has passed 1 (160); next node 2 at 260, back to 1 at 360, dwell to 420,
    # 4 at 720 (dwell to 780), 5 at 880
    assert (b.pickup_s, b.dropoff_s) == (360.0, 720.0)
    assert (a.pickup_s, a.dropoff_s) == (0.0, 880.0)
    assert log.moves[1:4] == [
        drive(0, 60.0, 260.0, 0, 2, 1),
        drive(0, 260.0, 360.0, 2, 1, 1),
        dwell(0, 360.0, 420.0, 1, 2),
    ]
    assert vehicle(log, 0).km == pytest.approx(12.0)  # 0-2-1-5 = 7 km + 5 km pull-in


def test_transfer_between_two_areas() -> None:
    # area A = nodes 0..3 (vehicle 0, depot 0), area B = nodes 3..5 (vehicle 1, depot 5), hub 3
    lay = two_area_layout(6, range(0, 4), range(3, 6), hub=3, depot_a=0, depot_b=5)
    log = run_drt(LINE, lay, [request(LINE, "T", 0.0, 1, 5)])
    (rec,) = log.requests
    leg1, leg2 = legs_of(log, "T")
    # leg 1 (vehicle 0): 1 at 100, dwell to 160, hub 3 at 360.
    # leg 2 (vehicle 1): earliest 360 + 120 = 480; vehicle 1 leaves 5 at 280 (lazy), hub at 480,
    # dwell to 540, 5 at 740.
    assert core(leg1) == (0, "T", "drt", 0, 1, 3, 1, 0.0, 100.0, 360.0, 200.0, 2000.0)
    assert core(leg2) == (1, "T", "drt", 1, 3, 5, 1, 480.0, 480.0, 740.0, 200.0, 2000.0)
    assert rec.outcome is Outcome.SERVED
    assert (rec.legs, rec.vehicles, rec.origin_stop, rec.dest_stop) == (2, "0;1", 1, 5)
    assert (rec.pickup_s, rec.dropoff_s, rec.wait_s) == (100.0, 740.0, 100.0)
    assert rec.ride_s == 640.0  # includes the transfer wait
    assert rec.transfer_wait_s == 120.0
    assert (rec.direct_s, rec.direct_m) == (400.0, 4000.0)
    assert rec.detour == pytest.approx(1.6)
    assert rec.fare_yen == 500.0  # fare between areas
    assert moves_of(log, 1) == [
        drive(1, 280.0, 480.0, 5, 3, 0),
        dwell(1, 480.0, 540.0, 3, 1),
        drive(1, 540.0, 740.0, 3, 5, 1),
        dwell(1, 740.0, 800.0, 5, 0),
    ]
    assert moves_of(log, 0)[-1] == drive(0, 3600.0, 3900.0, 3, 0, 0)  # pull-in from the hub
    assert [v.area for v in sorted(log.vehicles, key=lambda v: v.vehicle_id)] == ["A", "B"]


def test_transfer_rejected_without_a_connecting_vehicle() -> None:
    lay = two_area_layout(6, range(0, 4), range(3, 6), hub=3, depot_a=0, depot_b=5, fleet_b=0)
    log = run_drt(LINE, lay, [request(LINE, "T", 0.0, 1, 5), request(LINE, "W", 0.0, 1, 2)])
    reasons = {r.request_id: r.reason for r in log.requests}
    assert reasons == {"T": RejectReason.NO_TRANSFER, "W": RejectReason.NONE}
    # the failed transfer left nothing behind in area A: only W rode (1 -> 2)
    assert [(lg.request_id, lg.origin_node, lg.dest_node) for lg in log.legs] == [("W", 1, 2)]


def test_transfer_keeps_the_min_transfer_time_when_both_vehicles_are_rescheduled() -> None:
    net = line_network(10)
    # area A = 0..3 (vehicle 0 at 0), area B = 3..9 (vehicle 1 at 9), hub 3; 600 s max wait,
    # 10 s boarding per rider, 120 s min transfer. All four requests are made at t = 0, in order.
    lay = two_area_layout(10, range(0, 4), range(3, 10), hub=3, depot_a=0, depot_b=9)
    params = drt_params(max_wait_s=600.0, board_s_per_pax=10.0, min_transfer_s=120.0)
    reqs = [
        # W (vehicle 1): waits at 5 for 1000, departs 1070, drops at 4 at 1170 (departs 1230)
        request(net, "W", 0.0, 5, 4, earliest=1000.0),
        # T: leg 1 (vehicle 0) boards 1 at 900, arrives at the hub at 1170; leg 2 earliest 1290;
        # vehicle 1 reaches the hub after W at 1330 (promised), so leg 1 may arrive until 1210.
        request(net, "T", 0.0, 1, 6, earliest=900.0),
        # N (vehicle 1): 6 -> 5, dropped at 5 just before W's pickup, whose dwell it shares: the
        # rest of vehicle 1's plan moves 60 s earlier and leg 2 now boards at 1290.
        request(net, "N", 0.0, 6, 5),
        # M (vehicle 0): boards at 1 with T (+10 s boarding), so leg 1 arrives at 1180 <= 1210.
        request(net, "M", 0.0, 1, 3, earliest=900.0),
    ]
    log = run_drt(net, lay, reqs, params)
    assert all(r.outcome is Outcome.SERVED for r in log.requests)
    leg1, leg2 = legs_of(log, "T")
    # today leg 1 arrives at 1180 and leg 2 boards at 1290: a 110 s transfer
    assert leg2.pickup_s - leg1.dropoff_s >= params.min_transfer_s


class ScriptedIncidents:
    """Stands in for :class:`sim.incidents.IncidentProcess`: one remote incident of
    ``duration_s`` at the end of the vehicle's first drive, none afterwards."""

    active = True

    def __init__(self, duration_s: float) -> None:
        self.pending = [Incident(duration_s, False)]

    def drive(self, km: float) -> list[Incident]:
        out, self.pending = self.pending, []
        return out


def test_incident_delays_the_vehicle_and_moves_its_promises() -> None:
    def incidents(vid: int):
        return ScriptedIncidents(1000.0)

    log = run_drt(LINE, single_area_layout(6), [request(LINE, "A", 0.0, 2, 5)], incidents=incidents)
    (rec,) = log.requests
    # drive 0 -> 2 ends at 200, then a 1000 s stop: board at 1200, alight at 5 at 1560
    assert (rec.pickup_s, rec.dropoff_s, rec.wait_s) == (1200.0, 1560.0, 1200.0)
    (halt,) = [m for m in log.moves if m.kind is MoveKind.INCIDENT]
    assert (halt.start_s, halt.end_s, halt.from_node, halt.detail) == (200.0, 1200.0, 2, "remote")
    (lg,) = log.legs
    assert (lg.promised_pickup_s, lg.promised_dropoff_s) == (200.0, 560.0)


def test_incident_delaying_a_feeder_leg_holds_the_connecting_vehicle() -> None:
    # as test_transfer_between_two_areas, but vehicle 0 stops 1000 s after reaching node 1 at 100
    lay = two_area_layout(6, range(0, 4), range(3, 6), hub=3, depot_a=0, depot_b=5)

    def incidents(vid: int):
        return ScriptedIncidents(1000.0) if vid == 0 else no_incidents(vid)

    log = run_drt(LINE, lay, [request(LINE, "T", 0.0, 1, 5)], incidents=incidents)
    legs = {lg.vehicle_id: lg for lg in log.legs}
    feeder, connection = legs[0], legs[1]
    assert (feeder.pickup_s, feeder.dropoff_s) == (1100.0, 1360.0)  # 1100 + 60 dwell + 200 drive
    # today the connecting vehicle still boards the rider at 480, 880 s before they arrive
    assert connection.pickup_s >= feeder.dropoff_s + 120.0


def test_trip_from_the_hub_is_one_leg_in_the_other_area() -> None:
    lay = two_area_layout(6, range(0, 4), range(3, 6), hub=3, depot_a=0, depot_b=5)
    log = run_drt(LINE, lay, [request(LINE, "H", 0.0, 3, 5)])
    (rec,) = log.requests
    # node 3 belongs to area A first, but the trip is served by area B's vehicle (id 1):
    # 5 -> 3 (200 s), board at 200, dwell to 260, 5 at 460
    assert (rec.legs, rec.vehicles, rec.pickup_s, rec.dropoff_s, rec.fare_yen) == (1, "1", 200.0, 460.0, 300.0)


# --------------------------------------------------------------------------------------------------
# Random instances: invariants
# --------------------------------------------------------------------------------------------------


def _jitter(net: RoadNetwork, node: int, dx_m: float, dy_m: float) -> tuple[float, float]:
    lat = float(net.lat[node]) + dy_m / M_PER_DEG_LAT
    lon = float(net.lon[node]) + dx_m / (M_PER_DEG_LAT * math.cos(math.radians(LAT0)))
    return lat, lon


@st.composite
def instances(
    draw: st.DrawFn, two_areas: bool = False, max_requests: int = 15, horizon_s: int = 2400
) -> tuple[DrtLayout, DrtParams, list[Request]]:
    """A random small DRT day on ``GRID`` (nodes ``r * 4 + c``)."""
    n = GRID.n
    capacity = draw(st.integers(1, 4))
    params = drt_params(
        max_wait_s=draw(st.sampled_from([120.0, 300.0, 600.0, 1200.0])),
        max_ride_factor=draw(st.sampled_from([1.0, 1.5, 2.0])),
        max_ride_extra_s=draw(st.sampled_from([0.0, 120.0, 300.0])),
        min_transfer_s=draw(st.sampled_from([0.0, 60.0, 180.0])),
        stop_s=draw(st.sampled_from([0.0, 30.0, 60.0])),
        board_s_per_pax=draw(st.sampled_from([0.0, 3.0])),
        capacity=capacity,
    )
    start_s = draw(st.sampled_from([0.0, 600.0]))
    end_s = 3000.0
    node = st.integers(0, n - 1)
    if two_areas:
        hub = draw(st.sampled_from([2, 6, 10, 14]))  # column 2, shared by both areas
        nodes_a = [k for k in range(n) if k % 4 <= 2]
        nodes_b = [k for k in range(n) if k % 4 >= 2]
        layout = two_area_layout(
            n, nodes_a, nodes_b, hub=hub,
            depot_a=draw(st.sampled_from(nodes_a)), depot_b=draw(st.sampled_from(nodes_b)),
            fleet_a=draw(st.integers(1, 2)), fleet_b=draw(st.integers(0, 2)),
            start_s=start_s, end_s=end_s,
        )
    else:
        layout = single_area_layout(
            n, depot=draw(node), fleet_size=draw(st.integers(1, 3)), start_s=start_s, end_s=end_s
        )
    reqs = []
    for k in range(draw(st.integers(1, max_requests))):
        t = float(draw(st.integers(0, horizon_s)))
        lead = float(draw(st.sampled_from([0, 0, 0, 60, 300, 900, 1800])))
        o, d = draw(node), draw(node)
        olat, olon = _jitter(GRID, o, draw(st.floats(-40, 40)), draw(st.floats(-40, 40)))
        dlat, dlon = _jitter(GRID, d, draw(st.floats(-40, 40)), draw(st.floats(-40, 40)))
        reqs.append(
            Request(f"R{k:02d}", t, t + lead, o, d, draw(st.integers(1, capacity + 1)), olat, olon, dlat, dlon)
        )
    reqs.sort(key=lambda r: r.request_time_s)
    return layout, params, reqs


def _position_at(moves: list[VehicleMove], depot: int, t: float) -> int | None:
    """Node where the vehicle stands at ``t``, or ``None`` if it is driving then."""
    pos = depot
    for m in moves:
        if m.kind is MoveKind.DRIVE:
            if m.start_s < t - TOL and m.end_s > t + TOL:
                return None
            if m.end_s <= t + TOL:
                pos = m.to_node
    return pos


def check_invariants(
    log: EventLog, layout: DrtLayout, params: DrtParams, reqs: list[Request], *, promises: bool = True
) -> None:
    """Invariants of a simulated day. With ``promises=False`` (incidents re-time plans and move
    promises) the max-wait, max-ride and min-transfer limits are not checked."""
    oracle = GRID.oracle()
    req_by_id = {r.request_id: r for r in reqs}
    # every request exactly once
    counts = Counter(r.request_id for r in log.requests)
    assert set(counts) == set(req_by_id) and all(c == 1 for c in counts.values())
    legs_by_req: dict[str, list[LegRecord]] = defaultdict(list)
    for lg in log.legs:
        legs_by_req[lg.request_id].append(lg)
    area_members = {a.name: a.members for a in layout.areas}
    vrec = {v.vehicle_id: v for v in log.vehicles}
    assert len(vrec) == sum(a.fleet_size for a in layout.areas)

    for rec in log.requests:
        req = req_by_id[rec.request_id]
        legs = sorted(legs_by_req.get(rec.request_id, []), key=lambda lg: lg.pickup_s)
        if rec.outcome is Outcome.REJECTED:
            assert rec.reason is not RejectReason.NONE and legs == [] and rec.fare_yen == 0.0
            if rec.reason is RejectReason.TOO_LARGE:
                assert req.party_size > params.capacity
            continue
        assert rec.reason is RejectReason.NONE and req.party_size <= params.capacity
        assert rec.legs == len(legs) >= 1
        earliest = req.earliest_pickup_s + rec.walk_access_m / WALK.speed_mps
        assert legs[0].earliest_s == pytest.approx(earliest, abs=TOL)
        assert layout.start_s <= earliest < layout.end_s
        assert earliest - TOL <= rec.pickup_s
        assert rec.pickup_s <= earliest + params.max_wait_s + TOL or not promises
        assert rec.wait_s == pytest.approx(rec.pickup_s - earliest, abs=TOL)
        assert rec.pickup_s == legs[0].pickup_s and rec.dropoff_s == legs[-1].dropoff_s
        assert rec.ride_s == pytest.approx(rec.dropoff_s - rec.pickup_s, abs=TOL)
        assert rec.vehicles == ";".join(str(lg.vehicle_id) for lg in legs)
        assert legs[0].origin_node == rec.origin_stop and legs[-1].dest_node == rec.dest_stop
        for lg in legs:
            assert lg.pax == req.party_size
            assert lg.earliest_s - TOL <= lg.pickup_s < lg.dropoff_s
            assert lg.direct_s == pytest.approx(oracle.time_s(lg.origin_node, lg.dest_node))
            if promises:
                assert lg.pickup_s <= lg.earliest_s + params.max_wait_s + TOL
                max_ride = params.max_ride_factor * lg.direct_s + params.max_ride_extra_s
                assert lg.dropoff_s - lg.pickup_s <= max_ride + TOL
            members = area_members[vrec[lg.vehicle_id].area]
            assert members[lg.origin_node] and members[lg.dest_node]
        if len(legs) == 1:
            assert rec.transfer_wait_s == 0.0 and rec.fare_yen == params.fare_within_yen * req.party_size
        else:
            assert len(legs) == 2 and layout.hub is not None
            l1, l2 = legs
            assert l1.dest_node == layout.hub == l2.origin_node
            assert l2.pickup_s >= l1.dropoff_s + (params.min_transfer_s if promises else 0.0) - TOL
            assert rec.transfer_wait_s == pytest.approx(l2.pickup_s - l1.dropoff_s, abs=TOL)
            assert rec.fare_yen == params.fare_between_yen * req.party_size

    moves_by_v: dict[int, list[VehicleMove]] = defaultdict(list)
    for m in log.moves:
        moves_by_v[m.vehicle_id].append(m)
    for vid, v in vrec.items():
        moves = moves_by_v.get(vid, [])
        vlegs = [lg for lg in log.legs if lg.vehicle_id == vid]
        # time order, no overlap, continuity of position, exact drive times and distances
        pos, t = v.depot_node, v.shift_start_s
        for m in moves:
            assert m.start_s >= t - TOL and m.end_s >= m.start_s
            t = m.end_s
            assert m.from_node == pos
            if m.kind is MoveKind.DRIVE:
                assert m.from_node != m.to_node
                assert m.end_s - m.start_s == pytest.approx(oracle.time_s(m.from_node, m.to_node), abs=TOL)
                assert m.distance_m == pytest.approx(oracle.dist_m(m.from_node, m.to_node), rel=1e-9)
                pos = m.to_node
                # the recorded load is what the legs say was on board during the drive
                on_board = sum(
                    lg.pax for lg in vlegs if lg.pickup_s < m.end_s - TOL and lg.dropoff_s > m.start_s + TOL
                )
                assert m.load == on_board <= v.capacity
            else:  # dwell or incident: standing still
                assert m.to_node == pos and m.distance_m == 0.0 and m.load <= v.capacity
        assert pos == v.depot_node  # home at the end of the day
        assert v.pull_in_s >= v.shift_end_s - TOL
        if promises:
            assert v.shift_end_s == layout.end_s
        if moves and moves[-1].kind is MoveKind.INCIDENT and moves[-1].start_s >= v.shift_end_s - TOL:
            assert moves[-1].end_s == pytest.approx(v.pull_in_s)  # an incident on the pull-in drive
            assert moves[-1].to_node == v.depot_node
        elif moves and moves[-1].kind is MoveKind.DRIVE and moves[-1].start_s >= v.shift_end_s - TOL:
            assert moves[-1].end_s == pytest.approx(v.pull_in_s)  # pull-in drive
        else:
            assert v.pull_in_s == v.shift_end_s  # already at the depot
        assert v.hours == pytest.approx((v.pull_in_s - v.shift_start_s) / 3600.0)
        km = sum(m.distance_m for m in moves) / 1000.0
        assert v.km == pytest.approx(km, rel=1e-6, abs=1e-12)
        assert v.empty_km == pytest.approx(
            sum(m.distance_m for m in moves if m.load == 0) / 1000.0, rel=1e-6, abs=1e-12
        )
        assert v.pax_km == pytest.approx(sum(m.load * m.distance_m for m in moves) / 1000.0, rel=1e-6, abs=1e-12)
        assert v.boardings == sum(lg.pax for lg in vlegs)
        # loads rebuilt from the legs never exceed the capacity (drop-offs first at equal times)
        events = sorted([(lg.pickup_s, 1, lg.pax) for lg in vlegs] + [(lg.dropoff_s, 0, -lg.pax) for lg in vlegs])
        load = 0
        for _, _, delta in events:
            load += delta
            assert 0 <= load <= v.capacity
        # the vehicle stands at the stop when a leg boards or alights, within its service day
        for lg in vlegs:
            assert v.shift_start_s - TOL <= lg.pickup_s and lg.dropoff_s <= v.shift_end_s + TOL
            assert _position_at(moves, v.depot_node, lg.pickup_s) == lg.origin_node
            assert _position_at(moves, v.depot_node, lg.dropoff_s) == lg.dest_node


@settings(max_examples=40, deadline=None, derandomize=True)
@given(instances())
def test_random_instances_keep_every_promise(instance: tuple[DrtLayout, DrtParams, list[Request]]) -> None:
    layout, params, reqs = instance
    log = run_drt(GRID, layout, reqs, params)
    check_invariants(log, layout, params, reqs)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(instances(two_areas=True))
def test_random_transfer_instances_keep_every_promise(instance: tuple[DrtLayout, DrtParams, list[Request]]) -> None:
    layout, params, reqs = instance
    log = run_drt(GRID, layout, reqs, params)
    check_invariants(log, layout, params, reqs)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(instances(), st.integers(0, 2**32 - 1))
def test_random_instances_with_incidents_stay_consistent(
    instance: tuple[DrtLayout, DrtParams, list[Request]], seed: int
) -> None:
    """Automated vehicles with frequent incidents (0.3 per km, 2-10 min): plans are re-timed,
    promises move, but the day stays physically consistent and nobody boards before being there.
    (One area here; with transfers see test_incident_delaying_a_feeder_leg_holds_the_connecting_vehicle.)"""
    layout, params, reqs = instance
    spec = IncidentSpec(rate_per_m=300.0 / 1e6, remote_share=0.5, remote_mean_s=120.0, onsite_mean_s=600.0)

    def incidents(vid: int) -> IncidentProcess:
        return IncidentProcess(spec, np.random.default_rng([seed, vid]))

    log = run_drt(GRID, layout, reqs, params, incidents=incidents)
    check_invariants(log, layout, params, reqs, promises=False)
    halts = [m for m in log.moves if m.kind is MoveKind.INCIDENT]
    assert all(m.detail in ("remote", "onsite") and m.end_s >= m.start_s for m in halts)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(instances(two_areas=True))
def test_runs_are_deterministic(instance: tuple[DrtLayout, DrtParams, list[Request]]) -> None:
    layout, params, reqs = instance
    first = run_drt(GRID, layout, reqs, params)
    second = run_drt(GRID, layout, reqs, params)
    for name in ("requests", "legs", "moves", "vehicles"):
        assert repr(getattr(first, name)) == repr(getattr(second, name)), name
