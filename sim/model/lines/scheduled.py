"""Lines run on a real timetable: every trip with its own times at every stop (e.g. from GTFS).

Pure code (no simpy). Unlike :func:`sim.model.lines.timetable.build_line`, which derives the
times at later stops from the network's travel times, the planned arrival and departure at
each stop are taken as given (seconds since midnight of the service day; past 86,400 s the trip
runs after midnight). The simulated vehicles still drive on the network: a vehicle never leaves a
stop before its planned departure and runs late when the roads are slower than the schedule.

Blocks (which vehicle runs which trip) are cut greedily in order of first departure: a trip goes
to the vehicle that has been ready longest at its first stop; failing that, to the vehicle
ready longest that can drive empty to the first stop in time; failing that, to a new vehicle.
A vehicle is ready ``turn_s(run)`` after arriving at the end of a trip whose running time is
``run`` seconds (layover plus recovery, as for headway lines).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sim.model.lines.timetable import LineLayout, LineTrip, build_line
from sim.model.services import LineSpec, ScheduledTrip
from sim.tolerance import EPS

__all__ = ["ScheduledTrip", "build_scheduled_line", "build_spec_line", "lay_line"]


def lay_line(spec: LineSpec, tt: Callable[[int, int], float]) -> LineLayout:
    """Lay out any line: on its real timetable (``spec.trips``) or from its first-stop departures
    (:func:`sim.model.lines.timetable.build_line`)."""
    return build_spec_line(spec, tt) if spec.trips is not None else build_line(spec, tt)


def build_spec_line(spec: LineSpec, tt: Callable[[int, int], float]) -> LineLayout:
    """Lay out a :class:`LineSpec` that carries a real timetable (``spec.trips``)."""
    trips = spec.trips or ()
    stops = tuple(int(n) for n in spec.stops)
    patterns: list[tuple[int, ...]] = [stops]
    if any(t.direction == 1 for t in trips):
        patterns.append(tuple(spec.return_stops) if spec.return_stops is not None else tuple(reversed(stops)))
    for t in trips:
        n = len(patterns[t.direction])
        if len(t.arrive_s) != n or len(t.depart_s) != n:
            raise ValueError(f"line {spec.name!r}: a trip has {len(t.arrive_s)} times for {n} stops")
    return build_scheduled_line(
        spec.name,
        patterns,
        spec.stop_labels or tuple(f"node:{n}" for n in stops),
        trips,
        depot=spec.depot if spec.depot is not None else stops[0],
        tt=tt,
        turn_s=lambda run: spec.layover_s + spec.recovery_share * run,
        fare_yen=spec.fare_yen,
    )


def build_scheduled_line(
    name: str,
    patterns: Sequence[Sequence[int]],
    labels: Sequence[str],
    trips: Sequence[ScheduledTrip],
    *,
    depot: int,
    tt: Callable[[int, int], float],
    turn_s: Callable[[float], float],
    fare_yen: float,
) -> LineLayout:
    """Lay out a line whose trips are given with all their times.

    Parameters
    ----------
    patterns
        Stop nodes of direction 0 and (optionally) direction 1.
    labels
        Names of the direction-0 stops (as configured).
    trips
        The trips; each has one time per stop of its direction's pattern.
    depot
        Node where the vehicles start and end their day.
    tt
        Driving time between two nodes (s), for empty runs between trips.
    turn_s
        Terminal time (layover plus recovery, s) after a trip of the given running time (s).
    """
    pats = tuple(tuple(int(n) for n in p) for p in patterns)
    ordered = sorted(trips, key=lambda t: (t.depart_s[0], t.direction, t.arrive_s[-1]))
    out: list[LineTrip] = []
    blocks: list[list[int]] = []
    free: list[tuple[float, int]] = []  # per vehicle: (ready time, node)
    run = [0.0] * len(pats)
    for trip in ordered:
        pattern = pats[trip.direction]
        first, dep = pattern[0], trip.depart_s[0]
        best: tuple[int, float, int] | None = None  # (not at the stop, ready time, vehicle)
        for v, (ready, node) in enumerate(free):
            at_stop = node == first
            if ready + (0.0 if at_stop else tt(node, first)) > dep + EPS:
                continue
            key = (0 if at_stop else 1, ready, v)
            if best is None or key < best:
                best = key
        if best is None:
            vehicle = len(blocks)
            blocks.append([])
            free.append((0.0, first))
        else:
            vehicle = best[2]
        run_s = trip.arrive_s[-1] - dep
        run[trip.direction] = max(run[trip.direction], run_s)
        lt = LineTrip(len(out), trip.direction, pattern, tuple(trip.arrive_s), tuple(trip.depart_s), vehicle)
        out.append(lt)
        blocks[vehicle].append(lt.trip_id)
        free[vehicle] = (trip.arrive_s[-1] + turn_s(run_s), pattern[-1])
    return LineLayout(
        name=name,
        stop_nodes=pats[0],
        stop_labels=tuple(labels),
        patterns=pats,
        trips=tuple(out),
        blocks=tuple(tuple(b) for b in blocks),
        depot=depot,
        run_s=tuple(run),
        cycle_s=sum(run) + sum(turn_s(r) for r in run),
        headway_s=None,
        fare_yen=fare_yen,
    )
