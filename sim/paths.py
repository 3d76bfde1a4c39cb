"""Where the repository's own folders are (networks, data, scenarios), found from this file."""

from __future__ import annotations

from pathlib import Path


def repo_root() -> Path:
    """The repository folder that holds ``sim/``, ``networks/``, ``data/`` and ``scenarios/``."""
    return Path(__file__).resolve().parent.parent


#: Longest name (characters) that becomes a folder name: a file name may hold 255 bytes, and the
#: staging folder ``.<name>.staging-<pid>`` and suffixes like ``-sensitivity`` need room.
MAX_NAME_CHARS = 64
MAX_NAME_BYTES = 180


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be one folder name (``None`` if it can).

    A valid name is 1–64 characters (at most 180 UTF-8 bytes), is not ``.`` or ``..``, does not
    start with ``.`` or end with a space or dot, and holds no ``/``, ``\\``, ``:``, NUL or other
    control character. Japanese and other non-ASCII letters are fine.
    """
    if not isinstance(name, str) or not name:
        return "must not be empty"
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return f"must be at most {MAX_NAME_CHARS} characters ({MAX_NAME_BYTES} UTF-8 bytes); it names the results folder"
    if name in {".", ".."} or name.startswith("."):
        return "must not start with '.' (it names the results folder)"
    if name != name.strip() or name.endswith("."):
        return "must not start or end with a space, or end with '.'"
    bad = sorted({c for c in name if c in '/\\:' or ord(c) < 0x20 or ord(c) == 0x7F})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return f"must not contain {shown} (it names the results folder: one path component)"
    return None
