"""Fixtures of the interop tests: the hand-made GTFS feed and a line network saved as a file."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from sim.network.graph import RoadNetwork
from tests.helpers import line_network

REPO = Path(__file__).resolve().parents[2]
SMALL_FEED = REPO / "tests" / "data" / "gtfs_small"


@pytest.fixture
def net() -> RoadNetwork:
    """The straight test road: nodes 0..5, 1000 m and 100 s apart."""
    return line_network(6)


@pytest.fixture
def feed_dir(tmp_path: Path) -> Path:
    """A writable copy of the hand-made feed (tests break it on purpose)."""
    dest = tmp_path / "feed"
    shutil.copytree(SMALL_FEED, dest)
    return dest


@pytest.fixture
def base_scenario(tmp_path: Path, net: RoadNetwork) -> Path:
    """A scenario on the line network (saved as GraphML) with a ``bus`` type and one DRT service."""
    import osmnx as ox

    ox.save_graphml(net.graph, tmp_path / "line.graphml")
    path = tmp_path / "base.toml"
    path.write_text(
        textwrap.dedent(
            """\
            name = "lineworld"
            seed = 3

            [network]
            source = "line.graphml"

            [demand]
            zones = "nodes"
            zone_count = 6
            requests_per_day = 6
            start = "07:00"
            end = "09:00"
            min_trip_m = 1500

            [vehicles.bus]
            capacity = 30
            stop_dwell_s = 0

            [vehicles.van]
            capacity = 4

            [services.ondemand]
            vehicle = "van"
            fleet_size = 1
            start = "07:00"
            end = "10:00"
            """
        ),
        encoding="utf-8",
    )
    return path
