"""Road networks: loading, speeds, snapping and a cached travel-time oracle.

This is the only module of the simulator that imports :mod:`osmnx`; it does so lazily, inside the
functions that need it (reading ``.osm`` files and downloading), because importing osmnx is slow.
Embedded and cached networks are GraphML files (optionally gzipped) in the osmnx schema and are read
with :func:`networkx.read_graphml` plus the same attribute type conversion osmnx applies.

Conventions
-----------
* Every network keeps only its **largest strongly connected component** (every node can reach every
  other node); what was dropped is recorded (``components_before``, ``dropped_nodes``,
  ``dropped_edges``).
* Nodes are addressed everywhere in the simulator by an **internal index** ``0..n-1``
  (``RoadNetwork.node_ids[i]`` is the original node id).
* Coordinates: ``lat``/``lon`` in degrees (EPSG:4326); ``x``/``y`` in metres in the **UTM zone of the
  network's bounding-box centre** (WGS 84 / UTM, EPSG:326zz north or 327zz south, via pyproj). The UTM
  scale factor is within 0.9996..1.0010 inside a zone, so straight-line distances are accurate to
  better than 0.1 % (far inside the required 0.5 % within 30 km).
* Times are in seconds, distances in metres, speeds in km/h.
* Edge speed (:func:`edge_speed_kmh`): a parseable OSM ``maxspeed`` if present, otherwise a default
  per ``highway`` type (see ``_DEFAULT_SPEED_KMH``). Those defaults are **assumptions**: Japanese law
  sets 60 km/h on general roads without a sign (80-100 km/h on expressways); the defaults are lower to
  reflect urban operation (signals, junctions, narrow residential streets). A vehicle speed cap
  (e.g. an automated vehicle limited to 20 km/h) applies per edge:
  ``travel time = length_m / (min(edge_speed_kmh, cap) / 3.6)``.
* Fastest paths use :func:`scipy.sparse.csgraph.dijkstra` on a CSR matrix of edge travel times; of
  parallel edges the fastest is kept. ``dist_m`` is the length of that fastest path (not the shortest
  path), computed from the Dijkstra predecessor tree.
"""

from __future__ import annotations

import ast
import bz2
import contextlib
import gzip
import hashlib
import math
import re
import shutil
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
from numpy.typing import ArrayLike
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from sim.atomic import atomic_open
from sim.errors import NetworkError
from sim.paths import repo_root

if TYPE_CHECKING:  # pragma: no cover
    from pyproj import Transformer

__all__ = [
    "OSM_PROVENANCE",
    "NetworkInfo",
    "RoadNetwork",
    "TravelOracle",
    "circuity",
    "edge_speed_kmh",
    "embedded_networks",
    "fetch_network",
    "load_network",
    "networks_dir",
]

OSM_PROVENANCE = "OpenStreetMap data © OpenStreetMap contributors, ODbL 1.0"
"""Provenance recorded for non-synthetic networks that do not state their own."""

_DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 80.0,
    "motorway_link": 60.0,
    "trunk": 60.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 40.0,
    "secondary": 40.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "residential": 30.0,
    "living_street": 20.0,
    "unclassified": 30.0,
    "service": 20.0,
}
"""Assumed free-flow speed (km/h) per OSM ``highway`` value when ``maxspeed`` is absent or unusable.

Assumption, not a measurement: Japanese legal limits are 60 km/h on unsigned general roads; these
defaults are lower to reflect urban operation."""

_FALLBACK_SPEED_KMH = 30.0
"""Speed (km/h) for unknown or missing ``highway`` values."""

_MAX_PLAUSIBLE_KMH = 200.0
_MPH_TO_KMH = 1.609344
_MIN_EDGE_TIME_S = 1e-6
"""Zero-length edges get this travel time so sparse Dijkstra sees them as edges (seconds)."""

_GRAPHML_SUFFIXES = (".graphml", ".graphml.gz")
_OSM_SUFFIXES = (".osm", ".osm.bz2", ".osm.gz", ".osm.xml")
_VALID_SOURCES = (
    "an embedded name ({names}), a .graphml/.graphml.gz file, an .osm/.osm.bz2 file, "
    'or "place:<query>" (after `python main.py network fetch "<query>"`)'
)

# osmnx "drive" network filter (osmnx 2.x ``_overpass._get_network_filter``), applied to .osm files.
# Each pattern is searched (unanchored, like Overpass ``!~``) in the tag value; a match excludes the way.
_DRIVE_EXCLUDE: dict[str, re.Pattern[str]] = {
    "area": re.compile("yes"),
    "access": re.compile("private"),
    "highway": re.compile(
        "abandoned|bridleway|bus_guideway|construction|corridor|cycleway|elevator|escalator|"
        "footway|no|path|pedestrian|planned|platform|proposed|raceway|razed|rest_area|service|"
        "services|steps|track"
    ),
    "motor_vehicle": re.compile("no"),
    "motorcar": re.compile("no"),
    "service": re.compile("alley|driveway|emergency_access|parking|parking_aisle|private"),
}


# --------------------------------------------------------------------------------------------------
# locations
# --------------------------------------------------------------------------------------------------


def networks_dir() -> Path:
    """Return the repository's ``networks/`` directory (embedded networks and the fetch cache)."""
    return repo_root() / "networks"


def embedded_networks(base_dir: Path | None = None) -> dict[str, Path]:
    """List embedded networks.

    Parameters
    ----------
    base_dir
        Directory holding one folder per network (default :func:`networks_dir`).

    Returns
    -------
    dict[str, Path]
        ``name -> <base_dir>/<name>/<name>.graphml.gz`` (or ``.graphml``) for every folder that
        contains such a file, sorted by name.
    """
    root = networks_dir() if base_dir is None else Path(base_dir)
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for sub in sorted(root.iterdir()):
        if not sub.is_dir() or sub.name == "cache":
            continue
        for suffix in _GRAPHML_SUFFIXES:
            candidate = sub / f"{sub.name}{suffix}"
            if candidate.is_file():
                found[sub.name] = candidate
                break
    return found


# --------------------------------------------------------------------------------------------------
# speeds
# --------------------------------------------------------------------------------------------------

_MAXSPEED_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph|km/hr)?$")


def _parse_maxspeed(value: str) -> float | None:
    """Parse one OSM ``maxspeed`` value (may hold ``;``-separated parts) to km/h; None if unusable."""
    speeds: list[float] = []
    for part in re.split(r"[;,|]", value):
        match = _MAXSPEED_RE.match(part.strip().lower())
        if match is None:
            continue
        speed = float(match.group(1))
        if match.group(2) == "mph":
            speed *= _MPH_TO_KMH
        if 0.0 < speed <= _MAX_PLAUSIBLE_KMH:
            speeds.append(speed)
    return min(speeds) if speeds else None


def edge_speed_kmh(highway: str | list[str] | None, maxspeed: str | list[str] | None) -> float:
    """Free-flow speed of an OSM edge in km/h.

    Parameters
    ----------
    highway
        OSM ``highway`` value, or a list of them (simplified edges merge several ways).
    maxspeed
        OSM ``maxspeed`` value(s): ``"40"``, ``"40;50"`` (the minimum is used), ``"30 mph"``
        (converted at 1.609344 km/h per mph), or a list of such values (minimum). Values that do not
        parse (``"JP:urban"``, ``"signals"``, ``"none"``, garbage) or lie outside (0, 200] km/h are
        ignored.

    Returns
    -------
    float
        The parsed ``maxspeed`` if any part is usable; otherwise the default for ``highway``
        (``_DEFAULT_SPEED_KMH``; for a list of types the slowest default; 30 km/h when unknown).
    """
    values: list[Any] = maxspeed if isinstance(maxspeed, list) else [maxspeed]
    parsed = [s for s in (_parse_maxspeed(str(v)) for v in values if v is not None) if s is not None]
    if parsed:
        return min(parsed)
    types: list[Any] = highway if isinstance(highway, list) else [highway]
    defaults = [_DEFAULT_SPEED_KMH.get(str(t).strip().lower(), _FALLBACK_SPEED_KMH) for t in types if t is not None]
    return min(defaults) if defaults else _FALLBACK_SPEED_KMH


# --------------------------------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """Summary of a loaded network.

    Attributes
    ----------
    name, source
        Network name and the file it was read from.
    synthetic
        True for generated (non-OSM) networks.
    provenance
        Data source / licence statement.
    nodes, edges
        Counts in the kept (largest strongly connected) graph; parallel edges count separately.
    road_km
        Sum of **directed** edge lengths in km (a two-way street counts twice).
    components_before
        Strongly connected components in the raw graph.
    dropped_nodes, dropped_edges
        Removed by keeping the largest strongly connected component.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees.
    circuity
        Mean ratio of shortest network distance to straight-line distance over random node pairs more
        than 1 km apart (500 pairs, ``numpy.random.default_rng(0)``); NaN if no such pair exists.
    """

    name: str
    source: str
    synthetic: bool
    provenance: str
    nodes: int
    edges: int
    road_km: float
    components_before: int
    dropped_nodes: int
    dropped_edges: int
    bbox: tuple[float, float, float, float]
    circuity: float


# --------------------------------------------------------------------------------------------------
# travel-time oracle
# --------------------------------------------------------------------------------------------------


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


class TravelOracle:
    """Shortest travel-time queries on a :class:`RoadNetwork` for one speed profile.

    Built on a :class:`scipy.sparse.csr_matrix` of edge travel times in seconds (of parallel edges
    the fastest is kept; self-loops are ignored) and :func:`scipy.sparse.csgraph.dijkstra`. Rows
    (from one node to all) and columns (from all to one node) are computed on demand and cached;
    returned arrays are read-only views of the cache.

    Parameters
    ----------
    n
        Number of nodes.
    tail, head
        Edge end indices (one entry per directed edge, parallel edges allowed).
    length_m
        Edge lengths in metres.
    speed_kmh
        Edge free-flow speeds in km/h.
    speed_cap_kmh
        Optional vehicle speed cap in km/h applied per edge; None for no cap.
    """

    __slots__ = (
        "speed_cap_kmh",
        "_n",
        "_fwd",
        "_bwd",
        "_keys",
        "_len",
        "_time_rows",
        "_dist_rows",
        "_pred_rows",
        "_time_cols",
        "_T",
        "_D",
    )

    def __init__(
        self,
        n: int,
        tail: np.ndarray,
        head: np.ndarray,
        length_m: np.ndarray,
        speed_kmh: np.ndarray,
        *,
        speed_cap_kmh: float | None = None,
    ) -> None:
        self.speed_cap_kmh = speed_cap_kmh
        self._n = int(n)
        speed = np.asarray(speed_kmh, dtype=float)
        if speed_cap_kmh is not None:
            speed = np.minimum(speed, float(speed_cap_kmh))
        length = np.asarray(length_m, dtype=float)
        time = np.maximum(length / (speed / 3.6), _MIN_EDGE_TIME_S)
        tail = np.asarray(tail, dtype=np.int64)
        head = np.asarray(head, dtype=np.int64)
        keep = tail != head
        tail, head, length, time = tail[keep], head[keep], length[keep], time[keep]
        keys = tail * self._n + head
        order = np.lexsort((time, keys))  # by key, fastest first within a key
        keys_sorted = keys[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = keys_sorted[1:] != keys_sorted[:-1]
        sel = order[first]
        self._keys = keys[sel]  # sorted, unique
        self._len = length[sel]
        rows = tail[sel]
        indptr = np.zeros(self._n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self._n), out=indptr[1:])
        self._fwd = csr_matrix((time[sel], head[sel].astype(np.int32), indptr), shape=(self._n, self._n))
        self._bwd = self._fwd.T.tocsr()
        self._time_rows: dict[int, np.ndarray] = {}
        self._dist_rows: dict[int, np.ndarray] = {}
        self._pred_rows: dict[int, np.ndarray] = {}
        self._time_cols: dict[int, np.ndarray] = {}
        self._T: np.ndarray | None = None
        self._D: np.ndarray | None = None

    # -- internals -----------------------------------------------------------------------------

    def _check(self, i: int) -> int:
        if not 0 <= i < self._n:
            raise NetworkError(f"node index {i!r} is out of range: valid indices are 0..{self._n - 1}")
        return int(i)

    def _edge_len(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Lengths (m) of the kept (fastest) edges ``tail -> head``."""
        pos = np.searchsorted(self._keys, tail.astype(np.int64) * self._n + head)
        return self._len[pos]

    def _path_lengths(self, times: np.ndarray, preds: np.ndarray) -> np.ndarray:
        """Lengths (m) along predecessor trees, by pointer jumping; shape as ``preds`` (2-D)."""
        k, n = preds.shape
        flat = preds.ravel().astype(np.int64)
        idx = np.arange(k * n, dtype=np.int64)
        has = np.flatnonzero(flat >= 0)
        col = has % n
        anc = idx.copy()
        anc[has] = flat[has] + (has - col)  # predecessor, as a flat index in the same row
        acc = np.zeros(k * n)
        acc[has] = self._edge_len(flat[has], col)
        # Invariant: acc[v] = length of the tree path anc[v] -> v. Double the jumps (using the old
        # values in each step) until every node points at its row's root; only unfinished nodes move.
        a = anc[has]
        active = has[anc[a] != a]
        while active.size:
            a = anc[active]
            acc[active] += acc[a]
            a = anc[a]
            anc[active] = a
            active = active[anc[a] != a]
        out = acc.reshape(k, n)
        out[~np.isfinite(times)] = np.inf
        return out

    def _compute_rows(self, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Times (s) and int32 predecessors for a batch of sources, both shaped (len(sources), n)."""
        times, preds = dijkstra(self._fwd, directed=True, indices=sources, return_predecessors=True)
        return np.atleast_2d(times), np.atleast_2d(preds).astype(np.int32)

    def _row(self, i: int) -> None:
        i = self._check(i)
        times, preds = self._compute_rows(np.array([i]))
        self._time_rows[i] = _readonly(times[0])
        self._pred_rows[i] = _readonly(preds[0])

    def _preds(self, i: int) -> np.ndarray:
        preds = self._pred_rows.get(i)
        if preds is None:
            i = self._check(i)
            times, p = self._compute_rows(np.array([i]))
            if self._T is None:
                self._time_rows[i] = _readonly(times[0])
            self._pred_rows[i] = preds = _readonly(p[0])
        return preds

    # -- queries -------------------------------------------------------------------------------

    def time_s(self, i: int, j: int) -> float:
        """Fastest travel time from node index ``i`` to ``j`` in seconds (inf if unreachable).

        Always read from the row of ``i`` (computed if needed), never from a cached column: a
        column sums the same edges in the opposite order and can differ in the last bit, which
        would make results depend on what was computed before.
        """
        if self._T is not None:
            return float(self._T[i, j])
        row = self._time_rows.get(i)
        if row is None:
            row = self.times_from(i)
        return float(row[self._check(j)])

    def dist_m(self, i: int, j: int) -> float:
        """Length in metres of the fastest path from ``i`` to ``j`` (inf if unreachable)."""
        if self._D is not None:
            return float(self._D[i, j])
        row = self._dist_rows.get(i)
        if row is not None:
            return float(row[self._check(j)])
        if not np.isfinite(self.time_s(i, j)):
            return math.inf
        return self.path_length_m(self.path(i, j))

    def path_length_m(self, path: list[int]) -> float:
        """Length in metres of a node path (the kept, fastest edge between consecutive nodes)."""
        if len(path) < 2:
            return 0.0
        nodes = np.asarray(path, dtype=np.int64)
        return float(self._edge_len(nodes[:-1], nodes[1:]).sum())

    def times_from(self, i: int) -> np.ndarray:
        """Fastest travel times in seconds from ``i`` to every node (read-only, cached)."""
        if self._T is not None:
            return self._T[self._check(i)]
        row = self._time_rows.get(i)
        if row is None:
            self._row(i)
            row = self._time_rows[i]
        return row

    def dists_from(self, i: int) -> np.ndarray:
        """Metres along the fastest paths from ``i`` to every node (read-only, cached).

        Computed on first use from the Dijkstra predecessor tree of row ``i`` (about 0.5 ms on a
        4,000-node network, on top of the ~0.4 ms Dijkstra run shared with :meth:`times_from`).
        """
        if self._D is not None:
            return self._D[self._check(i)]
        row = self._dist_rows.get(i)
        if row is None:
            preds = self._preds(i)
            times = self.times_from(i)
            row = self._path_lengths(times[None, :], preds[None, :])[0]
            self._dist_rows[i] = row = _readonly(row)
        return row

    def times_to(self, j: int) -> np.ndarray:
        """Fastest travel times in seconds from every node to ``j`` (read-only, cached)."""
        col = self._time_cols.get(j)
        if col is None:
            j = self._check(j)
            if self._T is not None:
                col = np.ascontiguousarray(self._T[:, j])
            else:
                col = np.asarray(dijkstra(self._bwd, directed=True, indices=j), dtype=float)
            self._time_cols[j] = col = _readonly(col)
        return col

    def path(self, i: int, j: int) -> list[int]:
        """Node indices along the fastest path from ``i`` to ``j``, both included.

        Raises
        ------
        NetworkError
            If ``j`` cannot be reached from ``i``.
        """
        i, j = self._check(i), self._check(j)
        preds = self._preds(i)
        if i != j and preds[j] < 0:
            raise NetworkError(f"node index {j} cannot be reached from node index {i}")
        out = [j]
        v = j
        while v != i:
            v = int(preds[v])
            out.append(v)
        out.reverse()
        return out

    def precompute(self) -> None:
        """Fill the full time and distance matrices (n x n float64 each, i.e. 16 * n**2 bytes).

        Meant for small networks (about 270 MB and a few seconds for 4,000 nodes). Predecessor rows
        for :meth:`path` are still computed on demand.
        """
        if self._T is not None:
            return
        n = self._n
        T = np.empty((n, n))
        D = np.empty((n, n))
        chunk = 16  # keeps the pointer-jumping working set in cache
        for start in range(0, n, chunk):
            src = np.arange(start, min(start + chunk, n))
            times, preds = self._compute_rows(src)
            T[src] = times
            D[src] = self._path_lengths(times, preds)
        self._T = _readonly(T)
        self._D = _readonly(D)
        self._time_rows.clear()
        self._dist_rows.clear()
        self._time_cols.clear()


# --------------------------------------------------------------------------------------------------
# road network
# --------------------------------------------------------------------------------------------------


def _utm_epsg(lat: float, lon: float) -> int:
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


class RoadNetwork:
    """Drivable network with internal node indices ``0..n-1`` (used everywhere in the simulator).

    Build with :func:`load_network` (files, embedded names, cached places) or
    :meth:`RoadNetwork.from_graph` (an in-memory osmnx-style graph). The constructor itself expects
    a graph that is already strongly connected.

    Attributes
    ----------
    name, source, synthetic, provenance
        See :class:`NetworkInfo`.
    graph
        The kept largest strongly connected component (``networkx.MultiDiGraph``, EPSG:4326,
        node attributes ``x`` = lon and ``y`` = lat, edge attribute ``length`` in metres).
    node_ids
        Original node id per index.
    lat, lon
        Degrees, per index.
    x, y
        Metres in the UTM zone of the bounding-box centre (see module docstring).
    places
        ``place_id -> index`` for nodes with a ``place_id`` attribute, and ``name -> index`` for
        nodes with a ``name`` attribute (``place_id`` wins on clashes; the first node wins among equal
        names). A named node that was dropped with a small component maps to the nearest kept node.
    components_before, dropped_nodes, dropped_edges
        See :class:`NetworkInfo`.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        *,
        name: str,
        source: str,
        synthetic: bool = False,
        provenance: str = OSM_PROVENANCE,
        components_before: int = 1,
        dropped_nodes: int = 0,
        dropped_edges: int = 0,
        dropped_places: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        if graph.number_of_nodes() == 0:
            raise NetworkError(f"network {name!r} ({source}) has no nodes")
        if not nx.is_strongly_connected(graph):
            raise NetworkError(
                f"network {name!r} ({source}) is not strongly connected; use RoadNetwork.from_graph or "
                "load_network, which keep the largest strongly connected component"
            )
        self.name = name
        self.source = source
        self.synthetic = bool(synthetic)
        self.provenance = provenance
        self.graph = graph
        self.components_before = int(components_before)
        self.dropped_nodes = int(dropped_nodes)
        self.dropped_edges = int(dropped_edges)

        ids = list(graph.nodes)
        self.node_ids = np.empty(len(ids), dtype=object)
        self.node_ids[:] = ids
        if all(isinstance(v, (int, np.integer)) for v in ids):
            self.node_ids = self.node_ids.astype(np.int64)
        self._index = {nid: k for k, nid in enumerate(ids)}
        self.lon = np.array([graph.nodes[v]["x"] for v in ids], dtype=float)
        self.lat = np.array([graph.nodes[v]["y"] for v in ids], dtype=float)

        from pyproj import Transformer  # local import: only needed once per network

        clat = float(self.lat.min() + self.lat.max()) / 2.0
        clon = float(self.lon.min() + self.lon.max()) / 2.0
        self._epsg = _utm_epsg(clat, clon)
        self._transformer: Transformer = Transformer.from_crs(4326, self._epsg, always_xy=True)
        self.x, self.y = self.project(self.lat, self.lon)
        self._tree = cKDTree(np.column_stack([self.x, self.y]))

        tail, head, length, speed = [], [], [], []
        memo: dict[tuple[str, str], float] = {}
        for u, v, data in graph.edges(data=True):
            tail.append(self._index[u])
            head.append(self._index[v])
            length.append(data["length"])
            hw, ms = data.get("highway"), data.get("maxspeed")
            key = (repr(hw), repr(ms))
            kmh = memo.get(key)
            if kmh is None:
                memo[key] = kmh = edge_speed_kmh(hw, ms)
            speed.append(kmh)
        self._tail = np.array(tail, dtype=np.int64)
        self._head = np.array(head, dtype=np.int64)
        self._length = np.array(length, dtype=float)
        self._speed = np.array(speed, dtype=float)

        self.places: dict[str, int] = {}
        names: dict[str, int] = {}
        for k, nid in enumerate(ids):
            data = graph.nodes[nid]
            pid = data.get("place_id")
            if pid is not None and str(pid) != "":
                pid = str(pid)
                if pid in self.places:
                    raise NetworkError(
                        f"network {name!r} ({source}): place_id {pid!r} is on nodes "
                        f"{self.node_ids[self.places[pid]]!r} and {nid!r}; place ids must be unique"
                    )
                self.places[pid] = k
            nm = data.get("name")
            if nm is not None and str(nm) != "":
                names.setdefault(str(nm), k)
        for key, (lat, lon) in (dropped_places or {}).items():
            if key not in self.places and key not in names:
                idx, _ = self.nearest(lat, lon)
                names[key] = idx
        for nm, k in names.items():
            self.places.setdefault(nm, k)

        self._oracles: dict[float | None, TravelOracle] = {}
        self._length_csr: csr_matrix | None = None
        self._info: NetworkInfo | None = None

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def from_graph(
        cls,
        graph: nx.MultiDiGraph,
        *,
        name: str,
        source: str = "<in-memory graph>",
        synthetic: bool | None = None,
        provenance: str | None = None,
    ) -> RoadNetwork:
        """Build a network from an osmnx-style graph, keeping its largest strongly connected component.

        Parameters
        ----------
        graph
            Directed (multi)graph with node ``x`` (lon), ``y`` (lat) and edge ``length`` (m). It is
            not modified.
        name, source
            Labels for messages and :meth:`info`.
        synthetic, provenance
            Default to the graph attributes ``synthetic`` (``"true"``/True) and ``provenance``
            (for non-synthetic graphs without one: ``OSM_PROVENANCE``).
        """
        return _build_network(graph.copy(), name=name, source=source, synthetic=synthetic, provenance=provenance)

    # -- basic queries ---------------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.lat)

    def __repr__(self) -> str:
        return f"RoadNetwork(name={self.name!r}, nodes={self.n}, edges={len(self._tail)}, source={self.source!r})"

    def index_of(self, node_id: Any) -> int:
        """Internal index of an original node id.

        Raises
        ------
        NetworkError
            If the id is not in the kept network.
        """
        try:
            return self._index[node_id]
        except (KeyError, TypeError):
            pass
        if isinstance(node_id, str):  # "123" for an integer id
            with contextlib.suppress(ValueError, KeyError):
                return self._index[int(node_id)]
        raise NetworkError(
            f"node id {node_id!r} is not in network {self.name!r} ({self.source}); it may have been dropped "
            f"with a small disconnected component ({self.dropped_nodes} nodes were dropped)"
        )

    def place(self, key: str) -> int:
        """Index of a named place (by ``place_id`` or node ``name``).

        Raises
        ------
        NetworkError
            Naming the key and listing some valid keys.
        """
        try:
            return self.places[key]
        except KeyError:
            pass
        valid = sorted(self.places)
        if not valid:
            raise NetworkError(f"place {key!r} not found: network {self.name!r} ({self.source}) has no named places")
        shown = ", ".join(repr(v) for v in valid[:12])
        more = f" and {len(valid) - 12} more" if len(valid) > 12 else ""
        raise NetworkError(f"place {key!r} not found in network {self.name!r}; valid places include {shown}{more}")

    def project(self, lat: ArrayLike, lon: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Project degrees to this network's metric ``x``, ``y`` (metres, UTM; see module docstring)."""
        x, y = self._transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def nearest(self, lat: float, lon: float) -> tuple[int, float]:
        """Nearest node to a point: ``(index, straight-line distance in metres)``."""
        idx, dist = self.nearest_many([lat], [lon])
        return int(idx[0]), float(dist[0])

    def nearest_many(self, lat: ArrayLike, lon: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Nearest nodes to many points: ``(indices, straight-line distances in metres)``, input shape."""
        x, y = self.project(lat, lon)
        shape = np.shape(x)
        dist, idx = self._tree.query(np.column_stack([np.ravel(x), np.ravel(y)]))
        return np.asarray(idx, dtype=np.int64).reshape(shape), np.asarray(dist, dtype=float).reshape(shape)

    def straight_m(self, i: int, j: int) -> float:
        """Euclidean distance in metres between node indices ``i`` and ``j``."""
        return float(math.hypot(self.x[i] - self.x[j], self.y[i] - self.y[j]))

    # -- travel times ----------------------------------------------------------------------------

    def oracle(self, *, speed_cap_kmh: float | None = None) -> TravelOracle:
        """Travel-time oracle for vehicles capped at ``speed_cap_kmh`` (None: no cap); cached per cap."""
        key: float | None = None
        if speed_cap_kmh is not None:
            key = float(speed_cap_kmh)
            if not (key > 0.0 and math.isfinite(key)):
                raise NetworkError(f"speed_cap_kmh must be a positive number of km/h, got {speed_cap_kmh!r}")
        oracle = self._oracles.get(key)
        if oracle is None:
            oracle = TravelOracle(self.n, self._tail, self._head, self._length, self._speed, speed_cap_kmh=key)
            self._oracles[key] = oracle
        return oracle

    def _lengths_matrix(self) -> csr_matrix:
        """CSR matrix of edge lengths in metres (shortest of parallel edges; zero lengths as 1e-6 m)."""
        if self._length_csr is None:
            keep = self._tail != self._head
            t, h = self._tail[keep], self._head[keep]
            w = np.maximum(self._length[keep], 1e-6)
            keys = t * self.n + h
            order = np.lexsort((w, keys))
            ks = keys[order]
            first = np.ones(len(order), dtype=bool)
            first[1:] = ks[1:] != ks[:-1]
            sel = order[first]
            self._length_csr = csr_matrix((w[sel], (t[sel], h[sel])), shape=(self.n, self.n))
        return self._length_csr

    def info(self) -> NetworkInfo:
        """Summary statistics (cached); see :class:`NetworkInfo`."""
        if self._info is None:
            self._info = NetworkInfo(
                name=self.name,
                source=self.source,
                synthetic=self.synthetic,
                provenance=self.provenance,
                nodes=self.n,
                edges=int(self.graph.number_of_edges()),
                road_km=float(self._length.sum()) / 1000.0,
                components_before=self.components_before,
                dropped_nodes=self.dropped_nodes,
                dropped_edges=self.dropped_edges,
                bbox=(float(self.lon.min()), float(self.lat.min()), float(self.lon.max()), float(self.lat.max())),
                circuity=circuity(self, rng=np.random.default_rng(0)),
            )
        return self._info


def circuity(net: RoadNetwork, *, pairs: int = 500, min_dist_m: float = 1000.0, rng: np.random.Generator) -> float:
    """Mean ratio of shortest network distance to straight-line distance.

    Parameters
    ----------
    net
        The network.
    pairs
        Number of random ordered node pairs (drawn with replacement) more than ``min_dist_m`` apart.
    min_dist_m
        Minimum straight-line separation in metres.
    rng
        Random generator.

    Returns
    -------
    float
        Mean of per-pair ratios (shortest path by length, not by time); NaN if no pair is far
        enough apart (fewer than ``pairs`` qualifying pairs are used if they are rare).
    """
    n = net.n
    if n < 2 or pairs <= 0:
        return float("nan")
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    count = 0
    for _ in range(50):
        i = rng.integers(0, n, size=4 * pairs)
        j = rng.integers(0, n, size=4 * pairs)
        d = np.hypot(net.x[i] - net.x[j], net.y[i] - net.y[j])
        ok = d > min_dist_m
        found_i.append(i[ok])
        found_j.append(j[ok])
        count += int(ok.sum())
        if count >= pairs:
            break
    if count == 0:
        return float("nan")
    i = np.concatenate(found_i)[:pairs]
    j = np.concatenate(found_j)[:pairs]
    sources, inverse = np.unique(i, return_inverse=True)
    dist = np.atleast_2d(dijkstra(net._lengths_matrix(), directed=True, indices=sources))
    network = dist[inverse, j]
    straight = np.hypot(net.x[i] - net.x[j], net.y[i] - net.y[j])
    ratio = network / straight
    ratio = ratio[np.isfinite(ratio)]
    return float(ratio.mean()) if ratio.size else float("nan")


# --------------------------------------------------------------------------------------------------
# building networks from graphs
# --------------------------------------------------------------------------------------------------


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6_371_009.0  # mean Earth radius in metres (as osmnx)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def _validate_graph(graph: nx.MultiDiGraph, *, name: str, source: str) -> None:
    """Check the osmnx schema essentials; fill missing edge lengths with great-circle distances."""
    if graph.number_of_nodes() == 0:
        raise NetworkError(f"network {name!r} ({source}) is empty: it has no nodes; a drivable road graph is needed")
    if graph.number_of_edges() == 0:
        raise NetworkError(f"network {name!r} ({source}) has no edges; a drivable road graph is needed")
    crs = str(graph.graph.get("crs", "epsg:4326")).lower()
    if crs.replace(" ", "") not in {"epsg:4326", "wgs84", "+proj=longlat+datum=wgs84+no_defs", "ogc:crs84"}:
        raise NetworkError(f"network {name!r} ({source}) has crs {crs!r}; only unprojected lat/lon (epsg:4326) is supported")
    for nid, data in graph.nodes(data=True):
        for attr in ("x", "y"):
            value = data.get(attr)
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise NetworkError(
                    f"network {name!r} ({source}): node {nid!r} has {attr}={value!r}; "
                    "every node needs numeric x (longitude) and y (latitude)"
                )
        if not (-180.0 <= data["x"] <= 180.0 and -90.0 <= data["y"] <= 90.0):
            raise NetworkError(
                f"network {name!r} ({source}): node {nid!r} has x={data['x']!r}, y={data['y']!r}, "
                "outside longitude -180..180 / latitude -90..90"
            )
    for u, v, data in graph.edges(data=True):
        length = data.get("length")
        if length is None:
            nu, nv = graph.nodes[u], graph.nodes[v]
            data["length"] = _haversine_m(nu["y"], nu["x"], nv["y"], nv["x"])
        elif not isinstance(length, (int, float)) or not math.isfinite(length) or length < 0:
            raise NetworkError(
                f"network {name!r} ({source}): edge {u!r}->{v!r} has length={length!r}; lengths must be metres >= 0"
            )


def _build_network(
    raw: nx.MultiDiGraph,
    *,
    name: str,
    source: str,
    synthetic: bool | None = None,
    provenance: str | None = None,
) -> RoadNetwork:
    if not raw.is_directed():
        raw = nx.MultiDiGraph(raw.to_directed())
    elif not raw.is_multigraph():
        raw = nx.MultiDiGraph(raw)
    _validate_graph(raw, name=name, source=source)
    comps = list(nx.strongly_connected_components(raw))
    largest = max(comps, key=len)
    if len(largest) == raw.number_of_nodes():
        kept = raw  # already strongly connected: no copy needed
    else:
        kept = raw.subgraph([v for v in raw.nodes if v in largest]).copy()
    dropped_places: dict[str, tuple[float, float]] = {}
    for v, data in raw.nodes(data=True):
        if v in largest:
            continue
        for attr in ("place_id", "name"):
            key = data.get(attr)
            if key is not None and str(key) != "":
                dropped_places.setdefault(str(key), (float(data["y"]), float(data["x"])))
    if synthetic is None:
        synthetic = _truthy(raw.graph.get("synthetic", False))
    if provenance is None:
        provenance = str(raw.graph.get("provenance") or ("synthetic network (no provenance given)" if synthetic else OSM_PROVENANCE))
    kept.graph["synthetic"] = synthetic
    return RoadNetwork(
        kept,
        name=name,
        source=source,
        synthetic=synthetic,
        provenance=provenance,
        components_before=len(comps),
        dropped_nodes=raw.number_of_nodes() - kept.number_of_nodes(),
        dropped_edges=raw.number_of_edges() - kept.number_of_edges(),
        dropped_places=dropped_places,
    )


# --------------------------------------------------------------------------------------------------
# reading files
# --------------------------------------------------------------------------------------------------

_NODE_TYPES: dict[str, type] = {"x": float, "y": float, "street_count": int, "elevation": float, "elevation_res": float, "osmid": int}
_EDGE_TYPES: dict[str, Any] = {
    "length": float,
    "oneway": _truthy,
    "reversed": _truthy,
    "osmid": int,
    "speed_kph": float,
    "travel_time": float,
    "bearing": float,
    "grade": float,
    "grade_abs": float,
}


def _convert_types(graph: nx.MultiDiGraph, *, name: str, source: str) -> None:
    """Convert GraphML strings to osmnx types in place (as ``osmnx.io.load_graphml`` does)."""
    for key in ("simplified", "consolidated"):
        if key in graph.graph:
            graph.graph[key] = _truthy(graph.graph[key])
    for key in ("node_default", "edge_default"):
        graph.graph.pop(key, None)
    for nid, data in graph.nodes(data=True):
        for attr in data.keys() & _NODE_TYPES.keys():
            try:
                data[attr] = _NODE_TYPES[attr](data[attr])
            except (TypeError, ValueError):
                raise NetworkError(
                    f"network {name!r} ({source}): node {nid!r} has {attr}={data[attr]!r}, "
                    f"expected a {_NODE_TYPES[attr].__name__}"
                ) from None
    geoms: list[tuple[dict[str, Any], str]] = []
    for u, v, data in graph.edges(data=True):
        data.pop("id", None)
        for attr, value in data.items():
            if isinstance(value, str) and (
                (value.startswith("[") and value.endswith("]")) or (value.startswith("{") and value.endswith("}"))
            ):
                with contextlib.suppress(SyntaxError, ValueError):
                    data[attr] = ast.literal_eval(value)
        for attr in data.keys() & _EDGE_TYPES.keys():
            conv = _EDGE_TYPES[attr]
            try:
                value = data[attr]
                data[attr] = [conv(item) for item in value] if isinstance(value, list) else conv(value)
            except (TypeError, ValueError):
                raise NetworkError(
                    f"network {name!r} ({source}): edge {u!r}->{v!r} has {attr}={data[attr]!r}, "
                    "which is not a valid value"
                ) from None
        if isinstance(data.get("geometry"), str):
            geoms.append((data, data["geometry"]))
    if geoms:
        import shapely

        parsed = shapely.from_wkt([g for _, g in geoms], on_invalid="ignore")
        for (data, _), geom in zip(geoms, parsed):
            if geom is None:
                del data["geometry"]
            else:
                data["geometry"] = geom


def _read_graphml(path: Path, *, name: str) -> nx.MultiDiGraph:
    """Read an osmnx GraphML file (``.graphml`` or ``.graphml.gz``) with osmnx attribute types."""
    last: Exception | None = None
    for node_type in (int, str):
        try:
            graph = nx.read_graphml(path, node_type=node_type, force_multigraph=True)
            break
        except ValueError as exc:  # non-integer node ids: retry with str ids
            last = exc
            continue
        except (OSError, EOFError, ET.ParseError, nx.NetworkXError, KeyError, TypeError, gzip.BadGzipFile) as exc:
            raise NetworkError(f"cannot read network file {str(path)!r}: {type(exc).__name__}: {exc}") from None
    else:
        raise NetworkError(f"cannot read network file {str(path)!r}: {last}") from None
    if not graph.is_directed():
        graph = nx.MultiDiGraph(graph.to_directed())
    _convert_types(graph, name=name, source=str(path))
    return graph


def _open_binary(path: Path) -> Any:
    if path.suffix == ".bz2":
        return bz2.open(path, "rb")
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return open(path, "rb")


def _is_drivable(tags: dict[str, str]) -> bool:
    """Whether an OSM way passes the osmnx ``drive`` filter."""
    if "highway" not in tags:
        return False
    return not any(key in tags and pattern.search(tags[key]) for key, pattern in _DRIVE_EXCLUDE.items())


def _filter_osm_drive(src: Path, dst: Path) -> int:
    """Write the drivable ways of an OSM XML file (and the nodes they use) to ``dst``; return way count."""
    try:
        with _open_binary(src) as fh:
            tree = ET.parse(fh)
    except (OSError, EOFError, ET.ParseError) as exc:
        raise NetworkError(f"cannot read OSM file {str(src)!r}: {type(exc).__name__}: {exc}") from None
    root = tree.getroot()
    if root.tag != "osm":
        raise NetworkError(f"cannot read OSM file {str(src)!r}: root element is <{root.tag}>, expected <osm>")
    used: set[str] = set()
    kept = 0
    for way in root.findall("way"):
        tags = {t.get("k", ""): t.get("v", "") for t in way.findall("tag")}
        if _is_drivable(tags):
            kept += 1
            used.update(nd.get("ref", "") for nd in way.findall("nd"))
        else:
            root.remove(way)
    for elem in root.findall("node"):
        if elem.get("id") not in used:
            root.remove(elem)
    for elem in root.findall("relation"):
        root.remove(elem)
    tree.write(dst, encoding="utf-8", xml_declaration=True)
    return kept


def _read_osm(path: Path, *, name: str) -> nx.MultiDiGraph:
    """Read an OSM XML file with osmnx ``drive`` semantics (filtered ways, one-ways respected, simplified)."""
    with tempfile.TemporaryDirectory(prefix="sim-osm-") as tmp:
        filtered = Path(tmp) / "drive.osm"
        if _filter_osm_drive(path, filtered) == 0:
            raise NetworkError(
                f"OSM file {str(path)!r} has no drivable ways (highway=* not excluded by the osmnx drive filter)"
            )
        import osmnx as ox

        try:
            graph = ox.graph_from_xml(filtered, bidirectional=False, simplify=True, retain_all=True)
        except (ValueError, KeyError, TypeError, ET.ParseError) as exc:
            raise NetworkError(f"cannot build a road graph from OSM file {str(path)!r}: {type(exc).__name__}: {exc}") from None
    return graph


def _strip_suffix(path: Path) -> str:
    name = path.name
    for suffix in sorted(_GRAPHML_SUFFIXES + _OSM_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _slug(query: str) -> str:
    """File-name slug of a place query (Unicode letters kept; a hash if nothing is left)."""
    text = unicodedata.normalize("NFKC", query).strip().lower()
    slug = re.sub(r"[^\w]+", "_", text).strip("_")[:80]
    return slug or "place_" + hashlib.sha1(query.encode("utf-8")).hexdigest()[:12]


def _resolve_path(source: str, base_dir: Path | None) -> Path:
    p = Path(source).expanduser()
    if p.is_absolute():
        candidates = [p]
    else:
        candidates = ([Path(base_dir) / p] if base_dir is not None else []) + [Path.cwd() / p]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    looked = ", ".join(repr(str(c)) for c in candidates)
    raise NetworkError(f"network file {source!r} not found (looked in {looked})")


def load_network(source: str, *, base_dir: Path | None = None, cache_dir: Path | None = None) -> RoadNetwork:
    """Load a road network and keep its largest strongly connected component.

    Parameters
    ----------
    source
        * an embedded name (``"sodegaura"``, ``"tachikawa"``: ``networks/<name>/<name>.graphml.gz``);
        * a path to a ``.graphml`` / ``.graphml.gz`` file in the osmnx schema;
        * a path to an ``.osm`` / ``.osm.bz2`` (or ``.osm.gz``) OSM XML file, read with osmnx using the
          ``drive`` way filter, one-way streets respected, simplified topology;
        * ``"place:<query>"``: a network previously saved by :func:`fetch_network` in ``cache_dir``.
    base_dir
        Folder that relative paths are resolved against first (the scenario file's folder); then the
        current directory.
    cache_dir
        Fetched-network cache (default ``networks/cache/``).

    Returns
    -------
    RoadNetwork
        ``source`` attribute: the absolute path of the file read.

    Raises
    ------
    NetworkError
        Missing or unreadable file, empty graph, unknown embedded name or uncached place; the message
        names the source and lists what is valid.
    """
    if not isinstance(source, str) or not source.strip():
        raise NetworkError(f"network source {source!r} is empty; give {_valid_sources()}")
    source = source.strip()
    if source.lower().startswith("place:"):
        query = source[len("place:") :].strip()
        if not query:
            raise NetworkError(f'network source {source!r} has an empty place query; use "place:<query>"')
        cache = networks_dir() / "cache" if cache_dir is None else Path(cache_dir)
        slug = _slug(query)
        for suffix in (".graphml.gz", ".graphml"):
            path = cache / f"{slug}{suffix}"
            if path.is_file():
                graph = _read_graphml(path, name=query)
                return _build_network(graph, name=query, source=str(path.resolve()))
        raise NetworkError(
            f"network {source!r} is not cached (looked for {str(cache / (slug + '.graphml.gz'))!r}); "
            f'download it first with: python main.py network fetch "{query}"'
        )
    lower = source.lower()
    if lower.endswith(_GRAPHML_SUFFIXES):
        path = _resolve_path(source, base_dir)
        name = _strip_suffix(path)
        return _build_network(_read_graphml(path, name=name), name=name, source=str(path))
    if lower.endswith(_OSM_SUFFIXES):
        path = _resolve_path(source, base_dir)
        name = _strip_suffix(path)
        return _build_network(_read_osm(path, name=name), name=name, source=str(path))
    if re.fullmatch(r"[A-Za-z0-9_\-]+", source):
        embedded = embedded_networks()
        if source in embedded:
            path = embedded[source]
            return _build_network(_read_graphml(path, name=source), name=source, source=str(path))
        folder = networks_dir() / source
        if folder.is_dir():
            raise NetworkError(
                f"embedded network {source!r} has no graph file: expected {str(folder / (source + '.graphml.gz'))!r}"
            )
    raise NetworkError(f"unknown network source {source!r}; give {_valid_sources()}")


def _valid_sources() -> str:
    names = ", ".join(repr(n) for n in embedded_networks()) or "none installed"
    return _VALID_SOURCES.format(names=names)


# --------------------------------------------------------------------------------------------------
# downloading
# --------------------------------------------------------------------------------------------------


def fetch_network(query: str, *, cache_dir: Path | None = None, network_type: str = "drive") -> Path:
    """Download a place's road network from OpenStreetMap with osmnx and cache it as GraphML.

    Needs internet access (Nominatim geocoding and the Overpass API). The file is written atomically
    to ``<cache_dir>/<slug>.graphml.gz`` (``<slug>_<network_type>.graphml.gz`` for a non-drive type)
    and records ``provenance`` (OSM attribution, query and download time).

    Parameters
    ----------
    query
        Place name as understood by Nominatim, e.g. ``"Sodegaura, Chiba, Japan"``.
    cache_dir
        Target folder (default ``networks/cache/``), created if needed.
    network_type
        osmnx network type (``"drive"`` for the simulator).

    Returns
    -------
    Path
        The cached file; ``load_network("place:<query>", cache_dir=cache_dir)`` reads it.

    Raises
    ------
    NetworkError
        On download failure (no internet?), an unknown place, or an empty result.
    """
    if not query or not query.strip():
        raise NetworkError("place query is empty; give a place name such as 'Sodegaura, Chiba, Japan'")
    query = query.strip()
    cache = networks_dir() / "cache" if cache_dir is None else Path(cache_dir)
    import osmnx as ox
    import requests

    try:
        graph = ox.graph_from_place(query, network_type=network_type, simplify=True)
    except (requests.RequestException, OSError) as exc:
        raise NetworkError(
            f"could not download the road network for {query!r} (no internet?): {type(exc).__name__}: {exc}"
        ) from None
    except (ValueError, TypeError, KeyError) as exc:  # osmnx geocoding / empty-response errors
        raise NetworkError(
            f"could not download the road network for {query!r}: OpenStreetMap returned no usable "
            f"{network_type!r} network for that place ({type(exc).__name__}: {exc}); check the place name"
        ) from None
    if graph.number_of_nodes() == 0:
        raise NetworkError(f"could not download the road network for {query!r}: the result is empty")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    graph.graph["provenance"] = f"{OSM_PROVENANCE}; downloaded {stamp} with osmnx graph_from_place({query!r})"
    graph.graph["synthetic"] = "false"
    graph.graph["query"] = query
    suffix = "" if network_type == "drive" else f"_{network_type}"
    target = cache / f"{_slug(query)}{suffix}.graphml.gz"
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sim-fetch-", dir=cache) as tmp:
        plain = Path(tmp) / "graph.graphml"
        ox.save_graphml(graph, plain)
        with open(plain, "rb") as src, atomic_open(target, "wb") as dst, gzip.GzipFile(fileobj=dst, mode="wb", mtime=0) as gz:
            shutil.copyfileobj(src, gz)
    return target

