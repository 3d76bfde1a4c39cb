"""Clock-time helpers. Simulation time is seconds since midnight of the service day."""

from __future__ import annotations

import math
import re

_HMS = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*$")


def parse_clock(value: str | int | float) -> float:
    """Parse ``"HH:MM"``, ``"HH:MM:SS"`` or a number of seconds into seconds since midnight.

    Hours may exceed 23 (``"25:30"`` is 01:30 on the next day, as in GTFS).

    Raises
    ------
    ValueError
        If the value is neither a non-negative number nor a valid clock string.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"time must be a non-negative number of seconds, got {value!r}")
        return float(value)
    text = str(value).strip()
    m = _HMS.match(text)
    if m:
        h, mi, s = int(m.group(1)), int(m.group(2)), float(m.group(3) or 0.0)
        if mi >= 60 or s >= 60:
            raise ValueError(f"not a valid clock time: {value!r} (expected HH:MM or HH:MM:SS)")
        return h * 3600.0 + mi * 60.0 + s
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(
            f"not a time: {value!r} (expected HH:MM, HH:MM:SS or seconds since midnight)"
        ) from None
    return parse_clock(seconds)


def format_clock(seconds: float) -> str:
    """Format seconds since midnight as ``HH:MM:SS`` (rounded to the nearest second)."""
    total = int(round(seconds))
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"
