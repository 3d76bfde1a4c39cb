"""Operating design domain (sim/network/domain.py): oracles restricted to permitted roads and
capped per road class, checked against networkx on hand-built and Sodegaura networks."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from sim.model import DaySpec, LineSpec, VehicleSpec, simulate_day
from sim.network.cache import NetworkCache
from sim.network.domain import RoadDomain, edge_classes
from sim.network.graph import RoadNetwork
from tests.conftest import REPO


@pytest.fixture(scope="module")
def sodegaura_net() -> RoadNetwork:
    return NetworkCache().get("sodegaura", REPO)


def triangle() -> RoadNetwork:
    """0 - 1 - 2 on a primary road (1,000 m edges at 36 km/h: 100 s each) and a 500 m residential
    shortcut 0 - 2 (50 s): the shortcut is the fastest way unless the domain forbids it."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    step = 1000.0 / (111_320.0 * math.cos(math.radians(35.0)))
    for k in range(3):
        g.add_node(k, x=139.9 + k * step, y=35.0)
    for a, b, length, hw in ((0, 1, 1000.0, "primary"), (1, 2, 1000.0, "primary"), (0, 2, 500.0, "residential")):
        for u, v in ((a, b), (b, a)):
            g.add_edge(u, v, length=length, highway=hw, maxspeed="36")
    return RoadNetwork.from_graph(g, name="triangle", synthetic=True, provenance="test")


def test_edge_classes_of_an_osm_highway_value() -> None:
    assert edge_classes("Primary ") == ("primary",)
    assert edge_classes(["primary", "secondary_link"]) == ("primary", "secondary_link")
    assert edge_classes(None) == ()


def test_the_domain_oracle_drives_only_permitted_roads_at_their_caps() -> None:
    net = triangle()
    free = net.oracle()
    assert free.time_s(0, 2) == 50.0 and free.path(0, 2) == [0, 2]
    main = RoadDomain(road_classes=frozenset({"primary"}))
    o = net.oracle(domain=main)
    assert o.time_s(0, 2) == 200.0 and o.path(0, 2) == [0, 1, 2] and o.dist_m(0, 2) == 2000.0
    capped = net.oracle(domain=RoadDomain(road_classes=frozenset({"primary"}), class_caps_mps=(("primary", 5.0),)))
    assert capped.time_s(0, 2) == 400.0  # 2,000 m at 18 km/h
    # only the shortcut: node 1 is out of reach
    short = net.oracle(domain=RoadDomain(road_classes=frozenset({"residential"})))
    assert short.time_s(0, 2) == 50.0 and math.isinf(short.time_s(0, 1))
    # an edge list permits single roads (both directions when listed both ways)
    listed = net.oracle(domain=RoadDomain(edges=frozenset({(0, 1), (1, 0)})))
    assert listed.time_s(1, 0) == 100.0 and math.isinf(listed.time_s(0, 2))
    assert net.domain_edges(main).tolist() == [bool(c == ("primary",)) for c in net.edge_classes]
    # the same domain gives the same cached oracle; no domain leaves the plain oracle alone
    assert net.oracle(domain=RoadDomain(road_classes=frozenset({"primary"}))) is o
    assert net.oracle(domain=RoadDomain()) is free


def test_a_line_vehicle_in_its_domain_takes_the_long_way() -> None:
    net = triangle()
    av = VehicleSpec("av", capacity=10, automation="level4_remote", stop_dwell_s=0.0,
                     domain=RoadDomain(road_classes=frozenset({"primary"})))
    line = LineSpec("l", av, stops=(0, 2), departures_s=(7 * 3600.0,), layover_s=0.0, recovery_share=0.0)
    day = simulate_day(net, [], DaySpec(services=(line,)))
    drives = [m for m in day.log.moves if m.kind == "drive"]
    assert [(m.from_node, m.to_node, m.end_s - m.start_s, m.distance_m) for m in drives] == [
        (0, 2, 200.0, 2000.0), (2, 0, 200.0, 2000.0),
    ]
    plain = simulate_day(net, [], DaySpec(services=(LineSpec("l", VehicleSpec("bus", 10, stop_dwell_s=0.0), stops=(0, 2),
                                                                 departures_s=(7 * 3600.0,), layover_s=0.0, recovery_share=0.0),)))
    assert {m.distance_m for m in plain.log.moves if m.kind == "drive"} == {500.0}


@pytest.mark.parametrize("classes", [("primary", "secondary"), ("primary", "secondary", "tertiary")])
def test_domain_times_equal_networkx_on_the_permitted_subgraph(sodegaura_net: RoadNetwork, classes: tuple[str, ...]) -> None:
    net = sodegaura_net
    domain = RoadDomain(road_classes=frozenset(classes), class_caps_mps=(("secondary", 12 / 3.6),))
    o = net.oracle(speed_cap_mps=35 / 3.6, domain=domain)
    g = nx.DiGraph()
    tail, head, length = net.edge_arrays()
    for k in np.flatnonzero(net.domain_edges(domain)):
        cap = 12 / 3.6 if "secondary" in net.edge_classes[k] else 35 / 3.6
        t = length[k] / min(net._speed[k] / 3.6, cap)
        a, b = int(tail[k]), int(head[k])
        if a != b and (not g.has_edge(a, b) or g[a][b]["t"] > t):
            g.add_edge(a, b, t=t)
    src = int(tail[np.flatnonzero(net.domain_edges(domain))[0]])
    want = nx.single_source_dijkstra_path_length(g, src, weight="t")
    row = o.times_from(src)
    assert set(np.flatnonzero(np.isfinite(row)).tolist()) == set(want)
    for node, t in want.items():
        assert row[node] == pytest.approx(t, rel=1e-9, abs=1e-6)
