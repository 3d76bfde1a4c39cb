"""Observed ridership counts beside a run's simulated ones, per line and stop (``[ridership]``).

A scenario (or ``run --observed``) names count files in the MLIT formats
(:mod:`sim.interop.ridership`); :func:`load_observed` reads and checks them before the day is
simulated (a bad file stops the run with exit code 2 and nothing written) and
:func:`compare_ridership` sets them beside the simulated day, giving ``ridership.csv`` and the
report's table (one per route: stop, observed boardings and alightings a day, simulated,
difference).

Observed counts are a mean per counted day: per route, the boardings and alightings of its
rows summed and divided by the number of distinct dates the route was counted on. A route's
stop counts come from 乗降集計データ rows when a file has any for it, else from
駅・バス停間ODデータ rows (boardings at ``stopid_geton``, alightings at ``stopid_getoff``), so a
day counted in both formats is not counted twice. Stops are compared by road node: the counts'
stops are snapped to the network (with the operator's feed) or named by the ids ``export gtfs``
writes (``n<node id>``); several stops on one node are one row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import NetworkError
from sim.interop.layouts import Plan
from sim.interop.ridership import (
    OdCount,
    Ride,
    RidershipError,
    StopCount,
    read_counts,
    simulated_counts,
)
from sim.network.graph import RoadNetwork
from sim.scenario.schema import FixedLine, Scenario

#: Columns of ``ridership.csv`` (counts a day; ``diff_*`` = simulated − observed).
RIDERSHIP_COLUMNS = (
    "route_id", "services", "stop_id", "node_id", "stop_name", "observed_geton_per_day", "observed_getoff_per_day",
    "simulated_geton", "simulated_getoff", "diff_geton", "diff_getoff",
)
RIDERSHIP_FILE = "ridership.csv"


@dataclass(frozen=True, slots=True)
class ObservedStop:
    """Observed riders a day of one route at one road node (``node``: network index)."""

    route_id: str
    node: int
    stop_ids: tuple[str, ...]
    name: str
    geton_per_day: float
    getoff_per_day: float


@dataclass(frozen=True, slots=True)
class Observed:
    """The checked counts of a scenario: files, each route's line services and days counted, stops."""

    files: tuple[str, ...]
    routes: dict[str, tuple[str, ...]]
    days: dict[str, int]
    stops: tuple[ObservedStop, ...]


@dataclass(frozen=True, slots=True)
class RidershipRow:
    """One stop of one route: observed riders a day beside the simulated day's (a row of ``ridership.csv``)."""

    route_id: str
    services: tuple[str, ...]
    stop_id: str
    node_id: Any
    stop_name: str
    observed_geton_per_day: float
    observed_getoff_per_day: float
    simulated_geton: int
    simulated_getoff: int

    @property
    def diff_geton(self) -> float:
        """Simulated − observed boardings a day."""
        return self.simulated_geton - self.observed_geton_per_day

    @property
    def diff_getoff(self) -> float:
        """Simulated − observed alightings a day."""
        return self.simulated_getoff - self.observed_getoff_per_day

    def cells(self) -> list[Any]:
        """The row in :data:`RIDERSHIP_COLUMNS` order (counts a day rounded to 3 decimals)."""
        return [self.route_id, "+".join(self.services), self.stop_id, self.node_id, self.stop_name,
                round(self.observed_geton_per_day, 3), round(self.observed_getoff_per_day, 3), self.simulated_geton,
                self.simulated_getoff, round(self.diff_geton, 3), round(self.diff_getoff, 3)]


def _resolve(path: str, base_dir: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else base_dir / p


def _route_services(scenario: Scenario, route_id: str, where: str) -> tuple[str, ...]:
    """The enabled line services route ``route_id`` became (``[ridership] routes``, else by name)."""
    lines = [n for n, s in scenario.services.items() if isinstance(s, FixedLine) and s.enabled]
    mapped = scenario.ridership.routes.get(route_id)
    if mapped is not None:
        bad = [n for n in mapped if n not in lines]
        if bad:
            raise RidershipError(
                f"{where}: key ridership.routes.{route_id}: {bad[0]!r} is not an enabled line of the scenario; "
                f"lines: {', '.join(lines) or '(none)'}"
            )
        return tuple(mapped)
    for name in (route_id, f"{route_id}_gtfs"):
        if name in lines:
            return (name,)
    prefixed = tuple(n for n in lines if n.startswith(f"{route_id}_"))
    if prefixed:
        return prefixed
    raise RidershipError(
        f"{where}: route_id {route_id!r} is not a line of the scenario (nor {route_id}_gtfs or {route_id}_...); "
        f"lines: {', '.join(lines) or '(none)'}; map it with [ridership] routes = {{ {route_id} = [\"LINE\"] }}"
    )


def load_observed(scenario: Scenario, base_dir: Path, net: RoadNetwork, *, source: str) -> Observed | None:
    """The checked counts of ``scenario.ridership`` (``None`` when it names no file).

    Raises
    ------
    RidershipError
        A file missing or not in either format, or a row whose route, trip or stop is unknown
        (naming the file, row and value); a feed stop outside the network.
    """
    cfg = scenario.ridership
    if not cfg.observed:
        return None
    feed = None
    snapped: dict[str, Any] = {}
    if cfg.feed is not None:
        from sim.interop.gtfs_read import read_feed, snap_stops

        feed_path = _resolve(cfg.feed, base_dir)
        if not feed_path.exists():
            raise RidershipError(f"{source}: key ridership.feed: feed {cfg.feed!r} not found (looked for {feed_path})")
        feed = read_feed(feed_path)
    counts: list[tuple[str, StopCount | OdCount]] = []
    files = []
    for k, name in enumerate(cfg.observed):
        path = _resolve(name, base_dir)
        if not path.is_file():
            raise RidershipError(f"{source}: key ridership.observed[{k}]: count file {name!r} not found (looked for {path})")
        files.append(str(path.resolve()))
        for row, c in enumerate(read_counts(path), start=2):
            counts.append((f"{path} row {row}", c))
    routes: dict[str, tuple[str, ...]] = {}
    nodes: dict[str, tuple[int, str]] = {}  # count stop id -> (node index, name)
    for where, c in counts:
        if c.route_id not in routes:
            routes[c.route_id] = _route_services(scenario, c.route_id, where)
        if feed is not None and isinstance(c, StopCount) and c.trip_id and c.trip_id not in feed.trip_ids:
            raise RidershipError(f"{where}: trip_id {c.trip_id!r} is not in {feed.path} trips.txt")
        row_stops = (c.stop_id,) if isinstance(c, StopCount) else (c.stopid_geton, c.stopid_getoff)
        for sid in row_stops:
            if sid in nodes:
                continue
            if feed is not None:
                if sid not in feed.stops:
                    raise RidershipError(f"{where}: stop id {sid!r} is not in {feed.path} stops.txt")
                snapped.update(snap_stops(net, feed, [sid], max_m=cfg.max_snap_m))
                nodes[sid] = (snapped[sid].node, snapped[sid].stop.name)
            else:
                try:
                    nodes[sid] = (net.index_of(sid.removeprefix("n")), "")
                except NetworkError:  # not a node id of the network
                    raise RidershipError(
                        f"{where}: stop id {sid!r} is not a stop id of this scenario's export (n<node id>); "
                        "give the feed the counts refer to as [ridership] feed"
                    ) from None
    boardings_routes = {c.route_id for _, c in counts if isinstance(c, StopCount)}
    totals: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    ids: dict[tuple[str, int], dict[str, None]] = defaultdict(dict)
    dates: dict[str, set[str]] = defaultdict(set)
    for _, c in counts:
        if isinstance(c, OdCount) and c.route_id in boardings_routes:
            continue  # the route's stop counts come from 乗降集計データ
        dates[c.route_id].add(c.date)
        if isinstance(c, StopCount):
            legs = ((c.stop_id, c.count_geton, 0), (c.stop_id, c.count_getoff, 1))
        else:
            legs = ((c.stopid_geton, c.count, 0), (c.stopid_getoff, c.count, 1))
        for sid, n, column in legs:
            key = (c.route_id, nodes[sid][0])
            totals[key][column] += n
            ids[key][sid] = None
    stops = tuple(
        ObservedStop(route, node, tuple(ids[(route, node)]), " / ".join(dict.fromkeys(nodes[s][1] for s in ids[(route, node)] if nodes[s][1])),
                     on / len(dates[route]), off / len(dates[route]))
        for (route, node), (on, off) in totals.items()
    )
    return Observed(tuple(files), routes, {r: len(d) for r, d in dates.items()}, stops)


def compare_ridership(
    observed: Observed, plan: Plan, rides: list[Ride], drives: dict[int, list[tuple[float, int, int]]],
    first_vehicle: dict[str, int],
) -> list[RidershipRow]:
    """Observed riders a day beside the simulated day's, per route (in count-file order) and stop
    (in the order of the route's first line, then the others)."""
    import datetime

    line_rides = [r for r in rides if r.service in plan.lines]
    sim_stops, _ = simulated_counts(plan, line_rides, drives, first_vehicle, date=datetime.date(2000, 1, 1))
    simulated: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for s in sim_stops:
        simulated[(s.route_id, s.stop_id)][0] += s.count_geton
        simulated[(s.route_id, s.stop_id)][1] += s.count_getoff
    net = plan.network
    by_key = {(o.route_id, o.node): o for o in observed.stops}
    rows: list[RidershipRow] = []
    for route, services in observed.routes.items():
        order: dict[int, str] = {}
        for svc in services:
            lay = plan.lines.get(svc)
            if lay is None:
                continue
            for pattern in lay.patterns:
                for node in pattern:
                    order.setdefault(node, "")
            for node, label in zip(lay.stop_nodes, lay.stop_labels):
                if not order.get(node):
                    order[node] = label
        for o in observed.stops:
            if o.route_id == route:
                order.setdefault(o.node, "")
        for node, label in order.items():
            sid = f"n{net.node_ids[node]}"
            on = sum(simulated.get((svc, sid), [0, 0])[0] for svc in services)
            off = sum(simulated.get((svc, sid), [0, 0])[1] for svc in services)
            o = by_key.get((route, node))
            if o is None and on == 0 and off == 0:
                continue
            node_id = net.node_ids[node]
            rows.append(RidershipRow(
                route, services, "/".join(o.stop_ids) if o is not None else sid,
                node_id.item() if hasattr(node_id, "item") else node_id, (o.name if o is not None and o.name else label),
                o.geton_per_day if o is not None else 0.0, o.getoff_per_day if o is not None else 0.0, on, off,
            ))
    return rows




#: Tolerance of the observed-boardings calibration target, as a share of the target (at least one
#: rider a day). ASSUMPTION: counts of a few days vary by about this much from day to day.
TARGET_TOLERANCE_SHARE = 0.1


def calibration_targets(observed: Observed, *, name: str = "line_riders_observed") -> str:
    """A ``calibrate`` targets file (TOML) fitting the line constant (``parameter = "line"``) to
    the observed boardings a day: the sum over the counted routes, against the sum of the
    ``per_service.<line>.passengers_served`` of the lines they became (``calibrate`` fits one
    target per parameter, so the routes share one target)."""
    from sim.scenario.tomlio import dump_toml

    value = sum(o.geton_per_day for o in observed.stops)
    services = [svc for svcs in observed.routes.values() for svc in svcs]
    routes = ", ".join(f"{r} ({n} day{'' if n == 1 else 's'})" for r in observed.routes for n in (observed.days.get(r, 0),))
    files = ", ".join(Path(f).name for f in observed.files)
    target = {
        "metric": [f"per_service.{svc}.passengers_served" for svc in services],
        "value": round(value, 3),
        "tolerance": round(max(1.0, TARGET_TOLERANCE_SHARE * value), 3),
        "parameter": "line",
        "source": f"observed boardings a day (mean per counted day) of routes {routes} in {files}; "
                  f"tolerance ±{TARGET_TOLERANCE_SHARE:.0%} is an ASSUMPTION",
    }
    head = "# Calibration targets from observed ridership counts, written by `python main.py import ridership --targets`.\n"
    return head + dump_toml({"targets": {name: target}})


def ridership_of_run(observed: Observed, result: Any) -> list[RidershipRow]:
    """:func:`compare_ridership` for an in-memory run (a :class:`~sim.interop.layouts.FinishedRun`)."""
    from sim.interop.ridership import rides_of_run
    from sim.model.drt.layout import DrtLayout
    from sim.model.lines.timetable import LineLayout

    lines = {n: lay for n, lay in result.layouts.items() if isinstance(lay, LineLayout)}
    drt = {n: lay for n, lay in result.layouts.items() if isinstance(lay, DrtLayout)}
    plan = Plan(result.scenario, result.network, lines, drt)
    rides, drives, first = rides_of_run(result)
    return compare_ridership(observed, plan, rides, drives, first)


__all__ = ["RIDERSHIP_COLUMNS", "RIDERSHIP_FILE", "Observed", "ObservedStop", "RidershipRow", "calibration_targets",
           "compare_ridership", "load_observed", "ridership_of_run"]
