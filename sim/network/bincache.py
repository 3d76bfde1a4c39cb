"""Binary cache of loaded road networks (issue 15): GraphML is parsed once, not on every run.

A network built from a GraphML file is stored beside it as ``.<file name>.<key>.netcache`` (a
pickle of the :class:`RoadNetwork`, written to a temporary file and renamed). ``key`` is a digest
of the GraphML file's bytes, of the source of the ``sim.network`` modules that build a network,
and of the Python and numpy versions, so an edited file or changed code is parsed again, never
served stale. The cached network is the one GraphML parsing gives (same arrays, places and
graph; ``tests/network/test_bincache.py``). When the folder is not writable the network is
simply parsed every time. Older cache files of the same GraphML are removed when a new one is
written. The file is a pickle: only files this program wrote beside the network are read.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.atomic import atomic_open
from sim.network.graph import RoadNetwork

_FORMAT = "1"
_CODE = ("graph.py", "io.py", "speeds.py", "bincache.py")


def cache_key(path: Path) -> str:
    """Digest of the GraphML file, the network-building code and the runtime (hex, 20 chars)."""
    h = hashlib.sha256()
    h.update(f"{_FORMAT}|{sys.version_info[:2]}|{np.__version__}|".encode())
    here = Path(__file__).resolve().parent
    for name in _CODE:
        f = here / name
        if f.is_file():
            h.update(f.read_bytes())
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:20]


def cache_path(path: Path, key: str) -> Path:
    """Where the binary copy of the network read from ``path`` is kept."""
    return path.with_name(f".{path.name}.{key}.netcache")


def cached_network(path: Path, build: Callable[[], RoadNetwork]) -> RoadNetwork:
    """The network of GraphML file ``path``: from its binary cache if fresh, else ``build()`` and cache it."""
    key = cache_key(path)
    target = cache_path(path, key)
    if target.is_file():
        # a damaged or foreign file: parse again and overwrite it
        with contextlib.suppress(Exception), open(target, "rb") as fh:
            net = pickle.load(fh)
            if isinstance(net, RoadNetwork):
                net.source = str(path)
                return net
    net = build()
    with contextlib.suppress(OSError):
        with atomic_open(target, "wb", encoding=None) as fh:
            pickle.dump(net, fh, protocol=pickle.HIGHEST_PROTOCOL)
        for old in path.parent.glob(f".{path.name}.*.netcache"):
            if old != target:
                with contextlib.suppress(OSError):
                    old.unlink()
    return net
