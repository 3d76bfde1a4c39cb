"""Binary network cache (issue 15): the cached network equals the parsed one; stale or damaged files are not used."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np

from benchmarks.grid import write_grid
from sim.network import bincache
from sim.network.io import load_network


def _same(a, b) -> None:  # type: ignore[no-untyped-def]
    assert a.n == b.n and a.name == b.name and a.source == b.source
    for attr in ("lat", "lon", "x", "y"):
        assert np.array_equal(getattr(a, attr), getattr(b, attr))
    assert list(a.node_ids) == list(b.node_ids) and a.places == b.places
    assert list(a.edge_class) == list(b.edge_class)
    oa, ob = a.oracle(), b.oracle()
    for i in range(0, a.n, 7):
        assert oa.times_from(i).tobytes() == ob.times_from(i).tobytes()
        assert oa.dists_from(i).tobytes() == ob.dists_from(i).tobytes()


def test_second_load_comes_from_the_cache_and_is_identical(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = write_grid(tmp_path / "g.graphml.gz", 9)
    first = load_network(str(path))
    cached = list(tmp_path.glob(".g.graphml.gz.*.netcache"))
    assert len(cached) == 1 and cached[0] == bincache.cache_path(path, bincache.cache_key(path))
    from sim.network import io

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("GraphML parsed although the cache is fresh")

    monkeypatch.setattr(io, "_read_graphml", boom)
    second = load_network(str(path))
    _same(first, second)
    monkeypatch.undo()
    # the same network in another folder: its own cache, same answers, source is the new path
    other = tmp_path / "copy" / "g.graphml.gz"
    other.parent.mkdir()
    shutil.copy(path, other)
    third = load_network(str(other))
    assert third.source == str(other.resolve()) or third.source == str(other)


def test_an_edited_file_is_parsed_again_and_old_caches_removed(tmp_path: Path) -> None:
    path = write_grid(tmp_path / "g.graphml.gz", 6)
    load_network(str(path))
    old = list(tmp_path.glob("*.netcache"))
    write_grid(path, 7)
    net = load_network(str(path))
    assert net.n == 49
    new = list(tmp_path.glob("*.netcache"))
    assert len(new) == 1 and new != old


def test_a_damaged_cache_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    path = write_grid(tmp_path / "g.graphml.gz", 5)
    target = bincache.cache_path(path, bincache.cache_key(path))
    target.write_bytes(b"not a pickle")
    net = load_network(str(path))
    assert net.n == 25
    with open(target, "rb") as fh:
        assert pickle.load(fh).n == 25
