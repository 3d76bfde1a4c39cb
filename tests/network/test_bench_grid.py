"""The generated road grid of the ``grid-50k`` benchmark (benchmarks/grid.py, issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.grid import write_grid
from sim.network.io import load_network


def test_grid_is_deterministic_and_loads_with_hand_checked_times(tmp_path: Path) -> None:
    a = write_grid(tmp_path / "a" / "g.graphml.gz", 10)
    b = write_grid(tmp_path / "b" / "g.graphml.gz", 10)
    assert a.read_bytes() == b.read_bytes()
    assert not list(a.parent.glob("*.tmp"))
    net = load_network(str(a))
    assert net.n == 100
    o = net.oracle()
    # 0 -> 99 (row 9, col 9): 8 secondary edges along row 0 (200 m at 50 km/h = 14.4 s), 9 up the
    # secondary column 8, then 1 residential edge east (200 m at 30 km/h = 24 s)
    assert o.time_s(0, 99) == pytest.approx(17 * 14.4 + 24.0)
    assert o.dist_m(0, 99) == pytest.approx(18 * 200.0)
