"""Where the repository's own folders are (networks, data, scenarios), found from this file."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The repository folder that holds ``sim/``, ``networks/``, ``data/`` and ``scenarios/``."""
    return Path(__file__).resolve().parent.parent
