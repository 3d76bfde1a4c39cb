"""The cached travel-time oracle: fastest-path times (s) and their lengths (m) by Dijkstra."""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.errors import NetworkError

if TYPE_CHECKING:  # pragma: no cover
    pass




# --------------------------------------------------------------------------------------------------
# travel-time oracle
# --------------------------------------------------------------------------------------------------


_MIN_EDGE_TIME_S = 1e-6
"""Zero-length edges get this travel time so sparse Dijkstra sees them as edges (seconds)."""


class _RowCache:
    """Cached rows of one kind (time rows, distance rows, predecessor rows, time columns), least
    recently used first; all kinds of one oracle share the bound ``max_rows`` (None: unbounded)."""

    __slots__ = ("_data", "max_rows")

    def __init__(self, max_rows: int | None) -> None:
        self._data: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()
        self.max_rows = max_rows

    def get(self, kind: str, i: int) -> np.ndarray | None:
        key = (kind, i)
        row = self._data.get(key)
        if row is not None and self.max_rows is not None:
            self._data.move_to_end(key)
        return row

    def put(self, kind: str, i: int, row: np.ndarray) -> None:
        self._data[(kind, i)] = row
        self._data.move_to_end((kind, i))
        self.trim()

    def trim(self) -> None:
        """Evict the least recently used rows beyond the bound."""
        if self.max_rows is not None:
            while len(self._data) > self.max_rows:
                self._data.popitem(last=False)

    def drop(self, kinds: tuple[str, ...]) -> None:
        """Forget every cached row of these kinds."""
        for key in [k for k in self._data if k[0] in kinds]:
            del self._data[key]

    def __len__(self) -> int:
        return len(self._data)

    @property
    def nbytes(self) -> int:
        """Bytes held by the cached rows."""
        return sum(a.nbytes for a in self._data.values())


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


class TravelOracle:
    """Shortest travel-time queries on a :class:`RoadNetwork` for one speed profile.

    Built on a :class:`scipy.sparse.csr_matrix` of edge travel times in seconds (of parallel edges
    the fastest is kept; self-loops are ignored) and :func:`scipy.sparse.csgraph.dijkstra`. Rows
    (from one node to all) and columns (from all to one node) are computed on demand and cached;
    returned arrays are read-only views of the cache.

    Parameters
    ----------
    n
        Number of nodes.
    tail, head
        Edge end indices (one entry per directed edge, parallel edges allowed).
    length_m
        Edge lengths in metres.
    speed_kmh
        Edge free-flow speeds in km/h.
    speed_cap_kmh
        Optional vehicle speed cap in km/h applied per edge; None for no cap.
    speed_cap_mps
        The same cap in m/s (what the model's vehicle records carry); give at most one of the two.
        ``min(edge_kmh, cap_kmh) / 3.6`` and ``min(edge_kmh / 3.6, cap_kmh / 3.6)`` are the same
        float (division by 3.6 is correctly rounded, hence monotonic), so a cap given in m/s as
        ``cap_kmh / 3.6`` yields exactly the travel times of the cap in km/h.
    edge_cap_mps
        Optional cap per edge in m/s (``inf``: none), e.g. an operating domain's cap per road class.
    cache_rows
        At most this many cached rows and columns (time rows, distance rows, predecessor rows and
        time columns counted together; the least recently used goes first); None (default): no
        bound. A time or distance row is ``8 * n`` bytes, a predecessor row ``4 * n``, so the
        bound caps the cache at about ``8 * n * cache_rows`` bytes. Evicted rows are recomputed
        on demand and are bit for bit the same, so results do not depend on the bound.
    """

    __slots__ = (
        "speed_cap_kmh",
        "speed_cap_mps",
        "_n",
        "_fwd",
        "_bwd",
        "_keys",
        "_len",
        "_edge_time",
        "_edge_index",
        "_rows",
        "_T",
        "_D",
    )

    def __init__(
        self,
        n: int,
        tail: np.ndarray,
        head: np.ndarray,
        length_m: np.ndarray,
        speed_kmh: np.ndarray,
        *,
        speed_cap_kmh: float | None = None,
        speed_cap_mps: float | None = None,
        edge_cap_mps: np.ndarray | None = None,
        time_factor: np.ndarray | None = None,
        edge_ids: np.ndarray | None = None,
        cache_rows: int | None = None,
    ) -> None:
        if cache_rows is not None and cache_rows < 1:
            raise ValueError(f"cache_rows must be at least 1 (or None for no bound), got {cache_rows!r}")
        if speed_cap_kmh is not None and speed_cap_mps is not None:
            raise ValueError("give speed_cap_kmh or speed_cap_mps, not both")
        self.speed_cap_kmh = speed_cap_kmh
        self.speed_cap_mps = speed_cap_mps
        self._n = int(n)
        speed = np.asarray(speed_kmh, dtype=float)
        if speed_cap_kmh is not None:
            speed = np.minimum(speed, float(speed_cap_kmh))
        speed_mps = speed / 3.6
        if speed_cap_mps is not None:
            speed_mps = np.minimum(speed_mps, float(speed_cap_mps))
        if edge_cap_mps is not None:
            speed_mps = np.minimum(speed_mps, np.asarray(edge_cap_mps, dtype=float))
        length = np.asarray(length_m, dtype=float)
        time = np.maximum(length / speed_mps, _MIN_EDGE_TIME_S)
        if time_factor is not None:  # time-of-day: expected time = free-flow time x factor
            time = time * np.asarray(time_factor, dtype=float)
        # each input edge's index in the network's edge arrays (a domain oracle gets a subset)
        edge_index = np.arange(len(time), dtype=np.int64) if edge_ids is None else np.asarray(edge_ids, dtype=np.int64)
        tail = np.asarray(tail, dtype=np.int64)
        head = np.asarray(head, dtype=np.int64)
        keep = tail != head
        tail, head, length, time = tail[keep], head[keep], length[keep], time[keep]
        edge_index = edge_index[keep]
        keys = tail * self._n + head
        order = np.lexsort((time, keys))  # by key, fastest first within a key
        keys_sorted = keys[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = keys_sorted[1:] != keys_sorted[:-1]
        sel = order[first]
        self._keys = keys[sel]  # sorted, unique
        self._len = length[sel]
        self._edge_time = time[sel]
        self._edge_index = edge_index[sel]  # the kept edge's index in the input arrays
        rows = tail[sel]
        indptr = np.zeros(self._n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self._n), out=indptr[1:])
        self._fwd = csr_matrix((time[sel], head[sel].astype(np.int32), indptr), shape=(self._n, self._n))
        self._bwd = self._fwd.T.tocsr()
        self._rows = _RowCache(cache_rows)
        self._T: np.ndarray | None = None
        self._D: np.ndarray | None = None

    @property
    def cache_rows(self) -> int | None:
        """The bound on cached rows and columns (None: unbounded)."""
        return self._rows.max_rows

    def set_cache_rows(self, rows: int | None) -> None:
        """Change the bound on cached rows and columns (None: unbounded), evicting the oldest now."""
        if rows is not None and rows < 1:
            raise ValueError(f"cache_rows must be at least 1 (or None for no bound), got {rows!r}")
        self._rows.max_rows = rows
        self._rows.trim()

    @property
    def cached_rows(self) -> int:
        """How many rows and columns are cached now."""
        return len(self._rows)

    @property
    def cache_bytes(self) -> int:
        """Bytes held by cached rows and columns (not counting the full matrices of :meth:`precompute`)."""
        return self._rows.nbytes

    # -- internals -----------------------------------------------------------------------------

    def _check(self, i: int) -> int:
        if not 0 <= i < self._n:
            raise NetworkError(f"node index {i!r} is out of range: valid indices are 0..{self._n - 1}")
        return int(i)

    def _edge_len(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Lengths (m) of the kept (fastest) edges ``tail -> head``."""
        pos = np.searchsorted(self._keys, tail.astype(np.int64) * self._n + head)
        return self._len[pos]

    def _path_lengths(self, times: np.ndarray, preds: np.ndarray) -> np.ndarray:
        """Lengths (m) along predecessor trees, by pointer jumping; shape as ``preds`` (2-D)."""
        k, n = preds.shape
        flat = preds.ravel().astype(np.int64)
        idx = np.arange(k * n, dtype=np.int64)
        has = np.flatnonzero(flat >= 0)
        col = has % n
        anc = idx.copy()
        anc[has] = flat[has] + (has - col)  # predecessor, as a flat index in the same row
        acc = np.zeros(k * n)
        acc[has] = self._edge_len(flat[has], col)
        # Invariant: acc[v] = length of the tree path anc[v] -> v. Double the jumps (using the old
        # values in each step) until every node points at its row's root; only unfinished nodes move.
        a = anc[has]
        active = has[anc[a] != a]
        while active.size:
            a = anc[active]
            acc[active] += acc[a]
            a = anc[a]
            anc[active] = a
            active = active[anc[a] != a]
        out = acc.reshape(k, n)
        out[~np.isfinite(times)] = np.inf
        return out

    def _compute_rows(self, sources: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Times (s) and int32 predecessors for a batch of sources, both shaped (len(sources), n)."""
        times, preds = dijkstra(self._fwd, directed=True, indices=sources, return_predecessors=True)
        return np.atleast_2d(times), np.atleast_2d(preds).astype(np.int32)

    def _row(self, i: int) -> None:
        i = self._check(i)
        times, preds = self._compute_rows(np.array([i]))
        self._rows.put("t", i, _readonly(times[0]))
        self._rows.put("p", i, _readonly(preds[0]))

    def _preds(self, i: int) -> np.ndarray:
        preds = self._rows.get("p", i)
        if preds is None:
            i = self._check(i)
            times, p = self._compute_rows(np.array([i]))
            if self._T is None:
                self._rows.put("t", i, _readonly(times[0]))
            preds = _readonly(p[0])
            self._rows.put("p", i, preds)
        return preds

    # -- queries -------------------------------------------------------------------------------

    def time_s(self, i: int, j: int) -> float:
        """Fastest travel time from node index ``i`` to ``j`` in seconds (inf if unreachable).

        Always read from the row of ``i`` (computed if needed), never from a cached column: a
        column sums the same edges in the opposite order and can differ in the last bit, which
        would make results depend on what was computed before.
        """
        if self._T is not None:
            return float(self._T[i, j])
        row = self._rows.get("t", i)
        if row is None:
            row = self.times_from(i)
        return float(row[self._check(j)])

    def dist_m(self, i: int, j: int) -> float:
        """Length in metres of the fastest path from ``i`` to ``j`` (inf if unreachable)."""
        if self._D is not None:
            return float(self._D[i, j])
        row = self._rows.get("d", i)
        if row is not None:
            return float(row[self._check(j)])
        if not np.isfinite(self.time_s(i, j)):
            return math.inf
        return self.path_length_m(self.path(i, j))

    def path_length_m(self, path: list[int]) -> float:
        """Length in metres of a node path (the kept, fastest edge between consecutive nodes)."""
        if len(path) < 2:
            return 0.0
        nodes = np.asarray(path, dtype=np.int64)
        return float(self._edge_len(nodes[:-1], nodes[1:]).sum())

    def times_from(self, i: int) -> np.ndarray:
        """Fastest travel times in seconds from ``i`` to every node (read-only, cached)."""
        if self._T is not None:
            return self._T[self._check(i)]
        row = self._rows.get("t", i)
        if row is None:
            times, preds = self._compute_rows(np.array([self._check(i)]))
            row = _readonly(times[0])
            self._rows.put("t", i, row)
            self._rows.put("p", i, _readonly(preds[0]))
        return row

    def dists_from(self, i: int) -> np.ndarray:
        """Metres along the fastest paths from ``i`` to every node (read-only, cached).

        Computed on first use from the Dijkstra predecessor tree of row ``i`` (about 0.5 ms on a
        4,000-node network, on top of the ~0.4 ms Dijkstra run shared with :meth:`times_from`).
        """
        if self._D is not None:
            return self._D[self._check(i)]
        row = self._rows.get("d", i)
        if row is None:
            preds = self._preds(i)
            times = self.times_from(i)
            row = self._path_lengths(times[None, :], preds[None, :])[0]
            row = _readonly(row)
            self._rows.put("d", i, row)
        return row

    def times_to(self, j: int) -> np.ndarray:
        """Fastest travel times in seconds from every node to ``j`` (read-only, cached)."""
        col = self._rows.get("c", j)
        if col is None:
            j = self._check(j)
            if self._T is not None:
                col = np.ascontiguousarray(self._T[:, j])
            else:
                col = np.asarray(dijkstra(self._bwd, directed=True, indices=j), dtype=float)
            col = _readonly(col)
            self._rows.put("c", j, col)
        return col

    def straight_line_speed_mps(self, x: np.ndarray, y: np.ndarray) -> float:
        """The highest straight-line speed over any edge: max of |xy(head) − xy(tail)| / edge time
        (m/s), with node coordinates ``x``, ``y`` in metres.

        Straight-line distance divided by this speed is a lower bound on the fastest travel time
        between any two nodes (each edge of a path covers at most its time × this speed, and the
        straight line is no longer than the path's chords): the dispatcher's pruning bound.
        """
        fwd = self._fwd
        tails = np.repeat(np.arange(self._n), np.diff(fwd.indptr))
        heads = fwd.indices
        chord = np.hypot(x[heads] - x[tails], y[heads] - y[tails])
        return float(np.max(chord / fwd.data)) if chord.size else 0.0

    def path_edges(self, path: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """For consecutive nodes of ``path``: the time (s) of each edge driven and its index in
        the network's edge arrays (the fastest of parallel edges)."""
        nodes = np.asarray(path, dtype=np.int64)
        pos = np.searchsorted(self._keys, nodes[:-1] * self._n + nodes[1:])
        return self._edge_time[pos], self._edge_index[pos]

    def path(self, i: int, j: int) -> list[int]:
        """Node indices along the fastest path from ``i`` to ``j``, both included.

        Raises
        ------
        NetworkError
            If ``j`` cannot be reached from ``i``.
        """
        i, j = self._check(i), self._check(j)
        preds = self._preds(i)
        if i != j and preds[j] < 0:
            raise NetworkError(f"node index {j} cannot be reached from node index {i}")
        out = [j]
        v = j
        while v != i:
            v = int(preds[v])
            out.append(v)
        out.reverse()
        return out

    def precompute(self) -> None:
        """Fill the full time and distance matrices (n x n float64 each, i.e. 16 * n**2 bytes).

        Meant for small networks (about 270 MB and a few seconds for 4,000 nodes). Predecessor rows
        for :meth:`path` are still computed on demand.
        """
        if self._T is not None:
            return
        n = self._n
        T = np.empty((n, n))
        D = np.empty((n, n))
        chunk = 16  # keeps the pointer-jumping working set in cache
        for start in range(0, n, chunk):
            src = np.arange(start, min(start + chunk, n))
            times, preds = self._compute_rows(src)
            T[src] = times
            D[src] = self._path_lengths(times, preds)
        self._T = _readonly(T)
        self._D = _readonly(D)
        self._rows.drop(("t", "d", "c"))

