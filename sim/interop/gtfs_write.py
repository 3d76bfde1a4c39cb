"""Writing a scenario's services as a GTFS feed (lines) with GTFS-Flex (DRT): ``export gtfs``.

Ids (also used by the ridership export, :mod:`sim.interop.ridership`):

* ``agency_id`` ``sim``; ``route_id`` = the service name;
* ``stop_id`` ``n<node id>`` for every road node a line stops at, and every DRT virtual stop
  (name: the place name of the node, else the line's stop label or ``<service> <area> stop``);
* ``trip_id`` ``<service>_<k>`` with *k* the line's trip number from 1 in order of first
  departure (the simulator's ``trip_id`` + 1); ``direction_id`` 0 outbound/loop, 1 inbound;
  ``block_id`` ``<service>_v<k>`` (one per vehicle);
* ``service_id`` ``<service>`` with the service's ``days`` over ``start_date``-``end_date``.

A line's ``fare_yen`` is its flat fare (``fare_attributes.txt``, ``fare_rules.txt`` by route).
``stop_times.txt`` holds the planned timetable of every line (times to the second, past 24:00
after midnight). DRT services follow GTFS-Flex (see :mod:`sim.interop.flex`). The zip is written
to a temporary file and renamed, so a failed export leaves nothing behind.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sim.interop.layouts import Plan, stop_id
from sim.model.lines.timetable import LineLayout
from sim.timeutil import format_clock

_DAY_COLUMNS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """Feed metadata the scenario does not hold.

    ``agency_url`` defaults to a placeholder (GTFS requires a URL): set the operator's.
    ``start``/``end`` bound the calendar (default: Japan's fiscal year 2026).
    """

    agency_name: str = "Simulated plan"
    agency_url: str = "https://example.org/"
    timezone: str = "Asia/Tokyo"
    lang: str = "ja"
    start: datetime.date = datetime.date(2026, 4, 1)
    end: datetime.date = datetime.date(2027, 3, 31)


def trip_id(service: str, trip: int) -> str:
    """GTFS ``trip_id`` of a line's trip (simulator trip number from 0)."""
    return f"{service}_{trip + 1}"


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _place_names(plan: Plan) -> dict[int, str]:
    names: dict[int, str] = {}
    for key, idx in plan.network.places.items():
        names.setdefault(idx, key)
    return names


def line_tables(plan: Plan, options: FeedOptions) -> dict[str, tuple[list[str], list[list[object]]]]:
    """The GTFS tables of the scenario's lines (and the shared agency/calendar rows)."""
    names = _place_names(plan)
    stops: dict[int, str] = {}
    for layout in plan.lines.values():
        for pattern in layout.patterns:
            for node in pattern:
                stops.setdefault(node, names.get(node, ""))
        for node, label in zip(layout.stop_nodes, layout.stop_labels):
            if not stops.get(node):
                stops[node] = label
    for name, drt in plan.drt.items():  # DRT virtual stops: the ids ridership counts use
        for area in drt.areas:
            for node in area.stops:
                stops.setdefault(int(node), names.get(int(node), f"{name} {area.name} stop"))
    net = plan.network
    stop_rows = [
        [stop_id(plan, n), stops[n] or f"node {net.node_ids[n]}", f"{net.lat[n]:.7f}", f"{net.lon[n]:.7f}", 0]
        for n in sorted(stops, key=lambda n: stop_id(plan, n))
    ]
    route_rows: list[list[object]] = []
    trip_rows: list[list[object]] = []
    st_rows: list[list[object]] = []
    cal_rows: list[list[object]] = []
    services = {**plan.lines, **plan.drt}
    for name in services:
        svc = plan.scenario.services[name]
        flags = [1 if d in svc.days else 0 for d in _DAY_KEYS]
        cal_rows.append([name, *flags, f"{options.start:%Y%m%d}", f"{options.end:%Y%m%d}"])
    fare_rows: list[list[object]] = []
    fare_rule_rows: list[list[object]] = []
    for name, layout in plan.lines.items():
        svc = plan.scenario.services[name]
        long_name = getattr(svc, "note", "") or " – ".join(layout.stop_labels)
        route_rows.append([name, "sim", name, long_name, 3])
        _trips(plan, name, layout, trip_rows, st_rows)
        if layout.fare_yen > 0:  # a flat fare per ride, paid on board, no free transfer
            fare_rows.append([f"{name}_fare", f"{layout.fare_yen:g}", "JPY", 0, 0])
            fare_rule_rows.append([f"{name}_fare", name])
    fares = {
        "fare_attributes.txt": (["fare_id", "price", "currency_type", "payment_method", "transfers"], fare_rows),
        "fare_rules.txt": (["fare_id", "route_id"], fare_rule_rows),
    } if fare_rows else {}
    return fares | {
        "agency.txt": (
            ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
            [["sim", options.agency_name, options.agency_url, options.timezone, options.lang]],
        ),
        "stops.txt": (["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type"], stop_rows),
        "routes.txt": (["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"], route_rows),
        "trips.txt": (["route_id", "service_id", "trip_id", "direction_id", "block_id"], trip_rows),
        "stop_times.txt": (
            ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence", "timepoint"], st_rows
        ),
        "calendar.txt": (["service_id", *_DAY_COLUMNS, "start_date", "end_date"], cal_rows),
        "feed_info.txt": (
            ["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date", "feed_end_date", "feed_version"],
            [[options.agency_name, options.agency_url, options.lang, f"{options.start:%Y%m%d}",
              f"{options.end:%Y%m%d}", plan.scenario.name]],
        ),
    }


def _trips(plan: Plan, name: str, layout: LineLayout, trip_rows: list, st_rows: list) -> None:
    vehicle_of = {t: v for v, block in enumerate(layout.blocks) for t in block}
    for trip in sorted(layout.trips, key=lambda t: t.trip_id):
        tid = trip_id(name, trip.trip_id)
        trip_rows.append([name, name, tid, trip.direction, f"{name}_v{vehicle_of[trip.trip_id] + 1}"])
        for k, (node, a, d) in enumerate(zip(trip.stops, trip.arrive_s, trip.depart_s)):
            st_rows.append([tid, format_clock(a), format_clock(d), stop_id(plan, node), k + 1, 1])


def write_feed(plan: Plan, out: Path, options: FeedOptions = FeedOptions()) -> dict[str, int]:
    """Write ``out`` (a .zip) with the lines as GTFS and the DRT services as GTFS-Flex.

    Returns the number of rows (features for ``locations.geojson``) per file.
    """
    from sim.interop.flex import flex_tables

    tables = line_tables(plan, options)
    flex, locations = flex_tables(plan)
    for fname, (header, rows) in flex.items():
        if fname in tables:
            base_header, base_rows = tables[fname]
            merged = base_header + [c for c in header if c not in base_header]
            pad = lambda row, h: [dict(zip(h, row)).get(c, "") for c in merged]  # noqa: E731
            tables[fname] = (merged, [pad(r, base_header) for r in base_rows] + [pad(r, header) for r in rows])
        else:
            tables[fname] = (header, rows)
    counts = {f: len(rows) for f, (_, rows) in tables.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for fname, (header, rows) in tables.items():
                info = zipfile.ZipInfo(fname, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, _csv(header, rows))
            if locations["features"]:
                info = zipfile.ZipInfo("locations.geojson", date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, json.dumps(locations, ensure_ascii=False).encode("utf-8"))
                counts["locations.geojson"] = len(locations["features"])
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return counts
