"""Error types. Every message names the offending file, key and value and says what is valid.

The CLI maps :class:`InputError` (bad input) to exit code 2 and any other :class:`SimError`
to exit code 1, printing the message without a traceback.
"""

from __future__ import annotations


class SimError(Exception):
    """Base class for errors the CLI reports as one clear message (exit code 1)."""

    exit_code: int = 1


class InputError(SimError, ValueError):
    """Bad user input: a scenario, CSV, network file or command-line value (exit code 2)."""

    exit_code = 2


class ScenarioError(InputError):
    """A scenario file or ``--set`` override is invalid."""


class NetworkError(InputError):
    """A road network cannot be loaded, or a place/stop cannot be found on it."""


class DemandError(InputError):
    """A demand CSV or demand specification is invalid."""
