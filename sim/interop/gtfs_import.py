"""GTFS routes as fixed-line services: the ``gtfs =`` line key and the ``import gtfs`` command.

A route's trips on a service day become a line with an explicit ``timetable`` (see
:class:`sim.scenario.schema.FixedLine`): its main stop pattern with every trip's times, and the
opposite direction's main pattern as ``return_stops``/``return_timetable``. Stops are snapped to
the nearest road node (``"node:<id>"``) and the distance is reported; a stop farther than the
limit is an error. Further stop patterns of the route (short workings, branches) become
services of their own (``import gtfs``) or an error naming them (``gtfs =`` key, which takes one
line per route).

Day types for ``import gtfs``: for every weekday the usual services of the route
(:meth:`Feed.usual_services`); weekdays with the same trips share one service with those
``days`` (e.g. ``R1_weekday`` Mon-Fri and ``R1_sat``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sim.interop.gtfs_read import (
    WEEKDAYS,
    Feed,
    FeedError,
    FeedRoute,
    RouteLine,
    SnappedStop,
    read_feed,
    route_lines,
    snap_stops,
    stop_time_cells,
)
from sim.network.graph import RoadNetwork
from sim.scenario.schema import FixedLine

DEFAULT_MAX_SNAP_M = 500.0


@dataclass(frozen=True, slots=True)
class ImportedLine:
    """One service made from a route: its scenario keys and where its stops went."""

    name: str
    route: FeedRoute
    days: tuple[str, ...]
    fields: dict[str, Any]
    snapped: tuple[SnappedStop, ...]
    trip_count: int


def _node_key(net: RoadNetwork, index: int) -> str:
    return f"node:{net.node_ids[index]}"


def line_fields(rl: RouteLine, snapped: dict[str, SnappedStop], net: RoadNetwork) -> dict[str, Any]:
    """The ``stops``/``timetable`` (and return) keys of a line for ``rl``."""
    out: dict[str, Any] = {
        "stops": [_node_key(net, snapped[s].node) for s in rl.stops],
        "timetable": [stop_time_cells(t) for t in rl.trips],
    }
    if rl.return_stops is not None:
        back = [_node_key(net, snapped[s].node) for s in rl.return_stops]
        if back != list(reversed(out["stops"])):
            out["return_stops"] = back
        out["return_timetable"] = [stop_time_cells(t) for t in rl.return_trips]
    return out


def _route(feed: Feed, route_id: str) -> FeedRoute:
    if route_id not in feed.routes:
        known = ", ".join(sorted(feed.routes)[:20])
        raise FeedError(f"{feed.path}: routes.txt: no route_id {route_id!r}; routes in the feed: {known}")
    return feed.routes[route_id]


def _services_for(feed: Feed, route_id: str, service_date: str | None, weekday: str) -> tuple[set[str], str]:
    if service_date is not None:
        day = datetime.date.fromisoformat(service_date)
        return feed.services_on(day), f"on {service_date}"
    services, _ = feed.usual_services(weekday, [route_id])
    return services, f"on a usual {weekday}"


def expand_gtfs_line(
    name: str, line: FixedLine, net: RoadNetwork, base_dir: Path, *, source: str
) -> tuple[FixedLine, tuple[SnappedStop, ...]]:
    """Replace a line's ``gtfs``/``route_id`` keys by the stops and timetable they name.

    The simulated day is ``service_date`` or the usual day of the first of the line's ``days``.
    """
    path = Path(str(line.gtfs))
    if not path.is_absolute():
        path = base_dir / path
    if not path.exists():
        raise FeedError(f"{source}: key services.{name}.gtfs: feed {line.gtfs!r} not found (looked for {path})")
    feed = read_feed(path)
    route_id = str(line.route_id)
    _route(feed, route_id)
    services, when = _services_for(feed, route_id, line.service_date, line.days[0] if line.days else "mon")
    lines = route_lines(feed.route_trips(route_id, services))
    if not lines:
        raise FeedError(f"{source}: key services.{name}: route {route_id!r} of {path} has no trips {when}")
    if len(lines) > 1:
        patterns = "; ".join(" - ".join(rl.stops) for rl in lines[1:])
        raise FeedError(
            f"{source}: key services.{name}: route {route_id!r} runs {len(lines)} stop patterns {when}; the gtfs key "
            f"takes one line (a pattern and its return); also run: {patterns}. Use `python main.py import gtfs` to "
            "make one service per pattern"
        )
    rl = lines[0]
    stop_ids = list(rl.stops) + list(rl.return_stops or ())
    snapped = snap_stops(net, feed, stop_ids, max_m=line.max_snap_m or DEFAULT_MAX_SNAP_M)
    fields = line_fields(rl, snapped, net)
    fields.update(gtfs=None, route_id=None, service_date=None)
    if line.fare_yen == 0 and route_id in feed.fares:  # the feed's fare unless the scenario sets one
        fields["fare_yen"] = feed.fares[route_id]
    route = feed.routes[route_id]
    origin = f"GTFS route {route_id} ({route.long_name or route.short_name or route_id}) of {path.name} {when}"
    fields["note"] = f"{line.note}; {origin}" if line.note else origin
    fields.setdefault("return_stops", None)
    fields.setdefault("return_timetable", None)
    return line.model_copy(update=fields), tuple(snapped[s] for s in dict.fromkeys(stop_ids))


def _day_label(days: tuple[str, ...]) -> str:
    if days == WEEKDAYS[:5]:
        return "weekday"
    if days == WEEKDAYS:
        return "daily"
    return "_".join(days)


def import_routes(
    feed: Feed,
    net: RoadNetwork,
    route_ids: list[str] | None,
    *,
    vehicle: str,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    service_date: str | None = None,
) -> list[ImportedLine]:
    """Services for ``route_ids`` (default: every route with trips), one per day type and pattern."""
    ids = route_ids or sorted({t.route_id for t in feed.trips.values()})
    out: list[ImportedLine] = []
    for rid in ids:
        route = _route(feed, rid)
        if service_date is not None:
            day = datetime.date.fromisoformat(service_date)
            groups = {tuple(sorted(feed.services_on(day))): [WEEKDAYS[day.weekday()]]}
        else:
            groups = {}
            for wd in WEEKDAYS:
                services, _ = feed.usual_services(wd, [rid])
                groups.setdefault(tuple(sorted(services)), []).append(wd)
        made = 0
        for services, days in groups.items():
            lines = route_lines(feed.route_trips(rid, set(services)))
            if not lines:
                continue
            day_t = tuple(days)
            multi_days = len([g for g, d in groups.items() if route_lines(feed.route_trips(rid, set(g)))]) > 1
            base = f"{rid}_{_day_label(day_t)}" if multi_days else rid
            for k, rl in enumerate(lines):
                stop_ids = list(rl.stops) + list(rl.return_stops or ())
                snapped = snap_stops(net, feed, stop_ids, max_m=max_snap_m)
                fields: dict[str, Any] = {"kind": "line", "vehicle": vehicle}
                label = route.long_name or route.short_name or rid
                fields["note"] = f"GTFS route {rid} ({label}) from {feed.path.name}"
                fields.update(line_fields(rl, snapped, net))
                if rid in feed.fares:
                    fields["fare_yen"] = feed.fares[rid]
                fields["days"] = list(day_t)
                out.append(
                    ImportedLine(
                        name=base if k == 0 else f"{base}_{k + 1}",
                        route=route,
                        days=day_t,
                        fields=fields,
                        snapped=tuple(snapped[s] for s in dict.fromkeys(stop_ids)),
                        trip_count=len(rl.trips) + len(rl.return_trips),
                    )
                )
                made += 1
        if not made:
            raise FeedError(f"{feed.path}: route {rid!r} has no trips on any service day")
    return out


RULE_KEYS = ("max_wait_min", "spare_vehicles", "layover_min", "recovery_share", "depot",
             "suspended_days_per_year", "suspension_fallback")
"""Keys of a line that GTFS does not carry (riders' longest wait, spare vehicles, terminal times,
depot, suspensions): ``import gtfs`` takes them from the base scenario's line of the same name."""


def with_base_rules(il: ImportedLine, base_line: FixedLine) -> ImportedLine:
    """``il`` with the rules of ``base_line`` (the base scenario's line named like the route) that
    the feed cannot hold (:data:`RULE_KEYS`; ``fare_yen`` too when the feed has no fare), where the
    base sets them away from the default; a route exported by ``export gtfs`` and imported back
    so runs as before."""
    fields = dict(il.fields)
    defaults = FixedLine.model_fields
    for key in RULE_KEYS + (() if "fare_yen" in fields else ("fare_yen",)):
        value = getattr(base_line, key)
        if value != defaults[key].get_default(call_default_factory=True):
            fields[key] = value
    return replace(il, fields=fields)


def import_toml(
    imported: list[ImportedLine], *, extends: str | None, feed: Feed, name: str, net: RoadNetwork
) -> str:
    """A scenario file with one ``[services.NAME]`` table per imported line; comments list where
    every stop went on the network."""
    from sim.scenario.schema import dump_toml

    head = [f"# Imported from the GTFS feed {feed.path.name} by `python main.py import gtfs`."]
    for il in imported:
        head.append(f"# services.{il.name}: route {il.route.route_id}, {il.trip_count} trips, days {', '.join(il.days)}")
        for s in il.snapped:
            head.append(f"#   stop {s.stop.stop_id} {s.stop.name}: {_node_key(net, s.node)} ({s.distance_m:.0f} m)")
    data: dict[str, Any] = {}
    if extends:
        data["extends"] = extends
    data["name"] = name
    data["services"] = {il.name: il.fields for il in imported}
    return "\n".join(head) + "\n" + dump_toml(data)
