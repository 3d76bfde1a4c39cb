"""Checks of the embedded synthetic Sodegaura road network (networks/sodegaura/).

The graph is read with networkx only (gzip + ``nx.read_graphml``); no project
module is imported, so these tests are independent of the simulator's loader.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely import STRtree, linestrings
from shapely.geometry import Point, shape

ROOT = Path(__file__).resolve().parents[2]
NET_DIR = ROOT / "networks" / "sodegaura"
GRAPH_FILE = NET_DIR / "sodegaura.graphml.gz"
DATA = ROOT / "data" / "sodegaura"
EARTH_RADIUS_M = 6_371_008.8
HIGHWAYS = {"primary", "secondary", "tertiary", "residential", "unclassified"}


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance (metres)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.subtract(lon2, lon1)) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def read_graph(path: Path) -> nx.MultiDiGraph:
    with gzip.open(path, "rb") as fh:
        G = nx.read_graphml(fh, node_type=int, force_multigraph=True)
    for _, d in G.nodes(data=True):
        d["x"], d["y"] = float(d["x"]), float(d["y"])
    for _, _, d in G.edges(data=True):
        d["length"] = float(d["length"])
    return G


def crossing_pairs(G: nx.Graph) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Pairs of straight-line edges (lon/lat) that meet anywhere but at a shared end node."""
    und = sorted({(min(u, v), max(u, v)) for u, v in G.edges()})
    coords = np.array([[[G.nodes[u]["x"], G.nodes[u]["y"]], [G.nodes[v]["x"], G.nodes[v]["y"]]] for u, v in und])
    lines = linestrings(coords)
    tree = STRtree(lines)
    left, right = tree.query(lines, predicate="intersects")
    bad = []
    for i, j in zip(left.tolist(), right.tolist()):
        if i >= j:
            continue
        shared = set(und[i]) & set(und[j])
        if not shared:
            bad.append((und[i], und[j]))
            continue
        (s,) = shared  # two distinct segments share at most one node
        meet = lines[i].intersection(lines[j])
        if not meet.equals(Point(G.nodes[s]["x"], G.nodes[s]["y"])):
            bad.append((und[i], und[j]))  # overlap along a line
    return bad


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return read_graph(GRAPH_FILE)


@pytest.fixture(scope="module")
def anchors() -> dict[str, tuple[float, float]]:
    """place_id -> (lon, lat) of the 72 towns and 19 key places."""
    with (DATA / "geolonia_chiba_sodegaura_towns.json").open(encoding="utf-8") as fh:
        out = {f"town:{t['town']}": (float(t["lng"]), float(t["lat"])) for t in json.load(fh)}
    with (DATA / "sodegaura_key_places.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["id"]] = (float(row["lon"]), float(row["lat"]))
    return out


def test_crossing_check_detects_a_crossing_and_accepts_a_shared_node() -> None:
    H = nx.Graph()
    for n, (x, y) in enumerate([(0, 0), (1, 1), (0, 1), (1, 0), (2, 2)]):
        H.add_node(n, x=float(x), y=float(y))
    H.add_edges_from([(0, 1), (1, 4)])  # collinear, meet only at node 1
    assert crossing_pairs(H) == []
    H.add_edge(2, 3)  # the X crossing at (0.5, 0.5)
    assert crossing_pairs(H) == [((0, 1), (2, 3))]


def test_file_is_small_gzip_graphml() -> None:
    assert GRAPH_FILE.stat().st_size < 2 * 1024 * 1024
    with gzip.open(GRAPH_FILE, "rb") as fh:
        assert b"<graphml" in fh.read(400)


def test_graph_attributes(G: nx.MultiDiGraph) -> None:
    assert isinstance(G, nx.MultiDiGraph)
    assert G.graph["crs"] == "epsg:4326"
    assert G.graph["synthetic"] == "true"
    assert "not OpenStreetMap" in G.graph["provenance"]
    assert "\n" not in G.graph["provenance"]
    assert G.graph["created_by"]
    assert all(isinstance(n, int) for n in G.nodes)


def test_strongly_connected(G: nx.MultiDiGraph) -> None:
    assert nx.is_strongly_connected(G)


def test_every_road_is_two_directed_edges(G: nx.MultiDiGraph) -> None:
    by_osmid: dict[str, list[tuple[int, int, dict]]] = {}
    for u, v, d in G.edges(data=True):
        by_osmid.setdefault(d["osmid"], []).append((u, v, d))
        int(d["osmid"])
    for osmid, pair in by_osmid.items():
        assert len(pair) == 2, osmid
        (u1, v1, d1), (u2, v2, d2) = pair
        assert (u1, v1) == (v2, u2)
        assert d1["length"] == d2["length"] and d1["highway"] == d2["highway"]
        assert {d1["reversed"], d2["reversed"]} == {"True", "False"}
        assert d1["oneway"] == d2["oneway"] == "False"
    assert len(by_osmid) * 2 == G.number_of_edges()


def test_edge_attributes_and_lengths(G: nx.MultiDiGraph) -> None:
    speeds: dict[str, set[int]] = {}
    for u, v, d in G.edges(data=True):
        assert d["highway"] in HIGHWAYS
        speeds.setdefault(d["highway"], set()).add(int(d["maxspeed"]))
        a, b = G.nodes[u], G.nodes[v]
        straight = float(haversine_m(a["x"], a["y"], b["x"], b["y"]))
        assert d["length"] >= straight - 0.01, (u, v, d["length"], straight)
        assert d["length"] <= straight * 1.2 + 0.01
        assert u != v
    assert set(speeds) == HIGHWAYS
    assert min(speeds["primary"]) > max(speeds["residential"])
    assert min(speeds["secondary"]) > max(speeds["residential"])
    names = {d.get("name", "") for _, _, d in G.edges(data=True) if d["highway"] == "primary"}
    assert all(n.startswith("Synthetic ") for n in names)


def test_street_count_is_undirected_degree(G: nx.MultiDiGraph) -> None:
    und = nx.Graph(G)
    for n, d in G.nodes(data=True):
        assert int(d["street_count"]) == und.degree(n)


def test_planar_no_crossing_edges(G: nx.MultiDiGraph) -> None:
    assert crossing_pairs(G) == []


def test_anchors_are_named_nodes_at_their_coordinates(G, anchors) -> None:
    by_pid = {d["place_id"]: (n, d) for n, d in G.nodes(data=True) if "place_id" in d}
    assert len(anchors) == 72 + 19
    assert set(anchors) <= set(by_pid)
    for pid, (lon, lat) in anchors.items():
        _, d = by_pid[pid]
        assert float(haversine_m(lon, lat, d["x"], d["y"])) < 1.0, pid
        assert d["name"]
        assert d["kind"] == "town" if pid.startswith("town:") else d["kind"] != "town"
    assert by_pid["sodegaura_sta"][1]["name"] == "JR袖ケ浦駅"
    assert by_pid["yurinosato"][1]["kind"] == "shopping"


def test_transport_hubs_are_on_arterials(G, anchors) -> None:
    by_pid = {d["place_id"]: n for n, d in G.nodes(data=True) if "place_id" in d}
    for pid in ("sodegaura_sta", "nagaura_sta", "yokota_sta", "higashi_yokota_sta", "sodegaura_bt"):
        classes = {d["highway"] for _, _, d in G.out_edges(by_pid[pid], data=True)}
        assert classes & {"primary", "secondary"}, pid


def test_nodes_inside_buffered_boundary(G: nx.MultiDiGraph) -> None:
    with (DATA / "sodegaura_boundary_N03-21_s0010.geojson").open(encoding="utf-8") as fh:
        poly = shape(json.load(fh)["features"][0]["geometry"])
    area = poly.buffer(0.0005)  # about 50 m
    outside = [n for n, d in G.nodes(data=True) if not area.contains(Point(d["x"], d["y"]))]
    assert outside == []


def test_circuity_mean_is_road_like(G: nx.MultiDiGraph) -> None:
    nodes = list(G.nodes)
    idx = {n: i for i, n in enumerate(nodes)}
    lon = np.array([G.nodes[n]["x"] for n in nodes])
    lat = np.array([G.nodes[n]["y"] for n in nodes])
    rows, cols, w = zip(*[(idx[u], idx[v], d["length"]) for u, v, d in G.edges(data=True)])
    m = coo_matrix((w, (rows, cols)), shape=(len(nodes), len(nodes))).tocsr()
    rng = np.random.default_rng(20240601)
    src: list[int] = []
    dst: list[int] = []
    while len(src) < 300:
        i, j = (int(k) for k in rng.integers(0, len(nodes), size=2))
        if haversine_m(lon[i], lat[i], lon[j], lat[j]) > 1000.0:
            src.append(i)
            dst.append(j)
    uniq, inv = np.unique(src, return_inverse=True)
    net = dijkstra(m, directed=True, indices=uniq)[inv, dst]
    ratio = net / haversine_m(lon[src], lat[src], lon[dst], lat[dst])
    assert np.isfinite(ratio).all()
    assert ratio.min() >= 1.0
    assert 1.15 <= ratio.mean() <= 1.40, ratio.mean()


def test_node_spacing_by_area_type(G: nx.MultiDiGraph) -> None:
    def median_length(kind: str) -> float:
        ls = [
            d["length"]
            for u, v, d in G.edges(data=True)
            if G.nodes[u]["area"] == kind and G.nodes[v]["area"] == kind
        ]
        assert len(ls) > 20, kind
        return float(np.median(ls))

    assert 150.0 <= median_length("built_up") <= 300.0
    assert 400.0 <= median_length("rural") <= 900.0
    assert 350.0 <= median_length("industrial") <= 900.0
    # the area labels follow the population: big towns are built up, the reclaimed coast is industrial
    with (DATA / "sodegaura_town_population.csv").open(encoding="utf-8", newline="") as fh:
        pop = {r["town"]: int(r["population"]) for r in csv.DictReader(fh)}
    area = {d["place_id"]: d["area"] for _, d in G.nodes(data=True) if "place_id" in d}
    for town, p in pop.items():
        if p >= 2000:
            assert area[f"town:{town}"] == "built_up", town
    for town in ("北袖", "中袖"):
        assert area[f"town:{town}"] == "industrial"


@pytest.mark.slow
def test_build_is_reproducible(tmp_path: Path) -> None:
    out = tmp_path / "rebuilt.graphml.gz"
    subprocess.run(
        [sys.executable, str(NET_DIR / "build_network.py"), "--out", str(out), "--quiet"],
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    assert out.read_bytes() == GRAPH_FILE.read_bytes()


def test_osmnx_can_load_it(tmp_path: Path) -> None:
    ox = pytest.importorskip("osmnx")
    plain = tmp_path / "sodegaura.graphml"
    with gzip.open(GRAPH_FILE, "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    H = ox.load_graphml(plain)
    u, v, d = next(iter(H.edges(data=True)))
    assert isinstance(d["length"], float) and isinstance(d["osmid"], int) and d["oneway"] is False
    assert isinstance(H.nodes[u]["x"], float) and isinstance(H.nodes[u]["street_count"], int)
    H = ox.add_edge_speeds(H)
    H = ox.add_edge_travel_times(H)
    assert all(math.isfinite(d["travel_time"]) and d["travel_time"] > 0 for _, _, d in H.edges(data=True))
