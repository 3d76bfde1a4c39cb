"""Lines on a real timetable: times kept as given, blocks cut by hand-checkable rules."""

from __future__ import annotations

from sim.model.lines.scheduled import ScheduledTrip, build_scheduled_line
from tests.helpers import line_network


def _trip(direction: int, *times: float) -> ScheduledTrip:
    return ScheduledTrip(direction, tuple(times), tuple(times))


def test_blocks_prefer_a_vehicle_at_the_stop_then_an_empty_run_then_a_new_vehicle() -> None:
    net = line_network(6)  # time(a, b) = 100 s per node apart
    tt = net.oracle().time_s
    # direction 0: 0 -> 2 (200 s), direction 1: 2 -> 0
    trips = [
        _trip(0, 0.0, 200.0),      # vehicle 0; ready at node 2 at 200 + 60 = 260
        _trip(0, 100.0, 300.0),    # vehicle 0 is busy: vehicle 1; ready at node 2 at 360
        _trip(1, 260.0, 460.0),    # vehicle 0 (at node 2, ready 260); ready at node 0 at 520
        _trip(1, 400.0, 600.0),    # vehicle 1 (at node 2, ready 360)
        _trip(0, 500.0, 700.0),    # nobody at node 0 by 500 (vehicle 0 ready 520): empty runs from
                                   # node 2 take 200 s, vehicle 1 is still on its trip -> vehicle 2
        _trip(0, 800.0, 1000.0),   # vehicle 0 at node 0 (ready 520) wins over vehicle 1 (ready 660 at 0)
    ]
    layout = build_scheduled_line(
        "x", [(0, 2), (2, 0)], ("a", "b"), trips, depot=0, tt=tt, turn_s=lambda run: 60.0, fare_yen=0.0
    )
    assert [t.vehicle for t in layout.trips] == [0, 1, 0, 1, 2, 0]
    assert layout.blocks == ((0, 2, 5), (1, 3), (4,))
    assert layout.run_s == (200.0, 200.0)
    assert layout.headway_s is None
    assert [t.depart_s for t in layout.trips][2] == (260.0, 460.0)


def test_an_empty_run_links_trips_of_a_one_way_line() -> None:
    net = line_network(6)
    tt = net.oracle().time_s
    # one direction only, 0 -> 3 (300 s); the bus drives back empty (300 s) after a 60 s turn
    trips = [_trip(0, 0.0, 300.0), _trip(0, 659.0, 959.0), _trip(0, 660.0, 960.0)]
    layout = build_scheduled_line("x", [(0, 3)], ("a", "b"), trips, depot=0, tt=tt, turn_s=lambda run: 60.0, fare_yen=0.0)
    # ready at node 3 at 360, back at node 0 at 660: too late for 659, in time for 660
    assert layout.blocks == ((0, 2), (1,))
