"""Parameter grids for sweeps: ``--vary KEY=v1,v2,...`` and ``--vary KEY=LO..HI[:STEP]``.

Keys are the dotted scenario paths ``--set`` takes (``services.choisoko.fleet_size``); values are
read as TOML exactly like ``--set`` values (``6``, ``1.5``, ``"09:30"``, ``[1, 2]``, ``true``,
anything else is kept as a string). A range ``LO..HI:STEP`` lists ``LO, LO+STEP, ...`` up to and
including ``HI`` when it falls on the step; ``LO..HI`` without a step counts by 1 (integers only).
Ranges are computed in decimal arithmetic, so ``0.1..0.3:0.1`` gives ``0.1, 0.2, 0.3`` exactly.

This module only parses and combines; whether a key exists and a value is valid is decided by the
scenario schema (:func:`sim.scenario.apply_overrides` and :func:`sim.scenario.validate`), which
the sweep applies to every grid point before running anything.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sim.errors import InputError
from sim.scenario.schema import parse_override

#: Most values one ``--vary`` may expand to (a guard against a typo like ``0..1:0.000001``).
MAX_AXIS_VALUES = 10_000

_NUM = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?"
_RANGE = re.compile(rf"^\s*(?P<lo>{_NUM})\s*\.\.\s*(?P<hi>{_NUM})\s*(?::\s*(?P<step>{_NUM})\s*)?$")


@dataclass(frozen=True, slots=True)
class Axis:
    """One varied scenario key and the values it takes, in the order given.

    Attributes
    ----------
    key
        Dotted scenario path, e.g. ``services.choisoko.fleet_size``.
    values
        The values (TOML-typed: int, float, str, bool, list, ...), no duplicates.
    text
        The option as the user wrote it (named in error messages).
    """

    key: str
    values: tuple[Any, ...]
    text: str


def _split_top_level(text: str) -> list[str]:
    """Split ``text`` at commas that are not inside brackets, braces or quotes."""
    parts: list[str] = []
    depth = 0
    quote: str | None = None
    escaped = False
    current: list[str] = []
    for ch in text:
        if quote is not None:
            current.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _range_values(text: str, lo_s: str, hi_s: str, step_s: str | None, *, option: str) -> list[int | float]:
    try:
        return _expand_range(text, lo_s, hi_s, step_s, option=option)
    except InputError:
        raise
    except (ArithmeticError, ValueError) as exc:
        # decimal.Overflow / InvalidOperation (both ArithmeticError), float/int conversion of a
        # huge value (OverflowError, ValueError): the range is not a usable list of numbers
        raise InputError(
            f"{option} {text!r}: cannot expand the range {lo_s}..{hi_s}{':' + step_s if step_s else ''} "
            f"(a bound or step is too large or too small to compute: {type(exc).__name__}); "
            f"use ordinary numbers, e.g. 2..12 or 0.5..2.0:0.5 (at most {MAX_AXIS_VALUES:,} values)"
        ) from None


def _expand_range(text: str, lo_s: str, hi_s: str, step_s: str | None, *, option: str) -> list[int | float]:
    lo, hi = Decimal(lo_s), Decimal(hi_s)
    step = Decimal(step_s) if step_s is not None else Decimal(1)
    if step <= 0:
        raise InputError(f"{option} {text!r}: the step must be positive, got {step_s}")
    if hi < lo:
        raise InputError(f"{option} {text!r}: the range runs from {lo_s} down to {hi_s}; write LO..HI with LO <= HI")
    integral = all(re.fullmatch(r"[+-]?\d+", s) for s in (lo_s, hi_s, step_s or "1"))
    if step_s is None and not integral:
        raise InputError(f"{option} {text!r}: a range of non-integers needs a step, e.g. {lo_s}..{hi_s}:0.5")
    span = (hi - lo) / step
    if span >= MAX_AXIS_VALUES:
        raise InputError(
            f"{option} {text!r}: expands to more than {MAX_AXIS_VALUES:,} values (about {span + 1:.3g}); use a larger step"
        )
    count = int(span) + 1
    if count > MAX_AXIS_VALUES:
        raise InputError(f"{option} {text!r}: expands to {count:,} values (at most {MAX_AXIS_VALUES:,}); use a larger step")
    values = [lo + i * step for i in range(count)]
    out = [int(v) for v in values] if integral else [float(v) for v in values]
    if any(isinstance(v, float) and not math.isfinite(v) for v in out):
        raise InputError(f"{option} {text!r}: a value of the range is too large for a number (beyond ±1.8e308)")
    return out


def parse_values(key: str, text: str, *, option: str = "--vary") -> list[Any]:
    """The values of ``text`` (``v1,v2,...`` or ``LO..HI[:STEP]``) for scenario key ``key``.

    Raises
    ------
    InputError
        Empty items, a malformed or empty range, too many values, duplicates.
    """
    shown = f"{key}={text}"
    m = _RANGE.match(text) if "..." not in text else None
    if m:
        values: list[Any] = list(_range_values(shown, m["lo"], m["hi"], m["step"], option=option))
    else:
        items = _split_top_level(text)
        values = []
        for item in items:
            stripped = item.strip()
            if not stripped:
                raise InputError(
                    f"{option} {shown!r}: empty value in the list; write KEY=v1,v2,... or KEY=LO..HI:STEP"
                )
            if ".." in stripped and stripped[0] not in "\"'[{":
                raise InputError(
                    f"{option} {shown!r}: {stripped!r} is not a range; write LO..HI or LO..HI:STEP with numbers, "
                    "e.g. 2..12 or 0.5..2.0:0.5"
                )
            values.append(parse_override(f"{key}={stripped}")[1])
    seen: list[str] = []
    for v in values:
        canon = json.dumps(v, sort_keys=True)
        if canon in seen:
            raise InputError(f"{option} {shown!r}: value {v!r} is listed twice")
        seen.append(canon)
    return values


def parse_vary(text: str, *, option: str = "--vary") -> Axis:
    """Parse one ``KEY=v1,v2,...`` or ``KEY=LO..HI[:STEP]`` option into an :class:`Axis`."""
    if "=" not in text:
        raise InputError(
            f"{option} {text!r}: expected KEY=v1,v2,... or KEY=LO..HI:STEP, e.g. services.choisoko.fleet_size=2..8"
        )
    key, raw = text.split("=", 1)
    key = key.strip()
    parts = key.split(".")
    if not key or not all(p.strip() for p in parts) or any(p != p.strip() for p in parts):
        raise InputError(f"{option} {text!r}: key {key!r} is not a dotted path like services.choisoko.fleet_size")
    if key == "seed":
        raise InputError(
            f"{option} {text!r}: the seed cannot be varied; replications draw their seeds from the scenario seed "
            "(use --replications, and --seed to change the root seed)"
        )
    if not raw.strip():
        raise InputError(f"{option} {text!r}: no values after '='")
    return Axis(key, tuple(parse_values(key, raw, option=option)), text)


def parse_axes(texts: Sequence[str], *, option: str = "--vary") -> list[Axis]:
    """Parse several ``--vary`` options; each key may appear once."""
    axes = [parse_vary(t, option=option) for t in texts]
    keys = [a.key for a in axes]
    for key in keys:
        if keys.count(key) > 1:
            raise InputError(f"{option}: key {key!r} is varied twice; give all its values in one {option}")
    return axes


def grid_points(axes: Sequence[Axis]) -> list[dict[str, Any]]:
    """Every combination of the axes' values (the first axis varies slowest); ``[{}]`` for no axes."""
    keys = [a.key for a in axes]
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(a.values for a in axes))]


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes and backslashes escaped, control characters as ``\\u`` and four hex digits."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_literal(value: Any) -> str:
    """``value`` as a TOML literal that :func:`sim.scenario.parse_override` reads back unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_toml_string(str(k))} = {toml_literal(v)}" for k, v in value.items()) + "}"
    raise InputError(f"value {value!r} of type {type(value).__name__} cannot be written as a scenario value")


def point_overrides(point: Mapping[str, Any]) -> list[str]:
    """``--set`` style overrides (``key=literal``) that put a grid point into a scenario."""
    return [f"{key}={toml_literal(value)}" for key, value in point.items()]


def format_value(value: Any) -> str:
    """A grid value as a short label or CSV cell (``6``, ``0.5``, ``09:30``, ``[1, 2]``; None: empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return toml_literal(value)
