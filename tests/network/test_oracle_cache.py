"""Bounded travel-time cache (issue 15): identical results with the bound at its minimum and unbounded."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.network.cache import NetworkCache
from sim.network.oracle import TravelOracle
from sim.paths import repo_root
from sim.run.assemble import load_net
from sim.scenario.schema import load_scenario
from tests.helpers import grid_network, request, run_drt, single_area_layout


def _queries(oracle: TravelOracle, rng: np.random.Generator, n: int, k: int = 300) -> list[object]:
    out: list[object] = []
    for _ in range(k):
        i, j = (int(x) for x in rng.integers(0, n, 2))
        what = int(rng.integers(0, 6))
        if what == 0:
            out.append(oracle.time_s(i, j))
        elif what == 1:
            out.append(oracle.dist_m(i, j))
        elif what == 2:
            out.append(oracle.times_from(i).tobytes())
        elif what == 3:
            out.append(oracle.dists_from(i).tobytes())
        elif what == 4:
            out.append(oracle.times_to(j).tobytes())
        else:
            out.append(tuple(oracle.path(i, j)))
        if oracle.cache_rows is not None:
            assert oracle.cached_rows <= oracle.cache_rows
    return out


def test_oracle_answers_do_not_depend_on_the_bound() -> None:
    net = grid_network(9, 8, rng=np.random.default_rng(3))
    unbounded = net.oracle()
    answers = _queries(unbounded, np.random.default_rng(1), net.n)
    assert unbounded.cache_rows is None and unbounded.cached_rows > 50
    for rows in (1, 2, 7):
        small = grid_network(9, 8, rng=np.random.default_rng(3))
        small.set_cache_rows(rows)
        oracle = small.oracle()
        assert oracle.cache_rows == rows
        assert _queries(oracle, np.random.default_rng(1), small.n) == answers
        assert oracle.cached_rows <= rows
        assert oracle.cache_bytes <= rows * 8 * small.n


def test_bound_applies_to_existing_oracles_and_rejects_zero() -> None:
    net = grid_network(5, 5)
    oracle = net.oracle()
    for i in range(10):
        oracle.times_from(i)
    assert oracle.cached_rows == 20  # a time row and a predecessor row each
    net.set_cache_rows(3)
    assert oracle.cached_rows == 3
    with pytest.raises(Exception, match="cache_rows must be at least 1"):
        net.set_cache_rows(0)
    with pytest.raises(ValueError, match="cache_rows"):
        TravelOracle(2, np.array([0]), np.array([1]), np.array([10.0]), np.array([36.0]), cache_rows=0)


def test_a_drt_day_is_identical_with_the_minimum_bound() -> None:
    def day(rows: int | None) -> list[object]:
        net = grid_network(8, 8, rng=np.random.default_rng(5))
        net.set_cache_rows(rows)
        rng = np.random.default_rng(9)
        reqs = [request(net, f"r{k}", 60.0 * k, *(int(x) for x in rng.choice(net.n, 2, replace=False))) for k in range(40)]
        log = run_drt(net, single_area_layout(net.n, fleet_size=3, end_s=4 * 3600.0), reqs)
        return [dataclasses.astuple(r) for r in (*log.requests, *log.legs, *log.moves, *log.vehicles)]

    full = day(None)
    assert len(full) > 40
    assert day(1) == full


def test_scenario_key_network_cache_rows_bounds_the_oracles() -> None:
    path = repo_root() / "scenarios" / "sodegaura" / "baseline.toml"
    scenario, base = load_scenario(path, overrides=["network.cache_rows=4"])
    net = load_net(scenario, base, NetworkCache(), source=str(path))
    assert net.cache_rows == 4 and net.oracle().cache_rows == 4
    for i in range(6):
        net.oracle().times_from(i)
    assert net.oracle().cached_rows == 4
    with pytest.raises(ScenarioError, match="cache_rows"):
        load_scenario(path, overrides=["network.cache_rows=0"])
