"""The network source of study runs: the one :class:`~sim.network.cache.NetworkCache`, in its
``fresh`` mode (each network loaded once per process, a pristine copy per run).

A network's travel-time oracle caches rows and columns as a run goes, and which ones are cached
can change the last digits of a later run; a pristine copy per run makes every study run identical
to ``python main.py run --seed S``, serially, on a process pool or on Dask.
"""

from __future__ import annotations

import functools

from sim.network.cache import NetworkCache


@functools.lru_cache(maxsize=1)
def process_networks() -> NetworkCache:
    """The network source of this process (each worker loads a network once)."""
    return NetworkCache(fresh=True)


__all__ = ["process_networks"]
