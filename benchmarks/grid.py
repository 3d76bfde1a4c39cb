"""A deterministic generated road grid for the ``grid-50k`` benchmark (issue 15).

``python benchmarks/grid.py [--side N] [--out PATH]`` writes an ``N × N`` two-way grid (default
224 × 224 = 50,176 nodes, 200,256 directed edges) as GraphML in the osmnx schema to
``networks/cache/grid-50k.graphml.gz`` (git-ignored), written to a temporary file and renamed.
Streets are 200 m apart; every 8th street is a 50 km/h ``secondary`` road, the others 30 km/h
``residential`` (an illustrative ASSUMPTION, not a real city). Node ``r * N + c`` sits at row
``r``, column ``c`` near Tachikawa (35.70 N, 139.41 E). Same ``N`` → the same bytes of graph.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import sys
import tempfile
from pathlib import Path

import networkx as nx

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "networks" / "cache" / "grid-50k.graphml.gz"
SPACING_M = 200.0
LAT0, LON0 = 35.70, 139.41


def grid_graph(side: int) -> nx.MultiDiGraph:
    """The ``side × side`` grid as an osmnx-style MultiDiGraph (see the module docstring)."""
    g = nx.MultiDiGraph(crs="epsg:4326")
    dlat = SPACING_M / 111_320.0
    dlon = dlat / math.cos(math.radians(LAT0))
    for r in range(side):
        for c in range(side):
            g.add_node(r * side + c, x=LON0 + c * dlon, y=LAT0 + r * dlat)

    def street(a: int, b: int, major: bool) -> None:
        for u, v in ((a, b), (b, a)):
            g.add_edge(u, v, length=SPACING_M, highway="secondary" if major else "residential", maxspeed="50" if major else "30")

    for r in range(side):
        for c in range(side):
            k = r * side + c
            if c + 1 < side:
                street(k, k + 1, r % 8 == 0)
            if r + 1 < side:
                street(k, k + side, c % 8 == 0)
    return g


def write_grid(path: Path, side: int) -> Path:
    """Write the grid's GraphML (gzip) to ``path`` atomically; return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as fh:
            nx.write_graphml(grid_graph(side), fh)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def ensure_grid(path: Path = DEFAULT_OUT, side: int = 224) -> Path:
    """The grid file, written first if absent."""
    return path if path.exists() else write_grid(path, side)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=224)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    print(write_grid(args.out, args.side))
    return 0


if __name__ == "__main__":
    sys.exit(main())
