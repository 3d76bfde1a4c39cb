"""Ridership counts in the MLIT standard (乗降実績データ標準仕様): read observed, write simulated.

Two CSV formats (UTF-8, header row):

* 乗降集計データ (boardings per trip and stop): ``date, agency_id, route_id, trip_id, stop_id,
  stop_sequence, count_geton, count_getoff``;
* 駅・バス停間ODデータ (stop-to-stop OD): ``date, agency_id, route_id, stopid_geton,
  stopid_getoff, count``.

``date`` is written ``YYYYMMDD`` as in GTFS (ASSUMPTION: the standard's own date notation was not
at hand; ``YYYY-MM-DD`` is read too). The ids are those of the GTFS feed the counts refer to: for
a simulated run, the feed ``export gtfs`` writes (:mod:`sim.interop.gtfs_write`): ``route_id`` =
service, ``trip_id`` ``<service>_<k>``, ``stop_id`` ``n<node id>``. DRT rides are counted at
their pickup and drop-off road nodes on the GTFS-Flex trip of the pickup's area
(``<service>_<area>``) with an empty ``stop_sequence`` (a zone trip has no stop order).

Which trip a simulated line rider boarded is recovered from the vehicle's own drives: a vehicle
runs its block's trips in order, and a rider boards at a stop just before the vehicle drives on,
so the boarding belongs to the first departure of that vehicle, from that stop, at or after
the boarding time.
"""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.interop.layouts import FinishedRun, Plan
from sim.tolerance import EPS_S

BOARDING_COLUMNS = ("date", "agency_id", "route_id", "trip_id", "stop_id", "stop_sequence", "count_geton", "count_getoff")
OD_COLUMNS = ("date", "agency_id", "route_id", "stopid_geton", "stopid_getoff", "count")
BOARDING_FILE = "boardings.csv"  # 乗降集計データ
OD_FILE = "stop_od.csv"  # 駅・バス停間ODデータ


class RidershipError(InputError):
    """A count file is not in either MLIT format or has a bad row (exit code 2)."""


@dataclass(frozen=True, slots=True)
class StopCount:
    """One row of 乗降集計データ: riders getting on and off one trip at one stop on one date."""

    date: str
    agency_id: str
    route_id: str
    trip_id: str
    stop_id: str
    stop_sequence: str
    count_geton: int
    count_getoff: int


@dataclass(frozen=True, slots=True)
class OdCount:
    """One row of 駅・バス停間ODデータ: riders from one stop to another on one route and date."""

    date: str
    agency_id: str
    route_id: str
    stopid_geton: str
    stopid_getoff: str
    count: int


# --------------------------------------------------------------------------- reading


def _norm_date(text: str, where: str) -> str:
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).strftime("%Y%m%d")
        except ValueError:
            continue
    raise RidershipError(f"{where}: date {text!r} is not a date (YYYYMMDD or YYYY-MM-DD)")


def _count(text: str, where: str, column: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise RidershipError(f"{where}: {column} {text!r} is not a whole number of riders") from None
    if value < 0:
        raise RidershipError(f"{where}: {column} {value} is negative")
    return value


def read_counts(path: Path) -> list[StopCount] | list[OdCount]:
    """Read a count file in either format (told apart by its header).

    Raises
    ------
    RidershipError
        Naming the file, the row (line of the file) and the value.
    """
    if not path.is_file():
        raise RidershipError(f"{path}: count file not found")
    with path.open(encoding="utf-8-sig", newline="") as fh:  # a BOM from Excel is tolerated
        reader = csv.DictReader(fh)
        cols = [c.strip() for c in reader.fieldnames or []]
        reader.fieldnames = cols
        if set(BOARDING_COLUMNS) <= set(cols):
            kind = "boardings"
        elif set(OD_COLUMNS) <= set(cols):
            kind = "od"
        else:
            raise RidershipError(
                f"{path}: header {cols} is neither 乗降集計データ ({', '.join(BOARDING_COLUMNS)}) nor "
                f"駅・バス停間ODデータ ({', '.join(OD_COLUMNS)})"
            )
        out: list[Any] = []
        for line, row in enumerate(reader, start=2):
            where = f"{path} row {line}"
            row = {k: (v or "").strip() for k, v in row.items() if k}
            date = _norm_date(row["date"], where)
            if not row["route_id"]:
                raise RidershipError(f"{where}: route_id is empty")
            if kind == "boardings":
                if not row["stop_id"]:
                    raise RidershipError(f"{where}: stop_id is empty")
                out.append(StopCount(date, row["agency_id"], row["route_id"], row["trip_id"], row["stop_id"],
                                     row["stop_sequence"], _count(row["count_geton"], where, "count_geton"),
                                     _count(row["count_getoff"], where, "count_getoff")))
            else:
                if not row["stopid_geton"] or not row["stopid_getoff"]:
                    raise RidershipError(f"{where}: stopid_geton and stopid_getoff must both be given")
                out.append(OdCount(date, row["agency_id"], row["route_id"], row["stopid_geton"], row["stopid_getoff"],
                                   _count(row["count"], where, "count")))
    return out


def check_ids(counts: list[StopCount] | list[OdCount], *, routes: set[str], trips: set[str], stops: set[str],
              source: Path, feed: str) -> None:
    """Every route, trip and stop id of ``counts`` must be in the feed (``routes``/``trips``/``stops``)."""
    for k, c in enumerate(counts, start=2):
        where = f"{source} row {k}"
        if c.route_id not in routes:
            raise RidershipError(f"{where}: route_id {c.route_id!r} is not in {feed} routes.txt")
        if isinstance(c, StopCount):
            if c.trip_id and c.trip_id not in trips:
                raise RidershipError(f"{where}: trip_id {c.trip_id!r} is not in {feed} trips.txt")
            ids = [c.stop_id]
        else:
            ids = [c.stopid_geton, c.stopid_getoff]
        for s in ids:
            if s not in stops:
                raise RidershipError(f"{where}: stop id {s!r} is not in {feed} stops.txt")


# --------------------------------------------------------------------------- simulated counts


@dataclass(frozen=True, slots=True)
class Ride:
    """A ridden leg: service, vehicle, board and alight node indices, party size, board time (s)."""

    service: str
    vehicle_id: int
    origin: int
    dest: int
    pax: int
    board_s: float


def _departures(plan: Plan, service: str, block: tuple[int, ...], drives: list[tuple[float, int, int]]):
    """(departure time, trip, position) of every stop departure a line vehicle made, in order."""
    layout = plan.lines[service]
    trips = {t.trip_id: t for t in layout.trips}
    out: list[list[Any]] = []
    i, pos_node = 0, layout.depot
    for tid in block:
        trip = trips[tid]
        if pos_node != trip.stops[0]:
            i += 1  # drive to the first stop (pull-out or empty run)
        for k in range(1, len(trip.stops)):
            if trip.stops[k - 1] != trip.stops[k]:
                if i >= len(drives):
                    return out
                out.append([drives[i][0], trip, k - 1])
                i += 1
            else:
                out.append([None, trip, k - 1])  # no drive: leaves when the next drive starts
        pos_node = trip.stops[-1]
    nxt = float("inf")
    for entry in reversed(out):
        if entry[0] is None:
            entry[0] = nxt
        nxt = entry[0]
    return out


def simulated_counts(
    plan: Plan, rides: list[Ride], drives: dict[int, list[tuple[float, int, int]]], first_vehicle: dict[str, int],
    *, date: datetime.date,
) -> tuple[list[StopCount], list[OdCount]]:
    """Boardings per trip and stop, and stop-to-stop ODs, of a simulated day.

    ``drives`` are each vehicle's drives (start s, from node, to node) in time order;
    ``first_vehicle`` the lowest vehicle id of each service (a line's vehicles are its blocks
    in order).
    """
    from sim.interop.flex import zone_id
    from sim.interop.gtfs_write import stop_id, trip_id

    day = f"{date:%Y%m%d}"
    on: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    od: dict[tuple[str, str, str], int] = defaultdict(int)
    seq_order: dict[tuple[str, str, str, str], tuple[int, int]] = {}
    deps: dict[int, list[list[Any]]] = {}
    for r in rides:
        sid_o, sid_d = stop_id(plan, r.origin), stop_id(plan, r.dest)
        if r.service in plan.lines:
            layout = plan.lines[r.service]
            if r.vehicle_id not in deps:
                block = layout.blocks[r.vehicle_id - first_vehicle[r.service]]
                deps[r.vehicle_id] = _departures(plan, r.service, block, drives.get(r.vehicle_id, []))
            found = next((e for e in deps[r.vehicle_id] if e[0] >= r.board_s - EPS_S and e[1].stops[e[2]] == r.origin), None)
            if found is None:
                raise ValueError(f"ride of vehicle {r.vehicle_id} at {r.board_s} s matches no departure of its block")
            trip, pos = found[1], found[2]
            alight = next(q for q in range(pos + 1, len(trip.stops)) if trip.stops[q] == r.dest)
            tid = trip_id(r.service, trip.trip_id)
            for p, node, column in ((pos, r.origin, 0), (alight, r.dest, 1)):
                key = (r.service, tid, stop_id(plan, node), str(p + 1))
                on[key][column] += r.pax
                seq_order[key] = (trip.trip_id, p)
        else:
            layout = plan.drt[r.service]
            area = layout.area_of(r.origin)
            tid = zone_id(r.service, layout.areas[area].name if area is not None else "")
            for node, column in ((r.origin, 0), (r.dest, 1)):
                key = (r.service, tid, stop_id(plan, node), "")
                on[key][column] += r.pax
                seq_order[key] = (10**9, 0)
        od[(r.service, sid_o, sid_d)] += r.pax
    stop_rows = [
        StopCount(day, "sim", svc, tid, sid, seq, n_on, n_off)
        for (svc, tid, sid, seq), (n_on, n_off) in sorted(on.items(), key=lambda kv: (kv[0][0], seq_order[kv[0]], kv[0]))
    ]
    od_rows = [OdCount(day, "sim", svc, a, b, n) for (svc, a, b), n in sorted(od.items())]
    return stop_rows, od_rows


def rides_of_run(result: FinishedRun) -> tuple[list[Ride], dict[int, list[tuple[float, int, int]]], dict[str, int]]:
    """The rides, vehicle drives and first vehicle ids of an in-memory run."""
    from sim.model.eventlog import MoveKind

    rides = [Ride(g.service, g.vehicle_id, g.origin_node, g.dest_node, g.pax, g.pickup_s) for g in result.log.legs]
    drives: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
    for m in sorted(result.log.moves, key=lambda m: (m.vehicle_id, m.start_s)):
        if m.kind == MoveKind.DRIVE:
            drives[m.vehicle_id].append((m.start_s, m.from_node, m.to_node))
    first: dict[str, int] = {}
    for v in result.log.vehicles:
        first[v.service] = min(first.get(v.service, v.vehicle_id), v.vehicle_id)
    return rides, dict(drives), first


def rides_of_run_dir(run_dir: Path, plan: Plan) -> tuple[list[Ride], dict[int, list[tuple[float, int, int]]], dict[str, int]]:
    """The same from a results directory's ``legs.csv``, ``vehicle_moves.csv`` and ``vehicles.csv``."""
    net = plan.network

    def idx(text: str) -> int:
        try:
            return net.index_of(int(text))
        except ValueError:
            return net.index_of(text)

    def rows(name: str) -> list[dict[str, str]]:
        path = run_dir / name
        if not path.is_file():
            raise RidershipError(f"{run_dir}: no {name}; give a results directory written by `run` or `compare`")
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    rides = [Ride(g["service"], int(g["vehicle_id"]), idx(g["origin_node"]), idx(g["dest_node"]), int(g["pax"]),
                  float(g["pickup_s"])) for g in rows("legs.csv")]
    drives: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
    for m in rows("vehicle_moves.csv"):
        if m["kind"] == "drive":
            drives[int(m["vehicle_id"])].append((float(m["start_s"]), idx(m["from_node"]), idx(m["to_node"])))
    first: dict[str, int] = {}
    for v in rows("vehicles.csv"):
        vid = int(v["vehicle_id"])
        first[v["service"]] = min(first.get(v["service"], vid), vid)
    return rides, dict(drives), first


def write_counts(path: Path, rows: list[StopCount] | list[OdCount], columns: tuple[str, ...]) -> None:
    """Write count rows in their MLIT format (UTF-8 CSV, written atomically)."""
    from sim.atomic import write_csv

    write_csv(path, columns, ([getattr(r, c) for c in columns] for r in rows))


def observed_vs_simulated(observed: list[StopCount] | list[OdCount], simulated: list[StopCount] | list[OdCount]
                          ) -> tuple[list[str], list[list[Any]]]:
    """A table of observed counts (mean per counted date) beside the simulated day's, by route and
    stop (boardings) or by route and stop pair (OD)."""
    def key_of(c: Any) -> tuple[str, ...]:
        return (c.route_id, c.stop_id) if isinstance(c, StopCount) else (c.route_id, c.stopid_geton, c.stopid_getoff)

    def values(c: Any) -> tuple[int, ...]:
        return (c.count_geton, c.count_getoff) if isinstance(c, StopCount) else (c.count,)

    days = len({c.date for c in observed}) or 1
    obs: dict[tuple[str, ...], list[float]] = {}
    sim: dict[tuple[str, ...], list[float]] = {}
    for table, rows in ((obs, observed), (sim, simulated)):
        for c in rows:
            acc = table.setdefault(key_of(c), [0.0] * len(values(c)))
            for j, v in enumerate(values(c)):
                acc[j] += v
    boardings = bool(observed) and isinstance(observed[0], StopCount)
    head = (["route_id", "stop_id", "observed_geton_per_day", "observed_getoff_per_day", "simulated_geton", "simulated_getoff"]
            if boardings else ["route_id", "stopid_geton", "stopid_getoff", "observed_per_day", "simulated"])
    width = 2 if boardings else 1
    out = []
    for key in sorted(set(obs) | set(sim)):
        o = [round(v / days, 3) for v in obs.get(key, [0.0] * width)]
        s = [int(v) for v in sim.get(key, [0.0] * width)]
        out.append([*key, *o, *s])
    return head, out
