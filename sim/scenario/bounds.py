"""The bounds of numeric keys, read from pydantic models (the scenario schema passes its own).

Used for error messages ("valid: an integer from 0 to 20,000") and for the README table
(:func:`markdown_table`; ``python -m sim.scenario.schema`` prints it; a test keeps the README in step).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo


@dataclass(frozen=True, slots=True)
class Bounds:
    """Bounds of one numeric key: ``low``/``high`` with whether each end is included."""

    key: str
    kind: str  # "integer" or "number"
    low: float | None
    high: float | None
    low_open: bool = False
    high_open: bool = False
    default: Any = None

    def text(self) -> str:
        """``"0 to 20,000"``, ``"more than 0 to 1,440"`` etc."""
        lo = "" if self.low is None else f"{'more than ' if self.low_open else ''}{_num(self.low)}"
        hi = "" if self.high is None else f"{'under ' if self.high_open else ''}{_num(self.high)}"
        if lo and hi:
            return f"{lo} to {hi}"
        return lo and f"at least {lo}" or hi and f"at most {hi}" or "any"


def _num(v: float) -> str:
    if isinstance(v, int) or (float(v).is_integer() and abs(v) < 1e15):
        return f"{int(v):,}"
    return f"{v:g}"


def _numeric_kind(ann: Any) -> tuple[str | None, list[Any]]:
    """("integer"|"number"|None, metadata of an Annotated item type) of a field annotation."""
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if ann is bool:
        return None, []
    if ann is int:
        return "integer", []
    if ann is float:
        return "number", []
    if origin is typing.Annotated:
        kind, meta = _numeric_kind(args[0])
        return kind, [*meta, *args[1:]]
    if origin is list and args:
        kind, meta = _numeric_kind(args[0])
        return (f"list of {kind}s" if kind in ("integer", "number") else f"list of ({kind})" if kind else None), meta
    if origin is dict and len(args) == 2:
        kind, meta = _numeric_kind(args[1])
        return (f"table of {kind}s" if kind in ("integer", "number") else f"table of ({kind})" if kind else None), meta
    for arg in args:
        if arg is type(None):
            continue
        kind, meta = _numeric_kind(arg)
        if kind:
            return kind, meta
    return None, []


def _limits(metadata: list[Any]) -> tuple[float | None, float | None, bool, bool]:
    low = high = None
    low_open = high_open = False
    for m in metadata:
        if isinstance(m, FieldInfo):
            lo, hi, lo_o, hi_o = _limits(list(m.metadata))
            low, high = lo if lo is not None else low, hi if hi is not None else high
            low_open, high_open = lo_o or low_open, hi_o or high_open
        elif isinstance(m, annotated_types.Ge):
            low = m.ge
        elif isinstance(m, annotated_types.Gt):
            low, low_open = m.gt, True
        elif isinstance(m, annotated_types.Le):
            high = m.le
        elif isinstance(m, annotated_types.Lt):
            high, high_open = m.lt, True
    return low, high, low_open, high_open


def field_bounds(model: type[BaseModel], name: str, key: str) -> Bounds | None:
    """Bounds of field ``name`` of ``model`` (``None`` if it is not numeric)."""
    info = model.model_fields[name]
    kind, item_meta = _numeric_kind(info.annotation)
    if kind is None:
        return None
    lo, hi, lo_o, hi_o = _limits([*info.metadata, *item_meta])
    default = None if info.is_required() or info.default_factory is not None else info.default
    return Bounds(key, kind, lo, hi, lo_o, hi_o, default)


def _models(ann: Any) -> list[tuple[type[BaseModel], str]]:
    """Models reachable from a field annotation, with a key suffix (``.<name>`` for tables, ``[]``
    for arrays of tables)."""
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return [(ann, "")]
    if origin is dict and len(args) == 2:
        return [(m, ".<name>" + suffix) for m, suffix in _models(args[1])]
    if origin is list and args:  # an array of tables: [[remote_ops.shifts]]
        return [(m, "[]" + suffix) for m, suffix in _models(args[0])]
    found: list[tuple[type[BaseModel], str]] = []
    for arg in args:
        found.extend(_models(arg))
    return found


def all_bounds(model: type[BaseModel], prefix: str = "") -> list[Bounds]:
    """Every numeric key under ``model`` (dotted, ``<name>`` for user-named table entries)."""
    out: list[Bounds] = []
    seen: set[str] = set()
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        b = field_bounds(model, name, key)
        if b is not None:
            out.append(b)
            continue
        for sub, suffix in _models(info.annotation):
            for item in all_bounds(sub, f"{key}{suffix}."):
                if item.key not in seen:
                    seen.add(item.key)
                    out.append(item)
    return out


def bounds_at(root: type[BaseModel], loc: tuple[Any, ...]) -> Bounds | None:
    """Bounds of the key at a pydantic error location (``("services", "x", "fleet_size")``) under ``root``."""
    models: list[type[BaseModel]] = [root]
    for depth, part in enumerate(loc):
        if not isinstance(part, str):
            continue
        last = depth == len(loc) - 1 or all(not isinstance(p, str) for p in loc[depth + 1:])
        nxt: list[type[BaseModel]] = []
        for m in models:
            if part in m.model_fields:
                if last:
                    return field_bounds(m, part, ".".join(str(p) for p in loc))
                nxt.extend(x for x, _ in _models(m.model_fields[part].annotation))
        if nxt:
            models = nxt
        # else: a user-named table entry or a union tag: stay on the same models
    return None


def markdown_table(model: type[BaseModel]) -> str:
    """The README table of ``model``'s numeric keys: key, type, valid range, default."""
    lines = ["| key | type | valid range | default |", "|---|---|---|---|"]
    for b in all_bounds(model):
        default = "" if b.default is None else _num(b.default) if isinstance(b.default, (int, float)) else str(b.default)
        lines.append(f"| `{b.key}` | {b.kind} | {b.text()} | {default} |")
    return "\n".join(lines) + "\n"
