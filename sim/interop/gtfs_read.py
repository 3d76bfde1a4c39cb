"""Reading GTFS / GTFS-JP feeds: checked tables, service days and the trips of a route.

The tables are read with gtfs-kit (``gtfs_kit.read_feed``); files the standard does not define,
such as GTFS-JP's ``agency_jp.txt``, ``office_jp.txt`` or ``translations.txt``, are ignored, and so
are extra columns (``jp_parent_route_id`` ...). Before anything is used the feed is checked: the
required files and columns, unique ids, references between files and clock times. Every problem
raises :class:`FeedError` naming the file, the row (the line of the file, header = line 1) and the
value. Times past 24:00 are valid (a trip after midnight of its service day).

Service days follow GTFS: a service runs on a date when ``calendar.txt`` has the weekday within
``start_date``-``end_date``, unless ``calendar_dates.txt`` removes it (``exception_type`` 2), or
when ``calendar_dates.txt`` adds it (1). The *usual* day of a weekday is the set of services
running on most dates with that weekday in the feed's period (holidays fall out).

Frequency-based trips (``frequencies.txt``) are expanded into one trip per departure.

This module imports only the ground floor and the network (stop snapping); the run layer and the
``import gtfs`` command build on it.
"""

from __future__ import annotations

import datetime
import math
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.errors import InputError
from sim.network.graph import RoadNetwork
from sim.timeutil import format_clock, parse_clock
from sim.tolerance import EPS_S

#: Files a feed must have (and one of ``calendar.txt`` / ``calendar_dates.txt``).
REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
REQUIRED_COLUMNS = {
    "agency": ("agency_name", "agency_url", "agency_timezone"),
    "stops": ("stop_id", "stop_lat", "stop_lon"),
    "routes": ("route_id",),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time"),
    "calendar": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                 "sunday", "start_date", "end_date"),
    "calendar_dates": ("service_id", "date", "exception_type"),
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CAL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class FeedError(InputError):
    """A GTFS feed is missing files or has broken rows (exit code 2)."""


@dataclass(frozen=True, slots=True)
class FeedStop:
    """A stop of ``stops.txt`` (degrees WGS84)."""

    stop_id: str
    name: str
    lat: float
    lon: float
    row: int = 0  # line of stops.txt (header = 1; 0 when unknown)


@dataclass(frozen=True, slots=True)
class FeedRoute:
    """A route of ``routes.txt``."""

    route_id: str
    agency_id: str
    short_name: str
    long_name: str
    route_type: int


@dataclass(frozen=True, slots=True)
class FeedTrip:
    """A trip with its stops in ``stop_sequence`` order and times (s since midnight of its day)."""

    trip_id: str
    route_id: str
    service_id: str
    direction: int
    stop_ids: tuple[str, ...]
    arrive_s: tuple[float, ...]
    depart_s: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Feed:
    """A checked feed: stops, routes and trips by id, and the service calendar.

    ``trips`` holds the trips with fixed stops; ``trip_ids`` every trip of ``trips.txt`` (GTFS-Flex
    zone trips too); ``fares`` the flat fare of each route (yen), see :func:`route_fares`.
    """

    path: Path
    agency_id: str
    stops: dict[str, FeedStop]
    routes: dict[str, FeedRoute]
    trips: dict[str, FeedTrip]
    weekly: dict[str, tuple[tuple[bool, ...], datetime.date, datetime.date]]
    exceptions: dict[tuple[str, datetime.date], int]
    trip_ids: frozenset[str] = frozenset()
    fares: dict[str, float] = field(default_factory=dict)

    def period(self) -> tuple[datetime.date, datetime.date]:
        """First and last date any service is defined for."""
        dates = [d for _, s, e in self.weekly.values() for d in (s, e)] + [d for _, d in self.exceptions]
        return min(dates), max(dates)

    def services_on(self, day: datetime.date) -> set[str]:
        """Service ids running on ``day`` (calendar plus calendar_dates)."""
        out = {
            sid for sid, (flags, start, end) in self.weekly.items()
            if start <= day <= end and flags[day.weekday()]
        }
        for (sid, d), kind in self.exceptions.items():
            if d == day:
                if kind == 1:
                    out.add(sid)
                else:
                    out.discard(sid)
        return out

    def usual_services(self, weekday: str, route_ids: Iterable[str] | None = None) -> tuple[set[str], int]:
        """Services of the usual ``weekday`` (``"mon"``...): the set (restricted to the services
        of ``route_ids``' trips) found on most such dates; returns it and how many dates have it."""
        wanted = {t.service_id for t in self.trips.values() if route_ids is None or t.route_id in set(route_ids)}
        first, last = self.period()
        wd = WEEKDAYS.index(weekday)
        counts: Counter[frozenset[str]] = Counter()
        order: dict[frozenset[str], int] = {}
        day = first + datetime.timedelta(days=(wd - first.weekday()) % 7)
        while day <= last:
            key = frozenset(self.services_on(day) & wanted)
            counts[key] += 1
            order.setdefault(key, len(order))
            day += datetime.timedelta(days=7)
        if not counts:
            return set(), 0
        best = max(counts, key=lambda k: (counts[k], -order[k]))
        return set(best), counts[best]

    def route_trips(self, route_id: str, services: set[str]) -> list[FeedTrip]:
        """Trips of ``route_id`` running on ``services``, by first departure."""
        found = [t for t in self.trips.values() if t.route_id == route_id and t.service_id in services]
        return sorted(found, key=lambda t: (t.depart_s[0], t.trip_id))


# --------------------------------------------------------------------------- reading and checks


def _where(table: str, index: int) -> str:
    return f"{table}.txt row {int(index) + 2}"


def _text(value: object) -> str:
    if value is None:
        return ""
    try:
        if value != value:  # NaN / NA
            return ""
    except (TypeError, ValueError):
        return ""
    return str(value).strip()


def _present(path: Path) -> set[str]:
    if path.is_dir():
        return {p.name for p in path.iterdir()}
    try:
        with zipfile.ZipFile(path) as zf:
            return {Path(n).name for n in zf.namelist()}
    except zipfile.BadZipFile:
        raise FeedError(f"{path}: not a zip file or a folder of GTFS .txt files") from None


def _not_utf8(path: Path) -> str | None:
    """The first ``.txt`` file of a feed that does not decode as UTF-8."""
    if path.is_dir():
        items = [(f.name, f.read_bytes) for f in sorted(path.glob("*.txt"))]
    else:
        zf = zipfile.ZipFile(path)
        items = [(n, (lambda n=n: zf.read(n))) for n in sorted(zf.namelist()) if n.endswith(".txt")]
    for name, read in items:
        try:
            read().decode("utf-8")
        except UnicodeDecodeError:
            return Path(name).name
    return None


def _date(value: object, where: str, column: str) -> datetime.date:
    text = _text(value)
    try:
        return datetime.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise FeedError(f"{where}: {column} {text!r} is not a date YYYYMMDD") from None


def _clock(value: object, where: str, column: str) -> float:
    text = _text(value)
    try:
        return parse_clock(text)
    except ValueError:
        raise FeedError(
            f"{where}: {column} {text!r} is not a time HH:MM:SS (hours past 24 are fine for trips after midnight)"
        ) from None


def _unique(df, table: str, column: str, path: Path) -> None:
    seen: dict[str, int] = {}
    for idx, value in zip(df.index, df[column]):
        key = _text(value)
        if key == "":
            raise FeedError(f"{path}: {_where(table, idx)}: {column} is empty")
        if key in seen:
            raise FeedError(
                f"{path}: {_where(table, idx)}: duplicate {column} {key!r} (already on row {seen[key] + 2})"
            )
        seen[key] = int(idx)


def read_feed(path: str | Path) -> Feed:
    """Read and check a GTFS / GTFS-JP feed (a ``.zip`` or a folder of ``.txt`` files).

    Raises
    ------
    FeedError
        Naming the file, the row and the value of the first problem found.
    """
    import warnings

    import gtfs_kit

    p = Path(path)
    if not p.exists():
        raise FeedError(f"{p}: GTFS feed not found (give a .zip file or a folder of .txt files)")
    present = _present(p)
    missing = [f for f in REQUIRED_FILES if f not in present]
    if "calendar.txt" not in present and "calendar_dates.txt" not in present:
        missing.append("calendar.txt or calendar_dates.txt")
    if missing:
        raise FeedError(f"{p}: required GTFS file(s) missing: {', '.join(missing)}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gf = gtfs_kit.read_feed(p, dist_units="km")
    except UnicodeDecodeError as exc:
        raise FeedError(
            f"{p}: {_not_utf8(p) or 'a file'} is not UTF-8 ({exc.reason} at byte {exc.start}); GTFS files must be "
            "UTF-8: convert it (e.g. iconv -f CP932 -t UTF-8 for Shift-JIS)"
        ) from None
    except Exception as exc:  # noqa: BLE001 - a malformed table: report it as bad input
        raise FeedError(f"{p}: cannot read the feed's tables: {type(exc).__name__}: {exc}") from None
    tables = {name: getattr(gf, name) for name in REQUIRED_COLUMNS}
    for name, cols in REQUIRED_COLUMNS.items():
        df = tables[name]
        if df is None:
            continue
        absent = [c for c in cols if c not in df.columns]
        if absent:
            raise FeedError(f"{p}: {name}.txt: required column(s) missing: {', '.join(absent)}")

    stops_df = tables["stops"]
    _unique(stops_df, "stops", "stop_id", p)
    stops: dict[str, FeedStop] = {}
    loc = stops_df["location_type"] if "location_type" in stops_df.columns else [None] * len(stops_df)
    for idx, sid, name, lat, lon, lt in zip(
        stops_df.index, stops_df["stop_id"], stops_df.get("stop_name", [""] * len(stops_df)),
        stops_df["stop_lat"], stops_df["stop_lon"], loc,
    ):
        kind = _text(lt)
        if kind not in ("", "0"):
            continue  # stations, entrances: not boarding points
        la, lo = float(lat) if _text(lat) else np.nan, float(lon) if _text(lon) else np.nan
        if not (-90 <= la <= 90 and -180 <= lo <= 180):
            raise FeedError(f"{p}: {_where('stops', idx)}: stop {_text(sid)!r} has no valid stop_lat/stop_lon ({lat!r}, {lon!r})")
        stops[_text(sid)] = FeedStop(_text(sid), _text(name), la, lo, int(idx) + 2)

    routes_df = tables["routes"]
    _unique(routes_df, "routes", "route_id", p)
    agency_df = tables["agency"]
    default_agency = _text(agency_df["agency_id"].iloc[0]) if "agency_id" in agency_df.columns and len(agency_df) else ""
    routes: dict[str, FeedRoute] = {}
    for idx, row in routes_df.iterrows():
        rtype = _text(row.get("route_type"))
        routes[_text(row["route_id"])] = FeedRoute(
            _text(row["route_id"]), _text(row.get("agency_id")) or default_agency,
            _text(row.get("route_short_name")), _text(row.get("route_long_name")),
            int(float(rtype)) if rtype else 3,
        )

    weekly: dict[str, tuple[tuple[bool, ...], datetime.date, datetime.date]] = {}
    cal = tables["calendar"]
    if cal is not None:
        _unique(cal, "calendar", "service_id", p)
        for idx, row in cal.iterrows():
            w = _where("calendar", idx)
            flags = tuple(_text(row[d]) == "1" for d in _CAL_DAYS)
            weekly[_text(row["service_id"])] = (flags, _date(row["start_date"], f"{p}: {w}", "start_date"),
                                                _date(row["end_date"], f"{p}: {w}", "end_date"))
    exceptions: dict[tuple[str, datetime.date], int] = {}
    cd = tables["calendar_dates"]
    if cd is not None:
        for idx, row in cd.iterrows():
            w = f"{p}: {_where('calendar_dates', idx)}"
            kind = _text(row["exception_type"])
            if kind not in ("1", "2"):
                raise FeedError(f"{w}: exception_type {kind!r} must be 1 (added) or 2 (removed)")
            key = (_text(row["service_id"]), _date(row["date"], w, "date"))
            if key in exceptions:
                raise FeedError(f"{w}: duplicate service_id/date {key[0]!r} {key[1]:%Y%m%d}")
            exceptions[key] = int(kind)
    services = set(weekly) | {s for s, _ in exceptions}
    if not services:
        raise FeedError(f"{p}: calendar.txt / calendar_dates.txt define no service days")

    trips_df = tables["trips"]
    _unique(trips_df, "trips", "trip_id", p)
    meta: dict[str, tuple[str, str, int]] = {}
    for idx, row in trips_df.iterrows():
        w = f"{p}: {_where('trips', idx)}"
        rid, sid = _text(row["route_id"]), _text(row["service_id"])
        if rid not in routes:
            raise FeedError(f"{w}: route_id {rid!r} is not in routes.txt")
        if sid not in services:
            raise FeedError(f"{w}: service_id {sid!r} is not in calendar.txt or calendar_dates.txt")
        d = _text(row.get("direction_id"))
        if d not in ("", "0", "1"):
            raise FeedError(f"{w}: direction_id {d!r} must be 0 or 1")
        meta[_text(row["trip_id"])] = (rid, sid, int(d or 0))

    st = tables["stop_times"]
    rows: dict[str, list[tuple[int, str, float, float]]] = {}
    seen: dict[tuple[str, int], int] = {}
    all_stop_ids = set(_text(s) for s in stops_df["stop_id"])
    flex_cols = [c for c in ("location_id", "location_group_id") if c in st.columns]
    flex = st[flex_cols].notna().any(axis=1) if flex_cols else None
    for idx, tid, sid, seq, arr, dep in zip(
        st.index, st["trip_id"], st["stop_id"], st["stop_sequence"], st["arrival_time"], st["departure_time"]
    ):
        w = f"{p}: {_where('stop_times', idx)}"
        tid, sid = _text(tid), _text(sid)
        if tid not in meta:
            raise FeedError(f"{w}: trip_id {tid!r} is not in trips.txt")
        if not sid and flex is not None and bool(flex.loc[idx]):
            continue  # a GTFS-Flex zone visit (demand-responsive), not a fixed stop
        if sid not in stops:
            why = "is a station, not a stop" if sid in all_stop_ids else "is not in stops.txt"
            raise FeedError(f"{w}: stop_id {sid!r} {why}")
        try:
            k = int(float(_text(seq)))
        except ValueError:
            raise FeedError(f"{w}: stop_sequence {_text(seq)!r} is not a whole number") from None
        if (tid, k) in seen:
            raise FeedError(f"{w}: duplicate stop_sequence {k} in trip {tid!r} (already on row {seen[(tid, k)] + 2})")
        seen[(tid, k)] = int(idx)
        if not _text(arr) and not _text(dep):
            raise FeedError(
                f"{w}: trip {tid!r} has no arrival_time/departure_time at stop_sequence {k} "
                "(stops without times are not supported: give every stop a time)"
            )
        a = _clock(arr if _text(arr) else dep, w, "arrival_time")
        b = _clock(dep if _text(dep) else arr, w, "departure_time")
        rows.setdefault(tid, []).append((k, sid, a, b))
    trips: dict[str, FeedTrip] = {}
    for tid, (rid, sid, direction) in meta.items():
        seq = sorted(rows.get(tid, []))
        if len(seq) < 2:
            continue  # a trip without (enough) stop times carries nobody
        for (_, _, _, b0), (k1, s1, a1, b1) in zip(seq, seq[1:]):
            if a1 < b0 or b1 < a1:
                raise FeedError(
                    f"{p}: stop_times.txt row {seen[(tid, k1)] + 2}: trip {tid!r} goes back in time at stop_sequence {k1} "
                    f"(stop {s1!r}: {format_clock(a1)}/{format_clock(b1)} after {format_clock(b0)})"
                )
        trips[tid] = FeedTrip(tid, rid, sid, direction, tuple(s for _, s, _, _ in seq),
                              tuple(a for _, _, a, _ in seq), tuple(b for _, _, _, b in seq))
    freq = getattr(gf, "frequencies", None)
    if freq is not None and len(freq):
        trips = _expand_frequencies(p, freq, trips)
    fares = route_fares(getattr(gf, "fare_attributes", None), getattr(gf, "fare_rules", None), set(routes))
    return Feed(p, default_agency, stops, routes, trips, weekly, exceptions, frozenset(meta), fares)


def route_fares(attributes, rules, route_ids: set[str]) -> dict[str, float]:
    """The flat fare of each route (``fare_attributes.txt`` price, via ``fare_rules.txt``).

    The simulator charges one fare per line ride, so a route whose rules give several prices
    (zone or distance fares, common in GTFS-JP) takes the most common of them (ties: the lowest);
    with no rules, a feed with a single fare applies it to every route.
    """
    if attributes is None or not len(attributes) or "fare_id" not in attributes.columns or "price" not in attributes.columns:
        return {}
    price = {_text(f): float(_text(v) or 0) for f, v in zip(attributes["fare_id"], attributes["price"])}
    found: dict[str, list[float]] = {}
    if rules is not None and len(rules) and "route_id" in rules.columns and "fare_id" in rules.columns:
        for fid, rid in zip(rules["fare_id"], rules["route_id"]):
            if _text(rid) and _text(fid) in price:
                found.setdefault(_text(rid), []).append(price[_text(fid)])
    elif len(price) == 1:
        only = next(iter(price.values()))
        found = {r: [only] for r in route_ids}
    return {r: min(set(ps), key=lambda x: (-ps.count(x), x)) for r, ps in found.items()}


def _expand_frequencies(p: Path, freq, trips: dict[str, FeedTrip]) -> dict[str, FeedTrip]:
    """Trips of ``frequencies.txt``: a template trip runs every ``headway_secs`` from ``start_time``
    until before ``end_time``, its times shifted so it leaves its first stop then (GTFS); the
    copies are ``<trip_id>@HH:MM:SS``. ``exact_times`` does not matter for a planned timetable."""
    absent = [c for c in ("trip_id", "start_time", "end_time", "headway_secs") if c not in freq.columns]
    if absent:
        raise FeedError(f"{p}: frequencies.txt: required column(s) missing: {', '.join(absent)}")
    out = dict(trips)
    templates: set[str] = set()
    for idx, row in freq.iterrows():
        w = f"{p}: {_where('frequencies', idx)}"
        tid = _text(row["trip_id"])
        if tid not in trips:
            raise FeedError(f"{w}: trip_id {tid!r} is not a trip with stop times in trips.txt/stop_times.txt")
        start, end = _clock(row["start_time"], w, "start_time"), _clock(row["end_time"], w, "end_time")
        try:
            headway = float(_text(row["headway_secs"]))
        except ValueError:
            headway = math.nan
        if not headway > 0 or end < start:
            raise FeedError(f"{w}: headway_secs {_text(row['headway_secs'])!r} must be > 0 and end_time after start_time")
        base = trips[tid]
        templates.add(tid)
        t = start
        while t < end - EPS_S:
            shift = t - base.depart_s[0]
            name = f"{tid}@{format_clock(t)}"
            out[name] = FeedTrip(name, base.route_id, base.service_id, base.direction, base.stop_ids,
                                 tuple(a + shift for a in base.arrive_s), tuple(d + shift for d in base.depart_s))
            t += headway
    for tid in templates:  # a template's own times only give the running times
        out.pop(tid, None)
    return out


# --------------------------------------------------------------------------- stops on the network


@dataclass(frozen=True, slots=True)
class SnappedStop:
    """A feed stop placed on the nearest road node ``node`` (index), ``distance_m`` away."""

    stop: FeedStop
    node: int
    distance_m: float


def snap_stops(net: RoadNetwork, feed: Feed, stop_ids: Iterable[str], *, max_m: float) -> dict[str, SnappedStop]:
    """Snap stops to their nearest road node.

    Raises
    ------
    FeedError
        When a stop is more than ``max_m`` metres from every node (outside the network).
    """
    out: dict[str, SnappedStop] = {}
    for sid in stop_ids:
        if sid in out:
            continue
        s = feed.stops[sid]
        node, dist = net.nearest(s.lat, s.lon)
        if dist > max_m:
            raise FeedError(
                f"{feed.path}: stops.txt{f' row {s.row}' if s.row else ''}: stop {sid!r} ({s.name}, {s.lat:.6f},{s.lon:.6f}) is {dist:.0f} m from "
                f"the nearest road node of network {net.name!r} (limit {max_m:g} m): outside the network; "
                "use a network that covers the route or raise the limit (max_snap_m / --max-snap-m)"
            )
        out[sid] = SnappedStop(s, int(node), float(dist))
    return out


# --------------------------------------------------------------------------- a route as lines


@dataclass(frozen=True, slots=True)
class RouteLine:
    """The trips of one route on one day shaped as a line: the main stop pattern with its trips
    (``trips``) and, optionally, the opposite direction's main pattern (``return_trips``)."""

    route_id: str
    stops: tuple[str, ...]
    trips: tuple[FeedTrip, ...]
    return_stops: tuple[str, ...] | None
    return_trips: tuple[FeedTrip, ...]


def route_lines(trips: list[FeedTrip]) -> list[RouteLine]:
    """Group a route's trips by stop pattern into lines.

    The pattern with the most trips (GTFS direction 0 first) is the main one; the largest pattern
    of the other direction runs as its return. Every further pattern (short workings, branches)
    becomes a line of its own, in order of trip count.
    """
    if not trips:
        return []
    groups: dict[tuple[int, tuple[str, ...]], list[FeedTrip]] = {}
    for t in trips:
        groups.setdefault((t.direction, t.stop_ids), []).append(t)
    ranked = sorted(groups, key=lambda k: (-len(groups[k]), k[0], groups[k][0].depart_s[0]))
    zero = [k for k in ranked if k[0] == 0]
    main = zero[0] if zero else ranked[0]
    other = [k for k in ranked if k[0] != main[0]]
    back = other[0] if other else None
    route = trips[0].route_id
    out = [RouteLine(route, main[1], tuple(groups[main]), back[1] if back else None,
                     tuple(groups[back]) if back else ())]
    for k in ranked:
        if k not in (main, back):
            out.append(RouteLine(route, k[1], tuple(groups[k]), None, ()))
    return out


def stop_time_cells(trip: FeedTrip) -> list[str]:
    """A trip as timetable cells: ``"HH:MM:SS"`` or ``"arrival/departure"`` where they differ."""
    return [
        format_clock(a) if abs(a - b) < 0.5 else f"{format_clock(a)}/{format_clock(b)}"
        for a, b in zip(trip.arrive_s, trip.depart_s)
    ]
