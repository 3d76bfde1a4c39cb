"""Tests for sim.network: loading, speeds, snapping and the travel-time oracle.

Hand-made graphs use explicit edge ``length`` attributes so every travel time is exact:
``time_s = length_m / (speed_kmh / 3.6)``.
"""

from __future__ import annotations

import gzip
import math
import pickle
import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.errors import InputError, NetworkError, SimError
from sim.network.graph import OSM_PROVENANCE, RoadNetwork
from sim.network.info import NetworkInfo, circuity
from sim.network.io import embedded_networks, fetch_network, load_network, networks_dir
from sim.network.speeds import edge_speed_kmh

ROOT = Path(__file__).resolve().parents[2]
TACHIKAWA = ROOT / "networks" / "tachikawa" / "tachikawa.graphml.gz"
SODEGAURA = ROOT / "networks" / "sodegaura" / "sodegaura.graphml.gz"

# Node coordinates (lat, lon) of the hand-made graph, near Sodegaura.
COORDS = {
    1: (35.400, 139.950),
    2: (35.400, 139.961),
    3: (35.409, 139.950),
    4: (35.405, 139.956),
    5: (35.390, 139.950),  # dangling: reachable from 2 by a one-way edge, no way back
}


def _write_graphml(graph: nx.MultiDiGraph, path: Path) -> Path:
    """Write ``graph`` like osmnx does (every attribute as a string), gzipped if ``path`` ends in .gz."""
    out = nx.MultiDiGraph()
    out.graph.update({k: str(v) for k, v in graph.graph.items()})
    for v, data in graph.nodes(data=True):
        out.add_node(v, **{k: str(x) for k, x in data.items()})
    for u, v, k, data in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, **{a: str(x) for a, x in data.items()})
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as fh:
            nx.write_graphml(out, fh)
    else:
        nx.write_graphml(out, path)
    return path


def _small_graph() -> nx.MultiDiGraph:
    """Hand-checkable network.

    Edges (length m, speed km/h -> seconds):
      1->2, 2->1   1000 m, maxspeed 50             -> 72 s
      1->3         1000 m, residential (30)        -> 120 s   (shortest 1->3)
      1->4, 4->3    800 m / 700 m, maxspeed 60     -> 48 s + 42 s = 90 s (fastest 1->3, 1500 m)
      4->1          800 m, maxspeed 60             -> 48 s
      3->1 (x2)     600 m residential (72 s) and 900 m motorway maxspeed 100 (32.4 s): fastest kept
      2->5          one-way to a dead end: node 5 is dropped
    """
    g = nx.MultiDiGraph(crs="epsg:4326", simplified="True")
    for v, (lat, lon) in COORDS.items():
        g.add_node(v, y=lat, x=lon, street_count=2)
    g.nodes[3]["place_id"] = "station_a"
    g.nodes[3]["name"] = "駅前"
    g.nodes[4]["name"] = "station_a"  # clashes with a place_id: the place_id wins
    g.nodes[2]["name"] = "Hall"
    g.nodes[5]["name"] = "Dead End"
    g.add_edge(1, 2, length=1000.0, highway="residential", maxspeed="50", oneway=False)
    g.add_edge(2, 1, length=1000.0, highway="residential", maxspeed="50", oneway=False)
    g.add_edge(1, 3, length=1000.0, highway="residential", oneway=True)
    g.add_edge(1, 4, length=800.0, highway="primary", maxspeed="60", oneway=False)
    g.add_edge(4, 1, length=800.0, highway="primary", maxspeed="60", oneway=False)
    g.add_edge(4, 3, length=700.0, highway="primary", maxspeed="60", oneway=True)
    g.add_edge(3, 1, length=600.0, highway="residential", oneway=True)
    g.add_edge(3, 1, length=900.0, highway="motorway", maxspeed="100", oneway=True)
    g.add_edge(2, 5, length=500.0, highway="residential", oneway=True)
    return g


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_graphml(_small_graph(), tmp_path_factory.mktemp("small") / "small.graphml")


@pytest.fixture(scope="module")
def small(small_file: Path) -> RoadNetwork:
    return load_network(str(small_file))


@pytest.fixture(scope="module")
def tachikawa() -> RoadNetwork:
    return load_network("tachikawa")


# --------------------------------------------------------------------------------------------------
# edge speeds
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("highway", "maxspeed", "expected"),
    [
        ("residential", None, 30.0),
        ("motorway", None, 80.0),
        ("motorway_link", None, 60.0),
        ("trunk", None, 60.0),
        ("trunk_link", None, 40.0),
        ("primary", None, 50.0),
        ("primary_link", None, 40.0),
        ("secondary", None, 40.0),
        ("secondary_link", None, 40.0),
        ("tertiary", None, 40.0),
        ("tertiary_link", None, 30.0),
        ("living_street", None, 20.0),
        ("unclassified", None, 30.0),
        ("service", None, 20.0),
        ("road", None, 30.0),  # unknown type -> default
        (None, None, 30.0),
        (["residential", "primary"], None, 30.0),  # merged edge -> slowest default
        (["primary", "tertiary"], None, 40.0),
        ("primary", "40", 40.0),
        ("residential", "40 km/h", 40.0),
        (None, "40;50", 40.0),
        ("primary", "50; 30", 30.0),
        ("primary", "30 mph", 30 * 1.609344),
        ("primary", "30mph", 30 * 1.609344),
        ("primary", ["50", "40"], 40.0),
        ("primary", ["garbage", "45"], 45.0),
        ("primary", "JP:urban", 50.0),
        ("primary", "signals", 50.0),
        ("primary", "none", 50.0),
        ("primary", "fast", 50.0),
        ("primary", "", 50.0),
        ("primary", "0", 50.0),
        ("primary", "900", 50.0),  # implausible -> fallback
        ("secondary", ["garbage", "walk"], 40.0),
    ],
)
def test_edge_speed_kmh(highway: object, maxspeed: object, expected: float) -> None:
    assert edge_speed_kmh(highway, maxspeed) == pytest.approx(expected, rel=1e-12)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------------
# small hand-made graph
# --------------------------------------------------------------------------------------------------


def test_small_graph_keeps_largest_scc(small: RoadNetwork) -> None:
    assert small.n == 4
    assert sorted(small.node_ids.tolist()) == [1, 2, 3, 4]
    assert small.components_before == 2
    assert small.dropped_nodes == 1
    assert small.dropped_edges == 1  # 2->5
    assert nx.is_strongly_connected(small.graph)
    assert small.graph.number_of_edges() == 8
    with pytest.raises(NetworkError, match="5"):
        small.index_of(5)
    info = small.info()
    assert isinstance(info, NetworkInfo)
    assert (info.nodes, info.edges, info.dropped_nodes, info.dropped_edges) == (4, 8, 1, 1)
    assert info.road_km == pytest.approx((1000 + 1000 + 1000 + 800 + 800 + 700 + 600 + 900) / 1000)
    assert info.bbox == pytest.approx((139.950, 35.400, 139.961, 35.409))
    assert math.isfinite(info.circuity) and info.circuity >= 1.0  # nodes 2 and 3 are > 1 km apart
    assert info.synthetic is False and info.provenance == OSM_PROVENANCE


def test_small_graph_attribute_types(small: RoadNetwork) -> None:
    data = small.graph.nodes[1]
    assert isinstance(data["x"], float) and isinstance(data["y"], float)
    assert data["street_count"] == 2
    e = small.graph.edges[1, 2, 0]
    assert e["length"] == 1000.0 and e["oneway"] is False
    assert isinstance(small.node_ids[0], (int, np.integer))


def test_travel_times_exact(small: RoadNetwork) -> None:
    o = small.oracle()
    i1, i2, i3, i4 = (small.index_of(v) for v in (1, 2, 3, 4))
    assert o.time_s(i1, i2) == pytest.approx(72.0)
    assert o.time_s(i1, i4) == pytest.approx(48.0)
    assert o.time_s(i1, i1) == 0.0
    # fastest 1->3 goes via 4 (90 s, 1500 m), not the shorter direct road (120 s, 1000 m)
    assert o.time_s(i1, i3) == pytest.approx(90.0)
    assert o.dist_m(i1, i3) == pytest.approx(1500.0)
    assert o.path(i1, i3) == [i1, i4, i3]
    assert o.path(i2, i3) == [i2, i1, i4, i3]
    assert o.time_s(i2, i3) == pytest.approx(72.0 + 90.0)
    assert o.dist_m(i2, i3) == pytest.approx(2500.0)
    # parallel 3->1 edges: the 900 m motorway (32.4 s) beats the 600 m street (72 s)
    assert o.time_s(i3, i1) == pytest.approx(32.4)
    assert o.dist_m(i3, i1) == pytest.approx(900.0)
    assert o.time_s(i3, i2) == pytest.approx(32.4 + 72.0)
    assert o.dist_m(i3, i2) == pytest.approx(1900.0)
    assert o.path(i3, i3) == [i3]
    assert o.dist_m(i3, i3) == 0.0
    # column queries
    to1 = o.times_to(i1)
    assert to1[[i1, i2, i3, i4]] == pytest.approx([0.0, 72.0, 32.4, 48.0])
    for i in range(small.n):
        assert o.times_from(i) == pytest.approx(np.array([o.times_to(j)[i] for j in range(small.n)]))


def test_speed_cap_changes_times_exactly(small: RoadNetwork) -> None:
    free = small.oracle()
    capped = small.oracle(speed_cap_kmh=20.0)
    assert capped is small.oracle(speed_cap_kmh=20)  # cached per cap value
    assert free is small.oracle()
    assert capped.speed_cap_kmh == 20.0 and free.speed_cap_kmh is None
    i1, i2, i3, i4 = (small.index_of(v) for v in (1, 2, 3, 4))
    assert free.time_s(i1, i2) == pytest.approx(72.0)  # 1000 m at 50 km/h
    assert capped.time_s(i1, i2) == pytest.approx(180.0)  # 1000 m at 20 km/h
    # at 20 km/h every road is equally fast, so the fastest path becomes the shortest one
    assert capped.time_s(i1, i3) == pytest.approx(180.0)
    assert capped.dist_m(i1, i3) == pytest.approx(1000.0)
    assert capped.path(i1, i3) == [i1, i3]
    # the cap also changes which parallel edge is fastest: 600 m beats 900 m at 20 km/h
    assert capped.time_s(i3, i1) == pytest.approx(600 / (20 / 3.6))
    assert capped.dist_m(i3, i1) == pytest.approx(600.0)
    # a cap above every edge speed changes nothing
    assert small.oracle(speed_cap_kmh=500.0).time_s(i1, i3) == pytest.approx(90.0)
    for bad in (0, -5, float("nan"), float("inf")):
        with pytest.raises(NetworkError, match="speed_cap_kmh"):
            small.oracle(speed_cap_kmh=bad)


def test_cached_rows_are_read_only(small: RoadNetwork) -> None:
    o = small.oracle()
    row = o.times_from(0)
    assert row is o.times_from(0)
    with pytest.raises(ValueError):
        row[0] = 5.0
    with pytest.raises(ValueError):
        o.dists_from(0)[0] = 5.0
    with pytest.raises(ValueError):
        o.times_to(0)[0] = 5.0
    with pytest.raises(NetworkError, match="out of range"):
        o.times_from(99)
    with pytest.raises(NetworkError, match="out of range"):
        o.time_s(0, -1)


def test_precompute_matches_lazy_rows(small_file: Path) -> None:
    lazy = load_network(str(small_file)).oracle()
    full = load_network(str(small_file)).oracle()
    full.precompute()
    for i in range(4):
        assert full.times_from(i) == pytest.approx(lazy.times_from(i))
        assert full.dists_from(i) == pytest.approx(lazy.dists_from(i))
        assert full.times_to(i) == pytest.approx(lazy.times_to(i))
        for j in range(4):
            assert full.time_s(i, j) == pytest.approx(lazy.time_s(i, j))
            assert full.dist_m(i, j) == pytest.approx(lazy.dist_m(i, j))
            assert full.path(i, j) == lazy.path(i, j)


def test_places(small: RoadNetwork) -> None:
    i2, i3 = small.index_of(2), small.index_of(3)
    assert small.place("station_a") == i3  # place_id wins over node 4's name
    assert small.place("駅前") == i3
    assert small.place("Hall") == i2
    # node 5 was dropped; its name maps to the nearest kept node (node 1, 1.1 km north of it)
    assert small.place("Dead End") == small.index_of(1)
    with pytest.raises(NetworkError, match="nowhere") as err:
        small.place("nowhere")
    assert "station_a" in str(err.value)


def test_nearest_and_projection(small: RoadNetwork) -> None:
    i1, i2 = small.index_of(1), small.index_of(2)
    idx, d = small.nearest(35.400, 139.950)
    assert idx == i1 and d == pytest.approx(0.0, abs=1e-6)
    # 0.001 degrees north of node 1 is 110.95 m (WGS 84 meridian arc at 35.4 N); UTM scale ~0.9997 here
    idx, d = small.nearest(35.401, 139.950)
    assert idx == i1 and d == pytest.approx(110.95, rel=2e-3)
    idx, d = small.nearest(35.4001, 139.9605)
    assert idx == i2
    ids, ds = small.nearest_many([35.400, 35.409, 35.4051], [139.961, 139.950, 139.9561])
    assert ids.tolist() == [i2, small.index_of(3), small.index_of(4)]
    assert ds.shape == (3,) and ds[0] == pytest.approx(0.0, abs=1e-6)
    x, y = small.project(np.array([35.4, 35.4]), np.array([139.95, 139.961]))
    assert math.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(small.straight_m(i1, i2), rel=1e-12)
    assert (x[0], y[0]) == pytest.approx((small.x[i1], small.y[i1]), rel=1e-12)
    # 0.011 degrees of longitude at 35.4 N = 999.26 m on the WGS 84 ellipsoid
    assert small.straight_m(i1, i2) == pytest.approx(999.26, rel=2e-3)
    assert small.straight_m(i1, i1) == 0.0


def test_graphml_gz_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = tmp_path / "scenarios"
    sub.mkdir()
    _write_graphml(_small_graph(), sub / "net.graphml.gz")
    net = load_network("net.graphml.gz", base_dir=sub)
    assert net.n == 4 and net.name == "net"
    assert net.source == str((sub / "net.graphml.gz").resolve())
    monkeypatch.chdir(tmp_path)
    assert load_network("scenarios/net.graphml.gz").n == 4  # falls back to the cwd


def test_string_node_ids_and_synthetic_flag(tmp_path: Path) -> None:
    g = nx.relabel_nodes(_small_graph(), {v: f"n{v}" for v in COORDS})
    g.graph["synthetic"] = "true"
    g.graph["provenance"] = "made up for a test"
    net = load_network(str(_write_graphml(g, tmp_path / "s.graphml")))
    assert net.synthetic is True and net.provenance == "made up for a test"
    assert net.index_of("n3") == net.place("station_a")
    assert net.oracle().time_s(net.index_of("n1"), net.index_of("n3")) == pytest.approx(90.0)


def test_from_graph_and_pickle(small: RoadNetwork) -> None:
    net = RoadNetwork.from_graph(_small_graph(), name="mem")
    assert (net.n, net.dropped_nodes, net.source) == (4, 1, "<in-memory graph>")
    o = net.oracle()
    clone = pickle.loads(pickle.dumps(net))
    assert clone.oracle().time_s(0, 2) == o.time_s(0, 2)
    assert clone.nearest(35.4, 139.95) == net.nearest(35.4, 139.95)
    with pytest.raises(NetworkError, match="strongly connected"):
        RoadNetwork(_small_graph(), name="raw", source="test")


def test_zero_length_and_self_loop_edges(tmp_path: Path) -> None:
    g = _small_graph()
    g.add_edge(1, 1, length=10.0, highway="residential")
    g.add_edge(2, 4, length=0.0, highway="residential")
    net = load_network(str(_write_graphml(g, tmp_path / "z.graphml")))
    o = net.oracle()
    i1, i2, i4 = net.index_of(1), net.index_of(2), net.index_of(4)
    assert o.time_s(i2, i4) == pytest.approx(0.0, abs=1e-5)
    assert o.dist_m(i2, i4) == 0.0
    assert o.path(i2, i4) == [i2, i4]
    assert o.time_s(i1, i1) == 0.0


def test_circuity_invariants(small: RoadNetwork) -> None:
    c = circuity(small, rng=np.random.default_rng(0))
    assert c == circuity(small, rng=np.random.default_rng(0))
    assert c >= 1.0
    assert math.isnan(circuity(small, min_dist_m=50_000.0, rng=np.random.default_rng(0)))


# --------------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="nothere.graphml") as err:
        load_network("nothere.graphml", base_dir=tmp_path)
    assert str(tmp_path) in str(err.value)
    assert isinstance(err.value, InputError)


def test_unknown_embedded_name() -> None:
    with pytest.raises(NetworkError, match="atlantis") as err:
        load_network("atlantis")
    assert "tachikawa" in str(err.value)


def test_unknown_kind_of_source(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="roads.txt"):
        load_network(str(tmp_path / "roads.txt"))
    with pytest.raises(NetworkError, match="empty"):
        load_network("  ")


def test_unreadable_and_empty_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphml"
    bad.write_text("this is not xml", encoding="utf-8")
    with pytest.raises(NetworkError, match="bad.graphml"):
        load_network(str(bad))
    badgz = tmp_path / "bad.graphml.gz"
    badgz.write_bytes(b"not gzip at all")
    # a damaged compressed file is an environment failure (exit 1), named with its path (issue 16)
    with pytest.raises(SimError, match=r"bad\.graphml\.gz: corrupt or truncated") as info:
        load_network(str(badgz))
    assert not isinstance(info.value, NetworkError)
    empty = _write_graphml(nx.MultiDiGraph(crs="epsg:4326"), tmp_path / "empty.graphml")
    with pytest.raises(NetworkError, match="empty"):
        load_network(str(empty))
    g = _small_graph()
    g.nodes[2]["x"] = "east"
    with pytest.raises(NetworkError, match="east"):
        load_network(str(_write_graphml(g, tmp_path / "badx.graphml")))
    g = _small_graph()
    g.graph["crs"] = "epsg:32654"
    with pytest.raises(NetworkError, match="32654"):
        load_network(str(_write_graphml(g, tmp_path / "proj.graphml")))


def test_uncached_place(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="network fetch") as err:
        load_network("place:Nowhere Village, Japan", cache_dir=tmp_path)
    assert "Nowhere Village, Japan" in str(err.value)


# --------------------------------------------------------------------------------------------------
# OSM XML and fetching (osmnx)
# --------------------------------------------------------------------------------------------------

OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
  <node id="1" lat="35.4000" lon="139.9500" version="1"/>
  <node id="2" lat="35.4000" lon="139.9550" version="1"/>
  <node id="3" lat="35.4000" lon="139.9600" version="1"/>
  <node id="4" lat="35.4050" lon="139.9600" version="1"/>
  <node id="5" lat="35.4050" lon="139.9500" version="1"/>
  <node id="6" lat="35.4100" lon="139.9550" version="1"/>
  <node id="7" lat="35.3950" lon="139.9550" version="1"/>
  <node id="8" lat="35.3900" lon="139.9700" version="1"/>
  <way id="100" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="South St"/></way>
  <way id="101" version="1"><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
  <way id="102" version="1"><nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="tertiary"/><tag k="maxspeed" v="40"/></way>
  <way id="103" version="1"><nd ref="5"/><nd ref="1"/>
    <tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>
  <way id="104" version="1"><nd ref="2"/><nd ref="6"/><nd ref="5"/><tag k="highway" v="footway"/></way>
  <way id="105" version="1"><nd ref="2"/><nd ref="7"/>
    <tag k="highway" v="service"/><tag k="service" v="parking_aisle"/></way>
  <way id="106" version="1"><nd ref="3"/><nd ref="8"/>
    <tag k="highway" v="residential"/><tag k="access" v="private"/></way>
  <way id="107" version="1"><nd ref="6"/><nd ref="7"/><tag k="building" v="yes"/></way>
</osm>
"""


@pytest.mark.parametrize("suffix", [".osm", ".osm.bz2"])
def test_load_osm_xml(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"town{suffix}"
    if suffix == ".osm.bz2":
        import bz2

        path.write_bytes(bz2.compress(OSM_XML.encode("utf-8")))
    else:
        path.write_text(OSM_XML, encoding="utf-8")
    net = load_network(str(path))
    assert net.name == "town"
    # footway, parking aisle, private road and building are filtered out; node 2 is simplified away
    assert sorted(net.node_ids.tolist()) == [1, 3, 4, 5]
    assert nx.is_strongly_connected(net.graph)
    highways = {d["highway"] for _, _, d in net.graph.edges(data=True)}
    assert highways == {"residential", "tertiary"}
    g = net.graph
    assert g.has_edge(3, 4) and not g.has_edge(4, 3)  # one-way respected
    assert g.has_edge(5, 1) and not g.has_edge(1, 5)
    assert g.has_edge(1, 3) and g.has_edge(3, 1)
    o = net.oracle()
    i1, i3, i4, i5 = (net.index_of(v) for v in (1, 3, 4, 5))
    l13 = g.edges[1, 3, 0]["length"]
    assert l13 == pytest.approx(906.4, rel=1e-3)  # 0.01 deg of longitude at 35.4 N
    assert o.time_s(i1, i3) == pytest.approx(l13 / (30 / 3.6))
    # 4 -> 3 must go round: 4->5 (tertiary, maxspeed 40), 5->1, 1->3 (residential, 30)
    l45, l51 = g.edges[4, 5, 0]["length"], g.edges[5, 1, 0]["length"]
    assert o.time_s(i4, i3) == pytest.approx(l45 / (40 / 3.6) + (l51 + l13) / (30 / 3.6))
    assert o.path(i4, i3) == [i4, i5, i1, i3]


def test_osm_without_drivable_ways(tmp_path: Path) -> None:
    path = tmp_path / "paths.osm"
    path.write_text(
        '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="35.4" lon="139.95"/>'
        '<node id="2" lat="35.41" lon="139.95"/><way id="9"><nd ref="1"/><nd ref="2"/>'
        '<tag k="highway" v="footway"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(NetworkError, match="no drivable ways"):
        load_network(str(path))


def test_fetch_network_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox

    calls: list[tuple[str, str]] = []

    def fake_graph_from_place(query: str, *, network_type: str = "all", **_: object) -> nx.MultiDiGraph:
        calls.append((query, network_type))
        return _small_graph()

    monkeypatch.setattr(ox, "graph_from_place", fake_graph_from_place)
    path = fetch_network("Test Town, Chiba, Japan", cache_dir=tmp_path)
    assert calls == [("Test Town, Chiba, Japan", "drive")]
    assert path == tmp_path / "test_town_chiba_japan.graphml.gz"
    assert path.is_file()
    net = load_network("place:Test Town, Chiba, Japan", cache_dir=tmp_path)
    assert net.name == "Test Town, Chiba, Japan"
    assert net.source == str(path.resolve())
    assert (net.n, net.dropped_nodes) == (4, 1)
    assert net.synthetic is False and "OpenStreetMap contributors" in net.provenance
    assert net.oracle().time_s(net.index_of(1), net.index_of(3)) == pytest.approx(90.0)
    assert net.place("station_a") == net.index_of(3)


def test_fetch_network_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox
    import requests

    def offline(query: str, **_: object) -> nx.MultiDiGraph:
        raise requests.ConnectionError("Name or service not known")

    monkeypatch.setattr(ox, "graph_from_place", offline)
    with pytest.raises(NetworkError, match=r"could not download.*no internet"):
        fetch_network("Somewhere", cache_dir=tmp_path)
    assert not any(tmp_path.iterdir())


# --------------------------------------------------------------------------------------------------
# embedded networks
# --------------------------------------------------------------------------------------------------


def test_embedded_networks_listing() -> None:
    assert networks_dir() == ROOT / "networks"
    emb = embedded_networks()
    assert emb["tachikawa"] == TACHIKAWA
    assert "cache" not in emb


def test_tachikawa_loads(tachikawa: RoadNetwork) -> None:
    net = tachikawa
    assert net.n == 4106 and net.graph.number_of_edges() == 10515
    assert nx.is_strongly_connected(net.graph)
    assert (net.components_before, net.dropped_nodes, net.dropped_edges) == (1, 0, 0)
    assert net.synthetic is False and net.provenance == OSM_PROVENANCE
    assert net.name == "tachikawa" and net.source == str(TACHIKAWA)
    info = net.info()
    assert info.road_km == pytest.approx(732.8, abs=0.1)
    assert info.bbox == pytest.approx((139.3543069, 35.684523, 139.4459279, 35.7375864))
    assert 1.1 < info.circuity < 1.6
    # the geometry WKT became shapely LineStrings, as osmnx.load_graphml does
    geoms = [d["geometry"] for _, _, d in net.graph.edges(data=True) if "geometry" in d]
    assert len(geoms) == 3727 and geoms[0].geom_type == "LineString"


def test_tachikawa_projection_accuracy(tachikawa: RoadNetwork) -> None:
    net = tachikawa
    rng = np.random.default_rng(3)
    i = rng.integers(0, net.n, 200)
    j = rng.integers(0, net.n, 200)
    phi1, phi2 = np.radians(net.lat[i]), np.radians(net.lat[j])
    dphi, dlmb = phi2 - phi1, np.radians(net.lon[j] - net.lon[i])
    h = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    great_circle = 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))
    straight = np.array([net.straight_m(a, b) for a, b in zip(i, j)])
    far = great_circle > 100
    assert np.all(np.abs(straight[far] / great_circle[far] - 1) < 0.005)


def test_tachikawa_oracle_consistency(tachikawa: RoadNetwork) -> None:
    net = tachikawa
    rng = np.random.default_rng(7)
    for cap in (None, 20.0):
        o = net.oracle(speed_cap_kmh=cap)
        for _ in range(25):
            a, b = (int(v) for v in rng.integers(0, net.n, 2))
            p = o.path(a, b)
            assert p[0] == a and p[-1] == b
            t = d = 0.0
            for u, v in zip(p, p[1:]):  # fastest parallel edge of each step
                best = min(
                    (
                        e["length"]
                        / (min(edge_speed_kmh(e.get("highway"), e.get("maxspeed")), cap or math.inf) / 3.6),
                        e["length"],
                    )
                    for e in net.graph.get_edge_data(net.node_ids[u], net.node_ids[v]).values()
                )
                t += best[0]
                d += best[1]
            assert o.time_s(a, b) == pytest.approx(t, rel=1e-9, abs=1e-6)
            assert o.dist_m(a, b) == pytest.approx(d, rel=1e-9, abs=1e-6)
            assert o.times_to(b)[a] == pytest.approx(o.time_s(a, b), rel=1e-12)
    free, capped = net.oracle(), net.oracle(speed_cap_kmh=20.0)
    for a in range(0, net.n, 500):
        assert np.all(capped.times_from(a) >= free.times_from(a) - 1e-9)
        # capped at 20 km/h everywhere (every default speed is >= 20): time = dist / (20 / 3.6)
        assert capped.times_from(a) == pytest.approx(capped.dists_from(a) / (20 / 3.6), rel=1e-9, abs=1e-4)
        assert np.all(free.dists_from(a) >= 0) and np.all(np.isfinite(free.dists_from(a)))


def test_loading_graphml_does_not_import_osmnx() -> None:
    code = (
        "import sys; from sim.network.io import load_network; net = load_network('tachikawa'); "
        "net.oracle().time_s(0, 1); net.info(); assert 'osmnx' not in sys.modules, 'osmnx imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=60)


@pytest.mark.slow
def test_tachikawa_precompute_matches_lazy(tachikawa: RoadNetwork) -> None:
    lazy = tachikawa.oracle(speed_cap_kmh=35.0)
    full = RoadNetwork.from_graph(tachikawa.graph, name="copy").oracle(speed_cap_kmh=35.0)
    full.precompute()
    for a in (0, 999, 4105):
        assert full.times_from(a) == pytest.approx(lazy.times_from(a), rel=1e-12)
        assert full.dists_from(a) == pytest.approx(lazy.dists_from(a), rel=1e-12)
        assert full.times_to(a) == pytest.approx(lazy.times_to(a), rel=1e-12)


@pytest.mark.skipif(not SODEGAURA.is_file(), reason="networks/sodegaura/sodegaura.graphml.gz not built yet")
def test_sodegaura_loads() -> None:
    net = load_network("sodegaura")
    assert nx.is_strongly_connected(net.graph)
    assert net.synthetic is True
    assert "OpenStreetMap contributors" not in net.provenance or "not OpenStreetMap" in net.provenance
    info = net.info()
    assert 1.15 <= info.circuity <= 1.40
    assert info.nodes == net.n > 100
    assert any(k.startswith("town:") for k in net.places)
    o = net.oracle()
    assert np.all(np.isfinite(o.times_from(0)))
