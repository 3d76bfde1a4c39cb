"""The demand CSV: streamed reading (:func:`iter_demand_csv`, :func:`read_demand_csv`,
:func:`check_demand_csv`) and writing (:func:`write_demand_csv`).

Format
------
Comma separated, one header line, one request per row. Column names are matched
case-insensitively; extra columns are ignored; a column named twice is an error.

Encoding: UTF-8 (with or without BOM) or Shift-JIS/CP932 (as Excel saves CSV in Japan). With
``encoding=None`` (the default, scenario key ``demand.csv_encoding`` unset) the file is checked
as UTF-8 first and read as CP932 if it is not valid UTF-8; anything else is refused naming the
file and the fix.

==================  ========  ===================================================================
column              required  meaning
==================  ========  ===================================================================
``request_id``      yes       unique id (text)
``request_time``    yes       when the request is made: seconds since midnight, ``HH:MM:SS`` or
                              ``HH:MM`` (hours may exceed 23, at most 48:00)
``earliest_pickup`` no        desired departure, same formats, >= ``request_time``; blank or
                              absent = immediate (equal to ``request_time``)
``party_size``      no        passengers travelling together, integer 1..1000 (blank = 1)
``origin_lat``,     one set   the rider's origin and destination points (degrees, WGS84); each is
``origin_lon``,     of the    snapped to the nearest network node, which must be within
``dest_lat``,       two       10 km (:data:`MAX_SNAP_M`)
``dest_lon``
``origin_node``,              ORIGINAL network node ids (e.g. OSM ids); the point is the node's
``dest_node``                 position
``origin_zone``,    no        labels (text), kept as given
``dest_zone``
==================  ========  ===================================================================

When both the point and the node columns are present, the node columns give the nodes and the
point columns give the points (this is what :func:`write_demand_csv` writes, so a written file reads
back exactly). In such a file a row may leave the node cells of one end blank (that end is snapped)
or its point cells blank (the node position is used). A request whose origin and destination snap
to the same node is kept; the simulator decides what to do with it. Rows come back sorted by
``request_time`` (stable). Text cells that the writer neutralised against spreadsheet formulas
(a leading ``'``, see :func:`sim.atomic.neutralise`) are read back without it. Every error is a
:class:`~sim.errors.DemandError` naming the file, the data row (1 = first row after the header),
the column, the bad value and what is valid.

Memory: rows are parsed one at a time and points snapped in batches of :data:`BATCH` rows, so
reading needs constant memory per row beyond the requests kept (and a set of the ids seen, to
refuse duplicates); :func:`check_demand_csv` keeps no requests at all.
"""

from __future__ import annotations

import codecs
import csv
import math
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.atomic import unneutralise, write_csv
from sim.demand.generate import Request
from sim.errors import DemandError, NetworkError
from sim.timeutil import format_clock, parse_clock

if TYPE_CHECKING:
    from sim.network.graph import RoadNetwork

CSV_COLUMNS: tuple[str, ...] = (
    "request_id",
    "request_time",
    "earliest_pickup",
    "party_size",
    "origin_lat",
    "origin_lon",
    "dest_lat",
    "dest_lon",
    "origin_node",
    "dest_node",
    "origin_zone",
    "dest_zone",
)
_POINT_COLUMNS = ("origin_lat", "origin_lon", "dest_lat", "dest_lon")
_NODE_COLUMNS = ("origin_node", "dest_node")
#: Encodings a demand CSV may be given in (``demand.csv_encoding``).
ENCODINGS = ("utf-8", "cp932")
#: Rows parsed before their points are snapped together.
BATCH = 20_000
#: Farthest a point may lie from the nearest network node, metres.
MAX_SNAP_M = 10_000.0
#: Latest time in a demand CSV, seconds (a service day lasts at most 48 h).
MAX_TIME_S = 48 * 3600.0
MAX_PARTY = 1_000


def _format_time(seconds: float) -> str:
    """``HH:MM:SS``; fractional seconds (never produced by generation) keep microseconds."""
    if float(seconds).is_integer():
        return format_clock(seconds)
    whole, micro = divmod(round(seconds * 1_000_000), 1_000_000)
    return f"{format_clock(whole)}.{micro:06d}"


def write_demand_csv(requests: Sequence[Request], path: Path | str, net: RoadNetwork) -> None:
    """Write requests to a CSV (atomically, streamed) with all columns of the format.

    Times are written as ``HH:MM:SS``; points with ``repr`` (shortest exact float text); nodes as
    ORIGINAL node ids.  ``read_demand_csv`` of the file gives back ``requests`` exactly (in
    ``request_time_s`` order) when times are whole seconds.
    """
    ids = net.node_ids
    rows = (
        (
            r.request_id,
            _format_time(r.request_time_s),
            _format_time(r.earliest_pickup_s),
            r.party_size,
            repr(float(r.origin_lat)),
            repr(float(r.origin_lon)),
            repr(float(r.dest_lat)),
            repr(float(r.dest_lon)),
            str(ids[r.origin_node]),
            str(ids[r.dest_node]),
            r.origin_zone,
            r.dest_zone,
        )
        for r in requests
    )
    write_csv(path, CSV_COLUMNS, rows)


def detect_encoding(path: Path, encoding: str | None = None) -> str:
    """The codec to read ``path`` with: ``utf-8-sig`` or ``cp932`` (checked over the whole file, streamed).

    Raises :class:`DemandError` naming the file when it is neither (or not the given one).
    """
    name = str(path)
    candidates = ["utf-8", "cp932"] if encoding is None else [encoding]
    for enc in candidates:
        if enc not in ENCODINGS:
            raise DemandError(f"{name}: encoding {enc!r} is not supported; valid: {', '.join(ENCODINGS)}")
        decoder = codecs.getincrementaldecoder("utf-8-sig" if enc == "utf-8" else enc)()
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if enc == "utf-8" else enc
    tried = " or ".join(candidates)
    raise DemandError(
        f"{name}: the demand CSV is not valid {tried} text; save it as UTF-8 (Excel: 'CSV UTF-8') "
        "or Shift-JIS, and set demand.csv_encoding if detection picks the wrong one"
    )


class _RowReader:
    """Per-row field access with errors naming file, row, column and value."""

    def __init__(self, name: str, header: dict[str, int]) -> None:
        self.name = name
        self.header = header
        self.row_no = 0
        self.row: list[str] = []

    def error(self, column: str, value: str, why: str) -> DemandError:
        shown = value if len(value) <= 80 else value[:77] + "..."
        return DemandError(f"{self.name}, row {self.row_no}, column {column}: {shown!r} {why}")

    def text(self, column: str) -> str:
        k = self.header.get(column)
        if k is None or k >= len(self.row):
            return ""
        return self.row[k].strip()

    def label(self, column: str) -> str:
        """A text cell with the writer's formula neutralisation undone, then stripped of blanks."""
        k = self.header.get(column)
        if k is None or k >= len(self.row):
            return ""
        return unneutralise(self.row[k]).strip()

    def time(self, column: str) -> float:
        value = self.text(column)
        try:
            seconds = parse_clock(value)
        except ValueError:
            seconds = math.inf
        if not seconds <= MAX_TIME_S:
            raise self.error(
                column, value, "is not a time of the service day; expected seconds since midnight, HH:MM:SS or HH:MM from 00:00 to 48:00"
            )
        return seconds

    def coordinate(self, column: str, limit: float) -> float:
        value = self.text(column)
        try:
            number = float(value)
        except ValueError:
            raise self.error(column, value, f"is not a number; expected degrees in [-{limit:g}, {limit:g}]") from None
        if not (math.isfinite(number) and -limit <= number <= limit):
            raise self.error(column, value, f"is out of range; expected degrees in [-{limit:g}, {limit:g}]")
        return number


def _node_parser(net: RoadNetwork) -> Callable[[str], Any]:
    kind = getattr(getattr(net.node_ids, "dtype", None), "kind", "O")
    if kind in "iu":
        return int
    if kind == "f":
        return float
    return str


def _header(name: str, first: list[str]) -> dict[str, int]:
    if not any(cell.strip() for cell in first):
        raise DemandError(f"{name}: empty file; expected a header line with request_id, request_time and "
                          "origin/destination columns")
    header: dict[str, int] = {}
    for k, col in enumerate(first):
        key = col.strip().lower()
        if key in header and key:
            raise DemandError(f"{name}: column {col.strip()!r} appears twice in the header (columns {header[key] + 1} "
                              f"and {k + 1}); each column must appear once")
        header[key] = k
    has_points = all(c in header for c in _POINT_COLUMNS)
    has_nodes = all(c in header for c in _NODE_COLUMNS)
    missing = [c for c in ("request_id", "request_time") if c not in header]
    if missing or not (has_points or has_nodes):
        lacking = missing + ([] if has_points or has_nodes else ["origin/destination"])
        raise DemandError(
            f"{name}: missing column(s) {', '.join(lacking)}; found {', '.join(first)}. Required: "
            "request_id, request_time and either origin_lat, origin_lon, dest_lat, dest_lon or "
            "origin_node, dest_node (optional: earliest_pickup, party_size, origin_zone, dest_zone)"
        )
    return header


def _snap(batch: list[list[Any]], snap: list[tuple[int, int, float, float, int, str]], net: RoadNetwork, name: str) -> None:
    """Set the snapped nodes of ``batch`` rows; refuse points farther than :data:`MAX_SNAP_M`."""
    if not snap:
        return
    idx, dist = net.nearest_many(np.array([s[2] for s in snap]), np.array([s[3] for s in snap]))
    far = np.flatnonzero(np.asarray(dist) > MAX_SNAP_M)
    if far.size:
        _, end, lat, lon, row_no, _ = snap[int(far[0])]
        prefix = ("origin", "dest")[end]
        raise DemandError(
            f"{name}, row {row_no}, columns {prefix}_lat/{prefix}_lon: ({lat:g}, {lon:g}) is "
            f"{float(np.asarray(dist)[far[0]]) / 1000:,.1f} km from the nearest node of network {net.name!r} "
            f"(at most {MAX_SNAP_M / 1000:g} km; {far.size} such point(s) in rows {row_no}..); "
            "check the coordinates (latitude first) and the network"
        )
    for (row_index, end, *_), node in zip(snap, np.asarray(idx).tolist()):
        batch[row_index][3 + end] = int(node)


def iter_demand_csv(path: Path | str, net: RoadNetwork, *, encoding: str | None = None) -> Iterator[Request]:
    """Requests of a demand CSV in file order, parsed row by row (points snapped per batch).

    Raises
    ------
    DemandError
        Missing, unreadable or empty file, another encoding, missing or repeated columns, or a bad
        value (file, row, column and value named).
    """
    path = Path(path)
    name = str(path)
    if path.is_dir():
        raise DemandError(f"{name}: is a directory, expected a demand CSV file")
    if not path.is_file():
        raise DemandError(f"{name}: demand file not found")
    codec = detect_encoding(path, encoding)
    with path.open(encoding=codec, newline="") as fh:
        reader = csv.reader(fh)
        try:
            first = next(reader, None)
            if first is None:
                raise DemandError(f"{name}: empty file; expected a header line with request_id, request_time and "
                                  "origin/destination columns")
            header = _header(name, first)
            yield from _parse_rows(reader, header, net, name)
        except csv.Error as exc:
            raise DemandError(f"{name}: not a valid CSV ({exc})") from None


def _parse_rows(reader: Iterator[list[str]], header: dict[str, int], net: RoadNetwork, name: str) -> Iterator[Request]:
    has_points = all(c in header for c in _POINT_COLUMNS)
    has_nodes = all(c in header for c in _NODE_COLUMNS)
    parse_node = _node_parser(net)
    rd = _RowReader(name, header)
    seen: set[str] = set()
    batch: list[list[Any]] = []
    snap: list[tuple[int, int, float, float, int, str]] = []  # (batch index, end 0/1, lat, lon, row, id)
    for row_no, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        rd.row_no, rd.row = row_no, row
        rid = rd.label("request_id")
        if not rid:
            raise rd.error("request_id", rid, "is empty; every row needs a unique request_id")
        if rid in seen:
            raise rd.error("request_id", rid, "is a duplicate of an earlier row; ids must be unique")
        seen.add(rid)
        t_req = rd.time("request_time")
        if rd.text("earliest_pickup"):
            t_pick = rd.time("earliest_pickup")
            if t_pick < t_req:
                raise rd.error(
                    "earliest_pickup", rd.text("earliest_pickup"),
                    f"is before request_time {rd.text('request_time')!r}; it must be the same or later "
                    "(blank = immediate)",
                )
        else:
            t_pick = t_req
        party_text = rd.text("party_size")
        party = 1
        if party_text:
            try:
                party = int(party_text)
            except ValueError:
                party = 0
            if not 1 <= party <= MAX_PARTY:
                raise rd.error("party_size", party_text, f"is not a positive integer (1 to {MAX_PARTY})")

        ends: list[tuple[int, float, float]] = []
        for end, prefix in enumerate(("origin", "dest")):
            node_text = rd.text(f"{prefix}_node")
            lat_text, lon_text = rd.text(f"{prefix}_lat"), rd.text(f"{prefix}_lon")
            node = -1
            if node_text:
                try:
                    node = int(net.index_of(parse_node(node_text)))
                except (NetworkError, KeyError, ValueError, TypeError, IndexError, OverflowError):
                    raise rd.error(f"{prefix}_node", node_text, "is not a node id of the network") from None
            if lat_text or lon_text or node < 0:
                if node < 0 and not (has_points and (lat_text or lon_text)):
                    column = f"{prefix}_node" if has_nodes else f"{prefix}_lat"
                    raise rd.error(column, "", f"is empty; the {prefix} needs {prefix}_lat/{prefix}_lon "
                                               f"or {prefix}_node")
                lat = rd.coordinate(f"{prefix}_lat", 90.0)
                lon = rd.coordinate(f"{prefix}_lon", 180.0)
                if node < 0:
                    snap.append((len(batch), end, lat, lon, row_no, rid))
            else:
                lat, lon = float(net.lat[node]), float(net.lon[node])
            ends.append((node, lat, lon))
        (on, ola, olo), (dn, dla, dlo) = ends
        batch.append([rid, t_req, t_pick, on, dn, party, ola, olo, dla, dlo,
                      rd.label("origin_zone"), rd.label("dest_zone")])
        if len(batch) >= BATCH:
            _snap(batch, snap, net, name)
            yield from (Request(*fields) for fields in batch)
            batch, snap = [], []
    _snap(batch, snap, net, name)
    yield from (Request(*fields) for fields in batch)


def read_demand_csv(path: Path | str, net: RoadNetwork, *, encoding: str | None = None) -> list[Request]:
    """Read requests from a demand CSV (format in the module docstring), streamed.

    Parameters
    ----------
    path : Path or str
        The CSV file.
    net : RoadNetwork
        Network used to snap points (``nearest_many``) and to map node ids (``index_of``).
    encoding : str, optional
        ``"utf-8"`` or ``"cp932"``; ``None`` detects (UTF-8 first).

    Returns
    -------
    list[Request]
        Sorted by ``request_time_s`` (stable).  A header-only file gives an empty list.
    """
    requests = list(iter_demand_csv(path, net, encoding=encoding))
    requests.sort(key=lambda r: r.request_time_s)
    return requests


def check_demand_csv(path: Path | str, net: RoadNetwork, *, encoding: str | None = None) -> int:
    """Check every row of a demand CSV without keeping the requests; return how many there are."""
    count = 0
    for _ in iter_demand_csv(path, net, encoding=encoding):
        count += 1
    return count
