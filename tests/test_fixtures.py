"""The shared test fixtures of tests/conftest.py do what the tests that use them assume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import EmbeddedNetworks, files_in, made_once


def test_session_copy_of_a_network_equals_a_fresh_load(embedded_networks_parsed_once: EmbeddedNetworks) -> None:
    import sim.network.cache
    import sim.network.io

    loader = embedded_networks_parsed_once
    assert sim.network.io.load_network is loader and sim.network.cache.load_network is loader
    first, second = loader("sodegaura"), loader("sodegaura", base_dir=Path("/nowhere"))  # embedded: base_dir unused
    fresh = loader.load("sodegaura")  # the real loader: parses the file again
    assert first is not second and first.oracle() is not second.oracle()
    times = first.oracle().times_from(0)  # fills first's oracle cache, not second's
    for net in (second, fresh):
        assert (net.name, net.source, net.synthetic, net.provenance) == (first.name, first.source, first.synthetic, first.provenance)
        assert (net.n, net.components_before, net.dropped_nodes, net.dropped_edges) == (
            first.n, first.components_before, first.dropped_nodes, first.dropped_edges
        )  # fmt: skip
        for attr in ("node_ids", "lat", "lon", "x", "y", "_tail", "_head", "_length", "_speed"):
            assert np.array_equal(getattr(net, attr), getattr(first, attr)), attr
        assert net.places == first.places and net.edge_classes == first.edge_classes
        assert np.array_equal(net.oracle().times_from(0), times)
        assert net.nearest(35.43, 139.96) == first.nearest(35.43, 139.96)  # the KD-tree of the projection
        assert net.info() == first.info()


def test_other_sources_are_loaded_as_usual(embedded_networks_parsed_once: EmbeddedNetworks, tmp_path: Path) -> None:
    import pytest

    from sim.errors import NetworkError

    with pytest.raises(NetworkError, match="nowhere.graphml"):
        embedded_networks_parsed_once("nowhere.graphml", base_dir=tmp_path)
    assert len(embedded_networks_parsed_once.blobs) <= 2  # only embedded names are kept (sodegaura, tachikawa)


def test_shared_runs_hold_their_files(tiny_run: Path, baseline_run: Path) -> None:
    for run in (tiny_run, baseline_run):
        names = files_in(run)
        assert "metrics.json" in names and "requests.csv" in names and "report.html" not in names


class _Factory:
    """The part of ``pytest.TempPathFactory`` that :func:`made_once` uses, with a chosen base folder."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def getbasetemp(self) -> Path:
        self.base.mkdir(parents=True, exist_ok=True)
        return self.base


def test_made_once_makes_a_folder_once_and_again_after_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    factory: Any = _Factory(tmp_path / "session")
    calls: list[Path] = []

    def make(folder: Path) -> None:
        calls.append(folder)
        (folder / "x.txt").write_text(str(len(calls)), encoding="utf-8")

    first = made_once(factory, "probe", make)
    assert first == tmp_path / "session" / "made_once" / "probe"
    assert made_once(factory, "probe", make) == first and calls == [first]
    assert (first / "x.txt").read_text(encoding="utf-8") == "1"

    def broken(folder: Path) -> None:
        (folder / "half.txt").write_text("", encoding="utf-8")
        raise RuntimeError("make failed")

    with pytest.raises(RuntimeError):
        made_once(factory, "broken", broken)
    again = made_once(factory, "broken", make)  # a failed make leaves no marker: made again, from empty
    assert files_in(again) == ["x.txt"] and len(calls) == 2


def test_made_once_is_shared_by_the_xdist_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # each worker's temporary folder is <run>/popen-gw<N>; the made folder is <run>/made_once/<name>
    calls: list[str] = []
    folders = []
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        factory: Any = _Factory(tmp_path / f"popen-{worker}")
        folders.append(made_once(factory, "shared", lambda folder, w=worker: calls.append(w)))
    assert folders == [tmp_path / "made_once" / "shared"] * 2 and calls == ["gw0"]
