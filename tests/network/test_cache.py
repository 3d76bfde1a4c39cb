"""The one network cache: shared networks for a run's services, unused copies for study runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.errors import NetworkError
from sim.network.cache import NetworkCache
from tests.conftest import REPO


def test_a_shared_cache_loads_each_source_once() -> None:
    nets = NetworkCache()
    first = nets.get("sodegaura", REPO)
    assert nets.get("sodegaura", REPO) is first


def test_every_run_gets_an_unused_network() -> None:
    # travel-time caches filled by one run must not reach the next (they can move the last digits)
    nets = NetworkCache(fresh=True)
    first = nets.get("sodegaura", REPO)
    first.oracle().times_from(0)
    second = nets.get("sodegaura", REPO)
    assert second is not first and second.oracle() is not first.oracle()
    assert second.n == first.n and np.array_equal(second.oracle().times_from(0), first.oracle().times_from(0))


def test_a_missing_source_names_it(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="nowhere.graphml"):
        NetworkCache().get("nowhere.graphml", tmp_path)
