"""Scenario files as text: reading them (UTF-8 with or without BOM, size-limited) and writing a
resolved scenario back as TOML (the ``scenario.toml`` of a results directory)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import ScenarioError

if TYPE_CHECKING:
    from pydantic import BaseModel

#: Largest scenario file read, bytes (a scenario is a few kilobytes).
MAX_FILE_BYTES = 1_000_000


def read_text_file(path: Path, *, what: str, limit: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file (a leading BOM is dropped) of at most ``limit`` bytes.

    Raises :class:`ScenarioError` naming the file for a missing file, a directory, a device or
    pipe, an oversized file, or another encoding (with the fix: save it as UTF-8).
    """
    try:
        if path.is_dir():
            raise ScenarioError(f"{path}: is a directory, expected a {what}")
        if path.exists() and not path.is_file():
            raise ScenarioError(f"{path}: is not a regular file (a device or pipe?), expected a {what}")
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: {what} not found") from None
    except PermissionError as exc:
        raise ScenarioError(f"{path}: cannot read the {what}: {exc.strerror}") from None
    if len(data) > limit:
        raise ScenarioError(f"{path}: larger than {limit:,} bytes; a {what} is a small text file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(f"{path}: the {what} is UTF-16; save it as UTF-8 (with or without BOM)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: the {what} is not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}); "
            "save it as UTF-8 (e.g. a Shift-JIS file: iconv -f CP932 -t UTF-8)"
        ) from None


def to_toml(scenario: BaseModel) -> str:
    """Serialise a resolved scenario back to TOML (the ``scenario.toml`` of a results directory)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return _dump_toml(data)


def dump_toml(data: dict[str, Any]) -> str:
    """Write plain data (strings, numbers, booleans, lists, nested tables) as TOML."""
    return _dump_toml(data)


_TOML_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\b": "\\b", "\f": "\\f", "\t": "\\t"}


def _toml_char(c: str) -> str:
    if c in _TOML_ESCAPES:
        return _TOML_ESCAPES[c]
    if ord(c) < 0x20 or ord(c) == 0x7F:
        return f"\\u{ord(c):04X}"
    return c


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + "".join(_toml_char(c) for c in v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table (a table inside an array: [[remote_ops.shifts]] entries)
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {v!r} as TOML")


def _toml_key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else _toml_value(k)


def _dump_toml(data: dict[str, Any], prefix: str = "") -> str:
    lines = [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, v in data.items():
        if isinstance(v, dict):
            name = f"{prefix}{_toml_key(k)}"
            lines.append(f"\n[{name}]")
            lines.append(_dump_toml(v, prefix=f"{name}.").rstrip("\n"))
    return "\n".join(line for line in lines if line) + "\n"
