"""Where the repository's own folders are (networks, data, scenarios), found from this file."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The repository folder that holds ``sim/``, ``networks/``, ``data/`` and ``scenarios/``."""
    return Path(__file__).resolve().parent.parent


#: Longest folder name made from a scenario name (characters; at most 180 UTF-8 bytes): a file
#: name may hold 255 bytes, and the staging folder ``.<name>.staging-<pid>`` and suffixes like
#: ``-sensitivity`` need room.
MAX_NAME_CHARS = 64
MAX_NAME_BYTES = 180
_UNSAFE = frozenset('/\\:*?"<>|')


def _unsafe(c: str) -> bool:
    return c in _UNSAFE or ord(c) < 0x20 or ord(c) == 0x7F


def safe_component(name: str) -> str:
    """One safe folder name made from a scenario name (``""`` if nothing usable is left).

    ``/ \\ : * ? " < > |`` and control characters become ``_``, leading dots and blanks become ``_``
    (no ``.``, ``..`` or hidden folders), trailing dots and blanks are dropped, and the result is
    cut to 64 characters and 180 UTF-8 bytes. Japanese and other letters are kept.
    """
    text = "".join("_" if _unsafe(c) else c for c in str(name)).rstrip(" .")
    stripped = text.lstrip(" .")
    text = "_" * (len(text) - len(stripped)) + stripped
    text = text[:MAX_NAME_CHARS]
    while len(text.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        text = text[:-1]
    return text.rstrip(" .")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a table key that names columns and figures (``None`` if it can).

    A valid key is 1–64 characters (at most 180 UTF-8 bytes), does not start with ``.`` and holds
    none of ``/ \\ : * ? " < > |`` or control characters.
    """
    if not isinstance(name, str) or not name:
        return "must not be empty"
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"must be at most {MAX_NAME_CHARS} characters ({MAX_NAME_BYTES} UTF-8 bytes)"
    if name.startswith("."):
        return "must not start with '.'"
    bad = sorted({c for c in name if _unsafe(c)})
    if bad:
        return "must not contain " + ", ".join(repr(c) for c in bad)
    return None
