"""Build the embedded *synthetic* road network of Sodegaura (袖ケ浦市, Chiba).

No OpenStreetMap extract of Sodegaura can be downloaded in the offline build
environment, so this script reconstructs a road-like network from real anchors
found in ``data/sodegaura/``:

* the city boundary polygon (MLIT N03, 2021),
* the 72 town (大字/町丁目) representative points (geolonia japanese-addresses),
* the 2015 census population of each town (e-Stat small-area data),
* 19 key places (4 JR stations, the bus terminal, city hall, ...).

The result is **not** real road data. It is written in the osmnx GraphML schema
(gzip-compressed) so that the simulator's network loader and
``osmnx.load_graphml`` can read it. Where internet is available, use
``python main.py network fetch`` for the real OSM network instead.

Method (see README.md next to this file for the parameters and measured
properties):

1. A population density field (persons/km²) is estimated with a Gaussian kernel
   around the town points. It sets the target node spacing: about 200 m in
   built-up areas, about 450 m on the coastal industrial reclaimed land
   (北袖, 中袖, 南袖) and up to about 700 m in the countryside.
2. Candidate points are drawn uniformly inside the boundary and thinned with a
   variable-radius Poisson-disc rule (the anchors are kept first and exactly).
3. A Delaunay triangulation of all points (local metric projection, an affine
   map of lon/lat, so straight edges stay straight and planar) is restricted to
   edges inside the boundary. Local roads are the relative-neighbourhood graph
   plus a share of the remaining Gabriel edges, plus a minimum spanning tree
   that guarantees connectivity; very long edges are dropped.
4. Arterials are shortest paths on the restricted triangulation between
   neighbouring towns and the transport hubs (primary: relative-neighbourhood
   graph of the hubs and the large towns; secondary: neighbouring towns;
   tertiary: spurs from far-off anchors to the arterial net).
5. Every road becomes two directed edges; lengths are the haversine distance
   times a small random "curvature" factor (>= 1).

Run from the project root::

    python networks/sodegaura/build_network.py [--out PATH] [--seed N]

The output is byte-identical for the same seed and library versions.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree
from shapely.geometry import Polygon, shape

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (metres), as used by osmnx's great-circle distance."""

PROVENANCE = (
    "Synthetic reconstruction of Sodegaura's road network from real anchors "
    "(boundary, 72 town points, 19 key places); not OpenStreetMap data"
)
CREATED_BY = "networks/sodegaura/build_network.py (synthetic road network generator v1)"
INDUSTRIAL_TOWNS = ("北袖", "中袖", "南袖")
TRANSPORT_HUB_KINDS = ("rail_station", "bus_terminal")

BOUNDARY_FILE = "sodegaura_boundary_N03-21_s0010.geojson"
TOWNS_FILE = "geolonia_chiba_sodegaura_towns.json"
POPULATION_FILE = "sodegaura_town_population.csv"
KEY_PLACES_FILE = "sodegaura_key_places.csv"


@dataclass(frozen=True, slots=True)
class BuildParams:
    """Parameters of the synthetic network (distances in metres, densities in persons/km²)."""

    seed: int = 12229  # the city's JIS code
    density_sigma_m: float = 550.0
    density_urban: float = 1800.0  # at or above: urban spacing
    density_rural: float = 120.0  # at or below: rural spacing
    built_up_density: float = 900.0  # nodes at or above are labelled built_up
    spacing_urban_m: float = 195.0
    spacing_rural_m: float = 720.0
    spacing_industrial_m: float = 470.0
    disc_factor: float = 0.82  # Poisson-disc radius = disc_factor * spacing
    anchor_disc_factor: float = 0.55  # clearance around anchors (times spacing)
    candidate_density_per_km2: float = 260.0
    boundary_inset_m: float = 25.0  # sampled points keep this distance from the boundary
    edge_boundary_buffer_m: float = 60.0  # an edge may leave the polygon by at most this much
    extra_gabriel_share: float = 0.30  # share of non-RNG Gabriel edges kept as local roads
    max_edge_factor: float = 2.6  # local edges longer than this * spacing are dropped
    wiggle_local: tuple[float, float] = (1.03, 1.16)
    wiggle_arterial: tuple[float, float] = (1.005, 1.04)
    arterial_reuse_discount: float = 0.80  # cost factor on edges that are already arterial
    trunk_min_population: int = 2000
    secondary_min_population: int = 150
    secondary_min_link_m: float = 700.0
    tertiary_spur_min_m: float = 350.0
    maxspeed_kmh: dict[str, str] = field(
        default_factory=lambda: {
            "primary": "50",
            "secondary": "40",
            "tertiary": "40",
            "residential": "30",
            "unclassified": "30",
        }
    )


@dataclass(frozen=True, slots=True)
class Anchor:
    """A named point that must become a node exactly at its coordinates."""

    place_id: str
    name: str
    kind: str
    lon: float
    lat: float
    population: int  # 2015 census persons; 0 for key places
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class LocalProjection:
    """Equirectangular projection around (lon0, lat0) in metres (an affine map of lon/lat)."""

    lon0: float
    lat0: float

    def to_xy(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Project lon/lat (degrees) to an (n, 2) array of x/y (metres)."""
        k = math.pi / 180.0 * EARTH_RADIUS_M
        x = (np.asarray(lon, dtype=float) - self.lon0) * k * math.cos(math.radians(self.lat0))
        y = (np.asarray(lat, dtype=float) - self.lat0) * k
        return np.column_stack([x, y])

    def to_lonlat(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inverse of :meth:`to_xy`; returns (lon, lat) in degrees."""
        k = math.pi / 180.0 * EARTH_RADIUS_M
        lon = xy[:, 0] / (k * math.cos(math.radians(self.lat0))) + self.lon0
        lat = xy[:, 1] / k + self.lat0
        return lon, lat


def haversine_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Great-circle distance (metres) between points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


# --------------------------------------------------------------------------- inputs


def _load_boundary(data_dir: Path) -> Polygon:
    path = data_dir / BOUNDARY_FILE
    with path.open(encoding="utf-8") as fh:
        gj = json.load(fh)
    geom = shape(gj["features"][0]["geometry"])
    if not isinstance(geom, Polygon):
        raise ValueError(f"{path}: expected one Polygon feature, got {geom.geom_type}")
    return geom


def _load_anchors(data_dir: Path) -> list[Anchor]:
    with (data_dir / POPULATION_FILE).open(encoding="utf-8", newline="") as fh:
        population = {row["town"]: int(row["population"]) for row in csv.DictReader(fh)}
    with (data_dir / TOWNS_FILE).open(encoding="utf-8") as fh:
        towns = json.load(fh)
    anchors: list[Anchor] = []
    for t in towns:
        name = t["town"]
        if name not in population:
            raise ValueError(f"{data_dir / POPULATION_FILE}: column 'town' lacks {name!r}")
        anchors.append(
            Anchor(f"town:{name}", name, "town", float(t["lng"]), float(t["lat"]), population[name])
        )
    with (data_dir / KEY_PLACES_FILE).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            anchors.append(
                Anchor(
                    row["id"],
                    row["name_ja"],
                    row["kind"],
                    float(row["lon"]),
                    float(row["lat"]),
                    0,
                    row["name_en"],
                )
            )
    return anchors


# --------------------------------------------------------------------------- density / spacing


def _density(xy: np.ndarray, town_xy: np.ndarray, town_pop: np.ndarray, sigma_m: float) -> np.ndarray:
    """Kernel population density (persons/km²) at ``xy`` from town points."""
    d2 = ((xy[:, None, :] - town_xy[None, :, :]) ** 2).sum(axis=2)
    kern = np.exp(-d2 / (2 * sigma_m**2)) / (2 * math.pi * sigma_m**2)  # per m²
    return (kern * town_pop[None, :]).sum(axis=1) * 1e6


def _classify_and_space(
    xy: np.ndarray,
    town_xy: np.ndarray,
    town_pop: np.ndarray,
    town_industrial: np.ndarray,
    p: BuildParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (area labels, target spacing in metres) for points ``xy``."""
    dens = _density(xy, town_xy, town_pop, p.density_sigma_m)
    lo, hi = math.log(p.density_rural), math.log(p.density_urban)
    t = np.clip((np.log(np.maximum(dens, 1e-9)) - lo) / (hi - lo), 0.0, 1.0)
    spacing = np.exp(math.log(p.spacing_rural_m) + t * (math.log(p.spacing_urban_m) - math.log(p.spacing_rural_m)))
    _, nearest = cKDTree(town_xy).query(xy)
    industrial = town_industrial[nearest] & (dens < p.built_up_density)
    spacing = np.where(industrial, np.minimum(spacing, p.spacing_industrial_m), spacing)
    area = np.where(dens >= p.built_up_density, "built_up", np.where(industrial, "industrial", "rural"))
    return area, spacing


# --------------------------------------------------------------------------- point sampling


def _sample_points(
    rng: np.random.Generator,
    inner: Polygon,
    anchor_xy: np.ndarray,
    spacing_of: Callable[[np.ndarray], np.ndarray],
    p: BuildParams,
) -> np.ndarray:
    """Variable-radius Poisson-disc sample inside ``inner`` (metres), anchors excluded."""
    minx, miny, maxx, maxy = inner.bounds
    n_cand = int((maxx - minx) * (maxy - miny) / 1e6 * p.candidate_density_per_km2)
    cand = np.column_stack([rng.uniform(minx, maxx, n_cand), rng.uniform(miny, maxy, n_cand)])
    shapely.prepare(inner)
    cand = cand[shapely.contains_xy(inner, cand[:, 0], cand[:, 1])]
    cand_spacing = spacing_of(cand)
    alive = np.ones(len(cand), dtype=bool)
    tree = cKDTree(cand)
    # anchors first: clear a disc around each
    anchor_spacing = spacing_of(anchor_xy)
    for pt, s in zip(anchor_xy, anchor_spacing, strict=True):
        alive[tree.query_ball_point(pt, p.anchor_disc_factor * s)] = False
    radius = p.disc_factor * cand_spacing
    neighbours = tree.query_ball_point(cand, radius)
    kept: list[int] = []
    for i in range(len(cand)):  # candidates are already in random order
        if not alive[i]:
            continue
        kept.append(i)
        alive[neighbours[i]] = False
    return cand[np.array(kept, dtype=int)]


# --------------------------------------------------------------------------- graph construction


def _delaunay_edges(xy: np.ndarray) -> np.ndarray:
    """Unique undirected Delaunay edges as an (m, 2) array with i < j, sorted."""
    tri = Delaunay(xy)
    s = tri.simplices
    e = np.vstack([s[:, [0, 1]], s[:, [1, 2]], s[:, [2, 0]]])
    e.sort(axis=1)
    return np.unique(e, axis=0)


def _proximity_flags(xy: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flags (is_gabriel, is_relative_neighbourhood) for each Delaunay edge."""
    tree = cKDTree(xy)
    a, b = xy[edges[:, 0]], xy[edges[:, 1]]
    d = np.linalg.norm(a - b, axis=1)
    gabriel = np.ones(len(edges), dtype=bool)
    rng_flag = np.ones(len(edges), dtype=bool)
    mids = (a + b) / 2
    in_circle = tree.query_ball_point(mids, d / 2 * (1 - 1e-9))
    in_disc_a = tree.query_ball_point(a, d * (1 - 1e-9))
    for k, (i, j) in enumerate(edges):
        if any(w != i and w != j for w in in_circle[k]):
            gabriel[k] = False
            rng_flag[k] = False
            continue
        for w in in_disc_a[k]:
            if w != i and w != j and np.linalg.norm(xy[w] - xy[j]) < d[k] * (1 - 1e-9):
                rng_flag[k] = False
                break
    return gabriel, rng_flag


def _mst_edge_mask(n: int, edges: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Mask of the edges that form a minimum spanning tree (weights > 0)."""
    m = coo_matrix((weight, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    t = minimum_spanning_tree(m).tocoo()
    tree_pairs = {(min(i, j), max(i, j)) for i, j in zip(t.row.tolist(), t.col.tolist(), strict=True)}
    return np.array([(int(i), int(j)) in tree_pairs for i, j in edges], dtype=bool)


def _route(
    n: int,
    edges: np.ndarray,
    cost: np.ndarray,
    src: int,
    dst: int,
) -> list[int]:
    """Indices of the edges on a least-cost path from ``src`` to ``dst``."""
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    w = coo_matrix((np.concatenate([cost, cost]), (rows, cols)), shape=(n, n)).tocsr()
    dist, pred = dijkstra(w, directed=True, indices=src, return_predecessors=True)
    if not np.isfinite(dist[dst]):
        return []
    index = {(int(i), int(j)): k for k, (i, j) in enumerate(edges)}
    path: list[int] = []
    v = dst
    while v != src:
        u = int(pred[v])
        path.append(index[(min(u, v), max(u, v))])
        v = u
    return path[::-1]


def _relative_neighbourhood_pairs(xy: np.ndarray) -> list[tuple[int, int]]:
    """Relative-neighbourhood graph of a small point set (brute force)."""
    n = len(xy)
    d = np.linalg.norm(xy[:, None, :] - xy[None, :, :], axis=2)
    pairs = []
    for i in range(n):
        for j in range(i + 1, n):
            lune = np.maximum(d[i], d[j]) < d[i, j] * (1 - 1e-9)
            lune[[i, j]] = False
            if not lune.any():
                pairs.append((i, j))
    return pairs


@dataclass(frozen=True, slots=True)
class _Network:
    """Intermediate result of the construction (indices into ``xy``)."""

    lon: np.ndarray
    lat: np.ndarray
    area: np.ndarray
    edges: np.ndarray
    highway: list[str]
    road_name: list[str]
    anchors: list[Anchor]


def _arterials(
    xy: np.ndarray,
    edges: np.ndarray,
    routable: np.ndarray,
    anchors: list[Anchor],
    p: BuildParams,
) -> tuple[dict[int, str], dict[int, str]]:
    """Route the arterials on the restricted triangulation.

    Returns
    -------
    tuple of dict
        ``(classes, names)``: Delaunay edge index -> highway class
        (primary/secondary/tertiary) and -> synthetic road name.
    """
    n = len(xy)
    na = len(anchors)
    length = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1)
    cost = np.where(routable, length, np.inf)
    ok = np.isfinite(cost)
    r_edges, r_index = edges[ok], np.flatnonzero(ok)
    cls: dict[int, str] = {}
    names: dict[int, str] = {}
    rank = {"primary": 0, "secondary": 1, "tertiary": 2}

    def label(a: int, b: int) -> str:
        return f"{anchors[a].name}–{anchors[b].name}"

    def add_route(a: int, b: int, klass: str, title: str) -> None:
        c = cost[ok].copy()
        used = np.array([k in cls for k in r_index.tolist()], dtype=bool)
        c[used] *= p.arterial_reuse_discount
        for k_local in _route(n, r_edges, c, a, b):
            k = int(r_index[k_local])
            if k not in cls or rank[klass] < rank[cls[k]]:
                cls[k] = klass
                names[k] = title
            elif k not in names:
                names[k] = title

    hubs = [i for i, a in enumerate(anchors) if a.kind in TRANSPORT_HUB_KINDS or a.place_id == "city_hall"]
    big = [i for i, a in enumerate(anchors) if a.kind == "town" and a.population >= p.trunk_min_population]
    trunk = hubs + big
    trunk_pairs = _relative_neighbourhood_pairs(xy[trunk])
    trunk_pairs.sort(key=lambda ij: float(np.linalg.norm(xy[trunk[ij[0]]] - xy[trunk[ij[1]]])))
    for i, j in trunk_pairs:
        a, b = trunk[i], trunk[j]
        add_route(a, b, "primary", f"Synthetic arterial {label(a, b)}")

    towns = [i for i, a in enumerate(anchors) if a.kind == "town"]
    netpts = towns + [h for h in hubs if anchors[h].kind in TRANSPORT_HUB_KINDS]
    pairs = _relative_neighbourhood_pairs(xy[netpts])
    pairs.sort(key=lambda ij: float(np.linalg.norm(xy[netpts[ij[0]]] - xy[netpts[ij[1]]])))

    def significant(i: int) -> bool:
        a = anchors[i]
        return a.kind != "town" or a.population >= p.secondary_min_population or a.name in INDUSTRIAL_TOWNS

    for i, j in pairs:
        a, b = netpts[i], netpts[j]
        if np.linalg.norm(xy[a] - xy[b]) < p.secondary_min_link_m:
            continue  # neighbouring 丁目 are joined by local streets
        klass = "secondary" if significant(a) and significant(b) else "tertiary"
        add_route(a, b, klass, f"Synthetic {'arterial' if klass == 'secondary' else 'collector'} {label(a, b)}")

    # spurs from anchors that are far from the arterial net
    for i in range(na):
        art_nodes = np.unique(edges[list(cls)].ravel()) if cls else np.array([], dtype=int)
        if i in set(art_nodes.tolist()):
            continue
        dist = np.linalg.norm(xy[art_nodes] - xy[i], axis=1)
        if dist.min() < p.tertiary_spur_min_m:
            continue
        target = int(art_nodes[int(np.argmin(dist))])
        add_route(i, target, "tertiary", f"Synthetic collector to {anchors[i].name}")
    return cls, names


def build_network(data_dir: Path, params: BuildParams | None = None) -> nx.MultiDiGraph:
    """Build the synthetic Sodegaura road network.

    Parameters
    ----------
    data_dir
        Directory holding the four Sodegaura source files.
    params
        Build parameters; defaults to :class:`BuildParams()`.

    Returns
    -------
    networkx.MultiDiGraph
        osmnx-schema graph in EPSG:4326; every road is two directed edges
        whose ``length`` (metres) is at least the great-circle distance.
    """
    p = params or BuildParams()
    rng = np.random.default_rng(p.seed)
    boundary = _load_boundary(data_dir)
    anchors = _load_anchors(data_dir)

    c = boundary.centroid
    proj = LocalProjection(round(c.x, 4), round(c.y, 4))
    ring = np.asarray(boundary.exterior.coords)
    poly_xy = Polygon(proj.to_xy(ring[:, 0], ring[:, 1]))

    a_lon = np.array([a.lon for a in anchors])
    a_lat = np.array([a.lat for a in anchors])
    anchor_xy = proj.to_xy(a_lon, a_lat)
    is_town = np.array([a.kind == "town" for a in anchors])
    town_xy = anchor_xy[is_town]
    town_pop = np.array([a.population for a in anchors if a.kind == "town"], dtype=float)
    town_ind = np.array([a.name in INDUSTRIAL_TOWNS for a in anchors if a.kind == "town"])

    def spacing_of(pts: np.ndarray) -> np.ndarray:
        return _classify_and_space(pts, town_xy, town_pop, town_ind, p)[1]

    inner = poly_xy.buffer(-p.boundary_inset_m)
    sample_xy = _sample_points(rng, inner, anchor_xy, spacing_of, p)
    # round sampled coordinates to 1e-7 degree (OSM precision) and re-project
    s_lon, s_lat = proj.to_lonlat(sample_xy)
    s_lon, s_lat = np.round(s_lon, 7), np.round(s_lat, 7)
    order = np.lexsort((s_lon, -s_lat))  # north to south, then west to east
    s_lon, s_lat = s_lon[order], s_lat[order]

    lon = np.concatenate([a_lon, s_lon])
    lat = np.concatenate([a_lat, s_lat])
    xy = proj.to_xy(lon, lat)
    n = len(xy)
    area, spacing = _classify_and_space(xy, town_xy, town_pop, town_ind, p)

    edges = _delaunay_edges(xy)
    seg_len = np.linalg.norm(xy[edges[:, 0]] - xy[edges[:, 1]], axis=1)
    lines = shapely.linestrings(np.stack([xy[edges[:, 0]], xy[edges[:, 1]]], axis=1))
    outer = poly_xy.buffer(p.edge_boundary_buffer_m)
    shapely.prepare(outer)
    inside = shapely.within(lines, outer)
    gabriel, rng_flag = _proximity_flags(xy, edges)
    local_spacing = np.maximum(spacing[edges[:, 0]], spacing[edges[:, 1]])
    not_too_long = seg_len <= p.max_edge_factor * local_spacing

    # MST over the whole triangulation, heavily penalising edges outside the city
    mst = _mst_edge_mask(n, edges, np.where(inside, seg_len, seg_len * 1000.0) + 1e-6)
    extra = gabriel & ~rng_flag & (rng.random(len(edges)) < p.extra_gabriel_share)
    keep = (inside & not_too_long & (rng_flag | extra)) | mst

    routable = inside & (seg_len <= 1.5 * p.max_edge_factor * local_spacing)
    art_cls, art_name = _arterials(xy, edges, routable, anchors, p)
    for k in art_cls:
        keep[k] = True

    highway: list[str] = []
    names: list[str] = []
    kept_idx = np.flatnonzero(keep)
    for k in kept_idx.tolist():
        if k in art_cls:
            highway.append(art_cls[k])
            names.append(art_name[k])
        else:
            i, j = edges[k]
            built = area[i] == "built_up" and area[j] == "built_up"
            highway.append("residential" if built else "unclassified")
            names.append("")
    net = _Network(lon, lat, area, edges[kept_idx], highway, names, anchors)
    return _to_graph(net, rng, p)


def _node_ids(n_anchor: int, n: int) -> list[int]:
    """Integer node ids: towns/key places 1.., sampled points 1001.."""
    return list(range(1, n_anchor + 1)) + list(range(1001, 1001 + n - n_anchor))


def _to_graph(net: _Network, rng: np.random.Generator, p: BuildParams) -> nx.MultiDiGraph:
    n = len(net.lon)
    ids = _node_ids(len(net.anchors), n)
    G = nx.MultiDiGraph()
    G.graph["crs"] = "epsg:4326"
    G.graph["synthetic"] = "true"
    G.graph["provenance"] = PROVENANCE
    G.graph["created_by"] = CREATED_BY
    G.graph["seed"] = str(p.seed)
    G.graph["license"] = (
        "Derived from MLIT N03 (国土数値情報（行政区域データ）（国土交通省）を加工して作成), "
        "geolonia japanese-addresses (CC BY 4.0), e-Stat 2015 census small-area data "
        "(政府統計の総合窓口(e-Stat)、平成27年国勢調査 小地域境界データを加工して作成); see README.md"
    )
    degree = np.bincount(net.edges.ravel(), minlength=n)
    for i in range(n):
        attrs: dict[str, str] = {
            "y": repr(float(net.lat[i])),
            "x": repr(float(net.lon[i])),
            "street_count": str(int(degree[i])),
            "area": str(net.area[i]),
        }
        if i < len(net.anchors):
            a = net.anchors[i]
            attrs["name"] = a.name
            attrs["place_id"] = a.place_id
            attrs["kind"] = a.kind
            if a.name_en:
                attrs["name_en"] = a.name_en
        G.add_node(ids[i], **attrs)
    u, v = net.edges[:, 0], net.edges[:, 1]
    hav = haversine_m(net.lon[u], net.lat[u], net.lon[v], net.lat[v])
    arterial = np.array([h in ("primary", "secondary", "tertiary") for h in net.highway])
    lo = np.where(arterial, p.wiggle_arterial[0], p.wiggle_local[0])
    hi = np.where(arterial, p.wiggle_arterial[1], p.wiggle_local[1])
    factor = lo + (hi - lo) * rng.random(len(u))
    length = np.ceil(hav * factor * 1000.0) / 1000.0
    for k in range(len(u)):
        a, b = ids[int(u[k])], ids[int(v[k])]
        base = {
            "osmid": str(k + 1),
            "highway": net.highway[k],
            "maxspeed": p.maxspeed_kmh[net.highway[k]],
            "oneway": "False",
            "length": repr(float(length[k])),
        }
        if net.road_name[k]:
            base["name"] = net.road_name[k]
        G.add_edge(a, b, key=0, **base, reversed="False")
        G.add_edge(b, a, key=0, **base, reversed="True")
    return G


# --------------------------------------------------------------------------- output and summary


def graphml_gz_bytes(G: nx.MultiDiGraph) -> bytes:
    """Serialise ``G`` (string attributes) as gzip-compressed GraphML, reproducibly (mtime 0)."""
    buf = io.BytesIO()
    nx.write_graphml(G, buf, encoding="utf-8", prettyprint=True)
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(buf.getvalue())
    return out.getvalue()


def circuity_sample(
    G: nx.MultiDiGraph, *, rng: np.random.Generator, pairs: int = 300, min_dist_m: float = 1000.0
) -> np.ndarray:
    """Network / great-circle distance ratios for random node pairs further apart than ``min_dist_m``."""
    nodes = list(G.nodes)
    idx = {v: i for i, v in enumerate(nodes)}
    lon = np.array([float(G.nodes[v]["x"]) for v in nodes])
    lat = np.array([float(G.nodes[v]["y"]) for v in nodes])
    rows, cols, w = [], [], []
    for a, b, d in G.edges(data=True):
        rows.append(idx[a])
        cols.append(idx[b])
        w.append(float(d["length"]))
    m = coo_matrix((w, (rows, cols)), shape=(len(nodes), len(nodes))).tocsr()
    src, dst = [], []
    while len(src) < pairs:
        i, j = rng.integers(0, len(nodes), size=2)
        if haversine_m(lon[i], lat[i], lon[j], lat[j]) > min_dist_m:
            src.append(int(i))
            dst.append(int(j))
    uniq, inv = np.unique(src, return_inverse=True)
    dist = dijkstra(m, directed=True, indices=uniq)
    net = dist[inv, dst]
    straight = haversine_m(lon[src], lat[src], lon[dst], lat[dst])
    return net / straight


def summarize(G: nx.MultiDiGraph) -> dict[str, float]:
    """Headline properties: counts, road km (undirected), circuity, edge length by area type."""
    und = [(u, v, d) for u, v, d in G.edges(data=True) if d["reversed"] == "False"]
    km = sum(float(d["length"]) for _, _, d in und) / 1000.0
    circ = circuity_sample(G, rng=np.random.default_rng(1), pairs=300)
    circ_big = circuity_sample(G, rng=np.random.default_rng(2), pairs=3000)
    out: dict[str, float] = {
        "nodes": G.number_of_nodes(),
        "directed_edges": G.number_of_edges(),
        "roads": len(und),
        "road_km": round(km, 2),
        "circuity_mean_300": round(float(circ.mean()), 4),
        "circuity_mean_3000": round(float(circ_big.mean()), 4),
    }
    for kind in ("built_up", "industrial", "rural"):
        ls = [
            float(d["length"])
            for u, v, d in und
            if G.nodes[u]["area"] == kind and G.nodes[v]["area"] == kind
        ]
        out[f"nodes_{kind}"] = sum(1 for _, a in G.nodes(data="area") if a == kind)
        out[f"edge_median_m_{kind}"] = round(float(np.median(ls)), 1) if ls else float("nan")
        out[f"edge_p25_m_{kind}"] = round(float(np.percentile(ls, 25)), 1) if ls else float("nan")
        out[f"edge_p75_m_{kind}"] = round(float(np.percentile(ls, 75)), 1) if ls else float("nan")
    for hw in ("primary", "secondary", "tertiary", "residential", "unclassified"):
        out[f"km_{hw}"] = round(sum(float(d["length"]) for _, _, d in und if d["highway"] == hw) / 1000, 2)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build, write and print a summary."""
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=here.parent.parent / "data" / "sodegaura")
    ap.add_argument("--out", type=Path, default=here / "sodegaura.graphml.gz")
    ap.add_argument("--seed", type=int, default=BuildParams().seed)
    ap.add_argument("--quiet", action="store_true", help="skip the summary")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    G = build_network(args.data_dir, BuildParams(seed=args.seed))
    data = graphml_gz_bytes(G)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    elapsed = time.perf_counter() - t0
    if not args.quiet:
        s = summarize(G)
        print(f"wrote {args.out} ({len(data) / 1024:.0f} KiB) in {elapsed:.1f} s")
        print(
            f"synthetic Sodegaura network: {s['nodes']} nodes, {s['roads']} roads "
            f"({s['directed_edges']} directed edges), {s['road_km']} road km, "
            f"circuity mean {s['circuity_mean_300']} (300 pairs > 1 km), {s['circuity_mean_3000']} (3000 pairs)"
        )
        for kind in ("built_up", "industrial", "rural"):
            print(
                f"  {kind:10s} nodes {s[f'nodes_{kind}']:5d}  edge length p25/median/p75 "
                f"{s[f'edge_p25_m_{kind}']}/{s[f'edge_median_m_{kind}']}/{s[f'edge_p75_m_{kind}']} m"
            )
        print("  km by class: " + ", ".join(f"{h} {s['km_' + h]}" for h in ("primary", "secondary", "tertiary", "residential", "unclassified")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
