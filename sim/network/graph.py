"""The road network: internal node indices, UTM projection, snapping and per-vehicle speed caps."""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
from numpy.typing import ArrayLike
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from sim.errors import NetworkError
from sim.network.domain import RoadDomain, edge_classes
from sim.network.info import NetworkInfo, circuity
from sim.network.oracle import TravelOracle
from sim.network.speeds import edge_speed_kmh, road_class

if TYPE_CHECKING:  # pragma: no cover
    from pyproj import Transformer




# --------------------------------------------------------------------------------------------------
# road network
# --------------------------------------------------------------------------------------------------


OSM_PROVENANCE = "OpenStreetMap data © OpenStreetMap contributors, ODbL 1.0"
"""Provenance recorded for non-synthetic networks that do not state their own."""


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

        tail, head, length, speed, classes = [], [], [], [], []
        road: list[str] = []
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
            classes.append(edge_classes(hw))
            road.append(road_class(hw))
        #: road class of every edge for travel-time variation (``highway`` without ``_link``, the
        #: first of a list), in the order of the edge arrays
        self.edge_class = np.array(road, dtype=object)
        self._tail = np.array(tail, dtype=np.int64)
        self._head = np.array(head, dtype=np.int64)
        self._length = np.array(length, dtype=float)
        self._speed = np.array(speed, dtype=float)
        self.edge_classes: tuple[tuple[str, ...], ...] = tuple(classes)

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

        self._oracles: dict[tuple[Any, Any], TravelOracle] = {}
        self._cache_rows: int | None = None
        self._domain_oracles: dict[tuple[object, float | None, Any], TravelOracle] = {}
        self._edge_lookup: dict[tuple[int, int], tuple[tuple[str, ...], float]] | None = None
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

    @property
    def cache_rows(self) -> int | None:
        """Bound on the rows and columns each travel-time oracle caches (None: unbounded)."""
        return self._cache_rows

    def set_cache_rows(self, rows: int | None) -> None:
        """Bound every oracle of this network (existing and future) to ``rows`` cached rows and
        columns (None: unbounded); see :class:`TravelOracle`. Results do not depend on it."""
        if rows is not None and rows < 1:
            raise NetworkError(f"cache_rows must be at least 1 (or absent for no bound), got {rows!r}")
        self._cache_rows = rows
        for oracle in (*self._oracles.values(), *self._domain_oracles.values()):
            oracle.set_cache_rows(rows)

    def oracle(
        self,
        *,
        speed_cap_kmh: float | None = None,
        speed_cap_mps: float | None = None,
        class_factors: dict[str, float] | None = None,
        domain: RoadDomain | None = None,
    ) -> TravelOracle:
        """Travel-time oracle for vehicles capped at ``speed_cap_kmh`` (km/h) or ``speed_cap_mps``
        (m/s; at most one; neither: no cap); cached per cap. With a ``domain`` that restricts or
        caps anything, only its permitted edges at its class caps (and ``speed_cap_mps``).

        ``class_factors`` multiplies the free-flow time of every edge of a road class (see
        :attr:`edge_class`; ``"default"`` for the classes not named), for time-of-day travel
        times; ``None`` or all factors 1 gives the free-flow oracle.
        """
        factor = None
        if class_factors:
            default = float(class_factors.get("default", 1.0))
            factor = np.array([float(class_factors.get(c, default)) for c in self.edge_class], dtype=float)
            if np.all(factor == 1.0):
                factor = None
        factor_key = None if factor is None else tuple(sorted(class_factors.items()))  # type: ignore[union-attr]
        if domain is not None and (domain.restricts or domain.class_caps_mps):
            if speed_cap_kmh is not None:
                raise NetworkError("a domain oracle takes speed_cap_mps")
            return self._domain_oracle(domain, speed_cap_mps, factor, factor_key)
        key: tuple[str, float] | None = None
        for unit, cap in (("kmh", speed_cap_kmh), ("mps", speed_cap_mps)):
            if cap is None:
                continue
            if key is not None:
                raise NetworkError("give speed_cap_kmh or speed_cap_mps, not both")
            value = float(cap)
            if not (value > 0.0 and math.isfinite(value)):
                raise NetworkError(f"speed_cap_{unit} must be a positive number, got {cap!r}")
            key = (unit, value)
        full_key = (key, factor_key)
        oracle = self._oracles.get(full_key)
        if oracle is None:
            cap_kmh = key[1] if key is not None and key[0] == "kmh" else None
            cap_mps = key[1] if key is not None and key[0] == "mps" else None
            oracle = TravelOracle(
                self.n, self._tail, self._head, self._length, self._speed, speed_cap_kmh=cap_kmh, speed_cap_mps=cap_mps,
                time_factor=factor, cache_rows=self._cache_rows,
            )
            self._oracles[full_key] = oracle
        return oracle

    def lengths_matrix(self) -> csr_matrix:
        """CSR matrix of edge lengths in metres (for walking distances along the network)."""
        return self._lengths_matrix()

    def _domain_oracle(
        self, domain: RoadDomain, cap_mps: float | None, factor: np.ndarray | None = None, factor_key: Any = None
    ) -> TravelOracle:
        key = (domain, cap_mps, factor_key)
        oracle = self._domain_oracles.get(key)
        if oracle is None:
            keep = domain.edge_mask(self.edge_classes, self._tail, self._head)
            caps = domain.edge_caps_mps(self.edge_classes)
            oracle = TravelOracle(
                self.n, self._tail[keep], self._head[keep], self._length[keep], self._speed[keep],
                speed_cap_mps=cap_mps, edge_cap_mps=caps[keep] if caps is not None else None,
                time_factor=factor[keep] if factor is not None else None, edge_ids=np.flatnonzero(keep),
                cache_rows=self._cache_rows,
            )
            self._domain_oracles[key] = oracle
        return oracle

    def domain_edges(self, domain: RoadDomain) -> np.ndarray:
        """Permitted edges of ``domain`` (bool per directed edge, in the network's edge order)."""
        return domain.edge_mask(self.edge_classes, self._tail, self._head)

    def path_edges(self, path: Sequence[int]) -> list[tuple[tuple[str, ...], float]]:
        """Road classes and length (m) of each edge along ``path`` (node indices; of parallel
        edges the shortest)."""
        if self._edge_lookup is None:
            lookup: dict[tuple[int, int], tuple[tuple[str, ...], float]] = {}
            for k in range(len(self._tail)):
                key = (int(self._tail[k]), int(self._head[k]))
                if key not in lookup or self._length[k] < lookup[key][1]:
                    lookup[key] = (self.edge_classes[k], float(self._length[k]))
            self._edge_lookup = lookup
        return [self._edge_lookup[(int(a), int(b))] for a, b in itertools.pairwise(path)]

    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Tail and head node indices and lengths (m) of every directed edge (read-only views)."""
        return self._tail, self._head, self._length

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


