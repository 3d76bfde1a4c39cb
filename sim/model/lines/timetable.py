"""Fixed-route lines: stops on the network, the planned timetable and the vehicle blocks.

Pure code (no simpy). A line's planned running time between two stops is the fastest drive
for its vehicle type (speed cap included); each intermediate stop adds the vehicle's
``stop_dwell_s``. A *cycle* is one loop trip, or an outbound plus an inbound trip, each followed
by ``layover_min`` + ``recovery_share`` × running time at the terminal. Departures from the
first stop are assigned to vehicles first-come first-served (the vehicle that has been ready
longest takes the next departure), so the fleet follows from the timetable: with a regular
headway it is ``ceil(cycle / headway)``.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sim.errors import ScenarioError
from sim.network.graph import RoadNetwork
from sim.scenario.schema import FixedLine
from sim.timeutil import parse_clock


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


def resolve_stop(net: RoadNetwork, text: str, *, where: str, source: str) -> int:
    """A node index for a stop given as a place id/name, ``node:<id>`` or ``"lat,lon"``."""
    text = text.strip()
    try:
        if text.startswith("node:"):
            raw = text[5:]
            try:
                return net.index_of(int(raw))
            except ValueError:
                return net.index_of(raw)
        if "," in text:
            lat_s, lon_s = text.split(",", 1)
            try:
                lat, lon = float(lat_s), float(lon_s)
            except ValueError:
                raise ScenarioError(f"{source}: key {where}: {text!r} is not a place, node:<id> or 'lat,lon'") from None
            node, dist = net.nearest(lat, lon)
            if dist > 500.0:
                raise ScenarioError(
                    f"{source}: key {where}: point {text!r} is {dist:.0f} m from the nearest road node (over 500 m: off the network)"
                )
            return node
        return net.place(text)
    except ScenarioError:
        raise
    except Exception as exc:  # NetworkError with the valid keys
        raise ScenarioError(f"{source}: key {where}: {exc}") from None


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


def first_departures(line: FixedLine) -> list[float]:
    """Departure times from the first stop (seconds), from the headway or the explicit list."""
    if line.departures is not None:
        return sorted(parse_clock(t) for t in line.departures)
    start, end = parse_clock(line.start), parse_clock(line.end)
    step = float(line.headway_min) * 60.0  # type: ignore[arg-type]
    count = int(math.floor((end - start) / step + 1e-9)) + 1
    return [start + k * step for k in range(count)]


def build_line(
    name: str,
    line: FixedLine,
    net: RoadNetwork,
    tt: Callable[[int, int], float],
    dwell_s: float,
    *,
    source: str,
) -> LineLayout:
    """Lay out ``line`` on ``net``: resolve its stops, plan every trip and cut the blocks."""
    nodes = tuple(
        resolve_stop(net, s, where=f"services.{name}.stops[{k}]", source=source) for k, s in enumerate(line.stops)
    )
    if line.timetable is not None:
        return _build_timetabled(name, line, net, nodes, tt, source=source)
    for a, b in zip(nodes, nodes[1:]):
        if a == b:
            raise ScenarioError(f"{source}: key services.{name}.stops: two consecutive stops are the same node")
    depot = (
        resolve_stop(net, line.depot, where=f"services.{name}.depot", source=source) if line.depot else nodes[0]
    )
    if line.pattern == "loop":
        patterns: tuple[tuple[int, ...], ...] = (nodes + (nodes[0],),)
    else:
        patterns = (nodes, tuple(reversed(nodes)))
    run = tuple(_running(p, 0.0, tt, dwell_s)[0][-1] for p in patterns)
    turn = [line.layover_min * 60.0 + line.recovery_share * r for r in run]
    cycle = sum(run) + sum(turn)

    trips: list[LineTrip] = []
    blocks: list[list[int]] = []
    ready: list[tuple[float, int]] = []  # (time ready at the first stop, vehicle)
    for dep in first_departures(line):
        if ready and ready[0][0] <= dep + 1e-9:
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
        name=name,
        stop_nodes=nodes,
        stop_labels=tuple(line.stops),
        patterns=patterns,
        trips=tuple(trips),
        blocks=tuple(tuple(b) for b in blocks),
        depot=depot,
        run_s=run,
        cycle_s=cycle,
        headway_s=float(line.headway_min) * 60.0 if line.headway_min is not None else None,
        fare_yen=line.fare_yen,
    )


def parse_stop_time(cell: str) -> tuple[float, float]:
    """``"07:03"`` or ``"07:03:00/07:03:30"`` (arrival/departure) as (arrival, departure) seconds."""
    parts = str(cell).split("/")
    arrive = parse_clock(parts[0])
    return arrive, (parse_clock(parts[1]) if len(parts) > 1 else arrive)


def _build_timetabled(
    name: str,
    line: FixedLine,
    net: RoadNetwork,
    nodes: tuple[int, ...],
    tt: Callable[[int, int], float],
    *,
    source: str,
) -> LineLayout:
    """A line run on its explicit ``timetable`` (and ``return_timetable``)."""
    from sim.model.lines.scheduled import ScheduledTrip, build_scheduled_line

    patterns: list[tuple[int, ...]] = [nodes]
    tables = [("timetable", line.timetable or [])]
    if line.return_timetable is not None:
        if line.return_stops is not None:
            back = tuple(
                resolve_stop(net, s, where=f"services.{name}.return_stops[{k}]", source=source)
                for k, s in enumerate(line.return_stops)
            )
        else:
            back = tuple(reversed(nodes))
        patterns.append(back)
        tables.append(("return_timetable", line.return_timetable))
    trips: list[ScheduledTrip] = []
    for direction, (key, rows) in enumerate(tables):
        for k, row in enumerate(rows):
            times = [parse_stop_time(c) for c in row]
            flat = [x for a, d in times for x in (a, d)]
            if any(b < a for a, b in zip(flat, flat[1:])):
                raise ScenarioError(
                    f"{source}: key services.{name}.{key}[{k}]: times {row!r} go back in time; each stop's "
                    "arrival/departure must be at or after the one before"
                )
            trips.append(ScheduledTrip(direction, tuple(a for a, _ in times), tuple(d for _, d in times)))
    depot = (
        resolve_stop(net, line.depot, where=f"services.{name}.depot", source=source) if line.depot else nodes[0]
    )
    return build_scheduled_line(
        name,
        patterns,
        tuple(line.stops),
        trips,
        depot=depot,
        tt=tt,
        turn_s=lambda run: line.layover_min * 60.0 + line.recovery_share * run,
        fare_yen=line.fare_yen,
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
        k = bisect.bisect_left(times, t - 1e-9)
        return ids[k] if k < len(ids) else None
