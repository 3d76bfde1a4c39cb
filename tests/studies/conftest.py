"""Fixtures of the study tests: the tiny scenario as a file and one reference sweep of it.

Both are made once per test session (the sweep once for all pytest-xdist workers) and only read (a test that needs to change them copies them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: The reference sweep's grid: 2 x 2 points.
GRID = ["services.s.fleet_size=1,2", "demand.requests_per_day=6,8"]


@pytest.fixture(scope="session")
def tiny_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny scenario (seed 7) written to a file (one path for all pytest-xdist workers, as the
    reference sweep made from it is shared by them)."""
    from tests.conftest import TINY_TOML, made_once

    def make(base: Path) -> None:
        (base / "tiny.toml").write_text(TINY_TOML, encoding="utf-8")

    return made_once(tmp_path_factory, "sweep_tiny_file", make) / "tiny.toml"


@pytest.fixture(scope="session")
def reference(tiny_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted serial sweep of the tiny scenario: 2 x 2 grid, 3 replications, with its report."""
    from sim.report.studies import write_sweep_report
    from sim.studies.grid import parse_axes
    from sim.studies.sweep import sweep

    from tests.conftest import made_once

    def make(base: Path) -> None:
        write_sweep_report(sweep(tiny_file, parse_axes(GRID), base / "sweep", replications=3))

    return made_once(tmp_path_factory, "reference_sweep", make) / "sweep"
