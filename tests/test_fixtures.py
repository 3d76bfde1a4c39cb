"""The shared test fixtures of tests/conftest.py do what the tests that use them assume."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.conftest import EmbeddedNetworks, files_in


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
