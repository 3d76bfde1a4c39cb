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


def environment_error(exc: BaseException) -> str | None:
    """One line naming the path and the cause of a failure of the environment, else ``None``.

    Covers permission denied, a full disk, a name too long, a missing or read-only folder (any
    :class:`OSError`), corrupt compressed files (gzip, bz2, lzma, zlib), nesting too deep for
    Python (:class:`RecursionError`) and running out of memory. The CLI prints it and exits 1.
    """
    import bz2  # noqa: F401 - the module of OSError subclasses below
    import gzip
    import lzma
    import zlib

    if isinstance(exc, RecursionError):
        return "input nested too deeply to process (RecursionError); simplify the file or the extends chain"
    if isinstance(exc, MemoryError):
        return "out of memory; reduce the scenario's size (requests_per_day, fleet_size, network)"
    if isinstance(exc, (gzip.BadGzipFile, zlib.error, lzma.LZMAError, EOFError)):
        where = getattr(exc, "filename", None)
        prefix = f"{where}: " if where else ""
        return f"{prefix}corrupt or truncated compressed file ({type(exc).__name__}: {exc})"
    if isinstance(exc, OSError):
        cause = exc.strerror or str(exc) or type(exc).__name__
        paths = [p for p in (exc.filename, exc.filename2) if p]
        where = " -> ".join(str(p) for p in paths)
        return f"{where}: {cause}" if where else f"{cause} ({type(exc).__name__})"
    return None
