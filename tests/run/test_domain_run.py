"""Operating design domain end to end: keys, validation naming the stop, vehicle_moves.csv inside
the domain, and the domain's share of the network and population in metrics.json."""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from click.testing import Result

from sim.network.cache import NetworkCache
from sim.network.domain import RoadDomain
from tests.conftest import REPO, assert_clean_error

AV_SHUTTLE = REPO / "scenarios" / "sodegaura" / "av_shuttle.toml"
MAIN_ROADS = 'vehicles.arma.odd_road_classes=["primary","secondary"]'


def test_a_stop_outside_the_domain_fails_validation_naming_it(cli: Callable[..., Result]) -> None:
    result = cli("validate", AV_SHUTTLE, "--set", 'vehicles.arma.odd_road_classes=["primary"]')
    assert_clean_error(result, 2, "services.corridor_shuttle.stops[3]", "'yurinosato'", "operating domain", "primary")


def test_an_unknown_edge_node_fails_validation_naming_the_key(cli: Callable[..., Result]) -> None:
    result = cli("validate", AV_SHUTTLE, "--set", 'vehicles.arma.odd_edges=["999999-1"]')
    assert_clean_error(result, 2, "vehicles.arma.odd_edges[0]", "999999")


@pytest.mark.slow
def test_no_shuttle_move_leaves_the_permitted_roads(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "odd"
    result = cli("run", AV_SHUTTLE, "--seed", "7", "--no-report", "--out", out, "--set", MAIN_ROADS)
    assert result.exit_code == 0, result.output
    net = NetworkCache().get("sodegaura", REPO)
    domain = RoadDomain(road_classes=frozenset({"primary", "secondary"}))
    tail, head, length = net.edge_arrays()
    allowed = nx.DiGraph()
    forbidden = nx.DiGraph()
    for k in range(len(tail)):
        g = allowed if net.domain_edges(domain)[k] else forbidden
        g.add_edge(int(tail[k]), int(head[k]), length=float(length[k]))
    with (out / "vehicle_moves.csv").open(encoding="utf-8") as fh:
        drives = [r for r in csv.DictReader(fh) if r["service"] == "corridor_shuttle" and r["kind"] == "drive"]
    assert drives
    for r in drives:
        a, b = net.index_of(r["from_node"]), net.index_of(r["to_node"])
        # the drive's length is that of a path over permitted roads (the model's domain oracle)
        path = net.oracle(speed_cap_mps=18 / 3.6, domain=domain).path(a, b)
        assert all(allowed.has_edge(u, v) for u, v in itertools.pairwise(path))
        assert float(r["distance_m"]) == pytest.approx(sum(allowed[u][v]["length"] for u, v in itertools.pairwise(path)), abs=0.01)
        assert nx.has_path(allowed, a, b)
    m = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    dom = m["operating_domain"]["arma"]
    keep = net.domain_edges(domain)
    assert dom["road_km"] == pytest.approx(length[keep].sum() / 1000) and 0 < dom["network_share"] < 1
    assert 0 < dom["population_share"] <= 1 and dom["nodes_inside"] == len(np.unique(np.r_[tail[keep], head[keep]]))
