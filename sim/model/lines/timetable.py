"""Fixed-route lines: stops on the network, the planned timetable and the vehicle blocks.

Pure code (no simpy). A line's planned running time between two stops is the fastest drive
for its vehicle type (speed cap included); each intermediate stop adds the vehicle's
``stop_dwell_s``. A *cycle* is one loop trip, or an outbound plus an inbound trip, each followed
by ``layover_s`` + ``recovery_share`` × running time at the terminal. Departures from the
first stop are assigned to vehicles first-come first-served (the vehicle that has been ready
longest takes the next departure), so the fleet follows from the timetable: with a regular
headway it is ``ceil(cycle / headway)``.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sim.model.services import LineSpec
from sim.tolerance import EPS


@dataclass(frozen=True, slots=True)
class LineTrip:
    """One planned trip: stop positions in travel order with arrival and departure times (s).

    ``direction`` is 0 for outbound or loop trips, 1 for inbound trips; ``stops`` are node
    indices; ``vehicle`` indexes the line's blocks.
    """

    trip_id: int
    direction: int
    stops: tuple[int, ...]
    arrive_s: tuple[float, ...]
    depart_s: tuple[float, ...]
    vehicle: int


@dataclass(frozen=True, slots=True)
class LineLayout:
    """A line laid out on a network with its planned timetable and blocks.

    Attributes
    ----------
    name : str
    stop_nodes : tuple[int, ...]
        The configured stops (node indices) in order.
    stop_labels : tuple[str, ...]
        The configured stop names.
    patterns : tuple[tuple[int, ...], ...]
        Stop sequence of each direction (a loop has one, returning to its first stop).
    trips : tuple[LineTrip, ...]
        Sorted by first departure.
    blocks : tuple[tuple[int, ...], ...]
        Trip ids operated by each vehicle, in order.
    depot : int
        Node where the vehicles start and end their day.
    run_s : tuple[float, ...]
        Planned running time of each direction (first departure to last arrival).
    cycle_s : float
        Running times plus terminal layover and recovery.
    headway_s : float | None
    fare_yen : float
    """

    name: str
    stop_nodes: tuple[int, ...]
    stop_labels: tuple[str, ...]
    patterns: tuple[tuple[int, ...], ...]
    trips: tuple[LineTrip, ...]
    blocks: tuple[tuple[int, ...], ...]
    depot: int
    run_s: tuple[float, ...]
    cycle_s: float
    headway_s: float | None
    fare_yen: float

    @property
    def fleet_size(self) -> int:
        """Vehicles the timetable needs."""
        return len(self.blocks)

    def departures(self, direction: int, position: int) -> list[tuple[float, int]]:
        """Planned (departure time, trip id) from stop ``position`` of ``direction``, sorted."""
        return sorted(
            (t.depart_s[position], t.trip_id) for t in self.trips if t.direction == direction
        )


def _running(
    pattern: Sequence[int], start: float, tt: Callable[[int, int], float], dwell_s: float
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Planned arrival and departure times along ``pattern`` for a trip leaving at ``start``."""
    arrive = [start]
    depart = [start]
    for k in range(1, len(pattern)):
        a = depart[-1] + (tt(pattern[k - 1], pattern[k]) if pattern[k] != pattern[k - 1] else 0.0)
        arrive.append(a)
        depart.append(a + (dwell_s if k < len(pattern) - 1 else 0.0))
    return tuple(arrive), tuple(depart)


def build_line(spec: LineSpec, tt: Callable[[int, int], float]) -> LineLayout:
    """Lay out line ``spec``: plan every trip with travel times ``tt(a, b)`` (seconds, the
    vehicle's own speeds) and the vehicle's ``stop_dwell_s``, and cut the blocks.

    Raises
    ------
    ValueError
        If the line has fewer than two stops, two consecutive stops are the same node or it has
        no departure.
    """
    nodes = tuple(int(n) for n in spec.stops)
    if len(nodes) < 2:
        raise ValueError(f"line {spec.name!r} needs at least two stops")
    if spec.trips is not None:
        raise ValueError(f"line {spec.name!r} has a real timetable: lay it out with sim.model.lines.scheduled.lay_line")
    for a, b in zip(nodes, nodes[1:]):
        if a == b:
            raise ValueError(f"line {spec.name!r}: two consecutive stops are the same node")
    if not spec.departures_s:
        raise ValueError(f"line {spec.name!r} has no departure")
    dwell_s = spec.vehicle.stop_dwell_s
    depot = spec.depot if spec.depot is not None else nodes[0]
    if spec.loop:
        patterns: tuple[tuple[int, ...], ...] = (nodes + (nodes[0],),)
    else:
        patterns = (nodes, tuple(reversed(nodes)))
    run = tuple(_running(p, 0.0, tt, dwell_s)[0][-1] for p in patterns)
    turn = [spec.layover_s + spec.recovery_share * r for r in run]
    cycle = sum(run) + sum(turn)

    trips: list[LineTrip] = []
    blocks: list[list[int]] = []
    ready: list[tuple[float, int]] = []  # (time ready at the first stop, vehicle)
    for dep in sorted(spec.departures_s):
        if ready and ready[0][0] <= dep + EPS:
            _, vehicle = heapq.heappop(ready)
        else:
            vehicle = len(blocks)
            blocks.append([])
        t = dep
        for direction, pattern in enumerate(patterns):
            arrive, depart = _running(pattern, t, tt, dwell_s)
            trip = LineTrip(len(trips), direction, pattern, arrive, depart, vehicle)
            trips.append(trip)
            blocks[vehicle].append(trip.trip_id)
            t = arrive[-1] + turn[direction]
        heapq.heappush(ready, (t, vehicle))
    return LineLayout(
        name=spec.name,
        stop_nodes=nodes,
        stop_labels=spec.stop_labels or tuple(f"node:{n}" for n in nodes),
        patterns=patterns,
        trips=tuple(trips),
        blocks=tuple(tuple(b) for b in blocks),
        depot=depot,
        run_s=run,
        cycle_s=cycle,
        headway_s=spec.headway_s,
        fare_yen=spec.fare_yen,
    )


@dataclass(frozen=True, slots=True)
class LineQuote:
    """A planned ride on a line: board at ``board_pos`` of ``direction`` at ``depart_s`` (the
    vehicle's arrival there, or the rider's if later), alight at ``alight_pos`` at ``arrive_s``."""

    line: str
    direction: int
    board_pos: int
    alight_pos: int
    trip_id: int
    board_node: int
    alight_node: int
    depart_s: float
    arrive_s: float


class Timetable:
    """Fast look-up of the next planned departure from a stop position."""

    def __init__(self, layout: LineLayout) -> None:
        self.layout = layout
        self._deps: dict[tuple[int, int], tuple[list[float], list[int]]] = {}
        for direction, pattern in enumerate(layout.patterns):
            trips = sorted((t for t in layout.trips if t.direction == direction), key=lambda t: t.depart_s[0])
            for pos in range(len(pattern) - 1):
                times = [t.depart_s[pos] for t in trips]
                order = sorted(range(len(trips)), key=lambda k: times[k])
                self._deps[(direction, pos)] = ([times[k] for k in order], [trips[k].trip_id for k in order])

    def next_trip(self, direction: int, pos: int, t: float) -> int | None:
        """The first trip leaving ``pos`` of ``direction`` at or after ``t`` (``None`` if none)."""
        entry = self._deps.get((direction, pos))
        if entry is None:  # the last stop of a direction: nothing leaves from it
            return None
        times, ids = entry
        k = bisect.bisect_left(times, t - EPS)
        return ids[k] if k < len(ids) else None
