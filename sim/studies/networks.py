"""The network source of study runs: each network loaded once per process, a pristine copy per run."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path
from typing import Any


class FreshNetworks:
    """Network source for runs: loads each network once per process, hands every run an unused copy.

    A network's travel-time oracle caches rows and columns as a run goes, and which ones are cached
    can change the last digits of a later run's results (a time read from a cached column may
    differ in the last bit from the same time read from a row). A pristine copy per run (a pickle
    round trip, ~7 ms for Sodegaura) makes every run identical to ``python main.py run --seed S``
    whatever ran before it in the same process, so a study gives the same digits serially, on a
    process pool or on Dask. Duck-types :class:`sim.run.runner.NetworkCache` (``get``).
    """

    def __init__(self) -> None:
        self._blobs: dict[tuple[str, str], bytes] = {}

    def get(self, source: str, base_dir: Path) -> Any:
        """An unused copy of network ``source`` (loaded on first use) relative to ``base_dir``."""
        from sim.network.io import load_network

        key = (source, str(base_dir))
        blob = self._blobs.get(key)
        if blob is None:
            blob = pickle.dumps(load_network(source, base_dir=base_dir), protocol=pickle.HIGHEST_PROTOCOL)
            self._blobs[key] = blob
        return pickle.loads(blob)


@functools.lru_cache(maxsize=1)
def process_networks() -> FreshNetworks:
    """The network source of this process (each worker loads a network once)."""
    return FreshNetworks()


__all__ = ["FreshNetworks", "process_networks"]
