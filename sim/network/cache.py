"""The one network cache: each network source is loaded once per process.

Runs, studies, ``validate`` and the report's maps all get their networks through
:class:`NetworkCache`. A network's travel-time oracles cache rows and columns as a run goes, and
which ones are cached can change the last digits of a later run's results (a time read from a
cached column may differ in the last bit from the same time read from a row). ``fresh=True``
therefore hands every caller a pristine copy (a pickle round trip, ~7 ms for Sodegaura), so a
study's run gives the same digits as ``python main.py run --seed S`` whatever ran before it in
the same process, serially, on a process pool or on Dask.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from sim.network.graph import RoadNetwork
from sim.network.io import load_network


class NetworkCache:
    """Networks by (source, base folder), loaded with :func:`~sim.network.io.load_network` on first use.

    Parameters
    ----------
    fresh
        Return an unused copy on every :meth:`get` (the loaded network is kept pickled) instead
        of the one shared object.
    """

    def __init__(self, *, fresh: bool = False) -> None:
        self.fresh = fresh
        self._nets: dict[tuple[str, str], RoadNetwork] = {}
        self._blobs: dict[tuple[str, str], bytes] = {}

    def get(self, source: str, base_dir: Path) -> RoadNetwork:
        """Network ``source`` with relative paths resolved against ``base_dir``.

        Raises
        ------
        NetworkError
            If it cannot be loaded (the message names the source).
        """
        key = (source, str(base_dir))
        if not self.fresh:
            if key not in self._nets:
                self._nets[key] = load_network(source, base_dir=base_dir)
            return self._nets[key]
        blob = self._blobs.get(key)
        if blob is None:
            blob = pickle.dumps(load_network(source, base_dir=base_dir), protocol=pickle.HIGHEST_PROTOCOL)
            self._blobs[key] = blob
        net: RoadNetwork = pickle.loads(blob)
        return net
