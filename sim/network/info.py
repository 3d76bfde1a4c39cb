"""Network summary records and statistics (circuity)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse.csgraph import dijkstra

if TYPE_CHECKING:  # pragma: no cover
    from sim.network.graph import RoadNetwork




# --------------------------------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """Summary of a loaded network.

    Attributes
    ----------
    name, source
        Network name and the file it was read from.
    synthetic
        True for generated (non-OSM) networks.
    provenance
        Data source / licence statement.
    nodes, edges
        Counts in the kept (largest strongly connected) graph; parallel edges count separately.
    road_km
        Sum of **directed** edge lengths in km (a two-way street counts twice).
    components_before
        Strongly connected components in the raw graph.
    dropped_nodes, dropped_edges
        Removed by keeping the largest strongly connected component.
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees.
    circuity
        Mean ratio of shortest network distance to straight-line distance over random node pairs more
        than 1 km apart (500 pairs, ``numpy.random.default_rng(0)``); NaN if no such pair exists.
    """

    name: str
    source: str
    synthetic: bool
    provenance: str
    nodes: int
    edges: int
    road_km: float
    components_before: int
    dropped_nodes: int
    dropped_edges: int
    bbox: tuple[float, float, float, float]
    circuity: float



def circuity(net: RoadNetwork, *, pairs: int = 500, min_dist_m: float = 1000.0, rng: np.random.Generator) -> float:
    """Mean ratio of shortest network distance to straight-line distance.

    Parameters
    ----------
    net
        The network.
    pairs
        Number of random ordered node pairs (drawn with replacement) more than ``min_dist_m`` apart.
    min_dist_m
        Minimum straight-line separation in metres.
    rng
        Random generator.

    Returns
    -------
    float
        Mean of per-pair ratios (shortest path by length, not by time); NaN if no pair is far
        enough apart (fewer than ``pairs`` qualifying pairs are used if they are rare).
    """
    n = net.n
    if n < 2 or pairs <= 0:
        return float("nan")
    found_i: list[np.ndarray] = []
    found_j: list[np.ndarray] = []
    count = 0
    for _ in range(50):
        i = rng.integers(0, n, size=4 * pairs)
        j = rng.integers(0, n, size=4 * pairs)
        d = np.hypot(net.x[i] - net.x[j], net.y[i] - net.y[j])
        ok = d > min_dist_m
        found_i.append(i[ok])
        found_j.append(j[ok])
        count += int(ok.sum())
        if count >= pairs:
            break
    if count == 0:
        return float("nan")
    i = np.concatenate(found_i)[:pairs]
    j = np.concatenate(found_j)[:pairs]
    sources, inverse = np.unique(i, return_inverse=True)
    dist = np.atleast_2d(dijkstra(net._lengths_matrix(), directed=True, indices=sources))
    network = dist[inverse, j]
    straight = np.hypot(net.x[i] - net.x[j], net.y[i] - net.y[j])
    ratio = network / straight
    ratio = ratio[np.isfinite(ratio)]
    return float(ratio.mean()) if ratio.size else float("nan")

